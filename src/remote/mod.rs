//! A shared remote cache for CI fleets (`--remote-cache`): entries one runner fetched are
//! there for the next runner, whose local cache starts empty.
//!
//! What is shared: core metadata by the distribution's sha256 (the costly part of a cold
//! resolve: range requests, whole sdists), metadata built from an sdist, by the sdist's sha256
//! and the building interpreter, and, unless `--remote-cache-pages false`, packed index pages
//! with the time they were fetched, so the local TTL rule decides whether they are fresh. A
//! page decides the URLs and digests that go into a lock, so only trusted runners write.
//! A resolution manifest (`manifest.rs`) names every entry one resolve read, so the next
//! runner with the same inputs fetches them all in one burst.
//!
//! The remote is an optimisation, never a reason to fail: nothing is checked at start-up, each
//! operation has a short timeout and one retry, every failure is a miss, and after
//! [`BREAKER_FAILURES`] failures in a row the remote is off for the rest of the run, with one
//! warning. Writes run in the background, at most [`MAX_PENDING_WRITES`] at once (more are
//! dropped), and are waited for at the end of the run for at most [`FLUSH_DEADLINE`].
//!
//! Every entry read back is checked (`envelope.rs`) before it lands in the local cache.

mod envelope;
mod manifest;
mod spec;
mod store;

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

pub use manifest::{Manifest, ManifestDigest, ReadLog};
pub use spec::{RemoteKind, RemoteMode, RemoteSpec, RemoteSpecError};
pub use store::{Patience, RemoteStore};

use crate::cache::{CacheKey, Entry, EntryInfo};
use crate::types::Sha256Digest;

/// Failures in a row after which the remote is off for the rest of the run.
pub const BREAKER_FAILURES: usize = 3;
/// Background writes in flight at most; a write beyond that is dropped.
pub const MAX_PENDING_WRITES: usize = 256;
/// How long the end of a run waits for its background writes.
pub const FLUSH_DEADLINE: Duration = Duration::from_secs(5);
/// The prefix of every key: a format change bumps it, so old entries are never read.
const PREFIX: &str = "pinwheel/v1";

/// What a run did with the remote, for `-v`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RemoteStats {
    /// Entries found.
    pub hits: u64,
    /// Entries looked for and not there.
    pub misses: u64,
    /// Entries found damaged (a failed check), counted as misses too.
    pub damaged: u64,
    /// Failed operations (timeouts, refused connections, errors).
    pub errors: u64,
    /// Entries written.
    pub writes: u64,
    /// Bytes read and written.
    pub bytes: u64,
}

/// A remote store with its breaker, its statistics and its background writes.
pub struct RemoteCache {
    store: Arc<dyn RemoteStore>,
    shown: String,
    mode: RemoteMode,
    pages: bool,
    failures: AtomicUsize,
    off: AtomicBool,
    hits: AtomicU64,
    misses: AtomicU64,
    damaged: AtomicU64,
    errors: AtomicU64,
    writes: AtomicU64,
    bytes: AtomicU64,
    pending: Mutex<JoinSet<()>>,
    started: Instant,
}

impl std::fmt::Debug for RemoteCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RemoteCache({})", self.shown)
    }
}

/// The remote key of a local key, when the entry is one that is shared (`pages`: packed
/// index pages are). Keys are plain text any store accepts: an index URL is named by a digest.
#[must_use]
pub fn remote_key(key: &CacheKey, pages: bool) -> Option<String> {
    match key {
        CacheKey::Metadata(digest) => Some(format!("{PREFIX}/metadata/{digest}")),
        CacheKey::BuiltMetadata { sdist, interpreter } => {
            Some(format!("{PREFIX}/built-metadata/{sdist}/{interpreter}"))
        }
        CacheKey::PackedPage { index, name } if pages => {
            let index = Sha256Digest::of(index.as_bytes()).to_string();
            Some(format!("{PREFIX}/pages/{}/{name}", &index[..32]))
        }
        _ => None,
    }
}

/// Where the manifest of the resolves with inputs `digest` is kept.
fn manifest_key(digest: &ManifestDigest) -> String {
    format!("{PREFIX}/manifests/{digest}")
}

impl RemoteCache {
    /// The remote `spec` names, not yet connected.
    ///
    /// # Errors
    /// When the store cannot be configured (or pinwheel was built without remote caches).
    pub fn open(spec: &RemoteSpec, patience: Patience) -> Result<Self, RemoteSpecError> {
        let store = store::open(spec, patience).map_err(|reason| RemoteSpecError {
            shown: spec.to_string(),
            reason,
        })?;
        Ok(Self::over(Arc::from(store), spec.to_string(), spec.mode).sharing_pages(spec.pages))
    }

    /// Whether packed index pages are shared (`--remote-cache-pages`; on by default).
    #[must_use]
    pub fn sharing_pages(mut self, pages: bool) -> Self {
        self.pages = pages;
        self
    }

    /// Whether entries under `key` are shared.
    #[must_use]
    pub fn shares(&self, key: &CacheKey) -> bool {
        // Called on every cache read of a run with a remote: decided by the key's kind,
        // without building the remote key (a page's costs a sha256).
        match key {
            CacheKey::Metadata(_) | CacheKey::BuiltMetadata { .. } => true,
            CacheKey::PackedPage { .. } => self.pages,
            _ => false,
        }
    }

    /// Whether this run writes.
    #[must_use]
    pub fn writes(&self) -> bool {
        self.mode == RemoteMode::ReadWrite
    }

