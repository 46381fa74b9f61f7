//! `pinwheel resolve`: settles the run's settings, then runs the pipeline (`pipeline.rs`) once,
//! or once per input file with `--each` (`each.rs`).

use std::process::ExitCode;
use std::time::Instant;

use super::args::ResolveArgs;
use super::diagnostics::report;
use super::each;
use super::interrupt::{INTERRUPTED, interrupted};
use super::pipeline::{RunState, compile};
use super::settings::{Compilation, source_files};
use super::{init_logging_coloured, runtime};

/// Runs the command and returns its exit code.
pub fn run(args: &ResolveArgs) -> ExitCode {
    let colour = match (args.color, args.no_color) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    init_logging_coloured(args.verbose, colour);
    let started = Instant::now();
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(failure) => return report(&failure),
    };
    if args.each {
        let outcome = runtime.block_on(async {
            tokio::select! {
                biased;
                () = interrupted() => None,
                code = each::run(args, started) => Some(code),
            }
        });
        return outcome.unwrap_or_else(|| stopped(runtime));
    }
    let state = RunState::default();
    let outcome = runtime.block_on(async {
        tokio::select! {
            biased;
            () = interrupted() => None,
            outcome = async {
                let sources = source_files(args)?;
                let compilation = Compilation::settle(args, &sources)?;
                compile(&compilation, &state, None, started).await
            } => Some(outcome),
        }
    });
    let Some(outcome) = outcome else {
        return stopped(runtime);
    };
    match outcome {
        Ok(compiled) => {
            if !args.quiet {
                eprintln!(
                    "Resolved {} packages in {} ms",
                    compiled.pins,
                    started.elapsed().as_millis()
                );
            }
            // The pins and their files are thousands of allocations, and the process is about
            // to end: freeing them here took ~2% of a warm universal resolve. Nor does the
            // process wait for the runtime's idle threads to wind down (dropping the runtime
            // joins each of them): the output is written, and exiting ends them.
            crate::resolver::drop_in_background(compiled);
            runtime.shutdown_background();
            ExitCode::SUCCESS
        }
        Err(failure) => report(&failure),
    }
}

/// Ends a run stopped by Ctrl-C. The select dropped the resolve's futures, and with them every
/// running build backend (its process group is killed when its future goes) and every
/// temporary file; the output was never written.
fn stopped(runtime: tokio::runtime::Runtime) -> ExitCode {
    runtime.shutdown_background();
    eprintln!("interrupted: nothing was written");
    ExitCode::from(INTERRUPTED)
}
