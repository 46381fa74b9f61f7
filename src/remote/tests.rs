use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures::FutureExt as _;
use futures::future::BoxFuture;

use super::{BREAKER_FAILURES, RemoteCache, RemoteMode, RemoteStore, remote_key};
use crate::cache::{CacheKey, EntryInfo};
use crate::types::Sha256Digest;

/// A store in memory that can be made to fail every operation.
#[derive(Default)]
struct Fake {
    objects: Mutex<HashMap<String, Vec<u8>>>,
    failing: std::sync::atomic::AtomicBool,
    calls: AtomicUsize,
}

impl RemoteStore for Fake {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, String>> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let answer = if self.failing.load(Ordering::Relaxed) {
            Err("connection refused".to_string())
        } else {
            Ok(self.objects.lock().unwrap().get(key).cloned())
        };
        async move { answer }.boxed()
    }

    fn put<'a>(&'a self, key: &'a str, body: Vec<u8>) -> BoxFuture<'a, Result<(), String>> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let answer = if self.failing.load(Ordering::Relaxed) {
            Err("connection refused".to_string())
        } else {
            self.objects.lock().unwrap().insert(key.to_string(), body);
            Ok(())
        };
        async move { answer }.boxed()
    }
}

fn key(name: &[u8]) -> CacheKey {
    CacheKey::Metadata(Sha256Digest::of(name))
}

fn remote(store: &Arc<Fake>, mode: RemoteMode) -> Arc<RemoteCache> {
    Arc::new(RemoteCache::over(
        Arc::clone(store) as Arc<dyn RemoteStore>,
        "fake".into(),
        mode,
    ))
}

#[tokio::test]
async fn what_one_run_writes_the_next_reads() {
    let store = Arc::new(Fake::default());
    let writer = remote(&store, RemoteMode::ReadWrite);
    let info = EntryInfo {
        fetched_at: 42,
        ..EntryInfo::default()
    };
    writer.put(&key(b"a"), b"metadata", &info);
    writer.flush().await;
    assert_eq!(writer.stats().writes, 1);

    let reader = remote(&store, RemoteMode::ReadOnly);
    let entry = reader.get(&key(b"a")).await.unwrap();
    assert_eq!(
        (entry.body.as_slice(), entry.info),
        (&b"metadata"[..], info)
    );
    assert!(reader.get(&key(b"b")).await.is_none());
    assert_eq!((reader.stats().hits, reader.stats().misses), (1, 1));
}

#[tokio::test]
async fn a_read_only_run_writes_nothing_and_pages_are_shared_only_when_asked() {
    let store = Arc::new(Fake::default());
    let reader = remote(&store, RemoteMode::ReadOnly);
    reader.put(&key(b"a"), b"metadata", &EntryInfo::default());
    let page = CacheKey::PackedPage {
        index: "https://pypi.org/simple/".into(),
        name: "numpy".parse().unwrap(),
    };
    assert!(remote_key(&page, true).is_some() && remote_key(&page, false).is_none());
    assert!(reader.shares(&page) && reader.shares(&key(b"a")));
    reader.put(&page, b"page", &EntryInfo::default());
    let writer = Arc::new(
        RemoteCache::over(
            Arc::clone(&store) as Arc<dyn RemoteStore>,
            "fake".into(),
            RemoteMode::ReadWrite,
        )
        .sharing_pages(false),
    );
    writer.put(&page, b"page", &EntryInfo::default());
    reader.flush().await;
    writer.flush().await;
    assert!(store.objects.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_damaged_entry_is_a_miss() {
    let store = Arc::new(Fake::default());
    let writer = remote(&store, RemoteMode::ReadWrite);
    writer.put(&key(b"a"), b"metadata", &EntryInfo::default());
    writer.flush().await;
    for object in store.objects.lock().unwrap().values_mut() {
        let last = object.len() - 1;
        object[last] ^= 0x20;
    }
    let reader = remote(&store, RemoteMode::ReadWrite);
    assert!(reader.get(&key(b"a")).await.is_none());
    assert_eq!(reader.stats().damaged, 1);
}

#[tokio::test]
async fn the_breaker_turns_a_failing_remote_off() {
    let store = Arc::new(Fake::default());
    store.failing.store(true, Ordering::Relaxed);
    let cache = remote(&store, RemoteMode::ReadWrite);
    for index in 0..10u8 {
        assert!(cache.get(&key(&[index])).await.is_none());
    }
    cache.put(&key(b"late"), b"x", &EntryInfo::default());
    cache.flush().await;
    assert!(cache.is_off());
    assert_eq!(store.calls.load(Ordering::Relaxed), BREAKER_FAILURES);
    assert!(
        cache.summary().ends_with(", turned off"),
        "{}",
        cache.summary()
    );
}

#[tokio::test]
async fn a_success_resets_the_count() {
    let store = Arc::new(Fake::default());
    let cache = remote(&store, RemoteMode::ReadWrite);
    for _ in 0..5 {
        store.failing.store(true, Ordering::Relaxed);
        for index in 0..BREAKER_FAILURES - 1 {
            assert!(cache.get(&key(&[index as u8])).await.is_none());
        }
        store.failing.store(false, Ordering::Relaxed);
        assert!(cache.get(&key(b"fine")).await.is_none());
    }
    assert!(!cache.is_off());
}

#[test]
fn shares_agrees_with_remote_key_for_every_kind() {
    let store = Arc::new(Fake::default());
    let keys = [
        key(b"m"),
        CacheKey::BuiltMetadata {
            sdist: Sha256Digest::of(b"s"),
            interpreter: "cp312-manylinux_2_28_x86_64".into(),
        },
        CacheKey::PackedPage {
            index: "https://pypi.org/simple/".into(),
            name: "numpy".parse().unwrap(),
        },
        CacheKey::Page {
            index: "https://example.com/links/".into(),
            name: "numpy".parse().unwrap(),
        },
        CacheKey::Distribution(Sha256Digest::of(b"d")),
        CacheKey::UrlMetadata("https://example.com/a.whl".into()),
        CacheKey::MetadataBundle("numpy".parse().unwrap()),
    ];
    for pages in [true, false] {
        let cache = RemoteCache::over(
            Arc::clone(&store) as Arc<dyn RemoteStore>,
            "fake".into(),
            RemoteMode::ReadWrite,
        )
        .sharing_pages(pages);
        for key in &keys {
            assert_eq!(
                cache.shares(key),
                remote_key(key, pages).is_some(),
                "{key:?}"
            );
        }
    }
}
