//! Live smoke tests against the real PyPI (marked `live_`): a fixed `--exclude-newer` keeps the
//! answer stable. Set `PINWHEEL_NO_LIVE_TESTS=1` to skip them where there is no network; they say
//! so on stderr rather than pass silently.

use crate::{Project, pins};

#[test]
fn live_pypi_resolves_requests_with_hashes() {
    if std::env::var_os("PINWHEEL_NO_LIVE_TESTS").is_some() {
        eprintln!("SKIPPED live_pypi_resolves_requests_with_hashes: PINWHEEL_NO_LIVE_TESTS is set");
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
