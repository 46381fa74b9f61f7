//! Removing entries and collecting garbage, safely while other pinwheel processes read and
//! write the same cache.
//!
//! The order is what makes it safe:
//!
//! 1. Index first. A bucket losing entries (or only history) is rewritten through a temporary
//!    file and a rename, or deleted when nothing in it stays; either way a reader sees the old
//!    bucket or the new one. A bucket that changed since the snapshot (another process wrote to
//!    it) is left alone, so a fresh write is not undone (short of one landing between that check
//!    and the rename, which loses that write: a later miss).
//! 2. Then the index is read again, and content is deleted only when no entry refers to it *now*
//!    and it was last written before this sweep started: an entry another process wrote in the
//!    meantime keeps its body.
//!
//! The only window left is a writer that has renamed its content into place before the sweep
//! started but appends its index line after the re-read; that entry then points to nothing,
//! which every reader treats as a miss (`Cache::get`) and the next prune removes. A reader that
//! looked an entry up just before its content went away also sees a miss. A resolve may refetch
//! because of a concurrent prune; it never fails because of one.
//!
//! Directories are never removed here: a writer creates its directory and then renames into it,
//! and removing the directory in between would fail the write. (A full `clean` removes the empty
//! ones afterwards, best effort; pinwheel's own writes treat such a failure as a warning.)

use std::collections::{HashMap, HashSet};
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::inventory::{self, FileStat, Inventory};
use super::layout::{self, TEMP_DIR, TEMP_PREFIX};
use super::maintenance::MaintenanceError;

/// Which unreferenced content files may be deleted.
#[derive(Debug)]
pub(crate) enum ContentScope {
    /// Any (garbage collection).
    All,
    /// Only these: the content of the entries removed.
    Only(HashSet<PathBuf>),
}

/// What to do.
#[derive(Debug)]
pub(crate) struct Sweep {
    /// Entries to remove, as indexes into the inventory's entries.
    pub(crate) remove: HashSet<usize>,
    /// Also rewrite buckets that only carry history (superseded lines, deletions, torn lines)
    /// and delete buckets with no entry left in them.
    pub(crate) compact: bool,
    /// Which content may go.
    pub(crate) content: ContentScope,
    /// Temporary files last written before this time are deleted (`None`: none are).
    pub(crate) temp_before: Option<SystemTime>,
    /// When the sweep's snapshot was taken; content written since is never deleted.
    pub(crate) started: SystemTime,
}

/// What a sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Swept {
    /// Entries removed from the index.
    pub(crate) entries: u64,
    /// Files deleted.
    pub(crate) files: u64,
    /// Bytes freed (deleted files, and what rewritten buckets lost).
    pub(crate) bytes: u64,
    /// Entries kept because another process wrote to their bucket meanwhile.
    pub(crate) busy: u64,
}

impl Sweep {
    /// Applies the sweep to the cache at `dir`, described by `inventory`.
    ///
    /// # Errors
    /// When a file cannot be read, written or deleted for another reason than having vanished.
    pub(crate) fn run(&self, dir: &Path, inventory: &Inventory) -> Result<Swept, MaintenanceError> {
        let mut swept = Swept::default();
        self.rewrite_index(dir, inventory, &mut swept)?;
        self.collect_content(dir, inventory, &mut swept)?;
        if let Some(before) = self.temp_before {
            for (path, stat) in &inventory.temp_files {
                if stat.modified < before {
                    delete(path, stat.len, &mut swept)?;
                }
            }
        }
        Ok(swept)
    }

    fn rewrite_index(
        &self,
        dir: &Path,
        inventory: &Inventory,
        swept: &mut Swept,
    ) -> Result<(), MaintenanceError> {
        let mut removed_by_bucket: HashMap<usize, HashSet<&str>> = HashMap::new();
        for &position in &self.remove {
            if let Some(entry) = inventory.entries.get(position) {
                removed_by_bucket
                    .entry(entry.bucket)
                    .or_default()
                    .insert(entry.line.key.as_str());
            }
        }
        for (position, bucket) in inventory.buckets.iter().enumerate() {
            let removed = removed_by_bucket.get(&position);
            if removed.is_none() && !self.compact {
                continue;
            }
            let removed_count = removed.map_or(0, |keys| keys.len() as u64);
            let keep: Vec<_> = layout::live_lines(&bucket.lines)
                .into_iter()
                .filter(|line| removed.is_none_or(|keys| !keys.contains(line.key.as_str())))
                .collect();
            let text = layout::bucket_text(keep.iter().copied());
            if removed_count == 0 && text.len() as u64 == bucket.stat.len {
                continue;
            }
            if !unchanged(&bucket.path, bucket.stat)? {
                swept.busy += removed_count;
                continue;
            }
            if keep.is_empty() {
                delete(&bucket.path, bucket.stat.len, swept)?;
            } else {
                replace(dir, &bucket.path, text.as_bytes())?;
                swept.bytes += bucket.stat.len.saturating_sub(text.len() as u64);
            }
            swept.entries += removed_count;
        }
        Ok(())
    }

    fn collect_content(
        &self,
        dir: &Path,
        inventory: &Inventory,
        swept: &mut Swept,
    ) -> Result<(), MaintenanceError> {
        let referenced = inventory::referenced_now(dir)?;
        for (path, stat) in &inventory.contents {
            let in_scope = match &self.content {
                ContentScope::All => true,
                ContentScope::Only(paths) => paths.contains(path),
            };
            if in_scope && stat.modified < self.started && !referenced.contains(path) {
                delete(path, stat.len, swept)?;
            }
        }
        Ok(())
    }
}

