//! The judge itself: equivalent markers written differently pass, markers that install a pin
//! in one environment too many or too few fail, `[]` forks are read as "not forked" (not as
//! "always installed"), the grid covers the values and Pythons the markers name, and the
//! reference in `../shared` fits every universal scenario.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use pep508_rs::MarkerTree;
use pep508_rs::pep440_rs::{Version, VersionSpecifiers};

use super::{
    Graph, Reference, ReferencePin, check_reference, comparisons, grid, judge, parse_lock,
    python_versions,
};
use crate::scenario::Scenario;

/// A scenario's graph from its TOML text.
fn graph(toml_text: &str) -> Graph {
    let scenario: Scenario = toml::from_str(toml_text).unwrap();
    Graph::new(&scenario.root.requires, &scenario.packages).unwrap()
}

fn pins(list: &[(&str, &str, &[&str])]) -> Reference {
    Reference::Pins(
        list.iter()
            .map(|(name, version, markers)| {
                let markers: Vec<String> = markers.iter().map(|m| (*m).to_string()).collect();
                ReferencePin::new(name, version, &markers).unwrap()
            })
            .collect(),
    )
}

fn python(text: &str) -> VersionSpecifiers {
    VersionSpecifiers::from_str(text).unwrap()
}

fn verdict(
    graph: &Graph,
    requires_python: &str,
    reference: &Reference,
    lock: &str,
) -> Result<(), String> {
    judge(
        graph,
        &python(requires_python),
        reference,
        &parse_lock(lock).unwrap(),
    )
}

const FORK_BASIC: &str = r#"
name = "fork-basic"
[root]
requires = ["a>=2 ; sys_platform == 'linux'", "a<2 ; sys_platform == 'darwin'"]
[expected]
satisfiable = true
[packages.a.versions."1.0.0"]
[packages.a.versions."2.0.0"]
"#;

fn fork_basic_reference() -> Reference {
    pins(&[
        ("a", "1.0.0", &["sys_platform == 'darwin'"]),
        ("a", "2.0.0", &["sys_platform == 'linux'"]),
    ])
}

#[test]
fn equivalent_markers_written_differently_pass() {
    let graph = graph(FORK_BASIC);
    let lock = "# a comment\n--index-url http://x/simple\n\
                a==1.0.0 ; \"darwin\" == sys_platform  # via -r requirements.in\n\
                a==2.0.0 ; sys_platform == \"linux\" and (sys_platform != 'win32' or sys_platform == 'linux')\n";
    assert_eq!(
        verdict(&graph, ">=3.12", &fork_basic_reference(), lock),
        Ok(())
    );
}

#[test]
fn a_marker_that_installs_a_pin_somewhere_else_fails() {
    let graph = graph(FORK_BASIC);
    // `!= 'darwin'` installs a 2.0.0 on win32 too, where nothing requires `a`.
    let lock = "a==1.0.0 ; sys_platform == 'darwin'\na==2.0.0 ; sys_platform != 'darwin'\n";
    let error = verdict(&graph, ">=3.12", &fork_basic_reference(), lock).unwrap_err();
    assert!(
        error.contains("a==2.0.0 ; sys_platform != 'darwin' is installed where the reference does not install it"),
        "{error}"
    );
    assert!(
        error.contains("sys_platform=pinwheel-judge-other"),
        "{error}"
    );
    assert!(!error.contains("a different valid resolution"), "{error}");
}

#[test]
fn a_marker_that_misses_an_environment_fails() {
    let graph = graph(FORK_BASIC);
    let lock = "a==1.0.0 ; sys_platform == 'darwin'\n\
                a==2.0.0 ; sys_platform == 'linux' and python_full_version < '3.13'\n";
    let error = verdict(&graph, ">=3.12", &fork_basic_reference(), lock).unwrap_err();
    assert!(
        error.contains("a==2.0.0 ; sys_platform == 'linux' and python_full_version < '3.13' is not installed where the reference installs it"),
        "{error}"
    );
    assert!(error.contains("python 3.13.0"), "{error}");
    // Nothing installs `a` on linux with 3.13, though the root requires it there.
    assert!(error.contains("no pin of it holds here"), "{error}");
}

#[test]
fn a_different_valid_resolution_is_told_apart_from_a_broken_lock() {
    let graph = graph(FORK_BASIC);
    let reference = pins(&[("a", "1.0.0", &[])]);
    let lock = "a==1.0.0 ; sys_platform == 'darwin'\na==2.0.0 ; sys_platform == 'linux'\n";
    let error = verdict(&graph, ">=3.12", &reference, lock).unwrap_err();
    assert!(error.contains("a different valid resolution"), "{error}");
}

#[test]
fn a_different_set_of_versions_fails() {
    let graph = graph(FORK_BASIC);
    let error = verdict(&graph, ">=3.12", &fork_basic_reference(), "a==2.0.0\n").unwrap_err();
    assert!(
        error.contains("pins differ: expected [a==1.0.0, a==2.0.0], got [a==2.0.0]"),
        "{error}"
    );
}

