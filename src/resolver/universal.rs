//! Universal resolution: one lock for every environment `requires-python` allows.
//!
//! The forks (see `fork.rs`) are solved one after the other on the solver thread, over one
//! seam, so they share every page and metadata file fetched. A fork that must split goes on in
//! its first region (the split is made in place, in `provider.rs`) and its other regions are
//! solved later, from scratch; only a split of the root's own requirements stops the attempt
//! and starts the regions afresh. Each finished fork's versions become preferences for the
//! forks after it, so that versions agree wherever they can. The pins of
//! every fork are then merged: a pin's marker is where it is reachable (the markers of the
//! edges that lead to it, from the root, within its fork), OR-ed over the forks that chose that
//! version, simplified against `requires-python`. Versions of one package come from disjoint
//! forks, so their markers are disjoint; that is checked before the lock is written.

use std::collections::{BTreeMap, VecDeque};
use std::ops::Bound;
use std::sync::Arc;

use pep508_rs::{MarkerTree, Requirement};
use rustc_hash::{FxHashMap, FxHashSet};

use super::fork::{Fork, Scope, Universal, without_extras};
use super::merge::absorb;
use super::package::PubGrubPackage;
use super::root::RootSpec;
use super::seam::SolverHandle;
use super::{
    Attempt, FilesFor, Resolution, ResolveError, ResolveOptions, Source, add_files, drive,
    resolution_without_files, solve_scope,
};
use crate::inputs::Manifest;
use crate::types::{ExtraName, PackageName, Version};

/// How many forks one universal resolution may make. uv's largest real locks (torch with its
/// CUDA variants) stay well under it; a resolution that needs more is splitting on something
/// that changes with every environment.
const MAX_FORKS: usize = 64;

/// Resolves `manifest` for every environment `universal` covers, fetching through `source`.
///
/// # Errors
/// [`ResolveError::NoSolutionInFork`] when one fork has no solution (it names the fork);
/// [`ResolveError::TooManyForks`] past [`MAX_FORKS`]; the errors of [`super::resolve`].
pub async fn resolve_universal<S: Source>(
    manifest: &Manifest,
    universal: &Universal,
    options: &ResolveOptions,
    source: Arc<S>,
) -> Result<Resolution, ResolveError> {
    let everything = Fork::root(universal);
    let root = Arc::new(RootSpec::new(manifest, Scope::Fork(&everything), options));
    let (universal, manifest) = (universal.clone(), manifest.clone());
    drive(
        source,
        FilesFor::AnyPlatform,
        options,
        root,
        move |handle, options, root| solve_forks(handle, &universal, options, root, &manifest),
    )
    .await
}

/// [`ResolveError::TooManyForks`] once `forks` passes [`MAX_FORKS`], naming the package whose
/// split made the last of them.
fn check_fork_count(forks: usize, package: &PackageName) -> Result<(), ResolveError> {
    if forks > MAX_FORKS {
        return Err(ResolveError::TooManyForks {
            package: package.clone(),
            limit: MAX_FORKS,
        });
    }
    Ok(())
}

/// One solved fork: its region, its pins, and where in it each package is reachable.
struct Solved {
    fork: Fork,
    resolution: Resolution,
    reach: FxHashMap<PackageName, MarkerTree>,
}

