//! The PubGrub `DependencyProvider`: version choice, priorities and dependencies.
//!
//! This file runs on the solver thread and is synchronous: it imports no tokio. Every fact it
//! needs from outside comes from the [`SolverHandle`], which blocks until the fetch loop has it.

use std::cell::RefCell;
use std::cmp::Reverse;

use pep508_rs::VersionOrUrl;
use pubgrub::{Dependencies, DependencyProvider, PackageResolutionStatistics, Ranges};
use rustc_hash::{FxHashMap, FxHashSet};

use super::ResolveOptions;
use super::fork::{
    Deferred, Fork, Requested, Scope, Split, python_floor, python_marker, split_at_python,
    split_for, without_extras,
};
use super::package::PubGrubPackage;
use super::root::RootSpec;
use super::seam::SolverHandle;
use super::source::{MetadataOutcome, SourceError};
use super::specifiers::{pinned_version, specifiers_to_range};
use super::version_set::{Listed, SolverVersion, VersionSet, solver_dependencies};
use crate::types::{ExtraName, PackageName, Version};

/// Why a version whose only file is an sdist with dynamic metadata cannot be used.
pub(crate) const NEEDS_BUILD: &str =
    "has only a source distribution whose metadata is dynamic, and builds are off (`--no-build`)";

/// How eagerly a package is decided: larger first. Pinned packages go first (they cannot cause
/// backtracking), then packages that keep conflicting, then the rest in discovery order, which
/// gives a breadth-first walk of the graph, and last the culprits of an earlier attempt
/// ([`Restart`]).
pub(crate) type Priority = (u8, Reverse<usize>);

/// After this many conflicts a package is decided before undiscovered ones, so that the solver
/// settles the packages that really disagree early (the same heuristic uv uses).
const CONFLICT_THRESHOLD: u32 = 5;

/// Once the solver has chosen this many versions of one package, it is backtracking through
/// them: the metadata of the next candidates is fetched in parallel ([`backtrack_window`]).
const BACKTRACK_AFTER: usize = 2;

/// How many candidates past the current one to prefetch once a package has been chosen
/// `choices` times: 10 at first, growing by 2 a choice up to 20. PubGrub often backjumps past
/// a window rather than walking it, so bigger windows mostly fetch what is never used:
/// apache-airflow[all] cold made 16,270 requests (45.8 s) with windows growing to 50, and
/// 9,273 (33.8 s) with this; deep walks (starlette-fastapi.in, sentry.in) stay at 1.1 and
/// 0.6 s. The index client bounds how many requests are in flight either way.
fn backtrack_window(choices: usize) -> usize {
    choices.saturating_mul(2).clamp(10, 20)
}

/// A walk asks for the next window every this many choices, not at each: the window (10 or
/// more) still reaches past the versions in between, and each request wakes the fetch loop's
/// thread (a tenth of a warm boto3.in resolve's time when sent at every choice).
const PREFETCH_EVERY: usize = 4;

/// After this many versions of one package, the solver looks for a culprit (see [`Restart`]).
const RESTART_AFTER: usize = 5;

/// Once the solver has chosen this many versions of one package, the versions it chooses carry
/// the package's [`Listed`] versions, so that the sets it derives stay one segment per run of
/// versions rather than one per version passed (see `version_set`). Short walks are left as
/// they were: the list costs a parse of every version on the page.
const LISTED_AFTER: usize = 8;

/// The solver is walking down one package's versions because of a decision it made earlier and
/// will not revisit: apache-airflow[amazon,postgres] decides python-dateutil 3.0.0 before it
/// meets botocore, every botocore requires `python-dateutil<3`, and PubGrub tried all 610
/// botocore versions (8 s of metadata fetches) before undoing python-dateutil. PubGrub's
/// `resolve` cannot be told to backjump, so the resolution stops and starts again with the
/// culprits — dependencies whose chosen version the walked package's versions all exclude —
/// decided last, after the packages that constrain them. The second attempt reuses every page and
/// metadata file already fetched.
#[derive(Debug, thiserror::Error)]
#[error("restarting: {walked} kept conflicting with {}", culprits.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
pub(crate) struct Restart {
    /// The package whose versions were being walked.
    pub(crate) walked: PackageName,
    /// The packages to decide last next time.
    pub(crate) culprits: Vec<PackageName>,
}

