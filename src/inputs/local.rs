//! Requirements that name a location: local project directories (`-e ./pkg`, `./pkg[dev]`,
//! `/abs/pkg`, `file:///abs/pkg`, `name @ file:///abs/pkg`), local wheel and sdist files
//! (`./dist/foo-1.0-py3-none-any.whl`), and unnamed URLs (`https://host/foo-1.0.tar.gz`).
//!
//! Every form becomes an ordinary named requirement `name @ url` (the URL absolute), so the
//! resolver treats it like any direct URL; what is local is described beside it by a
//! [`LocalRequirement`]:
//!
//! - a directory is handed to `metadata`'s source-tree reader (through `project.rs`): its
//!   name, version, `Requires-Python`, dependencies and extras when its files declare them
//!   ([`ProjectMetadata::Static`]), else [`ProjectMetadata::NeedsBuild`], which the CLI builds
//!   before resolving (`Manifest::projects_to_build`, `Manifest::set_built`). Until then an
//!   unnamed line whose name is not static carries a provisional one, the directory's name;
//! - a wheel or sdist file is named by its file name; its metadata is read from the archive
//!   later, by the same code that reads downloaded files;
//! - an unnamed URL is named by its file name too.
//!
//! Relative paths are relative to the directory of the requirements file that contains them
//! (as uv does; pip uses the current directory, which makes a file mean different things from
//! different places). They are written back to the lock as the user wrote them.

use std::path::{Component, Path, PathBuf};
use std::str::FromStr as _;

use pep508_rs::{MarkerTree, Requirement, VerbatimUrl, VersionOrUrl};
use url::Url;

use super::parser::parse_requirement;
use super::project::read_local_project;
use super::vcs::{GitRequirement, is_vcs, parse_vcs};
use super::{InputErrorKind, join_relative};
use crate::metadata::CoreMetadata;
use crate::types::{
    DistFilename, ExtraName, PackageName, Version, VersionSpecifiers, filename_from_url,
};

/// A requirement on something on this machine, with what the lock needs to name it again.
#[derive(Clone, Debug)]
pub struct LocalRequirement {
    /// The path or `file:` URL as the user wrote it (`${VAR}`s expanded), without extras or
    /// markers: `./pkg`, `../dist/foo-1.0.tar.gz`, `file:///srv/pkg`.
    pub written: String,
    /// What is there.
    pub target: LocalTarget,
}

/// What a local requirement points at.
#[derive(Clone, Debug)]
pub enum LocalTarget {
    /// A project directory.
    Directory {
        /// The project, read statically or still to be built.
        project: ProjectMetadata,
        /// Installed in editable mode (`-e`).
        editable: bool,
    },
    /// A wheel or sdist file. Only directories can be editable, so an archive never is.
    Archive,
    /// A git repository (`git+…`), fetched by `crate::git` before resolving.
    Git(Box<GitRequirement>),
}

impl LocalRequirement {
    /// Whether the line was `-e …`.
    #[must_use]
    pub fn is_editable(&self) -> bool {
        match &self.target {
            LocalTarget::Directory { editable, .. } => *editable,
            LocalTarget::Git(git) => git.editable,
            LocalTarget::Archive => false,
        }
    }

    /// Whether the user wrote a relative path (not an absolute path, not a `file:` URL).
    #[must_use]
    pub fn is_relative(&self) -> bool {
        !self.written.contains(':') && Path::new(&self.written).is_relative()
    }

    /// The project, for a directory or a fetched git checkout whose metadata is known (read
    /// statically, or filled in by a build).
    #[must_use]
    pub fn project(&self) -> Option<&LocalProject> {
        self.project_metadata().and_then(ProjectMetadata::known)
    }

    /// The project of a directory or a fetched git checkout, known or still to be built.
    #[must_use]
    pub fn project_metadata(&self) -> Option<&ProjectMetadata> {
        match &self.target {
            LocalTarget::Directory { project, .. } => Some(project),
            LocalTarget::Git(git) => git.checkout.as_ref().map(|checkout| &checkout.project),
            LocalTarget::Archive => None,
        }
    }

    pub(super) fn project_metadata_mut(&mut self) -> Option<&mut ProjectMetadata> {
        match &mut self.target {
            LocalTarget::Directory { project, .. } => Some(project),
            LocalTarget::Git(git) => git.checkout.as_mut().map(|checkout| &mut checkout.project),
            LocalTarget::Archive => None,
        }
    }
}

