//! `--universal`: one lock for every platform and every Python from requires-python on. In
//! every environment the pins whose markers hold there are what a single-target resolve gives
//! that environment (on an index where no fork has a choice to make differently); a package
//! required differently under disjoint markers, or whose newest version needs a newer Python,
//! is pinned once per region; a second run gives the same bytes and `--check` passes;
//! requires-python comes from `--python-version` or a pyproject.toml input; a universal
//! pylock.toml has no `environments` and keeps its forks.

use std::collections::BTreeSet;

use crate::support::{ServerOptions, TestIndex, TestPackage};
use crate::targets::{environment, marked_pins, marker_of, pins_on};
use crate::{Project, index};

/// `forked` is asked for differently on Linux and Windows; `pyver` 2.0 needs 3.12; `winextra`
/// is a Windows-only dependency; `shared` is the same everywhere.
fn catalog() -> Vec<TestPackage> {
    vec![
        TestPackage::new("app", "1.0").requires(&[
            "shared",
            "pyver",
            "forked>=2; sys_platform == 'linux'",
            "forked<2; sys_platform == 'win32'",
            "winextra; sys_platform == 'win32'",
        ]),
        TestPackage::new("shared", "1.0"),
        TestPackage::new("forked", "1.0"),
        TestPackage::new("forked", "1.5"),
        TestPackage::new("forked", "2.0"),
        TestPackage::new("forked", "2.1").requires(&["shared>=1"]),
        TestPackage::new("pyver", "1.0"),
        TestPackage::new("pyver", "2.0").python(">=3.12"),
        TestPackage::new("winextra", "1.0"),
    ]
}

fn server() -> TestIndex {
    index(catalog(), ServerOptions::default())
}

const UNIVERSAL: [&str; 4] = [
    "--universal",
    "--python-version",
    "3.11",
    "--generate-hashes",
];

#[test]
fn every_environment_gets_what_a_single_target_resolve_gives_it() {
    let server = server();
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let mut args = UNIVERSAL.to_vec();
    args.push("requirements.in");
    project.resolve(&server, &args).expect_code(0);
    let lock = project.read("requirements.txt");

    for (python, platform, sys_platform, machine) in [
        ("3.11", "linux", "linux", "x86_64"),
        ("3.11", "windows", "win32", "AMD64"),
        ("3.12", "linux", "linux", "x86_64"),
        ("3.12", "windows", "win32", "AMD64"),
        ("3.13", "macos", "darwin", "arm64"),
    ] {
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
            pins_on(&lock, &environment(python, sys_platform, machine)),
            single,
            "{python} on {platform}, universal lock:\n{lock}"
        );
    }

    assert_eq!(marker_of(&lock, "shared==1.0"), None);
    assert_eq!(
        marker_of(&lock, "forked==2.1").as_deref(),
        Some("sys_platform == 'linux'")
    );
    assert_eq!(
        marker_of(&lock, "forked==1.5").as_deref(),
        Some("sys_platform == 'win32'")
    );
    assert_eq!(
        marker_of(&lock, "winextra==1.0").as_deref(),
        Some("sys_platform == 'win32'")
    );
    // The newest `pyver` needs 3.12: the older Pythons get the older version.
    assert_eq!(
        marker_of(&lock, "pyver==2.0").as_deref(),
        Some("python_full_version >= '3.12'")
    );
    assert_eq!(
        marker_of(&lock, "pyver==1.0").as_deref(),
        Some("python_full_version < '3.12'")
    );
    // Each version keeps its own files' hashes; the header says how it was made.
    assert!(lock.contains("forked==1.5 ; sys_platform == 'win32' \\\n    --hash=sha256:"));
    assert!(lock.contains("with Python >=3.11\n"));
    assert!(lock.contains("--python-version=3.11 --universal"));
}

#[test]
fn a_second_run_gives_the_same_bytes_and_check_passes() {
    let server = server();
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let mut args = UNIVERSAL.to_vec();
    args.push("requirements.in");
    project.resolve(&server, &args).expect_code(0);
    let first = project.read("requirements.txt");
    // The forks are in the header, for the next run to start from.
    let forks: Vec<&str> = first
        .lines()
        .filter(|line| line.starts_with("# pinwheel: fork "))
        .collect();
    assert!(forks.len() >= 3, "{first}");
    project.resolve(&server, &args).expect_code(0);
    assert_eq!(project.read("requirements.txt"), first);
    args.push("--check");
    project.resolve(&server, &args).expect_code(0);

    // A lock that differs from what the run would write fails `--check`.
    project.write(
        "requirements.txt",
        &first.replace("shared==1.0", "shared==0.9"),
    );
    project.resolve(&server, &args).expect_code(1);
}

