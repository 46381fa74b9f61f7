//! Several exact targets in one lock (`--python-version` and `--python-platform` repeated):
//! on every target the pins whose markers hold there are exactly what a single-target resolve
//! gives it; a pin the same everywhere has no marker; targets that markers cannot tell apart
//! are refused; `check` passes the merged lock on every target; a second run changes nothing;
//! `--format json` names each pin's targets; `[tool.pinwheel]` takes the targets as arrays.

use std::collections::BTreeSet;
use std::str::FromStr;

use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder, MarkerTree};
use serde_json::Value;

use crate::support::{ServerOptions, TestFile, TestIndex, TestPackage};
use crate::{Project, index};

fn wheel(tag: &str) -> TestFile {
    TestFile::Wheel { tag: tag.into() }
}

/// Versions that differ by platform (`plat` 2.0 has a Windows wheel only), by Python (`pyver`
/// 2.0 needs 3.12), by both (`mixed` 3.0: Windows and 3.12), a dependency only Windows has, and
/// one package the same everywhere.
fn catalog() -> Vec<TestPackage> {
    vec![
        TestPackage::new("app", "1.0").requires(&[
            "shared",
            "plat",
            "pyver",
            "mixed",
            "winextra; sys_platform == 'win32'",
        ]),
        TestPackage::new("shared", "1.0"),
        TestPackage::new("plat", "1.0"),
        TestPackage::new("plat", "2.0").with_files(vec![wheel("py3-none-win_amd64")]),
        TestPackage::new("pyver", "1.0"),
        TestPackage::new("pyver", "2.0").python(">=3.12"),
        TestPackage::new("mixed", "2.0"),
        TestPackage::new("mixed", "3.0")
            .with_files(vec![wheel("py3-none-win_amd64")])
            .python(">=3.12"),
        TestPackage::new("winextra", "1.0"),
    ]
}

fn server() -> TestIndex {
    index(catalog(), ServerOptions::default())
}

/// The four targets: (Python, platform name, sys_platform, platform_machine).
const TARGETS: [(&str, &str, &str, &str); 4] = [
    ("3.11", "linux", "linux", "x86_64"),
    ("3.11", "windows", "win32", "AMD64"),
    ("3.12", "linux", "linux", "x86_64"),
    ("3.12", "windows", "win32", "AMD64"),
];

const ALL_TARGETS: [&str; 8] = [
    "--python-version",
    "3.11",
    "--python-version",
    "3.12",
    "--python-platform",
    "linux",
    "--python-platform",
    "windows",
];

pub(crate) fn environment(python: &str, sys_platform: &str, machine: &str) -> MarkerEnvironment {
    let full = format!("{python}.0");
    MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: &full,
        os_name: if sys_platform == "win32" {
            "nt"
        } else {
            "posix"
        },
        platform_machine: machine,
        platform_python_implementation: "CPython",
        platform_release: "",
        platform_system: if sys_platform == "win32" {
            "Windows"
        } else {
            "Linux"
        },
        platform_version: "",
        python_full_version: &full,
        python_version: python,
        sys_platform,
    })
    .unwrap()
}

/// `(name==version, marker)` of every pin line of a requirements file.
pub(crate) fn marked_pins(text: &str) -> Vec<(String, Option<String>)> {
    text.lines()
        .filter(|line| !line.starts_with([' ', '#', '-']) && !line.trim().is_empty())
        .map(|line| {
            let line = line.trim_end_matches(" \\");
            match line.split_once(" ; ") {
                Some((pin, marker)) => (pin.trim().to_string(), Some(marker.trim().to_string())),
                None => (line.trim().to_string(), None),
            }
        })
        .collect()
}

/// The pins of a merged lock whose markers hold in `environment`.
pub(crate) fn pins_on(text: &str, environment: &MarkerEnvironment) -> BTreeSet<String> {
    marked_pins(text)
        .into_iter()
        .filter(|(_, marker)| {
            marker.as_ref().is_none_or(|marker| {
                MarkerTree::from_str(marker)
                    .unwrap()
                    .evaluate(environment, &[])
            })
        })
        .map(|(pin, _)| pin)
        .collect()
}

pub(crate) fn marker_of(text: &str, pin: &str) -> Option<String> {
    marked_pins(text)
        .into_iter()
        .find(|(line, _)| line == pin)
        .unwrap_or_else(|| panic!("no `{pin}` in\n{text}"))
        .1
}

