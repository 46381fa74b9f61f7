//! Certificates for the TLS mode of the test index: a throwaway CA made afresh by each test, a
//! server certificate it signs for 127.0.0.1 and localhost, and a client certificate it signs for
//! indexes that demand one. Nothing is shared between tests and nothing outlives the test's
//! temporary directory, so the host's trust store never learns of this CA.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;

/// Whether a TLS test index asks connecting clients for a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// Any client may connect (the usual private index).
    None,
    /// Only a client presenting a certificate signed by the test CA completes the handshake.
    Required,
}

/// A test CA with the server and client certificates it signed.
pub struct TestPki {
    ca: CertifiedIssuer<'static, KeyPair>,
    server_cert: CertificateDer<'static>,
    server_key: Vec<u8>,
    client_pem: String,
}

impl TestPki {
    /// A fresh CA, a server certificate for `127.0.0.1` and `localhost`, and a client certificate.
    ///
    /// # Panics
    /// If a key or certificate cannot be generated.
    pub fn new() -> TestPki {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "pinwheel test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key"))
            .expect("signing the test CA");

        let server_key = KeyPair::generate().expect("server key");
        let mut server_params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .expect("server certificate parameters");
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_cert = server_params
            .signed_by(&server_key, &ca)
            .expect("signing the server certificate");

        let client_key = KeyPair::generate().expect("client key");
        let mut client_params =
            CertificateParams::new(Vec::<String>::new()).expect("client certificate parameters");
        client_params
            .distinguished_name
            .push(DnType::CommonName, "pinwheel test client");
        client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client_cert = client_params
            .signed_by(&client_key, &ca)
            .expect("signing the client certificate");

        TestPki {
            ca,
            server_cert: server_cert.der().clone(),
            server_key: server_key.serialize_der(),
            // One file with the certificate and its key, the form pip's `--client-cert` takes.
            client_pem: format!("{}{}", client_cert.pem(), client_key.serialize_pem()),
        }
    }

    /// The CA certificate in PEM, for `--cert`.
    pub fn ca_pem(&self) -> String {
        self.ca.pem()
    }

    /// The client certificate followed by its private key in PEM, for `--client-cert`.
    pub fn client_pem(&self) -> String {
        self.client_pem.clone()
    }

    /// The server side of the handshake, asking for a client certificate or not.
    ///
    /// # Panics
    /// If rustls refuses the generated certificates.
    pub fn server_config(&self, client_auth: ClientAuth) -> Arc<rustls::ServerConfig> {
        // An explicit provider: the test binary must not depend on which one is installed as
        // the process default.
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .expect("TLS protocol versions");
        let builder = match client_auth {
            ClientAuth::None => builder.with_no_client_auth(),
            ClientAuth::Required => {
                let mut roots = rustls::RootCertStore::empty();
                roots
                    .add(self.ca.der().clone())
                    .expect("adding the test CA to the client roots");
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                        .build()
                        .expect("building the client certificate verifier");
                builder.with_client_cert_verifier(verifier)
            }
        };
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key.clone()));
        let mut config = builder
            .with_single_cert(vec![self.server_cert.clone()], key)
            .expect("the server certificate and key");
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Arc::new(config)
    }
}
