//! `pinwheel resolve`: settles the run's settings, then runs the pipeline (`pipeline.rs`) once,
//! or once per input file with `--each` (`each.rs`).

use std::process::ExitCode;
use std::time::Instant;

use super::args::ResolveArgs;
use super::diagnostics::report;
use super::each;
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
        return runtime.block_on(each::run(args, started));
    }
    let state = RunState::default();
    let outcome = runtime.block_on(async {
        let sources = source_files(args)?;
        let compilation = Compilation::settle(args, &sources)?;
        compile(&compilation, &state, None, started).await
    });
    match outcome {
        Ok(compiled) => {
            if !args.quiet {
                eprintln!(
                    "Resolved {} packages in {} ms",
                    compiled.pins,
                    started.elapsed().as_millis()
                );
            }
            ExitCode::SUCCESS
        }
        Err(failure) => report(&failure),
    }
}
