//! Static metadata of a source distribution: what its files say about its dependencies
//! without running its build backend. `source_tree` makes the same choice over a directory's
//! files (`Source::Tree`), with the differences its documentation lists.
//!
//! Sources, in order of trust:
//! 1. `<dir>/PKG-INFO` with `Metadata-Version` ≥ 2.2 that does not list `Requires-Dist` or
//!    `Provides-Extra` as `Dynamic` (PEP 643: the build will produce exactly these);
//! 2. `<dir>/pyproject.toml` with a `[project]` table whose `dependencies` and
//!    `optional-dependencies` are not `dynamic` (PEP 621);
//! 3. `<dir>/PKG-INFO` ≥ 2.1 when `pyproject.toml` names poetry-core's or flit_core's backend:
//!    those compute the wheel's dependencies from static tables only and write the same ones
//!    into `PKG-INFO` (see `pyproject::Backend`);
//! 4. for a project setuptools builds (no `pyproject.toml`, or one naming setuptools' backend
//!    and without `[project]`), `<dir>/setup.py`'s `setup()` call when its dependency keywords
//!    are literals, together with `<dir>/setup.cfg`'s `[options]` (see `setup_py` for exactly
//!    what is accepted). When the top-level `PKG-INFO` lists `Requires-Dist`, it must agree.
//!    This is what a build runs, so it comes before:
//! 5. `<dir>/*.egg-info/requires.txt` (or one level down, e.g. `<dir>/src/` or `<dir>/lib/`),
//!    what setuptools recorded when the sdist was made. It is a record of the sdist author's
//!    build: when setup.py computes the list from its environment, a build elsewhere can
//!    differ (datadog 0.15.0 recorded Python 2's `simplejson>=2.0.9`; matplotlib 3.6.1
//!    recorded `setuptools_scm`, which setup.py adds only in a git checkout). pinwheel takes
//!    the record over refusing the version, and says so in its debug log.
//!
//! Otherwise the dependencies are unknowable without a build and [`MetadataError::Dynamic`]
//! (for a source tree, [`MetadataError::NeedsBuild`]) says so. This file
//! reads archives (tar.gz, zip; from memory, or a tar.gz streamed from disk) and picks a source; the formats themselves are
//! parsed by `core`, `pyproject`, `egg_info`, `setup_py` and `setup_cfg`.

use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use flate2::read::GzDecoder;

use super::core::{
    Headers, parse_core_metadata, parse_name, parse_requires_python_lenient, parse_version,
};
use super::egg_info::{EggRequires, parse_requires_txt};
use super::pyproject::{Backend, build_backend, static_project};
use super::setup_cfg::read_setup_cfg;
use super::setup_py::read_setup_py;
use super::setuptools::{NotStatic, SetuptoolsDeclaration};
use super::source_tree::{tree_identity, tree_project};
use super::zipfile::{Chunks, MAX_ENTRY_SIZE, locate, parse_central_directory, read_entry};
use super::{CoreMetadata, MetadataError, NeedsBuildCause, ZipError};
use crate::types::{PackageName, SdistFilename, SdistFormat, Version, VersionSpecifiers};

/// A metadata-bearing file found in the archive (or in a source tree, see `source_tree`).
#[derive(Debug)]
pub(super) struct Member {
    /// The path as stored, for messages.
    pub(super) path: String,
    /// The path's components, without `.` and empty ones.
    pub(super) parts: Vec<String>,
    pub(super) bytes: Vec<u8>,
}

/// What a `PKG-INFO` tells reliably even when its dependencies are not static.
#[derive(Clone, Debug, Default)]
pub(super) struct PkgInfoFacts {
    pub(super) name: Option<PackageName>,
    pub(super) version: Option<Version>,
    pub(super) requires_python: Option<VersionSpecifiers>,
    pub(super) metadata_version: String,
}

/// What the members were read from.
#[derive(Clone, Copy, Debug)]
pub(super) enum Source<'a> {
    /// An sdist: its file name tells the name and version when no file does.
    Sdist(&'a SdistFilename),
    /// A source tree on disk (`source_tree`): only its files can tell, and a stale
    /// `.egg-info` of an earlier build in it is no record of the tree as it is now.
    Tree(&'a Path),
}

impl Source<'_> {
    /// The error for "only a build can tell", with the reason for debug logs (an sdist) or
    /// for the user (a source tree).
    fn not_static(self, reason: String) -> MetadataError {
        match self {
            Self::Sdist(filename) => {
                tracing::debug!("{} {}: {reason}", filename.name, filename.version);
                dynamic(filename)
            }
            Self::Tree(directory) => MetadataError::NeedsBuild {
                directory: directory.to_path_buf(),
                name: None,
                cause: NeedsBuildCause::NotStatic(reason),
            },
        }
    }
}

