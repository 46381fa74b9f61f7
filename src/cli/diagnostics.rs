//! The one place errors become stderr text and exit codes.

use std::process::ExitCode;

use super::shown_urls::hide_credentials_in;
use crate::build::BuildError;
use crate::resolver::{ResolveError, SourceError};

/// How a run ended.
pub enum Failure {
    /// The requirements cannot be satisfied: exit 1.
    NoSolution(ResolveError),
    /// Anything else (usage, input, network, disk): exit 2.
    Error(anyhow::Error),
    /// `--check` found the output file stale: exit 1.
    Stale(std::path::PathBuf),
    /// `--check` found no output file to compare with: exit 1.
    Missing(std::path::PathBuf),
    /// `--fail-on-shadowed` found locked names that several indexes serve: exit 1.
    Shadowed(Vec<String>),
    /// `--verify-attestations` found a file whose attestation does not verify, or a package
    /// that lost or changed its recorded publisher: exit 1.
    Attestation(String),
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

/// The exit code of `failure`: 1 when the answer is "no" (no solution, `--check` failed), 2 when
/// the question could not be answered (usage, input, network, disk).
pub fn exit_code(failure: &Failure) -> u8 {
    match failure {
        Failure::NoSolution(_)
        | Failure::Stale(_)
        | Failure::Missing(_)
        | Failure::Shadowed(_)
        | Failure::Attestation(_) => 1,
        Failure::Error(_) => 2,
    }
}

/// The text `report` prints for `failure` (without the exit code). Credentials in URLs are
/// hidden, whichever message quoted them.
pub fn describe(failure: &Failure) -> String {
    let text = match failure {
        Failure::NoSolution(error) => format!("error: {error}"),
        Failure::Stale(path) => format!(
            "error: `{}` is not up to date with its inputs (run without `--check` to update it)",
            path.display()
        ),
        Failure::Missing(path) => format!(
            "error: `{}` is missing (run without `--check` to create it)",
            path.display()
        ),
        Failure::Shadowed(names) => format!(
            "error: {} served by more than one index (`--fail-on-shadowed`): `{}`; nothing was written",
            if names.len() == 1 {
                "1 locked name is".to_string()
            } else {
                format!("{} locked names are", names.len())
            },
            names.join("`, `")
        ),
        Failure::Attestation(reason) => {
            format!("error: attestation: {reason} (`--verify-attestations`); nothing was written")
        }
        Failure::Error(error) => {
            let chain = chain_from_the_build(error);
            let mut text = format!("error: {}", chain[0]);
            for cause in causes(&chain) {
                text.push_str(&format!("\n  caused by: {cause}"));
            }
            if let Some(output) = backend_output(error) {
                text.push('\n');
                text.push_str(output.trim_end());
            }
            text
        }
    };
    hide_credentials_in(&text)
}

/// The messages of `error` and its causes, from a failed build down when there is one: the
/// resolver's "failed to fetch `numpy` 1.25.2" over "the build backend of numpy 1.25.2
/// failed" says less than the build error alone.
fn chain_from_the_build(error: &anyhow::Error) -> Vec<String> {
    let start = error
        .chain()
        .position(|cause| build_error(cause).is_some())
        .unwrap_or(0);
    error.chain().skip(start).map(ToString::to_string).collect()
}

/// What a failed build backend printed, when the failure is one.
fn backend_output(error: &anyhow::Error) -> Option<String> {
    error
        .chain()
        .find_map(|cause| build_error(cause)?.backend_output())
}

/// `cause` as a build error: itself, or what the resolver's source error wraps.
fn build_error<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a BuildError> {
    cause.downcast_ref::<BuildError>().or_else(|| {
        cause
            .downcast_ref::<SourceError>()?
            .inner()
            .downcast_ref::<BuildError>()
    })
}

/// The causes (all of `chain` but its first message) worth a line of their own. An error whose
/// message already ends with its cause's (`cannot read x: permission denied` over `permission
/// denied`), or repeats it (a wrapper that shows its inner error), would print the same words
/// twice; such a cause is left out, and so is the next one's repetition of it.
fn causes(chain: &[String]) -> Vec<String> {
    let Some((first, rest)) = chain.split_first() else {
        return Vec::new();
    };
    let mut shown = first.clone();
    let mut lines = Vec::new();
    for text in rest {
        if !shown.ends_with(text.as_str()) {
            lines.push(text.clone());
        }
        shown.clone_from(text);
    }
    lines
}

/// Prints `failure` with its chain of causes and returns its exit code.
pub fn report(failure: &Failure) -> ExitCode {
    eprintln!("{}", describe(failure));
    ExitCode::from(exit_code(failure))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read `a.in`: {0}")]
    struct Showing(#[source] std::io::Error);

    #[test]
    fn a_cause_the_message_already_shows_is_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied");
        let error = anyhow::Error::new(Showing(io)).context("cannot resolve `a.in`");
        assert_eq!(
            describe(&Failure::Error(error)),
            "error: cannot resolve `a.in`\n  caused by: cannot read `a.in`: permission denied"
        );
    }

    #[test]
    fn distinct_causes_are_all_shown() {
        let error = anyhow::anyhow!("permission denied")
            .context("cannot read `a.in`")
            .context("cannot resolve");
        assert_eq!(
            describe(&Failure::Error(error)),
            "error: cannot resolve\n  caused by: cannot read `a.in`\n  caused by: permission denied"
        );
    }
}
