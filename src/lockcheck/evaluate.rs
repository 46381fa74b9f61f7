//! The verdict for one pin on one target, from the index's file list alone (no IO).
//!
//! Which file a target would install is the resolver's question too, so it is answered by
//! [`VersionMap`] (yanked files, `Requires-Python`, wheel tag ranking, sdist fallback) and not
//! re-decided here. What this file adds is what only a lock has: its marker, its hashes, and the
//! explanation of a missing wheel.

use crate::lockfile::{LockedPin, LockedSource};
use crate::resolver::{SelectionOptions, Unusable, VersionMap};
use crate::target::Target;
use crate::types::{DistFilename, IndexFile, PackageName, ProjectFiles, Version};

use super::status::{HashMismatch, Missing, MissingWheel, Status};

/// Checks `pin` on `target` against `project`, the index's files for the pin's project (`None`
/// when the pin is a direct URL and nothing was fetched). Every file must carry its sha256 when
/// the pin has hashes (the caller computes the ones the index did not list).
///
/// The first problem found decides the status, in this order: marker, missing, yanked, unknown
/// hashes, `Requires-Python`, no usable file, no usable file with a locked hash, sdist only.
pub(super) fn evaluate(pin: &LockedPin, project: Option<&ProjectFiles>, target: &Target) -> Status {
    if let Some(marker) = &pin.marker
        && !marker.evaluate(target.markers(), &[])
    {
        return Status::SkippedByMarker;
    }
    let version = match &pin.source {
        LockedSource::Version(version) => version,
        LockedSource::Url(url) if url.scheme().starts_with("git+") => return Status::Vcs,
        LockedSource::Url(_) => return Status::DirectUrl,
    };
    let Some(project) = project.filter(|project| !project.files.is_empty()) else {
        return Status::Missing(Missing::Project);
    };
    let files: Vec<&IndexFile> = project
        .files
        .iter()
        .filter(|file| file.dist.version() == version)
        .collect();
    if files.is_empty() {
        return Status::Missing(Missing::Version);
    }
    if files.iter().all(|file| file.yanked.is_yanked()) {
        return Status::Yanked {
            reason: yank_reason(&files),
        };
    }
    let unknown: Vec<_> = pin
        .hashes
        .iter()
        .filter(|digest| {
            !files
                .iter()
                .any(|file| file.sha256.as_ref() == Some(digest))
        })
        .copied()
        .collect();
    if !unknown.is_empty() {
        return Status::HashMismatch(HashMismatch::Unknown(unknown));
    }

    let chosen = match best_file(&project.name, version, files.iter().copied(), target) {
        Ok(file) => file,
        Err(Unusable::RequiresPython(specifiers)) => return Status::RequiresPython { specifiers },
        Err(_) => {
            return Status::NoFile {
                missing_wheel: missing_wheel(&files, target),
            };
        }
    };
    // With hashes, pip only considers the files whose hash is locked (when any is), so the file
    // it installs is the best of those, which need not be the best of all.
    let installed = if pin.hashes.is_empty() {
        chosen.clone()
    } else {
        let locked = files.iter().copied().filter(|file| {
            file.sha256
                .as_ref()
                .is_some_and(|digest| pin.hashes.contains(digest))
        });
        match best_file(&project.name, version, locked, target) {
            Ok(file) => file,
            Err(_) => {
                return Status::HashMismatch(HashMismatch::TargetFileNotLocked {
                    file: chosen.filename,
                });
            }
        }
    };
    match installed.dist {
        DistFilename::Wheel(_) => Status::Wheel {
            file: installed.filename,
        },
        DistFilename::Sdist(_) => Status::SdistOnly {
            file: installed.filename,
            missing_wheel: if chosen.dist.is_wheel() {
                MissingWheel::NotLocked {
                    wheel: chosen.filename,
                }
            } else {
                missing_wheel(&files, target)
            },
        },
    }
}

/// The file `target` would install among `files` (all of `version`), as the resolver picks it.
fn best_file<'a>(
    name: &PackageName,
    version: &Version,
    files: impl Iterator<Item = &'a IndexFile>,
    target: &Target,
) -> Result<IndexFile, Unusable> {
    let project = ProjectFiles {
        name: name.clone(),
        files: files.cloned().collect(),
    };
    let versions = VersionMap::new(&project, target, &SelectionOptions::default());
    let entry = versions.get(version).ok_or(Unusable::NoCompatibleWheel)?;
    entry.best.clone()?;
    entry
        .best_file()
        .cloned()
        .ok_or(Unusable::NoCompatibleWheel)
}

/// The first non-empty reason among yanked files.
fn yank_reason(files: &[&IndexFile]) -> Option<String> {
    files.iter().find_map(|file| match &file.yanked {
        crate::types::Yanked::Yes(reason) if !reason.trim().is_empty() => {
            Some(reason.trim().to_string())
        }
        _ => None,
    })
}

/// Why no wheel of `files` fits `target`: none at all, none for its Python, or none for its
/// platform (some wheel's Python and ABI tags are ones the target accepts).
fn missing_wheel(files: &[&IndexFile], target: &Target) -> MissingWheel {
    let all_yanked = files.iter().all(|file| file.yanked.is_yanked());
    let mut wheels = files
        .iter()
        .filter(|file| all_yanked || !file.yanked.is_yanked())
        .filter_map(|file| match &file.dist {
            DistFilename::Wheel(wheel) => Some(wheel),
            DistFilename::Sdist(_) => None,
        })
        .peekable();
    if wheels.peek().is_none() {
        return MissingWheel::NoWheels;
    }
    let accepted = target.tags().as_slice();
    let python_fits = wheels.any(|wheel| {
        wheel.tag.expand().any(|(python, abi, _)| {
            accepted.iter().any(|(accepted_python, accepted_abi, _)| {
                accepted_python == python && accepted_abi == abi
            })
        })
    });
    if python_fits {
        MissingWheel::ForPlatform {
            platform: *target.platform(),
        }
    } else {
        MissingWheel::ForPython {
            interpreter: format!("cp{}{}", target.python().major(), target.python().minor()),
        }
    }
}

#[cfg(test)]
mod tests;
