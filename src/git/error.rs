//! What can go wrong fetching a git requirement, named by its line.

use std::path::PathBuf;

use crate::inputs::InputErrorKind;

/// A git requirement that could not be fetched or read.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}: `{text}`: {kind}", file.display())]
pub struct GitError {
    /// The requirements file.
    pub file: PathBuf,
    /// The 1-based line.
    pub line: usize,
    /// The line as written (`cli` hides credentials in it before printing).
    pub text: String,
    /// What went wrong.
    #[source]
    pub kind: GitErrorKind,
}

/// What went wrong with one git requirement.
#[derive(Debug, thiserror::Error)]
pub enum GitErrorKind {
    /// `git` is not installed or cannot be started.
    #[error("cannot run `git` (git requirements need it on PATH)")]
    NotFound(#[source] std::io::Error),
    /// A `git` command failed: the host refused, the repository does not exist, …
    #[error("`git {command}` failed: {stderr}")]
    Failed {
        /// The subcommand.
        command: &'static str,
        /// What git said.
        stderr: String,
    },
    /// A `git` command did not finish in time.
    #[error("`git {command}` did not finish within {seconds} seconds")]
    TimedOut {
        /// The subcommand.
        command: &'static str,
        /// The limit.
        seconds: u64,
    },
    /// The ref is no tag, branch or ref of the repository.
    #[error("the ref `{0}` is not a tag, branch or commit of the repository")]
    MissingRef(String),
    /// The commit could not be fetched.
    #[error("the commit {0} could not be fetched from the repository")]
    MissingCommit(String),
    /// The checkout has no project that can be read statically.
    #[error(
        "the checkout of {commit} has no statically readable project: a build would be needed, which pinwheel does not run"
    )]
    Project {
        /// The commit checked out.
        commit: String,
        /// Why not (a build would be needed, no such subdirectory, …).
        #[source]
        cause: InputErrorKind,
    },
    /// The project found is not the one the line names.
    #[error("the line names `{written}` but the repository's project is `{found}`")]
    NameMismatch {
        /// The name on the line.
        written: String,
        /// The project's name.
        found: String,
    },
    /// The checkout directory could not be prepared.
    #[error("cannot prepare a git checkout in {}", path.display())]
    Io {
        /// The directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}
