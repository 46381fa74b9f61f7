//! Where distributions come from: direct URLs, `--find-links` directories, several indexes, stdin.

use crate::support::{ServerOptions, TestPackage};
use crate::{Project, hashes_of, index, pins, small_graph};

#[test]
fn direct_url_requirements_are_pinned_by_url_with_their_hash() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let url = format!("{}leaf-4.0-py3-none-any.whl", server.files_dir_url());
    project.write("requirements.in", &format!("app\nleaf @ {url}\n"));
    project
        .resolve(&server, &["--generate-hashes", "requirements.in"])
        .expect_code(0);
    let lock = project.read("requirements.txt");
    assert!(lock.contains(&format!("leaf @ {url} \\\n")), "{lock}");
    assert_eq!(
        hashes_of(&lock, &format!("leaf @ {url}")),
        [server.sha256_of("leaf-4.0-py3-none-any.whl").unwrap()]
    );
    assert!(pins(&lock).contains(&"app==1.0".to_string()), "{lock}");
}

#[test]
fn find_links_directories_work_without_an_index() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let wheels = project.path().join("wheels");
    std::fs::create_dir(&wheels).unwrap();
    for file in ["leaf-4.0-py3-none-any.whl", "lib-1.0-py3-none-any.whl"] {
        std::fs::write(wheels.join(file), server.file_bytes(file).unwrap()).unwrap();
    }
    project.write("requirements.in", "--find-links ./wheels\nleaf\nlib\n");
    let run = project.resolve(
        &server,
        &["--no-index", "--generate-hashes", "requirements.in"],
    );
    run.expect_code(0);
    assert!(
        server.requests().is_empty(),
        "--no-index must not touch the index: {:#?}",
        server.requests()
    );
    let lock = project.read("requirements.txt");
    assert_eq!(pins(&lock), ["leaf==4.0", "lib==1.0"], "{lock}");
    assert_eq!(
        hashes_of(&lock, "lib==1.0"),
        [server.sha256_of("lib-1.0-py3-none-any.whl").unwrap()]
    );
}

#[test]
fn the_first_index_that_has_a_project_is_the_only_one_used() {
    let private = index(
        vec![
            TestPackage::new("internal", "1.0"),
            TestPackage::new("leaf", "1.0"),
        ],
        ServerOptions::default(),
    );
    let public = index(
        vec![
            TestPackage::new("internal", "99.0"),
            TestPackage::new("leaf", "4.0"),
            TestPackage::new("other", "2.0"),
        ],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.write("requirements.in", "internal\nleaf\nother\n");
    project
        .resolve(
            &public,
            &["--extra-index-url", &private.index_url(), "requirements.in"],
        )
        .expect_code(0);
    // The extra index comes first, so it wins for the names it has, even with older versions.
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["internal==1.0", "leaf==1.0", "other==2.0"]
    );
}

#[test]
fn requirements_can_come_from_stdin() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let args: Vec<String> = [
        "resolve",
        "--index-url",
        &server.index_url(),
        "--cache-dir",
        "cache",
        "--no-header",
        "-o",
        "-",
        "-",
    ]
    .iter()
    .map(|arg| (*arg).to_string())
    .collect();
    let output = project
        .command(&args, &[])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(b"leaf\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("leaf==4.0\n    # via -r -\n"), "{stdout}");
}

#[test]
fn pyproject_dependencies_extras_and_groups_resolve_by_default() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    project.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\ndependencies = [\"leaf\"]\n[project.optional-dependencies]\nfast = [\"speedups\"]\n[dependency-groups]\ntest = [\"lib<1.5\"]\n",
    );
    // No input named: pyproject.toml is the default when there is no requirements.in.
    project
        .resolve(&server, &["--extra", "fast", "--group", "test"])
        .expect_code(0);
    let lock = project.read("requirements.txt");
    assert_eq!(
        pins(&lock),
        ["leaf==4.0", "lib==1.0", "speedups==0.1"],
        "{lock}"
    );
    assert!(
        lock.contains("leaf==4.0\n    # via demo (pyproject.toml)\n"),
        "{lock}"
    );
    assert!(
        lock.contains("#    pinwheel resolve --extra=fast --group=test"),
        "{lock}"
    );

    project.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\ndynamic = [\"dependencies\"]\n",
    );
    let run = project.resolve(&server, &[]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("pyproject.toml: `project.dependencies` is dynamic"),
        "{}",
        run.stderr
    );
}

