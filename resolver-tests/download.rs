//! `pinwheel download` end to end: the file chosen per target, verification against the lock's
//! hashes, the cache (a second run sends nothing), `--offline`, markers, direct URLs, partial
//! files (removed on Ctrl-C, and when a killed run left them), and (opt-in) `pip install
//! --no-index --find-links` from the result.

use crate::support::bounded::Bounded as _;
use crate::support::{HashMode, SdistKind, ServerOptions, TestFile, TestIndex, TestPackage};
use crate::{Project, Run, index};

const ZEROS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn wheel(tag: &str) -> TestFile {
    TestFile::Wheel { tag: tag.into() }
}

fn sdist() -> TestFile {
    TestFile::Sdist(SdistKind::PkgInfo22)
}

/// Two wheel-only packages, `a` needing `b`.
fn two_packages() -> Vec<TestPackage> {
    vec![
        TestPackage::new("a", "1.0").requires(&["b"]),
        TestPackage::new("b", "2.0"),
    ]
}

impl Project {
    /// Runs `pinwheel download -r <lock> -d <dest>` with the project's cache, for x86_64
    /// manylinux_2_28 unless `args` names a platform. The index comes from the lock (or `args`).
    pub(crate) fn download(&self, lock: &str, dest: &str, args: &[&str]) -> Run {
        let mut all: Vec<String> = ["download", "-r", lock, "-d", dest]
            .map(str::to_string)
            .to_vec();
        if !args.contains(&"--python-platform") {
            all.extend(["--python-platform".into(), "x86_64-manylinux_2_28".into()]);
        }
        all.extend([
            "--cache-dir".into(),
            self.path().join("cache").display().to_string(),
        ]);
        all.extend(args.iter().map(|arg| (*arg).to_string()));
        self.run(&all)
    }

    /// Resolves `requirements` into `requirements.txt` with hashes.
    fn lock(&self, server: &TestIndex, requirements: &str, args: &[&str]) {
        self.write("requirements.in", requirements);
        let mut all = vec!["--generate-hashes", "requirements.in"];
        all.extend(args);
        self.resolve(server, &all).expect_code(0);
    }