/// Whether the file still has the size and modification time it had in the snapshot.
fn unchanged(path: &Path, seen: FileStat) -> Result<bool, MaintenanceError> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) => {
            Ok(metadata.len() == seen.len && metadata.modified().ok() == Some(seen.modified))
        }
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(false),
        Err(source) => Err(MaintenanceError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Deletes a file; one that is already gone (another prune) counts as nothing.
fn delete(path: &Path, len: u64, swept: &mut Swept) -> Result<(), MaintenanceError> {
    match std::fs::remove_file(path) {
        Ok(()) => {
            swept.files += 1;
            swept.bytes += len;
            Ok(())
        }
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(()),
        Err(source) => Err(MaintenanceError::Remove {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Replaces `path` with `content` atomically, through a temporary file in the cache's `tmp/`
/// (on the same filesystem, and where a crash leaves nothing a reader would parse).
fn replace(dir: &Path, path: &Path, content: &[u8]) -> Result<(), MaintenanceError> {
    let temp_dir = dir.join(TEMP_DIR);
    let write_error = |source| MaintenanceError::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(&temp_dir).map_err(write_error)?;
    let mut temporary = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(&temp_dir)
        .map_err(write_error)?;
    temporary.write_all(content).map_err(write_error)?;
    temporary
        .persist(path)
        .map_err(|error| write_error(error.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{Cache, CacheKey, EntryInfo};
    use crate::types::Sha256Digest;

    fn key(n: u8) -> CacheKey {
        CacheKey::Metadata(Sha256Digest::of(&[n]))
    }

    fn on_disk(dir: &Path) -> u64 {
        inventory::files_under(dir)
            .unwrap()
            .iter()
            .map(|(_, stat)| stat.len)
            .sum()
    }

    fn everything(started: SystemTime) -> Sweep {
        Sweep {
            remove: HashSet::new(),
            compact: true,
            content: ContentScope::All,
            temp_before: Some(started),
            started,
        }
    }

    #[test]
    fn removing_an_entry_frees_its_bucket_and_unshared_content() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        for n in 0..3 {
            // Entries 0 and 1 share a body.
            let body: &[u8] = if n < 2 { b"shared" } else { b"own" };
            cache.put(&key(n), body, &EntryInfo::now()).unwrap();
        }
        let inventory = Inventory::scan(dir.path()).unwrap();
        let position = |n| {
            inventory
                .entries
                .iter()
                .position(|entry| entry.line.key == key(n).as_key())
                .unwrap()
        };
        let started = SystemTime::now();
        let sweep = Sweep {
            remove: [position(0), position(2)].into(),
            ..everything(started)
        };
        let swept = sweep.run(dir.path(), &inventory).unwrap();
        assert_eq!(swept.entries, 2);
        assert_eq!(swept.files, 3, "two buckets and the unshared body");
        assert!(cache.get(&key(0)).is_none());
        assert_eq!(cache.get(&key(1)).unwrap().body, b"shared");
        assert!(cache.get(&key(2)).is_none());
        assert_eq!(on_disk(dir.path()), inventory.total.bytes - swept.bytes);
    }

    #[test]
    fn compaction_drops_history_and_garbage_content() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        cache.put(&key(0), b"first", &EntryInfo::now()).unwrap();
        cache.put(&key(0), b"second", &EntryInfo::now()).unwrap();
        cache.put(&key(1), b"gone", &EntryInfo::now()).unwrap();
        cacache::remove_sync(dir.path(), key(1).as_key()).unwrap();
        std::fs::create_dir_all(dir.path().join("tmp")).unwrap();
        std::fs::write(dir.path().join("tmp/.tmpCRASH"), b"half a body").unwrap();
        std::fs::write(dir.path().join("tmp/notes"), b"not ours").unwrap();
        let inventory = Inventory::scan(dir.path()).unwrap();
        let swept = everything(SystemTime::now())
            .run(dir.path(), &inventory)
            .unwrap();
        assert_eq!(swept.entries, 0);
        // key(1)'s bucket, "first", "gone" and the stale temporary file.
        assert_eq!(swept.files, 4);
        assert_eq!(cache.get(&key(0)).unwrap().body, b"second");
        let after = Inventory::scan(dir.path()).unwrap();
        assert_eq!(after.buckets.len(), 1);
        assert_eq!(after.buckets[0].lines.len(), 1);
        assert_eq!(after.contents.len(), 1);
        assert!(dir.path().join("tmp/notes").exists());
        assert_eq!(after.total.bytes, inventory.total.bytes - swept.bytes);
    }

    #[test]
    fn content_written_after_the_snapshot_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        cache.put(&key(0), b"body", &EntryInfo::now()).unwrap();
        let inventory = Inventory::scan(dir.path()).unwrap();
        let sweep = Sweep {
            remove: [0].into(),
            ..everything(SystemTime::now())
        };
        // Another process writes the same body under another key after the snapshot.
        cache.put(&key(1), b"body", &EntryInfo::now()).unwrap();
        sweep.run(dir.path(), &inventory).unwrap();
        assert!(cache.get(&key(0)).is_none());
        assert_eq!(cache.get(&key(1)).unwrap().body, b"body");
    }

    #[test]
    fn a_bucket_written_after_the_snapshot_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        cache.put(&key(0), b"old", &EntryInfo::now()).unwrap();
        let inventory = Inventory::scan(dir.path()).unwrap();
        let started = SystemTime::now();
        cache.put(&key(0), b"fresh", &EntryInfo::now()).unwrap();
        let swept = Sweep {
            remove: [0].into(),
            ..everything(started)
        }
        .run(dir.path(), &inventory)
        .unwrap();
        assert_eq!(swept.busy, 1);
        assert_eq!(cache.get(&key(0)).unwrap().body, b"fresh");
    }
}
