//! Why a build failed. Each message names the package and version being built; a failed build
//! ends the run (exit 2), never a silent step back to another version.

use std::sync::Arc;

use super::hooks::HookError;
use super::install::InstallError;
use super::interpreter::InterpreterError;
use super::unpack::UnpackError;
use crate::index::IndexError;
use crate::metadata::MetadataError;
use crate::resolver::ResolveError;

/// What a way out of a failed build is, appended to the errors that have one.
const WAYS_OUT: &str = "pass `--no-build` to leave out versions whose metadata needs a build, or pin the package to a version that has a wheel";

/// A build that could not produce metadata.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// No interpreter to run the build with.
    #[error(
        "the metadata of {package} can only be known by building it, which needs Python; pass `--python PATH` (or set PINWHEEL_PYTHON), or pin the package to a version that has a wheel"
    )]
    NoInterpreter {
        /// `name version`.
        package: String,
        /// Why none was found.
        #[source]
        source: Arc<InterpreterError>,
    },
    /// `--offline`, and no build of it is cached.
    #[error(
        "the metadata of {package} needs a build, and `--offline` found none in the cache: run once without `--offline`"
    )]
    Offline {
        /// `name version`.
        package: String,
    },
    /// The sdist or a build requirement could not be fetched.
    #[error("cannot fetch what building {package} needs")]
    Fetch {
        /// `name version`.
        package: String,
        /// The failure.
        #[source]
        source: Box<IndexError>,
    },
    /// A local file or directory could not be used.
    #[error("building {package}: cannot use {path}")]
    Local {
        /// `name version`.
        package: String,
        /// The path.
        path: String,
        /// The failure.
        #[source]
        source: std::io::Error,
    },
    /// The sdist could not be unpacked.
    #[error("cannot unpack the sdist of {package}")]
    Unpack {
        /// `name version`.
        package: String,
        /// The failure.
        #[source]
        source: Box<UnpackError>,
    },
    /// `[build-system]` is unreadable.
    #[error("cannot read the build system of {package}")]
    BuildSystem {
        /// `name version`.
        package: String,
        /// The failure.
        #[source]
        source: Box<MetadataError>,
    },
    /// The build requirements have no solution, or resolving them failed.
    #[error("cannot resolve the build requirements of {package}")]
    Requirements {
        /// `name version`.
        package: String,
        /// The failure.
        #[source]
        source: Box<ResolveError>,
    },
    /// `get_requires_for_build_wheel` answered something that is not a requirement.
    #[error(
        "the build backend of {package} asked for `{requirement}`, which is not a requirement: {reason}"
    )]
    AskedFor {
        /// `name version`.
        package: String,
        /// What it asked for.
        requirement: String,
        /// The parser's explanation.
        reason: String,
    },
    /// A build requirement resolved to a version without a wheel for the interpreter.
    #[error(
        "the build requirement {requirement} of {package} has no wheel for the building interpreter; pinwheel does not build build requirements"
    )]
    NotAWheel {
        /// `name version`.
        package: String,
        /// `name==version`.
        requirement: String,
    },
    /// A build requirement's wheel could not be unpacked.
    #[error("cannot install the build requirements of {package}")]
    Install {
        /// `name version`.
        package: String,
        /// The failure.
        #[source]
        source: Box<InstallError>,
    },
    /// A hook failed or timed out.
    #[error("the build backend of {package} failed; {WAYS_OUT}")]
    Hook {
        /// `name version`.
        package: String,
        /// The failure, with the backend's last lines.
        #[source]
        source: Box<HookError>,
    },
    /// The build's METADATA is unreadable.
    #[error("the build of {package} wrote unreadable metadata")]
    Metadata {
        /// `name version`.
        package: String,
        /// The failure.
        #[source]
        source: Box<MetadataError>,
    },
    /// The build's METADATA describes another distribution.
    #[error("the build of {package} wrote the metadata of {built} instead")]
    Mismatch {
        /// `name version`.
        package: String,
        /// `name version` of what was built.
        built: String,
    },
}

impl BuildError {
    /// What a failed hook said (its last lines of output) and the command that repeats it by
    /// hand, for the end of the error report; `None` for other errors.
    #[must_use]
    pub fn backend_output(&self) -> Option<String> {
        let Self::Hook { source, .. } = self else {
            return None;
        };
        let mut text = String::new();
        let tail = source.output_tail();
        if !tail.is_empty() {
            text.push_str("the backend's last lines of output:\n");
            for line in tail {
                text.push_str("  | ");
                text.push_str(line);
                text.push('\n');
            }
        }
        if let Some(command) = source.command() {
            text.push_str("to run it again by hand: ");
            text.push_str(command);
            text.push('\n');
        }
        (!text.is_empty()).then_some(text)
    }
}