/// A local project's metadata: read from its files, or only a build can tell.
#[derive(Clone, Debug)]
pub enum ProjectMetadata {
    /// Known: read statically, or filled in from a build.
    Static(LocalProject),
    /// Only a build can tell (dynamic fields, a `setup.py` that computes them).
    NeedsBuild {
        /// The source tree to build.
        directory: PathBuf,
        /// Why, for messages: the dynamic field and file, or why no file is static.
        reason: String,
        /// The project's name when it is known without a build: from its files, or written
        /// on the line (`name @ file:///…`, `name @ git+…`). `None` means the requirement's
        /// name is provisional (the directory's name) until the build tells it.
        name: Option<PackageName>,
    },
}

impl ProjectMetadata {
    /// The project, when its metadata is known.
    #[must_use]
    pub fn known(&self) -> Option<&LocalProject> {
        match self {
            Self::Static(project) => Some(project),
            Self::NeedsBuild { .. } => None,
        }
    }

    /// The project's name when known without a build.
    #[must_use]
    pub fn name(&self) -> Option<&PackageName> {
        match self {
            Self::Static(project) => Some(&project.name),
            Self::NeedsBuild { name, .. } => name.as_ref(),
        }
    }
}

/// A local project as the resolver sees a distribution: read from its files (`pyproject.toml`,
/// `setup.cfg`, a literal `setup.py`), or from the metadata a build gave.
#[derive(Clone, Debug)]
pub struct LocalProject {
    /// `project.name`, normalised.
    pub name: PackageName,
    /// `project.version`.
    pub version: Version,
    /// `project.requires-python`.
    pub requires_python: Option<VersionSpecifiers>,
    /// The dependencies; those of extras carry an `extra == "…"` marker, as in `METADATA`.
    pub requires_dist: Vec<Requirement>,
    /// The extras the project declares.
    pub provides_extra: Vec<ExtraName>,
    /// The file the metadata was read from.
    pub metadata_file: PathBuf,
}

impl LocalProject {
    /// The project as `metadata` describes it (read statically, or built); `metadata_file`
    /// says where it came from, for messages.
    #[must_use]
    pub fn from_core_metadata(metadata: &CoreMetadata, metadata_file: PathBuf) -> Self {
        Self {
            name: metadata.name.clone(),
            version: metadata.version.clone(),
            requires_python: metadata.requires_python.clone(),
            requires_dist: metadata.requires_dist.clone(),
            provides_extra: metadata.provides_extra.clone(),
            metadata_file,
        }
    }
}

/// A requirement line, named, with its local part when it has one.
pub(super) type Located = (Requirement, Option<LocalRequirement>);

/// Whether a line was given with `-e`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Editable {
    Yes,
    No,
}

/// Parses a requirement line (`-e` removed) that may name a location.
///
/// `file` is the requirements file, whose directory relative paths start from.
pub(super) fn parse_located(
    text: &str,
    file: &Path,
    editable: Editable,
) -> Result<Located, InputErrorKind> {
    if editable == Editable::Yes || looks_unnamed(text) {
        return parse_unnamed(text, file, editable);
    }
    let requirement = parse_requirement(text, file)?;
    if let Some(VersionOrUrl::Url(url)) = &requirement.version_or_url {
        let written = url
            .given()
            .map_or_else(|| url.raw().to_string(), str::to_string);
        if is_vcs(&written) {
            let parsed = parse_vcs(&written, false)?;
            return Ok((requirement, Some(git_local(written, parsed.git))));
        }
    }
    let file_url = match &requirement.version_or_url {
        Some(VersionOrUrl::Url(url)) if url.raw().scheme() == "file" => url.clone(),
        _ => return Ok((requirement, None)),
    };
    // `name @ file:///…`: the name is given, the location still needs reading.
    let path = file_url
        .raw()
        .to_file_path()
        .map_err(|()| not_local_path(file_url.given().unwrap_or(file_url.raw().as_str())))?;
    let written = file_url
        .given()
        .map_or_else(|| file_url.raw().to_string(), str::to_string);
    let (found, mut local) = locate_path(&path, &written, editable)?;
    match local.project_metadata_mut() {
        // The name comes with the build: `Manifest::set_built` compares it then.
        Some(ProjectMetadata::NeedsBuild {
            name: name @ None, ..
        }) => {
            *name = Some(requirement.name.clone());
        }
        _ if found.name != requirement.name => {
            return Err(InputErrorKind::NameMismatch {
                written: requirement.name.to_string(),
                found: found.name.to_string(),
            });
        }
        _ => {}
    }
    Ok((requirement, Some(local)))
}

