//! Local projects whose metadata only a build can tell: listed for the CLI to build before
//! resolving ([`Manifest::projects_to_build`]), filled in from the built metadata
//! ([`Manifest::set_built`]), or reported when they were not built
//! ([`Manifest::unbuilt_error`], e.g. under `--no-build`).
//!
//! Inputs never build anything themselves (they run no process and fetch nothing): a project
//! that needs a build is data, [`ProjectMetadata::NeedsBuild`], until someone above fills it in.

use std::path::PathBuf;

use super::local::{LocalProject, LocalTarget, ProjectMetadata};
use super::{InputError, InputErrorKind, InputRequirement, Manifest};
use crate::metadata::CoreMetadata;
use crate::types::PackageName;

/// Which list of the manifest an entry is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum List {
    Requirements,
    Constraints,
    Overrides,
}

/// A handle on one entry of a [`Manifest`] that needs a build; valid for that manifest as long
/// as no entries are added or removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ToBuildId {
    list: List,
    index: usize,
}

/// A local project (a directory, or a fetched git checkout) still to be built.
#[derive(Clone, Debug)]
pub struct ToBuild {
    /// The entry, for [`Manifest::set_built`].
    pub id: ToBuildId,
    /// The source tree to build.
    pub directory: PathBuf,
    /// Why it needs a build (the dynamic field and file, or why no file is static).
    pub reason: String,
    /// The project's name when known without a build (from its files, or written on the
    /// line); `None` when only the build can tell.
    pub name: Option<PackageName>,
}

impl Manifest {
    /// Every local project (directories, and git checkouts once `crate::git` filled them) still
    /// to be built, in reading order. Several lines naming the same directory are listed once
    /// each; [`Manifest::set_built`] on one fills them all.
    #[must_use]
    pub fn projects_to_build(&self) -> Vec<ToBuild> {
        self.entries()
            .filter_map(|(id, entry)| {
                let local = entry.local.as_ref()?;
                match local.project_metadata()? {
                    ProjectMetadata::NeedsBuild {
                        directory,
                        reason,
                        name,
                    } => Some(ToBuild {
                        id,
                        directory: directory.clone(),
                        reason: reason.clone(),
                        name: name.clone(),
                    }),
                    ProjectMetadata::Static(_) => None,
                }
            })
            .collect()
    }

    /// Fills in a built project: its [`LocalProject`], and, for an unnamed line (`-e ./pkg`
    /// whose name is dynamic), the requirement's name too. Every other entry still waiting
    /// for a build of the same directory is filled in as well.
    ///
    /// # Errors
    /// When the built project's name is not the one the line (or the project's files) gave,
    /// naming the line; when `id` is no entry of this manifest that needs a build.
    pub fn set_built(&mut self, id: ToBuildId, metadata: &CoreMetadata) -> Result<(), InputError> {
        let Some(directory) = self
            .entry(id)
            .and_then(|entry| needs_build(entry).map(|(directory, _)| directory.clone()))
        else {
            return Err(InputError {
                file: PathBuf::from("-"),
                line: None,
                included_from: Vec::new(),
                kind: InputErrorKind::NotToBuild,
            });
        };
        let same: Vec<ToBuildId> = self
            .entries()
            .filter(|(_, entry)| needs_build(entry).is_some_and(|(other, _)| *other == directory))
            .map(|(id, _)| id)
            .collect();
        for id in same {
            let Some(entry) = self.entry_mut(id) else {
                continue;
            };
            fill(entry, &directory, metadata)?;
        }
        Ok(())
    }

    /// The error for the first local project that still needs a build, naming its input
    /// file, line and why: what resolving without building (`--no-build`) reports.
    #[must_use]
    pub fn unbuilt_error(&self) -> Option<InputError> {
        self.entries().find_map(|(_, entry)| {
            let (_, reason) = needs_build(entry)?;
            let kind = match entry.local.as_ref().map(|local| &local.target) {
                Some(LocalTarget::Git(git)) => InputErrorKind::CheckoutNeedsBuild {
                    commit: git
                        .checkout
                        .as_ref()
                        .map(|checkout| checkout.commit.clone())
                        .unwrap_or_default(),
                    reason: reason.clone(),
                },
                _ => InputErrorKind::NeedsBuild(reason.clone()),
            };
            Some(InputError {
                file: entry.origin.file.clone(),
                line: Some(entry.origin.line),
                included_from: Vec::new(),
                kind,
            })
        })
    }

    fn entries(&self) -> impl Iterator<Item = (ToBuildId, &InputRequirement)> {
        numbered(List::Requirements, &self.requirements)
            .chain(numbered(List::Constraints, &self.constraints))
            .chain(numbered(List::Overrides, &self.overrides))
    }

    fn entry(&self, id: ToBuildId) -> Option<&InputRequirement> {
        match id.list {
            List::Requirements => self.requirements.get(id.index),
            List::Constraints => self.constraints.get(id.index),
            List::Overrides => self.overrides.get(id.index),
        }
    }

    fn entry_mut(&mut self, id: ToBuildId) -> Option<&mut InputRequirement> {
        match id.list {
            List::Requirements => self.requirements.get_mut(id.index),
            List::Constraints => self.constraints.get_mut(id.index),
            List::Overrides => self.overrides.get_mut(id.index),
        }
    }
}

fn numbered(
    list: List,
    entries: &[InputRequirement],
) -> impl Iterator<Item = (ToBuildId, &InputRequirement)> {
    entries
        .iter()
        .enumerate()
        .map(move |(index, entry)| (ToBuildId { list, index }, entry))
}

/// The directory and reason of an entry that needs a build.
fn needs_build(entry: &InputRequirement) -> Option<(&PathBuf, &String)> {
    match entry.local.as_ref()?.project_metadata()? {
        ProjectMetadata::NeedsBuild {
            directory, reason, ..
        } => Some((directory, reason)),
        ProjectMetadata::Static(_) => None,
    }
}

/// Puts the built `metadata` into `entry`, after checking the name it must have.
fn fill(
    entry: &mut InputRequirement,
    directory: &std::path::Path,
    metadata: &CoreMetadata,
) -> Result<(), InputError> {
    let (file, line) = (entry.origin.file.clone(), entry.origin.line);
    let mismatch = |written: &PackageName| InputError {
        file: file.clone(),
        line: Some(line),
        included_from: Vec::new(),
        kind: InputErrorKind::NameMismatch {
            written: written.to_string(),
            found: metadata.name.to_string(),
        },
    };
    let Some(project) = entry
        .local
        .as_mut()
        .and_then(|local| local.project_metadata_mut())
    else {
        return Ok(());
    };
    let known = match project {
        ProjectMetadata::NeedsBuild { name, .. } => name.clone(),
        ProjectMetadata::Static(_) => return Ok(()),
    };
    match &known {
        Some(written) if *written != metadata.name => return Err(mismatch(written)),
        Some(_) => {}
        // The line named the project only provisionally, by its directory.
        None => entry.requirement.name = metadata.name.clone(),
    }
    let project = entry
        .local
        .as_mut()
        .and_then(|local| local.project_metadata_mut());
    if let Some(project) = project {
        *project = ProjectMetadata::Static(LocalProject::from_core_metadata(
            metadata,
            directory.to_path_buf(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
