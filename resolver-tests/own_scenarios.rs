//! Our own scenarios (`resolver-tests/scenarios/*.toml`), for what packse does not cover: input
//! forms, fetch paths, sdist kinds, hashes, annotations and explanations.

use std::path::Path;

use crate::scenario::{run_all, scenario_files};

/// How many scenarios pass today: the guard is the real count, so a scenario that stops
/// running (a file emptied or renamed) fails it. Raise it when one is added.
const MINIMUM_SCENARIOS: usize = 81;

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
        passed >= MINIMUM_SCENARIOS || crate::support::skips::scenario_filter().is_some(),
        "only {passed} scenarios ran (at least {MINIMUM_SCENARIOS} expected)"
    );
}
