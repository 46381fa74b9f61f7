use std::str::FromStr as _;

use super::*;
use crate::cache::inventory::{Inventory, files_under};
use crate::cache::maintenance::{PruneLimits, clean_all, clean_packages, prune_at, stats};
use crate::cache::{Cache, CacheKey, EntryInfo};
use crate::types::PackageName;

const HOUR: Duration = Duration::from_secs(3600);
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const DIGEST: &str = "0123456789abcdef0123456789abcdef";

fn page(project: &str) -> CacheKey {
    CacheKey::Page {
        index: "https://pypi.org/simple/".into(),
        name: PackageName::from_str(project).unwrap(),
    }
}

/// Writes `files` (relative path, length) under `dir/parent/name` and returns that directory.
fn make_tree(dir: &Path, parent: &str, name: &str, files: &[(&str, usize)]) -> PathBuf {
    let root = dir.join(parent).join(name);
    for (file, len) in files {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, vec![b'x'; *len]).unwrap();
    }
    std::fs::create_dir_all(&root).unwrap();
    root
}

/// Dates `path` and, for a directory, everything in it, `age` back.
fn age(path: &Path, age: Duration) {
    let when = SystemTime::now() - age;
    for (file, _) in files_under(path).unwrap() {
        std::fs::File::options()
            .write(true)
            .open(file)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }
    std::fs::File::open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

fn on_disk(dir: &Path) -> u64 {
    files_under(dir)
        .unwrap()
        .iter()
        .map(|(_, stat)| stat.len)
        .sum()
}

/// A cache with a page of `requests`, a git checkout (15 bytes), a build environment (20
/// bytes), a temporary of a build in progress (7 bytes), one left by a crash two hours ago (9
/// bytes), and a file in `git-v1` that is not a tree (3 bytes).
fn cache_with_trees() -> (tempfile::TempDir, Cache) {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    cache
        .put(&page("requests"), b"a page", &EntryInfo::now())
        .unwrap();
    make_tree(
        dir.path(),
        "git-v1",
        COMMIT,
        &[("src/app.py", 10), (".git/HEAD", 5)],
    );
    make_tree(dir.path(), "build-env-v1", DIGEST, &[("env/lib/x.py", 20)]);
    make_tree(dir.path(), "build-env-v1", ".tmp-live", &[("env/f", 7)]);
    let crashed = make_tree(dir.path(), "git-v1", ".tmp-crash", &[(".git/config", 9)]);
    age(&crashed, 2 * HOUR);
    std::fs::write(dir.path().join("git-v1/README"), b"abc").unwrap();
    (dir, cache)
}

fn leftovers(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for parent in ["git-v1", "build-env-v1"] {
        let Ok(listing) = std::fs::read_dir(dir.join(parent)) else {
            continue;
        };
        names.extend(
            listing.map(|item| format!("{parent}/{}", item.unwrap().file_name().to_string_lossy())),
        );
    }
    names.sort();
    names
}

#[test]
fn names_tell_trees_temporaries_and_other_files_apart() {
    assert_eq!(classify(TreeKind::GitCheckout, COMMIT), Some(true));
    assert_eq!(classify(TreeKind::GitCheckout, DIGEST), None);
    assert_eq!(classify(TreeKind::BuildEnvironment, DIGEST), Some(true));
    assert_eq!(classify(TreeKind::BuildEnvironment, COMMIT), None);
    assert_eq!(
        classify(TreeKind::BuildEnvironment, ".tmp-a1B2"),
        Some(false)
    );
    assert_eq!(
        classify(TreeKind::GitCheckout, ".tmp-removing-7-0"),
        Some(false)
    );
    assert_eq!(classify(TreeKind::GitCheckout, "README"), None);
    assert_ne!(aside_name(Path::new("a/b")), aside_name(Path::new("a/b")));
}

#[test]
fn info_counts_trees_by_kind_and_not_as_other_files() {
    let (dir, _cache) = cache_with_trees();
    let report = stats(dir.path()).unwrap();
    let trees: Vec<_> = report
        .trees
        .iter()
        .map(|tree| (tree.kind, tree.trees, tree.bytes))
        .collect();
    assert_eq!(
        trees,
        [
            (TreeKind::GitCheckout, 1, 15),
            (TreeKind::BuildEnvironment, 1, 20)
        ]
    );
    assert_eq!(
        report.untouched,
        Usage {
            files: 2,
            bytes: 10
        },
        "the build in progress and the file that is not a tree"
    );
    assert_eq!(
        report.reclaimable,
        Usage { files: 1, bytes: 9 },
        "the crashed checkout"
    );
    let entries: u64 = report.kinds.iter().map(|kind| kind.bytes).sum();
    assert_eq!(
        entries + 15 + 20 + report.untouched.bytes + report.reclaimable.bytes,
        report.total.bytes
    );
    assert_eq!(report.total.bytes, on_disk(dir.path()));
}

#[test]
fn an_empty_tree_is_still_a_tree() {
    let dir = tempfile::tempdir().unwrap();
    make_tree(dir.path(), "build-env-v1", DIGEST, &[]);
    let inventory = Inventory::scan(dir.path()).unwrap();
    assert_eq!(inventory.trees.trees.len(), 1);
    assert_eq!(inventory.trees.trees[0].usage, Usage::default());
}

#[test]
fn clean_all_removes_trees_and_crashed_temporaries_but_not_work_in_progress() {
    let (dir, cache) = cache_with_trees();
    let before = on_disk(dir.path());
    let report = clean_all(dir.path()).unwrap();
    assert_eq!(report.trees, 2);
    assert_eq!(report.entries, 1);
    assert_eq!(report.bytes, before - 7 - 3);
    assert_eq!(on_disk(dir.path()), 7 + 3);
    assert_eq!(
        leftovers(dir.path()),
        ["build-env-v1/.tmp-live", "git-v1/README"]
    );
    assert!(cache.get(&page("requests")).is_none());
}

#[test]
fn clean_of_packages_keeps_every_tree_and_counts_them() {
    let (dir, cache) = cache_with_trees();
    let report = clean_packages(dir.path(), &[PackageName::from_str("requests").unwrap()]).unwrap();
    assert_eq!(report.entries, 1);
    assert_eq!((report.trees, report.trees_kept), (0, 2));
    assert!(cache.get(&page("requests")).is_none());
    assert!(dir.path().join("git-v1").join(COMMIT).is_dir());
    assert!(dir.path().join("build-env-v1").join(DIGEST).is_dir());
}

#[test]
fn prune_collects_crashed_temporaries_whatever_the_limits() {
    let (dir, cache) = cache_with_trees();
    let report = prune_at(dir.path(), PruneLimits::default(), SystemTime::now()).unwrap();
    assert_eq!((report.trees_expired, report.trees_evicted), (0, 0));
    assert_eq!(report.files, 1);
    assert_eq!(report.bytes, 9);
    assert_eq!(
        leftovers(dir.path()),
        [
            "build-env-v1/.tmp-live".to_string(),
            format!("build-env-v1/{DIGEST}"),
            format!("git-v1/{COMMIT}"),
            "git-v1/README".to_string(),
        ]
    );
    assert!(cache.get(&page("requests")).is_some());
}

#[test]
fn prune_removes_trees_unused_for_longer_than_the_limit() {
    let (dir, cache) = cache_with_trees();
    let checkout = dir.path().join("git-v1").join(COMMIT);
    // Only the tree's own time counts: its files may be as old as the commit.
    std::fs::File::open(&checkout)
        .unwrap()
        .set_modified(SystemTime::now() - 3 * HOUR)
        .unwrap();
    let limits = PruneLimits {
        older_than: Some(2 * HOUR),
        ..PruneLimits::default()
    };
    let report = prune_at(dir.path(), limits, SystemTime::now()).unwrap();
    assert_eq!(report.trees_expired, 1);
    assert!(!checkout.exists());
    assert!(dir.path().join("build-env-v1").join(DIGEST).is_dir());
    assert!(cache.get(&page("requests")).is_some());

    // A day later the environment has not been used for longer than the limit either.
    let environment = dir.path().join("build-env-v1").join(DIGEST);
    let tomorrow = SystemTime::now() + 24 * HOUR;
    let report = prune_at(dir.path(), limits, tomorrow).unwrap();
    assert_eq!(report.trees_expired, 1);
    assert!(!environment.exists());
    assert!(
        leftovers(dir.path())
            .iter()
            .all(|name| !name.contains(".tmp-removing-")),
        "{:?}",
        leftovers(dir.path())
    );
}

#[test]
fn a_cap_evicts_trees_only_once_the_store_is_not_enough_least_recently_used_first() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    for n in 0..4 {
        cache
            .put(&page(&format!("p{n}")), &[b'a' + n; 500], &EntryInfo::now())
            .unwrap();
    }
    let old = make_tree(dir.path(), "git-v1", COMMIT, &[("big", 10_000)]);
    let recent = make_tree(dir.path(), "build-env-v1", DIGEST, &[("big", 10_000)]);
    std::fs::File::open(&old)
        .unwrap()
        .set_modified(SystemTime::now() - HOUR)
        .unwrap();
    let store = on_disk(dir.path()) - 20_000;

    // Removing store entries is enough: the trees stay.
    let limits = PruneLimits {
        max_size: Some(20_000 + store / 2),
        ..PruneLimits::default()
    };
    let report = prune_at(dir.path(), limits, SystemTime::now()).unwrap();
    assert!(report.evicted > 0, "{report:?}");
    assert_eq!(report.trees_evicted, 0, "{report:?}");
    assert!(old.is_dir() && recent.is_dir());

    // It is not: every entry goes, then the least recently used tree.
    let limits = PruneLimits {
        max_size: Some(15_000),
        ..PruneLimits::default()
    };
    let report = prune_at(dir.path(), limits, SystemTime::now()).unwrap();
    assert_eq!(report.trees_evicted, 1, "{report:?}");
    assert!(!old.exists());
    assert!(recent.is_dir());
    assert_eq!(report.after, 10_000);
    assert!(cache.get(&page("p3")).is_none());
}

