//! PEP 440 specifiers as PubGrub version ranges.
//!
//! pep440_rs ships a conversion, but it treats `==1.5`, `!=1.5` and `<=1.5` as excluding the local
//! versions of 1.5 (`1.5+cpu`), which PEP 440 says they match ("local version labels MUST be
//! ignored entirely when checking if candidate versions match"), and that matters on indexes such
//! as PyTorch's. This module is the one place specifiers become ranges; everything else works on
//! ranges.
//!
//! Prereleases are *in* the ranges built here: whether a prerelease may be chosen is a policy of
//! version selection (see `candidates`), not of the specifier.

use pep440_rs::{Operator, Prerelease, Version, VersionSpecifier, VersionSpecifiers};
use pubgrub::Ranges;

/// The range of versions a set of specifiers allows (their intersection).
#[must_use]
pub fn specifiers_to_range(specifiers: &VersionSpecifiers) -> Ranges<Version> {
    specifiers.iter().fold(Ranges::full(), |range, specifier| {
        range.intersection(&specifier_to_range(specifier))
    })
}

/// The range of versions one specifier allows.
#[must_use]
pub fn specifier_to_range(specifier: &VersionSpecifier) -> Ranges<Version> {
    let version = specifier.version();
    match specifier.operator() {
        Operator::Equal | Operator::ExactEqual => equal(version),
        Operator::NotEqual => equal(version).complement(),
        Operator::EqualStar => prefix(version),
        Operator::NotEqualStar => prefix(version).complement(),
        Operator::TildeEqual => compatible_release(version),
        Operator::LessThan => {
            // "<V MUST NOT allow a pre-release of the specified version unless the specified
            // version is itself a pre-release": stop below every 1.0a/1.0.dev when V is 1.0.
            if version.any_prerelease() {
                Ranges::strictly_lower_than(version.clone())
            } else {
                Ranges::strictly_lower_than(version.clone().with_min(Some(0)))
            }
        }
        // `<=V` includes V's local versions (`1.5+cpu`) but not its post releases.
        Operator::LessThanEqual => Ranges::strictly_lower_than(after_locals(version)),
        Operator::GreaterThan => {
            // ">V MUST NOT allow a post-release of the given version unless V itself is a post
            // release", nor a local version of V.
            if version.dev().is_some() || version.post().is_some() {
                Ranges::higher_than(after_locals(version))
            } else {
                Ranges::strictly_higher_than(version.clone().without_local().with_max(Some(0)))
            }
        }
        Operator::GreaterThanEqual => Ranges::higher_than(version.clone()),
    }
}

/// The one version `range` was pinned to, if it is a pin: `==V` (V and its local versions,
/// as [`specifier_to_range`] builds it) or a single version.
#[must_use]
pub fn pinned_version(range: &Ranges<Version>) -> Option<&Version> {
    use std::ops::Bound;
    if let Some(version) = range.as_singleton() {
        return Some(version);
    }
    let mut segments = range.iter();
    match (segments.next(), segments.next()) {
        (Some((Bound::Included(low), Bound::Excluded(high))), None)
            if !low.is_local() && *high == after_locals(low) =>
        {
            Some(low)
        }
        _ => None,
    }
}

/// `==V`: V and, when V has no local label, every local version of V.
fn equal(version: &Version) -> Ranges<Version> {
    if version.is_local() {
        Ranges::singleton(version.clone())
    } else {
        Ranges::from_range_bounds(version.clone()..after_locals(version))
    }
}

/// The smallest version greater than V and all of V's local versions: the next dev release when
/// V is a dev release, else the first dev release of V's next post release.
fn after_locals(version: &Version) -> Version {
    let public = version.clone().without_local();
    if let Some(dev) = public.dev() {
        return public.with_dev(Some(dev + 1));
    }
    let next_post = public.post().map_or(0, |post| post + 1);
    public.with_post(Some(next_post)).with_dev(Some(0))
}

/// `==V.*`: every version whose release (or pre/post segment) starts with V's.
fn prefix(version: &Version) -> Ranges<Version> {
    let low = version.clone().with_dev(Some(0));
    let high = if let Some(post) = low.post() {
        low.clone().with_post(Some(post + 1))
    } else if let Some(pre) = low.pre() {
        low.clone().with_pre(Some(Prerelease {
            kind: pre.kind,
            number: pre.number + 1,
        }))
    } else {
        let mut release = low.release().to_vec();
        if let Some(last) = release.last_mut() {
            *last += 1;
        }
        low.clone().with_release(release)
    };
    Ranges::from_range_bounds(low..high)
}

