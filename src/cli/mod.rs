//! The command-line interface: arguments, settings, commands, progress, output and error
//! rendering. It contains no resolution logic; it is the only module that prints.

#![allow(
    clippy::print_stderr,
    reason = "the CLI is where messages reach the user"
)]

pub mod args;
mod attestations;
mod builds;
mod cache;
mod check;
pub mod config;
mod diagnostics;
mod download;
mod each;
mod fleet;
mod hashes;
mod interrupt;
mod output;
pub mod pip_compile;
pub mod pip_env;
mod pipeline;
mod preflight;
mod progress;
mod resolve;
pub mod settings;
mod shadowed;
mod shown_urls;
mod targets;
mod units;

use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};

use args::{Cli, Command};
use pip_compile::Program;
use pip_env::PipEnvironment;

/// Parses the command line, runs the command and returns the exit code: 0 success, 1 no
/// solution (or, for `check`, a pin that fails on a target), 2 usage, input or network errors
/// (as pip-compile). Under the name `pip-compile` the binary runs `resolve`.
#[must_use]
pub fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let program = argv.first().map(Program::from_argv0).unwrap_or_default();
    let command = pip_compile::augment(Cli::command(), program);
    let parsed = command
        .try_get_matches_from(program.arguments(argv))
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            if error.kind() == clap::error::ErrorKind::InvalidValue
                && let Some(name) = empty_variable()
            {
                eprintln!(
                    "error: the environment variable `{name}` is set but empty: unset it, or set it to a value"
                );
                return ExitCode::from(2);
            }
            // clap prints help and version to stdout with exit 0, usage errors with exit 2.
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    if let (Command::Resolve(args), Some(("resolve", resolve))) =
        (&mut cli.command, matches.subcommand())
        && let Err(failure) = settle_pip_compile(args, resolve, program)
    {
        return diagnostics::report(&failure);
    }
    match cli.command {
        Command::Resolve(args) => resolve::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Download(args) => download::run(&args),
        Command::Cache(args) => cache::run(&args),
    }
}

/// What `resolve` takes from outside its own flags: the name it was invoked under, pip's
/// environment variables, and pip-compile's options it ignores (a warning each, printed here
/// once) or refuses (an error).
fn settle_pip_compile(
    args: &mut args::ResolveArgs,
    matches: &clap::ArgMatches,
    program: Program,
) -> Result<(), diagnostics::Failure> {
    args.program = program;
    args.pip_environment = PipEnvironment::from_process()?;
    let warnings = pip_compile::review(matches).map_err(anyhow::Error::msg)?;
    if !args.quiet {
        for warning in warnings {
            eprintln!("warning: {warning}");
        }
    }
    Ok(())
}

/// The first of pinwheel's own variables that clap reads as a flag's value and that is set to
/// nothing. clap reports it as that flag given without a value, naming a flag the user may never
/// have typed; the user set the variable, so the message names it.
fn empty_variable() -> Option<&'static str> {
    ["PINWHEEL_CACHE_DIR", "PINWHEEL_CACHE_TTL"]
        .into_iter()
        .find(|name| std::env::var_os(name).is_some_and(|value| value.is_empty()))
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
    init_logging_coloured(verbose, None);
}

/// [`init_logging`], with colours forced on or off (`--color`, `--no-color`) rather than used
/// when stderr is a terminal.
fn init_logging_coloured(verbose: u8, colour: Option<bool>) {
    let level = match verbose {
        // The platform verifier logs each certificate it refuses; the request's own error says
        // the same with the URL and the ways out (`--cert`, `--trusted-host`).
        // OpenDAL warns of each retry of the remote cache, with a backtrace; the remote's own
        // breaker warns once when it gives up, which is all a user needs.
        0 => "warn,rustls_platform_verifier=off,opendal=off,opendal_core=off",
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
        .with_ansi(colour.unwrap_or_else(|| std::io::IsTerminal::is_terminal(&std::io::stderr())))
        .try_init();
}
