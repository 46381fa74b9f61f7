//! Resolver tests over an in-memory source: each case is a small registry and an expectation.
//! They run the real seam (solver thread + fetch loop), not a shortcut.

mod memory;
mod options;
mod oracle;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use memory::{Dist, Failing, MemorySource, dist, dynamic_sdist};

use super::*;
use crate::inputs::{InputRequirement, Origin, OriginKind};
use crate::target::{Platform, PythonVersion};

fn manifest(requirements: &[&str], constraints: &[&str]) -> Manifest {
    let entry = |(line, text): (usize, &&str), kind| InputRequirement {
        requirement: text.parse().unwrap(),
        text: (*text).to_string(),
        origin: Origin {
            kind,
            file: PathBuf::from("requirements.in"),
            line: line + 1,
            project: None,
        },
        local: None,
    };
    Manifest {
        requirements: requirements
            .iter()
            .enumerate()
            .map(|item| entry(item, OriginKind::Requirement))
            .collect(),
        constraints: constraints
            .iter()
            .enumerate()
            .map(|item| entry(item, OriginKind::Constraint))
            .collect(),
        ..Manifest::default()
    }
}

fn linux_312() -> Target {
    Target::new(
        PythonVersion::from_str("3.12").unwrap(),
        Platform::from_str("x86_64-manylinux_2_28").unwrap(),
    )
}

fn run(
    dists: Vec<Dist>,
    requirements: &[&str],
    constraints: &[&str],
    options: ResolveOptions,
) -> Result<Resolution, ResolveError> {
    run_from(
        Arc::new(MemorySource::new(dists)),
        requirements,
        constraints,
        options,
    )
}

fn run_from(
    source: Arc<MemorySource>,
    requirements: &[&str],
    constraints: &[&str],
    options: ResolveOptions,
) -> Result<Resolution, ResolveError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (manifest, target) = (manifest(requirements, constraints), linux_312());
    let resolution = resolve(&manifest, &target, &options, source);
    // Not a timing: a bound on a wait that would otherwise never end (see
    // `hold_speculative_work`), so that such a bug fails instead of hanging the suite.
    runtime
        .block_on(async {
            tokio::time::timeout(std::time::Duration::from_secs(120), resolution).await
        })
        .expect("the solver waited on work whose mark nobody raised")
}

fn pins(resolution: &Resolution) -> Vec<String> {
    resolution
        .pins
        .iter()
        .map(|pin| format!("{}=={}", pin.name, pin.version))
        .collect()
}

fn resolves_to(dists: Vec<Dist>, requirements: &[&str], expected: &[&str]) {
    let resolution = run(dists, requirements, &[], ResolveOptions::default()).unwrap();
    assert_eq!(pins(&resolution), expected);
}

#[test]
fn picks_the_newest_versions_through_a_chain() {
    resolves_to(
        vec![
            dist("a", "1.0", &["b>=1"]),
            dist("a", "2.0", &["b>=2"]),
            dist("b", "1.0", &[]),
            dist("b", "2.0", &["c"]),
            dist("c", "0.1", &[]),
        ],
        &["a"],
        &["a==2.0", "b==2.0", "c==0.1"],
    );
}

#[test]
fn every_fetch_the_solver_waits_on_is_marked_needed() {
    // The source answers nothing speculative: prefetches of pages, of likely versions and of
    // backtracking candidates all stay pending until the solver waits on them. The solve
    // must still finish, which it only does if each of its waits raises the mark of the work
    // it waits on, however that work was started.
    let mut source = MemorySource::new(vec![
        dist("a", "1.0", &["c<2"]),
        dist("a", "2.0", &["c>=3"]),
        dist("b", "1.0", &["c<2", "d[x]"]),
        dist("c", "1.0", &[]),
        dist("c", "2.0", &[]),
        dist("c", "3.0", &[]),
        dist("d", "1.0", &[]),
        dist("d", "2.0", &[]),
    ]);
    source.hold_speculative_work = true;
    let resolution = run_from(
        Arc::new(source),
        &["a", "b"],
        &[],
        ResolveOptions::default(),
    )
    .unwrap();
    assert_eq!(pins(&resolution), ["a==1.0", "b==1.0", "c==1.0", "d==2.0"]);
}

