//! A snapshot of a cache directory: every file with its size and times, every entry in effect
//! with the content it points to, the git checkouts and build environments (`trees`), and
//! everything else (unreferenced content, index history, temporary files, files that are not
//! the cache's).
//!
//! Another process may write or delete while the snapshot is taken: a file that vanishes
//! between listing and reading is simply left out, never an error.

use std::collections::{BTreeMap, HashSet};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::layout::{self, CONTENT_DIR, INDEX_DIR, IndexLine, TEMP_DIR, TEMP_PREFIX};
use super::maintenance::{EntryKind, MaintenanceError, Usage};
use super::trees::{TreeScan, Trees};
use super::{CacheKey, EntryInfo};

/// Size and times of one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileStat {
    /// Length in bytes.
    pub(crate) len: u64,
    /// Last modification.
    pub(crate) modified: SystemTime,
    /// Last access, as far as the filesystem records it (`relatime` updates it at most daily,
    /// `noatime` never).
    pub(crate) accessed: SystemTime,
}

impl FileStat {
    fn of(metadata: &std::fs::Metadata) -> Self {
        let modified = metadata.modified().unwrap_or(UNIX_EPOCH);
        Self {
            len: metadata.len(),
            modified,
            accessed: metadata.accessed().unwrap_or(modified),
        }
    }
}

/// One index bucket file.
#[derive(Debug)]
pub(crate) struct Bucket {
    /// Its path.
    pub(crate) path: PathBuf,
    /// Its size and times when read: a rewrite only replaces a bucket that still has them.
    pub(crate) stat: FileStat,
    /// Its valid lines, history and deletions included.
    pub(crate) lines: Vec<IndexLine>,
}

/// An entry in effect (the last line of its key, not a deletion).
#[derive(Debug)]
pub(crate) struct IndexedEntry {
    /// What the key says it is.
    pub(crate) kind: EntryKind,
    /// The bucket holding it, as an index into [`Inventory::buckets`].
    pub(crate) bucket: usize,
    /// Its line.
    pub(crate) line: IndexLine,
    /// Its content file and that file's size and times, when it exists. An entry without one
    /// is *dangling*: every read of it is a miss, so it is garbage.
    pub(crate) content: Option<(PathBuf, FileStat)>,
}

impl IndexedEntry {
    /// When the entry was written (fetched, or revalidated).
    pub(crate) fn written(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.line.time_ms)
    }

    /// When the entry was last used: its write, or a later read of its content when the
    /// filesystem records access times. Reads of the index itself are no evidence: scanning the
    /// cache reads every bucket.
    pub(crate) fn last_used(&self) -> SystemTime {
        let written = self.written();
        self.content
            .as_ref()
            .map_or(written, |(_, stat)| stat.accessed.max(written))
    }

    /// Whether reads of this entry can only miss.
    pub(crate) fn is_dangling(&self) -> bool {
        self.content.is_none()
    }

    /// The entry's pinwheel metadata, when it has readable metadata.
    pub(crate) fn info(&self) -> Option<EntryInfo> {
        serde_json::from_value(self.line.metadata.clone()).ok()
    }
}

/// Everything in a cache directory.
#[derive(Debug, Default)]
pub(crate) struct Inventory {
    /// Index buckets.
    pub(crate) buckets: Vec<Bucket>,
    /// Entries in effect, sorted by key.
    pub(crate) entries: Vec<IndexedEntry>,
    /// Content files.
    pub(crate) contents: BTreeMap<PathBuf, FileStat>,
    /// Temporary files (`tmp/.tmp*`): writes in progress, or left by a crash.
    pub(crate) temp_files: Vec<(PathBuf, FileStat)>,
    /// Git checkouts and build environments, and the temporary directories beside them.
    pub(crate) trees: Trees,
    /// Files that are not the cache's (anything outside its three directories and the trees),
    /// which maintenance never touches.
    pub(crate) foreign: Usage,
    /// Every file.
    pub(crate) total: Usage,
}

impl Inventory {
    /// Reads the cache at `dir`. A missing directory is an empty cache.
    ///
    /// # Errors
    /// When a directory or bucket cannot be read for another reason than having vanished.
    pub(crate) fn scan(dir: &Path) -> Result<Self, MaintenanceError> {
        let mut inventory = Self::default();
        let mut trees = TreeScan::default();
        for (path, stat) in files_under(dir)? {
            inventory.total.add(stat.len);
            let relative = path.strip_prefix(dir).unwrap_or(&path);
            let top = relative.components().next().map(|part| part.as_os_str());
            if top == Some(INDEX_DIR.as_ref()) {
                if let Some(lines) = read_bucket(&path)? {
                    inventory.buckets.push(Bucket { path, stat, lines });
                }
            } else if top == Some(CONTENT_DIR.as_ref()) {
                inventory.contents.insert(path, stat);
            } else if top == Some(TEMP_DIR.as_ref()) && is_temp_file(&path) {
                inventory.temp_files.push((path, stat));
            } else if !trees.take(dir, relative, stat) {
                inventory.foreign.add(stat.len);
            }
        }
        inventory.trees = trees.finish(dir)?;
        let mut entries = Vec::new();
        for (position, bucket) in inventory.buckets.iter().enumerate() {
            for line in layout::live_lines(&bucket.lines) {
                let content = line
                    .integrity
                    .as_deref()
                    .and_then(|integrity| layout::content_path(dir, integrity))
                    .and_then(|path| {
                        let stat = *inventory.contents.get(&path)?;
                        Some((path, stat))
                    });
                entries.push(IndexedEntry {
                    kind: CacheKey::parse(&line.key).map_or(EntryKind::Other, |key| (&key).into()),
                    bucket: position,
                    line: line.clone(),
                    content,
                });
            }
        }
        entries.sort_by(|left, right| left.line.key.cmp(&right.line.key));
        inventory.entries = entries;
        Ok(inventory)
    }
}

