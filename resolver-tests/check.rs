//! `pinwheel check` end to end against the local index: every status, the exit codes, a matrix
//! of targets, the lock's own index line, one page fetch per project, and the JSON output
//! validated against the committed schema (`schemas/check.schema.json`).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{HashMode, SdistKind, ServerOptions, TestFile, TestIndex, TestPackage};
use crate::{Project, index};

const LINUX: &str = "x86_64-manylinux_2_28";

fn wheel(tag: &str) -> TestFile {
    TestFile::Wheel { tag: tag.into() }
}

/// One release per situation a check must tell apart.
fn catalog() -> Vec<TestPackage> {
    vec![
        TestPackage::new("good", "1.0"),
        // numpy 1.24.4's shape: wheels up to cp311 only, and an sdist.
        TestPackage::new("oldwheels", "1.24.4").with_files(vec![
            wheel("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"),
            wheel("cp311-cp311-win_amd64"),
            TestFile::Sdist(SdistKind::PkgInfo22),
        ]),
        TestPackage::new("binonly", "1.0")
            .with_files(vec![wheel("cp311-cp311-manylinux_2_17_x86_64")]),
        TestPackage::new("gone", "1.0").yank("broken metadata"),
        TestPackage::new("gone", "1.1"),
        TestPackage::new("modern", "1.0").python(">=3.13"),
        TestPackage::new("winonly", "1.0").with_files(vec![wheel("cp312-cp312-win_amd64")]),
        TestPackage::new("plat", "1.0").with_files(vec![
            wheel("cp312-cp312-manylinux_2_17_x86_64"),
            wheel("cp312-cp312-win_amd64"),
        ]),
        TestPackage::new("both", "1.0").with_files(vec![
            wheel("py3-none-any"),
            TestFile::Sdist(SdistKind::PkgInfo22),
        ]),
        TestPackage::new("linuxwheel", "1.0").with_files(vec![
            wheel("cp312-cp312-manylinux_2_17_x86_64"),
            TestFile::Sdist(SdistKind::PkgInfo22),
        ]),
        TestPackage::new("srconly", "1.0").with_files(vec![TestFile::Sdist(SdistKind::PkgInfo22)]),
    ]
}

fn server() -> TestIndex {
    index(catalog(), ServerOptions::default())
}

/// The cells of `pin`'s row in a table report (the pin label first).
fn row(stdout: &str, pin: &str) -> Vec<String> {
    stdout
        .lines()
        .find(|line| line.split_whitespace().next() == Some(pin))
        .unwrap_or_else(|| panic!("no row for {pin} in\n{stdout}"))
        .split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect()
}

fn summary(stdout: &str) -> &str {
    stdout
        .lines()
        .rfind(|line| line.starts_with("check "))
        .unwrap_or_else(|| panic!("no summary line in\n{stdout}"))
}

#[test]
fn cp311_wheels_and_an_sdist_are_sdist_only_on_312() {
    let server = server();
    let project = Project::new();
    project.write("requirements.txt", "oldwheels==1.24.4\ngood==1.0\n");
    let targets = [
        "--python-version",
        "3.11",
        "--python-version",
        "3.12",
        "--python-platform",
        LINUX,
    ];
    let run = project.check(&server, &[&targets[..], &["requirements.txt"]].concat());
    run.expect_code(0);
    let expected = "
\x20                  3.11                   3.12
                   x86_64-manylinux_2_28  x86_64-manylinux_2_28
oldwheels==1.24.4  ok                     sdist-only
good==1.0          ok                     ok

oldwheels==1.24.4 (line 1)
  sdist-only on 3.12 x86_64-manylinux_2_28: no cp312 wheel: pip would build oldwheels-1.24.4.tar.gz

check passed: 2 pins on 2 targets: 3 ok, 1 warning, 0 failed, 0 not checked
";
    assert_eq!(run.stdout, &expected[1..]);

    // `--require-wheels` turns the warning into a failure.
    let run = project.check(
        &server,
        &[&targets[..], &["--require-wheels", "requirements.txt"]].concat(),
    );
    run.expect_code(1);
    assert_eq!(
        summary(&run.stdout),
        "check failed: 2 pins on 2 targets: 3 ok, 0 warnings, 1 failed, 0 not checked"
    );
}

