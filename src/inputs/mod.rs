//! Requirement inputs: `.in` files in pip-compile's format, read into a [`Manifest`].
//!
//! The grammar, line by line, after joining `\` continuations and removing comments (`#` at the
//! start of a line or after whitespace, as pip does):
//!
//! - a PEP 508 requirement (`name[extra]>=1; marker`, `name @ url`);
//! - a location without a name (see `local.rs`): a local project directory (`./pkg[extra]`,
//!   `../lib`, `/abs/pkg`, `file:///abs/pkg`, also `name @ file:///abs/pkg`), handed to
//!   `metadata`'s source-tree reader, and kept as "needs a build" when only a build can tell
//!   (`to_build.rs`: the CLI builds those and fills them in); a local wheel or sdist file; a URL
//!   of a wheel or sdist. The name comes from the project or the file name;
//! - `name @ git+URL@REF#subdirectory=DIR`, `[-e] git+URL@REF#egg=name` (`vcs.rs`): parsed here,
//!   fetched by `crate::git` before resolving;
//! - `-e PATH` / `--editable PATH`: a local project directory, installed editable;
//! - `-r FILE` / `--requirement FILE`: include another file's requirements;
//! - `-c FILE` / `--constraint FILE`: include a file as constraints (they limit versions but do not
//!   add packages);
//! - index options: `-i`/`--index-url`, `--extra-index-url`, `-f`/`--find-links`, `--no-index`;
//! - resolver options: `--pre`, `--only-binary`, `--no-binary` (kept for the settings layer);
//! - `--hash` after a requirement (accepted and ignored: output hashes come from the index).
//!
//! Before anything else, `${NAME}` references are expanded in every line (`variables.rs`), with
//! values the caller passes in. An index or find-links URL keeps how it was written too
//! (`IndexOptions::written`), so that a lock shows `${TOKEN}`, never the token.
//!
//! Paths of included files, and of local requirements, are relative to the including file.
//! Every requirement keeps the file and line it came from and the user's text, so that errors and
//! `# via` annotations can name them. This module reads files and stdin; it never touches the
//! network and knows nothing of pubgrub.

mod command_line;
mod error;
mod local;
mod parser;
mod project;
mod to_build;
mod variables;
mod vcs;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use command_line::command_line_manifest;
pub use error::{InputError, InputErrorKind};
pub use local::{LocalProject, LocalRequirement, LocalTarget, ProjectMetadata};
pub use parser::read_manifest;
pub(crate) use project::read_local_project;
pub use project::{ProjectSelection, is_project_file, read_project_file};
pub use to_build::{ToBuild, ToBuildId};
pub use variables::Variables;
pub use vcs::{GitCheckout, GitRequirement};

/// How requirements files are read.
#[derive(Clone, Copy, Debug)]
pub struct ReadOptions<'a> {
    /// The values of `${NAME}` references.
    pub variables: &'a Variables,
    /// What to do with local path and editable requirements.
    pub local_paths: LocalPaths,
}

/// What to do with local path and editable requirements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalPaths {
    /// Read the project or file they point at: they are part of the resolution.
    Read,
    /// Leave them out without looking at the path: reading an existing lock for its `==` pins
    /// must not fail because a project changed since it was written.
    Skip,
}

/// Where a requirement came from: the file (as the user or the including file named it) and line.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    /// How the requirement entered: a requirement or a constraint.
    pub kind: OriginKind,
    /// The file, as written by the user (top level) or joined onto the including file's directory.
    pub file: PathBuf,
    /// The 1-based line number (of the first physical line, for continued lines).
    pub line: usize,
    /// The project whose metadata the requirement comes from (`pyproject.toml`, `setup.cfg`);
    /// pip-compile annotates those as `name (pyproject.toml)`.
    pub project: Option<String>,
}

/// Whether a line was read as a requirement (`-r`, or a source file), as a constraint (`-c`) or
/// as an override (`--overrides`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OriginKind {
    /// A requirement: adds the package to the resolution.
    Requirement,
    /// A constraint: limits versions only.
    Constraint,
    /// A requirement given on the command line (`--with`); `file` is the option.
    CommandLine,
    /// An override: replaces every requirement on its package, and adds none.
    Override,
}

impl Origin {
    /// The annotation pip-compile writes for this origin: `-r file.in` or `-c file.txt`; uv's
    /// `--override file.txt` for overrides.
    #[must_use]
    pub fn annotation(&self) -> String {
        if let Some(project) = &self.project {
            return format!("{project} ({})", self.file.display());
        }
        let flag = match self.kind {
            OriginKind::Requirement => "-r",
            OriginKind::Constraint => "-c",
            OriginKind::CommandLine => return self.file.display().to_string(),
            OriginKind::Override => "--override",
        };
        format!("{flag} {}", self.file.display())
    }
}

