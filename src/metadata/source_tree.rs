//! Static metadata of a source tree on disk: a local project directory, a git checkout, an
//! unpacked sdist. It is the sdist reader's choice of source (`sdist::static_metadata_of`),
//! made over the tree's files, with three differences that come from a tree having no file
//! name to fall back on and being a working copy:
//!
//! - name and version must come from the files (`PKG-INFO`, `[project]`, `setup.cfg`'s
//!   `[metadata]`, or literal `name=`/`version=` in `setup()`);
//! - a `[project]` table is authoritative: its dynamic fields mean a build, whatever else the
//!   tree holds, and its errors are the project's errors;
//! - `.egg-info` directories are not read: in a working copy they are left over from an earlier
//!   `pip install -e .` and may describe the tree as it was then, and a build is there to tell
//!   the truth instead.
//!
//! When only a build can tell, the answer is [`MetadataError::NeedsBuild`], whose cause names
//! the dynamic field (and file) or the reason no file is static.

use std::path::{Path, PathBuf};

use super::core::{parse_name, parse_version};
use super::pyproject::ProjectTable;
use super::sdist::{Member, PkgInfoFacts, Source, static_metadata_of, within};
use super::setuptools::{Given, SetuptoolsDeclaration};
use super::zipfile::MAX_ENTRY_SIZE;
use super::{CoreMetadata, MetadataError, NeedsBuildCause};
use crate::types::{PackageName, Version};

/// The files of a tree a build reads its metadata from.
const FILES: [&str; 4] = ["PKG-INFO", "pyproject.toml", "setup.py", "setup.cfg"];

/// Reads the metadata of the project in `directory` without building it.
///
/// # Errors
/// [`MetadataError::NeedsBuild`] when only a build can tell (dynamic fields, a computed
/// `setup()` call); [`MetadataError::NotASourceTree`] when the directory holds none of the
/// files a build reads; [`MetadataError::InMember`] naming the file when a static value is
/// invalid or a required field is missing; [`MetadataError::Read`] when a file cannot be read.
pub fn source_tree_metadata(directory: &Path) -> Result<CoreMetadata, MetadataError> {
    let mut members = Vec::new();
    for file in FILES {
        let path = directory.join(file);
        if let Some(bytes) = read_bounded(&path)? {
            members.push(Member {
                path: path.display().to_string(),
                // `sdist` expects every member below one top directory.
                parts: vec![".".to_string(), file.to_string()],
                bytes,
            });
        }
    }
    if members.is_empty() {
        return Err(MetadataError::NotASourceTree {
            directory: directory.to_path_buf(),
        });
    }
    static_metadata_of(members, Source::Tree(directory))
}

/// The file's bytes, `None` when it does not exist; a file larger than a metadata file ever
/// is (a mistake, or something hostile in a checkout) is refused rather than read.
fn read_bounded(path: &Path) -> Result<Option<Vec<u8>>, MetadataError> {
    let unreadable = |source| MetadataError::Read {
        path: path.to_path_buf(),
        source,
    };
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(unreadable(error)),
    };
    if !metadata.is_file() {
        return Ok(None);
    }
    if metadata.len() > MAX_ENTRY_SIZE {
        return Err(MetadataError::MemberTooLarge {
            member: path.display().to_string(),
            limit: MAX_ENTRY_SIZE,
        });
    }
    std::fs::read(path).map(Some).map_err(unreadable)
}

/// A tree's metadata from `pyproject.toml`'s `[project]`, or `None` when the file has no such
/// table (then the setuptools files decide).
pub(super) fn tree_project(
    member: &Member,
    facts: &PkgInfoFacts,
    directory: &Path,
) -> Option<Result<CoreMetadata, MetadataError>> {
    let text = String::from_utf8_lossy(&member.bytes);
    let project = match toml::from_str::<toml::Table>(&text) {
        Ok(file) => match ProjectTable::from_toml(&file) {
            Ok(Some(project)) => project,
            Ok(None) => return None,
            Err(error) => return Some(Err(within(member)(error))),
        },
        Err(error) => {
            return Some(Err(within(member)(MetadataError::InvalidPyproject {
                reason: error.message().to_string(),
            })));
        }
    };
    tracing::debug!("{}: metadata from `{}`", directory.display(), member.path);
    Some(project_metadata(&project, member, facts, directory))
}