    /// A remote over `store` (tests hand in their own).
    #[must_use]
    pub fn over(store: Arc<dyn RemoteStore>, shown: String, mode: RemoteMode) -> Self {
        Self {
            store,
            shown,
            mode,
            pages: true,
            failures: AtomicUsize::new(0),
            off: AtomicBool::new(false),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            damaged: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            pending: Mutex::new(JoinSet::new()),
            started: Instant::now(),
        }
    }

    /// Whether the breaker turned the remote off.
    #[must_use]
    pub fn is_off(&self) -> bool {
        self.off.load(Ordering::Relaxed)
    }

    /// The entry under `key`, if the remote shares such entries, has it, and it is whole.
    pub async fn get(&self, key: &CacheKey) -> Option<Entry> {
        self.get_named(&remote_key(key, self.pages)?).await
    }

    /// The manifest of the resolves with inputs `digest`, if the remote has a whole one.
    pub async fn manifest(&self, digest: &ManifestDigest) -> Option<Manifest> {
        let entry = self.get_named(&manifest_key(digest)).await?;
        Manifest::decode(&entry.body)
    }

    /// Stores the manifest of the resolves with inputs `digest`, in the background.
    pub fn put_manifest(self: &Arc<Self>, digest: &ManifestDigest, manifest: &Manifest) {
        self.put_named(manifest_key(digest), &manifest.encode(), &EntryInfo::now());
    }

    async fn get_named(&self, remote: &str) -> Option<Entry> {
        if self.is_off() {
            return None;
        }
        match self.store.get(remote).await {
            Ok(Some(sealed)) => {
                self.succeeded();
                self.bytes.fetch_add(sealed.len() as u64, Ordering::Relaxed);
                match envelope::open(remote, &sealed) {
                    Some(entry) => {
                        self.hits.fetch_add(1, Ordering::Relaxed);
                        tracing::info!("remote cache hit: {remote}");
                        Some(entry)
                    }
                    None => {
                        self.damaged.fetch_add(1, Ordering::Relaxed);
                        self.misses.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(
                            "the remote cache's entry {remote} is damaged (its check failed); ignoring it"
                        );
                        None
                    }
                }
            }
            Ok(None) => {
                self.succeeded();
                self.misses.fetch_add(1, Ordering::Relaxed);
                None
            }
            Err(error) => {
                self.failed(&error);
                None
            }
        }
    }

    /// Stores `body` under `key` in the background, if the remote shares such entries and
    /// this run writes.
    pub fn put(self: &Arc<Self>, key: &CacheKey, body: &[u8], info: &EntryInfo) {
        if let Some(remote) = remote_key(key, self.pages) {
            self.put_named(remote, body, info);
        }
    }

    fn put_named(self: &Arc<Self>, remote: String, body: &[u8], info: &EntryInfo) {
        if !self.writes() || self.is_off() {
            return;
        }
        let sealed = envelope::seal(&remote, body, info);
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        // Finished writes are reaped here, so the bound counts only those still running.
        while pending.try_join_next().is_some() {}
        if pending.len() >= MAX_PENDING_WRITES {
            tracing::debug!("remote cache: {MAX_PENDING_WRITES} writes pending, dropping {remote}");
            return;
        }
        let this = Arc::clone(self);
        pending.spawn(async move {
            // The breaker may have tripped while this write waited its turn.
            if this.is_off() {
                return;
            }
            let size = sealed.len() as u64;
            match this.store.put(&remote, sealed).await {
                Ok(()) => {
                    this.succeeded();
                    this.writes.fetch_add(1, Ordering::Relaxed);
                    this.bytes.fetch_add(size, Ordering::Relaxed);
                }
                Err(error) => this.failed(&error),
            }
        });
    }

    /// Waits for the background writes, for at most [`FLUSH_DEADLINE`]; those still running
    /// then are abandoned.
    pub async fn flush(&self) {
        let mut pending =
            std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner));
        if pending.is_empty() {
            return;
        }
        if self.is_off() {
            // Writes to a remote the breaker turned off would only wait for their timeouts.
            pending.abort_all();
            return;
        }
        let waited = tokio::time::timeout(FLUSH_DEADLINE, async {
            while pending.join_next().await.is_some() {}
        })
        .await;
        if waited.is_err() {
            tracing::warn!(
                "the remote cache at {} took over {} s to take this run's entries; {} were left unwritten",
                self.shown,
                FLUSH_DEADLINE.as_secs(),
                pending.len()
            );
            pending.abort_all();
        }
    }

    /// What the run did with the remote.
    #[must_use]
    pub fn stats(&self) -> RemoteStats {
        RemoteStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            damaged: self.damaged.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
        }
    }

    /// The `-v` line: `remote cache redis://…: 12 hits, 3 misses, …`.
    #[must_use]
    pub fn summary(&self) -> String {
        let stats = self.stats();
        format!(
            "remote cache {}: {} hits, {} misses ({} damaged), {} errors, {} writes, {} bytes, {} ms{}",
            self.shown,
            stats.hits,
            stats.misses,
            stats.damaged,
            stats.errors,
            stats.writes,
            stats.bytes,
            self.started.elapsed().as_millis(),
            if self.is_off() { ", turned off" } else { "" }
        )
    }

    fn succeeded(&self) {
        self.failures.store(0, Ordering::Relaxed);
    }

    fn failed(&self, error: &str) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let failures = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::debug!("remote cache {}: {error}", self.shown);
        if failures >= BREAKER_FAILURES && !self.off.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "the remote cache at {} failed {failures} times in a row (last: {error}); going on without it",
                self.shown
            );
        }
    }
}

#[cfg(test)]
mod tests;
