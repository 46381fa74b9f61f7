//! The resolver's options and policies over the in-memory source: preferences, overrides,
//! `-P` constraints, restarts after a walk, lazy version maps and the prerelease order.

use super::*;
use crate::types::PackedProject;

#[test]
fn preferences_are_chosen_when_allowed_and_passed_over_when_not() {
    let registry = || {
        vec![
            dist("a", "1.0", &[]),
            dist("a", "2.0", &[]),
            dist("b", "1.0", &["a>=2"]),
            dist("c", "1.0", &[]),
        ]
    };
    let prefer = |name: &str, version: &str| ResolveOptions {
        preferences: [(
            PackageName::from_str(name).unwrap(),
            version.parse().unwrap(),
        )]
        .into(),
        ..ResolveOptions::default()
    };
    assert_eq!(
        pins(&run(registry(), &["a"], &[], prefer("a", "1.0")).unwrap()),
        ["a==1.0"]
    );
    // b needs a>=2: the preference for a 1.0 cannot be kept.
    assert_eq!(
        pins(&run(registry(), &["a", "b"], &[], prefer("a", "1.0")).unwrap()),
        ["a==2.0", "b==1.0"]
    );
    // A preference for a version that does not exist is ignored.
    assert_eq!(
        pins(&run(registry(), &["a"], &[], prefer("a", "9.0")).unwrap()),
        ["a==2.0"]
    );
}

#[test]
fn an_existing_pin_on_a_prerelease_is_kept_while_it_fits() {
    // Like any existing pin: a final release that also fits does not move it (`-P` does).
    let registry = || vec![dist("a", "1.0", &[]), dist("a", "2.0b1", &[])];
    let prefer = ResolveOptions {
        preferences: [(
            PackageName::from_str("a").unwrap(),
            "2.0b1".parse().unwrap(),
        )]
        .into(),
        ..ResolveOptions::default()
    };
    assert_eq!(
        pins(&run(registry(), &["a>=1.0"], &[], prefer).unwrap()),
        ["a==2.0b1"]
    );
    resolves_to(registry(), &["a>=1.0"], &["a==1.0"]);
}

/// `manifest(requirements, [])` with `overrides` read from `overrides.txt`.
fn with_overrides(requirements: &[&str], overrides: &[&str]) -> Manifest {
    let mut manifest = manifest(requirements, &[]);
    manifest.overrides = overrides
        .iter()
        .enumerate()
        .map(|(line, text)| InputRequirement {
            requirement: text.parse().unwrap(),
            text: (*text).to_string(),
            local: None,
            origin: Origin {
                kind: OriginKind::Override,
                file: PathBuf::from("overrides.txt"),
                line: line + 1,
                project: None,
            },
        })
        .collect();
    manifest
}

fn run_manifest(dists: Vec<Dist>, manifest: &Manifest, options: &ResolveOptions) -> Resolution {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let source = Arc::new(MemorySource::new(dists));
    runtime
        .block_on(resolve(manifest, &linux_312(), options, source))
        .unwrap()
}

#[test]
fn overrides_replace_every_requirement_on_their_package() {
    let registry = || {
        vec![
            dist("app", "1.0", &["pydantic<1", "lib"]),
            dist("lib", "1.0", &["pydantic>=0.5,<0.9"]),
            dist("pydantic", "0.5", &[]),
            dist("pydantic", "1.5", &[]),
            dist("pydantic", "2.0", &[]),
            dist("unrelated", "1.0", &[]),
        ]
    };
    // Without overrides, both edges hold pydantic below 0.9.
    let plain = run_manifest(
        registry(),
        &manifest(&["app"], &[]),
        &ResolveOptions::default(),
    );
    assert_eq!(pins(&plain), ["app==1.0", "lib==1.0", "pydantic==0.5"]);

    // `pydantic>=1` replaces both edges (and adds nothing: `unrelated` stays out).
    let overridden = run_manifest(
        registry(),
        &with_overrides(&["app"], &["pydantic>=1,<2", "unrelated>=1"]),
        &ResolveOptions::default(),
    );
    assert_eq!(pins(&overridden), ["app==1.0", "lib==1.0", "pydantic==1.5"]);
    let pydantic = &overridden.pins[2];
    assert_eq!(
        pydantic
            .origins
            .iter()
            .map(Origin::annotation)
            .collect::<Vec<_>>(),
        ["--override overrides.txt"]
    );
    assert_eq!(
        pydantic
            .dependents
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["app", "lib"]
    );

    // A first-party requirement is an edge too.
    let direct = run_manifest(
        registry(),
        &with_overrides(&["pydantic==0.5"], &["pydantic>=2"]),
        &ResolveOptions::default(),
    );
    assert_eq!(pins(&direct), ["pydantic==2.0"]);
}

