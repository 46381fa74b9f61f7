//! Errors of `download`: one [`PinError`] per pin that could not be placed, each naming the pin,
//! its line in the lock and the cause.

use std::fmt;
use std::path::PathBuf;

use crate::index::IndexError;
use crate::resolver::Unusable;
use crate::types::{Sha256Digest, Version};

use super::Verification;

/// Why a download did not complete.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// The destination directory cannot be created.
    #[error("cannot create the directory `{}`", path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Some pins failed; the files of the others were placed.
    #[error("{} of {pins} pins could not be downloaded", failures.len())]
    Pins {
        /// Each failed pin, in lock order.
        failures: Vec<PinError>,
        /// How many pins the lock has.
        pins: usize,
    },
}

/// One pin that could not be downloaded.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: cannot download `{pin}`")]
pub struct PinError {
    /// The pin as the lock spells it (`name==version`, `name @ url`).
    pub pin: String,
    /// Its 1-based line in the lock.
    pub line: usize,
    /// Why.
    #[source]
    pub kind: PinErrorKind,
}

/// Why one pin could not be downloaded.
#[derive(Debug, thiserror::Error)]
pub enum PinErrorKind {
    /// Fetching or reading from the index or the cache failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The index lists no file of the pinned version.
    #[error("the index lists no file of version {version}")]
    NotOnIndex {
        /// The pinned version.
        version: Version,
    },
    /// The index lists files of the version, but the lock vouches for none of them.
    #[error(
        "none of the {listed} files of version {version} on the index has a sha256 the lock lists"
    )]
    NoLockedFile {
        /// The pinned version.
        version: Version,
        /// How many files the index lists for it.
        listed: usize,
    },
    /// No file of the version can be installed on the target.
    #[error("no file of version {version} can be installed on {target}: it {reason}")]
    Unusable {
        /// The pinned version.
        version: Version,
        /// The target, as shown to users.
        target: String,
        /// Why.
        reason: Unusable,
    },
    /// `--require-hashes` and the pin has no `--hash`.
    #[error("the lock lists no `--hash` for it, and `--require-hashes` was given")]
    MissingHashes,
    /// The bytes received do not hash to an accepted digest. Nothing was written for the pin.
    #[error("{}", Mismatch { filename, actual, expected, against: *against })]
    HashMismatch {
        /// The file.
        filename: String,
        /// The digest of what arrived.
        actual: Sha256Digest,
        /// The digests it could have had.
        expected: Vec<Sha256Digest>,
        /// Where those digests came from.
        against: Verification,
    },
    /// A file name that would land outside the directory.
    #[error("`{0}` is not a plain file name")]
    UnsafeFilename(String),
    /// The directory cannot be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The text of [`PinErrorKind::HashMismatch`].
struct Mismatch<'a> {
    filename: &'a str,
    actual: &'a Sha256Digest,
    expected: &'a [Sha256Digest],
    against: Verification,
}

impl fmt::Display for Mismatch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            filename, actual, ..
        } = self;
        let expected: Vec<String> = self.expected.iter().map(ToString::to_string).collect();
        match self.against {
            Verification::Lock => write!(
                f,
                "`{filename}` has sha256 {actual}, which is not among the lock's hashes ({})",
                expected.join(", ")
            ),
            Verification::Source | Verification::Unverified => write!(
                f,
                "`{filename}` has sha256 {actual}, but its source lists {}",
                expected.join(", ")
            ),
        }
    }
}
