//! Several exact targets in one `resolve`: each target resolved on its own (the first alone,
//! then the others concurrently, over the compilation's one index client and cache), then
//! merged by `resolver::merge` into pins with markers.

use std::collections::HashMap;
use std::sync::Arc;

use futures::future::try_join_all;

use super::builds::{BuildNotes, target_builder};
use super::diagnostics::Failure;
use super::pipeline::resolve_current;
use super::settings::{Compilation, NamedTarget, ResolveSettings, existing_pins_on};
use crate::index::IndexClient;
use crate::inputs::Manifest;
use crate::resolver::Resolution;
use crate::resolver::merge::{Merged, distinguishable, merge};
use crate::types::{PackageName, Version};

/// What every target's resolution shares.
struct Pass<'a> {
    manifest: &'a Manifest,
    settings: &'a ResolveSettings,
    compilation: &'a Compilation,
    client: &'a IndexClient,
    notes: &'a Arc<BuildNotes>,
}

/// Resolves `manifest` for every target of `settings` and merges the answers. Each target
/// prefers the existing lock's pins whose markers hold there (or `preferences`, from
/// `--each --consistent`, for all of them); the targets take no preferences from each other,
/// except with `--consistent`: then a second pass gives every target the lowest version any
/// target chose of each package as its preference, so that a package gets one version
/// wherever every target allows it (the lowest, because a newer one was left out by some
/// target for a reason: a missing wheel, its `Requires-Python`).
pub(super) async fn resolve_targets(
    manifest: &Manifest,
    settings: &ResolveSettings,
    compilation: &Compilation,
    preferences: Option<&HashMap<PackageName, Version>>,
    client: &IndexClient,
    notes: &Arc<BuildNotes>,
) -> Result<Merged, Failure> {
    let targets: Vec<_> = settings
        .targets
        .iter()
        .map(|named| named.target.clone())
        .collect();
    distinguishable(&targets).map_err(anyhow::Error::new)?;
    let pass = Pass {
        manifest,
        settings,
        compilation,
        client,
        notes,
    };
    let mut per_target = Vec::new();
    for named in &settings.targets {
        per_target.push(match preferences {
            Some(given) => given.clone(),
            None => existing_pins_on(
                &compilation.options,
                &settings.output,
                &compilation.variables,
                Some(&named.target),
            )?,
        });
    }
    let note_moves = !compilation.quiet && preferences.is_none();
    let mut resolutions = resolve_pass(&pass, per_target, note_moves).await?;
    if compilation.consistent_targets {
        let mut lowest: HashMap<PackageName, Version> = HashMap::new();
        for pin in resolutions.iter().flat_map(|resolution| &resolution.pins) {
            lowest
                .entry(pin.name.clone())
                .and_modify(|known| {
                    if pin.version < *known {
                        known.clone_from(&pin.version);
                    }
                })
                .or_insert_with(|| pin.version.clone());
        }
        let shared = vec![lowest; settings.targets.len()];
        resolutions = resolve_pass(&pass, shared, false).await?;
    }
    Ok(merge(&targets, resolutions).map_err(anyhow::Error::new)?)
}

/// One resolution per target, target `i` preferring `preferences[i]`; with `note_moves`, says
/// which preferred versions a target could not keep. The first target is resolved alone, then
/// the others concurrently: they need mostly the same pages and metadata, which the first
/// leaves in the cache, so a cold run fetches them once instead of once per target (six
/// targets of `jupyter.in` at once sent 930 requests, against 196 for one).
async fn resolve_pass(
    pass: &Pass<'_>,
    preferences: Vec<HashMap<PackageName, Version>>,
    note_moves: bool,
) -> Result<Vec<Resolution>, Failure> {
    let mut runs: Vec<_> = pass
        .settings
        .targets
        .iter()
        .zip(preferences)
        .map(|(named, preferences)| resolve_one(pass, named, preferences, note_moves))
        .collect();
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    let first = runs.remove(0).await?;
    let mut resolutions = vec![first];
    resolutions.extend(try_join_all(runs).await?);
    Ok(resolutions)
}

/// The resolution of `named`, preferring `preferences`.
async fn resolve_one(
    pass: &Pass<'_>,
    named: &NamedTarget,
    preferences: HashMap<PackageName, Version>,
    note_moves: bool,
) -> Result<Resolution, Failure> {
    let mut options = pass.settings.resolve.clone();
    options.preferences = preferences;
    let builder = target_builder(pass.settings, pass.client, &named.target, pass.notes);
    let resolution = resolve_current(
        pass.manifest,
        &named.target,
        &options,
        &builder,
        pass.compilation.quiet,
    )
    .await?;
    if note_moves {
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
    Ok(resolution)
}