#[test]
fn missing_yanked_and_wheel_less_pins_fail_with_their_reasons() {
    let server = server();
    let project = Project::new();
    project.write(
        "requirements.txt",
        "good==9.9\nnosuch==1.0\ngone==1.0\nbinonly==1.0\ngone==1.1\n",
    );
    let run = project.check(
        &server,
        &[
            "--python-version",
            "3.12",
            "--python-platform",
            LINUX,
            "requirements.txt",
        ],
    );
    run.expect_code(1);
    for (pin, cell, detail) in [
        ("good==9.9", "missing", "the index has no such version"),
        ("nosuch==1.0", "missing", "the index has no such project"),
        ("gone==1.0", "yanked", "yanked: broken metadata"),
        ("binonly==1.0", "no-file", "no cp312 wheel, and no sdist"),
    ] {
        assert_eq!(row(&run.stdout, pin), [cell], "{}", run.stdout);
        assert!(
            run.stdout
                .contains(&format!("  {cell} on 3.12 {LINUX}: {detail}\n")),
            "{pin}: {}",
            run.stdout
        );
    }
    assert_eq!(row(&run.stdout, "gone==1.1"), ["ok"]);
    assert_eq!(
        summary(&run.stdout),
        "check failed: 5 pins on 1 target: 1 ok, 0 warnings, 4 failed, 0 not checked"
    );
}

