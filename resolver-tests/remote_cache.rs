//! `--remote-cache` (#17, point 1) against real servers: a Redis (`PINWHEEL_TEST_REDIS`, a
//! `redis://` URL) and an S3-compatible store (`PINWHEEL_TEST_S3`, an `s3://` URL), which
//! `.ci/run` starts on 127.0.0.1 (`redis-server` from Debian, SeaweedFS from PyPI), and a
//! shared directory (`file://`), which needs nothing. Without a server's variable its tests
//! say `SKIPPED`, which fails CI.
//!
//! Every test locks packages of a name of its own, so what another test (or an earlier run
//! against the same server) stored cannot answer for it: entries are keyed by the files' sha256.

use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::support::skips::skip;
use crate::support::{ServerOptions, TestIndex, TestPackage};
use crate::{Project, index};

/// A name no other test or run uses: the process, the time and a counter.
fn unique(stem: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    format!(
        "{stem}-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Four packages of names of their own, `top` requiring the three others.
fn packages(stem: &str) -> (Vec<TestPackage>, String) {
    let name = unique(stem);
    let deps: Vec<String> = (0..3).map(|index| format!("{name}-dep{index}")).collect();
    let mut packages = vec![
        TestPackage::new(&format!("{name}-top"), "1.0")
            .requires(&deps.iter().map(String::as_str).collect::<Vec<_>>()),
    ];
    packages.extend(deps.iter().map(|dep| TestPackage::new(dep, "1.0")));
    (packages, format!("{name}-top\n"))
}

/// The metadata requests (`.metadata` files and range reads of wheels) the index saw.
fn metadata_requests(server: &TestIndex) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .filter(|request| request.contains(".metadata") || request.contains("bytes="))
        .collect()
}

/// A remote: its URL, and the environment a runner needs for it (S3 credentials).
struct Remote {
    url: String,
    env: Vec<(&'static str, String)>,
}

impl Remote {
    fn plain(url: String) -> Self {
        Self {
            url,
            env: Vec::new(),
        }
    }
}

/// One runner: its own project and local cache, the remote, `extra` flags.
fn runner(
    server: &TestIndex,
    input: &str,
    remote: &Remote,
    extra: &[&str],
) -> (crate::Run, String) {
    let project = Project::new();
    project.write("requirements.in", input);
    let mut args = vec!["requirements.in", "--remote-cache", &remote.url];
    args.extend_from_slice(extra);
    let env: Vec<(&str, &str)> = remote
        .env
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let run = project.resolve_with_env(server, &args, &env);
    run.expect_code(0);
    let lock = project.read("requirements.txt");
    // No credential of the remote reaches the lock, the log or the local cache.
    for (_, value) in remote
        .env
        .iter()
        .filter(|(name, _)| name.contains("SECRET"))
    {
        assert!(!run.stderr.contains(value.as_str()), "{}", run.stderr);
        assert!(!lock.contains(value.as_str()));
        for file in crate::files_under(&project.cache_dir()) {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(
                !bytes
                    .windows(value.len())
                    .any(|window| window == value.as_bytes()),
                "{}",
                file.display()
            );
        }
    }
    (run, lock)
}

/// The second runner finds in the remote what the first fetched: the first left the manifest
/// of its reads (4 pages, 4 metadata), the second fetches it and everything it names in one
/// burst, asks the index for nothing, and writes the same lock.
fn assert_shared(remote: &Remote) {
    let (packages, input) = packages("shared");
    let server = index(packages, ServerOptions::default());
    let (_, first) = runner(&server, &input, remote, &[]);
    assert_eq!(
        metadata_requests(&server).len(),
        4,
        "{:?}",
        server.requests()
    );
    server.clear_requests();
    let (second, lock) = runner(&server, &input, remote, &["-vv"]);
    assert_eq!(lock, first);
    assert!(
        server.requests().is_empty(),
        "{:?}\n{}",
        server.requests(),
        second.stderr
    );
    assert!(
        second
            .stderr
            .contains("the manifest names 8 entries; 8 of the 8 not held locally fetched"),
        "{}",
        second.stderr
    );
    assert!(
        second
            .stderr
            .contains(": 9 hits, 0 misses (0 damaged), 0 errors, 0 writes"),
        "{}",
        second.stderr
    );
}

/// With `--remote-cache-pages false` pages stay local: the second runner asks the index for
/// its pages, and for no metadata.
fn assert_pages_stay_local(remote: &Remote) {
    let (packages, input) = packages("local-pages");
    let server = index(packages, ServerOptions::default());
    let flags = ["--remote-cache-pages", "false"];
    let (_, first) = runner(&server, &input, remote, &flags);
    server.clear_requests();
    let (second, lock) = runner(&server, &input, remote, &flags);
    assert_eq!(lock, first);
    let requests = server.requests();
    assert!(metadata_requests(&server).is_empty(), "{requests:?}");
    assert_eq!(requests.len(), 4, "{requests:?}\n{}", second.stderr);
}

/// A read-only runner stores nothing: the next runner fetches every metadata again.
fn assert_read_only_writes_nothing(remote: &Remote) {
    let (packages, input) = packages("read-only");
    let server = index(packages, ServerOptions::default());
    runner(
        &server,
        &input,
        remote,
        &["--remote-cache-mode", "read-only"],
    );
    server.clear_requests();
    runner(&server, &input, remote, &[]);
    assert_eq!(
        metadata_requests(&server).len(),
        4,
        "{:?}",
        server.requests()
    );
}

fn server_url(variable: &str, test: &str) -> Option<String> {
    let url = std::env::var(variable).ok().filter(|url| !url.is_empty());
    if url.is_none() {
        skip(
            test,
            &format!("{variable} names no server (.ci/run starts one)"),
        );
    }
    url
}

fn shared_directory(dir: &Path) -> String {
    format!("file://{}", dir.display())
}

#[test]
fn runners_share_metadata_through_redis() {
    if let Some(url) = server_url(
        "PINWHEEL_TEST_REDIS",
        "runners_share_metadata_through_redis",
    ) {
        let remote = Remote::plain(url);
        assert_shared(&remote);
        assert_read_only_writes_nothing(&remote);
    }
}

#[test]
fn runners_share_metadata_through_s3() {
    if let Some(url) = server_url("PINWHEEL_TEST_S3", "runners_share_metadata_through_s3") {
        // Signed with the credentials `.ci/run` gave the server, from the AWS environment;
        // a server without them (`anonymous=true` in the URL) needs none.
        let credential = |name: &str| std::env::var(name).unwrap_or_default();
        let remote = Remote {
            url,
            env: vec![
                ("AWS_ACCESS_KEY_ID", credential("PINWHEEL_TEST_S3_KEY_ID")),
                (
                    "AWS_SECRET_ACCESS_KEY",
                    credential("PINWHEEL_TEST_S3_SECRET"),
                ),
            ],
        };
        assert_shared(&remote);
        assert_read_only_writes_nothing(&remote);
    }
}

#[test]
fn runners_share_metadata_through_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let remote = Remote::plain(shared_directory(dir.path()));
    assert_shared(&remote);
    assert_read_only_writes_nothing(&remote);
    assert_pages_stay_local(&remote);
}

#[test]
fn a_damaged_remote_entry_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let remote = Remote::plain(shared_directory(dir.path()));
    let (packages, input) = packages("damaged");
    let server = index(packages, ServerOptions::default());
    let (_, first) = runner(&server, &input, &remote, &[]);
    // 4 pages, 4 metadata and the manifest.
    let files = crate::files_under(dir.path());
    assert_eq!(files.len(), 9, "{files:?}");
    for file in &files {
        let mut bytes = std::fs::read(file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        std::fs::write(file, bytes).unwrap();
    }
    server.clear_requests();
    let (second, lock) = runner(&server, &input, &remote, &["-v"]);
    assert_eq!(lock, first);
    assert_eq!(
        metadata_requests(&server).len(),
        4,
        "{:?}",
        server.requests()
    );
    assert!(
        second.stderr.contains("0 hits, 9 misses (9 damaged)"),
        "{}",
        second.stderr
    );
}

/// A remote that cannot help leaves the resolve as it would be without one, with one warning.
fn assert_harmless(url: &str) {
    let (packages, input) = packages("dead");
    let server = index(packages, ServerOptions::default());
    let (run, lock) = runner(&server, &input, &Remote::plain(url.to_string()), &[]);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains("going on without it"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    let project = Project::new();
    project.write("requirements.in", &input);
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    assert_eq!(lock, project.read("requirements.txt"));
}

#[test]
fn a_dead_port_trips_the_breaker_and_the_resolve_is_unchanged() {
    // Bound, then closed: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    assert_harmless(&format!("redis://127.0.0.1:{port}"));
}

#[test]
fn a_server_that_never_answers_trips_the_breaker_and_the_resolve_is_unchanged() {
    // Accepts connections and never writes a byte; the sockets are kept open until the end.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    assert_harmless(&format!("redis://127.0.0.1:{port}"));
    assert_harmless(&format!(
        "s3://bucket/prefix?endpoint=http://127.0.0.1:{port}&anonymous=true"
    ));
}

#[test]
fn a_password_in_the_remote_url_is_never_shown() {
    let (packages, input) = packages("secret");
    let server = index(packages, ServerOptions::default());
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (run, lock) = runner(
        &server,
        &input,
        &Remote::plain(format!("redis://:canary-pw-1729@127.0.0.1:{port}")),
        &["-vv"],
    );
    assert!(!run.stderr.contains("canary-pw-1729"), "{}", run.stderr);
    assert!(!lock.contains("canary-pw-1729"), "{lock}");
    assert!(run.stderr.contains(":****@127.0.0.1"), "{}", run.stderr);
}
