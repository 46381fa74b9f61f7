//! Errors from reading requirement inputs: each names the file and line, and the chain of files
//! that included it.

use std::fmt;
use std::path::PathBuf;

/// An input that could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub struct InputError {
    /// The file the problem is in (`-` for stdin).
    pub file: PathBuf,
    /// The 1-based line, when the problem is on a line.
    pub line: Option<usize>,
    /// The files that included this one, innermost first, each with the including line.
    pub included_from: Vec<(PathBuf, usize)>,
    /// What is wrong.
    #[source]
    pub kind: InputErrorKind,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        for (file, line) in &self.included_from {
            write!(f, " (included from {}:{line})", file.display())?;
        }
        write!(f, ": {}", self.kind)
    }
}

/// What is wrong with an input.
#[derive(Debug, thiserror::Error)]
pub enum InputErrorKind {
    /// The file could not be read.
    #[error("cannot read the file")]
    Read(#[source] std::io::Error),
    /// The file is not UTF-8.
    #[error("the file is not valid UTF-8")]
    NotUtf8,
    /// A requirement that is not valid PEP 508.
    #[error("invalid requirement `{text}`: {message}")]
    InvalidRequirement {
        /// The line's text.
        text: String,
        /// The parser's explanation.
        message: String,
    },
    /// An option pinwheel does not know, or does not allow in a requirements file.
    #[error("unknown option `{0}`")]
    UnknownOption(String),
    /// An option that needs a value was given none.
    #[error("option `{0}` needs a value")]
    MissingValue(String),
    /// A known pip option that pinwheel does not support (yet).
    #[error("`{option}` is not supported: {hint}")]
    Unsupported {
        /// The option or form.
        option: String,
        /// What to do instead.
        hint: String,
    },
    /// A project file that is not valid TOML or has fields of the wrong type.
    #[error("invalid project file: {0}")]
    InvalidProject(String),
    /// A project field that only a build backend can compute.
    #[error(
        "`{0}` is dynamic: pinwheel reads project metadata statically and never runs a build backend; list the dependencies in the file, or lock a requirements.in instead"
    )]
    Dynamic(String),
    /// `--extra` names an extra the project does not have.
    #[error("the project has no extra `{0}`")]
    UnknownExtra(String),
    /// `--group` names a group the project does not have.
    #[error("the project has no dependency group `{0}`")]
    UnknownGroup(String),
    /// Dependency groups include each other in a cycle.
    #[error("dependency group `{0}` includes itself")]
    GroupCycle(String),
    /// A file includes itself, directly or through others.
    #[error("`{0}` includes itself")]
    IncludeCycle(PathBuf),
}
