//! Telling the user, once per project, that its published metadata was read repaired.
//!
//! A project whose old releases carry a broken `Requires-Dist` line (django-elasticsearch-dsl
//! 7.1–7.2 all declare `elasticsearch-dsl (>=7.0.0<8.0.0)`) may have dozens of versions read
//! in one resolve; one warning says it, the rest are logged at debug level.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use super::FetchedMetadata;
use crate::types::PackageName;

/// The projects whose repaired metadata was reported in this run.
#[derive(Debug, Default)]
pub(crate) struct RepairReports {
    reported: Mutex<HashSet<PackageName>>,
}

impl RepairReports {
    /// Warns about the repairs in `outcome`, unless its project has been warned about already.
    pub(crate) fn note(&self, outcome: &FetchedMetadata) {
        let FetchedMetadata::Available(metadata) = outcome else {
            return;
        };
        if metadata.repairs.is_empty() {
            return;
        }
        let first = self
            .reported
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(metadata.name.clone());
        let repairs: Vec<String> = metadata.repairs.iter().map(ToString::to_string).collect();
        if first {
            tracing::warn!(
                "{} {} publishes invalid requirements, read repaired: {}",
                metadata.name,
                metadata.version,
                repairs.join("; ")
            );
        } else {
            tracing::debug!(
                "{} {}: read repaired: {}",
                metadata.name,
                metadata.version,
                repairs.join("; ")
            );
        }
    }
}