#[test]
fn requires_python_comes_from_a_pyproject_input() {
    let server = server();
    let project = Project::new();
    project.write(
        "pyproject.toml",
        "[project]\nname = \"root\"\nversion = \"0.1\"\nrequires-python = \">=3.12\"\ndependencies = [\"pyver\"]\n",
    );
    project
        .resolve(&server, &["--universal", "-o", "out.txt", "pyproject.toml"])
        .expect_code(0);
    let lock = project.read("out.txt");
    assert_eq!(
        marked_pins(&lock),
        [("pyver==2.0".to_string(), None)],
        "{lock}"
    );
    assert!(lock.contains("with Python >=3.12\n"), "{lock}");

    // `--python-version` is the lower bound when given: then 3.11 needs the older version.
    project
        .resolve(
            &server,
            &[
                "--universal",
                "--python-version",
                "3.11",
                "-o",
                "older.txt",
                "pyproject.toml",
            ],
        )
        .expect_code(0);
    assert_eq!(
        crate::pins(&project.read("older.txt")),
        ["pyver==1.0", "pyver==2.0"]
    );
}

#[test]
fn universal_refuses_a_platform_and_several_pythons() {
    let server = server();
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let run = project.resolve(
        &server,
        &[
            "--universal",
            "--python-platform",
            "linux",
            "requirements.in",
        ],
    );
    run.expect_code(2);
    assert!(run.stderr.contains("--python-platform"), "{}", run.stderr);
    let run = project.resolve(
        &server,
        &[
            "--universal",
            "--python-version",
            "3.11",
            "--python-version",
            "3.12",
            "requirements.in",
        ],
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("one `--python-version`"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_solution_in_one_fork_names_the_fork() {
    let server = index(
        vec![
            TestPackage::new("app", "1.0").requires(&[
                "dep>=3; sys_platform == 'win32'",
                "dep<2; sys_platform == 'linux'",
            ]),
            TestPackage::new("dep", "1.0"),
        ],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let run = project.resolve(&server, &["--universal", "requirements.in"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("sys_platform == 'win32'"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("dep"), "{}", run.stderr);
}

#[test]
fn a_universal_pylock_has_no_environments_and_keeps_its_forks() {
    let server = server();
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let args = [
        "--universal",
        "--python-version",
        "3.11",
        "-o",
        "pylock.toml",
        "requirements.in",
    ];
    project.resolve(&server, &args).expect_code(0);
    let lock = project.read("pylock.toml");
    assert!(!lock.contains("environments"), "{lock}");
    assert!(lock.contains("requires-python = \">=3.11\""), "{lock}");
    assert!(lock.contains("universal = true\nforks = ["), "{lock}");
    assert!(
        lock.contains("marker = \"sys_platform == 'win32'\""),
        "{lock}"
    );
    crate::pylock::validate_with_packaging(&project.path().join("pylock.toml"));
    project.resolve(&server, &args).expect_code(0);
    assert_eq!(project.read("pylock.toml"), lock);
}

#[test]
fn a_required_platform_gets_versions_that_install_there() {
    let linux_only = || {
        vec![crate::support::TestFile::Wheel {
            tag: "py3-none-manylinux_2_17_x86_64".into(),
        }]
    };
    let server = index(
        vec![
            TestPackage::new("natty", "1.0"),
            TestPackage::new("natty", "2.0").with_files(linux_only()),
            TestPackage::new("onlylinux", "1.0").with_files(linux_only()),
        ],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.write("requirements.in", "natty\n");
    // Without it, the newest version is taken everywhere: the lock would not install on
    // Windows.
    project
        .resolve(
            &server,
            &["--universal", "-o", "plain.txt", "requirements.in"],
        )
        .expect_code(0);
    assert_eq!(crate::pins(&project.read("plain.txt")), ["natty==2.0"]);

    let args = [
        "--universal",
        "--required-platform",
        "windows",
        "-o",
        "required.txt",
        "requirements.in",
    ];
    project.resolve(&server, &args).expect_code(0);
    let lock = project.read("required.txt");
    assert!(
        lock.contains("--required-platform=windows --universal"),
        "{lock}"
    );
    let windows = pins_on(&lock, &environment("3.12", "win32", "AMD64"));
    let linux = pins_on(&lock, &environment("3.12", "linux", "x86_64"));
    assert_eq!(
        windows,
        BTreeSet::from(["natty==1.0".to_string()]),
        "{lock}"
    );
    // The Windows fork is solved first and its versions are the other forks' preferences:
    // one version wherever it installs, as uv keeps forks in agreement.
    assert_eq!(linux, windows, "{lock}");
    // Stable.
    project.resolve(&server, &args).expect_code(0);
    assert_eq!(project.read("required.txt"), lock);

    // Nothing installs on Windows: the run fails, naming the package and the platform.
    project.write("requirements.in", "onlylinux\n");
    let run = project.resolve(&server, &args);
    run.expect_code(1);
    assert!(run.stderr.contains("onlylinux"), "{}", run.stderr);
    assert!(run.stderr.contains("no wheel for"), "{}", run.stderr);

    // It needs `--universal`.
    let run = project.resolve(
        &server,
        &["--required-platform", "windows", "requirements.in"],
    );
    run.expect_code(2);
}

#[test]
fn a_pre_release_python_bound_excludes_the_final_release() {
    // coverage's `tomli; python_full_version <= "3.11.0a6"`: CPython 3.11.0 has tomllib.
    let server = index(
        vec![
            TestPackage::new("cov", "1.0")
                .requires(&["tomli; python_full_version <= \"3.11.0a6\""]),
            TestPackage::new("tomli", "2.0"),
        ],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.write("requirements.in", "cov\n");
    project
        .resolve(
            &server,
            &[
                "--python-version",
                "3.11",
                "-o",
                "single.txt",
                "requirements.in",
            ],
        )
        .expect_code(0);
    assert_eq!(crate::pins(&project.read("single.txt")), ["cov==1.0"]);
    project
        .resolve(
            &server,
            &[
                "--universal",
                "--python-version",
                "3.10",
                "-o",
                "universal.txt",
                "requirements.in",
            ],
        )
        .expect_code(0);
    let lock = project.read("universal.txt");
    assert_eq!(
        marker_of(&lock, "tomli==2.0").as_deref(),
        Some("python_full_version < '3.11'"),
        "{lock}"
    );
}

#[test]
fn a_version_for_older_pythons_only_is_passed_over() {
    // bio-embeddings 0.2.2 says `>=3.7.1,<3.10`: nothing a lock for `>=3.10` covers.
    let server = index(
        vec![
            TestPackage::new("bio", "0.1").python(">=3.7"),
            TestPackage::new("bio", "0.2").python(">=3.7.1,<3.10"),
        ],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.write("requirements.in", "bio\n");
    project
        .resolve(
            &server,
            &["--universal", "--python-version", "3.10", "requirements.in"],
        )
        .expect_code(0);
    assert_eq!(crate::pins(&project.read("requirements.txt")), ["bio==0.1"]);
}

#[test]
fn check_download_and_json_read_a_universal_lock() {
    let server = server();
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let mut args = UNIVERSAL.to_vec();
    args.push("requirements.in");
    project.resolve(&server, &args).expect_code(0);

    // `check` judges each pin on every target its marker admits.
    let run = project.check(
        &server,
        &[
            "--python-version",
            "3.11",
            "--python-version",
            "3.12",
            "--python-platform",
            "linux",
            "--python-platform",
            "windows",
            "requirements.txt",
        ],
    );
    run.expect_code(0);

    // `download` takes the lines whose markers hold on its target.
    project
        .download(
            "requirements.txt",
            "win",
            &[
                "--index-url",
                &server.index_url(),
                "--python-version",
                "3.11",
                "--python-platform",
                "windows",
            ],
        )
        .expect_code(0);
    let mut files: Vec<String> = std::fs::read_dir(project.path().join("win"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(
        files.iter().any(|file| file.starts_with("forked-1.5")),
        "{files:?}"
    );
    assert!(
        files.iter().any(|file| file.starts_with("pyver-1.0")),
        "{files:?}"
    );
    assert!(
        files.iter().any(|file| file.starts_with("winextra-1.0")),
        "{files:?}"
    );
    assert!(
        !files.iter().any(|file| file.starts_with("forked-2.1")),
        "{files:?}"
    );

    // JSON: the universe and the forks, and every pin's marker; it fits the schema.
    let run = project.resolve(
        &server,
        &[
            "--universal",
            "--python-version",
            "3.11",
            "--format",
            "json",
            "-o",
            "-",
            "requirements.in",
        ],
    );
    run.expect_code(0);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
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
    assert_eq!(document["universal"]["requires_python"], ">=3.11");
    assert!(document["universal"]["forks"].as_array().unwrap().len() >= 3);
    let winextra = document["pins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|pin| pin["name"] == "winextra")
        .unwrap();
    assert_eq!(winextra["markers"][0], "sys_platform == 'win32'");
}

/// A package whose every version needs a newer Python than the last splits the universe once
/// per version: past the cap of 64 forks the resolve stops, naming that package.
#[test]
fn a_fork_explosion_names_the_package_that_keeps_splitting() {
    let mut catalog = vec![TestPackage::new("app", "1.0").requires(&["splitter"])];
    for micro in 1..=70 {
        catalog.push(
            TestPackage::new("splitter", &format!("{micro}.0")).python(&format!(">=3.10.{micro}")),
        );
    }
    let server = index(catalog, ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let run = project.resolve(
        &server,
        &["--universal", "--python-version", "3.10", "requirements.in"],
    );
    // An error, not "no solution": there may be one, past the cap.
    run.expect_code(2);
    assert!(run.stderr.contains("more than 64 forks"), "{}", run.stderr);
    assert!(run.stderr.contains("`splitter`"), "{}", run.stderr);
    assert!(!project.path().join("requirements.txt").exists());
}