#[test]
fn an_extra_is_only_tried_at_versions_its_base_requirement_allows() {
    // celery 2.0 requires `kombu>=5` and `kombu[redis]`; kombu 5.0's redis extra conflicts
    // with the root's `redis>=2`. `kombu[redis]` at any older kombu needs that older kombu,
    // which celery 2.0 excludes: the solver must not fetch old kombus' metadata to learn it.
    let kombu = |version| {
        let mut kombu = dist("kombu", version, &["redis<2; extra == 'redis'"]);
        kombu.extras = vec!["redis"];
        kombu
    };
    let mut source = MemorySource::new(vec![
        dist("celery", "1.0", &["kombu"]),
        dist("celery", "2.0", &["kombu>=5", "kombu[redis]"]),
        kombu("1.0"),
        kombu("2.0"),
        kombu("3.0"),
        kombu("4.0"),
        kombu("5.0"),
        dist("redis", "1.0", &[]),
        dist("redis", "2.0", &[]),
    ]);
    // Only what the solver waits on is answered, so `answered` is exactly what it needed.
    source.hold_speculative_work = true;
    let source = Arc::new(source);
    let resolution = run_from(
        Arc::clone(&source),
        &["celery", "redis>=2"],
        &[],
        ResolveOptions::default(),
    )
    .unwrap();
    assert_eq!(
        pins(&resolution),
        ["celery==1.0", "kombu==5.0", "redis==2.0"]
    );
    let answered = source.answered.lock().unwrap();
    let old_kombus: Vec<_> = answered
        .iter()
        .filter(|file| file.starts_with("kombu-") && !file.starts_with("kombu-5.0-"))
        .collect();
    assert_eq!(old_kombus, Vec::<&String>::new());
}

#[test]
fn backtracks_when_the_newest_version_conflicts() {
    resolves_to(
        vec![
            dist("a", "1.0", &["c<2"]),
            dist("a", "2.0", &["c>=2"]),
            dist("b", "1.0", &["c<2"]),
            dist("c", "1.0", &[]),
            dist("c", "2.0", &[]),
        ],
        &["a", "b"],
        &["a==1.0", "b==1.0", "c==1.0"],
    );
}

#[test]
fn extras_add_their_requirements_and_share_the_base_version() {
    let mut with_extra = dist("a", "1.0", &["b; extra == 'fast'", "c"]);
    with_extra.extras = vec!["fast"];
    let resolution = run(
        vec![with_extra, dist("b", "1.0", &[]), dist("c", "1.0", &[])],
        &["a[fast]"],
        &[],
        ResolveOptions::default(),
    )
    .unwrap();
    assert_eq!(pins(&resolution), ["a==1.0", "b==1.0", "c==1.0"]);
    let a = &resolution.pins[0];
    assert_eq!(
        a.extras.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["fast"]
    );
    assert!(
        resolution.pins[1]
            .dependents
            .contains(&PackageName::from_str("a").unwrap())
    );
    resolves_to(
        vec![
            dist("a", "1.0", &["b; extra == 'fast'"]),
            dist("b", "1.0", &[]),
        ],
        &["a"],
        &["a==1.0"],
    );
}

#[test]
fn markers_are_evaluated_for_the_target() {
    resolves_to(
        vec![
            dist(
                "a",
                "1.0",
                &[
                    "win; sys_platform == 'win32'",
                    "old; python_version < '3.10'",
                    "new; python_version >= '3.12'",
                ],
            ),
            dist("win", "1", &[]),
            dist("old", "1", &[]),
            dist("new", "1", &[]),
        ],
        &["a", "skipped; os_name == 'nt'"],
        &["a==1.0", "new==1"],
    );
}

