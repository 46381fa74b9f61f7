//! PEP 751 `pylock.toml` output (`-o pylock.toml`, `--format pylock-toml`): every file of each
//! pinned version with its own digest, local projects, direct URLs, `--target-files-only`,
//! re-locks that keep the lock's pins (same bytes, `--check`), no credential in the file, and —
//! when `packaging.pylock` is importable — the file validated by the reference implementation.

use std::process::Command;

use crate::support::bounded::Bounded as _;
use crate::support::{HashMode, ServerOptions, TestIndex, TestPackage};
use crate::{Project, index, small_graph};

/// The small graph, with upload times on `lib` (PEP 700), which pylock writes as datetimes.
fn graph() -> Vec<TestPackage> {
    small_graph()
        .into_iter()
        .map(|mut package| {
            if package.name == "lib" {
                package.upload_time = Some("2024-05-01T12:00:00Z".into());
            }
            package
        })
        .collect()
}

/// The `[[packages]]` entry named `name`.
fn package<'a>(lock: &'a toml::Table, name: &str) -> &'a toml::Table {
    lock["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(toml::Value::as_table)
        .find(|entry| entry["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no package `{name}` in {lock:#?}"))
}

/// `(file name, sha256)` of a package's wheels and sdist, sorted.
fn files(entry: &toml::Table) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = entry
        .get("wheels")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .chain(entry.get("sdist"))
        .filter_map(toml::Value::as_table)
        .map(|file| {
            (
                file["name"].as_str().unwrap().to_string(),
                file["hashes"]["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    files.sort();
    files
}

fn expected_files(server: &TestIndex, names: &[&str]) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = names
        .iter()
        .map(|name| ((*name).to_string(), server.sha256_of(name).unwrap()))
        .collect();
    files.sort();
    files
}

fn parse(text: &str) -> toml::Table {
    toml::from_str(text).unwrap_or_else(|error| panic!("not TOML: {error}\n{text}"))
}

/// `.ci/validate-pylock.py`: `packaging.pylock` (packaging >= 26.0) validates `path` and runs
/// the spec's selection for the lock's target. `PINWHEEL_TEST_PYTHON` names the interpreter
/// (default `python3`); without the module the test says it skipped (`.ci/run` validates a live
/// lock in a venv of its own, so the hermetic suite needs no packaging).
#[allow(
    clippy::print_stderr,
    reason = "a skipped validation must say so, and a run shows what packaging counted"
)]
pub(crate) fn validate_with_packaging(path: &std::path::Path) {
    let python = std::env::var("PINWHEEL_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python)
        .args(["-c", "import packaging.pylock"])
        .output_bounded();
    if !probe.is_ok_and(|output| output.status.success()) {
        // `.ci/run` installs packaging into its venv: a skip there would hide a broken lock.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "packaging.pylock is missing in CI: set PINWHEEL_TEST_PYTHON to a Python with packaging >= 26.0 (.ci/run does)"
        );
        crate::support::skips::skip(
            "packaging.pylock validation",
            &format!("{python} has no packaging >= 26.0"),
        );
        return;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/validate-pylock.py");
    let output = Command::new(&python)
        .arg(script)
        .arg(path)
        .output_bounded()
        .unwrap();
    assert!(
        output.status.success(),
        "packaging.pylock rejects {}:\n{}\n{}",
        path.display(),
        String::from_utf8_lossy(&output.stderr),
        std::fs::read_to_string(path).unwrap_or_default()
    );
    eprintln!("{}", String::from_utf8_lossy(&output.stdout).trim());
}

#[test]
fn pylock_names_every_file_of_each_version_with_its_digest() {
    let server = index(graph(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project
        .resolve(&server, &["-o", "pylock.toml", "requirements.in"])
        .expect_code(0);
    let text = project.read("pylock.toml");
    let lock = parse(&text);
    assert_eq!(lock["lock-version"].as_str(), Some("1.0"));
    assert_eq!(lock["created-by"].as_str(), Some("pinwheel"));
    assert_eq!(lock["requires-python"].as_str(), Some("==3.12.*"));
    assert_eq!(
        lock["environments"].as_array().unwrap()[0].as_str(),
        Some(
            "python_version == '3.12' and sys_platform == 'linux' and platform_machine == 'x86_64' and implementation_name == 'cpython'"
        )
    );
    let lib = package(&lock, "lib");
    assert_eq!(lib["version"].as_str(), Some("1.5"));
    assert_eq!(lib["index"].as_str(), Some(server.index_url().as_str()));
    assert_eq!(
        files(lib),
        expected_files(
            &server,
            &[
                "lib-1.5-py3-none-any.whl",
                "lib-1.5-cp312-cp312-win_amd64.whl",
                "lib-1.5.tar.gz"
            ]
        ),
        "{text}"
    );
    assert!(
        lib["sdist"]["upload-time"].as_datetime().is_some(),
        "upload-time is a TOML datetime: {text}"
    );
    let app = package(&lock, "app");
    let dependencies: Vec<&str> = app["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|dependency| dependency["name"].as_str().unwrap())
        .collect();
    assert_eq!(dependencies, ["lib", "opt", "static-sdist"], "{text}");
    let names: Vec<&str> = lock["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "packages are sorted by name");
    assert_eq!(
        lock["tool"]["pinwheel"]["targets"][0]["python-platform"].as_str(),
        Some("x86_64-manylinux_2_28")
    );
    validate_with_packaging(&project.path().join("pylock.toml"));
}

#[test]
fn files_the_index_lists_without_a_digest_are_hashed() {
    let server = index(
        graph(),
        ServerOptions {
            hashes: HashMode::Omitted,
            ..ServerOptions::default()
        },
    );
    let project = Project::new();
    project.write("requirements.in", "lib\n");
    project
        .resolve(
            &server,
            &[
                "--format",
                "pylock.toml",
                "-o",
                "locked.toml",
                "requirements.in",
            ],
        )
        .expect_code(0);
    let first = project.read("locked.toml");
    assert_eq!(
        files(package(&parse(&first), "lib")),
        expected_files(
            &server,
            &[
                "lib-1.5-py3-none-any.whl",
                "lib-1.5-cp312-cp312-win_amd64.whl",
                "lib-1.5.tar.gz"
            ]
        )
    );
    // Without the cache, the existing lock's digests of the unchanged pin are reused: no file
    // is downloaded again, and the lock is the same.
    std::fs::remove_dir_all(project.cache_dir()).unwrap();
    server.clear_requests();
    project
        .resolve(
            &server,
            &[
                "--format",
                "pylock.toml",
                "-o",
                "locked.toml",
                "requirements.in",
            ],
        )
        .expect_code(0);
    let downloads: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|line| {
            line.starts_with("GET /files/")
                && !line.ends_with(".metadata")
                && line.split(' ').count() == 2
        })
        .collect();
    assert_eq!(downloads, Vec::<String>::new());
    assert_eq!(project.read("locked.toml"), first);
}

#[test]
fn target_files_only_keeps_the_wheels_the_target_installs_and_the_sdist() {
    let server = index(graph(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "lib\n");
    project
        .resolve(
            &server,
            &[
                "--target-files-only",
                "-o",
                "pylock.dev.toml",
                "requirements.in",
            ],
        )
        .expect_code(0);
    let lock = parse(&project.read("pylock.dev.toml"));
    assert_eq!(
        files(package(&lock, "lib")),
        expected_files(&server, &["lib-1.5-py3-none-any.whl", "lib-1.5.tar.gz"])
    );
    // Without pylock output the flag means nothing, and says so.
    let run = project.resolve(&server, &["--target-files-only", "requirements.in"]);
    run.expect_code(2);
    assert!(run.stderr.contains("pylock"), "{}", run.stderr);
}

#[test]
fn local_projects_and_direct_urls_are_directory_and_archive_entries() {
    let server = index(graph(), ServerOptions::default());
    let project = Project::new();
    project.write(
        "pkg/pyproject.toml",
        "[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"pkg-demo\"\nversion = \"0.1.0\"\ndependencies = [\"lib<1.5\"]\n",
    );
    let url = format!("{}leaf-4.0-py3-none-any.whl", server.files_dir_url());
    let speedups = "speedups-0.1-py3-none-any.whl";
    std::fs::create_dir_all(project.path().join("dist")).unwrap();
    std::fs::write(
        project.path().join("dist").join(speedups),
        server.file_bytes(speedups).unwrap(),
    )
    .unwrap();
    project.write(
        "requirements.in",
        &format!("-e ./pkg\nleaf @ {url}\n./dist/{speedups}\n"),
    );
    project
        .resolve(&server, &["-o", "pylock.toml", "requirements.in"])
        .expect_code(0);
    let text = project.read("pylock.toml");
    let lock = parse(&text);
    let pkg = package(&lock, "pkg-demo");
    assert_eq!(pkg["directory"]["path"].as_str(), Some("./pkg"), "{text}");
    assert_eq!(pkg["directory"]["editable"].as_bool(), Some(true));
    assert!(
        pkg.get("version").is_none(),
        "a source tree has no version: {text}"
    );
    let leaf = package(&lock, "leaf");
    assert_eq!(leaf["archive"]["url"].as_str(), Some(url.as_str()));
    assert_eq!(
        leaf["archive"]["hashes"]["sha256"].as_str(),
        server.sha256_of("leaf-4.0-py3-none-any.whl").as_deref(),
        "{text}"
    );
    let archive = package(&lock, "speedups")["archive"].as_table().unwrap();
    assert_eq!(
        archive["path"].as_str(),
        Some(format!("./dist/{speedups}").as_str())
    );
    assert_eq!(
        archive["hashes"]["sha256"].as_str(),
        server.sha256_of(speedups).as_deref(),
        "{text}"
    );
    assert_eq!(package(&lock, "lib")["version"].as_str(), Some("1.0"));
    validate_with_packaging(&project.path().join("pylock.toml"));
}

#[test]
fn a_relock_keeps_the_pylock_pins_and_gives_the_same_bytes() {
    let server = index(graph(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "lib<1.5\n");
    project
        .resolve(&server, &["-o", "pylock.toml", "requirements.in"])
        .expect_code(0);
    let first = project.read("pylock.toml");
    // Freed from its bound, lib keeps the version the existing pylock pins.
    project.write("requirements.in", "lib\n");
    project
        .resolve(&server, &["-o", "pylock.toml", "requirements.in"])
        .expect_code(0);
    let second = project.read("pylock.toml");
    assert_eq!(second, first, "the existing pylock's pins are preferences");
    project
        .resolve(
            &server,
            &["--check", "-o", "pylock.toml", "requirements.in"],
        )
        .expect_code(0);
    // An input the pins no longer fit makes the lock stale for `--check`.
    project.write("requirements.in", "lib>=1.5\n");
    project
        .resolve(
            &server,
            &["--check", "-o", "pylock.toml", "requirements.in"],
        )
        .expect_code(1);
    // `-U` moves on.
    project.write("requirements.in", "lib\n");
    project
        .resolve(&server, &["-U", "-o", "pylock.toml", "requirements.in"])
        .expect_code(0);
    let upgraded = parse(&project.read("pylock.toml"));
    assert_eq!(package(&upgraded, "lib")["version"].as_str(), Some("1.5"));
}

#[test]
fn a_password_in_the_index_url_never_reaches_the_pylock() {
    let secret = format!("pylock-s3cr3t-{}", std::process::id());
    let server =
        TestIndex::start_with_basic_auth(graph(), ServerOptions::default(), "alice", &secret);
    let project = Project::new();
    let index_url = server
        .index_url()
        .replacen("://", &format!("://alice:{secret}@"), 1);
    // A direct URL may carry the password too: the archive entry must not.
    let leaf = format!("{}leaf-4.0-py3-none-any.whl", server.files_dir_url()).replacen(
        "://",
        &format!("://alice:{secret}@"),
        1,
    );
    project.write("requirements.in", &format!("lib\nleaf @ {leaf}\n"));
    let args: Vec<String> = [
        "resolve",
        "--index-url",
        &index_url,
        "--python-platform",
        "x86_64-manylinux_2_28",
        "--cache-dir",
        "cache",
        "-o",
        "pylock.toml",
        "requirements.in",
    ]
    .map(String::from)
    .to_vec();
    let run = project.run(&args);
    run.expect_code(0);
    let text = project.read("pylock.toml");
    assert!(!text.contains(&secret), "{text}");
    assert!(!text.contains("alice"), "{text}");
    assert!(!run.stderr.contains(&secret), "{}", run.stderr);
    assert_eq!(
        package(&parse(&text), "lib")["index"].as_str(),
        Some(server.index_url().as_str())
    );
    assert_eq!(
        package(&parse(&text), "leaf")["archive"]["url"].as_str(),
        Some(format!("{}leaf-4.0-py3-none-any.whl", server.files_dir_url()).as_str())
    );
}

#[test]
fn a_git_requirement_is_a_vcs_entry_at_its_commit() {
    let server = index(graph(), ServerOptions::default());
    let project = Project::new();
    let repo = project.path().join("repo");
    project.write(
        "repo/pyproject.toml",
        "[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"pkg-demo\"\nversion = \"0.1.0\"\ndependencies = [\"leaf\"]\n",
    );
    let git = |args: &[&str]| {
        let output = crate::clean_command("git", &repo)
            .args([
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.invalid",
            ])
            .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
            .args(args)
            .output_bounded()
            .unwrap();
        assert!(output.status.success(), "git {args:?}");
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    };
    git(&["init", "--quiet"]);
    git(&["add", "."]);
    git(&["commit", "--quiet", "-m", "one"]);
    git(&["tag", "v1"]);
    let commit = git(&["rev-parse", "HEAD"]);
    let url = url::Url::from_file_path(&repo).unwrap().to_string();
    project.write("requirements.in", &format!("pkg-demo @ git+{url}@v1\n"));
    project
        .resolve(&server, &["-o", "pylock.toml", "requirements.in"])
        .expect_code(0);
    let text = project.read("pylock.toml");
    let lock = parse(&text);
    let pkg = package(&lock, "pkg-demo");
    assert!(pkg.get("version").is_none(), "{text}");
    let vcs = pkg["vcs"].as_table().unwrap();
    assert_eq!(vcs["type"].as_str(), Some("git"));
    assert_eq!(vcs["url"].as_str(), Some(url.as_str()));
    assert_eq!(vcs["requested-revision"].as_str(), Some("v1"));
    assert_eq!(vcs["commit-id"].as_str(), Some(commit.as_str()), "{text}");
    validate_with_packaging(&project.path().join("pylock.toml"));
}

#[test]
fn check_and_download_read_a_pylock_and_its_index() {
    let server = index(graph(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project
        .resolve(&server, &["-o", "pylock.toml", "requirements.in"])
        .expect_code(0);
    let lock = parse(&project.read("pylock.toml"));
    let packages = lock["packages"].as_array().unwrap().len();

    let run = project.check(
        &server,
        &[
            "--python-version",
            "3.12",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "pylock.toml",
        ],
    );
    run.expect_code(0);

    // No `--index-url`: the index is the one the pylock's packages name.
    let run = project.download("pylock.toml", "dist", &[]);
    run.expect_code(0);
    let downloaded = std::fs::read_dir(project.path().join("dist"))
        .unwrap()
        .count();
    assert_eq!(downloaded, packages, "{}", run.stderr);
}
