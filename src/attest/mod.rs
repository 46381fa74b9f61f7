//! PEP 740 attestations: is a locked file's provenance a valid Sigstore attestation, by the
//! publisher the index names, of exactly this file?
//!
//! For each attestation of a provenance object (`provenance.rs`): the in-toto statement must
//! have exactly one subject, whose name is this file's name (compared parsed, as PEP 740
//! says) and whose sha256 is the file's; the Sigstore bundle made of the attestation must
//! verify against Sigstore's production trust root — certificate chain to Fulcio, SCT, Rekor
//! inclusion proof and checkpoint, DSSE signature over the statement — with `sigstore-verify`
//! (`sigstore.rs`); and the certificate's claims must be those of the bundle's Trusted
//! Publisher (`policy.rs`). An attestation only says where a file came from; what it is good
//! for is noticing when that changes, which the caller does with the publishers returned here.
//!
//! The file's bytes are not needed: the statement is bound to the digest the index lists and
//! pinwheel checks every file it fetches against.

mod policy;
mod provenance;
#[cfg(feature = "attestations")]
mod sigstore;

use base64::Engine as _;
use serde::Deserialize;

pub use policy::{CertificateClaims, check as check_publisher};
pub use provenance::{Attestation, AttestationBundle, Provenance, ProvenanceError};

use crate::types::{DistFilename, PackageName, Publisher, Sha256Digest};

/// Why a file's provenance does not verify.
#[derive(Debug, thiserror::Error)]
pub enum AttestFailure {
    /// The provenance object did not read.
    #[error(transparent)]
    Provenance(#[from] ProvenanceError),
    /// A provenance object with no attestation at all.
    #[error("the provenance holds no attestation")]
    Empty,
    /// A field that should be base64 is not.
    #[error("the attestation's {0} is not base64")]
    Base64(&'static str),
    /// The statement is not an in-toto statement.
    #[error("the attested statement is not an in-toto statement: {0}")]
    Statement(serde_json::Error),
    /// PEP 740 wants exactly one subject.
    #[error("the attested statement has {0} subjects, and PEP 740 allows exactly one")]
    Subjects(usize),
    /// The statement is about another file.
    #[error("the attestation is for `{0}`, another file")]
    SubjectName(String),
    /// The statement is about other bytes: the file is not the one that was attested.
    #[error("the attestation is for a file whose sha256 is {found}, and this file's is {expected}")]
    SubjectDigest {
        /// The statement's digest.
        found: String,
        /// The file's.
        expected: Sha256Digest,
    },
    /// Sigstore refused the bundle: chain, log inclusion, timestamps or signature.
    #[error("the Sigstore verification failed: {0}")]
    Sigstore(String),
    /// The certificate does not belong to the publisher the index names.
    #[error("the attestation is not by its publisher ({publisher}): {reason}")]
    Publisher {
        /// The publisher the index names.
        publisher: Publisher,
        /// What differs.
        reason: String,
    },
    /// This build of pinwheel has no Sigstore verifier.
    #[error("this pinwheel was built without the `attestations` feature")]
    NotBuilt,
}

/// A failure, with the file it is about.
#[derive(Debug, thiserror::Error)]
#[error("`{file}`: {failure}")]
pub struct AttestError {
    /// The file name.
    pub file: String,
    /// Why.
    pub failure: AttestFailure,
}

/// Verifies attestations; built once per run (the trust root is parsed once).
pub struct Attestor {
    #[cfg(feature = "attestations")]
    verifier: sigstore::Verifier,
}

impl Attestor {
    /// A verifier over Sigstore's production trust root, as `sigstore-verify` embeds it.
    ///
    /// # Errors
    /// Without the `attestations` feature, or if the embedded trust root does not load.
    pub fn new() -> Result<Self, AttestFailure> {
        #[cfg(feature = "attestations")]
        {
            Ok(Self {
                verifier: sigstore::Verifier::production()?,
            })
        }
        #[cfg(not(feature = "attestations"))]
        {
            Err(AttestFailure::NotBuilt)
        }
    }

    /// The publishers of `filename` (a file of `project` whose sha256 is `sha256`), sorted and
    /// without repeats, when every attestation of `provenance` verifies.
    ///
    /// # Errors
    /// On the first attestation that does not verify, naming the file.
    pub fn verify(
        &self,
        project: &PackageName,
        filename: &str,
        sha256: Sha256Digest,
        provenance: &[u8],
    ) -> Result<Vec<Publisher>, AttestError> {
        let failed = |failure| AttestError {
            file: filename.to_string(),
            failure,
        };
        let provenance = Provenance::parse(provenance).map_err(|error| failed(error.into()))?;
        let mut publishers = Vec::new();
        for bundle in &provenance.attestation_bundles {
            let publisher = bundle.publisher().map_err(|error| failed(error.into()))?;
            for attestation in &bundle.attestations {
                check_subject(project, filename, sha256, attestation).map_err(failed)?;
                let claims = self.signature(sha256, attestation).map_err(failed)?;
                check_publisher(&publisher, &claims).map_err(|reason| {
                    failed(AttestFailure::Publisher {
                        publisher: publisher.clone(),
                        reason,
                    })
                })?;
            }
            if !bundle.attestations.is_empty() {
                publishers.push(publisher);
            }
        }
        if publishers.is_empty() {
            return Err(failed(AttestFailure::Empty));
        }
        publishers.sort();
        publishers.dedup();
        Ok(publishers)
    }

    #[cfg(feature = "attestations")]
    fn signature(
        &self,
        sha256: Sha256Digest,
        attestation: &Attestation,
    ) -> Result<CertificateClaims, AttestFailure> {
        self.verifier.verify(sha256, attestation)
    }

    #[cfg(not(feature = "attestations"))]
    fn signature(
        &self,
        _sha256: Sha256Digest,
        _attestation: &Attestation,
    ) -> Result<CertificateClaims, AttestFailure> {
        Err(AttestFailure::NotBuilt)
    }
}

/// An in-toto v1 statement, as far as PEP 740 constrains it.
#[derive(Deserialize)]
struct Statement {
    subject: Vec<Subject>,
}

#[derive(Deserialize)]
struct Subject {
    name: String,
    #[serde(default)]
    digest: std::collections::BTreeMap<String, String>,
}

/// The statement's one subject is this file: the same distribution file name once parsed,
/// and the same sha256.
fn check_subject(
    project: &PackageName,
    filename: &str,
    sha256: Sha256Digest,
    attestation: &Attestation,
) -> Result<(), AttestFailure> {
    let statement = base64::engine::general_purpose::STANDARD
        .decode(&attestation.envelope.statement)
        .map_err(|_| AttestFailure::Base64("statement"))?;
    let statement: Statement =
        serde_json::from_slice(&statement).map_err(AttestFailure::Statement)?;
    let [subject] = statement.subject.as_slice() else {
        return Err(AttestFailure::Subjects(statement.subject.len()));
    };
    let same_file = match (
        DistFilename::parse(&subject.name, project),
        DistFilename::parse(filename, project),
    ) {
        (Ok(attested), Ok(file)) => attested == file,
        _ => subject.name == filename,
    };
    if !same_file {
        return Err(AttestFailure::SubjectName(subject.name.clone()));
    }
    let found = subject.digest.get("sha256").cloned().unwrap_or_default();
    if !found.eq_ignore_ascii_case(&sha256.to_string()) {
        return Err(AttestFailure::SubjectDigest {
            found,
            expected: sha256,
        });
    }
    Ok(())
}