impl std::fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sdist(filename) => write!(f, "{} {}", filename.name, filename.version),
            Self::Tree(directory) => write!(f, "{}", directory.display()),
        }
    }
}

impl PkgInfoFacts {
    pub(super) fn read(member: Option<&Member>) -> Result<Self, MetadataError> {
        let Some(member) = member else {
            return Ok(Self::default());
        };
        let headers = Headers::parse(&member.bytes);
        let facts = || -> Result<Self, MetadataError> {
            Ok(Self {
                name: headers.first("Name").map(parse_name).transpose()?,
                version: headers.first("Version").map(parse_version).transpose()?,
                requires_python: headers
                    .first("Requires-Python")
                    .and_then(parse_requires_python_lenient),
                metadata_version: headers
                    .first("Metadata-Version")
                    .unwrap_or_default()
                    .to_string(),
            })
        };
        facts().map_err(within(member))
    }
}

/// Reads the dependencies of an sdist from its static metadata.
///
/// # Errors
/// [`MetadataError::Dynamic`] when no static source is usable; an archive error when the file
/// cannot be read; a parse error (wrapped in [`MetadataError::InMember`]) when the chosen
/// source is invalid.
pub fn sdist_static_metadata(
    bytes: &[u8],
    filename: &SdistFilename,
) -> Result<CoreMetadata, MetadataError> {
    let members = match filename.format {
        SdistFormat::TarGz => read_tar_gz(bytes)?,
        SdistFormat::Zip => read_zip(bytes)?,
    };
    static_metadata_of(members, Source::Sdist(filename))
}

/// [`sdist_static_metadata`] of the sdist stored at `path`. A tar.gz is read as a stream, so
/// that however large the sdist, only its metadata-bearing files are held in memory.
///
/// # Errors
/// As [`sdist_static_metadata`], and an archive error when `path` cannot be read.
pub fn sdist_static_metadata_at(
    path: &Path,
    filename: &SdistFilename,
) -> Result<CoreMetadata, MetadataError> {
    let unreadable = |source| MetadataError::Archive {
        member: "the archive".into(),
        source,
    };
    let members = match filename.format {
        SdistFormat::TarGz => {
            let file = std::fs::File::open(path).map_err(unreadable)?;
            read_tar_gz(std::io::BufReader::new(file))?
        }
        SdistFormat::Zip => read_zip(&std::fs::read(path).map_err(unreadable)?)?,
    };
    static_metadata_of(members, Source::Sdist(filename))
}

