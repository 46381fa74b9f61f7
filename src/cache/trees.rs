//! Whole directory trees that the cache directory holds beside the cacache store: git checkouts
//! (`git-v1/<commit>/`) and build environments (`build-env-v1/<digest>/`). This module finds
//! and weighs them for `cache info`, chooses which ones `cache prune` removes, and removes them.
//!
//! Their owners (`git`, `build`) make each tree in a temporary directory beside its final place
//! (`.tmp-*`) and rename it into place, so a tree under its final name is always complete. A
//! tree's directory modification time is its last use: the owners call [`touch_tree`] when they
//! reuse one.
//!
//! Removal keeps that promise next to running resolves: a tree is first renamed to a temporary
//! name in the same directory (`.tmp-removing-*`) and only then deleted, so a resolve looking a
//! tree up finds it whole or not at all. An interrupted removal leaves a temporary like any
//! other, which a later prune collects.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::inventory::FileStat;
use super::maintenance::{MaintenanceError, Usage};

/// The git checkouts' directory, which `git` makes and this module maintains.
pub const GIT_CHECKOUTS_DIR: &str = "git-v1";

/// The build environments' directory, which `build` makes and this module maintains.
pub const BUILD_ENVIRONMENTS_DIR: &str = "build-env-v1";

/// The prefix of the temporary directories both owners make there (through `tempfile`), and of
/// the trees this module is removing.
const TREE_TEMP_PREFIX: &str = ".tmp-";

/// The prefix a tree is renamed to before it is deleted.
const REMOVING_PREFIX: &str = ".tmp-removing-";

/// What kind of tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TreeKind {
    /// A git checkout of one commit (`git-v1/<40 hex digits>/`).
    GitCheckout,
    /// An environment of build requirements (`build-env-v1/<32 hex digits>/`).
    BuildEnvironment,
}

impl TreeKind {
    /// Every kind, in report order.
    pub const ALL: [Self; 2] = [Self::GitCheckout, Self::BuildEnvironment];

    /// The kind's name in text reports.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::GitCheckout => "git checkouts",
            Self::BuildEnvironment => "build environments",
        }
    }

    /// The kind's key in JSON reports.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Self::GitCheckout => "git-checkouts",
            Self::BuildEnvironment => "build-environments",
        }
    }

    /// The directory of the kind's trees, inside the cache directory.
    fn dir_name(self) -> &'static str {
        match self {
            Self::GitCheckout => GIT_CHECKOUTS_DIR,
            Self::BuildEnvironment => BUILD_ENVIRONMENTS_DIR,
        }
    }

    /// Whether `name` is a finished tree's name: a commit id, or an environment's digest.
    fn is_tree_name(self, name: &str) -> bool {
        let length = match self {
            Self::GitCheckout => 40,
            Self::BuildEnvironment => 32,
        };
        name.len() == length && name.bytes().all(|byte| byte.is_ascii_hexdigit())
    }

    fn of_dir_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.dir_name() == name)
    }
}

/// Sets a tree's modification time to now, which marks it used, so that `cache prune
/// --older-than` keeps it. Best effort: a failure only makes the tree look older.
pub fn touch_tree(path: &Path) {
    let touched =
        std::fs::File::open(path).and_then(|directory| directory.set_modified(SystemTime::now()));
    if let Err(error) = touched {
        tracing::debug!("cannot mark `{}` used: {error}", path.display());
    }
}

/// A finished tree, or a temporary directory beside the trees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TreeDir {
    /// What it is (or will be).
    pub(crate) kind: TreeKind,
    /// Its path.
    pub(crate) path: PathBuf,
    /// Its files.
    pub(crate) usage: Usage,
    /// A tree's last use (its directory's modification time); for a temporary, the latest
    /// modification of it or of anything in it, since a checkout or build in progress keeps
    /// writing there.
    pub(crate) modified: SystemTime,
}

/// The trees of a cache directory.
#[derive(Clone, Debug, Default)]
pub(crate) struct Trees {
    /// Finished trees, by path.
    pub(crate) trees: Vec<TreeDir>,
    /// Temporary directories: checkouts and builds in progress, removals in progress, or
    /// leftovers of crashed ones.
    pub(crate) temporaries: Vec<TreeDir>,
}

