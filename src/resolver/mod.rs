//! The resolver: PubGrub over the index, for one target.
//!
//! [`resolve`] takes the user's [`Manifest`], a [`Target`] and a [`Source`] and returns a
//! [`Resolution`] or an explained failure. Inside, `seam` runs the synchronous solver
//! (`provider`, a pubgrub `DependencyProvider`) on its own thread and the async fetch loop on
//! tokio; `candidates` decides which versions and files are usable on the target; `specifiers`
//! turns PEP 440 specifiers into ranges; `explain` turns a failed derivation into text.
//!
//! This module never imports the index client or the cache (it reaches them through [`Source`]),
//! and never prints.

mod candidates;
mod error;
mod explain;
pub mod fork;
pub mod merge;
mod once_map;
mod package;
mod provider;
mod resolution;
mod root;
mod seam;
mod source;
mod specifiers;
mod universal;
mod version_set;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use pubgrub::PubGrubError;
use rustc_hash::FxHashSet;

pub use candidates::{
    FilesFor, Installable, PackageSelector, PrereleaseMode, PrereleasePermission,
    ResolutionStrategy, SelectionContext, SelectionOptions, Tier, Unusable, VersionEntry,
    VersionMap, VersionOrder,
};
pub use error::ResolveError;
pub use package::PubGrubPackage;
pub use resolution::{Edge, EdgeFrom, EdgeRequirement, Pin, PinSource, Resolution};
pub use source::{MetadataOutcome, Source, SourceError};
pub use specifiers::{specifier_to_range, specifiers_to_range};

use crate::inputs::Manifest;
use crate::target::Target;
use crate::types::{ExtraName, PackageName, Version};
pub use fork::Universal;
use fork::{Scope, Split};
use provider::{Provider, root_version};
use root::RootSpec;
use seam::SolverHandle;
pub use universal::resolve_universal;

/// Options of one resolution.
#[derive(Clone, Debug, Default)]
pub struct ResolveOptions {
    /// Which versions and files may be used.
    pub selection: SelectionOptions,
    /// Versions to choose first when they are allowed: the pins of an existing lock, which
    /// pip-compile keeps unless asked to upgrade. A preference that blocks a solution is simply
    /// not chosen; the caller can compare the resolution with it to report what moved.
    pub preferences: HashMap<PackageName, Version>,
    /// Preferences that hold only where their marker does: the pins of an existing universal
    /// lock, which pins a package once per marker region. Each fork prefers those whose
    /// marker can hold in it, before `preferences`.
    pub preferences_where: Vec<(PackageName, Version, pep508_rs::MarkerTree)>,
    /// Constraints that come from options rather than files (`-P 'django<5'`): they narrow
    /// versions as `-c` lines do, but no `# via` names them (pip-compile gives them no source).
    pub upgrade_constraints: Vec<pep508_rs::Requirement>,
    /// Which versions are preferred (`--resolution`).
    pub strategy: ResolutionStrategy,
}

/// Resolves `manifest` for `target`, fetching through `source`.
///
/// # Errors
/// [`ResolveError::NoSolution`] when the requirements cannot all be met (with an explanation);
/// other variants when the source fails or the solver thread cannot run.
pub async fn resolve<S: Source>(
    manifest: &Manifest,
    target: &Target,
    options: &ResolveOptions,
    source: Arc<S>,
) -> Result<Resolution, ResolveError> {
    let root = Arc::new(RootSpec::new(manifest, Scope::Exact(target), options));
    let (target, manifest) = (target.clone(), manifest.clone());
    drive(
        source,
        FilesFor::Target(target.clone()),
        options,
        root,
        move |handle, options, root| solve(handle, &target, options, root, &manifest),
    )
    .await
}