/// A bare path or URL (`./pkg`, `/abs/pkg`, `https://…/x.whl`) rather than `name …`.
pub(super) fn looks_unnamed(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or_default();
    let location = first.split(';').next().unwrap_or_default();
    // `name@https://…` is named; `https://user:token@host/…` is not.
    let named = location
        .find('@')
        .is_some_and(|at| location.find("://").is_none_or(|scheme| at < scheme));
    !named
        && (location.starts_with('.')
            || location.starts_with('/')
            || location.starts_with("file:")
            || location.contains("://")
            || location.contains('/')
            || looks_like_archive(location))
}

fn looks_like_archive(location: &str) -> bool {
    let location = split_extras(location).0;
    [".whl", ".tar.gz", ".zip"]
        .iter()
        .any(|extension| location.ends_with(extension))
}

/// `LOCATION[extras] ; marker`, named by what is at the location.
fn parse_unnamed(text: &str, file: &Path, editable: Editable) -> Result<Located, InputErrorKind> {
    let (location_and_extras, marker_text) = split_marker(text);
    let (location, extras_text) = split_extras(location_and_extras.trim());
    let invalid = |message: String| InputErrorKind::InvalidRequirement {
        text: text.to_string(),
        message,
    };
    let extras = parse_extras(extras_text).map_err(&invalid)?;
    let marker = marker_text
        .map(|marker| parse_marker(marker).map_err(&invalid))
        .transpose()?
        .unwrap_or_default();
    let (mut requirement, local) = locate(location, file, editable)?;
    requirement.extras = extras;
    requirement.marker = marker;
    Ok((requirement, local))
}

/// Names what an unnamed location points at: a `file:` URL or a path (relative to `file`'s
/// directory) is read from disk, a remote URL is named by its file name.
fn locate(location: &str, file: &Path, editable: Editable) -> Result<Located, InputErrorKind> {
    if is_vcs(location) {
        let parsed = parse_vcs(location, editable == Editable::Yes)?;
        let Some(egg) = parsed.egg else {
            return Err(InputErrorKind::InvalidRequirement {
                text: location.to_string(),
                message: "a git URL without a name needs `#egg=name` (or write `name @ git+…`)"
                    .to_string(),
            });
        };
        let name =
            PackageName::from_str(&egg).map_err(|error| InputErrorKind::InvalidRequirement {
                text: location.to_string(),
                message: error.to_string(),
            })?;
        let url = Url::parse(location).map_err(|error| InputErrorKind::InvalidRequirement {
            text: location.to_string(),
            message: error.to_string(),
        })?;
        let requirement = named(name, VerbatimUrl::from_url(url).with_given(location));
        return Ok((
            requirement,
            Some(git_local(location.to_string(), parsed.git)),
        ));
    }
    let path = if location.starts_with("file:") {
        Url::parse(location)
            .ok()
            .and_then(|url| url.to_file_path().ok())
            .ok_or_else(|| not_local_path(location))?
    } else if location.contains("://") {
        if editable == Editable::Yes {
            return Err(InputErrorKind::EditableNotDirectory(location.to_string()));
        }
        return Ok((remote(location)?, None));
    } else {
        normalized_absolute(&join_relative(file, location)).map_err(InputErrorKind::Read)?
    };
    let (requirement, local) = locate_path(&path, location, editable)?;
    Ok((requirement, Some(local)))
}

/// Reads what is at `path` (absolute): a project directory or a distribution file.
fn locate_path(
    path: &Path,
    written: &str,
    editable: Editable,
) -> Result<(Requirement, LocalRequirement), InputErrorKind> {
    let metadata = std::fs::metadata(path).map_err(|error| {
        if error.kind() == std::io::ErrorKind::NotFound {
            InputErrorKind::PathNotFound(path.to_path_buf())
        } else {
            InputErrorKind::Read(error)
        }
    })?;
    let url = Url::from_file_path(path).map_err(|()| InputErrorKind::PathNotFound(path.into()))?;
    let (name, target) = if metadata.is_dir() {
        let project = read_local_project(path)?;
        let name = project
            .name()
            .cloned()
            .unwrap_or_else(|| provisional_name(path));
        let editable = editable == Editable::Yes;
        (name, LocalTarget::Directory { project, editable })
    } else {
        if editable == Editable::Yes {
            return Err(InputErrorKind::EditableNotDirectory(written.to_string()));
        }
        let filename = filename_from_url(&url);
        let dist = DistFilename::parse_unnamed(&filename).map_err(|error| {
            InputErrorKind::UnnamedLocation {
                location: written.to_string(),
                reason: error.to_string(),
            }
        })?;
        (dist.name().clone(), LocalTarget::Archive)
    };
    let requirement = named(name, VerbatimUrl::from_url(url).with_given(written));
    let local = LocalRequirement {
        written: written.to_string(),
        target,
    };
    Ok((requirement, local))
}

