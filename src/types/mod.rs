//! Plain data shared by every other module: normalised names, file names, digests and the
//! records an index gives for each file.
//!
//! This module owns no IO and depends on nothing inside pinwheel. Names are normalised once,
//! at construction (PEP 503), so comparing two `PackageName`s is always meaningful.

mod digest;
mod file_url;
mod filename;
mod index_file;
mod packed;
mod pep508_guard;
mod publisher;
mod redacted;
mod urgency;

pub use digest::{DigestError, Sha256Digest, Sha256Hasher, encode_hex};
pub use file_url::{FileUrl, InvalidFileUrl};
pub use filename::{
    DistFilename, FilenameError, SdistFilename, SdistFormat, WheelFilename, WheelTag,
    filename_from_url,
};
pub use index_file::{FileOrigin, IndexFile, MetadataAvailability, ProjectFiles, Yanked};
pub use packed::{BlockSource, PackError, PackedProject};
pub use pep440_rs::{Version, VersionSpecifier, VersionSpecifiers};
pub use pep508_guard::{MAX_NESTING, UnsafeText, check_marker, check_requirement};
pub use pep508_rs::{ExtraName, PackageName};
pub use publisher::{ATTESTED_PREFIX, Publisher, PublisherSyntaxError};
pub use redacted::RedactedUrl;
pub use urgency::Urgency;