#[test]
fn a_tree_used_after_the_snapshot_stays_and_a_vanished_one_is_no_error() {
    let (dir, _cache) = cache_with_trees();
    let checkout = dir.path().join("git-v1").join(COMMIT);
    std::fs::File::open(&checkout)
        .unwrap()
        .set_modified(SystemTime::now() - 3 * HOUR)
        .unwrap();
    let inventory = Inventory::scan(dir.path()).unwrap();
    let trees: Vec<&TreeDir> = inventory.trees.trees.iter().collect();
    let listed_checkout: Vec<&TreeDir> = trees
        .iter()
        .copied()
        .filter(|tree| tree.kind == TreeKind::GitCheckout)
        .collect();
    touch_tree(&checkout);
    let removed = remove(&listed_checkout, &[], true).unwrap();
    assert_eq!((removed.trees, removed.busy), (0, 1));
    assert!(checkout.is_dir());

    std::fs::remove_dir_all(&checkout).unwrap();
    let removed = remove(&trees, &[], false).unwrap();
    assert_eq!(removed.trees, 1, "only the environment was still there");
    assert_eq!(removed.bytes, 20);
}

#[test]
fn touch_tree_marks_a_tree_used_now() {
    let dir = tempfile::tempdir().unwrap();
    let tree = make_tree(dir.path(), "git-v1", COMMIT, &[("a", 1)]);
    age(&tree, 5 * HOUR);
    let before = SystemTime::now() - Duration::from_secs(60);
    touch_tree(&tree);
    let modified = std::fs::metadata(&tree).unwrap().modified().unwrap();
    assert!(modified > before);
    // Best effort: a missing tree is no panic.
    touch_tree(&dir.path().join("missing"));
}

#[test]
fn a_tree_is_renamed_aside_whole_and_an_interrupted_removal_is_collected_later() {
    let (dir, _cache) = cache_with_trees();
    let environment = dir.path().join("build-env-v1").join(DIGEST);
    // What a removal interrupted between its rename and its deletion leaves.
    let aside = set_aside(&environment).unwrap().unwrap();
    assert!(
        !environment.exists(),
        "nothing is left under the tree's name"
    );
    let name = aside.file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with(".tmp-removing-"), "{name}");
    assert_eq!(std::fs::read(aside.join("env/lib/x.py")).unwrap().len(), 20);
    assert_eq!(
        set_aside(&environment).unwrap(),
        None,
        "a vanished tree is no error"
    );

    let info = stats(dir.path()).unwrap();
    assert_eq!(info.trees[1].trees, 0);
    assert_eq!(
        info.untouched.bytes,
        10 + 20,
        "a removal in progress is left alone"
    );
    age(&aside, 2 * HOUR);
    prune_at(dir.path(), PruneLimits::default(), SystemTime::now()).unwrap();
    assert!(!aside.exists());
}
