//! The Sigstore half of a verification, over `sigstore-verify`: a PEP 740 attestation made
//! into a Sigstore bundle (v0.3, a DSSE envelope over the statement) and verified against the
//! production trust root, with the transparency log required.

use sigstore_verify::trust_root::{SIGSTORE_PRODUCTION_TRUSTED_ROOT, TrustedRoot};
use sigstore_verify::types::{Artifact, ArtifactDigest, Bundle, Sha256Hash};
use sigstore_verify::{SubjectAltName, VerificationPolicy};

use super::{AttestFailure, Attestation, CertificateClaims};
use crate::types::Sha256Digest;

/// `sigstore_verify::Verifier` with the trust root it was made from.
pub struct Verifier(sigstore_verify::Verifier);

impl Verifier {
    /// Over the trust root `sigstore-verify` embeds (Sigstore's production instance).
    pub fn production() -> Result<Self, AttestFailure> {
        let root = TrustedRoot::from_json(SIGSTORE_PRODUCTION_TRUSTED_ROOT)
            .map_err(|error| AttestFailure::Sigstore(format!("the trust root: {error}")))?;
        sigstore_verify::Verifier::new(&root)
            .map(Self)
            .map_err(|error| AttestFailure::Sigstore(format!("the trust root: {error}")))
    }

    /// Verifies `attestation` as a signature over the file with this sha256, and returns the
    /// certificate's claims for the publisher check.
    pub fn verify(
        &self,
        sha256: Sha256Digest,
        attestation: &Attestation,
    ) -> Result<CertificateClaims, AttestFailure> {
        let material = &attestation.verification_material;
        let bundle = serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {
                "certificate": {"rawBytes": material.certificate},
                "tlogEntries": material.transparency_entries,
            },
            "dsseEnvelope": {
                "payload": attestation.envelope.statement,
                "payloadType": "application/vnd.in-toto+json",
                "signatures": [{"sig": attestation.envelope.signature}],
            },
        });
        let bundle = Bundle::from_json(&bundle.to_string())
            .map_err(|error| AttestFailure::Sigstore(format!("not a bundle: {error}")))?;
        let digest = ArtifactDigest::sha256(Sha256Hash::new(*sha256.as_bytes()));
        let result = self
            .0
            .verify(
                Artifact::from_digest(digest),
                &bundle,
                &VerificationPolicy::any_identity(),
            )
            .map_err(|error| AttestFailure::Sigstore(error.to_string()))?;
        // PyPI counts nothing as verified without both inclusion proofs; neither does pinwheel.
        if !(result.certificate_verified() && result.tlog_verified() && result.sct_verified()) {
            return Err(AttestFailure::Sigstore(
                "the certificate chain, its SCT or the transparency-log inclusion was not checked"
                    .into(),
            ));
        }
        let certificate = result.certificate();
        Ok(CertificateClaims {
            identity: result
                .identity()
                .map(|identity| SubjectAltName::as_str(identity).to_string()),
            issuer: result.issuer().map(str::to_string),
            source_repository_uri: certificate
                .and_then(|certificate| certificate.ci_claims.source_repository_uri.clone()),
            build_config_uri: certificate
                .and_then(|certificate| certificate.ci_claims.build_config_uri.clone()),
        })
    }
}
