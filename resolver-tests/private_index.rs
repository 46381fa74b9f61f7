//! An index that demands HTTP Basic auth, with the credentials from a netrc file rather than
//! the URL: `NETRC` names the file, else `~/.netrc`; without credentials the 401 is an error
//! that names the index.

use crate::support::{ServerOptions, TestIndex};
use crate::{Project, pins, small_graph};

const USER: &str = "bob";
const PASSWORD: &str = "netrc-password";

fn private_index() -> TestIndex {
    TestIndex::start_with_basic_auth(small_graph(), ServerOptions::default(), USER, PASSWORD)
}

fn resolve(project: &Project, index: &TestIndex, env: &[(&str, &str)]) -> crate::Run {
    project.write("requirements.in", "app\n");
    let cache = project.cache_dir().display().to_string();
    let args: Vec<String> = [
        "resolve",
        "--python-platform",
        "x86_64-manylinux_2_28",
        "--cache-dir",
        &cache,
        "--index-url",
        &index.index_url(),
        "requirements.in",
        "-o",
        "requirements.txt",
    ]
    .iter()
    .map(|word| (*word).to_string())
    .collect();
    project.run_with_env(&args, env)
}

#[test]
fn the_netrc_file_named_by_netrc_gives_the_index_its_credentials() {
    let index = private_index();
    let project = Project::new();
    let netrc = project.write(
        "auth/netrc",
        &format!("machine elsewhere login x password y\nmachine 127.0.0.1\n  login {USER}\n  password {PASSWORD}\n"),
    );
    let run = resolve(&project, &index, &[("NETRC", &netrc.display().to_string())]);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr);
    let lock = std::fs::read_to_string(project.path().join("requirements.txt")).unwrap();
    assert!(!pins(&lock).is_empty(), "{lock}");
}

#[test]
fn the_home_netrc_is_read_when_netrc_is_unset() {
    let index = private_index();
    let project = Project::new();
    // The test runs the binary with HOME set to the project directory.
    project.write(
        ".netrc",
        &format!("default login {USER} password {PASSWORD}\n"),
    );
    let run = resolve(&project, &index, &[]);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr);
}

#[test]
fn without_credentials_the_401_names_the_index() {
    let index = private_index();
    let project = Project::new();
    project.write(".netrc", "machine other.example login u password p\n");
    let run = resolve(&project, &index, &[]);
    assert_eq!(run.output.status.code(), Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("401"), "{}", run.stderr);
    assert!(
        run.stderr.contains(index.index_url().trim_end_matches('/')),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("does not exist"), "{}", run.stderr);
}

/// A directory holding a `keyring` stub that prints `PASSWORD` for `get SERVICE bob` when
/// `SERVICE` is the index's `host:port` (the second name pip asks for), and logs each call.
fn keyring_stub(project: &Project, netloc: &str) -> std::path::PathBuf {
    let script = project.write(
        "bin/keyring",
        &format!(
            "#!/bin/sh\necho \"$@\" >> \"$(dirname \"$0\")/calls\"\n\
             if [ \"$1\" = get ] && [ \"$2\" = '{netloc}' ] && [ \"$3\" = {USER} ]; then\n\
             echo '{PASSWORD}'\nexit 0\nfi\nexit 1\n"
        ),
    );
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script.parent().unwrap().to_path_buf()
}

/// `PATH` with `dir` first.
fn path_with(dir: &std::path::Path) -> String {
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn keyring_subprocess_gives_a_user_name_its_password() {
    let index = private_index();
    let project = Project::new();
    let netloc = index.index_url();
    let netloc = netloc
        .trim_start_matches("http://")
        .trim_end_matches("/simple");
    let stub = keyring_stub(&project, netloc);
    let with_user = index
        .index_url()
        .replace("http://", &format!("http://{USER}@"));
    let path = path_with(&stub);
    project.write("requirements.in", "app\n");
    let cache = project.cache_dir().display().to_string();
    let run_with = |provider: Option<&str>, env: &[(&str, &str)]| {
        let mut args: Vec<String> = [
            "resolve",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--cache-dir",
            &cache,
            "--refresh",
            "--index-url",
            &with_user,
            "requirements.in",
            "-o",
            "requirements.txt",
        ]
        .iter()
        .map(|word| (*word).to_string())
        .collect();
        if let Some(provider) = provider {
            args.extend(["--keyring-provider".to_string(), provider.to_string()]);
        }
        project.run_with_env(&args, env)
    };
    let run = run_with(Some("subprocess"), &[("PATH", &path)]);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr);
    // Asked once for the run: the URL first, then host:port, which answered.
    let calls = std::fs::read_to_string(stub.join("calls")).unwrap();
    assert_eq!(calls.lines().count(), 2, "{calls}");
    assert!(
        calls.starts_with(&format!("get {} {USER}\n", index.index_url())),
        "{calls}"
    );
    // PIP_KEYRING_PROVIDER does the same; without a provider the keyring is not asked.
    let run = run_with(
        None,
        &[("PATH", &path), ("PIP_KEYRING_PROVIDER", "subprocess")],
    );
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr);
    let run = run_with(None, &[("PATH", &path)]);
    assert_eq!(run.output.status.code(), Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("401"), "{}", run.stderr);
    let calls = std::fs::read_to_string(stub.join("calls")).unwrap();
    assert_eq!(calls.lines().count(), 4, "{calls}");
}
