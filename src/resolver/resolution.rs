//! The result of a resolution: one pin per project, with what the writer needs.

use std::collections::BTreeSet;
use std::fmt;

use url::Url;

use crate::inputs::{LocalRequirement, Origin};
use crate::types::{
    ExtraName, IndexFile, PackageName, Publisher, RedactedUrl, Sha256Digest, Version,
};

/// A resolved set of pins, sorted by name.
#[derive(Clone, Debug, Default)]
pub struct Resolution {
    /// The pins, sorted by normalised name.
    pub pins: Vec<Pin>,
    /// Every dependency edge of the graph with the requirement that made it, in pin order
    /// (input lines first).
    pub edges: Vec<Edge>,
    /// The markers of a universal resolution's forks, in the order they were solved (none for
    /// an exact target): written into the lock so that a re-lock starts from the same forks.
    pub forks: Vec<String>,
}

/// One dependency edge: `from` required `to` with `requirement`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edge {
    /// Who asked.
    pub from: EdgeFrom,
    /// The pinned project asked for.
    pub to: PackageName,
    /// The requirement, e.g. `urllib3<3,>=1.21.1`.
    pub requirement: EdgeRequirement,
}

/// What an [`Edge`] asked for; its `Display` is the requirement as written (PEP 508).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum EdgeRequirement {
    /// An input line's requirement, as the file has it.
    Written(String),
    /// A `Requires-Dist` entry of the asking package, printed only when a writer shows it: a
    /// universal resolution lists the edges of every fork, and formatting each of them was a
    /// tenth of the solver thread's work.
    Declared(pep508_rs::Requirement),
}

impl fmt::Display for EdgeRequirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Written(text) => f.write_str(text),
            Self::Declared(requirement) => requirement.fmt(f),
        }
    }
}

/// The asking side of an [`Edge`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum EdgeFrom {
    /// An input line (requirement or constraint).
    Input(Origin),
    /// A pinned project's metadata.
    Package {
        /// The project.
        name: PackageName,
        /// Its pinned version.
        version: Version,
    },
}

/// One resolved project.
#[derive(Clone, Debug)]
pub struct Pin {
    /// The project.
    pub name: PackageName,
    /// The chosen version.
    pub version: Version,
    /// Extras that were requested of it anywhere in the graph.
    pub extras: BTreeSet<ExtraName>,
    /// Where it comes from.
    pub source: PinSource,
    /// The sha256 of every file of this version (all platforms, sdist included) that the index
    /// listed with one, sorted.
    pub hashes: Vec<Sha256Digest>,
    /// Files of this version the index listed without a sha256: their digests can only come
    /// from the files themselves (or an existing lock), which the caller fetches when it needs
    /// hashes.
    pub unhashed_files: Vec<IndexFile>,
    /// The file the target would install (`None` for local projects and direct URLs, whose
    /// file is the URL).
    pub file: Option<IndexFile>,
    /// Every file of this version left after `--exclude-newer` (all platforms, the sdist
    /// included), as the index listed them: what a lock that names files (`pylock.toml`)
    /// writes.
    pub files: Vec<IndexFile>,
    /// Projects that depend on it.
    pub dependents: BTreeSet<PackageName>,
    /// The input lines that name it: requirements and constraints.
    pub origins: BTreeSet<Origin>,
    /// The markers of the top-level lines that required it, in the user's spelling (pip-compile
    /// copies them onto the pin).
    pub markers: Vec<String>,
    /// The Trusted Publishers whose PEP 740 attestations for this version's files were
    /// verified (`--verify-attestations`), sorted; empty when none were, or none were asked.
    pub attestations: Vec<Publisher>,
}

/// Where a pin's files come from.
#[derive(Clone, Debug)]
pub enum PinSource {
    /// The files of an index or of find-links locations.
    Registry {
        /// Where the file the target would install was listed: the index, or the find-links
        /// page or directory (`--emit-index-annotation` writes it). `None` only if the version
        /// had no file at all, which a resolution never chooses.
        listed_by: Option<RedactedUrl>,
    },
    /// A direct URL requirement, written back as `name @ url`.
    Url(Url),
    /// A local project directory or distribution file (`-e ./pkg`, `./dist/foo-1.0.tar.gz`).
    Local {
        /// Its absolute `file://` URL.
        url: Url,
        /// How the user named it.
        local: LocalRequirement,
    },
}