/// The versions of one package (or its extras: they share the base's version) the solver chose
/// in one attempt.
#[derive(Debug, Default)]
struct Walk {
    /// How many times a version was chosen, the same one again included.
    choices: usize,
    last: Option<Version>,
    /// The version chosen before `last` (which may be `last` again).
    before_last: Option<Version>,
}

impl Walk {
    /// Records a choice; whether it moved from one version to another. Choosing the version
    /// chosen last again (after a backjump, or for an extra of the package) is not a step down
    /// the versions: counting it as one prefetched ten older versions of every package decided
    /// twice, and made apache-airflow's cold resolve send 9,770 requests instead of 2,631.
    fn choose(&mut self, version: &Version) -> bool {
        self.choices += 1;
        let moved = self.last.as_ref().is_some_and(|last| last != version);
        self.before_last = self.last.replace(version.clone());
        moved
    }
}

/// The error that stops an attempt which asked to [`Restart`] (the reason is in the provider).
#[derive(Debug, thiserror::Error)]
#[error("the resolution restarts")]
struct RestartRequested;

/// The error that stops a fork's attempt which found it must [`Split`] (the split is in the
/// provider).
#[derive(Debug, thiserror::Error)]
#[error("the fork splits")]
struct SplitRequested;

pub(crate) struct Provider<'a> {
    handle: &'a SolverHandle,
    scope: Scope<'a>,
    options: &'a ResolveOptions,
    root: &'a RootSpec,
    discovery: RefCell<FxHashMap<PackageName, usize>>,
    /// The versions of each package chosen so far in this attempt.
    walks: RefCell<FxHashMap<PackageName, Walk>>,
    /// The listed versions of the packages walked furthest ([`LISTED_AFTER`]).
    lists: RefCell<FxHashMap<PackageName, std::sync::Arc<Listed>>>,
    /// Packages to decide last: culprits found by earlier attempts.
    deprioritized: &'a FxHashSet<PackageName>,
    /// Whether this attempt may stop to restart.
    may_restart: bool,
    /// Set when this attempt stopped to restart.
    restart: RefCell<Option<Restart>>,
    /// Dependencies already worked out, kept across attempts.
    known: &'a KnownDependencies,
    /// Set when this attempt stopped because its fork must split.
    split: RefCell<Option<Split>>,
    /// The fork's required targets (`--required-platform`), made on first use.
    required: RefCell<Option<Vec<crate::target::Target>>>,
    /// The fork as narrowed by Python splits made in place (see [`Provider::choose_in_fork`]).
    narrowed: RefCell<Option<Fork>>,
    /// The regions those splits left for later forks.
    deferred: RefCell<Vec<Deferred>>,
}

/// The scope an attempt is in right now: a fork may have been narrowed since it started.
pub(crate) enum Current<'a> {
    Exact(&'a crate::target::Target),
    Fork(Fork),
}

impl Current<'_> {
    pub(crate) fn scope(&self) -> Scope<'_> {
        match self {
            Self::Exact(target) => Scope::Exact(target),
            Self::Fork(fork) => Scope::Fork(fork),
        }
    }
}

/// The dependencies of each package version, kept across the attempts of one resolution: a
/// restart decides mostly the same versions again, and working out their dependencies
/// (markers evaluated, specifiers turned into ranges, duplicates merged) was a third of the
/// solver thread's time on home-assistant's four attempts.
pub(crate) type KnownDependencies =
    RefCell<FxHashMap<(PubGrubPackage, Version), Dependencies<PubGrubPackage, VersionSet, String>>>;

impl<'a> Provider<'a> {
    pub(crate) fn new(
        handle: &'a SolverHandle,
        scope: Scope<'a>,
        options: &'a ResolveOptions,
        root: &'a RootSpec,
        deprioritized: &'a FxHashSet<PackageName>,
        may_restart: bool,
        known: &'a KnownDependencies,
    ) -> Self {
        Self {
            handle,
            scope,
            options,
            root,
            discovery: RefCell::new(FxHashMap::default()),
            walks: RefCell::new(FxHashMap::default()),
            lists: RefCell::new(FxHashMap::default()),
            deprioritized,
            may_restart,
            restart: RefCell::new(None),
            known,
            split: RefCell::new(None),
            required: RefCell::new(None),
            narrowed: RefCell::new(None),
            deferred: RefCell::new(Vec::new()),
        }
    }

