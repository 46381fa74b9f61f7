//! Errors for metadata parsing ([`MetadataError`]) and zip reading ([`ZipError`]).
//!
//! Every message names what it is about (field, line, archive member, byte range) so that a
//! resolver can say why one version of one package was unusable. Nothing here does IO.

use std::path::PathBuf;

use pep440_rs::{VersionParseError, VersionSpecifiersParseError};
use pep508_rs::{InvalidNameError, Pep508Error, VerbatimUrl};

use crate::types::{PackageName, Version};

/// Metadata that could not be read, or that pinwheel refuses to guess.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// A field every metadata file must have is absent.
    #[error("the metadata has no `{field}` field")]
    MissingField {
        /// The header name, e.g. `Name`.
        field: &'static str,
    },
    /// `Name` is not a valid project name.
    #[error("invalid project name `{value}`")]
    InvalidName {
        /// The text found.
        value: String,
        /// Why it is invalid.
        #[source]
        source: InvalidNameError,
    },
    /// `Version` is not PEP 440.
    #[error("invalid version `{value}`")]
    InvalidVersion {
        /// The text found.
        value: String,
        /// Why it is invalid.
        #[source]
        source: VersionParseError,
    },
    /// `Requires-Python` is not a PEP 440 specifier set.
    #[error("invalid `Requires-Python` value `{value}`")]
    InvalidRequiresPython {
        /// The text found.
        value: String,
        /// Why it is invalid.
        #[source]
        source: VersionSpecifiersParseError,
    },
    /// A dependency line is not PEP 508.
    #[error("invalid requirement `{line}`")]
    InvalidRequirement {
        /// The line as written.
        line: String,
        /// The parser's explanation.
        #[source]
        source: Box<Pep508Error<VerbatimUrl>>,
    },
    /// A requirement refused before parsing (see `types::pep508_guard`).
    #[error("invalid requirement `{line}`: {reason}")]
    Unparsable {
        /// The offending line.
        line: String,
        /// Why.
        reason: crate::types::UnsafeText,
    },
    /// An extra name (a `project.optional-dependencies` key) is invalid.
    #[error("invalid extra name `{value}`")]
    InvalidExtra {
        /// The text found.
        value: String,
        /// Why it is invalid.
        #[source]
        source: InvalidNameError,
    },
    /// A `requires.txt` section header has an invalid extra name or marker.
    #[error("invalid `requires.txt` section `[{section}]`: {reason}")]
    InvalidSection {
        /// The text between the brackets.
        section: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A member of an sdist could not be read.
    #[error("cannot read `{member}` in the source distribution")]
    Archive {
        /// The member (or `the archive` itself).
        member: String,
        /// The underlying IO error (gzip or tar).
        #[source]
        source: std::io::Error,
    },
    /// A zip sdist is malformed.
    #[error("cannot read the zip source distribution")]
    Zip(#[source] ZipError),
    /// A member of an sdist is larger than pinwheel is willing to read.
    #[error("`{member}` in the source distribution is larger than {limit} bytes")]
    MemberTooLarge {
        /// The member.
        member: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// A metadata file inside an sdist is present but invalid.
    #[error("invalid `{member}` in the source distribution")]
    InMember {
        /// The member, e.g. `foo-1.0/PKG-INFO`.
        member: String,
        /// What is wrong with it.
        #[source]
        source: Box<MetadataError>,
    },
    /// A field of `pyproject.toml`'s `[project]` table has the wrong type.
    #[error("`{field}` must be {expected}")]
    InvalidProjectField {
        /// The field, e.g. `project.version`.
        field: String,
        /// What it must be, e.g. `a string`.
        expected: &'static str,
    },
    /// A `pyproject.toml` whose `[build-system]` table cannot be used.
    #[error("invalid `pyproject.toml`: {reason}")]
    InvalidPyproject {
        /// What is wrong, naming the field (and the requirement, for a bad one).
        reason: String,
    },
    /// A source tree's metadata can only be known by running its build backend.
    #[error("`{}` needs a build to tell its metadata: {cause}", directory.display())]
    NeedsBuild {
        /// The source tree.
        directory: PathBuf,
        /// The project's name, when its files tell it statically.
        name: Option<PackageName>,
        /// Why a build is needed.
        cause: NeedsBuildCause,
    },
    /// A directory with none of the files a build reads.
    #[error(
        "`{}` has no `pyproject.toml`, `setup.py`, `setup.cfg` or `PKG-INFO`",
        directory.display()
    )]
    NotASourceTree {
        /// The directory.
        directory: PathBuf,
    },
    /// A file of a source tree could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A `setup.cfg` given as an input reads its requirements from elsewhere.
    #[error("{reason}")]
    NotStatic {
        /// Which field, and the directive.
        reason: String,
    },
    /// The sdist's dependencies can only be known by running its build backend.
    #[error(
        "{name} {version} has only a source distribution, and its dependencies are not \
         declared statically; pinwheel never runs builds, so pin {name} to a version that has \
         a wheel, or pass `--only-binary {name}`"
    )]
    Dynamic {
        /// The package.
        name: PackageName,
        /// The version.
        version: Version,
    },
}

