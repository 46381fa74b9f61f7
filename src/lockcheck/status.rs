//! What a check finds for one pin on one target, and how much each finding matters.
//!
//! A [`Status`] holds exactly the facts of its case (a wheel has a file name, a yanked release a
//! reason, a `Requires-Python` failure its specifiers), so a renderer never has to guess which
//! fields go with which outcome. Whether a status fails the check is a separate question
//! ([`Status::outcome`]) because `--require-wheels` changes the answer for sdists.

use std::fmt;

use crate::target::Platform;
use crate::types::{Sha256Digest, VersionSpecifiers};

/// What `pinwheel check` found for one pin on one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The pin's marker is false on the target: pip does not install it there.
    SkippedByMarker,
    /// A direct URL pin (`name @ url`): not checked against the index.
    DirectUrl,
    /// A version-control pin (`name @ git+…`): a repository at a commit, which no index lists.
    Vcs,
    /// The target would install this wheel.
    Wheel {
        /// The wheel's file name.
        file: String,
    },
    /// No wheel can be used, but the sdist can: installable only by building it.
    SdistOnly {
        /// The sdist's file name.
        file: String,
        /// Why no wheel is used.
        missing_wheel: MissingWheel,
    },
    /// The index does not have the pinned project or version.
    Missing(Missing),
    /// Every file of the pinned version is yanked.
    Yanked {
        /// The reason the index gave, if any.
        reason: Option<String>,
    },
    /// No file of the version admits the target's Python.
    RequiresPython {
        /// The `Requires-Python` of the version's files.
        specifiers: VersionSpecifiers,
    },
    /// Neither a wheel for the target nor an sdist exists.
    NoFile {
        /// Why no wheel is used.
        missing_wheel: MissingWheel,
    },
    /// The lock's hashes do not agree with the index.
    HashMismatch(HashMismatch),
}

/// Why a pinned project or version is not on the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// The index has no file of the project at all.
    Project,
    /// The project exists, but not this version.
    Version,
}

/// Why the target cannot use a wheel of the pinned version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MissingWheel {
    /// The version has no (unyanked) wheel at all.
    NoWheels,
    /// No wheel is built for the target's Python (`cp312`).
    ForPython {
        /// The target's interpreter tag, `cpXY`.
        interpreter: String,
    },
    /// Wheels for the target's Python exist, but none for its platform.
    ForPlatform {
        /// The target platform.
        platform: Platform,
    },
    /// A wheel would fit, but the lock has no hash for it, and pip only installs files whose
    /// hash is in the lock.
    NotLocked {
        /// The wheel the target would otherwise use.
        wheel: String,
    },
}

/// How the lock's hashes disagree with the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HashMismatch {
    /// Hashes in the lock that are the sha256 of no file of the version (never empty).
    Unknown(Vec<Sha256Digest>),
    /// Files usable on the target exist, but none has its hash in the lock: pip would refuse
    /// to install the pin.
    TargetFileNotLocked {
        /// The file the target would use without the lock's hashes.
        file: String,
    },
}

/// How much a status matters for the check's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// Installable as locked.
    Pass,
    /// Installable, but worth knowing (an sdist that must be built).
    Warning,
    /// Not installable as locked: the check fails.
    Failure,
    /// Not installed on the target (marker), or not checkable (direct URL).
    NotChecked,
}

/// What an sdist-only pin counts as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SdistPolicy {
    /// A warning: pip can install it by building (the default).
    #[default]
    Warn,
    /// A failure (`--require-wheels`): the target must not need a build step.
    Fail,
}

impl Status {
    /// The status's stable name, as used in tables and JSON.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::SkippedByMarker => "skipped",
            Self::DirectUrl => "direct-url",
            Self::Vcs => "vcs",
            Self::Wheel { .. } => "wheel",
            Self::SdistOnly { .. } => "sdist-only",
            Self::Missing(_) => "missing",
            Self::Yanked { .. } => "yanked",
            Self::RequiresPython { .. } => "requires-python",
            Self::NoFile { .. } => "no-file",
            Self::HashMismatch(_) => "hash-mismatch",
        }
    }

    /// Whether this status passes, warns or fails under `policy`.
    #[must_use]
    pub fn outcome(&self, policy: SdistPolicy) -> Outcome {
        match self {
            Self::Wheel { .. } => Outcome::Pass,
            Self::SdistOnly { .. } => match policy {
                SdistPolicy::Warn => Outcome::Warning,
                SdistPolicy::Fail => Outcome::Failure,
            },
            Self::SkippedByMarker | Self::DirectUrl | Self::Vcs => Outcome::NotChecked,
            Self::Missing(_)
            | Self::Yanked { .. }
            | Self::RequiresPython { .. }
            | Self::NoFile { .. }
            | Self::HashMismatch(_) => Outcome::Failure,
        }
    }
}

/// The human explanation of a status (the detail line under a table).
impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SkippedByMarker => f.write_str("the marker is false on this target"),
            Self::DirectUrl => f.write_str("direct URL, not checked"),
            Self::Vcs => f.write_str("git repository, not checked against an index"),
            Self::Wheel { file } => write!(f, "installs {file}"),
            Self::SdistOnly {
                file,
                missing_wheel,
            } => write!(f, "{missing_wheel}: pip would build {file}"),
            Self::Missing(Missing::Project) => f.write_str("the index has no such project"),
            Self::Missing(Missing::Version) => f.write_str("the index has no such version"),
            Self::Yanked {
                reason: Some(reason),
            } => write!(f, "yanked: {reason}"),
            Self::Yanked { reason: None } => f.write_str("yanked (no reason given)"),
            Self::RequiresPython { specifiers } => write!(f, "requires Python {specifiers}"),
            Self::NoFile { missing_wheel } => write!(f, "{missing_wheel}, and no sdist"),
            Self::HashMismatch(mismatch) => mismatch.fmt(f),
        }
    }
}

impl fmt::Display for MissingWheel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoWheels => f.write_str("no wheels published"),
            Self::ForPython { interpreter } => write!(f, "no {interpreter} wheel"),
            Self::ForPlatform { platform } => write!(f, "no wheel for {platform}"),
            Self::NotLocked { wheel } => write!(f, "the lock has no hash of {wheel}"),
        }
    }
}

impl fmt::Display for HashMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(digests) => {
                f.write_str("the lock lists hashes of no file of this version:")?;
                for digest in digests {
                    write!(f, " sha256:{digest}")?;
                }
                Ok(())
            }
            Self::TargetFileNotLocked { file } => write!(
                f,
                "no file usable on this target has its hash in the lock (it would use {file}): pip would refuse to install it"
            ),
        }
    }
}
