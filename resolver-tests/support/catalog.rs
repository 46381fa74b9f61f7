//! The built contents of a test index: every distribution file's bytes and hashes, grouped by
//! project, computed once when the server starts.
//!
//! It must not render pages or speak HTTP; it only turns `TestPackage`s into bytes and answers
//! look-ups by project name and filename.

use std::collections::BTreeMap;

use axum::body::Bytes;

use super::dist_builder::{build_sdist, build_wheel, sha256_hex, wheel_metadata};
use super::model::{TestFile, TestPackage, normalize_name};

/// One built distribution file.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The file's name, e.g. `foo-1.0-py3-none-any.whl`.
    pub filename: String,
    /// The file's bytes.
    pub bytes: Bytes,
    /// Lowercase hex sha256 of `bytes`.
    pub sha256: String,
    /// For wheels: the METADATA bytes and their sha256 (the PEP 658 `.metadata` file).
    pub metadata: Option<(Bytes, String)>,
    /// Index into `Catalog::packages` of the release this file belongs to.
    pub package: usize,
    /// The PEP 740 provenance object, served as `<filename>.provenance`.
    pub provenance: Option<Bytes>,
}

/// One project: its display name and its files in the order they were described.
#[derive(Debug, Clone, Default)]
pub struct Project {
    /// The name of the first release described, used as the page's `name`.
    pub name: String,
    /// Indexes into `Catalog::packages`, in description order.
    pub packages: Vec<usize>,
    /// Filenames (keys of `Catalog::artifacts`), in description order.
    pub files: Vec<String>,
}

/// Every built file of the index.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// The releases as described.
    pub packages: Vec<TestPackage>,
    /// Built files by filename.
    pub artifacts: BTreeMap<String, Artifact>,
    /// Projects by normalised name.
    pub projects: BTreeMap<String, Project>,
}

impl Catalog {
    /// Builds every file of every release.
    ///
    /// # Panics
    /// If two files end up with the same filename: the description itself is wrong.
    pub fn build(packages: Vec<TestPackage>) -> Catalog {
        let mut catalog = Catalog::default();
        for (index, package) in packages.iter().enumerate() {
            let project = catalog
                .projects
                .entry(package.normalized_name())
                .or_insert_with(|| Project {
                    name: package.name.clone(),
                    ..Project::default()
                });
            project.packages.push(index);
            for file in &package.files {
                let filename = package.filename(file);
                let provenance = match file {
                    TestFile::Published { provenance, .. } => provenance.clone().map(Bytes::from),
                    _ => None,
                };
                let (bytes, metadata) = match file {
                    TestFile::Wheel { tag } => {
                        let metadata = Bytes::from(wheel_metadata(package));
                        let metadata_sha = sha256_hex(&metadata);
                        (build_wheel(package, tag), Some((metadata, metadata_sha)))
                    }
                    TestFile::Sdist(kind) => (build_sdist(package, *kind), None),
                    TestFile::Crafted { bytes, .. } | TestFile::Published { bytes, .. } => {
                        (bytes.clone(), None)
                    }
                };
                let artifact = Artifact {
                    filename: filename.clone(),
                    sha256: sha256_hex(&bytes),
                    bytes: Bytes::from(bytes),
                    metadata,
                    package: index,
                    provenance,
                };
                let previous = catalog.artifacts.insert(filename.clone(), artifact);
                assert!(previous.is_none(), "test index describes {filename} twice");
                project.files.push(filename);
            }
        }
        catalog.packages = packages;
        catalog
    }

    /// The project whose normalised name matches `name` after normalisation.
    pub fn project(&self, name: &str) -> Option<&Project> {
        self.projects.get(&normalize_name(name))
    }
}
