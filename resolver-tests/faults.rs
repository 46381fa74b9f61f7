//! Faults the user causes (#16, point 7): Ctrl-C in the middle of a cold resolve, a full disk
//! under the cache and under the output, a read-only cache.
//!
//! A full disk is a small tmpfs and a read-only cache a read-only bind mount (root ignores file
//! modes, so `chmod` proves nothing); both need root, as tests run here and in CI. Elsewhere
//! those tests skip, which fails CI unless `PINWHEEL_ALLOW_SKIPS=1`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::bounded::Bounded as _;
use crate::support::{MetadataMode, RangeMode, ServerOptions, TestIndex, TestPackage};
use crate::{Project, index, pins};

/// A mount made by a test, undone when dropped (lazily, so that an open file cannot keep it).
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status_bounded();
    }
}

fn mount(test: &str, args: &[&str], at: &Path) -> Option<Mount> {
    std::fs::create_dir_all(at).unwrap();
    let status = std::process::Command::new("mount")
        .args(args)
        .arg(at)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status_bounded();
    if status.is_ok_and(|status| status.success()) {
        return Some(Mount(at.to_path_buf()));
    }
    crate::support::skips::skip(test, "cannot mount (tests that fill a disk need root)");
    None
}

/// A tmpfs of `kib` KiB at `at`.
fn tmpfs(test: &str, at: &Path, kib: u32) -> Option<Mount> {
    let size = format!("size={kib}k");
    mount(test, &["-t", "tmpfs", "-o", &size, "tmpfs"], at)
}

/// `at` mounted over itself read-only (a bind mount, then remounted `ro`).
fn read_only(test: &str, at: &Path) -> Option<Mount> {
    let at_text = at.display().to_string();
    let bound = mount(test, &["--bind", &at_text], at)?;
    let status = std::process::Command::new("mount")
        .args(["-o", "remount,bind,ro"])
        .arg(at)
        .status_bounded()
        .unwrap();
    assert!(status.success(), "remounting {at_text} read-only");
    Some(bound)
}

/// Fills the file system of `dir` to the last byte.
fn fill(dir: &Path) {
    use std::io::Write as _;
    let mut filler = std::fs::File::create(dir.join("filler")).unwrap();
    let block = vec![0u8; 4096];
    while filler.write_all(&block).is_ok() {}
    // Smaller pieces, to the last byte a write takes.
    while filler.write_all(&[0]).is_ok() {}
}

fn packages() -> Vec<TestPackage> {
    vec![
        TestPackage::new("app", "1.0").requires(&["lib>=1"]),
        TestPackage::new("lib", "1.0"),
        TestPackage::new("lib", "2.0"),
    ]
}

fn resolve_args(project: &Project, server: &TestIndex, cache: &Path, output: &str) -> Vec<String> {
    project.write("requirements.in", "app\n");
    let mut args = project.resolve_args(server, &["-o", output, "requirements.in"]);
    // `resolve_args` names the project's cache; these tests choose their own.
    let at = args.iter().position(|arg| arg == "--cache-dir").unwrap();
    args[at + 1] = cache.display().to_string();
    args
}

/// The run warned once that the cache cannot be written, and about nothing else.
fn assert_one_cache_warning(run: &crate::Run) {
    let cache_warnings = run.stderr.matches("continuing without caching").count();
    assert_eq!(cache_warnings, 1, "{}", run.stderr);
    assert_eq!(run.stderr.matches("WARN").count(), 1, "{}", run.stderr);
}

/// Every file under `dir`, relative to it, sorted.
fn relative_files(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = crate::files_under(dir)
        .iter()
        .map(|path| path.strip_prefix(dir).unwrap().display().to_string())
        .collect();
    found.sort();
    found
}

#[cfg(unix)]
#[test]
fn ctrl_c_in_a_cold_resolve_writes_nothing_and_leaves_the_cache_usable() {
    // No metadata files and no ranges: the metadata of `lib` comes from the whole wheel, which
    // the server sends half of and then holds.
    let stalled = index(
        packages(),
        ServerOptions {
            metadata: MetadataMode::Absent,
            ranges: RangeMode::Refused,
            stall_files: true,
            ..ServerOptions::default()
        },
    );
    let project = Project::new();
    project.write("requirements.txt", "app==0.9\n");
    let cache = project.cache_dir();
    let args = resolve_args(&project, &stalled, &cache, "requirements.txt");
    let spawned = project.spawn(&args);
    stalled.wait_for_request("GET /files/", Duration::from_secs(120));
    spawned.interrupt();
    let run = spawned.wait();
    run.expect_code(130);
    assert!(
        run.stderr.contains("interrupted: nothing was written"),
        "{}",
        run.stderr
    );
    assert_eq!(project.read("requirements.txt"), "app==0.9\n");
    let leftovers: Vec<String> = relative_files(project.path())
        .into_iter()
        .filter(|path| !path.starts_with("cache/") && !path.starts_with("requirements."))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:#?}");
    // The half-fetched wheel left nothing in the cache that a later run trips over.
    let server = index(packages(), ServerOptions::default());
    let args = resolve_args(&project, &server, &cache, "requirements.txt");
    project.run(&args).expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["app==1.0", "lib==2.0"]
    );
}

#[test]
fn a_full_disk_under_the_cache_is_one_warning_and_the_run_goes_on() {
    let test = "a_full_disk_under_the_cache_is_one_warning_and_the_run_goes_on";
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    let cache = project.path().join("full-cache");
    let Some(_mount) = tmpfs(test, &cache, 64) else {
        return;
    };
    fill(&cache);
    let args = resolve_args(&project, &server, &cache, "requirements.txt");
    let run = project.run(&args);
    run.expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["app==1.0", "lib==2.0"]
    );
    assert_one_cache_warning(&run);
}

#[test]
fn a_full_disk_under_the_output_is_an_error_and_the_old_lock_stays() {
    let test = "a_full_disk_under_the_output_is_an_error_and_the_old_lock_stays";
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    let out = project.path().join("out");
    let Some(_mount) = tmpfs(test, &out, 64) else {
        return;
    };
    std::fs::write(out.join("requirements.txt"), "app==0.9\n").unwrap();
    fill(&out);
    let cache = project.cache_dir();
    let args = resolve_args(&project, &server, &cache, "out/requirements.txt");
    let run = project.run(&args);
    run.expect_code(2);
    assert!(
        run.stderr.contains("out/requirements.txt"),
        "the error names the output: {}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(out.join("requirements.txt")).unwrap(),
        "app==0.9\n"
    );
    let mut left = relative_files(&out);
    left.retain(|name| name != "filler");
    assert_eq!(left, ["requirements.txt"], "a temporary file was left");
}

#[test]
fn a_read_only_cache_works_uncached_with_one_warning() {
    let test = "a_read_only_cache_works_uncached_with_one_warning";
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    let cache = project.path().join("ro-cache");
    std::fs::create_dir_all(&cache).unwrap();
    let Some(_mount) = read_only(test, &cache) else {
        return;
    };
    let args = resolve_args(&project, &server, &cache, "requirements.txt");
    let run = project.run(&args);
    run.expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["app==1.0", "lib==2.0"]
    );
    assert_one_cache_warning(&run);
    assert!(relative_files(&cache).is_empty());
}