#[test]
fn requires_python_fails_only_where_it_excludes_the_target() {
    let server = server();
    let project = Project::new();
    project.write("requirements.txt", "modern==1.0\n");
    let run = project.check(
        &server,
        &[
            "--python-version",
            "3.12",
            "--python-version",
            "3.13",
            "--python-platform",
            LINUX,
            "requirements.txt",
        ],
    );
    run.expect_code(1);
    assert_eq!(row(&run.stdout, "modern==1.0"), ["requires-python", "ok"]);
    assert!(
        run.stdout.contains(&format!(
            "requires-python on 3.12 {LINUX}: requires Python >=3.13"
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn a_matrix_checks_every_python_on_every_platform() {
    let server = server();
    let project = Project::new();
    project.write("requirements.txt", "plat==1.0\ngood==1.0\n");
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
            "--python-platform",
            "macos",
            "requirements.txt",
        ],
    );
    run.expect_code(1);
    let header: Vec<&str> = run.stdout.lines().take(2).collect();
    assert_eq!(
        header
            .iter()
            .map(|line| line.split_whitespace().collect::<Vec<_>>())
            .collect::<Vec<_>>(),
        [
            vec!["3.11", "3.11", "3.11", "3.12", "3.12", "3.12"],
            vec!["linux", "windows", "macos", "linux", "windows", "macos"]
        ]
    );
    assert_eq!(
        row(&run.stdout, "plat==1.0"),
        ["no-file", "no-file", "no-file", "ok", "ok", "no-file"]
    );
    assert_eq!(row(&run.stdout, "good==1.0"), ["ok"; 6]);
    assert!(
        run.stdout
            .contains("  no-file on 3.12 macos: no wheel for aarch64-apple-darwin, and no sdist\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "  no-file on 3.11 linux, 3.11 windows, 3.11 macos: no cp311 wheel, and no sdist\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn locked_hashes_must_be_files_of_the_version_and_cover_the_target() {
    let server = server();
    let project = Project::new();
    let sha = |file: &str| server.sha256_of(file).unwrap();
    let linux_wheel = "plat-1.0-cp312-cp312-manylinux_2_17_x86_64.whl";
    let windows_wheel = "plat-1.0-cp312-cp312-win_amd64.whl";
    let unknown = "0".repeat(64);
    project.write(
        "requirements.txt",
        &format!(
            "good==1.0 \\\n    --hash=sha256:{}\n\
             plat==1.0 --hash=sha256:{} --hash=sha256:{unknown}\n",
            sha("good-1.0-py3-none-any.whl"),
            sha(linux_wheel),
        ),
    );
    project.write(
        "windows-only.txt",
        &format!("plat==1.0 --hash=sha256:{}\n", sha(windows_wheel)),
    );
    let targets = [
        "--python-version",
        "3.12",
        "--python-platform",
        "linux",
        "--python-platform",
        "windows",
    ];
    let run = project.check(&server, &[&targets[..], &["requirements.txt"]].concat());
    run.expect_code(1);
    assert_eq!(row(&run.stdout, "good==1.0"), ["ok", "ok"]);
    assert_eq!(
        row(&run.stdout, "plat==1.0"),
        ["hash-mismatch", "hash-mismatch"]
    );
    assert!(
        run.stdout.contains(&format!(
            "  hash-mismatch on every target: the lock lists hashes of no file of this version: sha256:{unknown}\n"
        )),
        "{}",
        run.stdout
    );

    // Only the Windows wheel's hash: pip could install nothing on Linux.
    let run = project.check(&server, &[&targets[..], &["windows-only.txt"]].concat());
    run.expect_code(1);
    assert_eq!(row(&run.stdout, "plat==1.0"), ["hash-mismatch", "ok"]);
    assert!(
        run.stdout.contains(&format!(
            "no file usable on this target has its hash in the lock (it would use {linux_wheel})"
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn hashes_are_computed_for_an_index_that_lists_none() {
    let server = index(
        catalog(),
        ServerOptions {
            hashes: HashMode::Omitted,
            ..ServerOptions::default()
        },
    );
    let project = Project::new();
    let good = server.sha256_of("good-1.0-py3-none-any.whl").unwrap();
    project.write(
        "requirements.txt",
        &format!("good==1.0 --hash=sha256:{good}\n"),
    );
    project.write(
        "wrong.txt",
        &format!("good==1.0 --hash=sha256:{}\n", "f".repeat(64)),
    );
    let targets = ["--python-version", "3.12", "--python-platform", LINUX];
    project
        .check(&server, &[&targets[..], &["requirements.txt"]].concat())
        .expect_code(0);
    let run = project.check(&server, &[&targets[..], &["wrong.txt"]].concat());
    run.expect_code(1);
    assert_eq!(row(&run.stdout, "good==1.0"), ["hash-mismatch"]);
}

#[test]
fn a_false_marker_skips_the_pin_on_that_target() {
    let server = server();
    let project = Project::new();
    project.write(
        "requirements.txt",
        "winonly==1.0 ; sys_platform == \"win32\"\n",
    );
    project.write("unmarked.txt", "winonly==1.0\n");
    let targets = [
        "--python-version",
        "3.12",
        "--python-platform",
        "linux",
        "--python-platform",
        "windows",
    ];
    let run = project.check(&server, &[&targets[..], &["requirements.txt"]].concat());
    run.expect_code(0);
    assert_eq!(row(&run.stdout, "winonly==1.0"), ["skipped", "ok"]);
    assert_eq!(
        summary(&run.stdout),
        "check passed: 1 pin on 2 targets: 1 ok, 0 warnings, 0 failed, 1 not checked"
    );
    // The same pin without its marker cannot be installed on Linux.
    let run = project.check(&server, &[&targets[..], &["unmarked.txt"]].concat());
    run.expect_code(1);
    assert_eq!(row(&run.stdout, "winonly==1.0"), ["no-file", "ok"]);
}

#[test]
fn the_locks_own_index_url_is_used_unless_one_is_given() {
    let server = server();
    let empty = index(Vec::new(), ServerOptions::default());
    let project = Project::new();
    project.write(
        "requirements.txt",
        &format!("--index-url {}\n\ngood==1.0\n", server.index_url()),
    );
    let cache = project.path().join("cache").display().to_string();
    let args = |extra: &[String]| -> Vec<String> {
        ["check", "--python-platform", LINUX, "--cache-dir", &cache]
            .iter()
            .map(|arg| (*arg).to_string())
            .chain(extra.iter().cloned())
            .chain(["requirements.txt".to_string()])
            .collect()
    };
    project.run(&args(&[])).expect_code(0);
    assert!(
        server.requests().contains(&"GET /simple/good/".to_string()),
        "{:?}",
        server.requests()
    );
    let run = project.run(&args(&["--index-url".into(), empty.index_url()]));
    run.expect_code(1);
    assert_eq!(row(&run.stdout, "good==1.0"), ["missing"]);
}

#[test]
fn each_project_page_is_fetched_once_for_every_target() {
    let server = server();
    let project = Project::new();
    project.write(
        "requirements.txt",
        "good==1.0\noldwheels==1.24.4\nplat==1.0\n",
    );
    project
        .check(
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
        )
        .expect_code(1);
    let mut requests = server.requests();
    requests.sort();
    // Pages only: with hashes listed, nothing is downloaded.
    assert_eq!(
        requests,
        [
            "GET /simple/good/",
            "GET /simple/oldwheels/",
            "GET /simple/plat/"
        ]
    );
}

#[test]
fn errors_exit_2_and_name_the_file_and_line() {
    let server = server();
    let project = Project::new();
    project.write("requirements.txt", "good==1.0\ngood>=1.0\n");
    let run = project.check(&server, &["--python-platform", LINUX, "requirements.txt"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains(
            "error: requirements.txt:2: not a pin (`name==version` or `name @ url`): `good>=1.0`"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    let run = project.check(&server, &["--python-platform", LINUX, "absent.txt"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("cannot read `absent.txt`"),
        "{}",
        run.stderr
    );

    // Nothing cached and `--offline`: the check cannot be carried out.
    project.write("ok.txt", "good==1.0\n");
    let run = project.check(
        &server,
        &["--offline", "--python-platform", LINUX, "ok.txt"],
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("cannot fetch the index page of `good`"),
        "{}",
        run.stderr
    );

    let run = project.check(&server, &["--python-version", "2.7", "ok.txt"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("--python-version 2.7"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_lock_written_by_resolve_passes() {
    let server = index(
        vec![
            TestPackage::new("app", "1.0").requires(&["lib>=1", "leaf; sys_platform == 'win32'"]),
            TestPackage::new("lib", "2.0").with_files(vec![
                wheel("cp312-cp312-manylinux_2_17_x86_64"),
                wheel("cp312-cp312-win_amd64"),
                wheel("cp313-cp313-manylinux_2_17_x86_64"),
                wheel("cp313-cp313-win_amd64"),
            ]),
            TestPackage::new("leaf", "1.0"),
        ],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project
        .resolve(
            &server,
            &[
                "--generate-hashes",
                "--python-platform",
                "windows",
                "requirements.in",
            ],
        )
        .expect_code(0);
    let run = project.check(
        &server,
        &[
            "--python-version",
            "3.12",
            "--python-version",
            "3.13",
            "--python-platform",
            "linux",
            "--python-platform",
            "windows",
            "requirements.txt",
        ],
    );
    run.expect_code(0);
    // `leaf` was pinned for Windows without a marker: it is installable everywhere anyway.
    assert_eq!(
        summary(&run.stdout),
        "check passed: 3 pins on 4 targets: 12 ok, 0 warnings, 0 failed, 0 not checked"
    );
}

/// `check --format json` on a lock that reaches every status, on two targets.
fn json_report() -> (Value, String) {
    let server = server();
    let project = Project::new();
    let sdist = server.sha256_of("oldwheels-1.24.4.tar.gz").unwrap();
    let windows_wheel = server
        .sha256_of("plat-1.0-cp312-cp312-win_amd64.whl")
        .unwrap();
    let both_sdist = server.sha256_of("both-1.0.tar.gz").unwrap();
    project.write(
        "requirements.txt",
        &format!(
            "--index-url {index}\n\
             good[extra]==1.0\n\
             oldwheels==1.24.4 --hash=sha256:{sdist}\n\
             binonly==1.0\n\
             gone==1.0\n\
             modern==1.0\n\
             good==9.9\n\
             plat==1.0 --hash=sha256:{windows_wheel}\n\
             good==1.0 --hash=sha256:{unknown}\n\
             winonly==1.0 ; sys_platform == 'win32'\n\
             direct @ {files}direct-1.0.tar.gz\n\
             both==1.0 --hash=sha256:{both_sdist}\n\
             linuxwheel==1.0\n\
             srconly==1.0\n",
            index = server.index_url(),
            files = server.files_dir_url(),
            unknown = "a".repeat(64),
        ),
    );
    let run = project.check(
        &server,
        &[
            "--format",
            "json",
            "--python-version",
            "3.12",
            "--python-platform",
            LINUX,
            "--python-platform",
            "windows",
            "requirements.txt",
        ],
    );
    run.expect_code(1);
    let document: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("{error}: not JSON:\n{}", run.stdout));
    (document, run.stdout)
}

fn schema() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/check.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn schema_errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator
        .iter_errors(document)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect()
}

#[test]
fn json_output_validates_against_the_committed_schema() {
    let schema = schema();
    jsonschema::meta::validate(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let (document, text) = json_report();
    let errors = schema_errors(&validator, &document);
    assert!(errors.is_empty(), "{errors:#?}\n{text}");

    // The lock reaches every status and every kind of missing wheel and hash mismatch, so each
    // branch of the schema was exercised.
    let results: Vec<&Value> = document["pins"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|pin| pin["results"].as_array().unwrap())
        .collect();
    let seen = |key: &str| -> BTreeSet<String> {
        results
            .iter()
            .filter_map(|result| {
                let value = key
                    .split('.')
                    .try_fold(*result, |value, part| value.get(part))?;
                value.as_str().map(str::to_string)
            })
            .collect()
    };
    assert_eq!(
        seen("status"),
        [
            "direct-url",
            "hash-mismatch",
            "missing",
            "no-file",
            "requires-python",
            "sdist-only",
            "skipped",
            "wheel",
            "yanked"
        ]
        .map(str::to_string)
        .into(),
        "{text}"
    );
    assert_eq!(
        seen("missing_wheel.kind"),
        ["no-wheels", "not-locked", "platform", "python"]
            .map(str::to_string)
            .into(),
        "{text}"
    );
    assert_eq!(
        seen("mismatch.kind"),
        ["target-file-not-locked", "unknown-hashes"]
            .map(str::to_string)
            .into(),
        "{text}"
    );

    // The summary agrees with the results.
    let count = |outcome: &str| results.iter().filter(|r| r["outcome"] == outcome).count();
    let summary = &document["summary"];
    assert_eq!(summary["passed"], count("pass"));
    assert_eq!(summary["warnings"], count("warning"));
    assert_eq!(summary["failures"], count("failure"));
    assert_eq!(summary["not_checked"], count("not-checked"));
    assert_eq!(document["passed"], false);
    assert_eq!(document["targets"][0]["platform_full"], LINUX);
    assert_eq!(
        document["targets"][1]["platform_full"],
        "x86_64-pc-windows-msvc"
    );
}

/// What a broken document gets wrong, and how to break one.
type Breakage = (&'static str, fn(&mut Value));

#[test]
fn the_schema_rejects_documents_that_break_the_contract() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    let (document, _) = json_report();
    let broken: [Breakage; 5] = [
        ("an unknown top-level field", |document| {
            document["extra"] = Value::Bool(true);
        }),
        ("a wheel without its file", |document| {
            let result = &mut document["pins"][0]["results"][0];
            assert_eq!(result["status"], "wheel");
            result.as_object_mut().unwrap().remove("file");
        }),
        ("an unknown status", |document| {
            document["pins"][0]["results"][0]["status"] = "fine".into();
        }),
        ("a failing status that passes", |document| {
            let results = document["pins"][4]["results"].as_array_mut().unwrap();
            assert_eq!(results[0]["status"], "requires-python");
            results[0]["outcome"] = "pass".into();
        }),
        ("a pin with both a version and a URL", |document| {
            document["pins"][0]["url"] = "https://example.invalid/a.whl".into();
        }),
    ];
    for (what, breaks) in broken {
        let mut copy = document.clone();
        breaks(&mut copy);
        assert!(
            !schema_errors(&validator, &copy).is_empty(),
            "the schema accepts {what}"
        );
    }
}
