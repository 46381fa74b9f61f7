//! pip-compile's command line: an applied option, an ignored one (one warning), a refused one
//! (an error), the binary invoked as `pip-compile`, and pip's environment variables.

use crate::support::bounded::Bounded as _;
use crate::support::{ServerOptions, TestPackage};
use crate::{Project, Run, clean_command, index, pins};

/// `lib` 1.0 and a 2.0 beta, and `app` needing `lib`.
fn packages() -> Vec<TestPackage> {
    vec![
        TestPackage::new("app", "1.0").requires(&["lib"]),
        TestPackage::new("lib", "1.0"),
        TestPackage::new("lib", "2.0b1"),
    ]
}

/// The header's command line.
fn header_command(lock: &str) -> &str {
    lock.lines()
        .find_map(|line| line.strip_prefix("#    "))
        .unwrap_or_default()
}

/// The lines of the options block (after the header, before the first pin).
fn option_lines(lock: &str) -> Vec<&str> {
    lock.lines().filter(|line| line.starts_with("--")).collect()
}

#[test]
fn an_applied_pip_compile_option_takes_effect() {
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    // `-p` is pip-compile's `--pre`; `--trusted-host` is written into the options block.
    let run = project.resolve(
        &server,
        &[
            "-p",
            "--trusted-host",
            "mirror.example",
            "--no-emit-index-url",
            "-o",
            "-",
            "requirements.in",
        ],
    );
    run.expect_code(0);
    assert_eq!(
        pins(&run.stdout),
        ["app==1.0", "lib==2.0b1"],
        "{}",
        run.stdout
    );
    assert_eq!(
        option_lines(&run.stdout),
        ["--trusted-host mirror.example"],
        "{}",
        run.stdout
    );
    let command = header_command(&run.stdout);
    assert!(
        command.contains(" --pre ") && command.contains(" --trusted-host=mirror.example "),
        "{command}"
    );
    assert!(
        run.stderr.lines().all(|line| !line.starts_with("warning")),
        "{}",
        run.stderr
    );

    // `--uploaded-prior-to` is `--exclude-newer` (this index gives no upload times, so both
    // leave nothing to choose from).
    let uploaded = |flag: &str| {
        let run = project.resolve(&server, &[flag, "2100-01-01", "-o", "-", "requirements.in"]);
        run.expect_code(1);
        run.stderr
    };
    assert_eq!(uploaded("--uploaded-prior-to"), uploaded("--exclude-newer"));
    // `--color` colours the log even into a pipe; `--no-color` never.
    let run = project.resolve(&server, &["--color", "-v", "-o", "-", "requirements.in"]);
    run.expect_code(0);
    assert!(run.stderr.contains('\u{1b}'), "{}", run.stderr);
    let run = project.resolve(&server, &["--no-color", "-v", "-o", "-", "requirements.in"]);
    run.expect_code(0);
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);

    // `--no-emit-trusted-host` leaves the line out, as pip-compile does.
    let run = project.resolve(
        &server,
        &[
            "--trusted-host",
            "mirror.example",
            "--no-emit-trusted-host",
            "--no-emit-index-url",
            "-o",
            "-",
            "requirements.in",
        ],
    );
    run.expect_code(0);
    assert!(option_lines(&run.stdout).is_empty(), "{}", run.stdout);
}

#[test]
fn an_ignored_pip_compile_option_prints_one_warning_and_changes_nothing() {
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let plain = project.resolve(&server, &["-o", "-", "requirements.in"]);
    plain.expect_code(0);
    // What Makefiles written for pip-compile carry; it used to exit 2.
    let run = project.resolve(
        &server,
        &[
            "--resolver=backtracking",
            "--max-rounds",
            "20",
            "--no-build-isolation",
            "-o",
            "-",
            "requirements.in",
        ],
    );
    run.expect_code(0);
    assert_eq!(run.stdout, plain.stdout);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.starts_with("warning: "))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: `--max-rounds` is ignored: pinwheel's resolver has no rounds",
            "warning: `--no-build-isolation` is ignored: pinwheel always builds in an isolated environment of its own",
            "warning: `--resolver` is ignored: pinwheel has its own resolver",
        ],
        "{}",
        run.stderr
    );
    // `-q` silences them.
    let quiet = project.resolve(
        &server,
        &["-q", "--resolver=legacy", "-o", "-", "requirements.in"],
    );
    quiet.expect_code(0);
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
}

