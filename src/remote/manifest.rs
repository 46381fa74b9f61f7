//! The resolution manifest: every shared entry one resolve read, kept in the remote under a
//! digest of what decides the resolve (inputs, targets, indexes, options). A cold runner with
//! the same inputs fetches the manifest first and then every entry it names in one burst, so
//! it pays the remote's latency once instead of once per solver step.
//!
//! A manifest only chooses what to fetch early: every entry it names is checked like any other
//! remote entry, and one it misses is looked for when the solver asks. So a stale or wrong
//! manifest costs time, never an answer, and its digest need not capture every option exactly.

use std::fmt;
use std::sync::{Mutex, PoisonError};

use rustc_hash::FxHashSet;

use crate::cache::CacheKey;
use crate::types::Sha256Digest;

/// The first line of a manifest: a change of format changes it.
const HEADER: &str = "pinwheel-manifest v1";

/// What names a manifest: a digest of the text that describes a resolve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManifestDigest(Sha256Digest);

impl ManifestDigest {
    /// The digest of `description`, the canonical text of a resolve's inputs and options.
    #[must_use]
    pub fn of(description: &str) -> Self {
        Self(Sha256Digest::of(description.as_bytes()))
    }
}

impl fmt::Display for ManifestDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The entries a resolve read, sorted by key text (so that the same reads give the same bytes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The entries.
    pub keys: Vec<CacheKey>,
}

impl Manifest {
    /// The stored form: the header, then a key per line.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut lines: Vec<String> = self.keys.iter().map(CacheKey::as_key).collect();
        lines.sort_unstable();
        let mut text = String::from(HEADER);
        for line in lines {
            text.push('\n');
            text.push_str(&line);
        }
        text.into_bytes()
    }

    /// The manifest `body` holds; `None` for another format. A line that names no key this
    /// pinwheel knows is skipped.
    #[must_use]
    pub fn decode(body: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(body).ok()?;
        let mut lines = text.lines();
        if lines.next()? != HEADER {
            return None;
        }
        Some(Self {
            keys: lines.filter_map(CacheKey::parse).collect(),
        })
    }

    /// Whether every key of `other` is in this manifest.
    #[must_use]
    pub fn covers(&self, other: &Self) -> bool {
        let known: FxHashSet<&CacheKey> = self.keys.iter().collect();
        other.keys.iter().all(|key| known.contains(key))
    }
}

/// The shared entries a run read (from the local cache, the remote or the index), for the
/// manifest it writes.
#[derive(Debug, Default)]
pub struct ReadLog(Mutex<FxHashSet<CacheKey>>);

impl ReadLog {
    /// Notes that `key` was read.
    pub fn note(&self, key: &CacheKey) {
        let mut read = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if !read.contains(key) {
            read.insert(key.clone());
        }
    }

    /// Every key read so far, as a manifest.
    #[must_use]
    pub fn manifest(&self) -> Manifest {
        let read = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        Manifest {
            keys: read.iter().cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_and_skips_what_it_does_not_know() {
        let log = ReadLog::default();
        let metadata = CacheKey::Metadata(Sha256Digest::of(b"m"));
        let page = CacheKey::PackedPage {
            index: "https://pypi.org/simple/".into(),
            name: "numpy".parse().unwrap(),
        };
        for key in [&metadata, &page, &metadata] {
            log.note(key);
        }
        let manifest = log.manifest();
        assert_eq!(manifest.keys.len(), 2);
        let encoded = manifest.encode();
        let decoded = Manifest::decode(&encoded).unwrap();
        assert!(decoded.covers(&manifest) && manifest.covers(&decoded));
        assert_eq!(decoded.encode(), encoded);

        let mut odd = encoded.clone();
        odd.extend_from_slice(b"\nsomething-v9:else");
        assert_eq!(Manifest::decode(&odd).unwrap().keys.len(), 2);
        assert!(Manifest::decode(b"pinwheel-manifest v0\nmetadata-v1:x").is_none());
        let only_page = Manifest { keys: vec![page] };
        assert!(manifest.covers(&only_page) && !only_page.covers(&manifest));
    }
}
