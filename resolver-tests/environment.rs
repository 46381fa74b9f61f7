//! The test helper's environment: every test runs the binary in an environment it builds itself,
//! so a variable exported on the host (a developer's shell, CI, this machine) cannot change what
//! a test sees. The test below re-runs itself with a hostile environment and checks that none of
//! it reaches the binary.

use crate::support::ServerOptions;
use crate::support::bounded::Bounded as _;
use crate::{Project, index, pins, small_graph};

/// Set in the re-run test process, so the test knows it is the child.
const CHILD: &str = "PINWHEEL_TEST_HOSTILE_HOST_CHILD";

/// Variables that each change the binary's behaviour if they reach it.
const HOSTILE: &[(&str, &str)] = &[
    // Every cached page stale: a warm run would send requests.
    ("PINWHEEL_CACHE_TTL", "0"),
    // Another cache: the warm run would find nothing.
    ("PINWHEEL_CACHE_DIR", "/nonexistent/pinwheel-cache"),
    // Would land in the lock's options block.
    ("PIP_FIND_LINKS", "/nonexistent/wheels"),
    ("PIP_EXTRA_INDEX_URL", "http://127.0.0.1:9/simple/"),
    // Logs on stderr despite `-q`.
    ("RUST_LOG", "trace"),
    // Requests through a proxy that does not exist.
    ("HTTP_PROXY", "http://127.0.0.1:9"),
    ("http_proxy", "http://127.0.0.1:9"),
    ("ALL_PROXY", "http://127.0.0.1:9"),
    ("CUSTOM_COMPILE_COMMAND", "make hostile"),
];

#[test]
fn a_hostile_host_environment_does_not_reach_the_binary() {
    if std::env::var_os(CHILD).is_some() {
        warm_quiet_resolve_ignores_the_host();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let output = std::process::Command::new(exe)
        .args([
            "--exact",
            "environment::a_hostile_host_environment_does_not_reach_the_binary",
            "--nocapture",
        ])
        .envs(HOSTILE.iter().copied())
        .env(CHILD, "1")
        .output_bounded()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the test, re-run with {HOSTILE:?}, failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs in the child, whose own environment holds [`HOSTILE`].
fn warm_quiet_resolve_ignores_the_host() {
    let server = index(small_graph(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project
        .resolve(&server, &["-q", "requirements.in"])
        .expect_code(0);
    server.clear_requests();
    let warm = project.resolve(&server, &["-q", "-o", "warm.txt", "requirements.in"]);
    warm.expect_code(0);
    assert_eq!(warm.stderr, "", "`-q` prints nothing");
    assert_eq!(
        server.requests(),
        Vec::<String>::new(),
        "a warm run sends nothing"
    );
    let lock = project.read("warm.txt");
    assert!(
        !lock.contains("find-links") && !lock.contains("extra-index-url"),
        "{lock}"
    );
    assert!(!lock.contains("make hostile"), "{lock}");
    assert_eq!(pins(&lock).len(), 6, "{lock}");
}