#[test]
fn a_pip_compile_option_pinwheel_cannot_honour_is_an_error() {
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let run = project.resolve(&server, &["--all-build-deps", "requirements.in"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("`--all-build-deps` is not supported: pinwheel builds only to read metadata"),
        "{}",
        run.stderr
    );
    // `--pip-args` is ignored unless it carries options pip would resolve with.
    let run = project.resolve(
        &server,
        &["--pip-args", "--no-cache-dir --pre", "requirements.in"],
    );
    run.expect_code(2);
    assert!(run.stderr.contains("`--pre`"), "{}", run.stderr);
    assert!(server.requests().is_empty(), "{:#?}", server.requests());
    assert!(!project.path().join("requirements.txt").exists());

    // The same key in `.pip-tools.toml` is refused too: one table for both.
    project.write(
        ".pip-tools.toml",
        "[tool.pip-tools]\nall-build-deps = true\n",
    );
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("key `all-build-deps` is not supported"),
        "{}",
        run.stderr
    );
}

/// Runs the binary through a link named `pip-compile` in the project's `bin/`, with `args` and
/// the environment every test runs the binary in.
fn run_as_pip_compile(project: &Project, args: &[String]) -> Run {
    let bin = project.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let link = bin.join("pip-compile");
    if !link.exists() {
        #[cfg(unix)]
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_pinwheel"), &link).unwrap();
        #[cfg(not(unix))]
        std::fs::copy(env!("CARGO_BIN_EXE_pinwheel"), &link).unwrap();
    }
    let mut command = clean_command(&link, project.path());
    command.args(args);
    let output = command.output_bounded().unwrap();
    let mut run = Run::new(output, args);
    run.command = format!("pip-compile {}", args.join(" "));
    run
}

#[test]
fn invoked_as_pip_compile_the_binary_resolves_and_the_header_says_pip_compile() {
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let mut args = project.resolve_args(&server, &["--resolver=backtracking", "requirements.in"]);
    assert_eq!(args.remove(0), "resolve");
    let run = run_as_pip_compile(&project, &args);
    run.expect_code(0);
    assert!(
        run.stderr.contains("warning: `--resolver` is ignored"),
        "{}",
        run.stderr
    );
    let lock = project.read("requirements.txt");
    assert_eq!(pins(&lock), ["app==1.0", "lib==1.0"], "{lock}");
    let command = header_command(&lock);
    assert!(command.starts_with("pip-compile --index-url="), "{lock}");
    assert!(command.ends_with(" requirements.in"), "{lock}");
    assert!(!command.contains("resolver"), "{lock}");

    // Usage errors name the program as invoked.
    let run = run_as_pip_compile(&project, &["--no-such-flag".to_string()]);
    run.expect_code(2);
    assert!(run.stderr.contains("Usage: pip-compile "), "{}", run.stderr);
}