#[test]
fn index_annotations_name_the_index_each_pin_came_from() {
    let private = index(
        vec![
            TestPackage::new("internal", "1.0").requires(&["shared"]),
            TestPackage::new("shared", "1.0"),
        ],
        ServerOptions::default(),
    );
    let public = index(
        vec![
            TestPackage::new("internal", "99.0"),
            TestPackage::new("other", "2.0"),
            TestPackage::new("leaf", "4.0"),
        ],
        ServerOptions::default(),
    );
    // Only builds the wheel that the find-links directory holds; the run never sees this index.
    let builder = index(
        vec![TestPackage::new("wheel-only", "1.0")],
        ServerOptions::default(),
    );
    let project = Project::new();
    let wheels = project.path().join("wheels");
    std::fs::create_dir(&wheels).unwrap();
    let wheel = "wheel_only-1.0-py3-none-any.whl";
    std::fs::write(wheels.join(wheel), builder.file_bytes(wheel).unwrap()).unwrap();
    let leaf = format!("{}leaf-4.0-py3-none-any.whl", public.files_dir_url());
    project.write(
        "requirements.in",
        &format!("internal\nother\nleaf @ {leaf}\n--find-links ./wheels\nwheel-only\n"),
    );
    let run = project.resolve(
        &public,
        &[
            "--extra-index-url",
            &private.index_url(),
            "--emit-index-annotation",
            "--no-header",
            "--no-emit-options",
            "-o",
            "-",
            "requirements.in",
        ],
    );
    run.expect_code(0);
    let wheels_url = url::Url::from_file_path(wheels.canonicalize().unwrap()).unwrap();
    let expected = format!(
        "internal==1.0
    # via -r requirements.in
    # from {private}
leaf @ {leaf}
    # via -r requirements.in
other==2.0
    # via -r requirements.in
    # from {public}
shared==1.0
    # via internal
    # from {private}
wheel-only==1.0
    # via -r requirements.in
    # from {wheels_url}
",
        private = private.index_url(),
        public = public.index_url(),
    );
    assert_eq!(run.stdout, expected);
}

#[test]
fn overrides_replace_requirements_anywhere_in_the_graph() {
    let server = index(
        vec![
            TestPackage::new("app", "1.0").requires(&["lib<2", "helper"]),
            TestPackage::new("helper", "1.0").requires(&["lib==1.0"]),
            TestPackage::new("lib", "1.0"),
            TestPackage::new("lib", "2.0"),
            TestPackage::new("lib", "3.0"),
            TestPackage::new("unused", "1.0"),
        ],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project.write(
        "overrides.txt",
        "lib>=2,<3 ; python_version >= \"3.8\"\nlib<2 ; python_version < \"3.8\"\nunused\n",
    );
    let run = project.resolve(
        &server,
        &[
            "--overrides",
            "overrides.txt",
            "--no-emit-options",
            "-o",
            "-",
            "requirements.in",
        ],
    );
    run.expect_code(0);
    assert_eq!(
        pins(&run.stdout),
        ["app==1.0", "helper==1.0", "lib==2.0"],
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "lib==2.0\n    # via\n    #   --override overrides.txt\n    #   app\n    #   helper\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--overrides=overrides.txt"),
        "{}",
        run.stdout
    );
    // Without the overrides, helper's `lib==1.0` holds.
    let plain = project.resolve(&server, &["-o", "-", "requirements.in"]);
    plain.expect_code(0);
    assert!(pins(&plain.stdout).contains(&"lib==1.0".to_string()));
}
