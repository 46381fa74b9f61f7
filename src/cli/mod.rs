//! The command-line interface: arguments, settings, commands, progress, output and error
//! rendering. It contains no resolution logic; it is the only module that prints.

#![allow(
    clippy::print_stderr,
    reason = "the CLI is where messages reach the user"
)]

pub mod args;
mod cache;
mod diagnostics;
mod hashes;
mod output;
mod progress;
mod resolve;
pub mod settings;
mod units;

use std::process::ExitCode;

use clap::Parser as _;

use args::{Cli, Command};

/// Parses the command line, runs the command and returns the exit code: 0 success, 1 no
/// solution, 2 usage, input or network errors (as pip-compile).
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
        Command::Cache(args) => cache::run(&args),
    }
}