#[test]
fn constraints_limit_versions_without_adding_packages() {
    let resolution = run(
        vec![
            dist("a", "1.0", &["b"]),
            dist("b", "1.0", &[]),
            dist("b", "2.0", &[]),
            dist("unused", "1", &[]),
        ],
        &["a"],
        &["b<2", "unused==1"],
        ResolveOptions::default(),
    )
    .unwrap();
    assert_eq!(pins(&resolution), ["a==1.0", "b==1.0"]);
    let b = &resolution.pins[1];
    assert_eq!(
        b.origins.iter().map(Origin::annotation).collect::<Vec<_>>(),
        ["-c requirements.in"]
    );
}

#[test]
fn prereleases_only_when_no_final_release_fits() {
    let registry = || {
        vec![
            dist("a", "1.0", &[]),
            dist("a", "2.0b1", &[]),
            dist("only-pre", "1.0a1", &[]),
        ]
    };
    resolves_to(registry(), &["a"], &["a==1.0"]);
    resolves_to(registry(), &["a>=2.0b1"], &["a==2.0b1"]);
    resolves_to(registry(), &["only-pre"], &["only-pre==1.0a1"]);
    let allow = ResolveOptions {
        selection: SelectionOptions {
            prerelease: PrereleaseMode::Allow,
            ..SelectionOptions::default()
        },
        ..ResolveOptions::default()
    };
    assert_eq!(
        pins(&run(registry(), &["a"], &[], allow).unwrap()),
        ["a==2.0b1"]
    );
}

#[test]
fn a_range_only_a_prerelease_satisfies_gives_the_prerelease() {
    // `a>0.1` leaves no final release: the prerelease above it is taken without `--pre`.
    let registry = || vec![dist("a", "0.1", &[]), dist("a", "1.0a1", &[])];
    resolves_to(registry(), &["a>0.1"], &["a==1.0a1"]);
    // `--prerelease disallow` still refuses it, and says why.
    let disallow = ResolveOptions {
        selection: SelectionOptions {
            prerelease: PrereleaseMode::Disallow,
            ..SelectionOptions::default()
        },
        ..ResolveOptions::default()
    };
    let error = run(registry(), &["a>0.1"], &[], disallow).unwrap_err();
    assert!(error.is_no_solution());
    assert!(
        error.to_string().contains("has only prereleases"),
        "{error}"
    );
}

#[test]
fn a_transitive_pin_on_a_prerelease_is_followed_without_pre() {
    // `b` accepts the final release of `c` too, but `a` pins the beta: the beta is the only
    // version both allow, and it is chosen though neither line is the user's.
    resolves_to(
        vec![
            dist("a", "1.0", &["c==2.0b1"]),
            dist("b", "1.0", &["c>=1.0,<=3.0"]),
            dist("c", "1.0", &[]),
            dist("c", "2.0b1", &[]),
        ],
        &["a", "b"],
        &["a==1.0", "b==1.0", "c==2.0b1"],
    );
    // Alone, `b` keeps the final release.
    resolves_to(
        vec![
            dist("b", "1.0", &["c>=1.0,<=3.0"]),
            dist("c", "1.0", &[]),
            dist("c", "2.0b1", &[]),
        ],
        &["b"],
        &["b==1.0", "c==1.0"],
    );
}

#[test]
fn a_prerelease_required_deep_in_the_graph_replaces_a_final_release_chosen_earlier() {
    // `b` brings `c` into the graph before `e` does, and 1.0 fits `b`; `e`, two levels down `d`,
    // pins the beta. Whichever the solver decides first, the beta must win.
    resolves_to(
        vec![
            dist("b", "1.0", &["c>=1.0"]),
            dist("c", "1.0", &[]),
            dist("c", "2.0b1", &[]),
            dist("d", "1.0", &["e"]),
            dist("e", "1.0", &["c==2.0b1"]),
        ],
        &["b", "d"],
        &["b==1.0", "c==2.0b1", "d==1.0", "e==1.0"],
    );
}