const SPECIFIC_ARCHITECTURE: &str = r#"
name = "specific-architecture"
[root]
requires = ["a"]
[expected]
satisfiable = true
[packages.a.versions."1.0.0"]
requires = ["b ; platform_machine == 'x86_64'", "c ; platform_machine == 'aarch64'"]
[packages.b.versions."1.0.0"]
[packages.c.versions."1.0.0"]
"#;

#[test]
fn an_empty_fork_list_means_not_forked_not_always_installed() {
    let graph = graph(SPECIFIC_ARCHITECTURE);
    let reference = pins(&[
        ("a", "1.0.0", &[]),
        ("b", "1.0.0", &[]),
        ("c", "1.0.0", &[]),
    ]);
    let good = "a==1.0.0\nb==1.0.0 ; platform_machine == 'x86_64'\nc==1.0.0 ; platform_machine == 'aarch64'\n";
    assert_eq!(verdict(&graph, ">=3.12", &reference, good), Ok(()));
    let always = "a==1.0.0\nb==1.0.0\nc==1.0.0 ; platform_machine == 'aarch64'\n";
    let error = verdict(&graph, ">=3.12", &reference, always).unwrap_err();
    assert!(
        error.contains("b==1.0.0 (no marker) is installed where the reference does not install it"),
        "{error}"
    );
    // The lock on its own is inconsistent there too: nothing requires b on aarch64.
    assert!(
        error.contains("b==1.0.0 holds here but nothing requires it"),
        "{error}"
    );
}

const PATCH_OVERLAP: &str = r#"
name = "fork-requires-python-patch-overlap"
[root]
requires_python = ">=3.10.1"
requires = ["a==1.0.0 ; python_version == '3.10'"]
[expected]
satisfiable = true
[packages.a.versions."1.0.0"]
requires_python = ">=3.10"
"#;

#[test]
fn only_pythons_the_lock_allows_are_judged() {
    let graph = graph(PATCH_OVERLAP);
    let reference = pins(&[("a", "1.0.0", &[])]);
    // Under `>=3.10.1` these three say the same; `python_full_version >= '3.10.1' and < '3.11'`
    // is the same again.
    for marker in [
        "python_full_version < '3.11'",
        "python_version == '3.10'",
        "python_full_version >= '3.10.1' and python_full_version < '3.11'",
    ] {
        let lock = format!("a==1.0.0 ; {marker}\n");
        assert_eq!(
            verdict(&graph, ">=3.10.1", &reference, &lock),
            Ok(()),
            "{marker}"
        );
    }
    // 3.10.0 is outside `>=3.10.1`, so leaving it out is no difference; 3.10.1 is not.
    let lock = "a==1.0.0 ; python_full_version > '3.10.1' and python_full_version < '3.11'\n";
    let error = verdict(&graph, ">=3.10.1", &reference, lock).unwrap_err();
    assert!(error.contains("[python 3.10.1]"), "{error}");
    let error = verdict(&graph, ">=3.10.1", &reference, "a==1.0.0\n").unwrap_err();
    assert!(
        error.contains("installed where the reference does not install it"),
        "{error}"
    );
}

const EXTRAS: &str = r#"
name = "marker-variants-have-different-extras"
[root]
requires = ["psycopg[binary] ; platform_python_implementation != 'PyPy'", "psycopg ; platform_python_implementation == 'PyPy'"]
[expected]
satisfiable = true
[packages.psycopg.versions."1.0.0"]
requires = ['tzdata; sys_platform == "win32"']
[packages.psycopg.versions."1.0.0".extras]
binary = ["psycopg-binary; implementation_name != 'pypy'"]
[packages.psycopg-binary.versions."1.0.0"]
[packages.tzdata.versions."1.0.0"]
"#;

#[test]
fn extras_are_followed_and_lines_of_one_version_are_merged() {
    let graph = graph(EXTRAS);
    let reference = pins(&[
        ("psycopg", "1.0.0", &[]),
        ("psycopg-binary", "1.0.0", &[]),
        ("tzdata", "1.0.0", &[]),
    ]);
    let lock = "psycopg==1.0.0 ; platform_python_implementation == 'PyPy'\n\
                psycopg[binary]==1.0.0 ; platform_python_implementation != 'PyPy' \\\n    --hash=sha256:00\n\
                psycopg-binary==1.0.0 ; implementation_name != 'pypy' and platform_python_implementation != 'PyPy'\n\
                tzdata==1.0.0 ; sys_platform == 'win32'\n";
    assert_eq!(verdict(&graph, ">=3.12", &reference, lock), Ok(()));
    let lock = lock.replace(" ; implementation_name != 'pypy' and", " ;");
    let error = verdict(&graph, ">=3.12", &reference, &lock).unwrap_err();
    assert!(error.contains("implementation_name=pypy"), "{error}");
}

