//! The user's requirements, prepared for the solver: root dependencies, constraints, overrides,
//! direct URLs and the per-package facts that first-party requirements decide (explicit
//! prereleases, pins that may select yanked versions).

use pep440_rs::Operator;
use pep508_rs::{MarkerTree, Requirement, VersionOrUrl};
use pubgrub::Ranges;
use rustc_hash::{FxHashMap, FxHashSet};
use url::Url;

use super::ResolveOptions;
use super::candidates::{
    PrereleaseMode, PrereleasePermission, ResolutionStrategy, VersionMap, VersionOrder,
};
use super::fork::Scope;
use super::package::PubGrubPackage;
use super::resolution::PinSource;
use super::specifiers::specifiers_to_range;
use crate::inputs::{LocalProject, LocalRequirement, Manifest};
use crate::metadata::CoreMetadata;
use crate::types::{ExtraName, PackageName, RedactedUrl, Version};

/// What the solver needs from the user's inputs.
#[derive(Debug, Default)]
pub(crate) struct RootSpec {
    /// The root package's dependencies (markers already evaluated for the target).
    pub(crate) dependencies: Vec<(PubGrubPackage, Ranges<Version>)>,
    /// The marker of each of `dependencies`' lines, in the same order: a universal
    /// resolution's forks each keep those that can hold in them.
    dependency_markers: Vec<MarkerTree>,
    /// Constraints by package. They do not narrow dependency edges (that would hide them from
    /// conflict explanations); they narrow which versions are offered, see `constrain`.
    pub(crate) constraints: FxHashMap<PackageName, Ranges<Version>>,
    /// Direct URLs by package (local paths as `file://` URLs).
    pub(crate) urls: FxHashMap<PackageName, Url>,
    /// The local part of direct URLs that point at this machine, by package.
    locals: FxHashMap<PackageName, LocalRequirement>,
    /// Override lines by package, those whose markers apply to the target: every requirement on
    /// an overridden package, anywhere in the graph, is replaced by these (none when no line
    /// applies, which removes the requirement).
    overrides: FxHashMap<PackageName, Vec<Requirement>>,
    /// Packages whose first-party requirements name a prerelease.
    explicit_prereleases: FxHashSet<PackageName>,
    /// The prerelease policy of this resolve.
    prerelease_mode: PrereleaseMode,
    /// Versions pinned with `==`/`===` by first-party requirements: these may be yanked.
    exact_pins: FxHashMap<PackageName, Ranges<Version>>,
    /// Packages the inputs allow one version of (a requirement or constraint narrowed to a
    /// single version): their version is never a choice the solver could make differently.
    single_version: FxHashSet<PackageName>,
    /// A universal resolution's whole region (none for an exact target): what each fork's
    /// requirements are checked against to learn what other forks will need.
    universe: Option<super::fork::Fork>,
}