fn solve_forks(
    handle: &SolverHandle,
    universal: &Universal,
    options: &ResolveOptions,
    root: &RootSpec,
    manifest: &Manifest,
) -> Result<Resolution, ResolveError> {
    let started = std::time::Instant::now();
    // A stack: the regions of a split are solved in the order the split lists them, each
    // region's own splits before its siblings.
    let mut pending: Vec<(Fork, usize)> = universal
        .starting_forks()
        .into_iter()
        .rev()
        .map(|fork| (fork, 0))
        .collect();
    let mut preferences = options.preferences.clone();
    let mut solved = Vec::new();
    let mut forks = pending.len();
    while let Some((fork, depth)) = pending.pop() {
        let fork_started = std::time::Instant::now();
        let mut fork_preferences = preferences.clone();
        for (name, version, marker) in &options.preferences_where {
            if !fork.markers.is_disjoint(marker) {
                fork_preferences.insert(name.clone(), version.clone());
            }
        }
        let fork_options = ResolveOptions {
            preferences: fork_preferences,
            ..options.clone()
        };
        match solve_scope(handle, Scope::Fork(&fork), &fork_options, root)? {
            Attempt::Split { split, deferred } => {
                forks += split.regions.len() - 1 + deferred.len();
                check_fork_count(forks, &split.package)?;
                tracing::info!(
                    "{:indent$}fork `{fork}` splits in {} ({:.1?}): {}",
                    "",
                    split.regions.len(),
                    fork_started.elapsed(),
                    split.reason,
                    indent = depth * 2,
                );
                // The older Pythons split off in place come after the split's regions.
                pending.extend(deferred.into_iter().map(|region| (region.fork, depth + 1)));
                pending.extend(
                    split
                        .regions
                        .into_iter()
                        .rev()
                        .map(|region| (region, depth + 1)),
                );
            }
            Attempt::Solved {
                selected,
                narrowed,
                deferred,
            } => {
                let fork = narrowed.unwrap_or(fork);
                forks += deferred.len();
                if let Some(last) = deferred.last() {
                    check_fork_count(forks, &last.package)?;
                }
                for region in &deferred {
                    tracing::info!(
                        "{:indent$}fork `{}` left for later (split in place by `{}`)",
                        "",
                        region.fork,
                        region.package,
                        indent = depth * 2,
                    );
                }
                tracing::info!(
                    "{:indent$}fork `{fork}` solved: {} packages ({:.1?})",
                    "",
                    selected.len(),
                    fork_started.elapsed(),
                    indent = depth * 2,
                );
                for (package, version) in &selected {
                    if let PubGrubPackage::Package(name) = package {
                        preferences
                            .entry(name.clone())
                            .or_insert_with(|| version.clone());
                    }
                }
                let scope = Scope::Fork(&fork);
                let mut graph = ForkGraph::new(root, scope);
                let resolution = resolution_without_files(
                    &selected,
                    handle,
                    scope,
                    root,
                    manifest,
                    |package, extras, dependency| graph.add(package, extras, dependency),
                )?;
                let reach = graph.reach(&selected, &fork);
                solved.push(Solved {
                    resolution,
                    reach,
                    fork,
                });
                // The older Pythons come next, the last split's first.
                pending.extend(deferred.into_iter().map(|region| (region.fork, depth + 1)));
            }
        }
    }
    tracing::info!(
        "universal: {} fork(s) solved, {forks} made, in {:.1?}",
        solved.len(),
        started.elapsed()
    );
    let mut resolution = merge_forks(universal, solved)?;
    for pin in &mut resolution.pins {
        add_files(pin, handle, root)?;
    }
    Ok(resolution)
}

/// One fork's dependency graph, with the marker of each edge (extras decided), read in the
/// same pass that makes the fork's pins (see `resolution_without_files`).
struct ForkGraph {
    edges: FxHashMap<PubGrubPackage, Vec<(PubGrubPackage, MarkerTree)>>,
}

impl ForkGraph {
    /// The graph with the root's requirements that can hold in `scope`.
    fn new(root: &RootSpec, scope: Scope<'_>) -> Self {
        let from_root = root
            .root_dependencies(scope)
            .map(|(package, _, marker)| (package.clone(), marker.clone()))
            .collect();
        Self {
            edges: FxHashMap::from_iter([(PubGrubPackage::Root, from_root)]),
        }
    }

    /// `package` (selected with `extras`) requires `dependency`.
    fn add(&mut self, package: &PubGrubPackage, extras: &[ExtraName], dependency: &Requirement) {
        let marker = without_extras(dependency.marker.clone(), extras);
        let out = self.edges.entry(package.clone()).or_default();
        out.push((
            PubGrubPackage::Package(dependency.name.clone()),
            marker.clone(),
        ));
        for extra in &dependency.extras {
            out.push((
                PubGrubPackage::Extra(dependency.name.clone(), extra.clone()),
                marker.clone(),
            ));
        }
    }