    /// The scope now: the fork as narrowed so far, or the target.
    fn current(&self) -> Current<'a> {
        if let Some(fork) = self.narrowed.borrow().as_ref() {
            return Current::Fork(fork.clone());
        }
        match self.scope {
            Scope::Exact(target) => Current::Exact(target),
            Scope::Fork(fork) => Current::Fork(fork.clone()),
        }
    }

    /// The fork this attempt ended in (narrowed by in-place Python splits), and the regions
    /// those splits left for later forks.
    pub(crate) fn take_narrowing(&self) -> (Option<Fork>, Vec<Deferred>) {
        (
            self.narrowed.borrow_mut().take(),
            std::mem::take(&mut *self.deferred.borrow_mut()),
        )
    }

    /// The split this attempt stopped for, if it did.
    pub(crate) fn take_split(&self) -> Option<Split> {
        self.split.borrow_mut().take()
    }

    /// Stops the attempt: its fork must split.
    fn request_split(&self, split: Split) -> SourceError {
        tracing::debug!("fork {}: {}", self.fork_text(), split.reason);
        *self.split.borrow_mut() = Some(split);
        SourceError::new(SplitRequested)
    }

    fn fork_text(&self) -> String {
        match self.current() {
            Current::Fork(fork) => fork.to_string(),
            Current::Exact(target) => target.to_string(),
        }
    }

    /// The version to take in `fork` when `chosen` is what the solver would take ignoring
    /// Python: the candidates are walked in order, and the first whose `Requires-Python` the
    /// fork's oldest Python fails but a newer Python of the fork meets splits the fork there
    /// (the newer Pythons get it; uv's `--fork-strategy requires-python`); else the first
    /// candidate the whole fork can use.
    fn choose_in_fork(
        &self,
        fork: &super::fork::Fork,
        name: &PackageName,
        range: &Ranges<Version>,
        versions: &super::candidates::VersionMap,
        chosen: Option<Version>,
    ) -> Result<Option<Version>, SourceError> {
        let requires_python = |candidate: &Version| {
            versions
                .get(candidate)
                .and_then(|entry| entry.requires_python.as_ref())
                .filter(|requires_python| !Scope::Fork(fork).allows_python(requires_python))
        };
        if chosen.as_ref().and_then(requires_python).is_none() {
            return Ok(chosen);
        }
        let usable = |candidate: &Version| requires_python(candidate).is_none();
        let fallback = self
            .root
            .choose_where(name, range, versions, self.options, &usable);
        // The candidates ahead of the fallback, newest first (a preferred version from an
        // earlier fork included).
        let ahead = chosen.into_iter().chain(self.root.candidates_until(
            name,
            range,
            versions,
            self.options,
            fallback.as_ref(),
        ));
        for candidate in ahead {
            if let Some(at) = requires_python(&candidate)
                .and_then(|requires_python| python_floor(&python_marker(requires_python)))
                && let Some(split) = split_at_python(fork, name, &at)
            {
                // Split in place: this attempt goes on in the newer Pythons, where the
                // candidate fits and every decision so far still holds (none of them had a
                // Python problem, or it would have split here first); the older Pythons are a
                // fork of their own, solved later. uv forks at this point too, without
                // starting again.
                tracing::debug!("fork {}: {}", self.fork_text(), split.reason);
                let mut regions = split.regions.into_iter();
                if let (Some(newer), Some(older)) = (regions.next(), regions.next()) {
                    // The older Pythons will most likely take the fallback: its metadata is
                    // read while this attempt goes on.
                    if let Some(fallback) = &fallback {
                        self.handle.prefetch_version(name, fallback);
                    }
                    *self.narrowed.borrow_mut() = Some(newer);
                    self.deferred.borrow_mut().push(Deferred {
                        fork: older,
                        package: name.clone(),
                    });
                    *self.required.borrow_mut() = None;
                    return Ok(Some(candidate));
                }
            }
        }
        Ok(fallback)
    }

    /// The first required platform of `fork` that no file of `entry` installs on: no wheel
    /// for it and no sdist (that may be used).
    fn missing_platform(
        &self,
        fork: &super::fork::Fork,
        name: &PackageName,
        entry: &super::candidates::VersionEntry,
    ) -> Option<crate::target::Target> {
        if fork.platforms.is_empty() || entry.files.is_empty() {
            return None;
        }
        let selection = &self.options.selection;
        let sdist = !selection.only_binary.contains(name)
            && entry.files.iter().any(|file| !file.dist.is_wheel());
        if sdist {
            return None;
        }
        let mut required = self.required.borrow_mut();
        required
            .get_or_insert_with(|| fork.required_targets())
            .iter()
            .find(|target| {
                !entry.files.iter().any(|file| match &file.dist {
                    crate::types::DistFilename::Wheel(wheel) => {
                        !selection.no_binary.contains(name)
                            && target.wheel_priority(&wheel.tag).is_some()
                    }
                    crate::types::DistFilename::Sdist(_) => false,
                })
            })
            .cloned()
    }

    /// In a fork, the split `requirements` call for (see [`split_for`]).
    fn split_needed(&self, requirements: &[Requested<'_>]) -> Option<Split> {
        match self.current() {
            Current::Fork(fork) => split_for(&fork, requirements),
            Current::Exact(_) => None,
        }
    }

    /// Why this attempt stopped early, if it stopped to restart.
    pub(crate) fn take_restart(&self) -> Option<Restart> {
        self.restart.borrow_mut().take()
    }

    /// The dependencies of `name`'s previously chosen version whose range excludes the version
    /// chosen last for them: what keeps rejecting `name`'s versions. Empty when that is unclear,
    /// or when they are all deprioritized already or pinned by the inputs.
    fn culprits(&self, name: &PackageName) -> Vec<PackageName> {
        let previous = {
            let walks = self.walks.borrow();
            match walks.get(name).and_then(|walk| walk.before_last.clone()) {
                Some(previous) => previous,
                None => return Vec::new(),
            }
        };
        let Ok(Dependencies::Available(constraints)) = self.dependencies_of(name, &previous, None)
        else {
            return Vec::new();
        };
        let walks = self.walks.borrow();
        constraints
            .iter()
            .filter_map(|(package, range)| {
                let PubGrubPackage::Package(dependency) = package else {
                    return None;
                };
                let last = walks.get(dependency)?.last.as_ref()?;
                // Deprioritizing a package the inputs pin to one version would restart into
                // the same walk: home-assistant's pubnub walks because `httpx==0.25.0`.
                (!range.contains(last)
                    && !self.deprioritized.contains(dependency)
                    && !self.root.allows_one_version(dependency))
                .then(|| dependency.clone())
            })
            .collect()
    }

    fn discovery_index(&self, name: &PackageName) -> usize {
        let mut discovery = self.discovery.borrow_mut();
        let next = discovery.len();
        *discovery.entry(name.clone()).or_insert(next)
    }

    /// The dependencies of `name` at `version` with `extra` active (or none), or why the version
    /// cannot be used.
    fn dependencies_of(
        &self,
        name: &PackageName,
        version: &Version,
        extra: Option<&ExtraName>,
    ) -> Result<Dependencies<PubGrubPackage, Ranges<Version>, String>, SourceError> {
        let versions = self.handle.versions(name)?;
        if let Some(Err(unusable)) = versions.get(version).map(|entry| &entry.best) {
            return Ok(Dependencies::Unavailable(unusable.to_string()));
        }
        let current = self.current();
        let scope = current.scope();
        if let Some(requires_python) = versions
            .get(version)
            .and_then(|entry| entry.requires_python.as_ref())
            && !scope.allows_python(requires_python)
        {
            return Ok(Dependencies::Unavailable(format!(
                "requires Python {requires_python}"
            )));
        }
        if let (Scope::Fork(fork), Some(entry)) = (scope, versions.get(version))
            && let Some(missing) = self.missing_platform(fork, name, entry)
        {
            return Ok(Dependencies::Unavailable(format!(
                "has no wheel for {missing} (`--required-platform`) and no sdist"
            )));
        }
        let metadata = match self.handle.usable_metadata(name, version)? {
            MetadataOutcome::Available(metadata) => metadata,
            MetadataOutcome::Unavailable(reason) => return Ok(Dependencies::Unavailable(reason)),
            MetadataOutcome::NeedsBuild => {
                return Ok(Dependencies::Unavailable(NEEDS_BUILD.to_string()));
            }
        };
        if let Some(requires_python) = &metadata.requires_python
            && !scope.allows_python(requires_python)
        {
            return Ok(Dependencies::Unavailable(format!(
                "requires Python {requires_python}"
            )));
        }
        let mut constraints: Vec<(PubGrubPackage, Ranges<Version>)> = Vec::new();
        if let Some(extra) = extra {
            // An extra is the base package at the same version plus the extra's requirements.
            constraints.push((
                PubGrubPackage::Package(name.clone()),
                Ranges::singleton(version.clone()),
            ));
            if !metadata.provides_extra.contains(extra) {
                tracing::debug!("{name} {version} does not provide the extra `{extra}`");
            }
        }
        let extras: &[ExtraName] = extra.map(std::slice::from_ref).unwrap_or_default();
        let dependencies = self.root.dependencies_of(&metadata, scope, extras);
        // Only a package named twice can split a fork; most packages name none twice.
        let mut names = FxHashSet::default();
        let repeats = dependencies
            .iter()
            .any(|dependency| !names.insert(&dependency.name));
        if let Scope::Fork(_) = scope
            && repeats
        {
            let requested: Vec<Requested<'_>> = dependencies
                .iter()
                .map(|dependency| Requested {
                    name: &dependency.name,
                    range: match &dependency.version_or_url {
                        Some(VersionOrUrl::VersionSpecifier(specifiers)) => {
                            specifiers_to_range(specifiers)
                        }
                        _ => Ranges::full(),
                    },
                    marker: without_extras(dependency.marker.clone(), extras),
                })
                .collect();
            if let Some(split) = self.split_needed(&requested) {
                // Split in place, as for Python (see `choose_in_fork`): the attempt goes on in
                // the first region, where this version's requirements agree; the other
                // regions are forks of their own, solved later. In the first region every
                // requirement left holds throughout, so it does not split again.
                tracing::debug!("fork {}: {}", self.fork_text(), split.reason);
                let mut regions = split.regions.into_iter();
                if let Some(first) = regions.next() {
                    let rest: Vec<Fork> = regions.collect();
                    *self.narrowed.borrow_mut() = Some(first);
                    self.deferred
                        .borrow_mut()
                        .extend(rest.into_iter().rev().map(|fork| Deferred {
                            fork,
                            package: split.package.clone(),
                        }));
                    *self.required.borrow_mut() = None;
                    return self.dependencies_of(name, version, extra);
                }
            }
        }
        for &dependency in &dependencies {
            let range = match &dependency.version_or_url {
                None => Ranges::full(),
                Some(VersionOrUrl::VersionSpecifier(specifiers)) => specifiers_to_range(specifiers),
                Some(VersionOrUrl::Url(url)) => {
                    if !self.root.urls.contains_key(&dependency.name) {
                        return Ok(Dependencies::Unavailable(format!(
                            "depends on `{}` by URL ({url}); direct URLs are only allowed in your own requirements",
                            dependency.name
                        )));
                    }
                    Ranges::full()
                }
            };

            self.handle.prefetch(&dependency.name, &range);
            constraints.push((
                PubGrubPackage::Package(dependency.name.clone()),
                range.clone(),
            ));
            for dependency_extra in &dependency.extras {
                constraints.push((
                    PubGrubPackage::Extra(dependency.name.clone(), dependency_extra.clone()),
                    range.clone(),
                ));
            }
        }
        for dependency in self.root.elsewhere(&metadata, scope, extras) {
            if let Some(VersionOrUrl::VersionSpecifier(specifiers)) = &dependency.version_or_url {
                self.handle
                    .prefetch(&dependency.name, &specifiers_to_range(specifiers));
            } else if dependency.version_or_url.is_none() {
                self.handle.prefetch(&dependency.name, &Ranges::full());
            }
        }
        let this = match extra {
            Some(extra) => PubGrubPackage::Extra(name.clone(), extra.clone()),
            None => PubGrubPackage::Package(name.clone()),
        };
        let mut merged = merge_duplicates(constraints);
        // A requirement on the package itself (`a[x]` in a's own metadata). PubGrub keys an
        // incompatibility's terms by package, so the dependency's term would sit beside the
        // dependent's own under the same key, and the solver derived nonsense from it (the
        // oracle test caught it leaving a required package out of a solution). When this
        // version meets it, it says nothing; when not, the version cannot be used.
        if let Some(position) = merged.iter().position(|(package, _)| *package == this)
            && !merged.swap_remove(position).1.contains(version)
        {
            return Ok(Dependencies::Unavailable(format!(
                "requires {}, which excludes it",
                requirement_on_itself(&dependencies, name)
            )));
        }
        Ok(Dependencies::Available(merged.into_iter().collect()))
    }
}

