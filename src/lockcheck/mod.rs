//! Checking a lock against targets: is every pin installable, as locked, on each target?
//!
//! [`check_lock`] fetches the index page of every pinned project once, all concurrently through
//! one [`IndexClient`] (which bounds requests in flight and uses the cache), computes the sha256
//! of files the index lists without one when a pin's hashes must be compared with them, and then
//! judges each pin on each target without further IO (`evaluate.rs`). The result is a typed
//! [`CheckReport`]; this module prints nothing.
//!
//! - `status.rs`: what was found ([`Status`]) and how much it matters ([`Outcome`]);
//! - `evaluate.rs`: the verdict for one pin on one target.

mod evaluate;
mod status;

use std::collections::{BTreeSet, HashMap};

use futures::future::try_join_all;

use crate::index::{IndexClient, IndexError};
use crate::lockfile::{Lock, LockedPin};
use crate::target::Target;
use crate::types::{PackageName, ProjectFiles, Version};

pub use status::{HashMismatch, Missing, MissingWheel, Outcome, SdistPolicy, Status};

/// How a check judges what it finds.
#[derive(Clone, Copy, Debug, Default)]
pub struct CheckOptions {
    /// Whether an sdist-only pin warns or fails.
    pub sdist: SdistPolicy,
}

/// Why a check could not be carried out (as opposed to a pin failing it).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// A project page could not be fetched.
    #[error("cannot fetch the index page of `{name}`")]
    Project {
        /// The project.
        name: PackageName,
        /// The cause.
        #[source]
        source: IndexError,
    },
    /// A file the index lists without a hash could not be hashed.
    #[error("cannot compute the sha256 of `{file}` to compare it with the lock's hashes")]
    Hash {
        /// The file name.
        file: String,
        /// The cause.
        #[source]
        source: IndexError,
    },
}

/// The result of checking one lock on some targets.
#[derive(Clone, Debug)]
pub struct CheckReport {
    targets: Vec<Target>,
    pins: Vec<PinReport>,
    options: CheckOptions,
}

/// One pin's statuses, one per target.
#[derive(Clone, Debug)]
pub struct PinReport {
    pin: LockedPin,
    statuses: Vec<Status>,
}

/// Counts over every (pin, target) cell of a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Cells that pass.
    pub passed: usize,
    /// Cells that pass with a warning.
    pub warnings: usize,
    /// Cells that fail.
    pub failures: usize,
    /// Cells not checked (marker false, direct URL).
    pub not_checked: usize,
}

impl CheckReport {
    /// The targets checked, in the order the statuses of each pin follow.
    #[must_use]
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// One report per pin, in lock order.
    #[must_use]
    pub fn pins(&self) -> &[PinReport] {
        &self.pins
    }

    /// The options the check ran with.
    #[must_use]
    pub fn options(&self) -> CheckOptions {
        self.options
    }

    /// How `status` counts under this check's options.
    #[must_use]
    pub fn outcome(&self, status: &Status) -> Outcome {
        status.outcome(self.options.sdist)
    }

    /// The counts of every outcome.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for status in self.pins.iter().flat_map(|pin| &pin.statuses) {
            match self.outcome(status) {
                Outcome::Pass => summary.passed += 1,
                Outcome::Warning => summary.warnings += 1,
                Outcome::Failure => summary.failures += 1,
                Outcome::NotChecked => summary.not_checked += 1,
            }
        }
        summary
    }

    /// Whether no pin fails on any target.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.summary().failures == 0
    }
}

impl PinReport {
    /// The pin as the lock wrote it.
    #[must_use]
    pub fn pin(&self) -> &LockedPin {
        &self.pin
    }

    /// The status on each target, in the order of [`CheckReport::targets`].
    #[must_use]
    pub fn statuses(&self) -> &[Status] {
        &self.statuses
    }
}

/// Checks every pin of `lock` on every target.
///
/// # Errors
/// When a project page cannot be fetched, or a file the index lists without a hash cannot be
/// hashed (network failures, `--offline` cache misses). A pin that is not installable is not
/// an error: it is a failing [`Status`] in the report.
pub async fn check_lock(
    lock: &Lock,
    targets: &[Target],
    client: &IndexClient,
    options: CheckOptions,
) -> Result<CheckReport, CheckError> {
    let mut projects = fetch_projects(lock, client).await?;
    complete_digests(lock, &mut projects, client).await?;
    let pins = lock
        .pins
        .iter()
        .map(|pin| PinReport {
            pin: pin.clone(),
            statuses: targets
                .iter()
                .map(|target| evaluate::evaluate(pin, projects.get(&pin.name), target))
                .collect(),
        })
        .collect();
    Ok(CheckReport {
        targets: targets.to_vec(),
        pins,
        options,
    })
}

/// The files of every project pinned by version, each page fetched once and all at once.
async fn fetch_projects(
    lock: &Lock,
    client: &IndexClient,
) -> Result<HashMap<PackageName, ProjectFiles>, CheckError> {
    let names: BTreeSet<&PackageName> = lock
        .pins
        .iter()
        .filter(|pin| pin.version().is_some())
        .map(|pin| &pin.name)
        .collect();
    let pages = try_join_all(names.into_iter().map(|name| async move {
        client
            .project(name)
            .await
            .map(|files| (name.clone(), files))
            .map_err(|source| CheckError::Project {
                name: name.clone(),
                source,
            })
    }))
    .await?;
    Ok(pages.into_iter().collect())
}

/// Fills in the sha256 of files the index listed without one, for the versions whose pins have
/// hashes to compare (from the cache when computed before, else by downloading the file):
/// without them a correct hash would look unknown.
async fn complete_digests(
    lock: &Lock,
    projects: &mut HashMap<PackageName, ProjectFiles>,
    client: &IndexClient,
) -> Result<(), CheckError> {
    let hashed: BTreeSet<(&PackageName, &Version)> = lock
        .pins
        .iter()
        .filter(|pin| !pin.hashes.is_empty())
        .filter_map(|pin| Some((&pin.name, pin.version()?)))
        .collect();
    let unhashed: Vec<(PackageName, usize)> = projects
        .iter()
        .flat_map(|(name, project)| {
            project
                .files
                .iter()
                .enumerate()
                .filter(|(_, file)| {
                    file.sha256.is_none() && hashed.contains(&(name, file.dist.version()))
                })
                .map(|(index, _)| (name.clone(), index))
        })
        .collect();
    let digests = try_join_all(unhashed.iter().map(|(name, index)| {
        let file = projects
            .get(name)
            .and_then(|project| project.files.get(*index));
        async move {
            let Some(file) = file else { return Ok(None) };
            client
                .file_sha256(file)
                .await
                .map(Some)
                .map_err(|source| CheckError::Hash {
                    file: file.filename.clone(),
                    source,
                })
        }
    }))
    .await?;
    for ((name, index), digest) in unhashed.iter().zip(digests) {
        if let Some(file) = projects
            .get_mut(name)
            .and_then(|project| project.files.get_mut(*index))
        {
            file.sha256 = digest;
        }
    }
    Ok(())
}