/// `~=V`: `>=V, ==V[:-1].*`.
fn compatible_release(version: &Version) -> Ranges<Version> {
    let release = version.release();
    // pep440_rs rejects `~=` with a single release segment at parse time; be total anyway.
    let prefix_len = release.len().saturating_sub(1).max(1);
    let mut upper_release = release[..prefix_len].to_vec();
    if let Some(last) = upper_release.last_mut() {
        *last += 1;
    }
    let upper = Version::new(upper_release)
        .with_epoch(version.epoch())
        .with_min(Some(0));
    Ranges::from_range_bounds(version.clone()..upper)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn range(text: &str) -> Ranges<Version> {
        specifiers_to_range(&VersionSpecifiers::from_str(text).unwrap())
    }

    #[test]
    fn pins_are_recognised_with_their_local_versions() {
        let pinned = |text: &str| pinned_version(&range(text)).map(ToString::to_string);
        assert_eq!(pinned("==1.5").as_deref(), Some("1.5"));
        assert_eq!(pinned("===1.5").as_deref(), Some("1.5"));
        assert_eq!(pinned("==1.5.post2").as_deref(), Some("1.5.post2"));
        assert_eq!(pinned("==1.5.dev3").as_deref(), Some("1.5.dev3"));
        assert_eq!(pinned("==1.5+cpu").as_deref(), Some("1.5+cpu"));
        assert_eq!(pinned(">=1.5,<=1.5").as_deref(), Some("1.5"));
        assert_eq!(pinned(">=1.5,<1.6"), None);
        assert_eq!(pinned("==1.5.*"), None);
        assert_eq!(pinned("!=1.5"), None);
        assert_eq!(pinned(">=1.5"), None);
    }

    fn v(text: &str) -> Version {
        Version::from_str(text).unwrap()
    }

    /// Each case: a specifier, the versions it must contain, and those it must not.
    #[test]
    fn specifiers_contain_what_pep_440_says() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            (
                "==1.2.*",
                &[
                    "1.2",
                    "1.2.0",
                    "1.2.9",
                    "1.2a1",
                    "1.2.dev0",
                    "1.2.3.post1",
                    "1.2+local",
                ],
                &["1.3", "1.1.9", "1.3a1", "1.20"],
            ),
            (
                "!=1.2.*",
                &["1.3", "1.1.9", "1.20"],
                &["1.2", "1.2.5", "1.2rc1"],
            ),
            (
                "~=1.4.5",
                &["1.4.5", "1.4.9", "1.4.5.post1"],
                &["1.5", "1.4.4", "1.5a1", "1.5.dev0"],
            ),
            (
                "~=2.2",
                &["2.2", "2.9", "2.2.1"],
                &["3.0", "2.1", "3.0.dev1"],
            ),
            (
                "==1.5",
                &["1.5", "1.5.0", "1.5+cpu", "1.5.0+cu118"],
                &["1.5.post1", "1.5.1", "1.5a1", "1.4"],
            ),
            ("==1.5+cpu", &["1.5+cpu"], &["1.5", "1.5+cu118"]),
            ("!=1.5", &["1.4", "1.5.post1", "1.6"], &["1.5", "1.5+cpu"]),
            (
                "<=1.5",
                &["1.5", "1.5+cpu", "1.4", "1.5rc1"],
                &["1.5.post1", "1.6"],
            ),
            (
                "<1.5",
                &["1.4", "1.4.99"],
                &["1.5", "1.5a1", "1.5.dev0", "1.5+cpu"],
            ),
            ("<2.0a5", &["2.0a1", "1.9"], &["2.0a5", "2.0"]),
            (
                ">1.5",
                &["1.6", "1.5.1", "1.6a1"],
                &["1.5", "1.5.post1", "1.5+cpu"],
            ),
            (
                ">1.5.post1",
                &["1.5.post2", "1.6"],
                &["1.5.post1", "1.5.post1+cpu"],
            ),
            (
                ">=1.5",
                &["1.5", "1.5+cpu", "1.5.post1", "2"],
                &["1.5rc1", "1.4"],
            ),
            (
                ">=1.0,!=1.3,<2",
                &["1.0", "1.2", "1.4", "1.9.9"],
                &["1.3", "2.0", "0.9", "2.0a1"],
            ),
            (
                ">=2.0.0rc1",
                &["2.0.0rc1", "2.0.0", "2.0.0rc2"],
                &["2.0.0b1"],
            ),
            ("===1.0", &["1.0"], &["1.0.1"]),
        ];
        for (specifiers, inside, outside) in cases {
            let range = range(specifiers);
            for version in *inside {
                assert!(
                    range.contains(&v(version)),
                    "{specifiers} should contain {version}: {range}"
                );
            }
            for version in *outside {
                assert!(
                    !range.contains(&v(version)),
                    "{specifiers} should not contain {version}: {range}"
                );
            }
        }
    }

    #[test]
    fn empty_specifiers_allow_everything() {
        assert_eq!(range(""), Ranges::full());
    }

    /// Guards the bridge between pubgrub's and pep440_rs's `version-ranges`: if either crate
    /// moves to another major version this stops compiling or fails.
    #[test]
    fn pubgrub_and_pep440_share_version_ranges() {
        let from_pep440: Ranges<Version> =
            Ranges::from(VersionSpecifiers::from_str(">=1.0").unwrap());
        let ours: pubgrub::Range<Version> = range(">=1.0");
        assert_eq!(from_pep440, ours);
    }
}