#[test]
fn a_consistent_reference_needs_one_satisfying_version_everywhere() {
    let graph = graph(FORK_BASIC);
    let consistent = "a==1.0.0 ; sys_platform == 'darwin'\na==2.0.0 ; sys_platform == 'linux'\n";
    assert_eq!(
        verdict(&graph, ">=3.12", &Reference::Consistent, consistent),
        Ok(())
    );
    let overlapping = "a==1.0.0 ; sys_platform == 'darwin'\na==2.0.0\n";
    let error = verdict(&graph, ">=3.12", &Reference::Consistent, overlapping).unwrap_err();
    assert!(error.contains("several pins of it hold here"), "{error}");
    let unsatisfied = "a==1.0.0\n";
    let error = verdict(&graph, ">=3.12", &Reference::Consistent, unsatisfied).unwrap_err();
    assert!(
        error.contains("is not satisfied by a==1.0.0") && error.contains("sys_platform=linux"),
        "{error}"
    );
}

#[test]
fn the_grid_covers_named_values_other_values_and_pythons() {
    let pairs = comparisons(
        "'win' in sys_platform and python_full_version >= '3.10.1' or os_name not in 'nt'",
    );
    assert_eq!(
        pairs,
        [
            ("sys_platform".to_string(), "win".to_string()),
            ("python_full_version".to_string(), "3.10.1".to_string()),
            ("os_name".to_string(), "nt".to_string()),
        ]
    );
    let marker =
        MarkerTree::from_str("sys_platform == 'linux' and python_full_version == '3.9b1'").unwrap();
    let all = grid([&marker], &python(">=3.8"));
    let labels: Vec<&str> = all
        .iter()
        .map(|environment| environment.label.as_str())
        .collect();
    // pep508_rs reads `3.9b1` in a marker as 3.9, so the grid has 3.9.0 and its neighbour; a
    // pre-release named anywhere else gets its own interpreter version.
    let named = ["3.9b1".to_string()];
    assert!(python_versions(named.iter()).contains(&Version::from_str("3.9.0b1").unwrap()));
    for wanted in [
        "python 3.9.0, sys_platform=linux",
        "python 3.9.1, sys_platform=pinwheel-judge-other",
        "python 3.15.0, sys_platform=linux",
    ] {
        assert!(labels.contains(&wanted), "{wanted} not in {labels:?}");
    }
    let later = grid([&marker], &python(">=3.12"));
    assert!(
        later
            .iter()
            .all(|environment| !environment.label.contains("3.9"))
    );
    // `linux` and the other value, over 3.12.0, 3.12.1 (requires-python names 3.12), 3.13.0,
    // 3.14.0 and 3.15.0.
    assert_eq!(later.len(), 2 * 5);
}

#[test]
fn unreadable_lock_lines_are_errors() {
    assert!(
        parse_lock("a>=1\n")
            .unwrap_err()
            .contains("not a `name==version` pin")
    );
    assert!(parse_lock("a==1 ; sys_platform = 'x'\n").is_err());
}

/// uv's reference fits every universal scenario in `../shared`: walking each graph with the
/// reference's versions (chosen by their forks) never meets a requirement they do not satisfy.
#[test]
fn the_shared_reference_fits_its_scenarios() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let reference = shared.join("packse-reference/universal-pins.json");
    let Ok(text) = std::fs::read_to_string(&reference) else {
        crate::support::skips::skip(
            "the_shared_reference_fits_its_scenarios",
            &format!("no {}", reference.display()),
        );
        return;
    };
    let entries: BTreeMap<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for file in crate::scenario::scenario_files(&shared.join("packse-scenarios")) {
        let scenario = crate::scenario::load(&file).unwrap();
        let Some(entry) = entries.get(&scenario.name) else {
            continue;
        };
        let prefix = format!("{}-", scenario.name);
        let reference: Vec<ReferencePin> = entry["pins"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|pin| {
                let markers: Vec<String> = pin["markers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|marker| marker.as_str().unwrap().to_string())
                    .collect();
                let name = pin["name"].as_str().unwrap().strip_prefix(&prefix).unwrap();
                ReferencePin::new(name, pin["version"].as_str().unwrap(), &markers).unwrap()
            })
            .collect();
        let graph = Graph::new(&scenario.root.requires, &scenario.packages).unwrap();
        let requires_python = python(scenario.root.requires_python.as_deref().unwrap_or(">=3.12"));
        if entry["locked"] == true {
            assert_eq!(
                check_reference(&graph, &requires_python, &reference),
                Ok(()),
                "{}",
                scenario.name
            );
        }
        checked += 1;
    }
    assert_eq!(
        checked,
        entries.len(),
        "every reference entry has its scenario file"
    );
}
