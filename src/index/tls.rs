//! The certificates the HTTP client is built with: `--cert` (a CA bundle that replaces the
//! system's roots, as pip's does) and `--client-cert` (a certificate with its private key, sent
//! to servers that ask for one). The files are read when the index client is created (so an
//! unusable one is an error even in a run that sends nothing) and kept in memory only: a private
//! key is never copied, logged or cached.

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
    /// Reads and checks the files, so that an unusable one is an error at once, even in a run
    /// that sends no request.
    pub(crate) fn load(&self) -> Result<LoadedTls, IndexError> {
        let mut ca_pem = None;
        let roots = match &self.ca_bundle {
            Some(path) => {
                let pem = read(path)?;
                let roots = reqwest::Certificate::from_pem_bundle(&pem)
                    .map_err(|error| unusable(path, &error.to_string()))?;
                if roots.is_empty() {
                    return Err(unusable(path, "it holds no PEM certificate"));
                }
                ca_pem = Some(pem);
                Some(roots)
            }
            None => None,
        };
        let mut identity_pem = None;
        let identity = match &self.client_identity {
            Some(path) => {
                let pem = read(path)?;
                // reqwest's parser accepts a file without a key; the handshake would fail later
                // with a less helpful message.
                if !String::from_utf8_lossy(&pem).contains("PRIVATE KEY-----") {
                    return Err(unusable(path, "it holds no PEM private key"));
                }
                let identity = reqwest::Identity::from_pem(&pem)
                    .map_err(|error| unusable(path, &error.to_string()))?;
                identity_pem = Some(pem);
                Some(identity)
            }
            None => None,
        };
        Ok(LoadedTls {
            roots,
            identity,
            ca_pem,
            identity_pem,
        })
    }
}

/// The certificates of [`TlsFiles`], parsed. Deliberately not `Debug`: it holds a private key.
#[derive(Default)]
pub(crate) struct LoadedTls {
    roots: Option<Vec<reqwest::Certificate>>,
    identity: Option<reqwest::Identity>,
    /// The files' bytes, for the rustls configuration of the client for `--trusted-host`s
    /// (reqwest's types cannot be handed to rustls).
    ca_pem: Option<Vec<u8>>,
    identity_pem: Option<Vec<u8>>,
}

impl LoadedTls {
    /// `builder` with these certificates.
    pub(crate) fn apply(&self, mut builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        if let Some(roots) = &self.roots {
            builder = builder.tls_certs_only(roots.iter().cloned());
        }
        if let Some(identity) = &self.identity {
            builder = builder.identity(identity.clone());
        }
        builder
    }

    /// The CA bundle's PEM, with `--cert`.
    pub(crate) fn ca_pem(&self) -> Option<&[u8]> {
        self.ca_pem.as_deref()
    }

    /// The client certificate and key's PEM, with `--client-cert`.
    pub(crate) fn identity_pem(&self) -> Option<&[u8]> {
        self.identity_pem.as_deref()
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