#[test]
fn override_markers_choose_the_line_for_the_target() {
    let registry = || {
        vec![
            dist("app", "1.0", &["pydantic<1"]),
            dist("pydantic", "0.5", &[]),
            dist("pydantic", "1.5", &[]),
            dist("pydantic", "2.0", &[]),
        ]
    };
    let chosen = run_manifest(
        registry(),
        &with_overrides(
            &["app"],
            &[
                "pydantic<2 ; python_version < '3.12'",
                "pydantic>=2 ; python_version >= '3.12'",
            ],
        ),
        &ResolveOptions::default(),
    );
    assert_eq!(pins(&chosen), ["app==1.0", "pydantic==2.0"]);
    assert!(
        chosen.pins[1].markers.is_empty(),
        "an override's marker chooses the line; it is not copied onto the pin"
    );
    // When no line of an overridden package applies, the requirements on it go away (as in uv).
    let removed = run_manifest(
        registry(),
        &with_overrides(&["app"], &["pydantic>=2 ; sys_platform == 'win32'"]),
        &ResolveOptions::default(),
    );
    assert_eq!(pins(&removed), ["app==1.0"]);
}

#[test]
fn upgrade_constraints_narrow_versions_without_a_source() {
    let registry = || {
        vec![
            dist("a", "1.0", &["b"]),
            dist("b", "1.0", &[]),
            dist("b", "2.0", &[]),
            dist("c", "1.0", &[]),
            dist("c", "2.0", &[]),
        ]
    };
    let options = ResolveOptions {
        upgrade_constraints: vec!["b<2".parse().unwrap(), "c<2".parse().unwrap()],
        ..ResolveOptions::default()
    };
    let resolution = run_manifest(registry(), &manifest(&["a"], &[]), &options);
    assert_eq!(pins(&resolution), ["a==1.0", "b==1.0"], "c is not added");
    assert!(resolution.pins[1].origins.is_empty());
}

#[test]
fn pins_remember_the_index_that_listed_them() {
    let resolution = run_manifest(
        vec![dist("a", "1.0", &[])],
        &manifest(&["a"], &[]),
        &ResolveOptions::default(),
    );
    let PinSource::Registry { listed_by } = &resolution.pins[0].source else {
        panic!("a registry pin")
    };
    assert_eq!(
        listed_by.as_ref().map(ToString::to_string).as_deref(),
        Some("https://index.test/simple/")
    );
}

#[test]
fn a_walk_caused_by_an_earlier_decision_restarts_with_the_culprit_decided_last() {
    // `a` is decided first (3.0); every `b` above 10 needs `a<3`. Without the restart, PubGrub
    // walks `b` down from 60 to 10, the newest version `a` 3.0 allows. With it, after 20
    // versions `a` is found to be the culprit, decided last, and `b` keeps its newest version.
    let mut dists = vec![dist("a", "2.0", &[]), dist("a", "3.0", &[])];
    let versions: Vec<&'static str> = (1..=60)
        .map(|minor| &*Box::leak(format!("1.{minor}").into_boxed_str()))
        .collect();
    for version in versions {
        let minor: u32 = version[2..].parse().unwrap();
        dists.push(dist("b", version, if minor > 10 { &["a<3"] } else { &[] }));
    }
    resolves_to(dists, &["a", "b"], &["a==2.0", "b==1.60"]);
}

