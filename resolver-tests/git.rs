//! Git requirements: a repository made with `git` in the test's directory, used as
//! `git+file://` and served by `git daemon` on 127.0.0.1 as `git+git://`. Tags pin their commit, a branch follows the branch, `#subdirectory=` finds a
//! project inside the repository, `-e git+…#egg=` is written as pip-compile writes it, an
//! abbreviated commit is locked in full, and a ref that does not exist fails naming the line.

use std::path::{Path, PathBuf};

use crate::support::bounded::Bounded as _;
use crate::support::{ServerOptions, stub_setuptools};
use crate::{Project, clean_command, index, pins, small_graph};

/// Runs `git ARGS` in `dir` (with an identity given on the command line: the test's `HOME` has
/// no configuration) and returns its stdout.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = clean_command("git", dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
        ])
        .args(args)
        .output_bounded()
        .unwrap_or_else(|error| panic!("git {args:?}: {error}"));
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn write(path: PathBuf, content: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn pyproject(name: &str, version: &str, dependencies: &[&str]) -> String {
    let dependencies = dependencies
        .iter()
        .map(|dependency| format!("\"{dependency}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"{name}\"\nversion = \"{version}\"\ndependencies = [{dependencies}]\n"
    )
}

/// A repository `repo/` in the project: `v1` (lightweight tag: pkg-demo 0.1.0 needing `leaf`),
/// `v2` (annotated tag: pkg-demo 0.2.0 needing `lib<1.5`, and `sub/` holding sub-demo 1.0),
/// `main` at `v2`. Returns its directory.
fn make_repository(project: &Project) -> PathBuf {
    let repo = project.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "--quiet"]);
    write(
        repo.join("pyproject.toml"),
        &pyproject("pkg-demo", "0.1.0", &["leaf"]),
    );
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "one"]);
    git(&repo, &["tag", "v1"]);
    write(
        repo.join("pyproject.toml"),
        &pyproject("pkg-demo", "0.2.0", &["lib<1.5"]),
    );
    write(
        repo.join("sub/pyproject.toml"),
        &pyproject("sub-demo", "1.0", &["leaf"]),
    );
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "two"]);
    git(&repo, &["tag", "-a", "v2", "-m", "version two"]);
    repo
}

fn commit_of(repo: &Path, rev: &str) -> String {
    git(repo, &["rev-parse", &format!("{rev}^{{commit}}")])
}

/// The `name==version` pins (not the git ones).
fn index_pins(lock: &str) -> Vec<String> {
    pins(lock)
        .into_iter()
        .filter(|pin| pin.contains("=="))
        .collect()
}

fn file_url(path: &Path) -> String {
    url::Url::from_file_path(path).unwrap().to_string()
}

#[test]
fn a_tag_pins_its_commit_and_a_branch_follows_the_branch() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let repo = make_repository(&project);
    let url = file_url(&repo);
    project.write("requirements.in", &format!("pkg-demo @ git+{url}@v1\n"));
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    let lock = project.read("requirements.txt");
    let v1 = commit_of(&repo, "v1");
    assert!(
        lock.contains(&format!(
            "\npkg-demo @ git+{url}@{v1}\n    # via -r requirements.in\n"
        )),
        "{lock}"
    );
    assert_eq!(index_pins(&lock), ["leaf==4.0"], "{lock}");
    // The checkout is kept by commit and reused; `--check` agrees with the lock.
    assert!(project.cache_dir().join("git-v1").join(&v1).is_dir());
    project
        .resolve(&server, &["--check", "requirements.in"])
        .expect_code(0);

    // An annotated tag names its commit, not the tag object.
    project.write("requirements.in", &format!("pkg-demo @ git+{url}@v2\n"));
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    let lock = project.read("requirements.txt");
    let v2 = commit_of(&repo, "v2");
    assert!(
        lock.contains(&format!("pkg-demo @ git+{url}@{v2}\n")),
        "{lock}"
    );
    assert_eq!(index_pins(&lock), ["lib==1.0"], "{lock}");

    // A branch follows the branch.
    project.write("requirements.in", &format!("pkg-demo @ git+{url}@main\n"));
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    assert!(
        project
            .read("requirements.txt")
            .contains(&format!("@{v2}\n"))
    );
    write(
        repo.join("pyproject.toml"),
        &pyproject("pkg-demo", "0.3.0", &["speedups"]),
    );
    git(&repo, &["commit", "--quiet", "-am", "three"]);
    let three = commit_of(&repo, "main");
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    let lock = project.read("requirements.txt");
    assert!(
        lock.contains(&format!("pkg-demo @ git+{url}@{three}\n")),
        "{lock}"
    );
    assert_eq!(index_pins(&lock), ["speedups==0.1"], "{lock}");

    // No ref: the remote's HEAD.
    project.write("requirements.in", &format!("pkg-demo @ git+{url}\n"));
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    assert!(
        project
            .read("requirements.txt")
            .contains(&format!("@{three}\n"))
    );
}