/// The requirements of `name` on itself, as written (`a[x]<2`), for an explanation.
fn requirement_on_itself(dependencies: &[&pep508_rs::Requirement], name: &PackageName) -> String {
    let written: Vec<String> = dependencies
        .iter()
        .filter(|dependency| dependency.name == *name)
        .map(|dependency| {
            let mut text = dependency.name.to_string();
            if !dependency.extras.is_empty() {
                let extras: Vec<String> =
                    dependency.extras.iter().map(ToString::to_string).collect();
                text.push_str(&format!("[{}]", extras.join(",")));
            }
            if let Some(VersionOrUrl::VersionSpecifier(specifiers)) = &dependency.version_or_url {
                text.push_str(&specifiers.to_string());
            }
            text
        })
        .collect();
    written.join(" and ")
}

/// PubGrub takes dependencies as a list; one package listed twice must become one entry whose
/// range is the intersection.
///
/// An extra's range is then narrowed to its base package's: `P[x]` at a version depends on `P`
/// at that version, so a list that requires `P>=5.6` and `P[x]` only admits `P[x]>=5.6`.
/// Without that, PubGrub learns it one version at a time: celery requires `kombu>=5.6.0` and
/// `kombu[redis]`, and when kombu 5.6.2's redis extra conflicted, the solver fetched the
/// metadata of all 118 older kombu releases to find that each `kombu[redis]` needs its own
/// kombu (11.6 s of a cold apache-airflow resolve).
fn merge_duplicates(
    constraints: Vec<(PubGrubPackage, Ranges<Version>)>,
) -> Vec<(PubGrubPackage, Ranges<Version>)> {
    let mut merged: Vec<(PubGrubPackage, Ranges<Version>)> = Vec::with_capacity(constraints.len());
    let mut positions: FxHashMap<PubGrubPackage, usize> = FxHashMap::default();
    for (package, range) in constraints {
        if let Some(&position) = positions.get(&package) {
            merged[position].1 = merged[position].1.intersection(&range);
        } else {
            positions.insert(package.clone(), merged.len());
            merged.push((package, range));
        }
    }
    for position in 0..merged.len() {
        let PubGrubPackage::Extra(name, _) = &merged[position].0 else {
            continue;
        };
        let base = PubGrubPackage::Package(name.clone());
        if let Some(&base_position) = positions.get(&base) {
            let narrowed = merged[position].1.intersection(&merged[base_position].1);
            merged[position].1 = narrowed;
        }
    }
    merged
}