#[test]
fn pip_environment_variables_are_honoured_like_pip_index_url() {
    let main = index(packages(), ServerOptions::default());
    let extra = index(
        vec![TestPackage::new("private", "1.0")],
        ServerOptions::default(),
    );
    let project = Project::new();
    let wheels = project.path().join("wheels");
    std::fs::create_dir(&wheels).unwrap();
    let wheel = "app-1.0-py3-none-any.whl";
    std::fs::write(wheels.join(wheel), main.file_bytes(wheel).unwrap()).unwrap();
    project.write("requirements.in", "app\nprivate\n");
    let wheels = wheels.display().to_string();
    let extra_url = extra.index_url();
    let run = project.resolve_with_env(
        &main,
        &["-o", "-", "requirements.in"],
        &[
            ("PIP_EXTRA_INDEX_URL", &extra_url),
            ("PIP_FIND_LINKS", &wheels),
            ("PIP_PRE", "true"),
        ],
    );
    run.expect_code(0);
    // PIP_PRE: the beta; PIP_EXTRA_INDEX_URL: `private`, which only the extra index has.
    assert_eq!(
        pins(&run.stdout),
        ["app==1.0", "lib==2.0b1", "private==1.0"],
        "{}",
        run.stdout
    );
    let lines = option_lines(&run.stdout);
    assert_eq!(
        lines,
        [
            format!("--index-url {}", main.index_url()),
            format!("--extra-index-url {extra_url}"),
            format!("--find-links {wheels}"),
        ],
        "{}",
        run.stdout
    );
    // As in pip-compile, the header shows what was typed, not the environment.
    let command = header_command(&run.stdout);
    assert!(
        !command.contains("--pre")
            && !command.contains("find-links")
            && !command.contains("extra-index"),
        "{command}"
    );

    // PIP_INDEX_URL: the index when none is named; the options block shows it, the header not.
    let mut args = project.resolve_args(&main, &["-o", "-", "requirements.in"]);
    let at = args.iter().position(|arg| arg == "--index-url").unwrap();
    args.drain(at..at + 2);
    project.write("requirements.in", "app\n");
    let run = project.run_with_env(&args, &[("PIP_INDEX_URL", &main.index_url())]);
    run.expect_code(0);
    assert_eq!(
        pins(&run.stdout),
        ["app==1.0", "lib==1.0"],
        "{}",
        run.stdout
    );
    assert_eq!(
        option_lines(&run.stdout),
        [format!("--index-url {}", main.index_url())]
    );
    assert!(
        !header_command(&run.stdout).contains("index-url"),
        "{}",
        run.stdout
    );
    // A configured index beats it, as pip-compile passes the configuration to pip as flags.
    project.write(
        ".pip-tools.toml",
        &format!("[tool.pip-tools]\nindex-url = \"{}\"\n", main.index_url()),
    );
    let nowhere = "http://127.0.0.1:9/simple";
    let run = project.run_with_env(&args, &[("PIP_INDEX_URL", nowhere)]);
    run.expect_code(0);
    assert!(!run.stdout.contains(nowhere), "{}", run.stdout);
    // A password in PIP_EXTRA_INDEX_URL reaches the lock as `****`, like a typed one.
    let with_password = extra_url.replace("http://", "http://user:s3cret@");
    let run = project.run_with_env(&args, &[("PIP_EXTRA_INDEX_URL", &with_password)]);
    run.expect_code(0);
    assert!(!run.stdout.contains("s3cret"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("\n--extra-index-url http://user:****@127.0.0.1:"),
        "{}",
        run.stdout
    );
    std::fs::remove_file(project.path().join(".pip-tools.toml")).unwrap();
    project.write("requirements.in", "app\nprivate\n");

    // PIP_NO_INDEX: only the find-links directory, which has `app` but not `lib`.
    main.clear_requests();
    let run = project.resolve_with_env(
        &main,
        &["-o", "-", "requirements.in"],
        &[("PIP_NO_INDEX", "1"), ("PIP_FIND_LINKS", &wheels)],
    );
    run.expect_code(1);
    assert!(main.requests().is_empty(), "{:#?}", main.requests());
    assert!(run.stderr.contains("not found"), "{}", run.stderr);
}

/// A self-signed CA certificate (no key: nothing secret), made with `openssl req -x509`.
const TEST_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBjjCCATOgAwIBAgIUcMhdbZeTJxf2MLeCqB/IFAWNK+0wCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQcGlud2hlZWwgdGVzdCBDQTAgFw0yNjEyMDEyMDEyMjJaGA8y
MTI2MTEwNzIwMTIyMlowGzEZMBcGA1UEAwwQcGlud2hlZWwgdGVzdCBDQTBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABCq6GFNwOxim87oLhvaijRx7ndcm3xh87Lgr
8bsH3/oy7EsdCBLipEmqMJsCq1Z6vU92taMSatZk+2B14dCMSkqjUzBRMB0GA1Ud
DgQWBBQkuEWFmCSQNLA0c0irhrQjuznV5DAfBgNVHSMEGDAWgBQkuEWFmCSQNLA0
c0irhrQjuznV5DAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQDq
zTu88QOTwN6i1jUJ/X+WYk6P7iQW140BvSNITU/AHAIhALY0p6c5vRFYJ3810M78
pQccvt+gbZh4xQ+uvFVVWxZi
-----END CERTIFICATE-----
";

#[test]
fn cert_and_client_cert_files_are_read_and_unusable_ones_are_errors() {
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project.write("ca.pem", TEST_CA);
    project.write("junk.pem", "not a certificate\n");
    let run = project.resolve(&server, &["--cert", "ca.pem", "requirements.in"]);
    run.expect_code(0);
    let lock = project.read("requirements.txt");
    assert!(header_command(&lock).contains(" --cert=ca.pem "), "{lock}");

    for (flag, file, reason) in [
        ("--cert", "junk.pem", "it holds no PEM certificate"),
        (
            "--cert",
            "missing.pem",
            "cannot use the certificate file `missing.pem`",
        ),
        ("--client-cert", "ca.pem", "it holds no PEM private key"),
    ] {
        // The cache is warm: the files are checked even when no request is sent.
        server.clear_requests();
        let run = project.resolve(&server, &[flag, file, "requirements.in"]);
        run.expect_code(2);
        assert!(
            run.stderr
                .contains(&format!("cannot use the certificate file `{file}`"))
                && run.stderr.contains(reason),
            "{flag} {file}: {}",
            run.stderr
        );
        assert!(server.requests().is_empty(), "{:#?}", server.requests());
    }
}
