use std::collections::BTreeSet;

use super::{separating_variables, target_marker};

fn values(targets: &[(&str, &str, &str)]) -> Vec<[String; 3]> {
    targets
        .iter()
        .map(|(python, platform, machine)| {
            [
                python.to_string(),
                platform.to_string(),
                machine.to_string(),
            ]
        })
        .collect()
}

/// 3.11 and 3.12 on linux and windows, Python-major.
fn grid() -> Vec<[String; 3]> {
    values(&[
        ("3.11", "linux", "x86_64"),
        ("3.11", "win32", "AMD64"),
        ("3.12", "linux", "x86_64"),
        ("3.12", "win32", "AMD64"),
    ])
}

fn marker(on: &[usize], versions: &[&[usize]]) -> String {
    let values = grid();
    let sets: Vec<BTreeSet<usize>> = versions
        .iter()
        .map(|set| set.iter().copied().collect())
        .collect();
    let refs: Vec<&BTreeSet<usize>> = sets.iter().collect();
    let used = separating_variables(&values, &[0, 1, 2], &refs);
    target_marker(&values, &used, &on.iter().copied().collect())
}

#[test]
fn a_platform_split_names_the_platform_only() {
    assert_eq!(
        marker(&[0, 2], &[&[0, 2], &[1, 3]]),
        "sys_platform == 'linux'"
    );
    assert_eq!(
        marker(&[1, 3], &[&[0, 2], &[1, 3]]),
        "sys_platform == 'win32'"
    );
}

#[test]
fn a_python_split_names_the_python_only() {
    assert_eq!(
        marker(&[0, 1], &[&[0, 1], &[2, 3]]),
        "python_version == '3.11'"
    );
}

#[test]
fn a_package_on_some_targets_only_is_false_elsewhere() {
    // Pinned on 3.12 linux only.
    assert_eq!(
        marker(&[2], &[&[2]]),
        "python_version == '3.12' and sys_platform == 'linux'"
    );
    // Pinned on three targets: both variables, one term per target.
    assert_eq!(
        marker(&[0, 1, 2], &[&[0, 1, 2]]),
        "(python_version == '3.11' and sys_platform == 'linux') or (python_version == '3.11' and sys_platform == 'win32') or (python_version == '3.12' and sys_platform == 'linux')"
    );
}

use std::str::FromStr;

use super::{MergeError, check_one_version_per_target, combine};
use crate::resolver::{Pin, PinSource};
use crate::target::{Platform, PythonVersion, Target};
use crate::types::{PackageName, Version};

fn target(python: &str, platform: &str) -> Target {
    Target::new(
        PythonVersion::from_str(python).unwrap(),
        Platform::from_str(platform).unwrap(),
    )
}

fn pin(name: &str, version: &str, marker: Option<&str>) -> Pin {
    Pin {
        name: PackageName::from_str(name).unwrap(),
        version: Version::from_str(version).unwrap(),
        extras: BTreeSet::new(),
        source: PinSource::Registry { listed_by: None },
        hashes: Vec::new(),
        unhashed_files: Vec::new(),
        file: None,
        files: Vec::new(),
        dependents: BTreeSet::new(),
        origins: BTreeSet::new(),
        markers: marker.map(str::to_string).into_iter().collect(),
        attestations: Vec::new(),
    }
}

#[test]
fn top_level_markers_are_kept_beside_the_target_marker() {
    assert_eq!(
        combine(&["os_name != 'java'".into()], "sys_platform == 'linux'"),
        "os_name != 'java' and sys_platform == 'linux'"
    );
    assert_eq!(
        combine(
            &["python_version < '4'".into(), "os_name == 'nt'".into()],
            "sys_platform == 'darwin' or sys_platform == 'linux'"
        ),
        "((python_version < '4') or (os_name == 'nt')) and (sys_platform == 'darwin' or sys_platform == 'linux')"
    );
}

#[test]
fn a_top_level_marker_that_already_says_the_target_is_the_whole_marker() {
    assert_eq!(
        combine(
            &["sys_platform == \"win32\"".into()],
            "sys_platform == 'win32'"
        ),
        "sys_platform == \"win32\""
    );
    assert_eq!(
        combine(
            &["sys_platform == 'win32' and python_version >= '3.12'".into()],
            "sys_platform == 'win32'"
        ),
        "sys_platform == 'win32' and python_version >= '3.12'"
    );
}

#[test]
fn two_versions_applying_on_one_target_are_refused() {
    let targets = [target("3.12", "linux"), target("3.12", "windows")];
    let disjoint = [
        pin("plat", "1.0", Some("sys_platform == 'linux'")),
        pin("plat", "2.0", Some("sys_platform == 'win32'")),
    ];
    assert!(check_one_version_per_target(&targets, &disjoint).is_ok());
    let overlapping = [
        pin("plat", "1.0", None),
        pin("plat", "2.0", Some("sys_platform == 'win32'")),
    ];
    let error = check_one_version_per_target(&targets, &overlapping).unwrap_err();
    assert!(
        matches!(&error, MergeError::Overlap { name, .. } if name.as_ref() == "plat"),
        "{error}"
    );
}
