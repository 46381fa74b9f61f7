//! A walked project's cached metadata in one cache entry (`metadata-bundle-v1:<name>`).
//!
//! A resolve that walks back through a project's versions reads their metadata one cache entry
//! at a time, and each entry is two files (cacache's index bucket, then the content): boto3.in
//! reads 2,924 of them, and on a warm run that was most of its time. So at the end of a run,
//! the metadata of every project that needed at least [`BUNDLE_AFTER`] entries is written again
//! as one entry, and the next run loads it with the project's first lookup and answers the
//! rest from memory.
//!
//! A record is keyed by its distribution's sha256, as `metadata-v1` entries are, and holds the
//! same body: a bundle is never stale, only incomplete (what it lacks is read one entry at a
//! time, and the bundle is written again with it). The cache checks the whole entry on read,
//! as it checks every entry; a bundle that does not decode is a miss.

use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::{FxHashMap, FxHashSet};

use super::IndexClient;
use super::metadata_fetch::FetchedMetadata;
use crate::cache::{Cache, CacheKey, EntryInfo};
use crate::types::{IndexFile, PackageName, Sha256Digest};

/// A project whose run read this many metadata entries one by one gets a bundle.
const BUNDLE_AFTER: usize = 16;

/// A bundle stops growing at this size (some 200,000 typical records).
const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;

/// The format's first bytes; another version's bundle is a miss.
const MAGIC: &[u8; 8] = b"pwmb\x00\x00\x00\x01";

/// The bundles of one run: loaded on first use, and what each project read besides.
#[derive(Debug, Default)]
pub(crate) struct Bundles {
    projects: Mutex<FxHashMap<PackageName, Arc<ProjectBundle>>>,
}

#[derive(Debug, Default)]
struct ProjectBundle {
    /// The bundle in the cache, looked up once (`None` inside when there is none).
    loaded: OnceLock<Option<Bundle>>,
    /// Metadata entries of the project this run read one by one.
    read: Mutex<FxHashSet<Sha256Digest>>,
}

/// A decoded bundle: each record's body is a range of `body`.
#[derive(Debug)]
struct Bundle {
    records: FxHashMap<Sha256Digest, Range<usize>>,
    body: Vec<u8>,
}

impl Bundles {
    fn project(&self, name: &PackageName) -> Arc<ProjectBundle> {
        let mut projects = self
            .projects
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(projects.entry(name.clone()).or_default())
    }

    /// The cached metadata body of `name`'s distribution `digest`, from its bundle when it
    /// has one, else from the entry of its own (which is then remembered for the next bundle).
    /// Blocks on the disk.
    pub(crate) fn metadata_body(
        &self,
        cache: &Cache,
        name: &PackageName,
        digest: Sha256Digest,
    ) -> Option<Vec<u8>> {
        let project = self.project(name);
        let loaded = project.loaded.get_or_init(|| {
            let entry = cache.get(&CacheKey::MetadataBundle(name.clone()))?;
            let bundle = decode(entry.body);
            if bundle.is_none() {
                tracing::debug!("the metadata bundle of {name} does not decode: ignored");
            }
            bundle
        });
        if let Some(bundle) = loaded
            && let Some(range) = bundle.records.get(&digest)
        {
            return Some(bundle.body[range.clone()].to_vec());
        }
        let entry = cache.get(&CacheKey::Metadata(digest))?;
        project
            .read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(digest);
        Some(entry.body)
    }

    /// Notes that `name`'s distribution `digest` had its metadata fetched and cached this run.
    pub(crate) fn note_fetched(&self, name: &PackageName, digest: Sha256Digest) {
        self.project(name)
            .read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(digest);
    }

