//! What an index says about one project: its files, each with the facts needed to choose one
//! without downloading it.

use jiff::Timestamp;
use pep440_rs::VersionSpecifiers;
use pep508_rs::PackageName;

use super::{DistFilename, FileUrl, RedactedUrl, Sha256Digest};

/// Whether a file was yanked (PEP 592), with the reason when the index gave one.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Yanked {
    /// Not yanked.
    #[default]
    No,
    /// Yanked; the reason may be empty.
    Yes(String),
}

impl Yanked {
    /// Whether the file is yanked.
    #[must_use]
    pub fn is_yanked(&self) -> bool {
        matches!(self, Self::Yes(_))
    }
}

/// Whether the index advertises a PEP 658/714 metadata file next to the distribution.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum MetadataAvailability {
    /// Advertised, with the metadata file's own digest when given.
    Advertised(Option<Sha256Digest>),
    /// Not advertised: the file may still exist (this machine's PyPI mirror has many), so it
    /// can be probed.
    #[default]
    NotAdvertised,
}

/// Where a file was found.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FileOrigin {
    /// A package index's project page; the URL is the index's, as configured (`--index-url`,
    /// `--extra-index-url`).
    Index(RedactedUrl),
    /// A `--find-links` HTML page, or a directory (as a `file://` URL).
    FindLinks(RedactedUrl),
    /// The URL of a direct requirement (`name @ url`).
    DirectUrl,
}

impl FileOrigin {
    /// The index or find-links location that listed the file; none for a direct URL.
    #[must_use]
    pub fn listing(&self) -> Option<&RedactedUrl> {
        match self {
            Self::Index(url) | Self::FindLinks(url) => Some(url),
            Self::DirectUrl => None,
        }
    }
}

/// One distribution file listed on an index page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexFile {
    /// The file name as listed.
    pub filename: String,
    /// The parsed file name.
    pub dist: DistFilename,
    /// Where to download it from (absolute, fragment removed).
    pub url: FileUrl,
    /// The sha256 the index gives, if any.
    pub sha256: Option<Sha256Digest>,
    /// `Requires-Python` as the index reports it (`data-requires-python` / `requires-python`).
    pub requires_python: Option<VersionSpecifiers>,
    /// Yanked status.
    pub yanked: Yanked,
    /// Upload time, when the index reports it (PEP 700).
    pub upload_time: Option<Timestamp>,
    /// PEP 658 metadata availability.
    pub metadata: MetadataAvailability,
    /// Size in bytes, when the index reports it.
    pub size: Option<u64>,
    /// Where it was listed.
    pub origin: FileOrigin,
    /// Where the index serves the file's PEP 740 provenance (`provenance` in PEP 691 JSON,
    /// `data-provenance` in HTML); `None` when it serves none.
    pub provenance: Option<FileUrl>,
}

/// All files an index lists for one project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectFiles {
    /// The project.
    pub name: PackageName,
    /// Its files, in the order the index listed them.
    pub files: Vec<IndexFile>,
}

impl ProjectFiles {
    /// A project with no files: what an index that does not know the name answers.
    #[must_use]
    pub fn empty(name: PackageName) -> Self {
        Self {
            name,
            files: Vec::new(),
        }
    }
}

#[cfg(test)]
impl IndexFile {
    /// A file of `project` that `index` lists under `files/`, with nothing else known: what
    /// tests of code that only groups, packs or ranks files need.
    pub(crate) fn listed_for_tests(project: &PackageName, filename: &str, index: &str) -> Self {
        let url = url::Url::parse(index).expect("a test index URL");
        Self {
            filename: filename.to_string(),
            dist: DistFilename::parse(filename, project).expect("a test file name"),
            url: url
                .join(&format!("files/{filename}"))
                .expect("a test file URL")
                .into(),
            sha256: None,
            requires_python: None,
            yanked: Yanked::No,
            upload_time: None,
            metadata: MetadataAvailability::NotAdvertised,
            size: None,
            provenance: None,
            origin: FileOrigin::Index(RedactedUrl::new(url)),
        }
    }
}