/// Picks the static source among an archive's (or a source tree's) metadata-bearing
/// `members`.
pub(super) fn static_metadata_of(
    mut members: Vec<Member>,
    source: Source<'_>,
) -> Result<CoreMetadata, MetadataError> {
    let Some(top) = top_directory(&members) else {
        return Err(source.not_static("it has no metadata files".to_string()));
    };
    members.retain(|member| member.parts[0] == top);
    let pkg_info = find(&members, &["PKG-INFO"]);

    if let Some(member) =
        pkg_info.filter(|member| is_static_pkg_info(&Headers::parse(&member.bytes)))
    {
        tracing::debug!("{source}: static metadata from `{}`", member.path);
        return parse_core_metadata(&member.bytes).map_err(within(member));
    }
    let facts = PkgInfoFacts::read(pkg_info)?;

    if let Some(member) = pkg_info
        && let Some(pyproject) = find(&members, &["pyproject.toml"])
        && build_backend(&pyproject.bytes) == Backend::StaticPkgInfo
        && Version::from_str(&facts.metadata_version)
            .is_ok_and(|version| version >= Version::new([2, 1]))
    {
        tracing::debug!(
            "{source}: static metadata from `{}`, written by the backend `{}` names",
            member.path,
            pyproject.path
        );
        return parse_core_metadata(&member.bytes).map_err(within(member));
    }

    if let Source::Tree(directory) = source
        && let Some(member) = find(&members, &["pyproject.toml"])
        && let Some(outcome) = tree_project(member, &facts, directory)
    {
        return outcome;
    }
    if let Source::Sdist(filename) = source
        && let Some(member) = find(&members, &["pyproject.toml"])
        && let Some(project) = static_project(&member.bytes).map_err(within(member))?
    {
        tracing::debug!("{source}: static metadata from `{}`", member.path);
        return Ok(CoreMetadata {
            name: project.name,
            version: project.version.unwrap_or_else(|| filename.version.clone()),
            requires_dist: project.requires_dist,
            requires_python: project.requires_python.or(facts.requires_python),
            provides_extra: project.provides_extra,
            dynamic: Vec::new(),
            metadata_version: facts.metadata_version,
            repairs: Vec::new(),
        });
    }

    let from_setup_files = from_setuptools_files(&members, pkg_info, facts.clone(), source)?;
    let egg_info = match source {
        Source::Sdist(filename) => {
            egg_info_directory(&members, &filename.name).map(|directory| (filename, directory))
        }
        Source::Tree(_) => None,
    };
    match (from_setup_files, egg_info) {
        // A build runs setup.py again and rewrites the egg-info, so what setup.py declares
        // literally wins over what the egg-info recorded when the sdist was made.
        (Ok(metadata), _) => Ok(metadata),
        (Err(NotStatic(reason)), Some((filename, directory))) => {
            tracing::debug!(
                "{source}: {reason}; trusting `{directory}`, which recorded what it computed \
                 when the sdist was made"
            );
            from_egg_info(&members, &directory, facts, filename)
        }
        (Err(NotStatic(reason)), None) => Err(source.not_static(reason)),
    }
}

/// Metadata from what a setuptools build would read: `setup.py`'s `setup()` call and
/// `setup.cfg`. The outer error is an invalid value (the build would fail); the inner one says
/// why the files cannot be read statically.
fn from_setuptools_files(
    members: &[Member],
    pkg_info: Option<&Member>,
    facts: PkgInfoFacts,
    source: Source<'_>,
) -> Result<Result<CoreMetadata, NotStatic>, MetadataError> {
    let pyproject = find(members, &["pyproject.toml"]);
    if pyproject.is_some_and(|member| build_backend(&member.bytes) != Backend::Setuptools) {
        return Ok(Err(NotStatic(
            "pyproject.toml names a build backend other than setuptools".to_string(),
        )));
    }
    let setup_py = find(members, &["setup.py"]);
    let setup_cfg = find(members, &["setup.cfg"]);
    // Without `setup.py`, setuptools only builds an sdist when `pyproject.toml` asks for it;
    // a tree's `setup.cfg` alone is what `pip install ./tree` builds (setuptools supplies an
    // empty `setup.py`).
    let buildable = match source {
        Source::Sdist(_) => setup_py.is_some() || (pyproject.is_some() && setup_cfg.is_some()),
        Source::Tree(_) => setup_py.is_some() || setup_cfg.is_some(),
    };
    if !buildable {
        return Ok(Err(NotStatic("there is no setup.py".to_string())));
    }
    let read = |member: Option<&Member>,
                reader: fn(&[u8]) -> Result<SetuptoolsDeclaration, NotStatic>| {
        member.map_or_else(
            || Ok(SetuptoolsDeclaration::default()),
            |member| reader(&member.bytes),
        )
    };
    let declaration = match read(setup_py, read_setup_py)
        .and_then(|from_py| from_py.merge(read(setup_cfg, read_setup_cfg)?))
    {
        Ok(declaration) => declaration,
        Err(not_static) => return Ok(Err(not_static)),
    };
    let origin = setup_py
        .or(setup_cfg)
        .map_or("setup.py", |member| member.path.as_str());
    let parsed = declaration
        .parse()
        .map_err(|source_error| MetadataError::InMember {
            member: origin.to_string(),
            source: Box::new(source_error),
        })?;
    if let Some(member) = pkg_info
        && let Some(disagreement) = pkg_info_disagrees(member, &parsed.requires_dist)
    {
        return Ok(Err(NotStatic(disagreement)));
    }
    let (name, version) = match source {
        Source::Sdist(filename) => (
            facts.name.unwrap_or_else(|| filename.name.clone()),
            facts.version.unwrap_or_else(|| filename.version.clone()),
        ),
        Source::Tree(directory) => {
            tree_identity(&declaration, &facts, setup_py, setup_cfg, directory)?
        }
    };
    tracing::debug!("{source}: static metadata from `{origin}`");
    Ok(Ok(CoreMetadata {
        name,
        version,
        requires_dist: parsed.requires_dist,
        requires_python: parsed.requires_python.or(facts.requires_python),
        provides_extra: parsed.provides_extra,
        dynamic: Vec::new(),
        metadata_version: facts.metadata_version,
        repairs: Vec::new(),
    }))
}