/// Runs `solve` on the solver thread, with the fetch loop on this task, over one seam.
pub(crate) async fn drive<S, F>(
    source: Arc<S>,
    files: FilesFor,
    options: &ResolveOptions,
    root: Arc<RootSpec>,
    solve: F,
) -> Result<Resolution, ResolveError>
where
    S: Source,
    F: FnOnce(&SolverHandle, &ResolveOptions, &RootSpec) -> Result<Resolution, ResolveError>
        + Send
        + 'static,
{
    let (handle, fetch_loop) = seam::channel(source, files, options.clone(), Arc::clone(&root));
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    let solver = {
        let options = options.clone();
        std::thread::Builder::new()
            .name("pinwheel-solver".to_string())
            .spawn(move || {
                let result = solve(&handle, &options, &root);
                drop(handle);
                // The answer goes back before the thread ends: joining would also wait for
                // the thread's teardown (jemalloc flushing its caches), ~2% of a warm resolve.
                let _ = sender.send(result);
            })
            .map_err(ResolveError::SolverThread)?
    };
    // The loop ends when the solver drops its handle, that is when the solver is done: the
    // answer follows at once, so waiting for it blocks no longer than a join would.
    let answers = fetch_loop.run().await;
    let result = match receiver.recv() {
        Ok(result) => result,
        // No answer: the solver panicked, and the join hands the panic over (a thread that
        // ended normally sent its answer first).
        Err(_) => match solver.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => Err(ResolveError::SolverThread(std::io::Error::other(
                "the solver thread ended without an answer",
            ))),
        },
    };
    drop_in_background(answers);
    result
}

/// Frees `value` on a thread of its own. A resolve's answers are every version map and
/// metadata file it read (thousands of small allocations for a large lock); freeing them took
/// ~10% of a warm resolve, on the thread that then writes the output. A process that exits
/// first leaves the freeing to the OS.
pub(crate) fn drop_in_background<T: Send + 'static>(value: T) {
    // When no thread can be started, the closure (and `value` in it) is dropped right here.
    let spawned = std::thread::Builder::new()
        .name("pinwheel-drop".to_string())
        .spawn(move || drop(value));
    if let Err(error) = spawned {
        tracing::debug!("freed the resolver's answers inline: {error}");
    }
}

/// How many times one resolution may start again with culprits deprioritized.
const MAX_RESTARTS: usize = 3;

fn solve(
    handle: &SolverHandle,
    target: &Target,
    options: &ResolveOptions,
    root: &RootSpec,
    manifest: &Manifest,
) -> Result<Resolution, ResolveError> {
    match solve_scope(handle, Scope::Exact(target), options, root)? {
        Attempt::Solved { selected, .. } => {
            build_resolution(&selected, handle, Scope::Exact(target), root, manifest)
        }
        // Only a fork splits.
        Attempt::Split { split, .. } => Err(ResolveError::TooManyForks {
            package: split.package,
            limit: 0,
        }),
    }
}

/// What one scope's solve came to.
pub(crate) enum Attempt {
    /// PubGrub's selection.
    Solved {
        /// The versions.
        selected: Vec<(PubGrubPackage, Version)>,
        /// The fork they hold in, when Python splits narrowed it in place.
        narrowed: Option<fork::Fork>,
        /// The regions those splits left, to be solved as forks of their own.
        deferred: Vec<fork::Deferred>,
    },
    /// The fork must split first.
    Split {
        /// How (of the fork as narrowed in place: its regions cover that).
        split: Split,
        /// The regions in-place Python splits left before it, still to be solved.
        deferred: Vec<fork::Deferred>,
    },
}

