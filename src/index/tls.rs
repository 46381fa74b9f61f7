//! The certificates the HTTP client is built with: `--cert` (a CA bundle that replaces the
//! system's roots, as pip's does) and `--client-cert` (a certificate with its private key, sent
//! to servers that ask for one). The files are read when the client is built and kept in memory
//! only: a private key is never copied, logged or cached.

use std::path::{Path, PathBuf};

use super::IndexError;

/// The certificate files of a client; none by default (the system's roots, no client identity).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsFiles {
    /// A PEM bundle of CA certificates to trust instead of the system's.
    pub ca_bundle: Option<PathBuf>,
    /// One PEM file holding a client certificate (chain) and its private key.
    pub client_identity: Option<PathBuf>,
}

impl TlsFiles {
    /// `builder` with these certificates.
    pub(crate) fn apply(
        &self,
        mut builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, IndexError> {
        if let Some(path) = &self.ca_bundle {
            let pem = read(path)?;
            let roots = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|error| unusable(path, &error.to_string()))?;
            if roots.is_empty() {
                return Err(unusable(path, "it holds no PEM certificate"));
            }
            builder = builder.tls_certs_only(roots);
        }
        if let Some(path) = &self.client_identity {
            let pem = read(path)?;
            // reqwest's parser accepts a file without a key; the handshake would fail later
            // with a less helpful message.
            if !String::from_utf8_lossy(&pem).contains("PRIVATE KEY-----") {
                return Err(unusable(path, "it holds no PEM private key"));
            }
            let identity = reqwest::Identity::from_pem(&pem)
                .map_err(|error| unusable(path, &error.to_string()))?;
            builder = builder.identity(identity);
        }
        Ok(builder)
    }
}

fn read(path: &Path) -> Result<Vec<u8>, IndexError> {
    std::fs::read(path).map_err(|error| unusable(path, &error.to_string()))
}

fn unusable(path: &Path, reason: &str) -> IndexError {
    IndexError::Certificate {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}