#[test]
fn an_abbreviated_commit_is_locked_in_full() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let repo = make_repository(&project);
    let url = file_url(&repo);
    let v1 = commit_of(&repo, "v1");
    project.write(
        "requirements.in",
        &format!("pkg-demo @ git+{url}@{}\n", &v1[..7]),
    );
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(0);
    let lock = project.read("requirements.txt");
    assert!(
        lock.contains(&format!("\npkg-demo @ git+{url}@{v1}\n")),
        "{lock}"
    );
    assert_eq!(index_pins(&lock), ["leaf==4.0"], "{lock}");
    project
        .resolve(&server, &["--check", "requirements.in"])
        .expect_code(0);

    // Hex digits that abbreviate no commit of the repository: the line is named.
    project.write(
        "requirements.in",
        "leaf\npkg-demo @ git+URL@0000000\n"
            .replace("URL", &url)
            .as_str(),
    );
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("requirements.in:2") && run.stderr.contains("`0000000`"),
        "{}",
        run.stderr
    );
}

#[test]
fn subdirectories_and_editables_are_written_at_their_commit() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let repo = make_repository(&project);
    let url = file_url(&repo);
    let v2 = commit_of(&repo, "v2");
    project.write(
        "requirements.in",
        &format!("sub-demo @ git+{url}@v2#subdirectory=sub\n-e git+{url}@v1#egg=pkg-demo\n"),
    );
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    let lock = project.read("requirements.txt");
    let v1 = commit_of(&repo, "v1");
    assert!(
        lock.contains(&format!("\n-e git+{url}@{v1}#egg=pkg-demo\n")),
        "{lock}"
    );
    assert!(
        lock.contains(&format!("\nsub-demo @ git+{url}@{v2}#subdirectory=sub\n")),
        "{lock}"
    );
    assert_eq!(index_pins(&lock), ["leaf==4.0"], "{lock}");
}

#[test]
fn a_missing_ref_or_a_foreign_vcs_fails_naming_the_line() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let repo = make_repository(&project);
    let url = file_url(&repo);
    project.write(
        "requirements.in",
        &format!("leaf\npkg-demo @ git+{url}@no-such-tag\n"),
    );
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(2);
    assert!(run.stderr.contains("requirements.in:2"), "{}", run.stderr);
    assert!(run.stderr.contains("`no-such-tag`"), "{}", run.stderr);

    // A repository that is not there: git's own error, still naming the line.
    let gone = file_url(&project.path().join("gone"));
    project.write("requirements.in", &format!("pkg-demo @ git+{gone}@v1\n"));
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(2);
    assert!(run.stderr.contains("requirements.in:1"), "{}", run.stderr);
    assert!(run.stderr.contains("git ls-remote"), "{}", run.stderr);

    // The line names another project than the repository holds.
    project.write("requirements.in", &format!("other @ git+{url}@v1\n"));
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(2);
    assert!(run.stderr.contains("`pkg-demo`"), "{}", run.stderr);

    project.write("requirements.in", "hg+https://h.example/repo#egg=foo\n");
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("hg requirements are not supported"),
        "{}",
        run.stderr
    );
}

/// `git daemon` serving one directory on 127.0.0.1, one `git daemon --inetd` process per
/// connection on a socket bound before the test uses it: nothing waits for a server to start.
struct GitDaemon {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    accepting: Option<std::thread::JoinHandle<()>>,
}

