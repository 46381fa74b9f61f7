//! An index served over HTTPS with a certificate from a CA made by the test: `--cert` makes it
//! trusted (without it the handshake fails at once, as the CA is in no system store, and is not
//! retried), `--trusted-host` skips the check for that host alone, and an index that demands a
//! client certificate is reached only with `--client-cert`.

use crate::support::{ClientAuth, ServerOptions, TestIndex, TestPki};
use crate::{Project, pins, small_graph};

fn tls_index(pki: &TestPki, client_auth: ClientAuth) -> TestIndex {
    TestIndex::start_tls(
        small_graph(),
        ServerOptions::default(),
        pki.server_config(client_auth),
    )
}

fn project_with_files(pki: &TestPki) -> Project {
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project.write("ca.pem", &pki.ca_pem());
    project.write("client.pem", &pki.client_pem());
    project
}

#[test]
fn a_tls_index_signed_by_a_private_ca_is_trusted_with_cert_only() {
    let pki = TestPki::new();
    let index = tls_index(&pki, ClientAuth::None);
    assert!(index.index_url().starts_with("https://127.0.0.1:"));
    let project = project_with_files(&pki);

    let run = project.resolve(&index, &["requirements.in"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains(&index.index_url()) && run.stderr.contains("certificate"),
        "{}",
        run.stderr
    );
    assert!(!project.path().join("requirements.txt").exists());

    let run = project.resolve(&index, &["--cert", "ca.pem", "requirements.in"]);
    run.expect_code(0);
    let lock = project.read("requirements.txt");
    assert!(!pins(&lock).is_empty(), "{lock}");
    assert!(
        index
            .requests()
            .iter()
            .any(|r| r.starts_with("GET /files/")),
        "{:#?}",
        index.requests()
    );
}

#[test]
fn an_index_that_demands_a_client_certificate_is_reached_with_client_cert() {
    let pki = TestPki::new();
    let index = tls_index(&pki, ClientAuth::Required);
    let project = project_with_files(&pki);

    let run = project.resolve(&index, &["--cert", "ca.pem", "requirements.in"]);
    run.expect_code(2);
    assert!(run.stderr.contains(&index.index_url()), "{}", run.stderr);
    assert!(index.requests().is_empty(), "{:#?}", index.requests());

    let run = project.resolve(
        &index,
        &[
            "--cert",
            "ca.pem",
            "--client-cert",
            "client.pem",
            "requirements.in",
        ],
    );
    run.expect_code(0);
    let lock = project.read("requirements.txt");
    assert!(!pins(&lock).is_empty(), "{lock}");
}

#[test]
fn an_untrusted_certificate_fails_at_once_naming_both_ways_out() {
    let pki = TestPki::new();
    let index = tls_index(&pki, ClientAuth::None);
    let project = project_with_files(&pki);

    let run = project.resolve(&index, &["requirements.in"]);
    run.expect_code(2);
    // The error says it once, in pinwheel's words.
    assert!(!run.stderr.contains("ERROR"), "{}", run.stderr);
    // One handshake: a certificate that was refused once is refused again, so no retry.
    assert_eq!(index.tls_handshakes(), 1, "{}", run.stderr);
    let port = index.index_url();
    let port = port
        .trim_start_matches("https://127.0.0.1:")
        .trim_end_matches("/simple");
    assert!(
        run.stderr.contains("not trusted")
            && run.stderr.contains("--cert")
            && run
                .stderr
                .contains(&format!("--trusted-host 127.0.0.1:{port}")),
        "{}",
        run.stderr
    );
}

#[test]
fn trusted_host_skips_the_check_for_that_host_only() {
    let pki = TestPki::new();
    let index = tls_index(&pki, ClientAuth::None);
    let project = project_with_files(&pki);
    let url = index.index_url();
    let port = url
        .trim_start_matches("https://127.0.0.1:")
        .trim_end_matches("/simple");

    // Another host (the certificate names localhost too) or another port: still checked.
    for other in ["localhost", "127.0.0.1:1"] {
        let run = project.resolve(&index, &["--trusted-host", other, "requirements.in"]);
        run.expect_code(2);
        assert!(run.stderr.contains("not trusted"), "{}", run.stderr);
    }
    assert!(!project.path().join("requirements.txt").exists());

    // The host, with or without its port, and from pip's variable: no `--cert` needed.
    let with_port = format!("127.0.0.1:{port}");
    for trusted in ["127.0.0.1", with_port.as_str()] {
        let run = project.resolve(
            &index,
            &["--trusted-host", trusted, "--refresh", "requirements.in"],
        );
        run.expect_code(0);
        // Not even the platform verifier's log line: the certificate is not checked at all.
        assert!(
            run.stderr
                .lines()
                .all(|line| !line.starts_with("warning") && !line.starts_with("ERROR")),
            "{}",
            run.stderr
        );
        let lock = project.read("requirements.txt");
        assert!(!pins(&lock).is_empty(), "{lock}");
        // Written into the options block, as pip-compile's `--emit-trusted-host` does.
        assert!(
            lock.lines()
                .any(|line| line == format!("--trusted-host {trusted}")),
            "{lock}"
        );
    }
    let run = project.resolve_with_env(
        &index,
        &["--refresh", "requirements.in"],
        &[("PIP_TRUSTED_HOST", "elsewhere.example 127.0.0.1")],
    );
    run.expect_code(0);
    assert!(
        index
            .requests()
            .iter()
            .any(|r| r.starts_with("GET /files/")),
        "{:#?}",
        index.requests()
    );

    // `download` trusts the hosts the lock's `--trusted-host` lines name, as pip installing
    // the lock does; without the line the certificate is checked.
    let download = |dest: &str| {
        project.run(
            &[
                "download",
                "-r",
                "requirements.txt",
                "-d",
                dest,
                "--python-platform",
                "x86_64-manylinux_2_28",
                "--no-cache",
            ]
            .map(str::to_string),
        )
    };
    download("dist").expect_code(0);
    assert!(
        project
            .path()
            .join("dist/leaf-4.0-py3-none-any.whl")
            .is_file()
    );
    let lock = project.read("requirements.txt");
    let without: String = lock
        .lines()
        .filter(|line| !line.starts_with("--trusted-host"))
        .map(|line| format!("{line}\n"))
        .collect();
    project.write("requirements.txt", &without);
    let run = download("dist2");
    run.expect_code(2);
    assert!(run.stderr.contains("not trusted"), "{}", run.stderr);
    // `--trusted-host` (or pip's variable) on `download` itself does it too.
    let run = project.run_with_env(
        &[
            "download",
            "-r",
            "requirements.txt",
            "-d",
            "dist3",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--no-cache",
        ]
        .map(str::to_string),
        &[("PIP_TRUSTED_HOST", "other.example  127.0.0.1")],
    );
    run.expect_code(0);
    assert!(
        project
            .path()
            .join("dist3/leaf-4.0-py3-none-any.whl")
            .is_file()
    );
}
