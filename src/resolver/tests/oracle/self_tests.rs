//! Tests of the oracle itself: the checker rejects broken solutions, the search finds
//! solutions and proves their absence, and a seed always gives the same registry.

use std::collections::BTreeSet;
use std::str::FromStr;

use super::model::{
    Chosen, EnvMarker, Flaw, Package, Registry, Release, Req, check, find_solution,
};
use super::{Agreement, case, generate, runtime};
use crate::resolver::{PrereleaseMode, ResolutionStrategy};
use crate::types::VersionSpecifiers;

/// A requirement on package `package` with `specifiers` (and `[extras]`).
fn req(package: usize, extras: &[&str], specifiers: &str) -> Req {
    Req {
        package,
        extras: extras.iter().map(ToString::to_string).collect(),
        specifiers: VersionSpecifiers::from_str(specifiers).unwrap(),
        env: None,
        extra: None,
    }
}

/// `requirement; extra == "extra"`.
fn for_extra(requirement: Req, extra: &str) -> Req {
    Req {
        extra: Some(extra.to_string()),
        ..requirement
    }
}

/// `requirement; sys_platform == "win32"`, which the target does not meet.
fn on_windows(requirement: Req) -> Req {
    Req {
        env: Some(EnvMarker {
            text: "sys_platform == \"win32\"",
            holds: false,
        }),
        ..requirement
    }
}

fn release(version: &str, requires: Vec<Req>) -> Release {
    Release {
        text: version.to_string(),
        version: version.parse().unwrap(),
        requires,
        provides: Vec::new(),
        yanked: false,
        flaw: Flaw::None,
    }
}

fn yanked(release: Release) -> Release {
    Release {
        yanked: true,
        ..release
    }
}

fn registry(packages: Vec<(&str, Vec<Release>)>, roots: Vec<Req>) -> Registry {
    Registry {
        packages: packages
            .into_iter()
            .map(|(name, releases)| Package {
                name: name.to_string(),
                releases,
            })
            .collect(),
        roots,
        constraints: Vec::new(),
        prerelease: PrereleaseMode::default(),
        strategy: ResolutionStrategy::default(),
    }
}

fn pin(name: &str, version: &str, extras: &[&str]) -> Chosen {
    Chosen {
        name: name.to_string(),
        version: version.parse().unwrap(),
        extras: extras
            .iter()
            .map(ToString::to_string)
            .collect::<BTreeSet<_>>(),
    }
}

/// `a[x]`, whose 1.0 needs `b>=2.0` and, for `x`, `c`; `d` on Windows only.
fn small() -> Registry {
    let mut a = release(
        "1.0",
        vec![
            req(1, &[], ">=2.0"),
            for_extra(req(2, &[], ""), "x"),
            on_windows(req(3, &[], "")),
        ],
    );
    a.provides = vec!["x".to_string()];
    registry(
        vec![
            ("a", vec![a]),
            (
                "b",
                vec![
                    release("1.0", vec![]),
                    release("2.0", vec![]),
                    yanked(release("3.0", vec![])),
                ],
            ),
            ("c", vec![release("1.0", vec![])]),
            ("d", vec![release("1.0", vec![])]),
        ],
        vec![req(0, &["x"], "")],
    )
}

#[test]
fn the_checker_accepts_a_valid_solution() {
    let good = [
        pin("a", "1.0", &["x"]),
        pin("b", "2.0", &[]),
        pin("c", "1.0", &[]),
    ];
    assert_eq!(check(&small(), &good), Ok(()));
}

#[test]
fn the_checker_rejects_each_kind_of_broken_solution() {
    let registry = small();
    let broken: &[(&str, Vec<Chosen>, &str)] = &[
        (
            "a version a requirement excludes",
            vec![
                pin("a", "1.0", &["x"]),
                pin("b", "1.0", &[]),
                pin("c", "1.0", &[]),
            ],
            "requires b>=2.0",
        ),
        (
            "a yanked version nothing pins",
            vec![
                pin("a", "1.0", &["x"]),
                pin("b", "3.0", &[]),
                pin("c", "1.0", &[]),
            ],
            "yanked",
        ),
        (
            "an extra's requirement left out",
            vec![pin("a", "1.0", &["x"]), pin("b", "2.0", &[])],
            "c is required but not pinned",
        ),
        (
            "a package nothing requires",
            vec![
                pin("a", "1.0", &["x"]),
                pin("b", "2.0", &[]),
                pin("c", "1.0", &[]),
                pin("d", "1.0", &[]),
            ],
            "nothing requires it",
        ),
        (
            "the requested extra not recorded",
            vec![
                pin("a", "1.0", &[]),
                pin("b", "2.0", &[]),
                pin("c", "1.0", &[]),
            ],
            "extras",
        ),
        (
            "two versions of one package",
            vec![
                pin("a", "1.0", &["x"]),
                pin("b", "2.0", &[]),
                pin("b", "1.0", &[]),
                pin("c", "1.0", &[]),
            ],
            "pinned twice",
        ),
        (
            "a version the registry does not have",
            vec![
                pin("a", "1.0", &["x"]),
                pin("b", "9.0", &[]),
                pin("c", "1.0", &[]),
            ],
            "no version 9.0",
        ),
        (
            "a root left out",
            vec![pin("b", "2.0", &[]), pin("c", "1.0", &[])],
            "a is required",
        ),
    ];
    for (what, pins, expected) in broken {
        let error = check(&registry, pins).expect_err(what);
        assert!(error.contains(expected), "{what}: {error}");
    }
}