impl Trees {
    /// The bytes of every finished tree.
    pub(crate) fn tree_bytes(&self) -> u64 {
        self.trees.iter().map(|tree| tree.usage.bytes).sum()
    }
}

/// Collects the trees while the inventory lists the cache's files, so that the files are
/// listed once.
#[derive(Debug, Default)]
pub(crate) struct TreeScan {
    found: BTreeMap<PathBuf, (bool, TreeDir)>,
}

impl TreeScan {
    /// Takes a file (at `relative` in the cache directory `dir`) when it lies inside a tree or
    /// a temporary directory; `false` when it is not one of theirs.
    pub(crate) fn take(&mut self, dir: &Path, relative: &Path, stat: FileStat) -> bool {
        let mut parts = relative.components().map(|part| part.as_os_str().to_str());
        let (Some(Some(top)), Some(Some(name)), Some(_)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        let Some(kind) = TreeKind::of_dir_name(top) else {
            return false;
        };
        let Some(is_tree) = classify(kind, name) else {
            return false;
        };
        let root = dir.join(top).join(name);
        let (_, tree) = self.found.entry(root.clone()).or_insert_with(|| {
            (
                is_tree,
                TreeDir {
                    kind,
                    path: root,
                    usage: Usage::default(),
                    modified: UNIX_EPOCH,
                },
            )
        });
        tree.usage.add(stat.len);
        tree.modified = tree.modified.max(stat.modified);
        true
    }

    /// Adds the trees without files, and each tree's own modification time.
    ///
    /// # Errors
    /// When a trees' directory cannot be read for another reason than being absent.
    pub(crate) fn finish(mut self, dir: &Path) -> Result<Trees, MaintenanceError> {
        for kind in TreeKind::ALL {
            let parent = dir.join(kind.dir_name());
            let listing = match std::fs::read_dir(&parent) {
                Ok(listing) => listing,
                Err(error) if error.kind() == ErrorKind::NotFound => continue,
                Err(source) => {
                    return Err(MaintenanceError::Read {
                        path: parent,
                        source,
                    });
                }
            };
            for item in listing.flatten() {
                let Some(is_tree) = item
                    .file_name()
                    .to_str()
                    .and_then(|name| classify(kind, name))
                else {
                    continue;
                };
                // Vanished since it was listed (another prune): left out.
                let Ok(metadata) = std::fs::symlink_metadata(item.path()) else {
                    continue;
                };
                if !metadata.is_dir() {
                    continue;
                }
                let own = metadata.modified().unwrap_or(UNIX_EPOCH);
                let (_, tree) = self.found.entry(item.path()).or_insert_with(|| {
                    (
                        is_tree,
                        TreeDir {
                            kind,
                            path: item.path(),
                            usage: Usage::default(),
                            modified: UNIX_EPOCH,
                        },
                    )
                });
                tree.modified = if is_tree { own } else { own.max(tree.modified) };
            }
        }
        let mut trees = Trees::default();
        for (_, (is_tree, tree)) in self.found {
            if is_tree {
                trees.trees.push(tree);
            } else {
                trees.temporaries.push(tree);
            }
        }
        Ok(trees)
    }
}

/// `Some(true)` for a finished tree's name, `Some(false)` for a temporary's, `None` for names
/// that are neither (left alone, as files that are not the cache's).
fn classify(kind: TreeKind, name: &str) -> Option<bool> {
    if name.starts_with(TREE_TEMP_PREFIX) {
        Some(false)
    } else if kind.is_tree_name(name) {
        Some(true)
    } else {
        None
    }
}

/// What removing trees did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TreesRemoved {
    /// Finished trees removed.
    pub(crate) trees: u64,
    /// Files deleted (in trees and temporaries).
    pub(crate) files: u64,
    /// Bytes freed.
    pub(crate) bytes: u64,
    /// Trees kept because they were used after the snapshot.
    pub(crate) busy: u64,
}

