//! Skipped tests and narrowed runs.
//!
//! A test that cannot run here says so on stderr (`SKIPPED <test>: <reason>`). In CI (the `CI`
//! variable set, as `.ci/run` has it) a skip fails the test unless `PINWHEEL_ALLOW_SKIPS=1`
//! says skipping is meant: a CI run must not go green by testing nothing. A scenario filter
//! (`PINWHEEL_SCENARIO`) runs one scenario and turns the count guards off, so it is a skip of
//! every other scenario and follows the same rule.

/// The variable that allows skips in CI.
pub const ALLOW_SKIPS: &str = "PINWHEEL_ALLOW_SKIPS";

/// Whether a skip fails, given the values of `CI` and `PINWHEEL_ALLOW_SKIPS`: in CI (`CI` set
/// to anything but empty, `0` or `false`) unless skips are allowed (`1`).
fn skip_fails(ci: Option<&str>, allow: Option<&str>) -> bool {
    let in_ci = ci.is_some_and(|value| !matches!(value, "" | "0" | "false"));
    in_ci && allow != Some("1")
}

/// [`skip_fails`] for this process's environment.
fn skips_fail_here() -> bool {
    let ci = std::env::var("CI").ok();
    let allow = std::env::var(ALLOW_SKIPS).ok();
    skip_fails(ci.as_deref(), allow.as_deref())
}

/// Reports that `test` is skipped because of `reason`; in CI, unless skips are allowed, the
/// test fails instead.
///
/// # Panics
/// In CI without `PINWHEEL_ALLOW_SKIPS=1`.
#[allow(clippy::print_stderr, reason = "a skipped test must say so")]
pub fn skip(test: &str, reason: &str) {
    eprintln!("SKIPPED {test}: {reason}");
    assert!(
        !skips_fail_here(),
        "{test} was skipped in CI ({reason}); set {ALLOW_SKIPS}=1 if that is meant"
    );
}

/// The one scenario to run (`PINWHEEL_SCENARIO`), if a filter is set.
///
/// # Panics
/// When a filter is set in CI without `PINWHEEL_ALLOW_SKIPS=1`: it would turn the count
/// guards off.
#[must_use]
pub fn scenario_filter() -> Option<String> {
    let only = std::env::var("PINWHEEL_SCENARIO")
        .ok()
        .filter(|name| !name.is_empty())?;
    assert!(
        !skips_fail_here(),
        "PINWHEEL_SCENARIO={only} in CI runs one scenario and skips the rest; set {ALLOW_SKIPS}=1 if that is meant"
    );
    Some(only)
}

#[cfg(test)]
mod tests {
    use super::skip_fails;

    #[test]
    fn a_skip_fails_in_ci_unless_allowed() {
        assert!(skip_fails(Some("true"), None));
        assert!(skip_fails(Some("1"), Some("0")), "only 1 allows");
        assert!(!skip_fails(Some("true"), Some("1")));
        for outside in [None, Some(""), Some("0"), Some("false")] {
            assert!(!skip_fails(outside, None), "{outside:?}");
        }
    }
}