    /// Writes the bundle of every project that read at least [`BUNDLE_AFTER`] entries one by
    /// one this run: its old records and those. Blocks on the disk. Failures only cost the
    /// next run its shortcut.
    pub(crate) fn write(&self, cache: &Cache) {
        let projects: Vec<(PackageName, Arc<ProjectBundle>)> = self
            .projects
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(name, project)| (name.clone(), Arc::clone(project)))
            .collect();
        for (name, project) in projects {
            let read: Vec<Sha256Digest> = project
                .read
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .iter()
                .copied()
                .collect();
            if read.len() < BUNDLE_AFTER {
                continue;
            }
            // This run's entries win over the old bundle's: one read again replaced a record
            // the bundle held (a refusal cached by an older reader).
            let mut records: FxHashMap<Sha256Digest, Vec<u8>> = FxHashMap::default();
            if let Some(old) = project.loaded.get().and_then(Option::as_ref) {
                records.extend(
                    old.records
                        .iter()
                        .map(|(digest, range)| (*digest, old.body[range.clone()].to_vec())),
                );
            }
            for digest in read {
                if let Some(entry) = cache.get(&CacheKey::Metadata(digest)) {
                    records.insert(digest, entry.body);
                }
            }
            let mut records: Vec<(Sha256Digest, Vec<u8>)> = records.into_iter().collect();
            let Some(body) = encode(&mut records) else {
                tracing::debug!("the metadata bundle of {name} would be too large: not written");
                continue;
            };
            let info = EntryInfo {
                package: Some(name.clone()),
                ..EntryInfo::now()
            };
            match cache.put(&CacheKey::MetadataBundle(name.clone()), &body, &info) {
                Ok(()) => tracing::debug!(
                    "wrote the metadata bundle of {name}: {} records, {} bytes",
                    records.len(),
                    body.len()
                ),
                Err(error) => {
                    tracing::debug!("could not write the metadata bundle of {name}: {error}")
                }
            }
        }
    }
}

impl IndexClient {
    /// `file`'s metadata from the local cache, through its project's bundle when there is
    /// one (`bundle.rs`). Blocks on the disk.
    pub(super) fn local_metadata(&self, file: &IndexFile) -> Option<FetchedMetadata> {
        let cache = self.inner.cache.as_ref()?;
        let Some(digest) = file.sha256 else {
            let entry = cache.get(&super::metadata_cache_key(file))?;
            return self.usable_cached_metadata(file, &entry.body);
        };
        let body = self
            .inner
            .bundles
            .metadata_body(cache, file.dist.name(), digest)?;
        self.note_read(&CacheKey::Metadata(digest));
        self.usable_cached_metadata(file, &body)
    }

    /// Remembers that `file`'s metadata entry was written this run, for its project's bundle.
    pub(super) fn note_cached(&self, file: &IndexFile) {
        if let Some(digest) = file.sha256 {
            self.inner.bundles.note_fetched(file.dist.name(), digest);
        }
    }

    /// Writes the metadata bundles this run earned (`bundle.rs`), off the runtime's threads.
    pub async fn write_bundles(&self) {
        if self.inner.cache.is_none() {
            return;
        }
        let inner = Arc::clone(&self.inner);
        let written = tokio::task::spawn_blocking(move || {
            if let Some(cache) = &inner.cache {
                inner.bundles.write(cache);
            }
        });
        if let Err(error) = written.await {
            tracing::debug!("the metadata bundles were not written: {error}");
        }
    }
}

/// `MAGIC`, a record count, then per record its digest, its length and its body (lengths
/// little-endian `u32`), sorted by digest so that the same records give the same bytes.
/// `None` past [`MAX_BUNDLE_BYTES`].
fn encode(records: &mut [(Sha256Digest, Vec<u8>)]) -> Option<Vec<u8>> {
    records.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let size: usize = records.iter().map(|(_, body)| 36 + body.len()).sum();
    if size > MAX_BUNDLE_BYTES {
        return None;
    }
    let mut out = Vec::with_capacity(MAGIC.len() + 4 + size);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&u32::try_from(records.len()).ok()?.to_le_bytes());
    for (digest, body) in records.iter() {
        out.extend_from_slice(digest.as_bytes());
        out.extend_from_slice(&u32::try_from(body.len()).ok()?.to_le_bytes());
        out.extend_from_slice(body);
    }
    Some(out)
}