#[test]
fn explicit_mode_takes_prereleases_only_of_packages_named_with_one() {
    let explicit = || ResolveOptions {
        selection: SelectionOptions {
            prerelease: PrereleaseMode::Explicit,
            ..SelectionOptions::default()
        },
        ..ResolveOptions::default()
    };
    let registry = || {
        vec![
            dist("a", "1.0", &[]),
            dist("a", "2.0b1", &["b>1.0"]),
            dist("a", "3.0a1", &[]),
            dist("b", "1.0", &[]),
            dist("b", "2.0a1", &[]),
        ]
    };
    // A final release that fits still wins for a package named with a prerelease.
    let resolution = run(registry(), &["a>=1.0a1"], &[], explicit()).unwrap();
    assert_eq!(pins(&resolution), ["a==1.0"]);
    // Where none fits, its prereleases are tried; `b`'s are not, whatever its range leaves.
    let resolution = run(registry(), &["a>1.0,<3.0a1"], &[], explicit());
    let error = resolution.unwrap_err();
    assert!(error.is_no_solution());
    assert!(
        error.to_string().contains("b>1.0 has only prereleases"),
        "{error}"
    );
    let resolution = run(registry(), &["a>=2.0a1"], &[], explicit()).unwrap();
    assert_eq!(pins(&resolution), ["a==3.0a1"]);
    // Without a prerelease in its specifier, `a` gets none.
    let error = run(registry(), &["a>1.0"], &[], explicit()).unwrap_err();
    assert!(
        error.to_string().contains("a>1.0 has only prereleases"),
        "{error}"
    );
}

#[test]
fn a_final_release_that_fits_wins_over_a_named_prerelease() {
    // The specifier names a prerelease, but 0.3.0 satisfies it: pinwheel (like uv) takes it
    // where pip would take the newer 1.0.0a1.
    resolves_to(
        vec![
            dist("a", "0.1.0", &[]),
            dist("a", "0.2.0a1", &[]),
            dist("a", "0.3.0", &[]),
            dist("a", "1.0.0a1", &[]),
        ],
        &["a>=0.1.0a1"],
        &["a==0.3.0"],
    );
}

#[test]
fn a_prerelease_is_tried_once_every_final_release_is_ruled_out() {
    // `c` 1.0 needs an `a` the root excludes, so the solver moves on to the prerelease
    // though a final release is in the range.
    resolves_to(
        vec![
            dist("a", "1.0", &[]),
            dist("a", "2.0", &[]),
            dist("c", "1.0", &["a>=2"]),
            dist("c", "1.5a1", &[]),
        ],
        &["a==1.0", "c>=1.0"],
        &["a==1.0", "c==1.5a1"],
    );
}

#[test]
fn yanked_versions_need_an_exact_pin() {
    let registry = || {
        let mut yanked = dist("a", "2.0", &[]);
        yanked.yanked = true;
        vec![dist("a", "1.0", &[]), yanked]
    };
    resolves_to(registry(), &["a"], &["a==1.0"]);
    resolves_to(registry(), &["a==2.0"], &["a==2.0"]);
}

#[test]
fn incompatible_wheels_and_requires_python_fall_back_to_older_versions() {
    let mut windows_only = dist("a", "3.0", &[]);
    windows_only.tag = Some("cp312-cp312-win_amd64");
    let mut too_new_python = dist("a", "2.0", &[]);
    too_new_python.requires_python = Some(">=3.13");
    resolves_to(
        vec![dist("a", "1.0", &[]), too_new_python, windows_only],
        &["a"],
        &["a==1.0"],
    );
}

#[test]
fn conflicts_are_explained_with_real_versions() {
    let error = run(
        vec![
            dist("django", "2.2", &[]),
            dist("django", "4.2", &[]),
            dist("djangorestframework", "3.15.0", &["django>=4.2"]),
            dist("djangorestframework", "3.15.1", &["django>=4.2"]),
        ],
        &["django<3", "djangorestframework>=3.15"],
        &[],
        ResolveOptions::default(),
    )
    .unwrap_err();
    assert!(error.is_no_solution());
    let text = error.to_string();
    assert!(
        text.contains("django<3") || text.contains("django==2.2"),
        "{text}"
    );
    assert!(text.contains("djangorestframework"), "{text}");
    assert!(text.contains("django>=4.2"), "{text}");
    assert!(
        !text.contains("dev0") && !text.contains("min0") && !text.contains("root"),
        "{text}"
    );
}