/// Removes `trees` and the `temporaries`. With `unless_used`, a tree whose modification time
/// changed since the snapshot (a resolve reused it meanwhile) stays.
///
/// # Errors
/// When a tree cannot be renamed or deleted for another reason than having vanished.
pub(crate) fn remove(
    trees: &[&TreeDir],
    temporaries: &[&TreeDir],
    unless_used: bool,
) -> Result<TreesRemoved, MaintenanceError> {
    let mut removed = TreesRemoved::default();
    for tree in trees {
        if unless_used && used_since(tree) {
            removed.busy += 1;
            continue;
        }
        if remove_tree(&tree.path)? {
            removed.trees += 1;
            removed.files += tree.usage.files;
            removed.bytes += tree.usage.bytes;
        }
    }
    for temporary in temporaries {
        // Nothing looks a temporary up by its name: it is deleted where it is.
        if delete_dir(&temporary.path)? {
            removed.files += temporary.usage.files;
            removed.bytes += temporary.usage.bytes;
        }
    }
    Ok(removed)
}

/// Whether the tree's directory was modified (marked used) since the snapshot.
fn used_since(tree: &TreeDir) -> bool {
    std::fs::symlink_metadata(&tree.path)
        .and_then(|metadata| metadata.modified())
        .is_ok_and(|modified| modified != tree.modified)
}

/// Renames the tree at `path` aside, then deletes it; `false` when it had vanished.
fn remove_tree(path: &Path) -> Result<bool, MaintenanceError> {
    let Some(aside) = set_aside(path)? else {
        return Ok(false);
    };
    delete_dir(&aside)?;
    Ok(true)
}

/// Renames the tree at `path` to a temporary name beside it, which no resolve looks up, and
/// returns that name; `None` when the tree had vanished (another prune took it first).
fn set_aside(path: &Path) -> Result<Option<PathBuf>, MaintenanceError> {
    let aside = aside_name(path);
    match std::fs::rename(path, &aside) {
        Ok(()) => Ok(Some(aside)),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(MaintenanceError::Remove {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// A name beside `path` that no other removal uses: the process id tells processes apart, the
/// counter removals within one. (Renaming a directory onto an existing empty one replaces it,
/// so the name must not merely be unlikely to exist.)
fn aside_name(path: &Path) -> PathBuf {
    static REMOVALS: AtomicU64 = AtomicU64::new(0);
    let count = REMOVALS.fetch_add(1, Ordering::Relaxed);
    let name = format!("{REMOVING_PREFIX}{}-{count}", std::process::id());
    path.parent()
        .map_or_else(|| PathBuf::from(&name), |parent| parent.join(&name))
}

/// Deletes a directory and everything in it; `false` when it had vanished.
fn delete_dir(path: &Path) -> Result<bool, MaintenanceError> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(false),
        Err(source) => Err(MaintenanceError::Remove {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The trees `prune --older-than` removes: those not used since `now - older_than`.
pub(crate) fn expired(
    trees: &[TreeDir],
    older_than: Option<Duration>,
    now: SystemTime,
) -> Vec<usize> {
    let Some(age) = older_than else {
        return Vec::new();
    };
    let cutoff = now.checked_sub(age).unwrap_or(UNIX_EPOCH);
    (0..trees.len())
        .filter(|&position| trees[position].modified < cutoff)
        .collect()
}

/// The trees `prune --max-size` removes once the store's own eviction is done and the cache
/// still weighs `size`: the least recently used first, until it fits in `cap`. `gone` are
/// removed already.
pub(crate) fn evicted(
    trees: &[TreeDir],
    gone: &[usize],
    size: u64,
    cap: Option<u64>,
) -> Vec<usize> {
    let Some(cap) = cap else {
        return Vec::new();
    };
    let mut kept: Vec<usize> = (0..trees.len())
        .filter(|position| !gone.contains(position))
        .collect();
    kept.sort_by_key(|&position| (trees[position].modified, position));
    let mut size = size;
    let mut evicted = Vec::new();
    for position in kept {
        if size <= cap {
            break;
        }
        size = size.saturating_sub(trees[position].usage.bytes);
        evicted.push(position);
    }
    evicted
}

#[cfg(test)]
mod tests;