impl RootSpec {
    /// Prepares `manifest` for `scope`, with the `-P` constraints of `options`. Requirements
    /// whose markers do not apply to the target are left out, as pip-compile does for the Python
    /// it runs on (in a universal resolution: those that hold nowhere it covers).
    pub(crate) fn new(manifest: &Manifest, scope: Scope<'_>, options: &ResolveOptions) -> Self {
        let mut spec = Self {
            prerelease_mode: options.selection.prerelease,
            universe: match scope {
                Scope::Fork(fork) => Some(fork.clone()),
                Scope::Exact(_) => None,
            },
            ..Self::default()
        };
        let applies = |requirement: &&Requirement| scope.applies(&requirement.marker, &[]);
        for entry in &manifest.overrides {
            let lines = spec
                .overrides
                .entry(entry.requirement.name.clone())
                .or_default();
            if applies(&&entry.requirement) {
                lines.push(entry.requirement.clone());
            }
        }
        // Which URL lines point at this machine; the last line naming a URL wins, local or not.
        for entry in manifest.constraints.iter().chain(&manifest.requirements) {
            if let Some(VersionOrUrl::Url(_)) = &entry.requirement.version_or_url {
                let name = entry.requirement.name.clone();
                match &entry.local {
                    Some(local) => spec.locals.insert(name, local.clone()),
                    None => spec.locals.remove(&name),
                };
            }
        }
        let override_lines: Vec<Requirement> = spec.overrides.values().flatten().cloned().collect();
        for requirement in &override_lines {
            spec.note_first_party(requirement);
        }
        let constraints = manifest
            .constraints
            .iter()
            .map(|entry| &entry.requirement)
            .chain(&options.upgrade_constraints);
        for requirement in constraints.filter(applies) {
            let range = spec.note_first_party(requirement);
            let constraint = spec
                .constraints
                .entry(requirement.name.clone())
                .or_insert_with(Ranges::full);
            *constraint = constraint.intersection(&range);
        }
        // A requirement line is an edge like any other: overrides replace it too.
        let requirements: Vec<Requirement> = spec
            .overridden(
                manifest
                    .requirements
                    .iter()
                    .map(|entry| &entry.requirement)
                    .filter(applies),
            )
            .cloned()
            .collect();
        for requirement in &requirements {
            let range = spec.note_first_party(requirement);
            spec.dependencies.push((
                PubGrubPackage::Package(requirement.name.clone()),
                range.clone(),
            ));
            spec.dependency_markers.push(requirement.marker.clone());
            for extra in &requirement.extras {
                spec.dependencies.push((
                    PubGrubPackage::Extra(requirement.name.clone(), extra.clone()),
                    range.clone(),
                ));
                spec.dependency_markers.push(requirement.marker.clone());
            }
        }
        let requirement_ranges = spec.dependencies.iter().filter_map(|(package, range)| {
            Some((
                package.name()?,
                spec.constrain(package.name()?, range.clone()),
            ))
        });
        let constraint_ranges = spec
            .constraints
            .iter()
            .map(|(name, range)| (name, range.clone()));
        spec.single_version = requirement_ranges
            .chain(constraint_ranges)
            .filter(|(_, range)| super::specifiers::pinned_version(range).is_some())
            .map(|(name, _)| name.clone())
            .collect();
        spec
    }

    /// Whether the inputs allow only one version of `name`: deciding it later or earlier
    /// changes nothing.
    pub(crate) fn allows_one_version(&self, name: &PackageName) -> bool {
        self.single_version.contains(name)
    }