#[test]
fn each_target_gets_what_a_single_target_resolve_gives_it() {
    let server = server();
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let mut args = ALL_TARGETS.to_vec();
    args.extend(["--generate-hashes", "requirements.in"]);
    project.resolve(&server, &args).expect_code(0);
    let merged = project.read("requirements.txt");

    for (python, platform, sys_platform, machine) in TARGETS {
        let output = format!("single-{python}-{platform}.txt");
        project
            .resolve(
                &server,
                &[
                    "--python-version",
                    python,
                    "--python-platform",
                    platform,
                    "-o",
                    &output,
                    "requirements.in",
                ],
            )
            .expect_code(0);
        let single: BTreeSet<String> = crate::pins(&project.read(&output)).into_iter().collect();
        assert_eq!(
            pins_on(&merged, &environment(python, sys_platform, machine)),
            single,
            "{python} on {platform}, merged lock:\n{merged}"
        );
    }

    // The same everywhere: no marker. Different by one variable: that variable only.
    assert_eq!(marker_of(&merged, "shared==1.0"), None);
    assert_eq!(marker_of(&merged, "app==1.0"), None);
    assert_eq!(
        marker_of(&merged, "plat==1.0").as_deref(),
        Some("sys_platform == 'linux'")
    );
    assert_eq!(
        marker_of(&merged, "plat==2.0").as_deref(),
        Some("sys_platform == 'win32'")
    );
    assert_eq!(
        marker_of(&merged, "pyver==1.0").as_deref(),
        Some("python_version == '3.11'")
    );
    assert_eq!(
        marker_of(&merged, "winextra==1.0").as_deref(),
        Some("sys_platform == 'win32'")
    );
    assert_eq!(
        marker_of(&merged, "mixed==3.0").as_deref(),
        Some("python_version == '3.12' and sys_platform == 'win32'")
    );
    // One line per version, by name then version; each version keeps its own files' hashes.
    let names: Vec<String> = marked_pins(&merged)
        .into_iter()
        .map(|(pin, _)| pin)
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(merged.contains("plat==2.0 ; sys_platform == 'win32' \\\n    --hash=sha256:"));
    // The header names every target.
    assert!(
        merged.contains(
            "--python-platform=linux --python-platform=windows --python-version=3.11 --python-version=3.12"
        ),
        "{merged}"
    );
    assert!(merged.contains("with Python 3.11, 3.12"), "{merged}");

    // A second run, the lock's pins preferred on each target, gives the same bytes.
    project.resolve(&server, &args).expect_code(0);
    assert_eq!(project.read("requirements.txt"), merged);

    // `check` judges every pin on every target its marker admits, and finds all fine.
    let mut check_args = ALL_TARGETS.to_vec();
    check_args.push("requirements.txt");
    project.check(&server, &check_args).expect_code(0);
}

#[test]
fn a_top_level_marker_combines_with_the_target_marker() {
    let server = server();
    let project = Project::new();
    project.write("requirements.in", "pyver\nplat ; os_name != 'java'\n");
    let mut args = ALL_TARGETS.to_vec();
    args.push("requirements.in");
    project.resolve(&server, &args).expect_code(0);
    let merged = project.read("requirements.txt");
    assert_eq!(
        marker_of(&merged, "plat==1.0").as_deref(),
        Some("os_name != 'java' and sys_platform == 'linux'"),
        "{merged}"
    );
}

#[test]
fn targets_markers_cannot_tell_apart_are_refused() {
    let server = server();
    let project = Project::new();
    project.write("requirements.in", "shared\n");
    let run = project.resolve(
        &server,
        &[
            "--python-platform",
            "x86_64-manylinux_2_17",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "requirements.in",
        ],
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("cannot be told apart by markers")
            && run.stderr.contains("one lock per target"),
        "{}",
        run.stderr
    );
    assert!(!project.path().join("requirements.txt").exists());
    // Refused before resolving: the index was not asked anything.
    assert_eq!(server.requests(), Vec::<String>::new());
}