impl GitDaemon {
    fn serve(base: &Path) -> Self {
        use std::os::fd::OwnedFd;
        use std::sync::atomic::Ordering;

        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopping = stop.clone();
        let base = base.to_path_buf();
        let accepting = std::thread::spawn(move || {
            let mut children = Vec::new();
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let input = stream.try_clone().unwrap();
                let child = clean_command("git", &base)
                    .args([
                        "daemon",
                        "--inetd",
                        "--export-all",
                        &format!("--base-path={}", base.display()),
                    ])
                    .stdin(OwnedFd::from(input))
                    .stdout(OwnedFd::from(stream))
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .unwrap();
                children.push(child);
            }
            for mut child in children {
                let _ = child.kill();
                let _ = child.wait();
            }
        });
        Self {
            port,
            stop,
            accepting: Some(accepting),
        }
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wakes the accepting thread, which then sees the flag.
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accepting) = self.accepting.take() {
            let _ = accepting.join();
        }
    }
}

#[test]
fn a_repository_served_by_git_daemon_is_fetched_over_git_protocol() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let repo = make_repository(&project);
    let daemon = GitDaemon::serve(project.path());
    let url = format!("git://127.0.0.1:{}/repo", daemon.port);
    project.write(
        "requirements.in",
        &format!("pkg-demo @ git+{url}@v1\nsub-demo @ git+{url}@main#subdirectory=sub\n"),
    );
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    let lock = project.read("requirements.txt");
    let v1 = commit_of(&repo, "v1");
    let main = commit_of(&repo, "main");
    assert!(
        lock.contains(&format!("\npkg-demo @ git+{url}@{v1}\n")),
        "{lock}"
    );
    assert!(
        lock.contains(&format!("\nsub-demo @ git+{url}@{main}#subdirectory=sub\n")),
        "{lock}"
    );
    assert_eq!(index_pins(&lock), ["leaf==4.0"], "{lock}");

    project.write("requirements.in", &format!("pkg-demo @ git+{url}@v9\n"));
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(2);
    assert!(run.stderr.contains("requirements.in:1"), "{}", run.stderr);
    assert!(run.stderr.contains("`v9`"), "{}", run.stderr);
}

#[test]
fn with_hashes_a_git_pin_is_flagged_as_pip_refuses_it() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let repo = make_repository(&project);
    let url = file_url(&repo);
    project.write("requirements.in", &format!("pkg-demo @ git+{url}@v1\n"));
    let run = project.resolve(&server, &["--generate-hashes", "requirements.in"]);
    run.expect_code(0);
    assert!(
        run.stderr.contains(
            "`pkg-demo` is a git requirement: pip refuses VCS requirements in hash-checking mode"
        ),
        "{}",
        run.stderr
    );
    let lock = project.read("requirements.txt");
    let v1 = commit_of(&repo, "v1");
    assert!(
        lock.contains(&format!(
            "# WARNING: pip refuses VCS requirements in hash-checking mode (--require-hashes),\n# so the following git pin cannot be installed from this file with hashes.\npkg-demo @ git+{url}@{v1}\n"
        )),
        "{lock}"
    );
}

#[test]
fn check_does_not_check_a_git_pin_and_download_says_it_cannot_download_it() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let repo = make_repository(&project);
    let url = file_url(&repo);
    project.write("requirements.in", &format!("pkg-demo @ git+{url}@v1\n"));
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);

    let run = project.check(
        &server,
        &[
            "--python-version",
            "3.12",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--format",
            "json",
            "requirements.txt",
        ],
    );
    run.expect_code(0);
    assert!(run.stdout.contains("\"status\": \"vcs\""), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("git repository, not checked against an index"),
        "{}",
        run.stdout
    );

    let run = project.download("requirements.txt", "dist", &[]);
    run.expect_code(0);
    assert!(
        run.stderr.contains(&format!(
            "Not downloadable: pkg-demo @ git+{url}@{}: a git requirement has no distribution file",
            commit_of(&repo, "v1")
        )),
        "{}",
        run.stderr
    );
    assert!(
        project
            .path()
            .join("dist/leaf-4.0-py3-none-any.whl")
            .is_file()
    );
}