#[test]
fn consecutive_versions_with_the_same_reason_are_explained_as_one_range() {
    // As numpy<1.26 on CPython 3.12: every older release is an sdist whose metadata needs a
    // build. One fact about the range, not one step per version.
    let mut dists: Vec<Dist> = ["1.20.0", "1.21.0", "1.22.0", "1.23.0", "1.24.0", "1.25.0"]
        .into_iter()
        .map(|version| dynamic_sdist("numpy", version))
        .collect();
    dists.push(dist("numpy", "1.26.0", &[]));
    let error = run(dists, &["numpy<1.26"], &[], ResolveOptions::default()).unwrap_err();
    let ResolveError::NoSolution(explained) = &error else {
        panic!("{error}");
    };
    assert_eq!(
        explained.report,
        "Because numpy<1.26 has only source distributions whose metadata is dynamic, and builds are off (`--no-build`) and you require numpy<1.26, your requirements cannot be satisfied."
    );
    assert_eq!(explained.hints.len(), 1, "{:?}", explained.hints);

    // A walk long enough for the solver's sets to go over the listed versions
    // (`version_set.rs`) used to come back as two interleaved lists of versions.
    let versions: Vec<&'static str> = (0..24)
        .map(|minor| &*Box::leak(format!("1.{minor}.0").into_boxed_str()))
        .collect();
    let dists: Vec<Dist> = versions
        .iter()
        .map(|version| dynamic_sdist("numpy", version))
        .collect();
    let error = run(dists, &["numpy"], &[], ResolveOptions::default()).unwrap_err();
    let ResolveError::NoSolution(explained) = &error else {
        panic!("{error}");
    };
    assert!(
        !explained.report.contains(" or ") && explained.report.matches("has only").count() == 1,
        "{}",
        explained.report
    );

    // A version with another reason between them keeps the two runs apart.
    let mut dists: Vec<Dist> = ["1.0", "1.1", "1.3", "1.4"]
        .into_iter()
        .map(|version| dynamic_sdist("a", version))
        .collect();
    let mut old_python = dist("a", "1.2", &[]);
    old_python.requires_python = Some(">=3.13");
    dists.push(old_python);
    let error = run(dists, &["a"], &[], ResolveOptions::default()).unwrap_err();
    let ResolveError::NoSolution(explained) = &error else {
        panic!("{error}");
    };
    assert_eq!(
        explained.report,
        "Because a<1.2 has only source distributions whose metadata is dynamic, and builds are off (`--no-build`) and a==1.2 requires Python >=3.13, a<1.3 cannot be used.\n\
         And because a>=1.3 has only source distributions whose metadata is dynamic, and builds are off (`--no-build`) and you require a, your requirements cannot be satisfied."
    );
}

#[test]
fn a_missing_package_is_explained() {
    let error = run(
        vec![dist("a", "1.0", &["ghost>=1"])],
        &["a"],
        &[],
        ResolveOptions::default(),
    )
    .unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("ghost was not found in the package index"),
        "{text}"
    );
}

#[test]
fn requires_python_upper_bounds_are_ignored() {
    let mut capped = dist("a", "2.0", &[]);
    capped.requires_python = Some(">=3.8,<3.12");
    resolves_to(vec![dist("a", "1.0", &[]), capped], &["a"], &["a==2.0"]);
}

#[test]
fn hashes_cover_every_file_of_the_version() {
    let mut sdist = dist("a", "1.0", &[]);
    sdist.tag = None;
    let mut other_platform = dist("a", "1.0", &[]);
    other_platform.tag = Some("cp312-cp312-win_amd64");
    let resolution = run(
        vec![
            dist("a", "1.0", &[]),
            sdist,
            other_platform,
            dist("a", "0.9", &[]),
        ],
        &["a"],
        &[],
        ResolveOptions::default(),
    )
    .unwrap();
    assert_eq!(resolution.pins[0].hashes.len(), 3);
    assert!(
        resolution.pins[0]
            .hashes
            .windows(2)
            .all(|pair| pair[0] < pair[1]),
        "sorted"
    );
}

