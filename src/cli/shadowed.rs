//! `--report-shadowed` and `--fail-on-shadowed`: which locked names more than one configured
//! index serves. Such a name is where dependency confusion happens — an index that is not the
//! one meant for it can serve it too — even when first-index took it from the right one today.
//!
//! Opt-in, because finding out means asking every index about every locked name: a public
//! index then learns the names of private packages.

use futures::future::try_join_all;

use crate::index::{IndexClient, IndexError};
use crate::resolver::{PinSource, Resolution};
use crate::types::{PackageName, RedactedUrl};
use crate::writers::ShadowedName;

/// Whether shadowed names are looked for, and what finding one does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ShadowReport {
    /// Not looked for (the default).
    #[default]
    Off,
    /// Reported on stderr and in `--format json`.
    Report,
    /// Reported, and the run fails without writing its output.
    Fail,
}

/// A locked name that several indexes serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shadowed {
    /// The package.
    pub name: PackageName,
    /// The index the lock's file was listed by.
    pub used: Option<RedactedUrl>,
    /// Every index that lists it, in priority order (explicit ones included).
    pub indexes: Vec<RedactedUrl>,
}

impl Shadowed {
    /// As the JSON document shows it.
    #[must_use]
    pub fn to_json(&self) -> ShadowedName {
        ShadowedName {
            name: self.name.to_string(),
            used: self.used.as_ref().map(ToString::to_string),
            indexes: self.indexes.iter().map(ToString::to_string).collect(),
        }
    }
}

/// The names of `resolution` that come from an index and that more than one index lists, in
/// the resolution's order. Direct URLs and local projects name no index and are not asked
/// about.
///
/// # Errors
/// When an index cannot be asked (the same failures as a resolve's).
pub async fn find_shadowed(
    resolution: &Resolution,
    client: &IndexClient,
) -> Result<Vec<Shadowed>, IndexError> {
    let mut names: Vec<(&PackageName, Option<&RedactedUrl>)> = Vec::new();
    for pin in &resolution.pins {
        if let PinSource::Registry { listed_by } = &pin.source
            && !names.iter().any(|(name, _)| *name == &pin.name)
        {
            names.push((&pin.name, listed_by.as_ref()));
        }
    }
    let listings = try_join_all(names.iter().map(|(name, _)| client.indexes_listing(name))).await?;
    Ok(names
        .into_iter()
        .zip(listings)
        .filter(|(_, indexes)| indexes.len() > 1)
        .map(|((name, used), indexes)| Shadowed {
            name: name.clone(),
            used: used.cloned(),
            indexes,
        })
        .collect())
}

/// One warning line per shadowed name, for stderr.
#[must_use]
pub fn warnings(shadowed: &[Shadowed]) -> Vec<String> {
    shadowed
        .iter()
        .map(|found| {
            let indexes: Vec<String> = found
                .indexes
                .iter()
                .map(|index| {
                    if found.used.as_ref() == Some(index) {
                        format!("{index} (locked from)")
                    } else {
                        index.to_string()
                    }
                })
                .collect();
            format!(
                "warning: `{}` is served by {} indexes: {}",
                found.name,
                found.indexes.len(),
                indexes.join(", ")
            )
        })
        .collect()
}
