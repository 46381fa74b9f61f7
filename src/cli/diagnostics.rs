//! The one place errors become stderr text and exit codes.

use std::process::ExitCode;

use super::shown_urls::hide_credentials_in;
use crate::resolver::ResolveError;

/// How a run ended.
pub enum Failure {
    /// The requirements cannot be satisfied: exit 1.
    NoSolution(ResolveError),
    /// Anything else (usage, input, network, disk): exit 2.
    Error(anyhow::Error),
    /// `--check` found the output file stale or missing: exit 1.
    Stale(std::path::PathBuf),
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Self::Error(error)
    }
}

impl From<ResolveError> for Failure {
    fn from(error: ResolveError) -> Self {
        if error.is_no_solution() {
            Self::NoSolution(error)
        } else {
            Self::Error(error.into())
        }
    }
}

/// The text `report` would print for `failure` (without the exit code). Credentials in URLs
/// are hidden, whichever message quoted them.
pub fn describe(failure: &Failure) -> String {
    let text = match failure {
        Failure::NoSolution(error) => format!("error: {error}"),
        Failure::Stale(path) => format!(
            "error: `{}` is not up to date with its inputs (run without `--check` to update it)",
            path.display()
        ),
        Failure::Error(error) => {
            let mut text = format!("error: {error}");
            for cause in error.chain().skip(1) {
                text.push_str(&format!("\n  caused by: {cause}"));
            }
            text
        }
    };
    hide_credentials_in(&text)
}

/// Prints `failure` with its chain of causes and returns its exit code.
pub fn report(failure: &Failure) -> ExitCode {
    eprintln!("{}", describe(failure));
    match failure {
        Failure::NoSolution(_) | Failure::Stale(_) => ExitCode::from(1),
        Failure::Error(_) => ExitCode::from(2),
    }
}
