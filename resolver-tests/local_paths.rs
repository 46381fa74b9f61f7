//! Local path and editable requirements, unnamed URLs, and `${VAR}` expansion in requirements
//! files: the pin lines and annotations pip-compile 7.6.2 writes, with relative paths kept as
//! written.

use crate::support::ServerOptions;
use crate::{Project, index, pins, small_graph};

/// What pip-compile writes before a pin it cannot hash in a hashed file.
const UNHASHED: &str = "# WARNING: pip install will require the following package to be hashed.\n# Consider using a hashable URL like https://github.com/jazzband/pip-tools/archive/SOMECOMMIT.zip\n";

/// Writes a setuptools project `pkg-demo` 0.1.0 with static metadata into `dir`.
fn write_demo_project(project: &Project, dir: &str, dependencies: &[&str]) {
    let dependencies = dependencies
        .iter()
        .map(|dependency| format!("\"{dependency}\""))
        .collect::<Vec<_>>()
        .join(", ");
    project.write(
        &format!("{dir}/pyproject.toml"),
        &format!(
            "[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"pkg-demo\"\nversion = \"0.1.0\"\ndependencies = [{dependencies}]\n\n[project.optional-dependencies]\nfast = [\"speedups\"]\n"
        ),
    );
}

/// The lock from its first pin on: the header and the options block are not what these tests
/// check. (A pin preceded by a `#` warning would lose it: only used without `--generate-hashes`.)
fn body(lock: &str) -> String {
    lock.lines()
        .skip_while(|line| line.starts_with('#') || line.starts_with("--") || line.is_empty())
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn editable_projects_are_written_as_given_and_their_dependencies_resolved() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    write_demo_project(&project, "pkg", &["leaf", "lib<1.5"]);
    project.write("requirements.in", "-e ./pkg\n");
    project
        .resolve(&server, &["--generate-hashes", "requirements.in"])
        .expect_code(0);
    let lock = project.read("requirements.txt");
    let expected = format!(
        "-e ./pkg\n    # via -r requirements.in\nleaf==4.0 \\\n    --hash=sha256:{leaf}\n    # via pkg-demo\nlib==1.0 \\\n    --hash=sha256:{lib}\n    # via pkg-demo\n",
        leaf = server.sha256_of("leaf-4.0-py3-none-any.whl").unwrap(),
        lib = server.sha256_of("lib-1.0-py3-none-any.whl").unwrap(),
    );
    // The editable has no hashes, so pip-compile's warning comes right before it.
    assert!(
        lock.contains(&format!("\n\n{UNHASHED}{expected}")),
        "{lock}"
    );
    assert!(lock.ends_with(&expected), "{lock}");

    // The lock now holds `-e ./pkg`: reading its pins again must work, and the project is read
    // afresh (never cached), so a new dependency shows up at once.
    write_demo_project(&project, "pkg", &["leaf", "lib<1.5", "speedups"]);
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    let lock = project.read("requirements.txt");
    assert_eq!(
        pins(&lock),
        ["leaf==4.0", "lib==1.0", "speedups==0.1"],
        "{lock}"
    );
    assert!(
        lock.contains("-e ./pkg\n    # via -r requirements.in\n"),
        "{lock}"
    );
}

#[test]
fn paths_are_relative_to_their_file_and_keep_their_extras() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    write_demo_project(&project, "pkg", &["leaf"]);
    // Relative to `reqs/`, not to the directory pinwheel runs in: from there `../pkg` would be
    // outside the project and not exist.
    project.write("reqs/requirements.in", "../pkg[fast]\n");
    project
        .resolve(&server, &["-o", "requirements.txt", "reqs/requirements.in"])
        .expect_code(0);
    assert_eq!(
        body(&project.read("requirements.txt")),
        // Sorted by project name, as pip-compile sorts every pin but editables.
        "leaf==4.0\n    # via pkg-demo\n../pkg[fast]\n    # via -r reqs/requirements.in\nspeedups==0.1\n    # via pkg-demo\n"
    );

    // Absolute paths and `file:` URLs are written as pip-compile writes them.
    let absolute = project.path().join("pkg");
    let url = url::Url::from_file_path(&absolute).unwrap();
    for line in [absolute.display().to_string(), url.to_string()] {
        project.write("requirements.in", &format!("{line}\n"));
        project
            .resolve(&server, &["requirements.in"])
            .expect_code(0);
        let lock = project.read("requirements.txt");
        assert!(
            body(&lock).starts_with(&format!(
                "leaf==4.0\n    # via pkg-demo\npkg-demo @ {url}\n    # via -r requirements.in\n"
            )),
            "{line}: {lock}"
        );
    }
}

