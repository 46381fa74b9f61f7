//! The packse scenarios (`../shared/packse-scenarios/`, or `$PINWHEEL_PACKSE_DIR`), the public
//! resolver suite uv is tested against, run through the scenario runner. A missing directory is
//! a failure: a clone outside the usual layout would otherwise pass without running anything.
//! `PINWHEEL_SKIP_PACKSE=1` skips the suite, and says so. Deviations and updated expectations
//! are listed below and in resolver-tests/README.md.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::scenario::{UpdatedExpectation, run_all, scenario_files};

/// Scenarios whose expectation pinwheel deliberately does not follow, with the reason.
const DEVIATIONS: &[(&str, &str)] = &[];

/// How many scenarios pass today (the universal ones run in `packse_universal.rs`): the guard
/// is the real count, so a scenario that stops running fails it. Raise it when one is added.
const PACKSE_PASSING: usize = 107;

/// The pre-release rule uv adopted in 2026-07 (uv #19993, "Support transitive pre-release
/// dependencies"), in line with PEP 440: a prerelease satisfies a requirement when no final
/// release does, transitive requirements included, and a final release that fits is preferred
/// even when a specifier names a prerelease. The files in `../shared` still encode the older
/// rule (a prerelease only when the project has nothing else, or for every version once a
/// first-party specifier names one); uv's in-tree copies of these seven were changed with it.
const PRERELEASE_RULE: &str = "uv's 2026-07 pre-release rule (uv #19993, PEP 440)";

/// Expectations that replace the files' own, each with its reason.
const UPDATED_EXPECTATIONS: &[UpdatedExpectation] = &[
    UpdatedExpectation {
        name: "package-only-prereleases-in-range",
        satisfiable: true,
        packages: &[("a", "1.0.0a1")],
        reason: "no final release of `a` satisfies `a>0.1.0`, so its prerelease 1.0.0a1 does \
                 (uv's 2026-07 pre-release rule, uv #19993, PEP 440)",
    },
    UpdatedExpectation {
        name: "package-prerelease-specified-mixed-available",
        satisfiable: true,
        packages: &[("a", "0.3.0")],
        reason: "the final release 0.3.0 satisfies `a>=0.1.0a1` and is preferred over the newer \
                 1.0.0a1 although the specifier names a prerelease (uv's 2026-07 pre-release \
                 rule, uv #19993; pip picks 1.0.0a1)",
    },
    UpdatedExpectation {
        name: "package-prereleases-specifier-boundary",
        satisfiable: true,
        packages: &[("a", "0.1.0")],
        reason: "the final release 0.1.0 satisfies `a<0.2.0a2` and is preferred over 0.2.0a1 \
                 although the specifier names a prerelease (uv's 2026-07 pre-release rule, \
                 uv #19993)",
    },
    UpdatedExpectation {
        name: "transitive-package-only-prereleases-in-range",
        satisfiable: true,
        packages: &[("a", "0.1.0"), ("b", "1.0.0a1")],
        reason: "no final release of `b` satisfies the transitive `b>0.1`, so its prerelease \
                 1.0.0a1 does (uv's 2026-07 pre-release rule, uv #19993, PEP 440)",
    },
    UpdatedExpectation {
        name: "transitive-prerelease-and-stable-dependency",
        satisfiable: true,
        packages: &[("a", "1.0.0"), ("b", "1.0.0"), ("c", "2.0.0b1")],
        reason: "`a` requires `c==2.0.0b1` and `b`'s `c>=1.0.0,<=3.0.0` allows it: no final \
                 release satisfies both, so the prerelease is chosen without `--pre` (uv's \
                 2026-07 pre-release rule, uv #19993, PEP 440)",
    },
    UpdatedExpectation {
        name: "transitive-prerelease-and-stable-dependency-many-versions",
        satisfiable: true,
        packages: &[("a", "1.0.0"), ("b", "1.0.0"), ("c", "2.0.0b9")],
        reason: "`a`'s `c>=2.0.0b1` and `b`'s `c>=1.0.0,<=3.0.0` leave no final release of \
                 `c`, so the newest prerelease both allow is chosen (uv's 2026-07 pre-release \
                 rule, uv #19993, PEP 440)",
    },
    UpdatedExpectation {
        name: "transitive-prerelease-and-stable-dependency-many-versions-holes",
        satisfiable: true,
        packages: &[("a", "1.0.0"), ("b", "1.0.0"), ("c", "2.0.0b4")],
        reason: "`a`'s `c>1.0.0,…,<2.0.0b5` with its holes and `b`'s `c>=1.0.0,<=3.0.0` leave \
                 no final release of `c`, so the newest prerelease both allow, 2.0.0b4, is \
                 chosen (uv's 2026-07 pre-release rule, uv #19993, PEP 440)",
    },
];

