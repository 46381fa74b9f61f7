//! Configuration files: `[tool.pinwheel]`, pip-tools' `.pip-tools.toml` and `[tool.pip-tools]`,
//! `--config`, `--no-config`, and their precedence under the command line.

use crate::support::{ServerOptions, TestPackage};
use crate::{Project, hashes_of, index, pins};

/// `lib` 1.0 and 2.0, and `app` needing `lib`.
fn packages() -> Vec<TestPackage> {
    vec![
        TestPackage::new("app", "1.0").requires(&["lib"]),
        TestPackage::new("lib", "1.0"),
        TestPackage::new("lib", "2.0"),
    ]
}

/// The header's command line.
fn header_command(lock: &str) -> &str {
    lock.lines()
        .find_map(|line| line.strip_prefix("#    "))
        .unwrap_or_default()
}

#[test]
fn the_command_line_beats_tool_pinwheel_which_beats_pip_tools_files() {
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let resolve = |args: &[&str]| {
        let mut all = vec!["--no-emit-index-url", "-o", "-"];
        all.extend_from_slice(args);
        all.push("requirements.in");
        let run = project.resolve(&server, &all);
        run.expect_code(0);
        run.stdout
    };

    // pip-compile's own file.
    project.write(
        ".pip-tools.toml",
        "[tool.pip-tools]\ngenerate-hashes = true\nannotation-style = \"line\"\nno-header = true\n",
    );
    let lock = resolve(&[]);
    assert!(!lock.starts_with('#'), "no-header = true: {lock}");
    assert_eq!(
        hashes_of(&lock, "lib==2.0"),
        [server.sha256_of("lib-2.0-py3-none-any.whl").unwrap()]
    );
    assert!(lock.contains("    # via app\n"), "{lock}");

    // [tool.pinwheel] wins over it, key by key; the rest still comes from .pip-tools.toml.
    project.write(
        "pyproject.toml",
        "[tool.pinwheel]\nannotation-style = \"split\"\nheader = true\n[tool.pip-tools]\n# shadowed by .pip-tools.toml, as in pip-compile\nallow-unsafe = true\n",
    );
    let lock = resolve(&[]);
    assert!(lock.starts_with("#\n"), "header = true: {lock}");
    assert!(!hashes_of(&lock, "lib==2.0").is_empty(), "{lock}");
    // Like pip-compile's, the header shows the options in effect, configured ones included.
    assert!(
        header_command(&lock).starts_with("pinwheel resolve --generate-hashes "),
        "{lock}"
    );
    assert!(!header_command(&lock).contains("allow-unsafe"), "{lock}");

    // The command line wins over both.
    let lock = resolve(&["--no-generate-hashes", "--annotation-style", "line"]);
    assert!(hashes_of(&lock, "lib==2.0").is_empty(), "{lock}");
    assert!(
        lock.contains("lib==2.0                  # via app\n"),
        "{lock}"
    );
    assert!(
        !header_command(&lock).contains("--generate-hashes"),
        "{lock}"
    );

    // --no-config: the defaults.
    let lock = resolve(&["--no-config"]);
    assert!(lock.starts_with("#\n") && hashes_of(&lock, "lib==2.0").is_empty());
    assert!(lock.contains("lib==2.0\n    # via app\n"), "{lock}");
}

#[test]
fn configured_lists_and_paths_are_used() {
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project.write("constraints.txt", "lib<2\n");
    project.write(
        "pyproject.toml",
        "[tool.pip-tools]\nconstraint = [\"constraints.txt\"]\noutput-file = \"locked.txt\"\n",
    );
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    let lock = project.read("locked.txt");
    assert_eq!(pins(&lock), ["app==1.0", "lib==1.0"], "{lock}");
    assert!(lock.contains("    #   -c constraints.txt\n"), "{lock}");
    let command = header_command(&lock);
    assert!(
        command.contains("--constraint=constraints.txt")
            && command.contains("--output-file=locked.txt"),
        "{lock}"
    );
}

#[test]
fn unknown_keys_and_wrong_types_fail_naming_the_file_and_key() {
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project.write("pyproject.toml", "[tool.pinwheel]\ngenerate-hash = true\n");
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("`pyproject.toml`: [tool.pinwheel] has no key `generate-hash`"),
        "{}",
        run.stderr
    );
    assert!(!project.path().join("requirements.txt").exists());

    project.write(
        ".pip-tools.toml",
        "[tool.pip-tools]\nextra-index-url = \"https://one.example/simple/\"\n",
    );
    project.write("pyproject.toml", "");
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains(
            "`.pip-tools.toml`: [tool.pip-tools] key `extra-index-url` must be an array of strings"
        ),
        "{}",
        run.stderr
    );

    // --no-config does not even read them.
    project
        .resolve(&server, &["--no-config", "requirements.in"])
        .expect_code(0);
}

#[test]
fn pip_tools_options_pinwheel_does_not_use_are_warnings() {
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project.write(
        ".pip-tools.toml",
        "[tool.pip-tools]\nresolver = \"backtracking\"\npip-args = \"--no-cache-dir\"\nallow-unsafe = true\n",
    );
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(0);
    for key in ["resolver", "pip-args"] {
        assert!(
            run.stderr.contains(&format!(
                "warning: `.pip-tools.toml`: [tool.pip-tools] key `{key}` is ignored"
            )),
            "{}",
            run.stderr
        );
    }
    assert!(
        header_command(&project.read("requirements.txt")).contains("--allow-unsafe"),
        "the keys pinwheel knows are still read"
    );
    let quiet = project.resolve(&server, &["-q", "requirements.in"]);
    assert_eq!(quiet.stderr, "", "-q silences the warnings");
}

#[test]
fn an_explicit_config_file_replaces_discovery_and_is_named_in_the_header() {
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project.write(".pip-tools.toml", "[tool.pip-tools]\nno-annotate = true\n");
    project.write(
        "ci/pinwheel.toml",
        "[tool.pinwheel]\nemit-index-annotation = true\n",
    );
    let run = project.resolve(
        &server,
        &["--config", "ci/pinwheel.toml", "-o", "-", "requirements.in"],
    );
    run.expect_code(0);
    assert!(
        run.stdout.contains(&format!(
            "lib==2.0\n    # via app\n    # from {}\n",
            server.index_url()
        )),
        "{}",
        run.stdout
    );
    assert!(
        header_command(&run.stdout).contains("--config=ci/pinwheel.toml"),
        "{}",
        run.stdout
    );
    let missing = project.resolve(&server, &["--config", "nope.toml", "requirements.in"]);
    missing.expect_code(2);
    assert!(
        missing
            .stderr
            .contains("cannot read the configuration file `nope.toml`"),
        "{}",
        missing.stderr
    );
    let both = project.resolve(
        &server,
        &[
            "--config",
            "ci/pinwheel.toml",
            "--no-config",
            "requirements.in",
        ],
    );
    both.expect_code(2);
}

#[test]
fn the_configuration_beside_the_input_is_used_from_another_directory() {
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    project.write("app/requirements.in", "app\n");
    project.write(
        "app/.pip-tools.toml",
        "[tool.pip-tools]\nno-annotate = true\n",
    );
    project
        .resolve(&server, &["app/requirements.in"])
        .expect_code(0);
    let lock = project.read("app/requirements.txt");
    assert!(!lock.contains("# via"), "{lock}");
}