    /// The names of the files in `dir`, sorted (temporary files included, so that a leftover
    /// shows up).
    fn files_in(&self, dir: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.path().join(dir)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// Asserts that `dir` holds exactly `files`, each with the bytes the index serves.
#[track_caller]
fn assert_holds(project: &Project, server: &TestIndex, dir: &str, files: &[&str]) {
    assert_eq!(project.files_in(dir), files, "files in {dir}");
    for file in files {
        let written = std::fs::read(project.path().join(dir).join(file)).unwrap();
        assert!(
            written == server.file_bytes(file).unwrap(),
            "{dir}/{file} differs from what the index serves"
        );
    }
}

/// Whole-file downloads in the server's log.
fn file_requests(server: &TestIndex) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .filter(|line| line.starts_with("GET /files/") && !line.ends_with(".metadata"))
        .collect()
}

#[test]
fn the_best_file_for_each_target_is_downloaded() {
    let server = index(
        vec![TestPackage::new("fast", "1.0").with_files(vec![
            wheel("py3-none-any"),
            wheel("cp312-cp312-manylinux_2_17_x86_64"),
            wheel("cp312-cp312-win_amd64"),
            sdist(),
        ])],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.lock(&server, "fast\n", &[]);
    for (platform, python, expected) in [
        (
            "x86_64-manylinux_2_28",
            "3.12",
            "fast-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
        ),
        ("windows", "3.12", "fast-1.0-cp312-cp312-win_amd64.whl"),
        ("macos", "3.12", "fast-1.0-py3-none-any.whl"),
        ("x86_64-manylinux_2_28", "3.11", "fast-1.0-py3-none-any.whl"),
    ] {
        let dest = format!("{platform}-{python}");
        let run = project.download(
            "requirements.txt",
            &dest,
            &["--python-platform", platform, "--python-version", python],
        );
        run.expect_code(0);
        assert_holds(&project, &server, &dest, &[expected]);
        assert!(run.stderr.contains("Downloaded 1 file ("), "{}", run.stderr);
    }
}

#[test]
fn the_sdist_is_downloaded_when_no_wheel_fits() {
    let server = index(
        vec![
            TestPackage::new("a", "1.0").requires(&["native"]),
            TestPackage::new("native", "0.5")
                .with_files(vec![wheel("cp311-cp311-manylinux_2_17_x86_64"), sdist()]),
        ],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.lock(&server, "a\n", &[]);
    let run = project.download("requirements.txt", "dist", &[]);
    run.expect_code(0);
    assert_holds(
        &project,
        &server,
        "dist",
        &["a-1.0-py3-none-any.whl", "native-0.5.tar.gz"],
    );
    assert!(
        run.stderr.contains(
            "note: 1 pin has only an sdist for this target (native==0.5): pip will have to build it"
        ),
        "{}",
        run.stderr
    );
    // For CPython 3.11 the wheel fits and wins over the sdist.
    project
        .download("requirements.txt", "py311", &["--python-version", "3.11"])
        .expect_code(0);
    assert_holds(
        &project,
        &server,
        "py311",
        &[
            "a-1.0-py3-none-any.whl",
            "native-0.5-cp311-cp311-manylinux_2_17_x86_64.whl",
        ],
    );
}

#[test]
fn a_second_run_is_served_from_the_cache_without_a_request() {
    let server = index(two_packages(), ServerOptions::default());
    let project = Project::new();
    project.lock(&server, "a\n", &[]);
    server.clear_requests();
    let cold = project.download("requirements.txt", "cold", &[]);
    cold.expect_code(0);
    assert!(
        cold.stderr
            .contains("2 fetched, 0 from the cache, 0 already there"),
        "{}",
        cold.stderr
    );
    assert_eq!(file_requests(&server).len(), 2, "{:?}", server.requests());
    let files = ["a-1.0-py3-none-any.whl", "b-2.0-py3-none-any.whl"];
    assert_holds(&project, &server, "cold", &files);

    for (dest, flags) in [("warm", &[][..]), ("offline", &["--offline"][..])] {
        server.clear_requests();
        let warm = project.download("requirements.txt", dest, flags);
        warm.expect_code(0);
        assert_eq!(server.requests(), Vec::<String>::new(), "{dest}");
        assert!(
            warm.stderr
                .contains("0 fetched, 2 from the cache, 0 already there"),
            "{}",
            warm.stderr
        );
        assert_holds(&project, &server, dest, &files);
    }
}

#[test]
fn offline_with_an_empty_cache_names_the_pins() {
    let server = index(two_packages(), ServerOptions::default());
    let project = Project::new();
    project.lock(&server, "a\n", &[]);
    // A fresh cache: the lock was resolved with the project's own one.
    std::fs::remove_dir_all(project.path().join("cache")).unwrap();
    let run = project.download("requirements.txt", "dist", &["--offline"]);
    run.expect_code(2);
    for pin in ["a==1.0", "b==2.0"] {
        assert!(
            run.stderr.contains(&format!("cannot download `{pin}`")),
            "{}",
            run.stderr
        );
    }
    assert!(
        run.stderr.contains("--offline") && run.stderr.contains("2 of 2 pins"),
        "{}",
        run.stderr
    );
    assert_eq!(project.files_in("dist"), Vec::<String>::new());
}

#[test]
fn a_lock_hash_the_index_does_not_list_is_an_error_and_nothing_is_written_for_it() {
    let server = index(two_packages(), ServerOptions::default());
    let project = Project::new();
    let b_hash = server.sha256_of("b-2.0-py3-none-any.whl").unwrap();
    project.write(
        "requirements.txt",
        &format!(
            "--index-url {}\n\na==1.0 \\\n    --hash=sha256:{ZEROS}\nb==2.0 \\\n    --hash=sha256:{b_hash}\n",
            server.index_url()
        ),
    );
    let run = project.download("requirements.txt", "dist", &[]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("requirements.txt:3: cannot download `a==1.0`")
            && run.stderr.contains(
                "none of the 1 files of version 1.0 on the index has a sha256 the lock lists"
            ),
        "{}",
        run.stderr
    );
    // The other pin is still placed; nothing at all for `a`, not even a temporary file.
    assert_holds(&project, &server, "dist", &["b-2.0-py3-none-any.whl"]);
}

#[test]
fn bytes_that_do_not_match_the_lock_are_not_written_or_cached() {
    // The index lists no digests, so the mismatch is only found in the downloaded bytes.
    let server = index(
        two_packages(),
        ServerOptions {
            hashes: HashMode::Omitted,
            ..ServerOptions::default()
        },
    );
    let project = Project::new();
    project.write(
        "requirements.txt",
        &format!(
            "--index-url {}\na==1.0 --hash=sha256:{ZEROS}\n",
            server.index_url()
        ),
    );
    let run = project.download("requirements.txt", "dist", &[]);
    run.expect_code(2);
    let actual = server.sha256_of("a-1.0-py3-none-any.whl").unwrap();
    assert!(
        run.stderr.contains(&format!(
            "`a-1.0-py3-none-any.whl` has sha256 {actual}, which is not among the lock's hashes ({ZEROS})"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(
        file_requests(&server),
        ["GET /files/a-1.0-py3-none-any.whl"]
    );
    assert_eq!(project.files_in("dist"), Vec::<String>::new());
    // Not cached either: an offline run has nothing to copy.
    let offline = project.download("requirements.txt", "dist", &["--offline"]);
    offline.expect_code(2);
    assert!(offline.stderr.contains("--offline"), "{}", offline.stderr);
}

#[test]
fn pins_whose_marker_does_not_hold_are_skipped() {
    let server = index(
        vec![
            TestPackage::new("a", "1.0"),
            TestPackage::new("winonly", "1.0"),
        ],
        ServerOptions::default(),
    );
    let hash = |file| server.sha256_of(file).unwrap();
    let project = Project::new();
    project.write(
        "requirements.txt",
        &format!(
            "--index-url {}\na==1.0 --hash=sha256:{}\nwinonly==1.0 ; sys_platform == \"win32\" \\\n    --hash=sha256:{}\n",
            server.index_url(),
            hash("a-1.0-py3-none-any.whl"),
            hash("winonly-1.0-py3-none-any.whl"),
        ),
    );
    let run = project.download("requirements.txt", "linux", &[]);
    run.expect_code(0);
    assert_holds(&project, &server, "linux", &["a-1.0-py3-none-any.whl"]);
    assert!(
        run.stderr
            .contains("Skipped 1 pin whose marker does not hold on the target: winonly==1.0"),
        "{}",
        run.stderr
    );
    assert!(
        !server
            .requests()
            .iter()
            .any(|line| line.contains("winonly")),
        "{:?}",
        server.requests()
    );
    project
        .download(
            "requirements.txt",
            "windows",
            &["--python-platform", "windows"],
        )
        .expect_code(0);
    assert_holds(
        &project,
        &server,
        "windows",
        &["a-1.0-py3-none-any.whl", "winonly-1.0-py3-none-any.whl"],
    );
}

#[test]
fn direct_url_pins_are_downloaded_and_verified() {
    let server = index(
        vec![TestPackage::new("direct", "1.0").with_files(vec![sdist()])],
        ServerOptions::default(),
    );
    let file = "direct-1.0.tar.gz";
    let url = format!("{}{file}", server.files_dir_url());
    let hash = server.sha256_of(file).unwrap();
    let project = Project::new();

    project.write(
        "good.txt",
        &format!("direct @ {url} \\\n    --hash=sha256:{hash}\n"),
    );
    project.download("good.txt", "good", &[]).expect_code(0);
    assert_holds(&project, &server, "good", &[file]);

    project.write(
        "bad.txt",
        &format!("direct @ {url} \\\n    --hash=sha256:{ZEROS}\n"),
    );
    let run = project.download("bad.txt", "bad", &[]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains(&format!("bad.txt:1: cannot download `direct @ {url}`"))
            && run.stderr.contains("which is not among the lock's hashes"),
        "{}",
        run.stderr
    );
    assert_eq!(project.files_in("bad"), Vec::<String>::new());

    // Without a lock hash, a `#sha256=` fragment is checked, with a warning.
    project.write("fragment.txt", &format!("direct @ {url}#sha256={hash}\n"));
    let run = project.download("fragment.txt", "fragment", &[]);
    run.expect_code(0);
    assert!(
        run.stderr
            .contains("warning: the lock has no hashes for 1 pin (direct @ "),
        "{}",
        run.stderr
    );
    assert_holds(&project, &server, "fragment", &[file]);

    // A `file://` URL is copied.
    let local = project.write("local/direct-1.0.tar.gz", "");
    std::fs::write(&local, server.file_bytes(file).unwrap()).unwrap();
    project.write(
        "local.txt",
        &format!(
            "direct @ {} --hash=sha256:{hash}\n",
            url::Url::from_file_path(&local).unwrap()
        ),
    );
    project.download("local.txt", "copied", &[]).expect_code(0);
    assert_holds(&project, &server, "copied", &[file]);
}

#[test]
fn identical_files_are_left_alone_and_damaged_ones_replaced() {
    let server = index(two_packages(), ServerOptions::default());
    let project = Project::new();
    project.lock(&server, "a\n", &[]);
    project
        .download("requirements.txt", "dist", &[])
        .expect_code(0);
    let damaged = project.path().join("dist/b-2.0-py3-none-any.whl");
    std::fs::write(&damaged, b"not a wheel").unwrap();
    server.clear_requests();
    let run = project.download("requirements.txt", "dist", &[]);
    run.expect_code(0);
    assert!(
        run.stderr
            .contains("0 fetched, 1 from the cache, 1 already there"),
        "{}",
        run.stderr
    );
    assert_eq!(server.requests(), Vec::<String>::new());
    assert_holds(
        &project,
        &server,
        "dist",
        &["a-1.0-py3-none-any.whl", "b-2.0-py3-none-any.whl"],
    );
}

#[test]
fn a_lock_without_hashes_is_checked_against_the_index_or_refused() {
    let server = index(two_packages(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "a\n");
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    let run = project.download("requirements.txt", "dist", &[]);
    run.expect_code(0);
    assert!(
        run.stderr
            .contains("warning: the lock has no hashes for 2 pins (a==1.0, b==2.0)"),
        "{}",
        run.stderr
    );
    assert_holds(
        &project,
        &server,
        "dist",
        &["a-1.0-py3-none-any.whl", "b-2.0-py3-none-any.whl"],
    );
    let quiet = project.download("requirements.txt", "dist", &["-q"]);
    quiet.expect_code(0);
    assert_eq!(quiet.stderr, "");

    let refused = project.download("requirements.txt", "strict", &["--require-hashes"]);
    refused.expect_code(2);
    assert!(
        refused.stderr.contains("cannot download `a==1.0`")
            && refused.stderr.contains("`--require-hashes` was given"),
        "{}",
        refused.stderr
    );
    assert_eq!(project.files_in("strict"), Vec::<String>::new());
}

#[test]
fn files_from_an_index_without_digests_are_cached_for_offline_runs() {
    let server = index(
        two_packages(),
        ServerOptions {
            hashes: HashMode::Omitted,
            ..ServerOptions::default()
        },
    );
    let project = Project::new();
    project.write("requirements.in", "a\n");
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    let run = project.download("requirements.txt", "cold", &[]);
    run.expect_code(0);
    assert!(
        run.stderr
            .contains("warning: nothing lists a sha256 for 2 pins (a==1.0, b==2.0)"),
        "{}",
        run.stderr
    );
    server.clear_requests();
    let offline = project.download("requirements.txt", "offline", &["--offline"]);
    offline.expect_code(0);
    assert!(
        offline.stderr.contains("2 from the cache"),
        "{}",
        offline.stderr
    );
    assert_eq!(server.requests(), Vec::<String>::new());
    assert_holds(
        &project,
        &server,
        "offline",
        &["a-1.0-py3-none-any.whl", "b-2.0-py3-none-any.whl"],
    );
}

#[test]
fn index_flags_win_over_the_lock_s_index_url() {
    let server = index(two_packages(), ServerOptions::default());
    let project = Project::new();
    let hash = |file| server.sha256_of(file).unwrap();
    // The lock names an index nothing listens on; `-i` replaces it.
    project.write(
        "requirements.txt",
        &format!(
            "--index-url http://127.0.0.1:9/simple\nb==2.0 --hash=sha256:{}\n",
            hash("b-2.0-py3-none-any.whl")
        ),
    );
    project
        .download(
            "requirements.txt",
            "dist",
            &["--index-url", &server.index_url()],
        )
        .expect_code(0);
    assert_holds(&project, &server, "dist", &["b-2.0-py3-none-any.whl"]);
}

#[test]
fn a_lock_s_no_index_and_find_links_lines_are_honoured() {
    let server = index(two_packages(), ServerOptions::default());
    let project = Project::new();
    let file = "b-2.0-py3-none-any.whl";
    // The lock's `--find-links wheels` is relative to the lock's own directory, as pip reads it.
    let local = project.write(&format!("locks/wheels/{file}"), "");
    std::fs::write(&local, server.file_bytes(file).unwrap()).unwrap();
    project.write(
        "locks/requirements.txt",
        &format!(
            "--no-index\n--find-links wheels\n\nb==2.0 --hash=sha256:{}\n",
            server.sha256_of(file).unwrap()
        ),
    );
    project
        .download("locks/requirements.txt", "dist", &[])
        .expect_code(0);
    assert_holds(&project, &server, "dist", &[file]);
    assert_eq!(server.requests(), Vec::<String>::new());
}

/// Needs `python3` with `venv` (and the pip it seeds, offline); without them it is skipped,
/// which fails in CI (see `support::skips`).
#[test]
fn pip_installs_from_the_downloaded_directory() {
    let server = index(two_packages(), ServerOptions::default());
    let project = Project::new();
    project.lock(&server, "a\n", &[]);
    project
        .download("requirements.txt", "wheels", &[])
        .expect_code(0);
    let venv = project.path().join("venv");
    let created = std::process::Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output_bounded();
    match created {
        Ok(output) if output.status.success() => {}
        outcome => {
            crate::support::skips::skip(
                "pip_installs_from_the_downloaded_directory",
                &format!("no python3 with venv ({outcome:?})"),
            );
            return;
        }
    }
    let pip = |args: &[&str]| {
        crate::clean_command(venv.join("bin/pip"), project.path())
            .args(args)
            .output_bounded()
            .unwrap()
    };
    let install = pip(&[
        "install",
        "--no-index",
        "--find-links",
        "wheels",
        "-r",
        "requirements.txt",
    ]);
    assert!(
        install.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&install.stdout),
        String::from_utf8_lossy(&install.stderr)
    );
    let listed = String::from_utf8_lossy(&pip(&["list", "--format=freeze"]).stdout).into_owned();
    for pin in ["a==1.0", "b==2.0"] {
        assert!(listed.contains(pin), "{listed}");
    }
}

/// A partial file as an earlier, killed download left it: named as pinwheel names them and
/// last written an hour ago.
fn plant_stale_partial(project: &Project, dir: &str, name: &str) -> std::path::PathBuf {
    let path = project.write(&format!("{dir}/{name}"), "half a wheel");
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    path
}

#[test]
fn partial_files_left_by_a_killed_run_are_removed_by_the_next() {
    let server = index(two_packages(), ServerOptions::default());
    let project = Project::new();
    project.lock(&server, "a\n", &[]);
    plant_stale_partial(&project, "dist", ".pinwheel-download-Ab12Cd");
    // A file of the user's that merely looks alike is not pinwheel's to remove.
    project.write("dist/.pinwheel-download-notes.txt", "mine");
    project
        .download("requirements.txt", "dist", &[])
        .expect_code(0);
    assert_eq!(
        project.files_in("dist"),
        [
            ".pinwheel-download-notes.txt",
            "a-1.0-py3-none-any.whl",
            "b-2.0-py3-none-any.whl"
        ]
    );
}

/// Polls until `done` holds, at most `limit` times, 10 ms apart; panics with `what` otherwise.
/// The pause only paces the polling: every check is of the state itself.
#[track_caller]
fn wait_until(what: &str, limit: usize, mut done: impl FnMut() -> bool) {
    for _ in 0..limit {
        if done() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("gave up waiting: {what}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_a_download_removes_its_partial_files() {
    let server = index(
        two_packages(),
        ServerOptions {
            stall_files: true,
            ..ServerOptions::default()
        },
    );
    let project = Project::new();
    project.lock(&server, "a\n", &[]);
    let args: Vec<String> = [
        "download",
        "-r",
        "requirements.txt",
        "-d",
        "dist",
        "--python-platform",
        "x86_64-manylinux_2_28",
        "--cache-dir",
        &project.cache_dir().display().to_string(),
    ]
    .map(str::to_string)
    .to_vec();
    let mut child = project.spawn(&args);
    let partial = |project: &Project| {
        project
            .files_in("dist")
            .iter()
            .filter(|name| name.starts_with(".pinwheel-download-"))
            .count()
    };
    // Both files hang half-sent, so both partial files appear and stay.
    wait_until("two partial files in dist", 6000, || {
        assert!(!child.has_exited(), "the download ended by itself");
        partial(&project) == 2
    });
    child.interrupt();
    // Waited for under the time limit of every child of a test.
    let run = child.wait();
    run.expect_code(130);
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    assert_eq!(project.files_in("dist"), Vec::<String>::new());
}

/// A file the cached page lists that answers 404 drops the page, as the resolver's fetches do:
/// the next run reads the index's current page instead of the stale one.
#[test]
fn a_file_gone_from_a_cached_page_drops_the_page_for_the_next_run() {
    let server = index(two_packages(), ServerOptions::default());
    let project = Project::new();
    project.lock(&server, "a\n", &[]);
    server.remove_file("b-2.0-py3-none-any.whl");
    let gone = project.download("requirements.txt", "wheels", &[]);
    assert_ne!(gone.output.status.code(), Some(0), "{}", gone.stderr);
    assert!(gone.stderr.contains("answered HTTP 404"), "{}", gone.stderr);
    server.clear_requests();
    project.download("requirements.txt", "again", &[]);
    let requests = server.requests();
    assert!(
        requests.iter().any(|line| line == "GET /simple/b/"),
        "the dropped page is read again: {requests:#?}"
    );
}