/// An unnamed `https://…/foo-1.0-py3-none-any.whl`: the name comes from the file name.
fn remote(location: &str) -> Result<Requirement, InputErrorKind> {
    let url = Url::parse(location).map_err(|error| InputErrorKind::InvalidRequirement {
        text: location.to_string(),
        message: error.to_string(),
    })?;
    let dist = DistFilename::parse_unnamed(&filename_from_url(&url)).map_err(|error| {
        InputErrorKind::UnnamedLocation {
            location: location.to_string(),
            reason: error.to_string(),
        }
    })?;
    Ok(named(
        dist.name().clone(),
        VerbatimUrl::from_url(url).with_given(location),
    ))
}

/// The name an unnamed directory's requirement carries until a build tells the real one: the
/// directory's name, normalised (or `local-project` when that is no valid name).
fn provisional_name(directory: &Path) -> PackageName {
    directory
        .file_name()
        .and_then(|name| name.to_str())
        .and_then(|name| PackageName::from_str(name).ok())
        .unwrap_or_else(|| {
            PackageName::from_str("local-project").expect("`local-project` is a valid name")
        })
}

fn named(name: PackageName, url: VerbatimUrl) -> Requirement {
    Requirement {
        name,
        extras: Vec::new(),
        version_or_url: Some(VersionOrUrl::Url(url)),
        marker: MarkerTree::TRUE,
        origin: None,
    }
}

fn not_local_path(location: &str) -> InputErrorKind {
    InputErrorKind::InvalidRequirement {
        text: location.to_string(),
        message: "a `file:` URL must name an absolute local path".to_string(),
    }
}

fn git_local(written: String, git: GitRequirement) -> LocalRequirement {
    LocalRequirement {
        written,
        target: LocalTarget::Git(Box::new(git)),
    }
}

/// Splits `location ; marker`. A URL may contain `;`, so there (as in pip) the marker must be
/// set off by whitespace; a path takes the first `;`.
fn split_marker(text: &str) -> (&str, Option<&str>) {
    let is_url = text.contains("://");
    let at = text.char_indices().find(|&(index, character)| {
        character == ';'
            && (!is_url
                || text[..index].ends_with(char::is_whitespace)
                || text[index + 1..].starts_with(char::is_whitespace))
    });
    match at {
        Some((index, _)) => (&text[..index], Some(text[index + 1..].trim())),
        None => (text, None),
    }
}

/// Splits `./pkg[dev,test]` into `./pkg` and `dev,test`.
fn split_extras(location: &str) -> (&str, Option<&str>) {
    if let Some(body) = location.strip_suffix(']')
        && let Some(open) = body.rfind('[')
    {
        return (&body[..open], Some(&body[open + 1..]));
    }
    (location, None)
}

fn parse_extras(text: Option<&str>) -> Result<Vec<ExtraName>, String> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(str::trim)
        .filter(|extra| !extra.is_empty())
        .map(|extra| ExtraName::from_str(extra).map_err(|error| error.to_string()))
        .collect()
}

/// Parses a marker, turning the parser's warnings into errors (as `parse_requirement` does).
fn parse_marker(text: &str) -> Result<MarkerTree, String> {
    crate::types::check_marker(text).map_err(|error| error.to_string())?;
    let mut warnings = Vec::new();
    let marker = MarkerTree::parse_reporter(text, &mut |_kind, warning: String| {
        warnings.push(warning);
    })
    .map_err(|error| error.message.to_string())?;
    match warnings.into_iter().next() {
        Some(warning) => Err(warning),
        None => Ok(marker),
    }
}

/// `path` made absolute against the current directory, with `.` and `..` removed lexically (as
/// pip's `normpath`): symlinks are kept, so the URL says what the user said.
fn normalized_absolute(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut normal = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    Ok(normal)
}

#[cfg(test)]
mod tests;
