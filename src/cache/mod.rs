//! The on-disk store: a cacache directory of index pages, metadata files and distributions.
//!
//! Entries are addressed by typed [`CacheKey`]s whose text carries a versioned namespace
//! (`simple-v1:`), so a change of format never reads an old entry. Each entry keeps its body and
//! an [`EntryInfo`] (when it was fetched, and the HTTP validators the server sent), which is what
//! freshness decisions need. Metadata and distributions are keyed by the file's sha256: they are
//! immutable and never fetched twice.
//!
//! cacache writes through a temporary file and a rename, so a reader never sees half an entry and
//! concurrent pinwheel processes can share one directory. This module knows nothing of HTTP or of
//! the resolver; it uses cacache's synchronous API, which is 10–30× faster per read than its async
//! one. Callers on tokio read on the calling task (a read of a small, page-cached file is
//! cheaper than a hand-off to the blocking pool) and write through `spawn_blocking`.
//!
//! [`maintenance`] reports on the store and shrinks it (`pinwheel cache info|clean|prune`); it
//! reads cacache's on-disk format directly (`layout`), since cacache itself has no size
//! accounting, garbage collection or index compaction. It also covers the whole directory
//! trees other modules keep in the cache directory (`trees`: git checkouts, build
//! environments), whose owners mark a reused tree with [`touch_tree`].

mod inventory;
mod layout;
pub mod maintenance;
mod ownership;
mod selection;
mod sweep;
mod trees;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::types::{BlockSource, PackageName, Sha256Digest, Sha256Hasher};

pub use trees::{BUILD_ENVIRONMENTS_DIR, GIT_CHECKOUTS_DIR, touch_tree};

/// The piece size of streamed copies out of the store.
const COPY_BUFFER: usize = 256 * 1024;

/// A cache entry's address.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CacheKey {
    /// A page's body as the server sent it (`--find-links` pages; `index` is the page's URL).
    Page {
        /// The index URL.
        index: String,
        /// The project.
        name: PackageName,
    },
    /// A project's page on one index (`index` is the index URL as configured), parsed and
    /// stored as a `PackedProject`, so that a warm run decodes only the versions it looks at.
    PackedPage {
        /// The index URL.
        index: String,
        /// The project.
        name: PackageName,
    },
    /// The core metadata of the distribution with this sha256.
    Metadata(Sha256Digest),
    /// The core metadata of a file known only by URL (no digest from an index).
    UrlMetadata(String),
    /// A whole distribution file, by its sha256.
    Distribution(Sha256Digest),
    /// The sha256 (as hex text) of a file an index listed without one, by URL.
    UrlDigest(String),
    /// The PEP 740 provenance object of the file with this sha256, as the index last served
    /// it. Unlike metadata it can change (an index may add attestations), so it is fetched
    /// again whenever pinwheel is online and read from here only offline.
    Provenance(Sha256Digest),
    /// The metadata of many of a project's distributions in one entry (`index/bundle.rs`),
    /// written after a run that walked the project's versions.
    MetadataBundle(PackageName),
    /// The core metadata a build produced from the sdist with this sha256, with an interpreter
    /// and on a platform named by `interpreter` (`cp311-manylinux_2_36_x86_64`): a build's
    /// answer can depend on both.
    BuiltMetadata {
        /// The sdist's sha256.
        sdist: Sha256Digest,
        /// The building interpreter's cache tag.
        interpreter: String,
    },
}

impl CacheKey {
    /// The key text in the store, with its format version.
    #[must_use]
    pub fn as_key(&self) -> String {
        match self {
            Self::Page { index, name } => format!("simple-v1:{index}:{name}"),
            Self::PackedPage { index, name } => format!("simple-packed-v1:{index}:{name}"),
            Self::Metadata(digest) => format!("metadata-v1:{digest}"),
            Self::UrlMetadata(url) => format!("url-metadata-v1:{url}"),
            Self::Distribution(digest) => format!("dist-v1:{digest}"),
            Self::UrlDigest(url) => format!("url-sha256-v1:{url}"),
            Self::Provenance(digest) => format!("provenance-v1:{digest}"),
            Self::MetadataBundle(name) => format!("metadata-bundle-v1:{name}"),
            Self::BuiltMetadata { sdist, interpreter } => {
                format!("built-metadata-v1:{sdist}:{interpreter}")
            }
        }
    }

