//! The result of a resolution: one pin per project, with what the writer needs.

use std::collections::BTreeSet;

use url::Url;

use crate::inputs::Origin;
use crate::types::{ExtraName, PackageName, RedactedUrl, Sha256Digest, Version};

/// A resolved set of pins, sorted by name.
#[derive(Clone, Debug, Default)]
pub struct Resolution {
    /// The pins, sorted by normalised name.
    pub pins: Vec<Pin>,
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
    /// The sha256 of every file of this version (all platforms, sdist included), sorted.
    pub hashes: Vec<Sha256Digest>,
    /// Projects that depend on it.
    pub dependents: BTreeSet<PackageName>,
    /// The input lines that name it: requirements and constraints.
    pub origins: BTreeSet<Origin>,
    /// The markers of the top-level lines that required it, in the user's spelling (pip-compile
    /// copies them onto the pin).
    pub markers: Vec<String>,
}

/// Where a pin's files come from.
#[derive(Clone, Debug, PartialEq, Eq)]
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
}
