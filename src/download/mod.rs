//! `pinwheel download`: the files a lock pins, for one target, verified and placed in a
//! directory that `pip install --no-index --find-links DIR -r LOCK` can install from.
//!
//! For each pin whose marker holds on the target, `select` chooses the file the target would
//! install and the digests its bytes may have; `place` puts it into the directory (left alone
//! when already there, else from the cache or fetched, verified before it is renamed into place)
//! and the index client keeps what was fetched in the cache under its sha256. Pins are handled
//! concurrently, each streaming at most one file to disk.
//!
//! Hashes: the lock's `--hash` values are the authority. For a pin without any, the index's (or
//! the URL's `#sha256=`) digest is checked instead and the report says so, since pip would
//! install such a lock without checking anything; `require_hashes` makes such a pin an error.
//!
//! The module prints nothing: it returns a [`DownloadReport`], or a [`DownloadError`] listing
//! every pin that failed (the files of the other pins are still placed).

mod error;
mod partial;
mod place;
mod select;

use std::path::PathBuf;

use futures::StreamExt as _;
use pep508_rs::MarkerTree;

pub use error::{DownloadError, PinError, PinErrorKind};

use crate::index::IndexClient;
use crate::lockfile::{Lock, LockedPin, LockedSource};
use crate::target::Target;
use crate::types::Sha256Digest;

/// Options of one download.
#[derive(Clone, Debug)]
pub struct DownloadOptions {
    /// The directory the files go into (created when missing).
    pub dest: PathBuf,
    /// Treat a pin without `--hash` values as an error (pip's `--require-hashes`).
    pub require_hashes: bool,
    /// Pins handled at once; each streams at most one file, so this bounds open files and
    /// transfers (the index client bounds requests in flight on its own).
    pub jobs: usize,
}

/// What a download did.
#[derive(Clone, Debug, Default)]
pub struct DownloadReport {
    /// One entry per pin whose file is in the directory, in lock order.
    pub files: Vec<DownloadedFile>,
    /// Pins whose marker does not hold on the target, in lock order.
    pub skipped: Vec<SkippedPin>,
    /// Pins that name a version-control repository (`name @ git+…`), in lock order: there is
    /// no distribution file to download, only a checkout to build.
    pub not_downloadable: Vec<String>,
}

impl DownloadReport {
    /// How many files came from `origin`.
    #[must_use]
    pub fn count(&self, origin: Origin) -> usize {
        self.files
            .iter()
            .filter(|file| file.origin == origin)
            .count()
    }

    /// The total size of the files, in bytes.
    #[must_use]
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|file| file.size).sum()
    }

    /// The files checked with `verification`.
    pub fn verified_by(
        &self,
        verification: Verification,
    ) -> impl Iterator<Item = &DownloadedFile> + '_ {
        self.files
            .iter()
            .filter(move |file| file.verification == verification)
    }
}

/// A file placed in the directory.
#[derive(Clone, Debug)]
pub struct DownloadedFile {
    /// The pin it is for, as the lock spells it.
    pub pin: String,
    /// Where it is.
    pub path: PathBuf,
    /// Its sha256.
    pub sha256: Sha256Digest,
    /// Its size in bytes.
    pub size: u64,
    /// How it got there.
    pub origin: Origin,
    /// What its digest was checked against.
    pub verification: Verification,
}

/// How a file got into the directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// An identical file was already there and was left alone.
    AlreadyPresent,
    /// Copied from the cache.
    Cache,
    /// Fetched from its URL (or copied from a local `--find-links` directory or `file://` URL).
    Fetched,
}

/// What a file's digest was checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verification {
    /// The pin's `--hash` values in the lock.
    Lock,
    /// The lock has no hash for the pin: the sha256 the index (or the URL's fragment) lists.
    Source,
    /// Neither the lock nor the source lists a digest: nothing could be checked.
    Unverified,
}

/// A pin left out because its marker does not hold on the target.
#[derive(Clone, Debug)]
pub struct SkippedPin {
    /// The pin, as the lock spells it.
    pub pin: String,
    /// Its marker.
    pub marker: String,
}

/// What happened to one pin.
enum PinOutcome {
    Downloaded(DownloadedFile),
    Skipped(SkippedPin),
    NotDownloadable(String),
}

/// Places the file of every pin of `lock` whose marker holds on `target` into
/// `options.dest`, fetching through `client` (and its cache).
///
/// # Errors
/// When the directory cannot be created, or when any pin fails ([`DownloadError::Pins`] lists
/// each, with its cause; the other pins' files are placed all the same).
pub async fn download(
    lock: &Lock,
    target: &Target,
    client: &IndexClient,
    options: &DownloadOptions,
) -> Result<DownloadReport, DownloadError> {
    std::fs::create_dir_all(&options.dest).map_err(|source| DownloadError::CreateDir {
        path: options.dest.clone(),
        source,
    })?;
    partial::remove_stale(&options.dest);
    let mut outcomes: Vec<(usize, Result<PinOutcome, PinError>)> =
        futures::stream::iter(lock.pins.iter().enumerate())
            .map(|(index, pin)| async move {
                let outcome = download_pin(pin, target, client, options)
                    .await
                    .map_err(|kind| PinError {
                        pin: pin.to_string(),
                        line: pin.line,
                        kind,
                    });
                (index, outcome)
            })
            .buffer_unordered(options.jobs.max(1))
            .collect()
            .await;
    outcomes.sort_by_key(|(index, _)| *index);
    let mut report = DownloadReport::default();
    let mut failures = Vec::new();
    for (_, outcome) in outcomes {
        match outcome {
            Ok(PinOutcome::Downloaded(file)) => report.files.push(file),
            Ok(PinOutcome::Skipped(skipped)) => report.skipped.push(skipped),
            Ok(PinOutcome::NotDownloadable(pin)) => report.not_downloadable.push(pin),
            Err(failure) => failures.push(failure),
        }
    }
    if failures.is_empty() {
        Ok(report)
    } else {
        Err(DownloadError::Pins {
            failures,
            pins: lock.pins.len(),
        })
    }
}

async fn download_pin(
    pin: &LockedPin,
    target: &Target,
    client: &IndexClient,
    options: &DownloadOptions,
) -> Result<PinOutcome, PinErrorKind> {
    if !select::marker_holds(pin, target)? {
        tracing::info!("skipping {pin}: its marker does not hold on {target}");
        return Ok(PinOutcome::Skipped(SkippedPin {
            pin: pin.to_string(),
            marker: pin
                .marker
                .as_ref()
                .and_then(MarkerTree::contents)
                .map(|contents| contents.to_string())
                .unwrap_or_default(),
        }));
    }
    if let LockedSource::Url(url) = &pin.source
        && is_vcs_url(url)
    {
        return Ok(PinOutcome::NotDownloadable(pin.to_string()));
    }
    let chosen = select::choose(pin, target, client, options.require_hashes).await?;
    let placed = place::place(&chosen, &options.dest, client).await?;
    Ok(PinOutcome::Downloaded(DownloadedFile {
        pin: pin.to_string(),
        path: placed.path,
        sha256: placed.sha256,
        size: placed.size,
        origin: placed.origin,
        verification: chosen.verification,
    }))
}

/// Whether a pin's URL names a repository (`git+…`, and the other systems pip knows).
fn is_vcs_url(url: &url::Url) -> bool {
    ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|prefix| url.scheme().starts_with(prefix))
}