    /// `requirements` with overrides applied: a requirement on an overridden package becomes the
    /// package's override lines (possibly none).
    fn overridden<'r>(
        &'r self,
        requirements: impl Iterator<Item = &'r Requirement>,
    ) -> impl Iterator<Item = &'r Requirement> {
        requirements.flat_map(|requirement| match self.overrides.get(&requirement.name) {
            Some(lines) => lines.iter().collect::<Vec<_>>(),
            None => vec![requirement],
        })
    }

    /// The requirements of `metadata` that apply in `scope` with `extras` active, with
    /// overrides applied: the dependencies of one package, as the solver, the prefetcher and the
    /// `# via` annotations all see them.
    pub(crate) fn dependencies_of<'m>(
        &'m self,
        metadata: &'m CoreMetadata,
        scope: Scope<'_>,
        extras: &[ExtraName],
    ) -> Vec<&'m Requirement> {
        let active = metadata
            .requires_dist
            .iter()
            .filter(|requirement| scope.applies(&requirement.marker, extras));
        self.overridden(active).collect()
    }

    /// The requirements of `metadata` (with `extras` active) that cannot hold in `scope` but
    /// can elsewhere in a universal resolution: other forks, solved later, will need them.
    /// Overrides are not applied: this only tells the fetch side what to read ahead.
    pub(crate) fn elsewhere<'m>(
        &self,
        metadata: &'m CoreMetadata,
        scope: Scope<'_>,
        extras: &'m [ExtraName],
    ) -> impl Iterator<Item = &'m Requirement> {
        let universe = self
            .universe
            .as_ref()
            .filter(|_| matches!(scope, Scope::Fork(_)));
        metadata.requires_dist.iter().filter(move |requirement| {
            universe.is_some_and(|universe| {
                !requirement.marker.is_true()
                    && !scope.applies(&requirement.marker, extras)
                    && Scope::Fork(universe).applies(&requirement.marker, extras)
            })
        })
    }

    /// The root's dependencies that can hold in `scope`, each with its marker.
    pub(crate) fn root_dependencies(
        &self,
        scope: Scope<'_>,
    ) -> impl Iterator<Item = (&PubGrubPackage, &Ranges<Version>, &MarkerTree)> {
        self.dependencies
            .iter()
            .zip(&self.dependency_markers)
            .filter(move |(_, marker)| {
                matches!(scope, Scope::Exact(_)) || scope.applies(marker, &[])
            })
            .map(|((package, range), marker)| (package, range, marker))
    }

    /// Records what a first-party line says beyond its range, and returns the range.
    fn note_first_party(&mut self, requirement: &Requirement) -> Ranges<Version> {
        let name = &requirement.name;
        match &requirement.version_or_url {
            None => Ranges::full(),
            Some(VersionOrUrl::Url(url)) => {
                self.urls.insert(name.clone(), url.to_url());
                Ranges::full()
            }
            Some(VersionOrUrl::VersionSpecifier(specifiers)) => {
                if specifiers
                    .iter()
                    .any(|specifier| specifier.version().any_prerelease())
                {
                    self.explicit_prereleases.insert(name.clone());
                }
                for specifier in specifiers.iter() {
                    if matches!(specifier.operator(), Operator::Equal | Operator::ExactEqual) {
                        let pinned = super::specifiers::specifier_to_range(specifier);
                        let entry = self
                            .exact_pins
                            .entry(name.clone())
                            .or_insert_with(Ranges::empty);
                        *entry = entry.union(&pinned);
                    }
                }
                specifiers_to_range(specifiers)
            }
        }
    }

    /// Whether `name` is a local project directory (see [`RootSpec::local_metadata`]).
    pub(crate) fn is_local_project(&self, name: &PackageName) -> bool {
        self.locals
            .get(name)
            .and_then(LocalRequirement::project)
            .is_some()
    }

    /// The metadata of `name` when it is a local project directory: read from the project by
    /// the inputs, so the resolver never fetches it.
    pub(crate) fn local_metadata(&self, name: &PackageName) -> Option<CoreMetadata> {
        self.locals
            .get(name)
            .and_then(LocalRequirement::project)
            .map(project_metadata)
    }

    /// Where the pin of `name` comes from; `listed_by` is the index that listed its files.
    pub(crate) fn pin_source(
        &self,
        name: &PackageName,
        listed_by: Option<RedactedUrl>,
    ) -> PinSource {
        match (self.urls.get(name), self.locals.get(name)) {
            (Some(url), Some(local)) => PinSource::Local {
                url: url.clone(),
                local: local.clone(),
            },
            (Some(url), None) => PinSource::Url(url.clone()),
            (None, _) => PinSource::Registry { listed_by },
        }
    }

    /// `range` narrowed by the constraints on `name`: the versions that may be chosen.
    pub(crate) fn constrain(&self, name: &PackageName, range: Ranges<Version>) -> Ranges<Version> {
        match self.constraints.get(name) {
            Some(constraint) => range.intersection(constraint),
            None => range,
        }
    }

    /// The version the solver takes for `name` in `range`: constraints, the prerelease policy,
    /// the yanked rule, the preferred (existing) pin and the `--resolution` order applied in one
    /// place, so that the solver and the prefetcher always agree on it.
    pub(crate) fn choose(
        &self,
        name: &PackageName,
        range: &Ranges<Version>,
        versions: &VersionMap,
        options: &ResolveOptions,
    ) -> Option<Version> {
        // Constraints narrow what is offered, not the edges, so explanations can name them.
        let allowed = self.constrain(name, range.clone());
        let permission = self.prerelease_permission(name);
        let allow_yanked = |version: &Version| self.allows_yanked(name, version);
        let order = self.version_order(name, options.strategy);
        versions
            .choose_preferring(
                &allowed,
                permission,
                &allow_yanked,
                options.preferences.get(name),
                order,
            )
            .cloned()
    }

    /// [`RootSpec::choose`] among the versions `usable` keeps (a fork's Python): the preferred
    /// version when it is one of them, else the first candidate that is.
    pub(crate) fn choose_where(
        &self,
        name: &PackageName,
        range: &Ranges<Version>,
        versions: &VersionMap,
        options: &ResolveOptions,
        usable: &dyn Fn(&Version) -> bool,
    ) -> Option<Version> {
        let allowed = self.constrain(name, range.clone());
        let permission = self.prerelease_permission(name);
        let allow_yanked = |version: &Version| self.allows_yanked(name, version);
        let order = self.version_order(name, options.strategy);
        let mut candidates = versions
            .candidates(&allowed, permission, &allow_yanked, order)
            .filter(|version| usable(version));
        match options.preferences.get(name) {
            Some(preferred) if allowed.contains(preferred) && usable(preferred) => versions
                .candidates(&allowed, permission, &allow_yanked, order)
                .find(|candidate| *candidate == preferred)
                .or_else(|| candidates.next())
                .cloned(),
            _ => candidates.next().cloned(),
        }
    }

    /// The versions the solver could take for `name` in `range`, in the order it would try
    /// them (preferences aside), up to `stop` (excluded): only those are decoded.
    pub(crate) fn candidates_until(
        &self,
        name: &PackageName,
        range: &Ranges<Version>,
        versions: &VersionMap,
        options: &ResolveOptions,
        stop: Option<&Version>,
    ) -> Vec<Version> {
        let allowed = self.constrain(name, range.clone());
        let allow_yanked = |version: &Version| self.allows_yanked(name, version);
        versions
            .candidates(
                &allowed,
                self.prerelease_permission(name),
                &allow_yanked,
                self.version_order(name, options.strategy),
            )
            .take_while(|candidate| Some(*candidate) != stop)
            .cloned()
            .collect()
    }

    /// Up to `count` versions the solver would try for `name` after `chosen`, in the order it
    /// would try them, whatever the current bound on that side (what to prefetch while
    /// backtracking).
    pub(crate) fn candidates_after(
        &self,
        name: &PackageName,
        chosen: &Version,
        versions: &VersionMap,
        options: &ResolveOptions,
        count: usize,
    ) -> Vec<Version> {
        let order = self.version_order(name, options.strategy);
        let beyond = match order {
            VersionOrder::NewestFirst => Ranges::strictly_lower_than(chosen.clone()),
            VersionOrder::OldestFirst => Ranges::strictly_higher_than(chosen.clone()),
        };
        let allow_yanked = |version: &Version| self.allows_yanked(name, version);
        let tiers = self.prerelease_permission(name).tiers();
        // The rest of `chosen`'s tier past it, then every later tier whole.
        let Some(current) = tiers.iter().position(|tier| tier.holds(chosen)) else {
            return Vec::new();
        };
        let mut next = Vec::new();
        for (position, tier) in tiers.iter().enumerate().skip(current) {
            let range = if position == current {
                self.constrain(name, beyond.clone())
            } else {
                self.constrain(name, Ranges::full())
            };
            next.extend(
                versions
                    .tier_candidates(&range, *tier, &allow_yanked, order)
                    .take(count - next.len())
                    .cloned(),
            );
        }
        next
    }

    /// Which end of `name`'s versions to try first under `strategy`.
    pub(crate) fn version_order(
        &self,
        name: &PackageName,
        strategy: ResolutionStrategy,
    ) -> VersionOrder {
        let direct = || {
            self.dependencies
                .iter()
                .any(|(package, _)| package.name() == Some(name))
        };
        match strategy {
            ResolutionStrategy::Highest => VersionOrder::NewestFirst,
            ResolutionStrategy::Lowest => VersionOrder::OldestFirst,
            ResolutionStrategy::LowestDirect if direct() => VersionOrder::OldestFirst,
            ResolutionStrategy::LowestDirect => VersionOrder::NewestFirst,
        }
    }

    /// Whether prereleases of `name` may be chosen under this resolve's policy.
    pub(crate) fn prerelease_permission(&self, name: &PackageName) -> PrereleasePermission {
        self.prerelease_mode
            .permission(self.explicit_prereleases.contains(name))
    }

    /// Whether `version` of `name` may be chosen although yanked (PEP 592: only by an `==` pin).
    pub(crate) fn allows_yanked(&self, name: &PackageName, version: &Version) -> bool {
        self.exact_pins
            .get(name)
            .is_some_and(|range| range.contains(version))
    }
}

/// A local project as core metadata, the form the solver reads dependencies from.
fn project_metadata(project: &LocalProject) -> CoreMetadata {
    CoreMetadata {
        name: project.name.clone(),
        version: project.version.clone(),
        requires_dist: project.requires_dist.clone(),
        requires_python: project.requires_python.clone(),
        provides_extra: project.provides_extra.clone(),
        dynamic: Vec::new(),
        metadata_version: String::new(),
        repairs: Vec::new(),
    }
}