/// When `PKG-INFO` lists `Requires-Dist` (Metadata 1.2+ written by a newer setuptools, or by
/// another tool) and they are not the ones read from the setup files: why not to trust either.
fn pkg_info_disagrees(
    member: &Member,
    requires_dist: &[pep508_rs::Requirement<pep508_rs::VerbatimUrl>],
) -> Option<String> {
    let headers = Headers::parse(&member.bytes);
    let listed: Vec<&str> = headers.all("Requires-Dist").collect();
    if listed.is_empty() {
        return None;
    }
    let mut theirs: Vec<String> = Vec::new();
    for line in listed {
        match super::core::parse_requirement(line) {
            Ok(requirement) => theirs.push(requirement.to_string()),
            Err(_) => {
                return Some(format!(
                    "`{}` lists an invalid `Requires-Dist`",
                    member.path
                ));
            }
        }
    }
    let mut ours: Vec<String> = requires_dist.iter().map(ToString::to_string).collect();
    theirs.sort();
    ours.sort();
    (theirs != ours).then(|| {
        format!(
            "`{}` lists other `Requires-Dist` than the setup files declare",
            member.path
        )
    })
}

/// Metadata from `<top>/<directory>` (an `.egg-info` holding `requires.txt`, `PKG-INFO` or
/// both), with name, version and `Requires-Python` from its `PKG-INFO`, else from the
/// top-level one (`facts`), else from the file name.
fn from_egg_info(
    members: &[Member],
    directory: &str,
    facts: PkgInfoFacts,
    filename: &SdistFilename,
) -> Result<CoreMetadata, MetadataError> {
    tracing::debug!("{}: static metadata from `{directory}`", filename.name);
    // setuptools writes requires.txt only when there are requirements: its absence from an
    // egg-info that has a PKG-INFO means there are none.
    let parsed = match find(members, &[directory, "requires.txt"]) {
        Some(member) => parse_requires_txt(&member.bytes).map_err(within(member))?,
        None => EggRequires::default(),
    };
    let facts = match find(members, &[directory, "PKG-INFO"]) {
        Some(member) => PkgInfoFacts::read(Some(member))?,
        None => facts,
    };
    Ok(CoreMetadata {
        name: facts.name.unwrap_or_else(|| filename.name.clone()),
        version: facts.version.unwrap_or_else(|| filename.version.clone()),
        requires_dist: parsed.requirements,
        requires_python: facts.requires_python,
        provides_extra: parsed.extras,
        dynamic: Vec::new(),
        metadata_version: facts.metadata_version,
        repairs: Vec::new(),
    })
}

/// The member at `path` below the top directory.
pub(super) fn find<'a>(members: &'a [Member], path: &[&str]) -> Option<&'a Member> {
    members.iter().find(|member| {
        member.parts[1..]
            .iter()
            .map(String::as_str)
            .eq(path.iter().flat_map(|part| part.split('/')))
    })
}

fn dynamic(filename: &SdistFilename) -> MetadataError {
    MetadataError::Dynamic {
        name: filename.name.clone(),
        version: filename.version.clone(),
    }
}

/// Wraps an error in the member it came from.
pub(super) fn within(member: &Member) -> impl Fn(MetadataError) -> MetadataError + '_ {
    move |error| MetadataError::InMember {
        member: member.path.clone(),
        source: Box::new(error),
    }
}

/// Metadata 2.2+ whose dependency fields are not dynamic.
fn is_static_pkg_info(headers: &Headers) -> bool {
    let recent = headers
        .first("Metadata-Version")
        .and_then(|version| Version::from_str(version).ok())
        .is_some_and(|version| version >= Version::new([2, 2]));
    let dynamic = |field: &str| {
        headers
            .all("Dynamic")
            .any(|value| value.eq_ignore_ascii_case(field))
    };
    recent && !dynamic("Requires-Dist") && !dynamic("Provides-Extra")
}