/// Where the scenarios are, or why the suite is skipped.
#[derive(Debug, PartialEq, Eq)]
enum Location {
    /// Run the scenarios in this directory.
    Run(PathBuf),
    /// Skip the suite, for this reason.
    Skip(String),
}

/// Decides from `$PINWHEEL_PACKSE_DIR` (`dir`) and `$PINWHEEL_SKIP_PACKSE` (`skip`) where the
/// scenarios are. An absent directory is an error naming it, unless the suite is skipped.
fn locate(dir: Option<OsString>, skip: Option<OsString>) -> Result<Location, String> {
    if skip.as_deref().is_some_and(|skip| skip == "1") {
        return Ok(Location::Skip("PINWHEEL_SKIP_PACKSE=1".to_string()));
    }
    let dir = dir.map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/packse-scenarios"),
        PathBuf::from,
    );
    if dir.is_dir() {
        Ok(Location::Run(dir))
    } else {
        Err(format!(
            "the packse scenarios directory {} is absent: put `shared` beside the worktree, \
             point PINWHEEL_PACKSE_DIR at the scenarios, or set PINWHEEL_SKIP_PACKSE=1 to skip them",
            dir.display()
        ))
    }
}

#[test]
fn packse_scenarios() {
    let dir = match locate(
        std::env::var_os("PINWHEEL_PACKSE_DIR"),
        std::env::var_os("PINWHEEL_SKIP_PACKSE"),
    ) {
        Ok(Location::Run(dir)) => dir,
        Ok(Location::Skip(reason)) => {
            crate::support::skips::skip("packse_scenarios", &reason);
            return;
        }
        Err(error) => panic!("{error}"),
    };
    let files = scenario_files(&dir);
    let summary = run_all(
        &files,
        "cargo test --release --test resolver-tests packse_scenarios -- --nocapture",
        DEVIATIONS,
        UPDATED_EXPECTATIONS,
    );
    eprintln!(
        "packse: {} passed, {} failed, {} skipped, {} with an updated expectation ({PRERELEASE_RULE})",
        summary.passed,
        summary.failures.len(),
        summary.skipped.len(),
        summary.updated.len(),
    );
    for updated in &summary.updated {
        eprintln!("  updated: {updated}");
    }
    for skip in &summary.skipped {
        eprintln!("  skipped: {skip}");
    }
    assert!(
        summary.failures.is_empty(),
        "{} packse scenarios failed:\n\n{}",
        summary.failures.len(),
        summary.failures.join("\n\n")
    );
    // The real count, so that a scenario that stops running cannot pass unseen.
    assert!(
        summary.passed >= PACKSE_PASSING || crate::support::skips::scenario_filter().is_some(),
        "only {} packse scenarios passed in {} (at least {PACKSE_PASSING} expected)",
        summary.passed,
        dir.display()
    );
}

#[test]
fn an_absent_packse_directory_fails_unless_skipped() {
    let absent = std::env::temp_dir().join("pinwheel-no-such-packse-dir");
    let error = locate(Some(absent.clone().into_os_string()), None).unwrap_err();
    assert!(error.contains(&absent.display().to_string()), "{error}");
    assert!(error.contains("PINWHEEL_SKIP_PACKSE=1"), "{error}");
    assert_eq!(
        locate(Some(absent.into_os_string()), Some("1".into())),
        Ok(Location::Skip("PINWHEEL_SKIP_PACKSE=1".to_string()))
    );
    // Only `1` skips: a stray value must not turn the suite off.
    assert!(locate(Some("/nonexistent/packse".into()), Some("0".into())).is_err());
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("resolver-tests/scenarios");
    assert_eq!(
        locate(Some(here.clone().into_os_string()), None),
        Ok(Location::Run(here))
    );
}