impl DependencyProvider for Provider<'_> {
    type P = PubGrubPackage;
    type V = SolverVersion;
    type VS = VersionSet;
    type M = String;
    type Priority = Priority;
    type Err = SourceError;

    fn prioritize(
        &self,
        package: &PubGrubPackage,
        range: &VersionSet,
        statistics: &PackageResolutionStatistics,
    ) -> Priority {
        let Some(name) = package.name() else {
            return (u8::MAX, Reverse(0));
        };
        let order = Reverse(self.discovery_index(name));
        let pinned = range.as_singleton().is_some() || pinned_version(&range.to_ranges()).is_some();
        if self.deprioritized.contains(name) && !pinned {
            (0, order)
        } else if pinned {
            (3, order)
        } else if statistics.conflict_count() > CONFLICT_THRESHOLD {
            (2, order)
        } else {
            (1, order)
        }
    }

    fn choose_version(
        &self,
        package: &PubGrubPackage,
        range: &VersionSet,
    ) -> Result<Option<SolverVersion>, SourceError> {
        let Some(name) = package.name() else {
            return Ok(Some(root_version().into()));
        };
        let range = &range.to_ranges();
        let versions = self.handle.versions(name)?;
        let mut chosen = self.root.choose(name, range, &versions, self.options);
        if let Current::Fork(fork) = self.current()
            && chosen.is_some()
        {
            chosen = self.choose_in_fork(&fork, name, range, &versions, chosen)?;
        }
        tracing::debug!(
            "{package} {range}: {}",
            chosen
                .as_ref()
                .map_or("no version".to_string(), ToString::to_string)
        );
        let mut listed = None;
        if let Some(version) = &chosen {
            let (count, moved) = {
                let mut walks = self.walks.borrow_mut();
                let walk = walks.entry(name.clone()).or_default();
                let moved = walk.choose(version);
                (walk.choices, moved)
            };
            if count == RESTART_AFTER && self.may_restart {
                let culprits = self.culprits(name);
                if !culprits.is_empty() {
                    let restart = Restart {
                        walked: name.clone(),
                        culprits,
                    };
                    tracing::debug!("{restart}");
                    let error = SourceError::new(RestartRequested);
                    *self.restart.borrow_mut() = Some(restart);
                    return Err(error);
                }
            }
            if moved
                && count >= BACKTRACK_AFTER
                && (count - BACKTRACK_AFTER).is_multiple_of(PREFETCH_EVERY)
            {
                // The solver usually walks one version at a time inside a range that keeps
                // moving (each boto3 pins a narrow botocore range), so prefetch the next
                // candidates past this one whatever the current bound on that side.
                self.handle
                    .prefetch_after(name, version, backtrack_window(count));
            }
            if count >= LISTED_AFTER {
                listed = Some(self.listed(name, &versions));
            }
        }
        Ok(chosen.map(|version| match listed {
            Some(listed) if listed.holds(&version) => SolverVersion::listed(version, listed),
            _ => version.into(),
        }))
    }

    fn get_dependencies(
        &self,
        package: &PubGrubPackage,
        version: &SolverVersion,
    ) -> Result<Dependencies<PubGrubPackage, VersionSet, String>, SourceError> {
        let version = version.version();
        match package {
            PubGrubPackage::Root => {
                let current = self.current();
                let dependencies: Vec<_> = self.root.root_dependencies(current.scope()).collect();
                let requested: Vec<Requested<'_>> = dependencies
                    .iter()
                    .filter_map(|(package, range, marker)| {
                        Some(Requested {
                            name: package.name()?,
                            range: (*range).clone(),
                            marker: (*marker).clone(),
                        })
                    })
                    .collect();
                if let Some(split) = self.split_needed(&requested) {
                    return Err(self.request_split(split));
                }
                for (dependency, range, _) in &dependencies {
                    if let Some(name) = dependency.name() {
                        self.handle.prefetch(name, range);
                    }
                }
                let merged = merge_duplicates(
                    dependencies
                        .into_iter()
                        .map(|(package, range, _)| (package.clone(), range.clone()))
                        .collect(),
                );
                Ok(solver_dependencies(Dependencies::Available(
                    merged.into_iter().collect(),
                )))
            }
            PubGrubPackage::Package(name) => self.known_dependencies(package, name, version, None),
            PubGrubPackage::Extra(name, extra) => {
                self.known_dependencies(package, name, version, Some(extra))
            }
        }
    }
}

