use std::str::FromStr;
use std::time::Duration;

use super::*;
use crate::cache::inventory::files_under;
use crate::cache::{Cache, EntryInfo};
use crate::types::Sha256Digest;

fn name(text: &str) -> PackageName {
    PackageName::from_str(text).unwrap()
}

fn page(project: &str) -> CacheKey {
    CacheKey::Page {
        index: "https://pypi.org/simple/".into(),
        name: name(project),
    }
}

fn metadata(seed: &str) -> CacheKey {
    CacheKey::Metadata(Sha256Digest::of(seed.as_bytes()))
}

fn on_disk(dir: &Path) -> u64 {
    files_under(dir)
        .unwrap()
        .iter()
        .map(|(_, stat)| stat.len)
        .sum()
}

/// A cache with a page and a metadata entry of `requests` and of `idna`, as the current
/// writer records them.
fn two_projects() -> (tempfile::TempDir, Cache) {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    for project in ["requests", "idna"] {
        cache
            .put(
                &page(project),
                project.repeat(100).as_bytes(),
                &EntryInfo::now(),
            )
            .unwrap();
        let body = format!("Metadata-Version: 2.2\nName: {project}\nVersion: 1.0\n");
        let info = EntryInfo::now_for_file(&name(project), &format!("{project}-1.0.tar.gz"));
        cache
            .put(&metadata(project), body.as_bytes(), &info)
            .unwrap();
    }
    (dir, cache)
}

#[test]
fn stats_count_entries_by_kind_and_match_the_disk() {
    let (dir, cache) = two_projects();
    cache
        .put(
            &CacheKey::UrlDigest("https://x/a-1.0.tar.gz".into()),
            b"ab",
            &EntryInfo::now(),
        )
        .unwrap();
    // The same page fetched again: the first body is now garbage.
    cache
        .put(&page("idna"), b"a newer page", &EntryInfo::now())
        .unwrap();
    let report = stats(dir.path()).unwrap();
    let count = |kind| {
        report
            .kinds
            .iter()
            .find(|stats| stats.kind == kind)
            .unwrap()
            .entries
    };
    assert_eq!(count(EntryKind::Page), 2);
    assert_eq!(count(EntryKind::Metadata), 2);
    assert_eq!(count(EntryKind::Digest), 1);
    assert_eq!(count(EntryKind::Distribution), 0);
    assert_eq!(report.total.bytes, on_disk(dir.path()));
    let kinds: u64 = report.kinds.iter().map(|kind| kind.bytes).sum();
    assert_eq!(
        kinds + report.reclaimable.bytes + report.untouched.bytes,
        report.total.bytes
    );
    assert_eq!(report.reclaimable.files, 1, "the superseded page body");
    assert!(report.reclaimable.bytes >= 400);
    assert!(report.oldest.unwrap() <= report.newest.unwrap());

    let empty = stats(&dir.path().join("missing")).unwrap();
    assert_eq!(empty.total, Usage::default());
    assert_eq!(empty.oldest, None);
}

#[test]
fn clean_all_empties_the_cache_but_keeps_foreign_files() {
    let (dir, cache) = two_projects();
    std::fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
    let before = on_disk(dir.path());
    let report = clean_all(dir.path()).unwrap();
    assert_eq!(report.entries, 4);
    assert_eq!(report.bytes, before - 4);
    assert_eq!(on_disk(dir.path()), 4);
    assert!(cache.get(&page("idna")).is_none());
    assert!(!dir.path().join("index-v5").exists());
    assert!(!dir.path().join("content-v2").exists());
    // The cache still works afterwards.
    cache
        .put(&page("idna"), b"again", &EntryInfo::now())
        .unwrap();
    assert_eq!(cache.get(&page("idna")).unwrap().body, b"again");
}

#[test]
fn clean_packages_removes_only_theirs() {
    let (dir, cache) = two_projects();
    let report = clean_packages(dir.path(), &[name("Requests")]).unwrap();
    assert_eq!(report.entries, 2);
    assert_eq!(report.unattributed, 0);
    assert!(report.bytes > 0);
    assert!(cache.get(&page("requests")).is_none());
    assert!(cache.get(&metadata("requests")).is_none());
    assert!(cache.get(&page("idna")).is_some());
    assert!(cache.get(&metadata("idna")).is_some());
    assert_eq!(
        stats(dir.path()).unwrap().reclaimable,
        Usage::default(),
        "nothing of requests is left behind"
    );
}

