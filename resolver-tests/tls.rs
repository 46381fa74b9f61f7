//! An index served over HTTPS with a certificate from a CA made by the test: `--cert` makes it
//! trusted (without it the handshake fails, as the CA is in no system store), and an index that
//! demands a client certificate is reached only with `--client-cert`.

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
