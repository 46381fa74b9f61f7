//! Live smoke tests against the real PyPI (marked `live_`): a fixed `--exclude-newer` keeps the
//! answer stable. Set `PINWHEEL_NO_LIVE_TESTS=1` to skip them where there is no network; they say
//! so on stderr rather than pass silently.

use crate::{Project, pins};

/// Whether live tests are turned off; says so on stderr, so a skip is never silent.
#[allow(clippy::print_stderr, reason = "a skipped test must say so")]
fn live_tests_disabled(test: &str) -> bool {
    let disabled = std::env::var_os("PINWHEEL_NO_LIVE_TESTS").is_some();
    if disabled {
        eprintln!("SKIPPED {test}: PINWHEEL_NO_LIVE_TESTS is set");
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
    assert_eq!(
        pins(&lock),
        [
            "certifi==2024.12.14",
            "charset-normalizer==3.4.1",
            "idna==3.10",
            "requests==2.32.3",
            "urllib3==2.3.0"
        ],
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

/// The core issue's acceptance inputs, resolved against the real PyPI with the flags uv was run
/// with, must give the body uv gave (recorded in `fixtures/real-world/uv/`; pinwheel never runs
/// uv). uv strips extras from pins, so the comparison uses `--strip-extras`.
#[test]
fn live_pypi_matches_recorded_uv_answers() {
    if live_tests_disabled("live_pypi_matches_recorded_uv_answers") {
        return;
    }
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/real-world");
    let project = Project::new();
    let mut mismatches = Vec::new();
    for input in ["api", "jupyter", "trio", "black", "boto3"] {
        let source = fixtures.join("inputs").join(format!("{input}.in"));
        let output = project.path().join(format!("{input}.txt"));
        let args: Vec<String> = [
            "resolve",
            "--python-version",
            "3.12",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--exclude-newer",
            "2026-11-01T00:00:00Z",
            "--generate-hashes",
            "--strip-extras",
            "--no-header",
            "--cache-dir",
            "cache",
            "-o",
        ]
        .iter()
        .map(|arg| (*arg).to_string())
        .chain([output.display().to_string(), source.display().to_string()])
        .collect();
        project.run(&args).expect_code(0);
        let ours = std::fs::read_to_string(&output).unwrap();
        let uv = std::fs::read_to_string(fixtures.join("uv").join(format!("{input}.txt"))).unwrap();
        // uv's `# via -r` names the input as it was given to uv (a relative path).
        let ours = ours.replace(
            &format!("-r {}", source.display()),
            &format!("-r inputs/{input}.in"),
        );
        let body = |text: &str| {
            text.lines()
                .filter(|line| !line.starts_with("#    ") || line.starts_with("    #"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        if body(&ours) != body(&uv) {
            mismatches.push(format!(
                "{input}: rerun `pinwheel {}` and diff with fixtures/real-world/uv/{input}.txt",
                args.join(" ")
            ));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
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