impl Provider<'_> {
    /// The listed versions of `name`, made once per attempt.
    fn listed(&self, name: &PackageName, versions: &super::VersionMap) -> std::sync::Arc<Listed> {
        let mut lists = self.lists.borrow_mut();
        let list = lists
            .entry(name.clone())
            .or_insert_with(|| Listed::new(versions.listed().cloned()));
        std::sync::Arc::clone(list)
    }

    /// [`Provider::dependencies_of`] `package` (`name`, with `extra`), worked out once per
    /// resolution. Failures are not kept: they end the resolution anyway.
    fn known_dependencies(
        &self,
        package: &PubGrubPackage,
        name: &PackageName,
        version: &Version,
        extra: Option<&ExtraName>,
    ) -> Result<Dependencies<PubGrubPackage, VersionSet, String>, SourceError> {
        let key = (package.clone(), version.clone());
        if let Some(known) = self.known.borrow().get(&key) {
            return Ok(known.clone());
        }
        let dependencies = solver_dependencies(self.dependencies_of(name, version, extra)?);
        self.known.borrow_mut().insert(key, dependencies.clone());
        Ok(dependencies)
    }
}

/// The version of the virtual root package.
pub(crate) fn root_version() -> Version {
    Version::new([0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(text: &str) -> Version {
        text.parse().unwrap()
    }

    #[test]
    fn a_walk_moves_only_when_another_version_is_chosen() {
        let mut walk = Walk::default();
        assert!(!walk.choose(&version("3.0")), "the first choice");
        assert!(
            !walk.choose(&version("3.0")),
            "decided again after a backjump"
        );
        assert!(walk.choose(&version("2.0")));
        assert!(walk.choose(&version("1.0")));
        assert!(
            !walk.choose(&version("1.0")),
            "an extra at its base's version"
        );
        assert_eq!(walk.choices, 5);
        assert_eq!(walk.before_last, Some(version("1.0")));
    }
}