#[test]
fn conflict_reports_do_not_list_empty_range_segments() {
    let error = run(
        vec![
            dist("django", "2.2", &[]),
            dist("django", "5.2", &[]),
            dist("drf", "3.15.0", &["django>=3.0"]),
            dist("drf", "3.15.1", &["django>=3.0"]),
            dist("drf", "3.15.2", &["django>=4.2"]),
            dist("drf", "3.16.0", &["django>=4.2"]),
            dist("drf", "3.16.1", &["django>=4.2"]),
            dist("drf", "3.18.0", &["django>=5.2"]),
            dist("drf", "3.18.1", &["django>=3.0"]),
        ],
        &["django<3", "drf>=3.15"],
        &[],
        ResolveOptions::default(),
    )
    .unwrap_err();
    let text = error.to_string();
    // Without the clean-up, segments such as `drf>3.15.2,<3.16.0` (holding no version) appear.
    assert!(
        !text.contains(">3.15.2,<3.16.0") && !text.contains(">3.16.0,<3.16.1"),
        "{text}"
    );
    assert!(text.contains("you require django<3"), "{text}");
}

#[test]
fn a_version_whose_requirements_exclude_itself_is_not_chosen() {
    // Found by the oracle test (seed 104, minimised): e 2.0 requires `e<2`, a requirement on
    // itself that its own version fails, and c rules out e 1.0. PubGrub keys a dependency's
    // terms by package, so the self-dependency's term sat beside e's own, and with the oldest
    // versions tried first the solver answered `c==1.0` alone: no `e`, though `e` is required.
    // There is no solution; e 2.0 cannot be installed.
    for requirement in ["e<2", "e!=2.0", "e[x]!=2.0"] {
        for strategy in [ResolutionStrategy::Highest, ResolutionStrategy::Lowest] {
            let mut excludes_itself = dist("e", "2.0", &[requirement]);
            excludes_itself.extras = vec!["x"];
            let registry = vec![
                dist("c", "1.0", &["e!=1.0"]),
                dist("e", "1.0", &[]),
                excludes_itself,
            ];
            let options = ResolveOptions {
                strategy,
                ..ResolveOptions::default()
            };
            let error = run(registry, &["e", "c"], &[], options).unwrap_err();
            let ResolveError::NoSolution(explained) = &error else {
                panic!("{requirement} {strategy:?}: {error}");
            };
            assert!(
                explained
                    .report
                    .contains(&format!("e==2.0 requires {requirement}, which excludes it")),
                "{requirement} {strategy:?}: {error}"
            );
        }
    }
}

#[test]
fn a_requirement_of_a_package_on_itself_that_it_meets_is_harmless() {
    // `a` requiring `a[x]` (or `a>=1` at 1.0) says nothing new about `a`, but `a[x]` brings
    // the extra's requirements.
    let mut a = dist("a", "1.0", &["a>=1", "a[x]", "b; extra == 'x'"]);
    a.extras = vec!["x"];
    resolves_to(
        vec![a, dist("b", "1.0", &[])],
        &["a"],
        &["a==1.0", "b==1.0"],
    );
}

#[test]
fn a_wait_answered_with_an_error_ends_the_resolution_naming_the_package() {
    // Claim (source.rs): "A `SourceError` is for real failures (network, disk) and ends the
    // resolution". Only what the solver waits on is answered, so the error is the answer to
    // one of its waits: the resolution must end with it, naming `b`, rather than hang, panic
    // or take `b` for a project without versions.
    for failing in [Failing::Project, Failing::Metadata] {
        let mut source = MemorySource::new(vec![
            dist("a", "1.0", &["b"]),
            dist("b", "1.0", &[]),
            dist("b", "2.0", &[]),
        ]);
        source.hold_speculative_work = true;
        source.failing = Some((PackageName::from_str("b").unwrap(), failing));
        let error = run_from(Arc::new(source), &["a"], &[], ResolveOptions::default())
            .expect_err("a failing source cannot give a resolution");
        let ResolveError::Fetch { what, source } = &error else {
            panic!("{failing:?}: {error}");
        };
        assert!(what.starts_with("`b`"), "{failing:?}: {what}");
        assert!(
            source.to_string().contains(&format!("{failing:?} of b")),
            "{failing:?}: {source}"
        );
    }
}
