//! The settings of `cache prune`, and package names typed on the command line.

use std::str::FromStr;

use anyhow::{Context as _, Result};

use crate::cache::maintenance::PruneLimits;
use crate::cli::units::{parse_duration, parse_size};
use crate::types::PackageName;

/// `cache prune`'s limits, from `--max-size` and `--older-than`.
pub fn prune_limits(max_size: Option<&str>, older_than: Option<&str>) -> Result<PruneLimits> {
    Ok(PruneLimits {
        max_size: max_size
            .map(|text| parse_size(text).with_context(|| format!("invalid `--max-size {text}`")))
            .transpose()?,
        older_than: older_than
            .map(|text| {
                parse_duration(text).with_context(|| format!("invalid `--older-than {text}`"))
            })
            .transpose()?,
    })
}

/// Package names given on the command line, normalised.
pub fn package_names(names: &[String]) -> Result<Vec<PackageName>> {
    names
        .iter()
        .map(|name| {
            PackageName::from_str(name).with_context(|| format!("invalid package name `{name}`"))
        })
        .collect()
}
