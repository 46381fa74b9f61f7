//! The command-line interface: arguments, settings, commands, progress, output and error
//! rendering. It contains no resolution logic; it is the only module that prints.

#![allow(
    clippy::print_stderr,
    reason = "the CLI is where messages reach the user"
)]

pub mod args;
mod cache;
mod check;
pub mod config;
mod diagnostics;
mod download;
mod each;
mod hashes;
mod output;
mod progress;
mod resolve;
pub mod settings;
mod shown_urls;
mod units;

use std::process::ExitCode;

use clap::Parser as _;

use args::{Cli, Command};

/// Parses the command line, runs the command and returns the exit code: 0 success, 1 no
/// solution (or, for `check`, a pin that fails on a target), 2 usage, input or network errors
/// (as pip-compile).
#[must_use]
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout with exit 0, usage errors with exit 2.
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    match cli.command {
        Command::Resolve(args) => resolve::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Download(args) => download::run(&args),
        Command::Cache(args) => cache::run(&args),
    }
}

/// The multi-threaded runtime the index client runs on.
fn runtime() -> Result<tokio::runtime::Runtime, diagnostics::Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(4)
        .build()
        .map_err(|error| {
            diagnostics::Failure::Error(
                anyhow::Error::new(error).context("cannot start the async runtime"),
            )
        })
}

/// `-v` shows each request and cache hit; `-vv` everything pinwheel logs. `RUST_LOG` overrides.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "pinwheel=info",
        _ => "pinwheel=debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