/// Why a source tree's metadata can only be known by building it.
#[derive(Debug, thiserror::Error)]
pub enum NeedsBuildCause {
    /// A field of `pyproject.toml`'s `[project]`, `setup.cfg`'s `[metadata]` or the
    /// `setup()` call is computed by the build.
    #[error("`{field}` in `{}` is dynamic", file.display())]
    DynamicField {
        /// The file that declares it so.
        file: PathBuf,
        /// The field, e.g. `project.dependencies` or `metadata.version`.
        field: String,
    },
    /// No file declares the metadata statically; the phrase says why.
    #[error("{0}")]
    NotStatic(String),
}

/// A zip archive (wheel or zip sdist) that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    /// No end-of-central-directory record in the bytes given.
    #[error("no zip end-of-central-directory record found (not a zip file, or truncated)")]
    NoEndOfCentralDirectory,
    /// The archive spans several disks, which wheels never do.
    #[error("multi-disk zip archives are not supported")]
    MultiDisk,
    /// The bytes given do not cover a range the reader needs. With a partial file this means
    /// "fetch this range"; with a whole file it means the file is truncated.
    #[error("bytes {start}..{end} of the zip archive are needed but were not given")]
    Incomplete {
        /// First byte needed.
        start: u64,
        /// One past the last byte needed.
        end: u64,
    },
    /// A structure points outside the file.
    #[error("the zip {what} at bytes {start}..{end} lies outside the {file_len}-byte file")]
    OutOfRange {
        /// Which structure.
        what: &'static str,
        /// First byte.
        start: u64,
        /// One past the last byte.
        end: u64,
        /// The file's length.
        file_len: u64,
    },
    /// A record does not start with its signature.
    #[error("bad zip {what} signature at byte {offset}")]
    BadSignature {
        /// Which record.
        what: &'static str,
        /// Where it was expected.
        offset: u64,
    },
    /// A record is cut short.
    #[error("truncated zip {what}")]
    Truncated {
        /// Which record.
        what: &'static str,
    },
    /// An entry uses a compression method other than stored or deflate.
    #[error("zip entry `{name}` uses unsupported compression method {method}")]
    UnsupportedCompression {
        /// The entry.
        name: String,
        /// The method number.
        method: u16,
    },
    /// An entry is encrypted.
    #[error("zip entry `{name}` is encrypted")]
    Encrypted {
        /// The entry.
        name: String,
    },
    /// An entry would inflate to more than pinwheel reads.
    #[error("zip entry `{name}` is {size} bytes, more than the {limit}-byte limit")]
    TooLarge {
        /// The entry.
        name: String,
        /// Its declared (or actual) uncompressed size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// An entry's data does not match its declared size.
    #[error("zip entry `{name}` is {actual} bytes uncompressed but declares {expected}")]
    SizeMismatch {
        /// The entry.
        name: String,
        /// The size the central directory declares.
        expected: u64,
        /// The size found.
        actual: u64,
    },
    /// An entry's data does not match its CRC-32.
    #[error("zip entry `{name}` fails its CRC-32 check")]
    CrcMismatch {
        /// The entry.
        name: String,
    },
    /// Two members have the same name: zip readers disagree on which of them counts.
    #[error(
        "the zip archive has two members named `{name}`, which zip readers resolve differently"
    )]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// A member's local header contradicts the central directory, so two zip readers (one
    /// reading the directory, one streaming local headers) would see different files.
    #[error(
        "zip entry `{name}`: its local header gives another {field} than the central directory"
    )]
    LocalHeaderMismatch {
        /// The member, as the central directory names it.
        name: String,
        /// What differs: `name`, `compression method`, `CRC-32` or `size`.
        field: &'static str,
    },
    /// Deflate data is corrupt.
    #[error("cannot inflate zip entry `{name}`")]
    Inflate {
        /// The entry.
        name: String,
        /// The decoder's error.
        #[source]
        source: std::io::Error,
    },
    /// The wheel has no top-level `*.dist-info/METADATA`.
    #[error("the wheel of {name} {version} has no `.dist-info/METADATA` file")]
    NoMetadata {
        /// The package.
        name: PackageName,
        /// The version.
        version: Version,
    },
    /// Several `.dist-info/METADATA` files, none named after the package and version.
    #[error("the wheel of {name} {version} has several `.dist-info` directories: {candidates}")]
    AmbiguousMetadata {
        /// The package.
        name: PackageName,
        /// The version.
        version: Version,
        /// The directories found, comma-separated.
        candidates: String,
    },
}