#[test]
fn an_editable_git_pin_is_a_vcs_pin_to_check_and_download() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let repo = make_repository(&project);
    let url = file_url(&repo);
    project.write(
        "requirements.in",
        &format!("-e git+{url}@v1#egg=pkg-demo\n"),
    );
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    let v1 = commit_of(&repo, "v1");
    let lock = project.read("requirements.txt");
    assert!(
        lock.contains(&format!("\n-e git+{url}@{v1}#egg=pkg-demo\n")),
        "{lock}"
    );

    let run = project.check(
        &server,
        &[
            "--python-version",
            "3.12",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--format",
            "json",
            "requirements.txt",
        ],
    );
    run.expect_code(0);
    assert!(
        run.stdout.contains("\"status\": \"vcs\"")
            && run
                .stdout
                .contains("git repository, not checked against an index"),
        "{}",
        run.stdout
    );

    let run = project.download("requirements.txt", "dist", &[]);
    run.expect_code(0);
    assert!(
        run.stderr.contains(&format!(
            "Not downloadable: pkg-demo @ git+{url}@{v1}: a git requirement has no distribution file"
        )),
        "{}",
        run.stderr
    );
    assert!(
        project
            .path()
            .join("dist/leaf-4.0-py3-none-any.whl")
            .is_file()
    );
}

#[test]
fn the_json_output_gives_a_git_pin_no_path() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let repo = make_repository(&project);
    let url = file_url(&repo).replacen("file://", "file://user:s3cret@", 1);
    project.write("requirements.in", &format!("pkg-demo @ git+{url}@v1\n"));
    // `file://user:pw@` is no local path for git, so this only gets as far as the error, which
    // must not show the password either.
    let run = project.resolve(
        &server,
        &["--format", "json", "-o", "lock.json", "requirements.in"],
    );
    assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);

    let url = file_url(&repo);
    project.write("requirements.in", &format!("pkg-demo @ git+{url}@v1\n"));
    project
        .resolve(
            &server,
            &["--format", "json", "-o", "lock.json", "requirements.in"],
        )
        .expect_code(0);
    let json: serde_json::Value = serde_json::from_str(&project.read("lock.json")).unwrap();
    let pins = json["pins"].as_array().unwrap();
    let pin = pins.iter().find(|pin| pin["name"] == "pkg-demo").unwrap();
    assert!(pin["path"].is_null(), "{pin}");
}