#[test]
fn the_checker_applies_the_target_rules() {
    // A Windows-only wheel, a prerelease under `--prerelease disallow`, a constraint.
    let mut registry = registry(
        vec![(
            "a",
            vec![
                release("1.0", vec![]),
                release("2.0b1", vec![]),
                Release {
                    flaw: Flaw::WindowsOnly,
                    ..release("3.0", vec![])
                },
            ],
        )],
        vec![req(0, &[], "")],
    );
    assert!(check(&registry, &[pin("a", "3.0", &[])]).is_err());
    assert_eq!(check(&registry, &[pin("a", "2.0b1", &[])]), Ok(()));
    registry.prerelease = PrereleaseMode::Disallow;
    assert!(check(&registry, &[pin("a", "2.0b1", &[])]).is_err());
    registry.constraints = vec![req(0, &[], ">1.0")];
    let error = check(&registry, &[pin("a", "1.0", &[])]).unwrap_err();
    assert!(error.contains("constraint"), "{error}");
}

#[test]
fn the_search_finds_a_solution_by_backtracking() {
    // a 2.0 needs c>=2, which b excludes: only a 1.0 fits.
    let registry = registry(
        vec![
            (
                "a",
                vec![
                    release("1.0", vec![req(2, &[], "<2")]),
                    release("2.0", vec![req(2, &[], ">=2")]),
                ],
            ),
            ("b", vec![release("1.0", vec![req(2, &[], "<2")])]),
            ("c", vec![release("1.0", vec![]), release("2.0", vec![])]),
        ],
        vec![req(0, &[], ""), req(1, &[], "")],
    );
    let (found, _) = find_solution(&registry);
    assert_eq!(found, Some(vec![Some(0), Some(0), Some(0)]));
}

#[test]
fn the_search_proves_there_is_no_solution() {
    // b needs c>=2 and a needs c<2 at every version.
    let conflict = registry(
        vec![
            (
                "a",
                vec![
                    release("1.0", vec![req(2, &[], "<2")]),
                    release("2.0", vec![req(2, &[], "<1.5")]),
                ],
            ),
            ("b", vec![release("1.0", vec![req(2, &[], ">=2")])]),
            ("c", vec![release("1.0", vec![]), release("2.0", vec![])]),
        ],
        vec![req(0, &[], ""), req(1, &[], "")],
    );
    assert_eq!(find_solution(&conflict).0, None);
    // Only a yanked version: none without a pin, that one with `==`.
    let only_yanked = |root: &str| {
        registry(
            vec![("a", vec![yanked(release("1.0", vec![]))])],
            vec![req(0, &[], root)],
        )
    };
    assert_eq!(find_solution(&only_yanked(">=1.0")).0, None);
    assert_eq!(find_solution(&only_yanked("==1.0")).0, Some(vec![Some(0)]));
    // A project the index does not know.
    let ghost = registry(vec![("ghost", vec![])], vec![req(0, &[], "")]);
    assert_eq!(find_solution(&ghost).0, None);
}

#[test]
fn the_small_registry_resolves_and_its_solution_is_accepted() {
    let registry = small();
    let super::Answer::Solved(pins) = super::resolve_with_pinwheel(&runtime(), &registry) else {
        panic!("pinwheel found no solution for the small registry");
    };
    assert_eq!(check(&registry, &pins), Ok(()));
    assert_eq!(super::describe_pins(&pins), "a[x]==1.0, b==2.0, c==1.0");
}

#[test]
fn a_seed_always_gives_the_same_registry() {
    let text = |seed| generate::describe(&generate::registry(seed));
    assert_eq!(text(42), text(42));
    assert_ne!(text(42), text(43));
}

#[test]
fn the_first_seeds_give_both_kinds_of_registry() {
    // The generator is tuned so that both outcomes are common: a registry that always
    // resolved would never exercise the search's proofs, and the other way round.
    let runtime = runtime();
    let kinds: Vec<Agreement> = (0..40)
        .map(|seed| case(&runtime, seed).unwrap().0)
        .collect();
    assert!(kinds.contains(&Agreement::Solved));
    assert!(kinds.contains(&Agreement::NoSolution));
}
