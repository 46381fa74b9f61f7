//! Live smoke tests against the real PyPI (marked `live_`). A fixed `--exclude-newer` does not
//! keep the answer stable (a published index gains files with earlier upload times), so they
//! compare with an oracle run at the same moment or check what cannot drift. Set
//! `PINWHEEL_NO_LIVE_TESTS=1` to skip them where there is no network; they say so on stderr rather
//! than pass silently.

use crate::support::bounded::Bounded as _;
use crate::{Project, pins};

/// Whether live tests are turned off; says so on stderr, so a skip is never silent.
#[allow(clippy::print_stderr, reason = "a skipped test must say so")]
fn live_tests_disabled(test: &str) -> bool {
    let disabled = std::env::var("PINWHEEL_NO_LIVE_TESTS").as_deref() == Ok("1");
    if disabled {
        crate::support::skips::skip(test, "PINWHEEL_NO_LIVE_TESTS=1");
    }
    disabled
}

#[test]
fn live_pypi_resolves_requests_with_hashes() {
    if live_tests_disabled("live_pypi_resolves_requests_with_hashes") {
        return;
    }
    let project = Project::new();
    project.write("requirements.in", "requests==2.32.3\n");
    let args: Vec<String> = [
        "resolve",
        "--python-version",
        "3.12",
        "--python-platform",
        "x86_64-manylinux_2_28",
        "--exclude-newer",
        "2025-01-01T00:00:00Z",
        "--generate-hashes",
        "--cache-dir",
        "cache",
        "requirements.in",
    ]
    .iter()
    .map(|arg| (*arg).to_string())
    .collect();
    project.run(&args).expect_code(0);
    let lock = project.read("requirements.txt");
    // Only what cannot drift: the names come from requests 2.32.3's own metadata; the versions
    // of the others may move as the index gains files uploaded before the cutoff.
    let names: Vec<String> = pins(&lock)
        .iter()
        .map(|pin| pin.split("==").next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "certifi",
            "charset-normalizer",
            "idna",
            "requests",
            "urllib3"
        ],
        "{lock}"
    );
    assert!(
        pins(&lock).contains(&"requests==2.32.3".to_string()),
        "{lock}"
    );
    // requests 2.32.3 has exactly two files: the wheel and the sdist.
    assert!(
        lock.contains(
            "--hash=sha256:70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6"
        ),
        "{lock}"
    );
}

/// The variable that names the oracle: uv 0.13.9's binary, installed by `.ci/run` into a venv
/// of its own. pinwheel itself never needs uv; only this test runs it.
const ORACLE: &str = "PINWHEEL_TEST_UV";

/// The flags pinwheel and uv are both run with (uv strips extras from pins, and pins
/// `setuptools` and `pip` as `--allow-unsafe` does).
const SHARED_FLAGS: &[&str] = &[
    "--python-version",
    "3.12",
    "--python-platform",
    "x86_64-manylinux_2_28",
    "--exclude-newer",
    "2026-11-01T00:00:00Z",
    "--generate-hashes",
    "--no-header",
];

