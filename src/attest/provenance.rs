//! The PEP 740 provenance object an index serves for one file, read as its JSON says: each
//! attestation bundle's publisher, and each attestation's certificate, transparency-log
//! entries and DSSE envelope (statement and signature, both base64).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::types::Publisher;

/// The provenance object (`version` 1).
#[derive(Debug, Deserialize)]
pub struct Provenance {
    /// The format version; only 1 is known.
    pub version: u32,
    /// One bundle per publisher.
    pub attestation_bundles: Vec<AttestationBundle>,
}

/// The attestations one publisher made for the file.
#[derive(Debug, Deserialize)]
pub struct AttestationBundle {
    /// The Trusted Publisher, as the index describes it (`kind` and its claims).
    pub publisher: Map<String, Value>,
    /// Its attestations.
    pub attestations: Vec<Attestation>,
}

/// One attestation (`version` 1: an X.509 certificate, ECDSA P-256, SHA-256).
#[derive(Debug, Deserialize)]
pub struct Attestation {
    /// The format version; only 1 is known.
    pub version: u32,
    /// The signing certificate and the transparency-log entries.
    pub verification_material: VerificationMaterial,
    /// The signed in-toto statement.
    pub envelope: Envelope,
}

/// What the signature is checked with.
#[derive(Debug, Deserialize)]
pub struct VerificationMaterial {
    /// The signing certificate, base64 DER.
    pub certificate: String,
    /// Rekor entries, in Sigstore's `TransparencyLogEntry` JSON form.
    pub transparency_entries: Vec<Value>,
}

/// A DSSE envelope over an in-toto statement.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    /// The statement's bytes, base64.
    pub statement: String,
    /// The signature, base64.
    pub signature: String,
}

/// Why a provenance object could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProvenanceError {
    /// Not the JSON of a provenance object.
    #[error("the provenance is not a PEP 740 provenance object: {0}")]
    Json(#[from] serde_json::Error),
    /// A version this reader does not know.
    #[error("the provenance (or an attestation) has version {0}, and only version 1 is known")]
    Version(u32),
    /// A publisher without a `kind`.
    #[error("a publisher has no `kind`")]
    PublisherKind,
}

impl Provenance {
    /// Parses `body` and checks the versions.
    ///
    /// # Errors
    /// On anything but a version-1 provenance object of version-1 attestations.
    pub fn parse(body: &[u8]) -> Result<Self, ProvenanceError> {
        let provenance: Self = serde_json::from_slice(body)?;
        if provenance.version != 1 {
            return Err(ProvenanceError::Version(provenance.version));
        }
        if let Some(attestation) = provenance
            .attestation_bundles
            .iter()
            .flat_map(|bundle| &bundle.attestations)
            .find(|attestation| attestation.version != 1)
        {
            return Err(ProvenanceError::Version(attestation.version));
        }
        Ok(provenance)
    }
}

impl AttestationBundle {
    /// The publisher as an identity: `kind`, and the other keys with `null` ones left out
    /// (PyPI writes `"environment": null` for a workflow without one). A value that is not a
    /// string is kept as its JSON text.
    ///
    /// # Errors
    /// When `kind` is missing or not a string.
    pub fn publisher(&self) -> Result<Publisher, ProvenanceError> {
        let kind = match self.publisher.get("kind") {
            Some(Value::String(kind)) if !kind.is_empty() => kind.clone(),
            _ => return Err(ProvenanceError::PublisherKind),
        };
        let claims = self
            .publisher
            .iter()
            .filter(|(key, _)| key.as_str() != "kind")
            .filter_map(|(key, value)| match value {
                Value::Null => None,
                Value::String(text) => Some((key.clone(), text.clone())),
                other => Some((key.clone(), other.to_string())),
            })
            .collect();
        Ok(Publisher { kind, claims })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"version": 1, "attestation_bundles": [{
        "publisher": {"kind": "GitHub", "repository": "o/r", "workflow": "w.yml", "environment": null},
        "attestations": [{"version": 1,
            "verification_material": {"certificate": "AA==", "transparency_entries": []},
            "envelope": {"statement": "e30=", "signature": "AA=="}}]}]}"#;

    #[test]
    fn a_provenance_object_is_read() {
        let provenance = Provenance::parse(ONE.as_bytes()).unwrap();
        let publisher = provenance.attestation_bundles[0].publisher().unwrap();
        assert_eq!(
            publisher.to_string(),
            "kind=GitHub repository=o/r workflow=w.yml"
        );
    }

    #[test]
    fn unknown_versions_and_kindless_publishers_are_refused() {
        let newer = ONE.replacen(r#"{"version": 1"#, r#"{"version": 2"#, 1);
        assert!(matches!(
            Provenance::parse(newer.as_bytes()),
            Err(ProvenanceError::Version(2))
        ));
        let kindless = ONE.replace(r#""kind": "GitHub", "#, "");
        let provenance = Provenance::parse(kindless.as_bytes()).unwrap();
        assert!(provenance.attestation_bundles[0].publisher().is_err());
        assert!(Provenance::parse(b"<html>").is_err());
    }
}