    /// Reads back a key written by [`CacheKey::as_key`]; `None` for keys of other format
    /// versions or of other programs.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        if let Some(rest) = text.strip_prefix("simple-v1:") {
            let (index, name) = page_key_parts(rest)?;
            return Some(Self::Page { index, name });
        }
        if let Some(rest) = text.strip_prefix("simple-packed-v1:") {
            let (index, name) = page_key_parts(rest)?;
            return Some(Self::PackedPage { index, name });
        }
        if let Some(digest) = text.strip_prefix("metadata-v1:") {
            return Sha256Digest::from_str(digest).ok().map(Self::Metadata);
        }
        if let Some(name) = text.strip_prefix("metadata-bundle-v1:") {
            return PackageName::from_str(name).ok().map(Self::MetadataBundle);
        }
        if let Some(digest) = text.strip_prefix("provenance-v1:") {
            return Sha256Digest::from_str(digest).ok().map(Self::Provenance);
        }
        if let Some(digest) = text.strip_prefix("dist-v1:") {
            return Sha256Digest::from_str(digest).ok().map(Self::Distribution);
        }
        if let Some(rest) = text.strip_prefix("built-metadata-v1:") {
            let (sdist, interpreter) = rest.split_once(':')?;
            return Some(Self::BuiltMetadata {
                sdist: Sha256Digest::from_str(sdist).ok()?,
                interpreter: interpreter.to_string(),
            });
        }
        if let Some(url) = text.strip_prefix("url-metadata-v1:") {
            return Some(Self::UrlMetadata(url.to_string()));
        }
        text.strip_prefix("url-sha256-v1:")
            .map(|url| Self::UrlDigest(url.to_string()))
    }
}

/// `<index>:<name>` of a page key. Project names cannot contain `:`, index URLs can: the name is
/// after the last one.
fn page_key_parts(rest: &str) -> Option<(String, PackageName)> {
    let (index, name) = rest.rsplit_once(':')?;
    Some((index.to_string(), PackageName::from_str(name).ok()?))
}

/// What is known about how an entry was fetched.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryInfo {
    /// When it was fetched, in seconds since the Unix epoch.
    pub fetched_at: u64,
    /// The `ETag` the server sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` the server sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The `Content-Type` the server sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The URL the body came from (after redirects): relative links resolve against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The sha256 of the distribution this entry describes, when the key does not say it (the
    /// metadata of a direct URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Whether the server said the resource does not exist (a cached 404).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_found: bool,
    /// The project a metadata, digest or distribution entry belongs to, so that `pinwheel cache
    /// clean NAME` can find entries whose key is only a digest or a URL. Entries written before
    /// this field existed lack it (see `ownership`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageName>,
    /// The distribution file name the entry describes, for the same reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

impl EntryInfo {
    /// An entry fetched now.
    #[must_use]
    pub fn now() -> Self {
        Self {
            fetched_at: unix_now(),
            ..Self::default()
        }
    }

    /// An entry about a file of `package`, fetched now.
    #[must_use]
    pub fn now_for_file(package: &PackageName, filename: &str) -> Self {
        Self {
            package: Some(package.clone()),
            filename: Some(filename.to_string()),
            ..Self::now()
        }
    }