/// Reads [`encode`]'s format back; `None` when `body` is not exactly one bundle.
fn decode(body: Vec<u8>) -> Option<Bundle> {
    let rest = body.strip_prefix(MAGIC.as_slice())?;
    let count = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?);
    let mut at = MAGIC.len() + 4;
    let mut records = FxHashMap::default();
    for _ in 0..count {
        let digest: [u8; 32] = body.get(at..at + 32)?.try_into().ok()?;
        let length = u32::from_le_bytes(body.get(at + 32..at + 36)?.try_into().ok()?);
        let start = at + 36;
        let end = start.checked_add(usize::try_from(length).ok()?)?;
        body.get(start..end)?;
        records.insert(Sha256Digest::from_bytes(digest), start..end);
        at = end;
    }
    (at == body.len()).then_some(Bundle { records, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(byte: u8) -> Sha256Digest {
        Sha256Digest::from_bytes([byte; 32])
    }

    #[test]
    fn records_come_back_as_written() {
        let mut records = vec![
            (digest(2), b"Name: b\n".to_vec()),
            (digest(1), b"Name: a\n".to_vec()),
            (digest(3), Vec::new()),
        ];
        let body = encode(&mut records).unwrap();
        let bundle = decode(body).unwrap();
        assert_eq!(bundle.records.len(), 3);
        for (digest, expected) in &records {
            assert_eq!(
                &bundle.body[bundle.records[digest].clone()],
                expected.as_slice()
            );
        }
    }

    #[test]
    fn a_walked_project_is_read_from_its_bundle_on_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let name: PackageName = "botocore".parse().unwrap();
        let digests: Vec<Sha256Digest> = (0..20).map(digest).collect();
        for (i, digest) in digests.iter().enumerate() {
            let body = format!("Name: botocore\nVersion: 1.{i}\n");
            cache
                .put(
                    &CacheKey::Metadata(*digest),
                    body.as_bytes(),
                    &EntryInfo::now(),
                )
                .unwrap();
        }
        let read_all = |bundles: &Bundles| -> Vec<Vec<u8>> {
            digests
                .iter()
                .map(|digest| bundles.metadata_body(&cache, &name, *digest).unwrap())
                .collect()
        };
        let first = Bundles::default();
        let bodies = read_all(&first);
        first.write(&cache);
        // The entries of their own are gone: only the bundle can answer now.
        for digest in &digests {
            cache.remove(&CacheKey::Metadata(*digest)).unwrap();
        }
        assert_eq!(read_all(&Bundles::default()), bodies);

        // A project read only a few times gets none.
        let few = Bundles::default();
        let other: PackageName = "six".parse().unwrap();
        cache
            .put(
                &CacheKey::Metadata(digest(99)),
                b"Name: six\n",
                &EntryInfo::now(),
            )
            .unwrap();
        assert_eq!(
            few.metadata_body(&cache, &other, digest(99)).as_deref(),
            Some(b"Name: six\n".as_slice())
        );
        few.write(&cache);
        assert!(cache.get(&CacheKey::MetadataBundle(other)).is_none());
    }

    #[test]
    fn a_damaged_bundle_is_refused() {
        let body = encode(&mut [(digest(1), b"Name: a\n".to_vec())]).unwrap();
        for cut in 0..body.len() {
            assert!(decode(body[..cut].to_vec()).is_none(), "cut at {cut}");
        }
        let mut longer = body.clone();
        longer.push(0);
        assert!(decode(longer).is_none());
        let mut other = body;
        other[7] = 2;
        assert!(decode(other).is_none(), "another format version");
    }
}
