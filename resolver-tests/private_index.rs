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
    // Five pages asked for at once, each answered 401 until the keyring has been asked.
    project.write("requirements.in", "app\nlib\nleaf\nopt\nspeedups\n");
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
    // Asked once for the run, however many requests got a 401: the URL first, then host:port,
    // which answered.
    let calls = std::fs::read_to_string(stub.join("calls")).unwrap();
    assert_eq!(calls.lines().count(), 2, "{calls}");
    assert!(
        calls.starts_with(&format!("get {} {USER}\n", index.index_url())),
        "{calls}"
    );
    // The header's command line says so, as it says every option that was given.
    let header = || project.read("requirements.txt");
    assert!(
        header().contains(" --keyring-provider=subprocess "),
        "{}",
        header()
    );
    // PIP_KEYRING_PROVIDER does the same, and is left out of the header as pip-compile leaves
    // pip's variables out; without a provider the keyring is not asked.
    let run = run_with(
        None,
        &[("PATH", &path), ("PIP_KEYRING_PROVIDER", "subprocess")],
    );
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr);
    assert!(!header().contains("keyring"), "{}", header());
    let run = run_with(None, &[("PATH", &path)]);
    assert_eq!(run.output.status.code(), Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("401"), "{}", run.stderr);
    let calls = std::fs::read_to_string(stub.join("calls")).unwrap();
    assert_eq!(calls.lines().count(), 4, "{calls}");
    // The configuration sets it too, and the header shows it, as it shows configured options.
    project.write(
        "pyproject.toml",
        "[tool.pinwheel]\nkeyring-provider = \"subprocess\"\n",
    );
    let run = run_with(None, &[("PATH", &path)]);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr);
    assert!(
        header().contains(" --keyring-provider=subprocess "),
        "{}",
        header()
    );
}

#[test]
fn an_index_that_asks_for_no_password_runs_no_keyring() {
    // pip asks the keyring after a 401 only: an index that lets the user name in alone (or
    // asks for nothing) never runs the command.
    let index = TestIndex::start(small_graph(), ServerOptions::default());
    let project = Project::new();
    let netloc = index.index_url();
    let netloc = netloc
        .trim_start_matches("http://")
        .trim_end_matches("/simple");
    let stub = keyring_stub(&project, netloc);
    let with_user = index
        .index_url()
        .replace("http://", &format!("http://{USER}@"));
    project.write("requirements.in", "app\n");
    let cache = project.cache_dir().display().to_string();
    let args: Vec<String> = [
        "resolve",
        "--python-platform",
        "x86_64-manylinux_2_28",
        "--cache-dir",
        &cache,
        "--keyring-provider",
        "subprocess",
        "--index-url",
        &with_user,
        "requirements.in",
        "-o",
        "requirements.txt",
    ]
    .iter()
    .map(|word| (*word).to_string())
    .collect();
    let run = project.run_with_env(&args, &[("PATH", &path_with(&stub))]);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr);
    assert!(
        !stub.join("calls").exists(),
        "the keyring was asked: {}",
        std::fs::read_to_string(stub.join("calls")).unwrap_or_default()
    );
}

/// A raw HTTP server on 127.0.0.1 that answers every request with `answer` and sends the
/// head of each request it got to the returned channel. Its thread ends with the process.
fn raw_server(
    answer: impl Fn() -> String + Send + 'static,
) -> (u16, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let _ = sender.send(head);
            let _ = stream.write_all(answer().as_bytes());
        }
    });
    (port, receiver)
}

#[test]
fn credentials_do_not_follow_a_redirect_to_another_origin() {
    let (elsewhere, heads) = raw_server(|| {
        "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_string()
    });
    let (redirector, redirected) = raw_server(move || {
        format!(
            "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{elsewhere}/simple/app/\r\n\
             content-length: 0\r\nconnection: close\r\n\r\n"
        )
    });
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let cache = project.cache_dir().display().to_string();
    let index = format!("http://{USER}:{PASSWORD}@127.0.0.1:{redirector}/simple/");
    let args: Vec<String> = [
        "resolve",
        "--python-platform",
        "x86_64-manylinux_2_28",
        "--cache-dir",
        &cache,
        "--index-url",
        &index,
        "requirements.in",
        "-o",
        "requirements.txt",
    ]
    .iter()
    .map(|word| (*word).to_string())
    .collect();
    let run = project.run_with_env(&args, &[]);
    assert_ne!(run.output.status.code(), Some(0), "{}", run.stderr);
    // The redirecting origin got the credentials; the one redirected to did not.
    let first = redirected.try_recv().expect("the index was asked");
    assert!(
        first.to_ascii_lowercase().contains("authorization: basic"),
        "{first}"
    );
    let heads: Vec<String> = heads.try_iter().collect();
    assert!(
        !heads.is_empty(),
        "the redirect was not followed: {}",
        run.stderr
    );
    for head in heads {
        assert!(
            !head.to_ascii_lowercase().contains("authorization"),
            "{head}"
        );
    }
}