/// The sdist's top-level directory: the one holding `PKG-INFO`, else `pyproject.toml`.
fn top_directory(members: &[Member]) -> Option<String> {
    ["PKG-INFO", "pyproject.toml"]
        .iter()
        .find_map(|file| {
            members
                .iter()
                .find(|member| member.parts.len() == 2 && member.parts[1] == *file)
                .map(|member| member.parts[0].clone())
        })
        .or_else(|| members.first().map(|member| member.parts[0].clone()))
}

/// The `.egg-info` directory to use, relative to the top directory: one named after the
/// package, directly in it or one level down (`src/`, `lib/`: wherever `package_dir` put it),
/// else the only one directly in it or in `src/`. An unrelated one deeper down may belong to a
/// vendored project, so it is never taken for the package's own.
fn egg_info_directory(members: &[Member], name: &PackageName) -> Option<String> {
    let mut directories: Vec<String> = Vec::new();
    for member in members.iter().filter(|member| member.parts.len() >= 3) {
        let directory = member.parts[1..member.parts.len() - 1].join("/");
        if directory.ends_with(".egg-info") && !directories.contains(&directory) {
            directories.push(directory);
        }
    }
    let stem = |directory: &str| {
        directory
            .rsplit('/')
            .next()
            .unwrap_or(directory)
            .trim_end_matches(".egg-info")
            .to_string()
    };
    let named = directories
        .iter()
        .find(|directory| PackageName::from_str(&stem(directory)).is_ok_and(|stem| &stem == name));
    let shallow: Vec<&String> = directories
        .iter()
        .filter(|directory| !directory.contains('/') || directory.starts_with("src/"))
        .collect();
    match (named, shallow.as_slice()) {
        (Some(directory), _) => Some(directory.clone()),
        (None, [only]) if directories.len() == 1 => Some((*only).clone()),
        _ => None,
    }
}

/// The components of a member path if it is one of the files sources come from.
fn relevant(path: &str) -> Option<Vec<String>> {
    let parts: Vec<String> = path
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .map(str::to_string)
        .collect();
    let is_egg_file = |directory: &str, file: &str| {
        directory.ends_with(".egg-info") && (file == "PKG-INFO" || file == "requires.txt")
    };
    let keep = match parts
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [_, "PKG-INFO" | "pyproject.toml" | "setup.py" | "setup.cfg"] => true,
        [_, directory, file] | [_, _, directory, file] => is_egg_file(directory, file),
        _ => false,
    };
    keep.then_some(parts)
}

fn read_tar_gz(compressed: impl Read) -> Result<Vec<Member>, MetadataError> {
    let archive_error = |source| MetadataError::Archive {
        member: "the archive".into(),
        source,
    };
    let mut archive = tar::Archive::new(GzDecoder::new(compressed));
    let mut members = Vec::new();
    for entry in archive.entries().map_err(archive_error)? {
        let mut entry = entry.map_err(archive_error)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(parts) = relevant(&path) else {
            continue;
        };
        if entry.size() > MAX_ENTRY_SIZE {
            return Err(MetadataError::MemberTooLarge {
                member: path,
                limit: MAX_ENTRY_SIZE,
            });
        }
        let mut contents = Vec::new();
        // The header's size was checked; `take` guards against a lying one.
        (&mut entry)
            .take(MAX_ENTRY_SIZE)
            .read_to_end(&mut contents)
            .map_err(|source| MetadataError::Archive {
                member: path.clone(),
                source,
            })?;
        members.push(Member {
            path,
            parts,
            bytes: contents,
        });
    }
    Ok(members)
}

fn read_zip(bytes: &[u8]) -> Result<Vec<Member>, MetadataError> {
    let chunks = Chunks::whole(bytes);
    let location = locate(&chunks).map_err(MetadataError::Zip)?;
    let directory = chunks
        .get("central directory", location.offset, location.end())
        .map_err(MetadataError::Zip)?;
    let mut members = Vec::new();
    for entry in parse_central_directory(directory).map_err(MetadataError::Zip)? {
        let Some(parts) = relevant(&entry.name) else {
            continue;
        };
        let local = usize::try_from(entry.local_header_offset)
            .ok()
            .and_then(|offset| bytes.get(offset..))
            .ok_or(MetadataError::Zip(ZipError::Truncated {
                what: "local file header",
            }))?;
        let contents = read_entry(local, &entry).map_err(MetadataError::Zip)?;
        members.push(Member {
            path: entry.name,
            parts,
            bytes: contents,
        });
    }
    Ok(members)
}

#[cfg(test)]
mod tests;
