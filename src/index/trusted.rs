//! `--trusted-host HOST`: as in pip, an HTTPS server on HOST is used even when its certificate
//! cannot be verified, and every other host keeps full verification.
//!
//! reqwest can only skip verification for all hosts at once, so requests to a trusted host go
//! through a second client whose rustls configuration is pinwheel's own: its verifier accepts
//! the certificate of a server whose name is a trusted host, and hands every other to the
//! verifier the main client uses (the platform's, or the `--cert` bundle alone). The second
//! client is built the first time a trusted host is asked for, so a run that never reaches one
//! builds nothing more.
//!
//! pip's forms: `name` trusts every port of the host, `name:port` only that port. The verifier
//! sees the server's name but not its port, so the port is checked where the client is chosen
//! (a redirect to another port of a trusted name, followed inside the relaxed client, is the
//! one case that gets the name's leniency).

use std::net::IpAddr;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use url::Url;

/// The `--trusted-host` values, parsed: a host name (lower case) or IP address, and the port
/// when one was given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TrustedHosts {
    entries: Vec<(String, Option<u16>)>,
}

impl TrustedHosts {
    /// The hosts of `values` (`name`, `name:port`, `[v6]`, `[v6]:port`); a value whose port is
    /// not a number is taken as a name, which then matches nothing.
    pub(crate) fn new(values: &[String]) -> Self {
        let entries = values
            .iter()
            .map(|value| split_port(value.trim()))
            .map(|(host, port)| (host.trim_matches(['[', ']']).to_ascii_lowercase(), port))
            .collect();
        Self { entries }
    }

    /// Whether `url` is an HTTPS URL of a trusted host (and port, when the entry names one).
    pub(crate) fn covers(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
        url.scheme() == "https"
            && self.entries.iter().any(|(name, port)| {
                *name == host && port.is_none_or(|port| Some(port) == url.port_or_known_default())
            })
    }

    /// Whether the server a TLS handshake is with has a trusted name (any port).
    fn names(&self, server: &ServerName<'_>) -> bool {
        let server = match server {
            ServerName::IpAddress(ip) => IpAddr::from(*ip).to_string(),
            other => other.to_str().to_ascii_lowercase(),
        };
        self.entries.iter().any(|(name, _)| {
            *name == server
                || name
                    .parse::<IpAddr>()
                    .is_ok_and(|ip| ip.to_string() == server)
        })
    }
}

/// `host:port` split, leaving IPv6 addresses (`::1`, `[::1]`) whole when they have no port.
fn split_port(value: &str) -> (&str, Option<u16>) {
    let split = if value.starts_with('[') {
        value
            .rsplit_once("]:")
            .map(|(host, port)| (host.trim_start_matches('['), port))
    } else if value.matches(':').count() == 1 {
        value.split_once(':')
    } else {
        None
    };
    match split.and_then(|(host, port)| Some((host, port.parse().ok()?))) {
        Some((host, port)) => (host, Some(port)),
        None => (value, None),
    }
}

/// Why the client for trusted hosts could not be configured.
pub(crate) type SetupError = String;

/// The rustls configuration of the client for trusted hosts: the same roots (`ca_pem`, else the
/// platform's) and client identity (`identity_pem`) as the main client, HTTP/2 and HTTP/1.1 as
/// reqwest offers them, and a verifier that does not check a trusted host's certificate.
pub(crate) fn relaxed_config(
    trusted: &TrustedHosts,
    ca_pem: Option<&[u8]>,
    identity_pem: Option<&[u8]>,
) -> Result<rustls::ClientConfig, SetupError> {
    // The provider reqwest's `rustls` feature builds and uses.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let strict: Arc<dyn ServerCertVerifier> = match ca_pem {
        Some(pem) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|error| error.to_string())?;
                roots.add(cert).map_err(|error| error.to_string())?;
            }
            rustls::client::WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots),
                Arc::clone(&provider),
            )
            .build()
            .map_err(|error| error.to_string())?
        }
        None => Arc::new(
            rustls_platform_verifier::Verifier::new(Arc::clone(&provider))
                .map_err(|error| error.to_string())?,
        ),
    };
    let verifier = Arc::new(TrustingVerifier {
        trusted: trusted.clone(),
        strict,
    });
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| error.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match identity_pem {
        Some(pem) => {
            let chain = CertificateDer::pem_slice_iter(pem)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|error| error.to_string())?;
            // The key's parse error says nothing of the key itself.
            let key = PrivateKeyDer::from_pem_slice(pem).map_err(|error| error.to_string())?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|error| error.to_string())?
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The strict verifier's verdict, except that a trusted host's certificate is accepted
/// unchecked, as pip does not check it (asking the strict verifier first would only log its
/// refusal). Handshake signatures are always checked (they prove the server holds the key of
/// the certificate it sent, trusted or not).
#[derive(Debug)]
struct TrustingVerifier {
    trusted: TrustedHosts,
    strict: Arc<dyn ServerCertVerifier>,
}

impl ServerCertVerifier for TrustingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.trusted.names(server_name) {
            tracing::debug!(
                "not checking the certificate of trusted host {}",
                server_name.to_str()
            );
            return Ok(ServerCertVerified::assertion());
        }
        self.strict
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.strict.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.strict.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.strict.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.strict.requires_raw_public_keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covers(hosts: &[&str], url: &str) -> bool {
        let hosts: Vec<String> = hosts.iter().map(|host| (*host).to_string()).collect();
        TrustedHosts::new(&hosts).covers(&Url::parse(url).unwrap())
    }

    #[test]
    fn a_bare_host_covers_every_port_and_a_host_with_port_only_that_one() {
        assert!(covers(
            &["Mirror.example"],
            "https://mirror.example/simple/"
        ));
        assert!(covers(
            &["mirror.example"],
            "https://mirror.example:8443/simple/"
        ));
        assert!(covers(
            &["mirror.example:8443"],
            "https://mirror.example:8443/"
        ));
        assert!(!covers(&["mirror.example:8443"], "https://mirror.example/"));
        assert!(covers(&["mirror.example:443"], "https://mirror.example/"));
        assert!(!covers(&["mirror.example"], "https://other.example/"));
        // Plain HTTP needs no leniency.
        assert!(!covers(&["mirror.example"], "http://mirror.example/"));
        assert!(covers(&["127.0.0.1:4443"], "https://127.0.0.1:4443/"));
        assert!(covers(&["[::1]:4443"], "https://[::1]:4443/"));
        assert!(covers(&["::1"], "https://[::1]:4443/"));
    }

    #[test]
    fn handshakes_are_trusted_by_name_only() {
        let hosts = TrustedHosts::new(&["127.0.0.1:4443".to_string(), "Mirror".to_string()]);
        let name = |text: &str| ServerName::try_from(text.to_string()).unwrap();
        assert!(hosts.names(&name("127.0.0.1")));
        assert!(hosts.names(&name("mirror")));
        assert!(!hosts.names(&name("other")));
    }
}
