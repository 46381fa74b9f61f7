//! Our own scenarios (`resolver-tests/scenarios/*.toml`), for what packse does not cover: input
//! forms, fetch paths, sdist kinds, hashes, annotations and explanations.

use std::path::Path;

use crate::scenario::{run_all, scenario_files};

/// How many scenarios must run (a guard against a directory silently emptied).
const MINIMUM_SCENARIOS: usize = 40;

#[test]
fn own_scenarios() {
    let files =
        scenario_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("resolver-tests/scenarios"));
    let summary = run_all(
        &files,
        "cargo test --release --test resolver-tests own_scenarios -- --nocapture",
        &[],
        &[],
    );
    let (passed, skipped, failures) = (summary.passed, summary.skipped, summary.failures);
    eprintln!(
        "own scenarios: {passed} passed, {} failed, {} skipped",
        failures.len(),
        skipped.len()
    );
    assert!(
        failures.is_empty(),
        "{} scenarios failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        passed >= 40 || std::env::var_os("PINWHEEL_SCENARIO").is_some(),
        "only {passed} scenarios ran (at least {MINIMUM_SCENARIOS} expected)"
    );
}
