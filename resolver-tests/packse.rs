//! The packse scenarios (`../shared/packse-scenarios/`), the public resolver suite uv is tested
//! against, run through the scenario runner. Where `../shared` is absent this reports itself
//! skipped. Deviations from the files are listed below and in resolver-tests/README.md.

use std::path::Path;

use crate::scenario::{run_all, scenario_files};

/// Scenarios whose expectation pinwheel deliberately does not follow, with the reason.
const DEVIATIONS: &[(&str, &str)] = &[];

#[test]
fn packse_scenarios() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/packse-scenarios");
    if !dir.is_dir() {
        eprintln!("SKIPPED packse_scenarios: {} is absent", dir.display());
        return;
    }
    let files = scenario_files(&dir);
    let (passed, skipped, failures) = run_all(
        &files,
        "cargo test --release --test resolver-tests packse_scenarios -- --nocapture",
        DEVIATIONS,
    );
    eprintln!(
        "packse: {passed} passed, {} failed, {} skipped",
        failures.len(),
        skipped.len()
    );
    for skip in &skipped {
        eprintln!("  skipped: {skip}");
    }
    assert!(
        failures.is_empty(),
        "{} packse scenarios failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        passed > 0 || std::env::var_os("PINWHEEL_SCENARIO").is_some(),
        "no packse scenario ran"
    );
}
