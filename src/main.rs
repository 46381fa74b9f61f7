//! The `pinwheel` binary: everything lives in the library; see `pinwheel::cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    pinwheel::cli::main()
}