/// Solves `scope`, restarting with culprits deprioritized when the solver walks (see
/// `provider::Restart`).
pub(crate) fn solve_scope(
    handle: &SolverHandle,
    scope: Scope<'_>,
    options: &ResolveOptions,
    root: &RootSpec,
) -> Result<Attempt, ResolveError> {
    let started = std::time::Instant::now();
    let mut deprioritized = FxHashSet::default();
    let known = provider::KnownDependencies::default();
    let mut attempt = 0;
    let narrowing;
    let outcome = loop {
        attempt += 1;
        let provider = Provider::new(
            handle,
            scope,
            options,
            root,
            &deprioritized,
            attempt <= MAX_RESTARTS,
            &known,
        );
        let outcome = pubgrub::resolve(&provider, PubGrubPackage::Root, root_version());
        if outcome.is_err()
            && let Some(split) = provider.take_split()
        {
            let (_, deferred) = provider.take_narrowing();
            return Ok(Attempt::Split { split, deferred });
        }
        match provider.take_restart() {
            Some(restart) if outcome.is_err() => {
                deprioritized.extend(restart.culprits);
                // Dependencies worked out in a fork narrowed in place hold only there; the
                // next attempt starts from the whole fork again.
                if matches!(scope, Scope::Fork(_)) {
                    known.borrow_mut().clear();
                }
            }
            _ => {
                narrowing = provider.take_narrowing();
                break outcome;
            }
        }
    };
    let (waited, times) = handle.waited();
    tracing::info!(
        "solver: {attempt} attempt(s) in {:.1?}, {:.1?} of it blocked on the fetch side ({times} waits)",
        started.elapsed(),
        waited,
    );
    match outcome {
        Ok(selected) => Ok(Attempt::Solved {
            selected: selected
                .into_iter()
                .map(|(package, version)| (package, version.into_version()))
                .collect(),
            narrowed: narrowing.0,
            deferred: narrowing.1,
        }),
        Err(PubGrubError::NoSolution(tree)) => {
            let explanation = explain::explain(version_set::plain_tree(&tree), handle, root);
            Err(match scope {
                Scope::Exact(_) => ResolveError::NoSolution(explanation),
                Scope::Fork(fork) => ResolveError::NoSolutionInFork {
                    fork: fork.to_string(),
                    explanation,
                },
            })
        }
        Err(PubGrubError::ErrorRetrievingDependencies {
            package,
            version,
            source,
        }) => Err(ResolveError::Fetch {
            what: format!("`{package}` {version}"),
            source,
        }),
        Err(PubGrubError::ErrorChoosingVersion { package, source }) => Err(ResolveError::Fetch {
            what: format!("`{package}`"),
            source,
        }),
        Err(PubGrubError::ErrorInShouldCancel(source)) => Err(ResolveError::Fetch {
            what: "the resolution".to_string(),
            source,
        }),
    }
}

/// Turns PubGrub's selection into pins, with hashes, dependents, origins and markers.
pub(crate) fn build_resolution(
    selected: &[(PubGrubPackage, Version)],
    handle: &SolverHandle,
    scope: Scope<'_>,
    root: &RootSpec,
    manifest: &Manifest,
) -> Result<Resolution, ResolveError> {
    let mut resolution =
        resolution_without_files(selected, handle, scope, root, manifest, |_, _, _| {})?;
    for pin in &mut resolution.pins {
        add_files(pin, handle, root)?;
    }
    Ok(resolution)
}

/// Fills in what a pin's files say: every file, the one the target installs, their hashes,
/// and where they were listed. Done once per pinned version: a universal resolution pins the
/// same version in many forks, and the files of a version are the same in all of them.
pub(crate) fn add_files(
    pin: &mut Pin,
    handle: &SolverHandle,
    root: &RootSpec,
) -> Result<(), ResolveError> {
    let name = &pin.name;
    let versions = handle
        .versions(name)
        .map_err(|source| ResolveError::Fetch {
            what: format!("`{name}`"),
            source,
        })?;
    let entry = versions.get(&pin.version);
    let files = entry
        .map(|entry| entry.files.as_slice())
        .unwrap_or_default();
    let mut hashes: Vec<_> = files.iter().filter_map(|file| file.sha256).collect();
    hashes.sort_unstable();
    hashes.dedup();
    let best = entry.and_then(VersionEntry::best_file);
    let listed_by = best
        .or_else(|| files.first())
        .and_then(|file| file.origin.listing().cloned());
    pin.source = root.pin_source(name, listed_by);
    pin.hashes = hashes;
    pin.unhashed_files = files
        .iter()
        .filter(|file| file.sha256.is_none())
        .cloned()
        .collect();
    pin.file = best.cloned();
    pin.files = files.to_vec();
    Ok(())
}