/// One requirement read from an input, with its provenance.
#[derive(Clone, Debug)]
pub struct InputRequirement {
    /// The parsed requirement.
    pub requirement: pep508_rs::Requirement,
    /// The requirement exactly as the user wrote it (without comments and options), so that
    /// markers can be copied to the output in the user's spelling.
    pub text: String,
    /// Where it came from.
    pub origin: Origin,
    /// What is local about it: a project directory or a distribution file on this machine
    /// (`requirement` then names it by an absolute `file://` URL).
    pub local: Option<LocalRequirement>,
}

impl InputRequirement {
    /// The marker text as the user wrote it, if the line has one.
    #[must_use]
    pub fn marker_text(&self) -> Option<&str> {
        let (_, marker) = self.text.split_once(';')?;
        let marker = marker.trim();
        (!marker.is_empty()).then_some(marker)
    }
}

/// Index settings gathered from option lines, in the order they were read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexOptions {
    /// `--index-url`; the last one read wins, as in pip.
    pub index_url: Option<String>,
    /// `--extra-index-url`, in order, without duplicates.
    pub extra_index_urls: Vec<String>,
    /// `--find-links`, in order, without duplicates. Local paths are made relative to the
    /// including file's directory.
    pub find_links: Vec<String>,
    /// `--no-index`.
    pub no_index: bool,
    /// `--trusted-host`, in order, without duplicates.
    pub trusted_hosts: Vec<String>,
    /// How the URLs above, and those of direct URL requirements (`name @ URL`), that held
    /// `${NAME}` references were written, by their expanded text: what the lock shows instead of
    /// the values (which may be credentials).
    pub written: BTreeMap<String, String>,
}

/// Resolver options that pip allows in requirements files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileResolverOptions {
    /// `--pre`.
    pub pre: bool,
    /// `--only-binary` values (`:all:`, `:none:` or package names), in order.
    pub only_binary: Vec<String>,
    /// `--no-binary` values, in order.
    pub no_binary: Vec<String>,
}

/// Everything read from the inputs of one run.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    /// Requirements, in reading order.
    pub requirements: Vec<InputRequirement>,
    /// Constraints, in reading order.
    pub constraints: Vec<InputRequirement>,
    /// Overrides, in reading order.
    pub overrides: Vec<InputRequirement>,
    /// Index options from option lines.
    pub index: IndexOptions,
    /// Resolver options from option lines.
    pub resolver: FileResolverOptions,
    /// Every requirements file read, top level and included, as opened (`-` for stdin), so that
    /// the output can be checked not to be one of them.
    pub files: Vec<PathBuf>,
    /// The `requires-python` of the project files read (all of them at once): the Pythons a
    /// universal lock covers when `--python-version` does not say.
    pub requires_python: Option<crate::types::VersionSpecifiers>,
}

impl Manifest {
    /// Adds the requirements of `other` after this manifest's own (several source files on one
    /// command line become one manifest, as in pip-compile).
    pub fn extend(&mut self, other: Manifest) {
        self.requirements.extend(other.requirements);
        self.constraints.extend(other.constraints);
        self.overrides.extend(other.overrides);
        merge_index_options(&mut self.index, other.index);
        self.resolver.pre |= other.resolver.pre;
        self.resolver.only_binary.extend(other.resolver.only_binary);
        self.resolver.no_binary.extend(other.resolver.no_binary);
        self.files.extend(other.files);
        self.requires_python = match (self.requires_python.take(), other.requires_python) {
            (Some(mine), Some(theirs)) => Some(mine.iter().chain(theirs.iter()).cloned().collect()),
            (mine, theirs) => mine.or(theirs),
        };
    }
}

fn merge_index_options(into: &mut IndexOptions, from: IndexOptions) {
    if from.index_url.is_some() {
        into.index_url = from.index_url;
    }
    for url in from.extra_index_urls {
        push_unique(&mut into.extra_index_urls, url);
    }
    for link in from.find_links {
        push_unique(&mut into.find_links, link);
    }
    for host in from.trusted_hosts {
        push_unique(&mut into.trusted_hosts, host);
    }
    into.no_index |= from.no_index;
    into.written.extend(from.written);
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// Joins `child` onto the directory of `parent`, as pip does for nested `-r`/`-c` paths, unless
/// `child` is absolute.
pub(crate) fn join_relative(parent: &Path, child: &str) -> PathBuf {
    let child_path = Path::new(child);
    if child_path.is_absolute() {
        return child_path.to_path_buf();
    }
    match parent.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(child_path),
        _ => child_path.to_path_buf(),
    }
}