/// The content files that the index of `dir` refers to now. Read again just before content is
/// deleted, so that entries written by another process since the snapshot keep their content.
///
/// # Errors
/// When the index cannot be read.
pub(crate) fn referenced_now(dir: &Path) -> Result<HashSet<PathBuf>, MaintenanceError> {
    let mut referenced = HashSet::new();
    for (path, _) in files_under(&dir.join(INDEX_DIR))? {
        let Some(lines) = read_bucket(&path)? else {
            continue;
        };
        referenced.extend(
            layout::live_lines(&lines)
                .into_iter()
                .filter_map(|line| layout::content_path(dir, line.integrity.as_deref()?)),
        );
    }
    Ok(referenced)
}

/// Bytes the filesystem allocated for `dir` and everything under it, directories included, as
/// `du` counts them; `None` where the platform does not say. Only reported: limits apply to
/// file lengths, which do not depend on the filesystem.
pub(crate) fn allocated_bytes(dir: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let mut total = 0;
        let mut pending = vec![dir.to_path_buf()];
        while let Some(next) = pending.pop() {
            let Ok(metadata) = std::fs::symlink_metadata(&next) else {
                continue;
            };
            // `st_blocks` counts 512-byte units whatever the filesystem's block size.
            total += metadata.blocks() * 512;
            if metadata.is_dir()
                && let Ok(listing) = std::fs::read_dir(&next)
            {
                pending.extend(listing.flatten().map(|item| item.path()));
            }
        }
        Some(total)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// Whether `path` (in `tmp/`) is a temporary file cacache or pinwheel created.
pub(crate) fn is_temp_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with(TEMP_PREFIX))
}

/// The lines of a bucket; `None` when it vanished.
fn read_bucket(path: &Path) -> Result<Option<Vec<IndexLine>>, MaintenanceError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(layout::parse_bucket(&String::from_utf8_lossy(&bytes)))),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(MaintenanceError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Every regular file under `dir`, recursively (symbolic links are not followed).
pub(crate) fn files_under(dir: &Path) -> Result<Vec<(PathBuf, FileStat)>, MaintenanceError> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let listing = match std::fs::read_dir(&next) {
            Ok(listing) => listing,
            Err(error) if error.kind() == ErrorKind::NotFound => continue,
            Err(source) => return Err(MaintenanceError::Read { path: next, source }),
        };
        for item in listing {
            let item = item.map_err(|source| MaintenanceError::Read {
                path: next.clone(),
                source,
            })?;
            let path = item.path();
            let metadata = match std::fs::symlink_metadata(&path) {
                Ok(metadata) => metadata,
                Err(error) if error.kind() == ErrorKind::NotFound => continue,
                Err(source) => return Err(MaintenanceError::Read { path, source }),
            };
            if metadata.is_dir() {
                pending.push(path);
            } else {
                files.push((path, FileStat::of(&metadata)));
            }
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{Cache, CacheKey};
    use crate::types::Sha256Digest;

    #[test]
    fn counts_every_file_and_finds_entries_and_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let metadata = CacheKey::Metadata(Sha256Digest::of(b"a"));
        cache
            .put(&metadata, b"Metadata-Version: 2.1", &EntryInfo::now())
            .unwrap();
        let digest = CacheKey::UrlDigest("https://x/a-1.0.tar.gz".into());
        cache.put(&digest, b"old", &EntryInfo::now()).unwrap();
        cache.put(&digest, b"new", &EntryInfo::now()).unwrap();
        std::fs::write(dir.path().join("README"), b"mine").unwrap();

        let inventory = Inventory::scan(dir.path()).unwrap();
        let kinds: Vec<_> = inventory.entries.iter().map(|entry| entry.kind).collect();
        assert_eq!(kinds, [EntryKind::Metadata, EntryKind::Digest]);
        assert_eq!(
            inventory.contents.len(),
            3,
            "the old digest body is still on disk"
        );
        assert_eq!(inventory.foreign, Usage { files: 1, bytes: 4 });
        let on_disk: u64 = files_under(dir.path())
            .unwrap()
            .iter()
            .map(|(_, stat)| stat.len)
            .sum();
        assert_eq!(inventory.total.bytes, on_disk);
        assert!(inventory.entries.iter().all(|entry| !entry.is_dangling()));
        assert_eq!(referenced_now(dir.path()).unwrap().len(), 2);
    }

    #[test]
    fn a_missing_directory_is_an_empty_cache() {
        let dir = tempfile::tempdir().unwrap();
        let inventory = Inventory::scan(&dir.path().join("nothing")).unwrap();
        assert_eq!(inventory.total, Usage::default());
        assert!(inventory.entries.is_empty());
    }
}