#[test]
fn json_names_each_pins_targets_and_fits_the_schema() {
    let server = server();
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let mut args = ALL_TARGETS.to_vec();
    args.extend(["--format", "json", "-o", "-", "requirements.in"]);
    let run = project.resolve(&server, &args);
    run.expect_code(0);
    let document: Value = serde_json::from_str(&run.stdout).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/resolve.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|error| error.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{}", run.stdout);
    assert_eq!(document["targets"].as_array().unwrap().len(), 4);
    let plat2 = document["pins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|pin| pin["name"] == "plat" && pin["version"] == "2.0")
        .unwrap();
    assert_eq!(plat2["markers"][0], "sys_platform == 'win32'");
    let on: Vec<&str> = plat2["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|target| target["python_version"].as_str().unwrap())
        .collect();
    assert_eq!(on, ["3.11", "3.12"]);
}

#[test]
fn configuration_takes_the_targets_as_arrays() {
    let server = server();
    let project = Project::new();
    project.write("requirements.in", "pyver\n");
    project.write(
        "pyproject.toml",
        "[tool.pinwheel]\npython-version = [\"3.11\", \"3.12\"]\npython-platform = \"linux\"\n",
    );
    let run = project.run(&[
        "resolve".to_string(),
        "--index-url".to_string(),
        server.index_url(),
        "--cache-dir".to_string(),
        project.cache_dir().display().to_string(),
        "requirements.in".to_string(),
    ]);
    run.expect_code(0);
    let merged = project.read("requirements.txt");
    assert_eq!(
        marker_of(&merged, "pyver==1.0").as_deref(),
        Some("python_version == '3.11'"),
        "{merged}"
    );
    assert_eq!(
        marker_of(&merged, "pyver==2.0").as_deref(),
        Some("python_version == '3.12'")
    );
}

#[test]
fn consistent_gives_a_package_one_version_wherever_every_target_allows_it() {
    let server = server();
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let mut args = ALL_TARGETS.to_vec();
    args.extend(["--consistent", "requirements.in"]);
    project.resolve(&server, &args).expect_code(0);
    let merged = project.read("requirements.txt");
    // Every target can take plat 1.0, pyver 1.0 and mixed 2.0: one line each, no marker.
    for pin in ["plat==1.0", "pyver==1.0", "mixed==2.0", "shared==1.0"] {
        assert_eq!(marker_of(&merged, pin), None, "{merged}");
    }
    assert!(!merged.contains("plat==2.0") && !merged.contains("pyver==2.0"));
    // A dependency only Windows has keeps its marker.
    assert_eq!(
        marker_of(&merged, "winextra==1.0").as_deref(),
        Some("sys_platform == 'win32'")
    );

    // With one target there is nothing to be consistent across.
    let run = project.resolve(&server, &["--consistent", "requirements.in"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("`--consistent` needs `--each`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_cold_run_fetches_the_shared_pages_once_for_all_targets() {
    let server = server();
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let mut args = ALL_TARGETS.to_vec();
    args.push("requirements.in");
    project.resolve(&server, &args).expect_code(0);
    // The pages every target needs are fetched once: the first target fills the cache, the
    // others read it. (Only what the first did not need, `winextra` for Windows, may be
    // fetched by two targets at once.)
    let requests = server.requests();
    for name in ["app", "shared", "plat", "pyver", "mixed"] {
        let page = format!("GET /simple/{name}/");
        let count = requests.iter().filter(|request| **request == page).count();
        assert_eq!(count, 1, "{page}: {requests:#?}");
    }
}

/// The `name==version` of the packages of a pylock whose markers hold in `environment`.
fn pylock_pins_on(lock: &toml::Table, environment: &MarkerEnvironment) -> BTreeSet<String> {
    lock["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|package| {
            package.get("marker").is_none_or(|marker| {
                MarkerTree::from_str(marker.as_str().unwrap())
                    .unwrap()
                    .evaluate(environment, &[])
            })
        })
        .map(|package| {
            format!(
                "{}=={}",
                package["name"].as_str().unwrap(),
                package["version"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_pylock_for_several_targets_has_an_environment_each_and_the_same_pins_per_target() {
    let server = server();
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let mut args = ALL_TARGETS.to_vec();
    args.extend(["--generate-hashes", "requirements.in"]);
    project.resolve(&server, &args).expect_code(0);
    let merged = project.read("requirements.txt");

    let mut pylock_args = ALL_TARGETS.to_vec();
    pylock_args.extend(["-o", "pylock.toml", "requirements.in"]);
    project.resolve(&server, &pylock_args).expect_code(0);
    let text = project.read("pylock.toml");
    let lock: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(lock["environments"].as_array().unwrap().len(), 4, "{text}");
    assert_eq!(lock["requires-python"].as_str(), Some(">=3.11,<3.13"));
    for (python, _, sys_platform, machine) in TARGETS {
        let environment = environment(python, sys_platform, machine);
        assert_eq!(
            pylock_pins_on(&lock, &environment),
            pins_on(&merged, &environment),
            "{python} {sys_platform}: {text}"
        );
    }
    crate::pylock::validate_with_packaging(&project.path().join("pylock.toml"));

    // Read back: the same bytes.
    project.resolve(&server, &pylock_args).expect_code(0);
    assert_eq!(project.read("pylock.toml"), text);
}
