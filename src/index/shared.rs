//! The remote cache behind the local one (`--remote-cache`, `crate::remote`): a local miss of
//! an entry the remote shares is looked for there, and a hit is kept locally; what this run
//! fetches is sent there in the background. Every shared entry a run reads is noted, for the
//! resolution manifest it leaves for the next runner (`remote/manifest.rs`), and a run that
//! finds one fetches everything it names in one burst before resolving.

use std::time::Instant;

use futures::StreamExt as _;

use super::IndexClient;
use crate::cache::{CacheKey, Entry, EntryInfo};
use crate::remote::{Manifest, ManifestDigest};

/// Remote reads in flight at once during a manifest's burst.
const BURST_WIDTH: usize = 64;

impl IndexClient {
    /// Whether a remote cache is in use (configured, and the run is not offline).
    #[must_use]
    pub fn has_remote(&self) -> bool {
        self.inner.remote.is_some()
    }

    /// Notes that this run read the entry under `key` (from wherever), for its manifest.
    pub fn note_read(&self, key: &CacheKey) {
        if let Some(remote) = &self.inner.remote
            && remote.shares(key)
        {
            self.inner.reads.note(key);
        }
    }

    /// Fetches, in one burst, every entry that the manifest of the resolves with inputs
    /// `digest` names and the local cache lacks, into the local cache. Returns the manifest,
    /// so that [`IndexClient::leave_manifest`] writes a new one only when this run read more.
    pub async fn prefetch(&self, digest: &ManifestDigest) -> Option<Manifest> {
        let remote = self.inner.remote.as_ref()?;
        let cache = self.inner.cache.as_ref()?;
        let started = Instant::now();
        let manifest = remote.manifest(digest).await?;
        let missing: Vec<&CacheKey> = manifest
            .keys
            .iter()
            .filter(|key| remote.shares(key) && !cache.contains(key))
            .collect();
        let wanted = missing.len();
        let fetched = futures::stream::iter(missing)
            .map(|key| async move { self.shared_entry(key).await.is_some() })
            .buffer_unordered(BURST_WIDTH)
            .filter(|found| std::future::ready(*found))
            .count()
            .await;
        tracing::info!(
            "remote cache: the manifest names {} entries; {fetched} of the {wanted} not held locally fetched in {} ms",
            manifest.keys.len(),
            started.elapsed().as_millis()
        );
        Some(manifest)
    }

    /// Leaves the manifest of this run's reads under `digest` for the next runner, unless the
    /// remote is read-only or `found` (the manifest this run fetched) already names them all.
    pub fn leave_manifest(&self, digest: &ManifestDigest, found: Option<&Manifest>) {
        let Some(remote) = &self.inner.remote else {
            return;
        };
        let read = self.inner.reads.manifest();
        if !remote.writes()
            || read.keys.is_empty()
            || found.is_some_and(|found| found.covers(&read))
        {
            return;
        }
        // Keep what the old manifest named too: one run can read less than another (a cache
        // that answered without a lookup, an option that trims the walk).
        let mut keys = read.keys;
        if let Some(found) = found {
            let known: rustc_hash::FxHashSet<&CacheKey> = keys.iter().collect();
            let older: Vec<CacheKey> = found
                .keys
                .iter()
                .filter(|key| !known.contains(key))
                .cloned()
                .collect();
            keys.extend(older);
        }
        remote.put_manifest(digest, &Manifest { keys });
    }

    /// The remote's entry under `key`, kept in the local cache when found; `None` without a
    /// remote, for an entry it does not share, and on any failure (the remote never fails a
    /// run).
    pub async fn shared_entry(&self, key: &CacheKey) -> Option<Entry> {
        let remote = self.inner.remote.as_ref()?;
        self.note_read(key);
        let entry = remote.get(key).await?;
        self.cache_put_local(key, &entry.body, &entry.info).await;
        Some(entry)
    }

    /// Sends an entry this run made to the remote, in the background (when there is one, the
    /// entry is of a kind it shares and the run writes).
    pub fn share(&self, key: &CacheKey, body: &[u8], info: &EntryInfo) {
        self.note_read(key);
        if let Some(remote) = &self.inner.remote {
            remote.put(key, body, info);
        }
    }

    /// Waits (briefly) for the background writes to the remote, and says what the run did
    /// with it (at `-v`).
    pub async fn finish_remote(&self) {
        if let Some(remote) = &self.inner.remote {
            remote.flush().await;
            tracing::info!("{}", remote.summary());
        }
    }
}
