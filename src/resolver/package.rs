//! The packages PubGrub reasons about.

use std::fmt;

use crate::types::{ExtraName, PackageName};

/// A node of the PubGrub problem.
///
/// Extras are packages of their own (`foo[bar]`), whose every version depends on exactly the same
/// version of the base package plus the extra's own requirements. That keeps `foo` and `foo[bar]`
/// on one version without PubGrub knowing what an extra is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PubGrubPackage {
    /// The user's requirements, as a virtual package at version 0.
    Root,
    /// A project.
    Package(PackageName),
    /// A project with one extra.
    Extra(PackageName, ExtraName),
}

impl PubGrubPackage {
    /// The project this package belongs to (`None` for the root).
    #[must_use]
    pub fn name(&self) -> Option<&PackageName> {
        match self {
            Self::Root => None,
            Self::Package(name) | Self::Extra(name, _) => Some(name),
        }
    }
}

impl fmt::Display for PubGrubPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Root => f.write_str("your requirements"),
            Self::Package(name) => write!(f, "{name}"),
            Self::Extra(name, extra) => write!(f, "{name}[{extra}]"),
        }
    }
}