fn project_metadata(
    project: &ProjectTable,
    member: &Member,
    facts: &PkgInfoFacts,
    directory: &Path,
) -> Result<CoreMetadata, MetadataError> {
    let needs_build = |field: String| MetadataError::NeedsBuild {
        directory: directory.to_path_buf(),
        name: project.parsed_name().ok().flatten(),
        cause: NeedsBuildCause::DynamicField {
            file: PathBuf::from(&member.path),
            field,
        },
    };
    if let Some(field) = project.dynamic_requirements() {
        return Err(needs_build(field));
    }
    let in_file = within(member);
    let missing = |field| in_file(MetadataError::MissingField { field });
    let name = project
        .parsed_name()
        .map_err(&in_file)?
        .ok_or_else(|| missing("project.name"))?;
    let Some(version) = project.parsed_version().map_err(&in_file)? else {
        return Err(if project.is_dynamic("version") {
            needs_build("project.version".to_string())
        } else {
            missing("project.version")
        });
    };
    let requires_python = project.parsed_requires_python().map_err(&in_file)?;
    let (requires_dist, provides_extra) = project.requires_dist().map_err(&in_file)?;
    Ok(CoreMetadata {
        name,
        version,
        requires_dist,
        requires_python: requires_python.or_else(|| facts.requires_python.clone()),
        provides_extra,
        dynamic: Vec::new(),
        metadata_version: facts.metadata_version.clone(),
        repairs: Vec::new(),
    })
}

/// The name and version of a tree setuptools builds: from `PKG-INFO` when there is one (an
/// unpacked sdist), else from `setup()`'s literals or `setup.cfg`'s `[metadata]`.
pub(super) fn tree_identity(
    declaration: &SetuptoolsDeclaration,
    facts: &PkgInfoFacts,
    setup_py: Option<&Member>,
    setup_cfg: Option<&Member>,
    directory: &Path,
) -> Result<(PackageName, Version), MetadataError> {
    // A message names `setup.cfg` when there is one (its `[metadata]` is where a static name
    // or version belongs), else `setup.py`.
    let member = setup_cfg.or(setup_py);
    let file_of = |field: &str| {
        let member = if field.starts_with("metadata.") {
            setup_cfg
        } else {
            setup_py
        };
        member.map_or_else(|| directory.join("setup.py"), |m| PathBuf::from(&m.path))
    };
    let given = |given: &Given,
                 field: &'static str,
                 name: Option<PackageName>|
     -> Result<String, MetadataError> {
        match given {
            Given::Literal(text) => Ok(text.clone()),
            Given::Computed(computed) => Err(MetadataError::NeedsBuild {
                directory: directory.to_path_buf(),
                name,
                cause: NeedsBuildCause::DynamicField {
                    file: file_of(computed),
                    field: computed.clone(),
                },
            }),
            Given::Absent => {
                let error = MetadataError::MissingField { field };
                Err(match member {
                    Some(member) => within(member)(error),
                    None => error,
                })
            }
        }
    };
    let in_member = |error| match member {
        Some(member) => within(member)(error),
        None => error,
    };
    let name = match &facts.name {
        Some(name) => name.clone(),
        None => parse_name(&given(&declaration.name, "metadata.name", None)?).map_err(in_member)?,
    };
    let version = match &facts.version {
        Some(version) => version.clone(),
        None => parse_version(&given(
            &declaration.version,
            "metadata.version",
            Some(name.clone()),
        )?)
        .map_err(in_member)?,
    };
    Ok((name, version))
}

#[cfg(test)]
mod tests;
