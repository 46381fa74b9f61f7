//! Several exact targets in one `resolve`: each target resolved on its own (concurrently, over
//! the compilation's one index client and cache), then merged by `resolver::merge` into pins
//! with markers.

use std::collections::HashMap;
use std::sync::Arc;

use futures::future::try_join_all;

use super::builds::{BuildNotes, target_builder};
use super::diagnostics::Failure;
use super::pipeline::resolve_current;
use super::settings::{Compilation, ResolveSettings, existing_pins_on};
use crate::index::IndexClient;
use crate::inputs::Manifest;
use crate::resolver::merge::{Merged, merge};
use crate::types::{PackageName, Version};

/// Resolves `manifest` for every target of `settings` and merges the answers. Each target
/// prefers the existing lock's pins whose markers hold there (or `preferences`, from
/// `--each --consistent`, for all of them); the targets take no preferences from each other.
pub(super) async fn resolve_targets(
    manifest: &Manifest,
    settings: &ResolveSettings,
    compilation: &Compilation,
    preferences: Option<&HashMap<PackageName, Version>>,
    client: &IndexClient,
    notes: &Arc<BuildNotes>,
) -> Result<Merged, Failure> {
    let mut runs = Vec::new();
    for named in &settings.targets {
        let mut options = settings.resolve.clone();
        options.preferences = match preferences {
            Some(given) => given.clone(),
            None => existing_pins_on(
                &compilation.options,
                &settings.output,
                &compilation.variables,
                Some(&named.target),
            )?,
        };
        let builder = target_builder(settings, client, &named.target, notes);
        runs.push(async move {
            let resolution = resolve_current(
                manifest,
                &named.target,
                &options,
                &builder,
                compilation.quiet,
            )
            .await?;
            if !compilation.quiet && preferences.is_none() {
                for pin in &resolution.pins {
                    if let Some(kept) = options.preferences.get(&pin.name)
                        && *kept != pin.version
                    {
                        eprintln!(
                            "note: `{}` moved from {kept} to {} on {}: the existing pin does not fit the requirements",
                            pin.name, pin.version, named.target
                        );
                    }
                }
            }
            Ok::<_, Failure>(resolution)
        });
    }
    let resolutions = try_join_all(runs).await?;
    let targets: Vec<_> = settings
        .targets
        .iter()
        .map(|named| named.target.clone())
        .collect();
    Ok(merge(&targets, resolutions).map_err(anyhow::Error::new)?)
}