#[test]
fn clean_packages_recognises_entries_written_before_owners_were_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let old = EntryInfo::now();
    // Metadata as older versions stored it: no package in the info, the body names it.
    cache
        .put(
            &metadata("old"),
            b"Metadata-Version: 2.2\nName: six\nVersion: 1.16.0\n",
            &old,
        )
        .unwrap();
    cache
        .put(
            &CacheKey::UrlDigest("https://x/files/six-1.16.0.tar.gz".into()),
            b"0123",
            &old,
        )
        .unwrap();
    // An unavailable outcome says nothing about its project.
    cache
        .put(&metadata("unknown"), b"pinwheel-unavailable\nbroken", &old)
        .unwrap();
    let report = clean_packages(dir.path(), &[name("six")]).unwrap();
    assert_eq!(report.entries, 2);
    assert_eq!(report.unattributed, 1);
    assert!(cache.get(&metadata("unknown")).is_some());
}

#[test]
fn shared_content_survives_cleaning_one_of_its_users() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    // Two projects that cached an empty (404) page share one content file.
    cache.put(&page("gone-a"), b"", &EntryInfo::now()).unwrap();
    cache.put(&page("gone-b"), b"", &EntryInfo::now()).unwrap();
    clean_packages(dir.path(), &[name("gone-a")]).unwrap();
    assert!(cache.get(&page("gone-a")).is_none());
    assert!(cache.get(&page("gone-b")).is_some());
}

#[test]
fn prune_without_limits_only_collects_garbage() {
    let (dir, cache) = two_projects();
    cache
        .put(&page("idna"), b"newer", &EntryInfo::now())
        .unwrap();
    let reclaimable = stats(dir.path()).unwrap().reclaimable;
    let report = prune(dir.path(), PruneLimits::default()).unwrap();
    assert_eq!((report.expired, report.evicted, report.dangling), (0, 0, 0));
    assert_eq!(report.bytes, reclaimable.bytes);
    assert_eq!(report.after, report.before - report.bytes);
    assert_eq!(report.after, on_disk(dir.path()));
    assert_eq!(cache.get(&page("idna")).unwrap().body, b"newer");
    assert!(cache.get(&metadata("requests")).is_some());
    assert_eq!(stats(dir.path()).unwrap().reclaimable, Usage::default());
}

#[test]
fn prune_removes_entries_older_than_the_limit() {
    let (dir, cache) = two_projects();
    let limits = PruneLimits {
        older_than: Some(Duration::from_secs(3600)),
        ..PruneLimits::default()
    };
    let report = prune(dir.path(), limits).unwrap();
    assert_eq!(report.expired, 0, "everything was written just now");
    let tomorrow = SystemTime::now() + Duration::from_secs(86_400);
    let report = prune_at(dir.path(), limits, tomorrow).unwrap();
    assert_eq!(report.expired, 4);
    assert!(cache.get(&page("requests")).is_none());
    assert_eq!(on_disk(dir.path()), 0);
}

#[test]
fn prune_to_a_size_keeps_the_most_recently_used_entries() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    // Entry n was last read n hours from now: in the future, so that the read times outweigh
    // the write times, which are all "now".
    let now = SystemTime::now();
    for n in 0..20 {
        let body = format!("{n:04}").repeat(250);
        let key = metadata(&n.to_string());
        cache.put(&key, body.as_bytes(), &EntryInfo::now()).unwrap();
        let integrity = cacache::metadata_sync(dir.path(), key.as_key())
            .unwrap()
            .unwrap()
            .integrity;
        let content = crate::cache::layout::content_path_of(dir.path(), &integrity).unwrap();
        std::fs::File::options()
            .write(true)
            .open(content)
            .unwrap()
            .set_times(std::fs::FileTimes::new().set_accessed(now + Duration::from_secs(3600) * n))
            .unwrap();
    }
    let total = on_disk(dir.path());
    let cap = total / 2;
    let report = prune(
        dir.path(),
        PruneLimits {
            max_size: Some(cap),
            ..PruneLimits::default()
        },
    )
    .unwrap();
    assert!(report.after <= cap, "{report:?}");
    assert_eq!(report.after, on_disk(dir.path()));
    // Every entry has the same size: exactly the ten least recently used go.
    assert_eq!(report.evicted, 10, "{report:?}");
    for n in 0..20 {
        let kept = cache.get(&metadata(&n.to_string())).is_some();
        assert_eq!(kept, n >= 10, "entry {n}");
    }

    let report = prune(
        dir.path(),
        PruneLimits {
            max_size: Some(0),
            ..PruneLimits::default()
        },
    )
    .unwrap();
    assert_eq!(report.after, 0);
}

#[test]
fn prune_removes_entries_whose_content_is_gone() {
    let (dir, cache) = two_projects();
    let content = dir.path().join("content-v2");
    for (path, _) in files_under(&content).unwrap() {
        std::fs::remove_file(path).unwrap();
    }
    assert!(
        cache.get(&page("idna")).is_none(),
        "a vanished body is a miss"
    );
    let report = prune(dir.path(), PruneLimits::default()).unwrap();
    assert_eq!(report.dangling, 4);
    assert_eq!(on_disk(dir.path()), 0);
}
