//! Errors from reading requirement inputs: each names the file and line, and the chain of files
//! that included it.

use std::fmt;
use std::path::{Path, PathBuf};

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
    /// A `setup.cfg` requirement field that reads its value from elsewhere.
    #[error(
        "{0}: pinwheel reads project metadata statically; list the dependencies in the file, or lock a requirements.in instead"
    )]
    NotStatic(String),
    /// A local project whose metadata only a build can tell, and that was not built; the text
    /// says why it needs one.
    #[error("{0}")]
    NeedsBuild(String),
    /// A git checkout whose project only a build can tell, and that was not built.
    #[error(
        "the checkout of {commit} has no statically readable project: a build would be needed, which pinwheel does not run ({reason})"
    )]
    CheckoutNeedsBuild {
        /// The commit checked out.
        commit: String,
        /// Why it needs a build.
        reason: String,
    },
    /// `Manifest::set_built` was given an entry that waits for no build.
    #[error("this entry is no local project waiting for a build")]
    NotToBuild,
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
    /// A local path requirement names a path that does not exist.
    #[error("`{0}` does not exist")]
    PathNotFound(PathBuf),
    /// A local directory with no project metadata pinwheel can read.
    #[error(
        "`{0}` has no `pyproject.toml` with a `[project]` table and no `setup.cfg`: pinwheel reads local projects statically and never runs `setup.py`"
    )]
    NotAProject(PathBuf),
    /// A problem in the metadata file of a local project.
    #[error("in `{}`: {cause}", place(.file, *.line))]
    Project {
        /// `pyproject.toml` or `setup.cfg`.
        file: PathBuf,
        /// The line, when the problem is one requirement.
        line: Option<usize>,
        /// What is wrong there.
        cause: Box<InputErrorKind>,
    },
    /// A field a local project must declare is missing.
    #[error("`{0}` is missing: a local project needs a static name and version")]
    MissingField(String),
    /// A local project's version is computed by its build backend.
    #[error(
        "`{0}` is dynamic: pinwheel reads local projects statically and never runs a build backend; declare the version in the file"
    )]
    DynamicVersion(String),
    /// `-e` with something other than a local directory.
    #[error("`-e {0}`: an editable requirement must be a local project directory")]
    EditableNotDirectory(String),
    /// An unnamed location whose file name does not say which project it is.
    #[error("cannot tell the project's name from `{location}` ({reason}); write `name @ URL`")]
    UnnamedLocation {
        /// The path or URL as written.
        location: String,
        /// Why the file name does not tell.
        reason: String,
    },
    /// `name @ file:///…` where the project there has another name.
    #[error("the line names `{written}`, but the project at its path is `{found}`")]
    NameMismatch {
        /// The name the line gives.
        written: String,
        /// The name the project declares.
        found: String,
    },
    /// An unnamed or editable requirement in a constraints file, which pip refuses too.
    #[error(
        "`{0}`: a constraint must be `name==version` or `name @ URL`; unnamed and editable requirements are not allowed as constraints"
    )]
    UnnamedConstraint(String),
}

/// `file` or `file:line`.
fn place(file: &Path, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{}:{line}", file.display()),
        None => file.display().to_string(),
    }
}
