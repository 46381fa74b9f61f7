//! `pinwheel cache dir|info|clean|prune`, and the cache staying usable while they run next to
//! a resolve.
//!
//! Sizes are measured here independently of pinwheel: the sum of the lengths of the files under
//! the cache directory.

use std::path::Path;

use crate::support::{HashMode, ServerOptions, TestIndex, TestPackage};
use crate::{Project, Run, index, small_graph};

/// The bytes of every file under `dir`.
fn dir_size(dir: &Path) -> u64 {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return 0;
    };
    listing
        .map(|entry| {
            let entry = entry.unwrap();
            let metadata = entry.metadata().unwrap();
            if metadata.is_dir() {
                dir_size(&entry.path())
            } else {
                metadata.len()
            }
        })
        .sum()
}

/// Runs `pinwheel cache <args> --cache-dir <the project's cache>`.
fn cache(project: &Project, args: &[&str]) -> Run {
    let mut all = vec!["cache".to_string()];
    all.extend(args.iter().map(|arg| (*arg).to_string()));
    all.extend([
        "--cache-dir".to_string(),
        project.cache_dir().display().to_string(),
    ]);
    project.run(&all)
}

/// A lock without its header (which names the output file).
fn body(project: &Project, name: &str) -> String {
    project
        .read(name)
        .lines()
        .skip_while(|line| line.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `count` projects unrelated to `small_graph`, three releases each.
fn filler(count: usize) -> Vec<TestPackage> {
    (0..count)
        .flat_map(|n| {
            ["1.0", "1.1", "2.0"]
                .into_iter()
                .map(move |version| TestPackage::new(&format!("filler-{n:02}"), version))
        })
        .collect()
}

fn filler_in(count: usize) -> String {
    (0..count).map(|n| format!("filler-{n:02}\n")).collect()
}

/// A project whose cache holds `app` (from `small_graph`) after a first resolve, which wrote
/// `requirements.txt`.
fn warm_project(server: &TestIndex) -> Project {
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project.resolve(server, &["requirements.in"]).expect_code(0);
    project
}

fn info_json(project: &Project) -> serde_json::Value {
    let run = cache(project, &["info", "--format", "json"]);
    run.expect_code(0);
    serde_json::from_str(&run.stdout).unwrap_or_else(|error| panic!("{error}: {}", run.stdout))
}

#[test]
fn cache_dir_follows_the_flag_then_the_environment_then_the_platform() {
    let project = Project::new();
    let env_dir = project.path().join("from-env");
    let flag_dir = project.path().join("from-flag");
    let dir = |args: &[&str], env: &[(&str, &Path)]| {
        let mut all = vec!["cache".to_string(), "dir".to_string()];
        all.extend(args.iter().map(|arg| (*arg).to_string()));
        let env: Vec<(&str, &str)> = env
            .iter()
            .map(|(name, value)| (*name, value.to_str().unwrap()))
            .collect();
        let run = project.run_with_env(&all, &env);
        run.expect_code(0);
        run.stdout
    };
    let flag = flag_dir.display().to_string();
    assert_eq!(dir(&["--cache-dir", &flag], &[]), format!("{flag}\n"));
    assert_eq!(
        dir(&[], &[("PINWHEEL_CACHE_DIR", &env_dir)]),
        format!("{}\n", env_dir.display())
    );
    assert_eq!(
        dir(&["--cache-dir", &flag], &[("PINWHEEL_CACHE_DIR", &env_dir)]),
        format!("{flag}\n")
    );
    if cfg!(target_os = "linux") {
        let xdg = project.path().join("xdg");
        assert_eq!(
            dir(&[], &[("XDG_CACHE_HOME", &xdg)]),
            format!("{}\n", xdg.join("pinwheel").display())
        );
    }
    assert!(
        !flag_dir.exists() && !env_dir.exists(),
        "`dir` creates nothing"
    );
}

#[test]
fn cache_info_counts_entries_by_kind_and_matches_the_disk() {
    let listed = index(small_graph(), ServerOptions::default());
    let project = warm_project(&listed);
    // An index without hashes: metadata by URL, and digests computed for --generate-hashes.
    let unhashed = index(
        vec![TestPackage::new("leaf", "4.0")],
        ServerOptions {
            hashes: HashMode::Omitted,
            ..ServerOptions::default()
        },
    );
    project.write("leaf.in", "leaf\n");
    project
        .resolve(
            &unhashed,
            &["--generate-hashes", "-o", "leaf.txt", "leaf.in"],
        )
        .expect_code(0);

    let info = info_json(&project);
    let entries = |kind: &str| info["entries"][kind]["entries"].as_u64().unwrap();
    assert_eq!(entries("pages"), 7, "{info:#}");
    assert!(entries("metadata") >= 6, "{info:#}");
    assert_eq!(entries("url-metadata"), 1, "{info:#}");
    assert_eq!(entries("digests"), 1, "{info:#}");
    assert_eq!(entries("distributions"), 0, "{info:#}");
    let total = info["total"]["bytes"].as_u64().unwrap();
    assert_eq!(total, dir_size(&project.cache_dir()));
    let by_kind: u64 = [
        "pages",
        "metadata",
        "url-metadata",
        "digests",
        "distributions",
        "other",
    ]
    .iter()
    .map(|kind| info["entries"][kind]["bytes"].as_u64().unwrap())
    .sum();
    let unreferenced = info["unreferenced"]["bytes"].as_u64().unwrap();
    let other_files = info["other_files"]["bytes"].as_u64().unwrap();
    assert_eq!(by_kind + unreferenced + other_files, total, "{info:#}");
    assert!(info["oldest"].as_str().unwrap().ends_with('Z'));
    assert!(info["oldest"].as_str() <= info["newest"].as_str());

    let text = cache(&project, &["info"]);
    text.expect_code(0);
    assert!(
        text.stdout.contains(&format!(
            "Cache directory: {}",
            project.cache_dir().display()
        )),
        "{}",
        text.stdout
    );
    for line in [
        "pages",
        "metadata",
        "url-metadata",
        "digests",
        "distributions",
    ] {
        assert!(
            text.stdout.lines().any(|text| text.starts_with(line)),
            "{line}: {}",
            text.stdout
        );
    }
    assert!(text.stdout.contains("Oldest entry:"), "{}", text.stdout);
}

/// A build environment beside the store (`build-env-v1/<digest>/`, as metadata builds leave
/// them) is a row of its own in `cache info`, no one package's for `cache clean NAME`, and gone
/// after `cache clean`.
#[test]
fn cache_info_shows_a_build_environment_and_cache_clean_removes_it() {
    let server = index(small_graph(), ServerOptions::default());
    let project = warm_project(&server);
    let environment = project
        .cache_dir()
        .join("build-env-v1/0123456789abcdef0123456789abcdef");
    std::fs::create_dir_all(environment.join("env/lib")).unwrap();
    std::fs::write(environment.join("env/lib/module.py"), vec![b'x'; 4096]).unwrap();
    std::fs::write(environment.join("env/lib/other.py"), vec![b'y'; 1024]).unwrap();

    let info = info_json(&project);
    assert_eq!(
        info["trees"]["build-environments"],
        serde_json::json!({"trees": 1, "bytes": 5120}),
        "{info:#}"
    );
    assert_eq!(info["trees"]["git-checkouts"]["trees"], 0, "{info:#}");
    assert_eq!(
        info["other_files"]["bytes"], 0,
        "the environment is not counted as other files: {info:#}"
    );
    let text = cache(&project, &["info"]);
    text.expect_code(0);
    let row = text
        .stdout
        .lines()
        .find(|line| line.starts_with("build environments"))
        .unwrap_or_else(|| panic!("no row: {}", text.stdout));
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        ["build", "environments", "1", "5.0", "KiB"],
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .lines()
            .any(|line| line.starts_with("git checkouts")),
        "{}",
        text.stdout
    );

    let clean = cache(&project, &["clean", "leaf"]);
    clean.expect_code(0);
    assert!(
        clean.stderr.contains("note: kept 1 tree "),
        "{}",
        clean.stderr
    );
    assert!(environment.is_dir());

    let clean = cache(&project, &["clean"]);
    clean.expect_code(0);
    assert!(clean.stderr.contains(" and 1 tree "), "{}", clean.stderr);
    assert!(!environment.exists());
    assert_eq!(dir_size(&project.cache_dir()), 0, "{}", clean.stderr);
}

#[test]
fn cache_commands_on_a_missing_directory_change_nothing() {
    let project = Project::new();
    let info = cache(&project, &["info"]);
    info.expect_code(0);
    assert!(
        info.stdout.contains("The cache is empty."),
        "{}",
        info.stdout
    );
    cache(&project, &["clean"]).expect_code(0);
    cache(&project, &["clean", "requests"]).expect_code(0);
    cache(&project, &["prune", "--max-size", "1M"]).expect_code(0);
    assert!(!project.cache_dir().exists());
}

#[test]
fn cache_clean_removes_everything_and_the_next_resolve_refetches() {
    let server = index(small_graph(), ServerOptions::default());
    let project = warm_project(&server);
    let before = dir_size(&project.cache_dir());
    let clean = cache(&project, &["clean"]);
    clean.expect_code(0);
    assert!(
        clean.stderr.starts_with("Removed ") && clean.stderr.contains("entries"),
        "{}",
        clean.stderr
    );
    assert!(before > 0);
    assert_eq!(dir_size(&project.cache_dir()), 0);
    assert!(project.cache_dir().exists(), "the directory itself stays");

    server.clear_requests();
    project
        .resolve(&server, &["-o", "again.txt", "requirements.in"])
        .expect_code(0);
    assert!(server.requests().contains(&"GET /simple/app/".to_string()));
    assert_eq!(
        body(&project, "again.txt"),
        body(&project, "requirements.txt")
    );
}

#[test]
fn cache_clean_with_names_removes_only_their_entries() {
    let server = index(small_graph(), ServerOptions::default());
    let project = warm_project(&server);
    let clean = cache(&project, &["clean", "LIB", "leaf"]);
    clean.expect_code(0);
    assert!(
        clean.stderr.contains("of LIB, leaf"),
        "the report names the packages: {}",
        clean.stderr
    );
    assert!(!clean.stderr.contains("note:"), "{}", clean.stderr);

    server.clear_requests();
    project
        .resolve(&server, &["-o", "again.txt", "requirements.in"])
        .expect_code(0);
    let requests = server.requests();
    assert!(
        requests.contains(&"GET /simple/lib/".to_string()),
        "{requests:?}"
    );
    assert!(
        requests.contains(&"GET /simple/leaf/".to_string()),
        "{requests:?}"
    );
    assert!(
        requests
            .iter()
            .all(|request| request.contains("/lib") || request.contains("/leaf")),
        "only lib and leaf were removed: {requests:?}"
    );
    assert_eq!(
        body(&project, "again.txt"),
        body(&project, "requirements.txt")
    );

    let invalid = cache(&project, &["clean", "not a name"]);
    invalid.expect_code(2);
    assert!(
        invalid.stderr.contains("invalid package name `not a name`"),
        "{}",
        invalid.stderr
    );
}

#[test]
fn cache_prune_by_age_keeps_fresh_entries_and_a_zero_age_removes_all() {
    let server = index(small_graph(), ServerOptions::default());
    let project = warm_project(&server);
    let before = dir_size(&project.cache_dir());
    let prune = cache(&project, &["prune", "--older-than", "1h"]);
    prune.expect_code(0);
    assert!(
        prune.stderr.contains("removed 0 entries"),
        "{}",
        prune.stderr
    );
    assert_eq!(dir_size(&project.cache_dir()), before);

    let prune = cache(&project, &["prune", "--older-than", "0s"]);
    prune.expect_code(0);
    assert_eq!(dir_size(&project.cache_dir()), 0, "{}", prune.stderr);

    let invalid = cache(&project, &["prune", "--older-than", "30"]);
    invalid.expect_code(2);
    assert!(
        invalid.stderr.contains("invalid `--older-than 30`"),
        "{}",
        invalid.stderr
    );
    let invalid = cache(&project, &["prune", "--max-size", "5X"]);
    invalid.expect_code(2);
    assert!(
        invalid.stderr.contains("unknown unit `X`"),
        "{}",
        invalid.stderr
    );
}

/// The acceptance test: `cache prune --max-size` leaves the cache under the cap while a resolve
/// runs against it, and that resolve still succeeds, whatever the interleaving.
///
/// The cache holds 40 unrelated projects, fetched first, and then `app`'s graph. The cap is what
/// `app`'s entries take plus 1 KiB, so the prune must remove nearly everything else, least
/// recently used first, while the resolve reads `app`'s entries. Whether the resolve reads
/// before, during or after the prune, it finds every entry it needs (so it writes nothing and
/// the cap holds afterwards) and produces the same lock.
#[test]
fn cache_prune_to_a_cap_during_a_resolve_keeps_it_working_and_the_cache_under_the_cap() {
    let mut packages = small_graph();
    packages.extend(filler(40));
    let server = index(packages, ServerOptions::default());
    let project = Project::new();
    project.write("filler.in", &filler_in(40));
    project
        .resolve(&server, &["-o", "filler.txt", "filler.in"])
        .expect_code(0);
    let filler_bytes = dir_size(&project.cache_dir());
    project.write("requirements.in", "app\n");
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    let total = dir_size(&project.cache_dir());
    let cap = total - filler_bytes + 1024;
    assert!(
        cap < total / 2,
        "the filler must dominate: {cap} of {total}"
    );
    server.clear_requests();

    let resolve =
        project.spawn(&project.resolve_args(&server, &["-o", "concurrent.txt", "requirements.in"]));
    let prune = cache(&project, &["prune", "--max-size", &cap.to_string()]);
    let resolved = resolve.wait();

    prune.expect_code(0);
    resolved.expect_code(0);
    assert_eq!(
        body(&project, "concurrent.txt"),
        body(&project, "requirements.txt")
    );
    let after = dir_size(&project.cache_dir());
    assert!(
        after <= cap,
        "{after} bytes left, cap {cap} (was {total})\n{}",
        prune.stderr
    );
    assert!(after > 0);
    assert_eq!(
        server.requests(),
        Vec::<String>::new(),
        "least recently used first: the resolve's entries were kept"
    );
}

/// Removing the very entries a resolve is reading, over and over while it runs: the resolve
/// refetches what it misses and still succeeds, and nothing is left half-deleted.
fn hammer_the_cache_during_a_resolve(command: &[&str]) {
    let server = index(small_graph(), ServerOptions::default());
    let project = warm_project(&server);
    let mut resolve =
        project.spawn(&project.resolve_args(&server, &["-o", "concurrent.txt", "requirements.in"]));
    let mut rounds = 0;
    loop {
        cache(&project, command).expect_code(0);
        rounds += 1;
        if resolve.has_exited() {
            break;
        }
    }
    let resolved = resolve.wait();
    resolved.expect_code(0);
    assert_eq!(
        body(&project, "concurrent.txt"),
        body(&project, "requirements.txt"),
        "after {rounds} rounds of `{command:?}`"
    );
    // Whatever the interleaving left (entries written after the last round, content orphaned by
    // a race), one more prune with nothing running collects all of it.
    cache(&project, &["prune", "--max-size", "0"]).expect_code(0);
    assert_eq!(dir_size(&project.cache_dir()), 0);
    project
        .resolve(&server, &["-o", "again.txt", "requirements.in"])
        .expect_code(0);
    assert_eq!(
        body(&project, "again.txt"),
        body(&project, "requirements.txt")
    );
}

#[test]
fn cache_prune_to_zero_in_a_loop_never_breaks_a_concurrent_resolve() {
    hammer_the_cache_during_a_resolve(&["prune", "--max-size", "0"]);
}

#[test]
fn cache_clean_in_a_loop_never_breaks_a_concurrent_resolve() {
    hammer_the_cache_during_a_resolve(&["clean"]);
}
