//! Distribution metadata from bytes: `METADATA` of wheels (whole, or from a few HTTP byte
//! ranges), and the static metadata of source distributions.
//!
//! This module only parses (and reads the few metadata files of a source tree it is pointed
//! at). It never fetches anything (callers bring the bytes; [`wheel`] plans which ranges to
//! fetch), never runs Python or a build backend, and never writes files. Anything read from outside is bounded (see [`zipfile::MAX_ENTRY_SIZE`]) and
//! malformed input is an error, never a panic.
//!
//! - [`core`]: `METADATA` / `PKG-INFO` headers → [`CoreMetadata`];
//! - [`wheel`]: finding and reading `*.dist-info/METADATA`, with the range-request planner;
//! - [`zipfile`]: the small zip reader both of those use;
//! - [`repair`]: the known mistakes of published `Requires-Dist` lines, read repaired;
//! - `build_system`: `pyproject.toml`'s `[build-system]` ([`BuildSystem`]), for builds;
//! - [`sdist`]: choosing among `PKG-INFO`, `pyproject.toml`, `.egg-info` and the setuptools
//!   files (`setup_py`, `setup_cfg`, `setuptools`) in an sdist;
//! - `source_tree`: the same choice for a directory (a local project, a git checkout), which
//!   [`source_tree_metadata`] makes, [`MetadataError::NeedsBuild`] meaning only a build can tell;
//! - [`pyproject`]: the one reader of `pyproject.toml`'s `[project]` ([`ProjectTable`]), also
//!   used by `inputs` for project files given as inputs.

mod build_system;
pub mod core;
mod egg_info;
mod error;
pub mod pyproject;
mod python_bounds;
pub mod repair;
pub mod sdist;
mod setup_cfg;
mod setup_py;
mod setuptools;
mod source_tree;
pub mod wheel;
pub mod zipfile;

#[cfg(test)]
pub(crate) mod test_support;

pub use self::core::{CoreMetadata, parse_core_metadata};
pub use build_system::{BuildSystem, build_system};
pub use error::{MetadataError, NeedsBuildCause, ZipError};
pub use pyproject::ProjectTable;
pub use repair::{Repair, RepairKind};
pub use sdist::{sdist_static_metadata, sdist_static_metadata_at};
pub use setup_cfg::{SetupCfgRequirements, setup_cfg_requirements};
// The readers below have no caller outside this module but the fuzzing entry points.
pub(crate) use egg_info::parse_requires_txt;
pub(crate) use setup_cfg::read_setup_cfg;
pub(crate) use setup_py::read_setup_py;
pub(crate) use setuptools::SetuptoolsDeclaration;
pub use source_tree::source_tree_metadata;
pub use wheel::{
    PartialWheel, TAIL_REQUEST_SIZE, TailRead, find_metadata_entry, metadata_from_tail,
    metadata_from_wheel,
};
pub use zipfile::{
    CentralDirectoryLocation, Compression, ZipEntry, locate_central_directory,
    parse_central_directory, read_entry,
};