    /// Whether the entry is younger than `ttl`.
    #[must_use]
    pub fn is_fresh(&self, ttl: Duration) -> bool {
        unix_now().saturating_sub(self.fetched_at) < ttl.as_secs()
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// A cached body with its info.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The body.
    pub body: Vec<u8>,
    /// How it was fetched.
    pub info: EntryInfo,
}

/// A cached body ([`Cache::get_file`]), read by position.
///
/// A small body is read whole when the entry is looked up, so that a concurrent `pinwheel cache
/// prune|clean` removing it cannot fail a read later in the resolve (a packed page's version
/// read after such a removal used to be skipped, and the resolve went wrong). A larger one
/// stays on disk and each read opens the file anew, so a resolve over thousands of projects
/// holds neither their pages nor descriptors; a file removed meanwhile fails that read.
/// Holding descriptors instead made a warm home-assistant resolve 10% slower.
///
/// A body read by position [`READS_BEFORE_WHOLE`] times is then read whole (up to
/// [`READ_WHOLE_LATER_UP_TO`]): the page of a project the solver walks back through (botocore's
/// 1,462 versions on boto3.in) was three system calls per version otherwise.
#[derive(Clone, Debug)]
pub struct ContentFile {
    path: PathBuf,
    size: u64,
    whole: Option<std::sync::Arc<Vec<u8>>>,
    /// Shared by the clones of one lookup.
    later: std::sync::Arc<ReadLater>,
}

/// How a [`ContentFile`] read by position has been read so far.
#[derive(Debug, Default)]
struct ReadLater {
    /// Reads by position so far.
    reads: std::sync::atomic::AtomicU32,
    /// The body once read whole after [`READS_BEFORE_WHOLE`] of them (`None` inside when it
    /// could not be).
    whole: std::sync::OnceLock<Option<Vec<u8>>>,
}

/// Bodies up to this size are read whole by [`Cache::get_file`]: most projects' packed pages.
const READ_WHOLE_UP_TO: u64 = 64 * 1024;

/// After this many reads by position, a body is read whole.
const READS_BEFORE_WHOLE: u32 = 32;

/// The largest body read whole after [`READS_BEFORE_WHOLE`] reads.
const READ_WHOLE_LATER_UP_TO: u64 = 16 * 1024 * 1024;

impl BlockSource for ContentFile {
    fn len(&self) -> u64 {
        self.size
    }

    fn read_at(&self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        use std::os::unix::fs::FileExt as _;
        if let Some(whole) = &self.whole {
            return whole.as_ref().read_at(offset, len);
        }
        let later = &*self.later;
        if let Some(Some(whole)) = later.whole.get() {
            return whole.read_at(offset, len);
        }
        if later
            .reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            >= READS_BEFORE_WHOLE
            && self.size <= READ_WHOLE_LATER_UP_TO
        {
            // A body that cannot be read whole, or is not its recorded size, stays on disk.
            let whole = later.whole.get_or_init(|| {
                std::fs::read(&self.path)
                    .ok()
                    .filter(|bytes| bytes.len() as u64 == self.size)
            });
            if let Some(whole) = whole {
                return whole.read_at(offset, len);
            }
        }
        let file = std::fs::File::open(&self.path)?;
        let mut buffer = vec![0; len];
        file.read_exact_at(&mut buffer, offset)?;
        Ok(buffer)
    }
}

/// A failure of the store itself (not a miss).
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The directory cannot be created.
    #[error("cannot create the cache directory `{}`", path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// cacache failed to write an entry.
    #[error("cannot write `{key}` to the cache at `{}`", dir.display())]
    Write {
        /// The key.
        key: String,
        /// The cache directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: cacache::Error,
    },
}

