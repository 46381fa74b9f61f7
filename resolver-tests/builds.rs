//! Metadata builds: an sdist whose dependencies are dynamic is built with an in-tree PEP 517
//! backend (`backend-path`, no build requirements, so the index needs no setuptools), the
//! result is cached, and a failing build stops the run naming the package and showing the
//! backend's own words.

use std::path::{Path, PathBuf};

use crate::support::bounded::Bounded as _;
use crate::support::{SdistKind, ServerOptions, TestFile, TestIndex, TestPackage, stub_setuptools};
use crate::{Project, index, pins};

/// A Python to build with, or `None` (the test is skipped, saying so) where there is none.
/// CI has one (`/usr/bin/python3`), so there a missing Python fails the test.
#[allow(clippy::print_stderr, reason = "a skipped test must say so")]
pub(crate) fn python(test: &str) -> Option<PathBuf> {
    let found = ["/usr/bin/python3", "python3"]
        .into_iter()
        .find(|candidate| {
            std::process::Command::new(candidate)
                .args(["-c", "pass"])
                .output_bounded()
                .is_ok_and(|output| output.status.success())
        });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test} needs python3, and CI must have one"
        );
        crate::support::skips::skip(test, "no python3 on this machine");
    }
    found.map(PathBuf::from)
}

fn sdist_only(name: &str, kind: SdistKind) -> TestPackage {
    TestPackage::new(name, "1.0")
        .with_files(vec![TestFile::Sdist(kind)])
        .requires(&["leaf>=1", "extra-only; extra == \"x\""])
        .extras(&["x"])
}

/// An index with [`sdist_only`] `name` and the packages it depends on.
fn sdist_index(name: &str, kind: SdistKind) -> TestIndex {
    index(
        vec![
            sdist_only(name, kind),
            TestPackage::new("leaf", "1.0"),
            TestPackage::new("extra-only", "1.0"),
        ],
        ServerOptions::default(),
    )
}

fn python_arg(python: &Path) -> String {
    python.display().to_string()
}

#[test]
fn a_dynamic_sdist_is_built_once_and_then_read_from_the_cache() {
    let Some(python) = python("a_dynamic_sdist_is_built_once_and_then_read_from_the_cache") else {
        return;
    };
    let server = sdist_index("built", SdistKind::InTreeBackend);
    let project = Project::new();
    project.write("requirements.in", "built[x]\n");
    let python = python_arg(&python);
    let args = ["--python", python.as_str(), "-v", "requirements.in"];

    let cold = project.resolve(&server, &args);
    cold.expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["built[x]==1.0", "extra-only==1.0", "leaf==1.0"],
        "{}",
        cold.stderr
    );
    assert!(
        cold.stderr.contains("building built 1.0"),
        "{}",
        cold.stderr
    );
    let first = project.read("requirements.txt");

    // Warm: the built metadata comes from the cache; nothing is built or downloaded.
    server.clear_requests();
    let warm = project.resolve(&server, &args);
    warm.expect_code(0);
    assert!(!warm.stderr.contains("building built"), "{}", warm.stderr);
    assert!(
        !server
            .requests()
            .iter()
            .any(|request| request.contains(".tar.gz")),
        "{:?}",
        server.requests()
    );
    assert_eq!(project.read("requirements.txt"), first);

    // Offline: the same bytes.
    let offline_args = ["--python", python.as_str(), "--offline", "requirements.in"];
    project.resolve(&server, &offline_args).expect_code(0);
    assert_eq!(project.read("requirements.txt"), first);
}

#[test]
fn a_failing_build_stops_the_run_with_the_backends_words() {
    let Some(python) = python("a_failing_build_stops_the_run_with_the_backends_words") else {
        return;
    };
    let server = sdist_index("broken", SdistKind::FailingBackend);
    let project = Project::new();
    project.write("requirements.in", "broken\n");
    let python = python_arg(&python);
    let run = project.resolve(&server, &["--python", python.as_str(), "requirements.in"]);
    run.expect_code(2);
    for expected in [
        "broken 1.0",
        "planted failure: this backend refuses to build",
        "in-tree backend: preparing the metadata",
        "--no-build",
    ] {
        assert!(run.stderr.contains(expected), "{expected}: {}", run.stderr);
    }
    assert!(
        !project.path().join("requirements.txt").exists(),
        "nothing is written on failure"
    );
}

#[test]
fn without_builds_or_python_the_error_says_what_to_do() {
    let server = sdist_index("built", SdistKind::InTreeBackend);
    let project = Project::new();
    project.write("requirements.in", "built\n");

    // `--no-build`: the version cannot be used, as before builds existed.
    let run = project.resolve(&server, &["--no-build", "requirements.in"]);
    run.expect_code(1);
    assert!(run.stderr.contains("--no-build"), "{}", run.stderr);

    // No interpreter anywhere: exit 2 naming the package and both ways out.
    let empty = tempfile::tempdir().unwrap();
    let path = empty.path().display().to_string();
    let run = project.resolve_with_env(&server, &["requirements.in"], &[("PATH", &path)]);
    run.expect_code(2);
    for expected in ["built 1.0", "--python", "pin"] {
        assert!(run.stderr.contains(expected), "{expected}: {}", run.stderr);
    }
}

