//! The files `resolve` writes and the checks made before it resolves: their permissions (new
//! files get 0666 less the umask, replaced files and backups keep theirs), an output that is one
//! of the inputs (refused), a missing output directory (created), `--check` without a lock, exit
//! codes of `--each`, error chains, and what `--help` promises.

use crate::support::ServerOptions;
use crate::{Project, index, pins, small_graph};

/// The mode (permission bits) of `path`.
#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The mode a file created now gets: 0666 less this process's umask, which the binary inherits.
#[cfg(unix)]
fn new_file_mode(project: &Project) -> u32 {
    let probe = project.path().join("probe");
    std::fs::File::create(&probe).unwrap();
    let mode = mode(&probe);
    std::fs::remove_file(probe).unwrap();
    mode
}

#[cfg(unix)]
#[test]
fn new_outputs_get_the_mode_of_any_new_file() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "leaf\n");
    let expected = new_file_mode(&project);
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    assert_eq!(mode(&project.path().join("requirements.txt")), expected);
    project
        .resolve(
            &server,
            &["--format", "json", "-o", "lock.json", "requirements.in"],
        )
        .expect_code(0);
    assert_eq!(mode(&project.path().join("lock.json")), expected);
}

#[cfg(unix)]
#[test]
fn a_replaced_output_and_its_backup_keep_the_output_s_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "leaf\n");
    // 0640 is not what a umask of 022 makes of a new file: only keeping the mode gives it.
    let lock = project.write("requirements.txt", "leaf==4.0\n");
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o640)).unwrap();
    project
        .resolve(&server, &["--backup", "requirements.in"])
        .expect_code(0);
    assert_eq!(pins(&project.read("requirements.txt.bak")), ["leaf==4.0"]);
    assert_eq!(mode(&lock), 0o640);
    assert_eq!(mode(&project.path().join("requirements.txt.bak")), 0o640);
}

#[test]
fn an_output_that_is_an_input_is_refused_before_resolving() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "-r base.in\n-c constraints.in\napp\n");
    project.write("base.in", "leaf\n");
    project.write("constraints.in", "leaf<5\n");
    for output in ["requirements.in", "./base.in", "constraints.in"] {
        let run = project.resolve(&server, &["-o", output, "requirements.in"]);
        run.expect_code(2);
        assert!(run.stderr.contains("is also an input"), "{}", run.stderr);
    }
    assert_eq!(
        project.read("requirements.in"),
        "-r base.in\n-c constraints.in\napp\n"
    );
    assert_eq!(project.read("base.in"), "leaf\n");
    assert_eq!(project.read("constraints.in"), "leaf<5\n");
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn a_missing_output_directory_is_created() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "leaf\n");
    project
        .resolve(
            &server,
            &["-o", "locks/linux/requirements.txt", "requirements.in"],
        )
        .expect_code(0);
    assert_eq!(
        pins(&project.read("locks/linux/requirements.txt")),
        ["leaf==4.0"]
    );
}

#[test]
fn an_output_directory_that_cannot_exist_fails_before_resolving() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "leaf\n");
    project.write("locks", "a file, not a directory\n");
    let run = project.resolve(
        &server,
        &["-o", "locks/requirements.txt", "requirements.in"],
    );
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("cannot create the directory of the output file `locks/requirements.txt`"),
        "{}",
        run.stderr
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn check_without_a_lock_says_it_is_missing() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "leaf\n");
    let run = project.resolve(&server, &["--check", "requirements.in"]);
    run.expect_code(1);
    assert!(
        run.stderr
            .contains("`requirements.txt` is missing (run without `--check` to create it)"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not up to date"), "{}", run.stderr);
}

#[test]
fn each_exits_2_for_an_input_error_as_a_single_run_does() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    project.write("good.in", "leaf\n");
    project.write("broken.in", "-r missing.in\n");
    project.write("impossible.in", "leaf<1\n");
    project.resolve(&server, &["broken.in"]).expect_code(2);
    project
        .resolve(
            &server,
            &["--each", "good.in", "broken.in", "impossible.in"],
        )
        .expect_code(2);
    // Without an input error, a file with no solution gives 1, as its own run would.
    project
        .resolve(&server, &["--each", "good.in", "impossible.in"])
        .expect_code(1);
}

#[test]
fn an_error_s_message_is_not_repeated_as_its_cause() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "leaf\nnot a requirement!\n");
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(2);
    assert_eq!(
        run.stderr.matches("invalid requirement").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn an_empty_cache_dir_variable_is_named() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "leaf\n");
    let args: Vec<String> = [
        "resolve",
        "--index-url",
        &server.index_url(),
        "requirements.in",
    ]
    .map(str::to_string)
    .to_vec();
    let run = project.run_with_env(&args, &[("PINWHEEL_CACHE_DIR", "")]);
    run.expect_code(2);
    assert!(run.stderr.contains("PINWHEEL_CACHE_DIR"), "{}", run.stderr);
    assert!(!run.stderr.contains("--cache-dir"), "{}", run.stderr);
}

#[test]
fn resolve_help_states_the_default_output_and_the_exit_codes() {
    let project = Project::new();
    let run = project.run(&["resolve".to_string(), "--help".to_string()]);
    run.expect_code(0);
    let help = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for promised in [
        "`requirements.txt` → `requirements.lock.txt`",
        "Exit status: 0",
        "1 when the requirements have no solution",
        "2 for a usage or input error",
        "the whole of that day in the local time zone",
    ] {
        assert!(help.contains(promised), "{promised}\n{}", run.stdout);
    }
}