#[test]
fn local_archives_are_named_by_their_file_name_and_hashed() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let wheel = "leaf-4.0-py3-none-any.whl";
    project.write("dist/.keep", "");
    std::fs::write(
        project.path().join("dist").join(wheel),
        server.file_bytes(wheel).unwrap(),
    )
    .unwrap();
    project.write("requirements.in", &format!("./dist/{wheel}\napp\n"));
    project
        .resolve(&server, &["--generate-hashes", "requirements.in"])
        .expect_code(0);
    let lock = project.read("requirements.txt");
    assert!(
        lock.contains(&format!(
            "./dist/{wheel} \\\n    --hash=sha256:{}\n    # via\n    #   -r requirements.in\n    #   static-sdist\n",
            server.sha256_of(wheel).unwrap()
        )),
        "{lock}"
    );
    assert!(pins(&lock).contains(&"app==1.0".to_string()), "{lock}");
    // The file was read from disk: the index was never asked about `leaf`.
    let asked: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|request| request.contains("leaf"))
        .collect();
    assert!(asked.is_empty(), "{asked:#?}");
}

#[test]
fn unnamed_urls_are_named_by_their_file_name() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let files = server.files_dir_url();
    project.write(
        "requirements.in",
        &format!("{files}leaf-4.0-py3-none-any.whl\n{files}static_sdist-0.3.tar.gz\n"),
    );
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    assert_eq!(
        body(&project.read("requirements.txt")),
        format!(
            "leaf @ {files}leaf-4.0-py3-none-any.whl\n    # via\n    #   -r requirements.in\n    #   static-sdist\nstatic-sdist @ {files}static_sdist-0.3.tar.gz\n    # via -r requirements.in\n"
        )
    );
}

#[test]
fn variables_are_expanded_from_the_environment_and_unset_ones_kept() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    write_demo_project(&project, "pkg", &["lib<1.5"]);
    project.write(
        "requirements.in",
        "-e ./${PKG_DIR}\nleaf @ ${FILES}leaf-4.0-py3-none-any.whl\n",
    );
    let files = server.files_dir_url();
    project
        .resolve_with_env(
            &server,
            &["requirements.in"],
            &[("PKG_DIR", "pkg"), ("FILES", &files)],
        )
        .expect_code(0);
    assert_eq!(
        body(&project.read("requirements.txt")),
        format!(
            "-e ./pkg\n    # via -r requirements.in\nleaf @ {files}leaf-4.0-py3-none-any.whl\n    # via -r requirements.in\nlib==1.0\n    # via pkg-demo\n"
        )
    );

    // Unset: left as written, so the line is an error that shows the reference.
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("requirements.in:1: `")
            && run.stderr.contains("${PKG_DIR}` does not exist"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_project_with_a_literal_setup_py_is_read_statically() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    project.write(
        "legacy/setup.py",
        "from setuptools import setup\n\nsetup(\n    name='Legacy_Pkg',\n    version='2.0',\n    install_requires=['leaf', 'lib<1.5'],\n)\n",
    );
    project.write("requirements.in", "-e ./legacy\n");
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    assert_eq!(
        body(&project.read("requirements.txt")),
        "-e ./legacy\n    # via -r requirements.in\nleaf==4.0\n    # via legacy-pkg\nlib==1.0\n    # via legacy-pkg\n"
    );
}

#[test]
fn unusable_paths_are_errors_naming_the_file_line_and_cause() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    project.write("empty/README", "no project here");
    project.write(
        "dyn/pyproject.toml",
        "[project]\nname = \"dyn\"\nversion = \"1.0\"\ndynamic = [\"dependencies\"]\n",
    );
    project.write(
        "computed/setup.py",
        "from setuptools import setup\nsetup(name='computed', version='1', install_requires=open('r.txt').read().split())\n",
    );
    let root = project.path().display().to_string();
    let cases = [
        (
            "six\n./missing\n",
            format!("requirements.in:2: `{root}/missing` does not exist"),
        ),
        (
            "./empty[x]\n",
            format!(
                "requirements.in:1: `{root}/empty` has no `pyproject.toml` with a `[project]` table and no `setup.cfg`"
            ),
        ),
        (
            "-e ./dyn\n",
            format!(
                "requirements.in:1: in `{root}/dyn/pyproject.toml`: `project.dependencies` is dynamic"
            ),
        ),
        (
            // Only a build can tell; with `--no-build` the line is refused.
            "six\n-e ./computed\n",
            format!(
                "requirements.in:2: `{root}/computed` declares its metadata in no file pinwheel reads statically (the `install_requires` given to `setup()` is computed, not written as a literal)"
            ),
        ),
        (
            "-e ./dist/foo-1.0-py3-none-any.whl\n",
            "requirements.in:1: `-e ./dist/foo-1.0-py3-none-any.whl`: an editable requirement must be a local project directory".to_string(),
        ),
    ];
    project.write("dist/foo-1.0-py3-none-any.whl", "");
    for (content, expected) in cases {
        project.write("requirements.in", content);
        // Without builds, a project only a build can tell is refused naming its line.
        let run = project.resolve(&server, &["--no-build", "requirements.in"]);
        run.expect_code(2);
        assert!(
            run.stderr.contains(&expected),
            "{content}: {} lacks {expected}",
            run.stderr
        );
        assert!(!project.path().join("requirements.txt").exists());
    }
}