#[test]
fn a_setup_py_only_checkout_gets_its_dependencies_through_a_build() {
    let Some(python) =
        crate::builds::python("a_setup_py_only_checkout_gets_its_dependencies_through_a_build")
    else {
        return;
    };
    let mut packages = small_graph();
    packages.push(stub_setuptools());
    let server = index(packages, ServerOptions::default());
    let project = Project::new();
    let repo = project.path().join("legacy");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "--quiet"]);
    write(
        repo.join("setup.py"),
        "from setuptools import setup\nsetup(name='legacy', version=open('VERSION').read().strip(), install_requires=open('requirements.txt').read().split())\n",
    );
    write(repo.join("VERSION"), "3.1\n");
    write(repo.join("requirements.txt"), "lib<1.5\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "one"]);
    project.write(
        "requirements.in",
        &format!("leaf\nlegacy @ git+{}\n", file_url(&repo)),
    );
    let python = python.display().to_string();
    let run = project.resolve(&server, &["--python", &python, "-v", "requirements.in"]);
    run.expect_code(0);
    let lock = project.read("requirements.txt");
    assert_eq!(index_pins(&lock), ["leaf==4.0", "lib==1.0"], "{lock}");
    assert!(lock.contains("# via legacy"), "{lock}");
    assert!(run.stderr.contains("building legacy"), "{}", run.stderr);

    // The checkout cannot change: its build is cached by commit.
    let warm = project.resolve(&server, &["--python", &python, "-v", "requirements.in"]);
    warm.expect_code(0);
    assert!(!warm.stderr.contains("building legacy"), "{}", warm.stderr);
    assert_eq!(project.read("requirements.txt"), lock);

    // Without builds, the line is named, as before.
    project.write("nobuild.in", &format!("legacy @ git+{}\n", file_url(&repo)));
    let run = project.resolve(&server, &["--no-build", "nobuild.in"]);
    run.expect_code(2);
    assert!(run.stderr.contains("nobuild.in:1"), "{}", run.stderr);
    assert!(
        run.stderr.contains("no statically readable project"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_full_commit_is_fetched_even_where_the_server_refuses_fetching_it_by_id() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let repo = make_repository(&project);
    // An untagged commit behind the branch's tip, which protocol v0 servers refuse to hand out
    // by id: the shallow fetch fails and the fetch of every ref finds it.
    write(
        repo.join("pyproject.toml"),
        &pyproject("pkg-demo", "0.3.0", &["speedups"]),
    );
    git(&repo, &["commit", "--quiet", "-am", "three"]);
    let three = commit_of(&repo, "main");
    write(
        repo.join("pyproject.toml"),
        &pyproject("pkg-demo", "0.4.0", &[]),
    );
    git(&repo, &["commit", "--quiet", "-am", "four"]);
    // `HOME` is the project directory: this is the configuration the binary's git reads.
    project.write(".gitconfig", "[protocol]\n\tversion = 0\n");
    let url = file_url(&repo);
    project.write(
        "requirements.in",
        &format!("pkg-demo @ git+{url}@{three}\n"),
    );
    let run = project.resolve(&server, &["-vv", "requirements.in"]);
    run.expect_code(0);
    assert!(run.stderr.contains("fetching every ref"), "{}", run.stderr);
    let lock = project.read("requirements.txt");
    assert!(
        lock.contains(&format!("pkg-demo @ git+{url}@{three}\n")),
        "{lock}"
    );
    assert_eq!(index_pins(&lock), ["speedups==0.1"], "{lock}");
}

#[test]
fn without_git_on_path_the_line_is_named() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    project.write(
        "requirements.in",
        "pkg-demo @ git+https://h.invalid/repo@v1\n",
    );
    let run = project.resolve_with_env(&server, &["requirements.in"], &[("PATH", "/nonexistent")]);
    run.expect_code(2);
    assert!(run.stderr.contains("requirements.in:1"), "{}", run.stderr);
    assert!(run.stderr.contains("cannot run `git`"), "{}", run.stderr);
}

/// A repository URL with credentials in it: `git daemon` cannot be given any (git refuses a
/// user name in a `git://` URL), so the test's `~/.gitconfig` rewrites an `https://` URL with
/// credentials to the daemon's, as a user's `insteadOf` would. The binary still sees, parses
/// and writes the `https://` URL as written.
#[test]
fn git_credentials_written_as_references_stay_references_and_literal_ones_are_hidden() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    let repo = make_repository(&project);
    let daemon = GitDaemon::serve(project.path());
    project.write(
        ".gitconfig",
        &format!(
            "[url \"git://127.0.0.1:{}/\"]\n\tinsteadOf = https://me:s3cr3t@git.example/\n",
            daemon.port
        ),
    );
    let written = "https://${GIT_USER}:${GIT_TOKEN}@git.example/repo";
    project.write(
        "requirements.in",
        &format!(
            "sub-demo @ git+{written}@v2#subdirectory=sub\n-e git+{written}@v1#egg=pkg-demo\n"
        ),
    );
    let env = [("GIT_USER", "me"), ("GIT_TOKEN", "s3cr3t")];
    let run = project.resolve_with_env(&server, &["requirements.in"], &env);
    run.expect_code(0);
    let lock = project.read("requirements.txt");
    let (v1, v2) = (commit_of(&repo, "v1"), commit_of(&repo, "v2"));
    assert!(
        lock.contains(&format!("\n-e git+{written}@{v1}#egg=pkg-demo\n")),
        "{lock}"
    );
    assert!(
        lock.contains(&format!(
            "\nsub-demo @ git+{written}@{v2}#subdirectory=sub\n"
        )),
        "{lock}"
    );
    assert!(!lock.contains("s3cr3t"), "{lock}");
    assert!(!run.stderr.contains("****"), "{}", run.stderr);

    // A literal password is hidden, and the run says so once.
    project.write(
        "requirements.in",
        "pkg-demo @ git+https://me:s3cr3t@git.example/repo@v1\n",
    );
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(0);
    let lock = project.read("requirements.txt");
    assert!(
        lock.contains(&format!(
            "\npkg-demo @ git+https://me:****@git.example/repo@{v1}\n"
        )),
        "{lock}"
    );
    assert!(!lock.contains("s3cr3t"), "{lock}");
    assert!(!run.stderr.contains("s3cr3t"), "{}", run.stderr);
    assert_eq!(
        run.stderr
            .matches("the password of a URL is written as `****`")
            .count(),
        1,
        "{}",
        run.stderr
    );
}