/// [`build_resolution`] without the files of each pin (see [`add_files`]): the versions,
/// extras, dependents, origins and edges. `visit` sees each selected package's requirements
/// that hold in `scope` (with the extras it was selected with) as they are read, so that a
/// universal fork builds its reachability from the same pass.
pub(crate) fn resolution_without_files(
    selected: &[(PubGrubPackage, Version)],
    handle: &SolverHandle,
    scope: Scope<'_>,
    root: &RootSpec,
    manifest: &Manifest,
    mut visit: impl FnMut(&PubGrubPackage, &[ExtraName], &pep508_rs::Requirement),
) -> Result<Resolution, ResolveError> {
    let mut pins: BTreeMap<PackageName, Pin> = BTreeMap::new();
    for (package, version) in selected {
        let PubGrubPackage::Package(name) = package else {
            continue;
        };
        pins.insert(
            name.clone(),
            Pin {
                name: name.clone(),
                version: version.clone(),
                extras: BTreeSet::new(),
                source: PinSource::Registry { listed_by: None },
                hashes: Vec::new(),
                unhashed_files: Vec::new(),
                file: None,
                files: Vec::new(),
                dependents: BTreeSet::new(),
                origins: BTreeSet::new(),
                markers: Vec::new(),
                attestations: Vec::new(),
            },
        );
    }
    let mut edges = Vec::new();
    // An edge is listed once even when an extra of the same package repeats it: the package
    // and its extras read the same metadata, so a repeat is the same requirement, at the same
    // address (and an override line replacing requirements is one too). Comparing addresses
    // spared formatting, cloning and hashing every edge of every fork.
    let mut seen_edges: FxHashSet<(&PackageName, *const pep508_rs::Requirement)> =
        FxHashSet::default();
    for (package, version) in selected {
        let (name, extras) = match package {
            PubGrubPackage::Root => continue,
            PubGrubPackage::Package(name) => (name, Vec::new()),
            PubGrubPackage::Extra(name, extra) => {
                if let Some(pin) = pins.get_mut(name) {
                    pin.extras.insert(extra.clone());
                }
                (name, vec![extra.clone()])
            }
        };
        let outcome =
            handle
                .usable_metadata(name, version)
                .map_err(|source| ResolveError::Fetch {
                    what: format!("`{name}` {version}"),
                    source,
                })?;
        let MetadataOutcome::Available(metadata) = outcome else {
            continue;
        };
        for dependency in root.dependencies_of(&metadata, scope, &extras) {
            visit(package, &extras, dependency);
            if &dependency.name == name {
                continue;
            }
            if let Some(pin) = pins.get_mut(&dependency.name) {
                pin.dependents.insert(name.clone());
                if seen_edges.insert((name, std::ptr::from_ref(dependency))) {
                    edges.push(Edge {
                        from: EdgeFrom::Package {
                            name: name.clone(),
                            version: version.clone(),
                        },
                        to: dependency.name.clone(),
                        requirement: EdgeRequirement::Declared(dependency.clone()),
                    });
                }
            }
        }
    }
    let applies =
        |entry: &&crate::inputs::InputRequirement| scope.applies(&entry.requirement.marker, &[]);
    let mut input_edges = Vec::new();
    for entry in manifest
        .requirements
        .iter()
        .chain(&manifest.constraints)
        .filter(applies)
    {
        if let Some(pin) = pins.get_mut(&entry.requirement.name) {
            pin.origins.insert(entry.origin.clone());
            input_edges.push(Edge {
                from: EdgeFrom::Input(entry.origin.clone()),
                to: entry.requirement.name.clone(),
                requirement: EdgeRequirement::Written(entry.text.clone()),
            });
            if let Some(marker) = entry.marker_text()
                && !pin.markers.iter().any(|known| known == marker)
            {
                pin.markers.push(marker.to_string());
            }
        }
    }
    // An override line that was applied is a source of its pin (uv's `# via --override FILE`);
    // its marker only chose the line, so it is not copied onto the pin.
    for entry in manifest.overrides.iter().filter(applies) {
        if let Some(pin) = pins.get_mut(&entry.requirement.name) {
            pin.origins.insert(entry.origin.clone());
        }
    }
    input_edges.append(&mut edges);
    Ok(Resolution {
        pins: pins.into_values().collect(),
        edges: input_edges,
        forks: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