/// The core issue's acceptance inputs resolved against the live index by pinwheel and, at the
/// same moment, by uv: the bodies must be equal. A published index changes behind a fixed
/// `--exclude-newer` (files appear later with earlier upload times), so an answer recorded once
/// goes stale: `fixtures/real-world/uv/` is only diffed for information. What cannot drift is
/// checked too: a second, `--offline` run reproduces the lock byte for byte.
///
/// In CI (`CI=true`) a missing oracle fails the test; elsewhere the test says it skipped.
#[test]
#[allow(
    clippy::print_stderr,
    reason = "the drift from the recorded answers is information"
)]
fn live_pypi_matches_uv_run_at_the_same_moment() {
    const TEST: &str = "live_pypi_matches_uv_run_at_the_same_moment";
    if live_tests_disabled(TEST) {
        return;
    }
    let Some(uv) = std::env::var_os(ORACLE).filter(|path| !path.is_empty()) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{TEST}: the oracle is missing in CI: set {ORACLE} to uv 0.13.9 (.ci/run installs it)"
        );
        crate::support::skips::skip(
            TEST,
            &format!("{ORACLE} is not set (uv 0.13.9, the oracle)"),
        );
        return;
    };
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/real-world");
    let project = Project::new();
    let mut mismatches = Vec::new();
    for input in ["api", "jupyter", "trio", "black", "boto3"] {
        // Both tools read the input by the same relative path, so `# via -r` lines agree.
        let source = format!("inputs/{input}.in");
        let text = std::fs::read_to_string(fixtures.join(&source)).unwrap();
        project.write(&source, &text);
        let ours = resolve_live(&project, input, &source, &[]);
        let offline = resolve_live(&project, input, &source, &["--offline"]);
        if offline != ours {
            mismatches.push(format!("{input}: the --offline rerun gave other bytes"));
        }
        let theirs = uv_compile(&project, &uv, input, &source);
        if body(&ours) != body(&theirs) {
            mismatches.push(format!(
                "{input}: pinwheel and uv differ:\n{}",
                similar::TextDiff::from_lines(&body(&theirs), &body(&ours))
                    .unified_diff()
                    .header("uv", "pinwheel")
            ));
        }
        let recorded =
            std::fs::read_to_string(fixtures.join("uv").join(format!("{input}.txt"))).unwrap();
        if body(&recorded) != body(&theirs) {
            eprintln!(
                "{TEST}: {input}: the index moved since fixtures/real-world/uv/{input}.txt was recorded \
                 (information, not a failure):\n{}",
                similar::TextDiff::from_lines(&body(&recorded), &body(&theirs))
                    .unified_diff()
                    .header("recorded", "uv now")
            );
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// pinwheel's lock of `source` for the live test, with `extra` flags.
fn resolve_live(project: &Project, input: &str, source: &str, extra: &[&str]) -> String {
    let output = format!("{input}{}.txt", extra.join(""));
    let args: Vec<String> = [
        "resolve",
        "--strip-extras",
        "--allow-unsafe",
        "--cache-dir",
        "cache",
    ]
    .iter()
    .chain(SHARED_FLAGS)
    .chain(extra)
    .chain(&["-o", &output, source])
    .map(|arg| (*arg).to_string())
    .collect();
    project.run(&args).expect_code(0);
    project.read(&output)
}

/// uv's lock of `source`, into a fresh output file (uv prefers the pins of an existing one).
fn uv_compile(project: &Project, uv: &std::ffi::OsStr, input: &str, source: &str) -> String {
    let output = format!("{input}.uv.txt");
    // pyenv's shims make uv look for (and try to download) a Python it does not need.
    let path: Vec<_> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    let path = std::env::join_paths(
        path.iter()
            .filter(|dir| !dir.to_string_lossy().contains("pyenv")),
    )
    .unwrap();
    let run = crate::clean_command(uv, project.path())
        .args(["pip", "compile", "--cache-dir", "uv-cache"])
        .args(SHARED_FLAGS)
        .args(["-o", &output, source])
        .env("PATH", path)
        .env("UV_PYTHON_DOWNLOADS", "never")
        .output_bounded()
        .unwrap();
    assert!(
        run.status.success(),
        "uv pip compile {source} failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    project.read(&output)
}

/// A lock without its comment header.
fn body(text: &str) -> String {
    text.lines()
        .filter(|line| !line.starts_with("#    ") || line.starts_with("    #"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `check` issue's acceptance case: numpy 1.24.4 has wheels up to cp311 and an sdist, so on
/// 3.12 only a build could install it (a warning, a failure with `--require-wheels`).
#[test]
fn live_pypi_check_finds_no_cp312_wheel_for_numpy_1_24_4() {
    if live_tests_disabled("live_pypi_check_finds_no_cp312_wheel_for_numpy_1_24_4") {
        return;
    }
    let project = Project::new();
    project.write("requirements.txt", "numpy==1.24.4\n");
    let args = |extra: &[&str]| -> Vec<String> {
        [
            "check",
            "--python-version",
            "3.11",
            "--python-version",
            "3.12",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--cache-dir",
            "cache",
        ]
        .iter()
        .chain(extra)
        .chain(&["requirements.txt"])
        .map(|arg| (*arg).to_string())
        .collect()
    };
    let run = project.run(&args(&[]));
    run.expect_code(0);
    let row: Vec<&str> = run
        .stdout
        .lines()
        .find(|line| line.starts_with("numpy==1.24.4 "))
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(row, ["numpy==1.24.4", "ok", "sdist-only"], "{}", run.stdout);
    assert!(
        run.stdout
            .contains("no cp312 wheel: pip would build numpy-1.24.4.tar.gz"),
        "{}",
        run.stdout
    );
    project.run(&args(&["--require-wheels"])).expect_code(1);
}
