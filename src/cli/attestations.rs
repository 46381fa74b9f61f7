//! `--verify-attestations`: after resolving, every locked file whose index lists provenance
//! is verified (`attest`), each package gets the publishers that verified, and the publishers
//! the existing output recorded are held to: a package that had one and has none now, or has
//! another, fails the run before anything is written.

use std::collections::BTreeSet;
use std::path::Path;

use futures::future::try_join_all;

use super::diagnostics::Failure;
use crate::attest::Attestor;
use crate::index::IndexClient;
use crate::lockfile::{Attested, pylock_attested, requirements_attested};
use crate::resolver::{PinSource, Resolution};
use crate::types::{IndexFile, Publisher};

/// What a verification found, for the summary on stderr.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Verified {
    /// Files whose attestations verified.
    pub files: usize,
    /// Packages with at least one such file.
    pub packages: usize,
    /// Locked files the index serves no provenance for.
    pub without: usize,
}

impl Verified {
    /// The summary line. A file without provenance is never counted as verified.
    #[must_use]
    pub fn summary(&self) -> String {
        if self.files == 0 {
            return format!(
                "warning: `--verify-attestations`: none of the {} locked files has provenance on its index, so nothing was verified",
                self.without
            );
        }
        format!(
            "attestations: {} files of {} packages verified; {} locked files have no provenance on their index",
            self.files, self.packages, self.without
        )
    }
}

/// The publishers the existing output at `path` records: none when it does not exist.
///
/// # Errors
/// When it exists and its records do not read (naming the file and the line).
pub fn recorded(path: Option<&Path>, pylock: bool) -> Result<Attested, Failure> {
    let Some(path) = path else {
        return Ok(Attested::new());
    };
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(Attested::new());
    };
    let read = if pylock {
        pylock_attested(&text)
    } else {
        requirements_attested(&text)
    };
    read.map_err(|error| {
        Failure::Error(anyhow::anyhow!(
            "`{}`: cannot read its recorded publishers: {error}",
            path.display()
        ))
    })
}

/// Verifies the provenance of every file of every index pin, sets each pin's
/// `attestations`, and holds them to `recorded`.
///
/// # Errors
/// `Failure::Attestation` when a file's attestation does not verify, or a package lost or
/// changed its publisher; `Failure::Error` when provenance cannot be fetched.
pub async fn verify(
    resolution: &mut Resolution,
    client: &IndexClient,
    recorded: &Attested,
) -> Result<Verified, Failure> {
    let attestor = Attestor::new().map_err(|error| Failure::Error(error.into()))?;
    let mut verified = Verified::default();
    for pin in &mut resolution.pins {
        if !matches!(pin.source, PinSource::Registry { .. }) {
            continue;
        }
        let files = distinct_files(&pin.files);
        let fetched = try_join_all(files.iter().map(|file| provenance_of(client, file)))
            .await
            .map_err(Failure::Error)?;
        let mut publishers: BTreeSet<Publisher> = BTreeSet::new();
        let mut attested_files: Vec<(&str, Vec<Publisher>)> = Vec::new();
        for (file, fetched) in files.iter().zip(fetched) {
            let Some((sha256, provenance)) = fetched else {
                verified.without += 1;
                continue;
            };
            let found = attestor
                .verify(&pin.name, &file.filename, sha256, &provenance)
                .map_err(|error| Failure::Attestation(error.to_string()))?;
            verified.files += 1;
            publishers.extend(found.iter().cloned());
            attested_files.push((&file.filename, found));
        }
        pin.attestations = publishers.into_iter().collect();
        if !pin.attestations.is_empty() {
            verified.packages += 1;
        }
        if let Some(before) = recorded.get(&pin.name) {
            hold(
                &pin.name,
                &pin.version,
                before,
                &pin.attestations,
                &attested_files,
                &files,
            )?;
        }
    }
    Ok(verified)
}

/// A package's files, once each (a file listed by two find-links locations is one file).
fn distinct_files(files: &[IndexFile]) -> Vec<&IndexFile> {
    let mut seen = BTreeSet::new();
    files
        .iter()
        .filter(|file| seen.insert(file.filename.as_str()))
        .collect()
}

/// The file's sha256 and provenance object, when its index lists one that exists.
async fn provenance_of(
    client: &IndexClient,
    file: &IndexFile,
) -> anyhow::Result<Option<(crate::types::Sha256Digest, Vec<u8>)>> {
    if file.provenance.is_none() {
        return Ok(None);
    }
    let sha256 = client.file_sha256(file).await?;
    Ok(client
        .provenance(file, sha256)
        .await?
        .map(|body| (sha256, body)))
}

/// The ratchet: the publishers recorded for `name` must be exactly the ones found now.
fn hold(
    name: &crate::types::PackageName,
    version: &crate::types::Version,
    before: &[Publisher],
    now: &[Publisher],
    attested_files: &[(&str, Vec<Publisher>)],
    files: &[&IndexFile],
) -> Result<(), Failure> {
    let shown = |publishers: &[Publisher]| {
        publishers
            .iter()
            .map(|publisher| format!("`{publisher}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if now.is_empty() {
        let names: Vec<&str> = files.iter().map(|file| file.filename.as_str()).collect();
        return Err(Failure::Attestation(format!(
            "`{name}` {version}: the existing lock records its publisher ({}), and none of its files has an attestation now (`{}`)",
            shown(before),
            names.join("`, `")
        )));
    }
    if before != now {
        let changed: Vec<&str> = attested_files
            .iter()
            .filter(|(_, found)| found.iter().any(|publisher| !before.contains(publisher)))
            .map(|(file, _)| *file)
            .collect();
        let changed = if changed.is_empty() {
            attested_files.iter().map(|(file, _)| *file).collect()
        } else {
            changed
        };
        return Err(Failure::Attestation(format!(
            "`{name}` {version}: the publisher changed: the existing lock records {}, and `{}` is attested by {}",
            shown(before),
            changed.join("`, `"),
            shown(now)
        )));
    }
    Ok(())
}