/// The cache directory.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// Opens (and creates) the cache at `dir`.
    ///
    /// # Errors
    /// When the directory cannot be created.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, CacheError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|source| CacheError::CreateDir {
            path: dir.clone(),
            source,
        })?;
        Ok(Self { dir })
    }

    /// The cache directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// An entry whose body stays on disk, to be read piece by piece: packed index pages, which
    /// a warm resolve mostly does not need to read at all. cacache's integrity is not checked
    /// (that needs the whole body); the packed format checks its own pieces instead.
    #[must_use]
    pub fn get_file(&self, key: &CacheKey) -> Option<(EntryInfo, ContentFile)> {
        let key = key.as_key();
        let metadata = cacache::metadata_sync(&self.dir, &key).ok()??;
        let info: EntryInfo = serde_json::from_value(metadata.metadata).unwrap_or_default();
        let path = layout::content_path_of(&self.dir, &metadata.integrity)?;
        let size = metadata.size as u64;
        let whole = if size <= READ_WHOLE_UP_TO {
            // Removed by a concurrent prune since the index was read: a miss.
            let bytes = std::fs::read(&path).ok()?;
            // A body that is not the size the index recorded is damage: a miss too.
            if bytes.len() as u64 != size {
                return None;
            }
            Some(std::sync::Arc::new(bytes))
        } else {
            None
        };
        Some((
            info,
            ContentFile {
                path,
                size,
                whole,
                later: std::sync::Arc::default(),
            },
        ))
    }

    /// Whether an entry exists (its content is neither read nor checked).
    #[must_use]
    pub fn contains(&self, key: &CacheKey) -> bool {
        matches!(cacache::metadata_sync(&self.dir, key.as_key()), Ok(Some(_)))
    }

    /// Reads an entry. A missing, unreadable or corrupt entry is a miss: the cache is only ever
    /// an optimisation, so damage to it must cost a refetch, never a failed run.
    #[must_use]
    pub fn get(&self, key: &CacheKey) -> Option<Entry> {
        let key = key.as_key();
        let metadata = match cacache::metadata_sync(&self.dir, &key) {
            Ok(Some(metadata)) => metadata,
            Ok(None) => return None,
            Err(error) => {
                tracing::debug!("cache index entry `{key}` unreadable: {error}");
                return None;
            }
        };
        let info: EntryInfo = serde_json::from_value(metadata.metadata).unwrap_or_default();
        // cacache panics on an integrity it cannot turn into a content path (an empty or
        // malformed one); such an index line can only come from damage, so it is a miss.
        if layout::content_path_of(&self.dir, &metadata.integrity).is_none() {
            tracing::debug!("cache index entry `{key}` has an unusable integrity");
            return None;
        }
        // Reading by the recorded integrity also verifies the content. The content file may
        // have been removed by a concurrent `pinwheel cache prune|clean` after the index was
        // read: that is a miss like any other.
        match cacache::read_hash_sync(&self.dir, &metadata.integrity) {
            Ok(body) => Some(Entry { body, info }),
            Err(error) => {
                tracing::debug!("cache content for `{key}` unreadable: {error}");
                None
            }
        }
    }

    /// Writes an entry, replacing any earlier one under the same key.
    ///
    /// # Errors
    /// When cacache cannot write.
    pub fn put(&self, key: &CacheKey, body: &[u8], info: &EntryInfo) -> Result<(), CacheError> {
        let key_text = key.as_key();
        // cacache preallocates the declared size, and `posix_fallocate` rejects a length of 0:
        // an empty body (a cached 404) is written without one.
        let size = (!body.is_empty()).then_some(body.len());
        let mut writer = self.writer(&key_text, info, size)?;
        // In one write: for declared sizes up to 1 MiB cacache writes through a memory map
        // that only accepts the whole body at once.
        std::io::Write::write_all(&mut writer, body)
            .map_err(|error| self.io_error(&key_text, error))?;
        writer
            .commit()
            .map_err(|source| self.write_error(&key_text, source))?;
        Ok(())
    }

    /// Writes an entry whose `size`-byte body is read from `body` piece by piece, so that a
    /// large distribution is never held in memory. Nothing is stored unless exactly `size`
    /// bytes were read.
    ///
    /// # Errors
    /// When `body` cannot be read or is not `size` bytes long, or cacache cannot write.
    pub fn put_reader(
        &self,
        key: &CacheKey,
        body: &mut impl Read,
        size: u64,
        info: &EntryInfo,
    ) -> Result<(), CacheError> {
        let key_text = key.as_key();
        // No declared size: cacache would then write small bodies through a memory map that
        // takes the body in a single write, which a stream cannot do. The length is checked
        // here instead, before committing.
        let mut writer = self.writer(&key_text, info, None)?;
        let copied =
            std::io::copy(body, &mut writer).map_err(|error| self.io_error(&key_text, error))?;
        if copied != size {
            let error = std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("expected {size} bytes, read {copied}"),
            );
            return Err(self.io_error(&key_text, error));
        }
        writer
            .commit()
            .map_err(|source| self.write_error(&key_text, source))?;
        Ok(())
    }

    fn writer(
        &self,
        key_text: &str,
        info: &EntryInfo,
        size: Option<usize>,
    ) -> Result<cacache::SyncWriter, CacheError> {
        let metadata = serde_json::to_value(info).unwrap_or_default();
        // cacache's integrity only guards the store against damage (what pinwheel trusts is
        // the index's sha256, checked on fetch), so it uses xxh3: verifying every read with
        // sha256 was 8% of a warm resolve.
        let mut options = cacache::WriteOpts::new()
            .algorithm(cacache::Algorithm::Xxh3)
            .metadata(metadata);
        if let Some(size) = size {
            options = options.size(size);
        }
        options
            .open_sync(&self.dir, key_text)
            .map_err(|source| self.write_error(key_text, source))
    }

    fn write_error(&self, key_text: &str, source: cacache::Error) -> CacheError {
        CacheError::Write {
            key: key_text.to_string(),
            dir: self.dir.clone(),
            source,
        }
    }

    fn io_error(&self, key_text: &str, error: std::io::Error) -> CacheError {
        self.write_error(
            key_text,
            cacache::Error::IoError(error, "writing cache entry".to_string()),
        )
    }

    /// Streams the body of the entry under `key` into `out`, hashing what it copies, and returns
    /// the body's sha256 and length. `Ok(None)` is a miss: no entry, or one whose content cannot
    /// be read (damage costs a refetch, as in [`Cache::get`]); `out` may then hold part of it
    /// and must be discarded.
    ///
    /// # Errors
    /// Only when `out` cannot be written.
    pub fn copy_to(
        &self,
        key: &CacheKey,
        out: &mut impl Write,
    ) -> std::io::Result<Option<(Sha256Digest, u64)>> {
        let key = key.as_key();
        let mut reader = match cacache::SyncReader::open(&self.dir, &key) {
            Ok(reader) => reader,
            Err(cacache::Error::EntryNotFound(..)) => return Ok(None),
            Err(error) => {
                tracing::debug!("cache entry `{key}` unreadable: {error}");
                return Ok(None);
            }
        };
        let mut hasher = Sha256Hasher::new();
        let mut buffer = vec![0; COPY_BUFFER];
        loop {
            let read = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    tracing::debug!("cache content for `{key}` unreadable: {error}");
                    return Ok(None);
                }
            };
            let chunk = buffer.get(..read).unwrap_or_default();
            hasher.update(chunk);
            out.write_all(chunk)?;
        }
        // The caller compares the digest with the one it expects, which is a stronger check
        // than cacache's integrity (whatever algorithm it was written with): no second pass.
        Ok(Some(hasher.finish()))
    }

    /// Removes the entry under `key`, so that the next lookup is a miss (its content is left
    /// for `pinwheel cache prune` to collect). Removing a missing entry is not an error.
    ///
    /// # Errors
    /// When cacache cannot write the removal.
    pub fn remove(&self, key: &CacheKey) -> Result<(), CacheError> {
        let key_text = key.as_key();
        cacache::remove_sync(&self.dir, &key_text)
            .map_err(|source| self.write_error(&key_text, source))
    }

    /// Updates only the info of an entry (a revalidated page keeps its body).
    ///
    /// # Errors
    /// When cacache cannot write.
    pub fn touch(&self, key: &CacheKey, entry: &Entry, info: &EntryInfo) -> Result<(), CacheError> {
        self.put(key, &entry.body, info)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn round_trips_body_and_info() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path().join("c")).unwrap();
        let key = CacheKey::Page {
            index: "https://pypi.org/simple".into(),
            name: PackageName::from_str("Foo_Bar").unwrap(),
        };
        assert_eq!(key.as_key(), "simple-v1:https://pypi.org/simple:foo-bar");
        assert!(cache.get(&key).is_none());
        let info = EntryInfo {
            etag: Some("\"x\"".into()),
            ..EntryInfo::now()
        };
        cache.put(&key, b"<html>", &info).unwrap();
        let entry = cache.get(&key).unwrap();
        assert_eq!(entry.body, b"<html>");
        assert_eq!(entry.info, info);
        assert!(entry.info.is_fresh(Duration::from_secs(600)));
        assert!(
            !EntryInfo {
                fetched_at: 0,
                ..info
            }
            .is_fresh(Duration::from_secs(600))
        );
    }

    #[test]
    fn a_large_body_read_by_position_many_times_is_then_read_whole() {
        let (_dir, cache) = packed_page_cache();
        let key = packed_page_key("botocore");
        let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        cache.put(&key, &body, &EntryInfo::now()).unwrap();
        let (_, file) = cache.get_file(&key).unwrap();
        assert!(file.whole.is_none(), "too large to be read at lookup");
        for read in 0..=READS_BEFORE_WHOLE {
            let at = u64::from(read) * 100;
            assert_eq!(
                file.read_at(at, 3).unwrap(),
                body[at as usize..at as usize + 3]
            );
        }
        // From now on the body is in memory: the file is no longer needed.
        std::fs::remove_file(&file.path).unwrap();
        assert_eq!(file.read_at(199_990, 10).unwrap(), body[199_990..]);
        assert!(
            file.read_at(199_995, 10).is_err(),
            "reads past the end still fail"
        );
    }

    #[test]
    fn a_file_entry_is_read_by_position_even_once_a_prune_removed_it() {
        let (_dir, cache) = packed_page_cache();
        let key = packed_page_key("foo");
        let info = EntryInfo::now();
        cache.put(&key, b"0123456789", &info).unwrap();

        let (read_info, file) = cache.get_file(&key).unwrap();
        assert_eq!(read_info, info);
        assert_eq!(file.len(), 10);
        assert_eq!(file.read_at(3, 4).unwrap(), b"3456");
        assert!(file.read_at(8, 4).is_err(), "reads past the end fail");

        // A concurrent prune removes the content: a small body read at lookup stays readable,
        // and the next lookup is a miss.
        std::fs::remove_file(&file.path).unwrap();
        assert_eq!(file.read_at(0, 2).unwrap(), b"01");
        assert!(cache.get_file(&key).is_none());
        assert!(cache.get_file(&packed_page_key("bar")).is_none());
    }

    fn packed_page_cache() -> (tempfile::TempDir, Cache) {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path().join("c")).unwrap();
        (dir, cache)
    }

    fn packed_page_key(name: &str) -> CacheKey {
        CacheKey::PackedPage {
            index: "https://pypi.org/simple/".into(),
            name: PackageName::from_str(name).unwrap(),
        }
    }

    #[test]
    fn keys_parse_back() {
        let keys = [
            CacheKey::Page {
                index: "https://user@example.com:8443/simple/".into(),
                name: PackageName::from_str("Foo_Bar").unwrap(),
            },
            CacheKey::Metadata(Sha256Digest::of(b"m")),
            CacheKey::Provenance(Sha256Digest::of(b"p")),
            CacheKey::UrlMetadata("https://x/a-1.0-py3-none-any.whl".into()),
            CacheKey::Distribution(Sha256Digest::of(b"d")),
            CacheKey::UrlDigest("file:///tmp/a-1.0.tar.gz".into()),
        ];
        for key in keys {
            assert_eq!(CacheKey::parse(&key.as_key()), Some(key));
        }
        for foreign in ["simple-v0:x:y", "metadata-v1:not-hex", "other", ""] {
            assert_eq!(CacheKey::parse(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn an_unusable_integrity_is_a_miss_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let key = CacheKey::Metadata(Sha256Digest::of(b"x"));
        // An index line whose own hash is right but whose integrity names no content path.
        let integrity: cacache::Integrity = "sha256-!!!!".parse().unwrap();
        cacache::index::insert(
            dir.path(),
            &key.as_key(),
            cacache::WriteOpts::new().integrity(integrity),
        )
        .unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        assert!(cache.get(&key).is_none());
    }

    #[test]
    fn empty_bodies_can_be_stored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let key = CacheKey::Page {
            index: "https://x/simple".into(),
            name: PackageName::from_str("gone").unwrap(),
        };
        let info = EntryInfo {
            not_found: true,
            ..EntryInfo::now()
        };
        cache.put(&key, b"", &info).unwrap();
        let entry = cache.get(&key).unwrap();
        assert!(entry.body.is_empty());
        assert!(entry.info.not_found);
    }

    #[test]
    fn corrupt_content_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let key = CacheKey::Metadata(Sha256Digest::of(b"x"));
        cache
            .put(&key, b"Metadata-Version: 2.1", &EntryInfo::now())
            .unwrap();
        for file in walk(&dir.path().join("content-v2")) {
            std::fs::write(file, b"garbage").unwrap();
        }
        assert!(cache.get(&key).is_none());
    }

    #[test]
    fn streams_bodies_in_and_out() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let body: Vec<u8> = (0..700_000u32).map(|n| (n % 251) as u8).collect();
        let key = CacheKey::Distribution(Sha256Digest::of(&body));
        let mut out = Vec::new();
        assert_eq!(cache.copy_to(&key, &mut out).unwrap(), None);
        cache
            .put_reader(&key, &mut &body[..], body.len() as u64, &EntryInfo::now())
            .unwrap();
        assert_eq!(
            cache.copy_to(&key, &mut out).unwrap(),
            Some((Sha256Digest::of(&body), body.len() as u64))
        );
        assert_eq!(out, body);
        // A body shorter than announced is not stored.
        let short = CacheKey::Distribution(Sha256Digest::of(b"short"));
        assert!(
            cache
                .put_reader(&short, &mut &b"short"[..], 10, &EntryInfo::now())
                .is_err()
        );
        assert_eq!(cache.copy_to(&short, &mut Vec::new()).unwrap(), None);
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
        files
    }
}