    /// Where each selected package is reachable in `fork`: the OR, over the edges into it, of
    /// the asking package's reach AND the edge's marker, from the root (which is the fork's
    /// markers). An extra leads to its package everywhere it is reached.
    fn reach(
        mut self,
        selected: &[(PubGrubPackage, Version)],
        fork: &Fork,
    ) -> FxHashMap<PackageName, MarkerTree> {
        for (package, _) in selected {
            if let PubGrubPackage::Extra(name, _) = package {
                self.edges
                    .entry(package.clone())
                    .or_default()
                    .push((PubGrubPackage::Package(name.clone()), MarkerTree::TRUE));
            }
        }
        let versions: FxHashSet<&PubGrubPackage> =
            selected.iter().map(|(package, _)| package).collect();
        let mut reach: FxHashMap<PubGrubPackage, MarkerTree> =
            FxHashMap::from_iter([(PubGrubPackage::Root, fork.markers.clone())]);
        let mut queue = VecDeque::from([PubGrubPackage::Root]);
        while let Some(node) = queue.pop_front() {
            let from = reach.get(&node).cloned().unwrap_or(MarkerTree::FALSE);
            for (to, marker) in self.edges.get(&node).into_iter().flatten() {
                if !versions.contains(to) {
                    continue;
                }
                let mut through = from.clone();
                through.and(marker.clone());
                let known = reach.entry(to.clone()).or_insert(MarkerTree::FALSE);
                let mut widened = known.clone();
                widened.or(through);
                if widened != *known {
                    *known = widened;
                    queue.push_back(to.clone());
                }
            }
        }
        reach
            .into_iter()
            .filter_map(|(package, marker)| match package {
                PubGrubPackage::Package(name) => Some((name, marker)),
                PubGrubPackage::Root | PubGrubPackage::Extra(..) => None,
            })
            .collect()
    }
}

/// The pins of every fork as one resolution, each with the marker where it applies.
fn merge_forks(universal: &Universal, solved: Vec<Solved>) -> Result<Resolution, ResolveError> {
    let mut edges = Vec::new();
    let mut grouped: BTreeMap<(PackageName, Version), (super::Pin, MarkerTree)> = BTreeMap::new();
    let floor = universal.floor();
    let simplify = |marker: MarkerTree| {
        marker.simplify_python_versions(Bound::Included(&floor), Bound::Unbounded)
    };
    let mut forks = Vec::new();
    for Solved {
        resolution,
        reach,
        fork,
    } in solved
    {
        if let Some(contents) = simplify(fork.markers).contents() {
            forks.push(contents.to_string());
        }
        edges.extend(resolution.edges);
        for pin in resolution.pins {
            let marker = reach.get(&pin.name).cloned().unwrap_or(MarkerTree::FALSE);
            match grouped.entry((pin.name.clone(), pin.version.clone())) {
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert((pin, marker));
                }
                std::collections::btree_map::Entry::Occupied(mut slot) => {
                    let (known, known_marker) = slot.get_mut();
                    absorb(known, pin);
                    known_marker.or(marker);
                }
            }
        }
    }
    // Forks share most edges: each is listed once, in the order first seen.
    let edges = {
        let mut seen = FxHashSet::default();
        let first: Vec<bool> = edges.iter().map(|edge| seen.insert(edge)).collect();
        drop(seen);
        edges
            .into_iter()
            .zip(first)
            .filter_map(|(edge, first)| first.then_some(edge))
            .collect()
    };
    // One fork is the whole universe: nothing to remember.
    if forks.len() < 2 {
        forks.clear();
    }
    let everywhere = universal.markers();
    let mut pins: Vec<(super::Pin, MarkerTree)> = grouped
        .into_values()
        .filter_map(|(mut pin, marker)| {
            let simplified = simplify(marker.clone());
            // A pin reachable nowhere the lock covers (through markers that contradict each
            // other) is left out, as uv does.
            if marker.is_disjoint(&everywhere) || simplified.is_false() {
                return None;
            }
            pin.markers = simplified
                .contents()
                .map(|contents| vec![contents.to_string()])
                .unwrap_or_default();
            Some((pin, marker))
        })
        .collect();
    check_disjoint(&pins)?;
    Ok(Resolution {
        pins: pins.drain(..).map(|(pin, _)| pin).collect(),
        edges,
        forks,
    })
}

/// The invariant of a universal lock: the versions of one package have disjoint markers, so
/// that no environment installs two of them.
fn check_disjoint(pins: &[(super::Pin, MarkerTree)]) -> Result<(), ResolveError> {
    for (index, (pin, marker)) in pins.iter().enumerate() {
        for (other, other_marker) in pins[..index]
            .iter()
            .filter(|(other, _)| other.name == pin.name)
        {
            if !marker.is_disjoint(other_marker) {
                return Err(ResolveError::Overlap {
                    name: pin.name.clone(),
                    first: other.version.clone(),
                    second: pin.version.clone(),
                });
            }
        }
    }
    Ok(())
}