#[test]
fn a_wheel_for_another_platform_tells_the_metadata_without_a_build() {
    // The sdist would fail to build; the Windows wheel's METADATA is read instead, as uv does.
    let server = index(
        vec![
            TestPackage::new("pkg", "1.0")
                .with_files(vec![
                    TestFile::Wheel {
                        tag: "cp39-cp39-win_amd64".to_string(),
                    },
                    TestFile::Sdist(SdistKind::FailingBackend),
                ])
                .requires(&["leaf"]),
            TestPackage::new("leaf", "1.0"),
        ],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.write("requirements.in", "pkg\n");
    let run = project.resolve(&server, &["--generate-hashes", "requirements.in"]);
    run.expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["leaf==1.0", "pkg==1.0"]
    );
    assert!(
        !server
            .requests()
            .iter()
            .any(|request| request.contains("pkg-1.0.tar.gz") && !request.starts_with("HEAD")),
        "the sdist is not fetched for its metadata: {:?}",
        server.requests()
    );
}

#[test]
fn an_unnamed_local_project_with_only_a_setup_py_is_named_by_its_build() {
    let Some(python) =
        python("an_unnamed_local_project_with_only_a_setup_py_is_named_by_its_build")
    else {
        return;
    };
    let server = index(
        vec![stub_setuptools(), TestPackage::new("leaf", "1.0")],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.write(
        "pkg/setup.py",
        "import setuptools\nsetuptools.setup(name='computed-' + 'name', version='2.0', install_requires=['leaf'])\n",
    );
    project.write("requirements.in", "-e ./pkg\n");
    let python = python_arg(&python);
    let run = project.resolve(&server, &["--python", python.as_str(), "requirements.in"]);
    run.expect_code(0);
    let lock = project.read("requirements.txt");
    assert!(lock.contains("-e ./pkg\n"), "{lock}");
    assert!(lock.contains("leaf==1.0"), "{lock}");
    assert!(lock.contains("# via computed-name"), "{lock}");
}

/// Whether process `pid` is running: not exited, and not a zombie (this container's PID 1 may
/// never reap an orphan).
fn is_running(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
    })
}

/// Waits until process `pid` has exited (a zombie counts), on a pidfd: a killed process may
/// still be dying when the run that killed it has ended. False when it is still running after
/// a minute, the bound that turns a survivor into a failure rather than a hang.
fn exits(pid: &str) -> bool {
    let Some(pid) = pid
        .trim()
        .parse::<i32>()
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return true;
    };
    let Ok(pidfd) = rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()) else {
        return true;
    };
    let mut fds = [rustix::event::PollFd::new(
        &pidfd,
        rustix::event::PollFlags::IN,
    )];
    let bound = rustix::event::Timespec {
        tv_sec: 60,
        tv_nsec: 0,
    };
    rustix::event::poll(&mut fds, Some(&bound)).is_ok_and(|ready| ready > 0)
}

#[test]
fn ctrl_c_stops_the_run_and_kills_a_running_build_backend() {
    let Some(python) = python("ctrl_c_stops_the_run_and_kills_a_running_build_backend") else {
        return;
    };
    let server = index(
        vec![TestPackage::new("leaf", "1.0")],
        ServerOptions::default(),
    );
    let project = Project::new();
    // The backend says it is running through a FIFO (the test blocks reading it: no sleeps),
    // then never finishes.
    let fifo = project.path().join("running.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status_bounded()
        .unwrap();
    assert!(made.success());
    project.write(
        "pkg/pyproject.toml",
        "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\"_build\"]\n\n[project]\nname = \"pkg\"\nversion = \"1.0\"\ndynamic = [\"dependencies\"]\n",
    );
    project.write(
        "pkg/_build/backend.py",
        &format!(
            "import os\nimport time\n\n\ndef get_requires_for_build_wheel(config_settings=None):\n    return []\n\n\n\
             def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):\n\
             \x20   with open({:?}, 'w') as fifo:\n        fifo.write(str(os.getpid()))\n\
             \x20   while True:\n        time.sleep(60)\n",
            fifo.display().to_string()
        ),
    );
    project.write("requirements.in", "-e ./pkg\n");
    let python = python_arg(&python);
    let args = project.resolve_args(&server, &["--python", python.as_str(), "requirements.in"]);
    let spawned = project.spawn(&args);
    let backend = std::fs::read_to_string(&fifo).unwrap();
    assert!(is_running(&backend), "the backend runs");
    spawned.interrupt();
    let run = spawned.wait();
    run.expect_code(130);
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    assert!(exits(&backend), "the backend {backend} outlived the run");
    assert!(!project.path().join("requirements.txt").exists());
}