#[test]
fn lazy_version_maps_find_candidates_between_the_range_bounds() {
    use crate::types::VersionSpecifiers;
    let source = MemorySource::new(
        ["1.0", "1.1", "1.2", "1.3", "2.0", "2.1", "3.0"]
            .into_iter()
            .map(|version| dist("a", version, &[]))
            .collect(),
    );
    let name = PackageName::from_str("a").unwrap();
    let packed = PackedProject::open(
        name.clone(),
        Arc::new(PackedProject::pack(&source.projects[&name])),
    )
    .unwrap();
    let context = Arc::new(SelectionContext {
        files: FilesFor::Target(linux_312()),
        options: SelectionOptions::default(),
    });
    let versions = VersionMap::lazy(Arc::new(packed), context);
    let candidates = |specifiers: &str| {
        let range =
            specifiers::specifiers_to_range(&VersionSpecifiers::from_str(specifiers).unwrap());
        versions
            .candidates(
                &range,
                PrereleasePermission::Forbidden,
                &|_| false,
                VersionOrder::NewestFirst,
            )
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(candidates("==1.2"), ["1.2"]);
    assert_eq!(candidates(">=1.1,<2.1"), ["2.0", "1.3", "1.2", "1.1"]);
    assert_eq!(candidates(">1.3,<=2.1"), ["2.1", "2.0"]);
    assert_eq!(candidates(">3.0"), Vec::<String>::new());
    assert_eq!(candidates("<1.0"), Vec::<String>::new());
    assert_eq!(
        candidates(">=0"),
        ["3.0", "2.1", "2.0", "1.3", "1.2", "1.1", "1.0"]
    );
}

#[test]
fn packages_the_inputs_narrow_to_one_version_are_known_as_such() {
    // Deprioritizing such a package cannot change a walk, so a restart never names it.
    let manifest = manifest(
        &["a==3.0", "b>1", "c", "d>=1,<=1", "e[x]===2"],
        &["c==1.0", "f==2.0", "b<5"],
    );
    let root = RootSpec::new(
        &manifest,
        Scope::Exact(&linux_312()),
        &ResolveOptions::default(),
    );
    let single = |name: &str| root.allows_one_version(&PackageName::from_str(name).unwrap());
    assert!(single("a"), "an `==` requirement");
    assert!(single("c"), "a requirement pinned by a constraint");
    assert!(single("d"), "a range that holds one version");
    assert!(single("e"), "an `===` requirement with an extra");
    assert!(single("f"), "a constraint alone");
    assert!(!single("b"), "a range");
    assert!(!single("g"), "a package the inputs do not name");
}

#[test]
fn a_walk_caused_by_a_pinned_input_walks_to_the_version_the_pin_allows() {
    // As above, but the inputs pin `a==3.0`: no restart can help, and `b` walks down to 1.10.
    let mut dists = vec![dist("a", "2.0", &[]), dist("a", "3.0", &[])];
    for minor in 1..=30 {
        let version: &'static str = Box::leak(format!("1.{minor}").into_boxed_str());
        dists.push(dist("b", version, if minor > 10 { &["a<3"] } else { &[] }));
    }
    resolves_to(dists, &["a==3.0", "b"], &["a==3.0", "b==1.10"]);
}

#[test]
fn final_releases_are_offered_before_prereleases_in_either_order() {
    let source = MemorySource::new(
        ["1.0", "1.5a1", "2.0", "2.1b1", "3.0.dev1"]
            .into_iter()
            .map(|version| dist("a", version, &[]))
            .collect(),
    );
    let name = PackageName::from_str("a").unwrap();
    let versions = VersionMap::new(
        &source.projects[&name],
        &linux_312(),
        &SelectionOptions::default(),
    );
    let range = pubgrub::Ranges::full();
    let offered = |permission: PrereleasePermission, order: VersionOrder| {
        versions
            .candidates(&range, permission, &|_| false, order)
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    use PrereleasePermission::{Allowed, Forbidden, IfNecessary};
    use VersionOrder::{NewestFirst, OldestFirst};
    assert_eq!(
        offered(IfNecessary, NewestFirst),
        ["2.0", "1.0", "3.0.dev1", "2.1b1", "1.5a1"]
    );
    assert_eq!(
        offered(IfNecessary, OldestFirst),
        ["1.0", "2.0", "1.5a1", "2.1b1", "3.0.dev1"]
    );
    assert_eq!(offered(Forbidden, NewestFirst), ["2.0", "1.0"]);
    assert_eq!(
        offered(Allowed, NewestFirst),
        ["3.0.dev1", "2.1b1", "2.0", "1.5a1", "1.0"]
    );

    // The prefetcher's guesses after a choice follow the same tiers.
    let options = ResolveOptions::default();
    let root = RootSpec::new(&manifest(&["a"], &[]), Scope::Exact(&linux_312()), &options);
    let after = |chosen: &str| {
        root.candidates_after(
            &name,
            &Version::from_str(chosen).unwrap(),
            &versions,
            &options,
            10,
        )
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
    };
    assert_eq!(after("2.0"), ["1.0", "3.0.dev1", "2.1b1", "1.5a1"]);
    assert_eq!(after("2.1b1"), ["1.5a1"]);
}
