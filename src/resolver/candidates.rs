//! Which versions of a project exist for the target, and which file of each version would be used.
//!
//! A [`VersionMap`] is built once per project from the index's file list. For every version it
//! keeps all files (their hashes go into the lock) and the best *usable* file for the target: the
//! highest-ranked compatible wheel, else an sdist (whose static metadata may still be readable).
//! A version with no usable file keeps the reason, which becomes part of a conflict explanation.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use jiff::Timestamp;
use pubgrub::Ranges;
use rustc_hash::FxHashSet;

use crate::target::{TagPriority, Target};
use crate::types::{
    DistFilename, IndexFile, PackageName, PackedProject, ProjectFiles, Version, VersionSpecifiers,
};

/// When prereleases may be chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PrereleaseMode {
    /// Never.
    Disallow,
    /// Always, like any other version.
    Allow,
    /// When no final release satisfies the requirements on the package, transitive ones
    /// included (see [`PrereleasePermission::tiers`]).
    IfNecessary,
    /// Only for packages whose first-party requirements name a prerelease, and for those as
    /// `IfNecessary` does; never for other packages.
    Explicit,
    /// The default: the same as `IfNecessary`, which already covers every package a
    /// first-party requirement names a prerelease of (kept as its own value for
    /// `--prerelease if-necessary-or-explicit`).
    #[default]
    IfNecessaryOrExplicit,
}

/// A set of packages an option applies to: none, all (`:all:`), or some by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PackageSelector {
    /// No package.
    #[default]
    None,
    /// Every package.
    All,
    /// These packages.
    Some(FxHashSet<PackageName>),
}

impl PackageSelector {
    /// Whether `name` is selected.
    #[must_use]
    pub fn contains(&self, name: &PackageName) -> bool {
        match self {
            Self::None => false,
            Self::All => true,
            Self::Some(names) => names.contains(name),
        }
    }
}

/// Choices about which files a resolution may use.
#[derive(Clone, Debug, Default)]
pub struct SelectionOptions {
    /// Prerelease policy.
    pub prerelease: PrereleaseMode,
    /// Ignore files uploaded after this instant (`--exclude-newer`).
    pub exclude_newer: Option<Timestamp>,
    /// Packages that must come from wheels (`--only-binary`).
    pub only_binary: PackageSelector,
    /// Packages that must not come from wheels (`--no-binary`).
    pub no_binary: PackageSelector,
}

/// Why a version cannot be used on the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unusable {
    /// Its files require another Python.
    RequiresPython(VersionSpecifiers),
    /// It has wheels, none for the target, and no sdist.
    NoCompatibleWheel,
    /// Only an sdist, and the package is `--only-binary`.
    OnlyBinary,
    /// Only wheels, and the package is `--no-binary`.
    NoBinary,
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RequiresPython(specifiers) => write!(f, "requires Python {specifiers}"),
            Self::NoCompatibleWheel => {
                f.write_str("has no wheel compatible with the target platform and Python")
            }
            Self::OnlyBinary => f.write_str("has no wheel and `--only-binary` forbids building it"),
            Self::NoBinary => f.write_str("has only wheels and `--no-binary` forbids them"),
        }
    }
}

/// What the target would install of a usable version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Installable {
    /// This file (an index into the version's `files`).
    File(usize),
    /// A local project directory: there is no file (and nothing to hash); its metadata was
    /// read from the project.
    Directory,
}

/// One version of a project.
#[derive(Clone, Debug)]
pub struct VersionEntry {
    /// Every file of this version left after `--exclude-newer`: their hashes are written.
    pub files: Vec<IndexFile>,
    /// What the target would install, or why nothing can be used.
    pub best: Result<Installable, Unusable>,
    /// Whether every file is yanked.
    pub yanked: bool,
    /// The version's `Requires-Python` when it was not judged against a Python: in a universal
    /// resolution each fork checks it against its own Python range.
    pub requires_python: Option<VersionSpecifiers>,
    /// When the target would install an sdist, a wheel of the same version (for another
    /// platform or Python; a pure-Python one first) whose `METADATA` stands for it: static and
    /// one range request away, where the sdist may mean a large download and a build. The
    /// wheels of one release declare the same requirements, with markers where the platform
    /// matters; uv reads metadata in the same order, `--no-binary` packages included (the flag
    /// is about what gets installed: the sdist still is).
    pub metadata_wheel: Option<usize>,
}

impl VersionEntry {
    /// The file the target would use, if it uses a file.
    #[must_use]
    pub fn best_file(&self) -> Option<&IndexFile> {
        match self.best {
            Ok(Installable::File(index)) => self.files.get(index),
            Ok(Installable::Directory) | Err(_) => None,
        }
    }

    /// The file whose metadata stands for the version: the best file, unless that is an sdist
    /// and the version has wheels (for other platforms or Pythons): see
    /// [`VersionEntry::metadata_wheel`].
    #[must_use]
    pub fn metadata_file(&self) -> Option<&IndexFile> {
        let best = self.best_file()?;
        Some(
            self.metadata_wheel
                .and_then(|index| self.files.get(index))
                .unwrap_or(best),
        )
    }
}

/// Which files of a version can be used.
#[derive(Clone, Debug)]
pub enum FilesFor {
    /// Those that install on this target: wheel tags and `Requires-Python` are checked.
    Target(Target),
    /// Any file, for a universal resolution: no tag is checked, and `Requires-Python` is left
    /// to each fork (see [`VersionEntry::requires_python`]).
    AnyPlatform,
}

/// What a [`VersionMap`] needs to judge a version's files: the target and the selection
/// options. Built once per resolve and shared by every project's map.
#[derive(Clone, Debug)]
pub struct SelectionContext {
    /// The files that count.
    pub files: FilesFor,
    /// `--exclude-newer`, `--only-binary`, `--no-binary`, prereleases.
    pub options: SelectionOptions,
}

/// One version's place in a [`VersionMap`]: its version and entry, worked out on first use.
#[derive(Clone, Debug)]
struct Slot {
    /// Where it is in the packed page; `None` when the slot was built eagerly.
    packed: Option<usize>,
    /// The version, parsed the first time it is compared (`None` inside: unparseable, which
    /// `PackedProject::pack` never writes).
    version: OnceLock<Option<Version>>,
    /// `None` inside when every file was uploaded after `--exclude-newer`.
    entry: OnceLock<Option<VersionEntry>>,
}

impl Slot {
    fn ready(version: Version, entry: VersionEntry) -> Self {
        Self {
            packed: None,
            version: OnceLock::from(Some(version)),
            entry: OnceLock::from(Some(entry)),
        }
    }
}

/// A packed page and what its versions are judged against.
#[derive(Clone, Debug)]
struct LazySource {
    packed: Arc<PackedProject>,
    context: Arc<SelectionContext>,
}

/// All versions of a project, for one target.
///
/// A map built from a [`PackedProject`] is lazy: a version's files are decoded and judged the
/// first time the version is looked at, which on a warm resolve is one or two versions of most
/// projects, not the hundreds a page lists. Every query answers as if the map had been built
/// eagerly: versions whose files were all uploaded after `--exclude-newer` are absent.
#[derive(Clone, Debug, Default)]
pub struct VersionMap {
    /// Sorted by version, oldest first.
    versions: Vec<Slot>,
    source: Option<LazySource>,
    /// Versions whose every file was uploaded after `--exclude-newer` (for explanations).
    excluded_newer: OnceLock<Vec<Version>>,
}

impl VersionMap {
    /// Groups `project`'s files by version and picks each version's best file for `target`.
    #[must_use]
    pub fn new(project: &ProjectFiles, target: &Target, options: &SelectionOptions) -> Self {
        Self::from_files(project.clone(), target, options)
    }

    /// [`VersionMap::new`] taking the files by value: a page of thousands of files is moved
    /// into the map rather than copied (measured: the copy and its drop were ~10% of a warm
    /// resolve of jupyter.in).
    #[must_use]
    pub fn from_files(project: ProjectFiles, target: &Target, options: &SelectionOptions) -> Self {
        Self::judged(project, &FilesFor::Target(target.clone()), options)
    }

    /// [`VersionMap::from_files`] for any [`FilesFor`].
    #[must_use]
    pub fn judged(project: ProjectFiles, files_for: &FilesFor, options: &SelectionOptions) -> Self {
        let mut by_version: BTreeMap<Version, Vec<IndexFile>> = BTreeMap::new();
        for file in project.files {
            by_version
                .entry(file.dist.version().clone())
                .or_default()
                .push(file);
        }
        let mut excluded_newer = Vec::new();
        let mut versions = Vec::with_capacity(by_version.len());
        for (version, files) in by_version {
            match entry_for(&project.name, files, files_for, options) {
                Some(entry) => versions.push(Slot::ready(version, entry)),
                None => excluded_newer.push(version),
            }
        }
        Self {
            versions,
            source: None,
            excluded_newer: OnceLock::from(excluded_newer),
        }
    }

    /// A map over a packed page, judging each version only when it is first looked at.
    #[must_use]
    pub fn lazy(packed: Arc<PackedProject>, context: Arc<SelectionContext>) -> Self {
        let versions = (0..packed.versions().len())
            .map(|index| Slot {
                packed: Some(index),
                version: OnceLock::new(),
                entry: OnceLock::new(),
            })
            .collect();
        Self {
            versions,
            source: Some(LazySource { packed, context }),
            excluded_newer: OnceLock::new(),
        }
    }

    /// A map holding a single version (a direct URL requirement).
    #[must_use]
    pub fn single(version: Version, file: IndexFile) -> Self {
        Self::only(
            version,
            VersionEntry {
                files: vec![file],
                best: Ok(Installable::File(0)),
                yanked: false,
                requires_python: None,
                metadata_wheel: None,
            },
        )
    }

    /// A map holding the single version of a local project directory.
    #[must_use]
    pub fn directory(version: Version) -> Self {
        Self::only(
            version,
            VersionEntry {
                files: Vec::new(),
                best: Ok(Installable::Directory),
                yanked: false,
                requires_python: None,
                metadata_wheel: None,
            },
        )
    }

    fn only(version: Version, entry: VersionEntry) -> Self {
        Self {
            versions: vec![Slot::ready(version, entry)],
            source: None,
            excluded_newer: OnceLock::from(Vec::new()),
        }
    }

    /// A slot's version, parsing it the first time.
    fn version_of<'a>(&'a self, slot: &'a Slot) -> Option<&'a Version> {
        slot.version
            .get_or_init(|| {
                let (Some(source), Some(index)) = (&self.source, slot.packed) else {
                    return None;
                };
                source.packed.version(index)
            })
            .as_ref()
    }

    /// A slot's entry, decoding and judging its files the first time.
    fn entry<'a>(&'a self, slot: &'a Slot) -> Option<&'a VersionEntry> {
        slot.entry
            .get_or_init(|| {
                let (Some(source), Some(index)) = (&self.source, slot.packed) else {
                    return None;
                };
                let context = &source.context;
                let files = source
                    .packed
                    .files_of(index)
                    .inspect_err(|error| {
                        // Not an error the solver can return from here: the version is left
                        // out, and the warning says how to repair the cache.
                        tracing::warn!(
                            "{}: {error}; version {} is skipped (`pinwheel cache clean {}` repairs it)",
                            source.packed.name(),
                            source.packed.versions().nth(index).unwrap_or_default(),
                            source.packed.name(),
                        );
                    })
                    .unwrap_or_default();
                if files.is_empty() {
                    return None;
                }
                entry_for(source.packed.name(), files, &context.files, &context.options)
            })
            .as_ref()
    }

    /// Slots with their versions, oldest first.
    fn slots(&self) -> impl DoubleEndedIterator<Item = (&Version, &Slot)> {
        self.versions
            .iter()
            .filter_map(|slot| Some((self.version_of(slot)?, slot)))
    }

    /// Versions with their entries, oldest first, skipping versions excluded by date.
    fn present(&self) -> impl DoubleEndedIterator<Item = (&Version, &VersionEntry)> {
        self.slots()
            .filter_map(|(version, slot)| Some((version, self.entry(slot)?)))
    }

    /// The entry of one version: a binary search that parses only the versions it compares.
    #[must_use]
    pub fn get(&self, version: &Version) -> Option<&VersionEntry> {
        let index = self
            .versions
            .binary_search_by(|slot| match self.version_of(slot) {
                Some(known) => known.cmp(version),
                None => std::cmp::Ordering::Less,
            })
            .ok()?;
        self.entry(&self.versions[index])
    }

    /// Versions that exist on the index but were all uploaded after `--exclude-newer`.
    #[must_use]
    pub fn excluded_newer(&self) -> &[Version] {
        self.excluded_newer.get_or_init(|| {
            self.slots()
                .filter(|(_, slot)| self.entry(slot).is_none())
                .map(|(version, _)| version.clone())
                .collect()
        })
    }

    /// Whether the project has no version at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.present().next().is_none()
    }

    /// Every version the page lists, oldest first, those excluded by date included: all the
    /// solver could ever be offered. Parses each version, but judges no file.
    pub fn listed(&self) -> impl DoubleEndedIterator<Item = &Version> {
        self.slots().map(|(version, _)| version)
    }

    /// Every version, oldest first.
    pub fn versions(&self) -> impl DoubleEndedIterator<Item = &Version> {
        self.present().map(|(version, _)| version)
    }

    /// The version to try next in `range`: `preferred` when it is allowed, else the first of
    /// `candidates` (unusable versions included, so that the solver records why they were
    /// rejected).
    #[must_use]
    pub fn choose_preferring<'a>(
        &'a self,
        range: &'a Ranges<Version>,
        prereleases: PrereleasePermission,
        allow_yanked: &'a dyn Fn(&Version) -> bool,
        preferred: Option<&Version>,
        order: VersionOrder,
    ) -> Option<&'a Version> {
        let mut candidates = self.candidates(range, prereleases, allow_yanked, order);
        match preferred {
            Some(preferred) if range.contains(preferred) => self
                .candidates(range, prereleases, allow_yanked, order)
                .find(|candidate| *candidate == preferred)
                .or_else(|| candidates.next()),
            _ => candidates.next(),
        }
    }

    /// The versions `choose_preferring` would return, in the order it would return them as the solver
    /// rules out each one: what to prefetch while backtracking.
    pub fn candidates<'a>(
        &'a self,
        range: &'a Ranges<Version>,
        prereleases: PrereleasePermission,
        allow_yanked: &'a dyn Fn(&Version) -> bool,
        order: VersionOrder,
    ) -> impl Iterator<Item = &'a Version> + 'a {
        // Each tier is walked only once the one before it is exhausted, so the prereleases of a
        // project are not even decoded while a final release in the range is left to try.
        prereleases
            .tiers()
            .iter()
            .flat_map(move |tier| self.tier_candidates(range, *tier, allow_yanked, order))
    }

    /// The versions of one tier (see [`PrereleasePermission::tiers`]) in `range`, in the order
    /// the solver tries them.
    pub fn tier_candidates<'a>(
        &'a self,
        range: &'a Ranges<Version>,
        tier: Tier,
        allow_yanked: &'a dyn Fn(&Version) -> bool,
        order: VersionOrder,
    ) -> impl Iterator<Item = &'a Version> + 'a {
        let newest_first = self.in_range(range, tier, allow_yanked);
        if let Some(source) = self
            .source
            .as_ref()
            .filter(|source| source.packed.is_ranked())
        {
            // `unsafe-first-match`: every version of the first index that has one in range,
            // before any of the next index's.
            let mut ranked: Vec<&'a Version> = newest_first.collect();
            if order == VersionOrder::OldestFirst {
                ranked.reverse();
            }
            ranked.sort_by_key(|version| self.rank_of(&source.packed, version));
            return Box::new(ranked.into_iter()) as Box<dyn Iterator<Item = &'a Version> + 'a>;
        }
        let ordered: Box<dyn Iterator<Item = &'a Version> + 'a> = match order {
            VersionOrder::NewestFirst => Box::new(newest_first),
            VersionOrder::OldestFirst => {
                Box::new(newest_first.collect::<Vec<_>>().into_iter().rev())
            }
        };
        ordered
    }

    /// The index rank of `version` in a ranked page (see [`PackedProject::index_rank`]).
    fn rank_of(&self, packed: &PackedProject, version: &Version) -> u32 {
        let slot = self
            .versions
            .binary_search_by(|slot| match self.version_of(slot) {
                Some(known) => known.cmp(version),
                None => std::cmp::Ordering::Less,
            })
            .ok()
            .and_then(|index| self.versions[index].packed);
        slot.map_or(0, |index| packed.index_rank(index))
    }

    /// The slots between `range`'s lowest and highest bound, found by binary search: a pin
    /// (`==1.2.3` among 500 versions) then parses a handful of versions, not every newer one.
    fn bounds(&self, range: &Ranges<Version>) -> (usize, usize) {
        use std::ops::Bound;
        let Some((low, high)) = range.bounding_range() else {
            return (0, 0);
        };
        // Unparseable versions (never written) sort first, like the lowest.
        let below = |slot: &Slot, bound: &Version, inclusive: bool| {
            self.version_of(slot)
                .is_none_or(|version| version < bound || (inclusive && version == bound))
        };
        let end = match high {
            Bound::Unbounded => self.versions.len(),
            Bound::Included(bound) => self
                .versions
                .partition_point(|slot| below(slot, bound, true)),
            Bound::Excluded(bound) => self
                .versions
                .partition_point(|slot| below(slot, bound, false)),
        };
        let start = match low {
            Bound::Unbounded => 0,
            Bound::Included(bound) => self
                .versions
                .partition_point(|slot| below(slot, bound, false)),
            Bound::Excluded(bound) => self
                .versions
                .partition_point(|slot| below(slot, bound, true)),
        };
        (start.min(end), end)
    }

    /// Versions of `tier` in `range`, newest first, without yanked ones unless allowed. The
    /// range and the tier are checked before the entry, so versions outside them are never
    /// decoded.
    fn in_range<'a>(
        &'a self,
        range: &'a Ranges<Version>,
        tier: Tier,
        allow_yanked: &'a dyn Fn(&Version) -> bool,
    ) -> impl Iterator<Item = &'a Version> + 'a {
        let (start, end) = self.bounds(range);
        self.versions[start..end]
            .iter()
            .rev()
            .filter_map(|slot| Some((self.version_of(slot)?, slot)))
            .filter(move |(version, _)| range.contains(version) && tier.holds(version))
            .filter(move |(version, slot)| {
                self.entry(slot)
                    .is_some_and(|entry| !entry.yanked || allow_yanked(version))
            })
            .map(|(version, _)| version)
    }
}

/// Whether `requires_python` allows the target's Python, ignoring upper bounds (`<`, `<=`).
///
/// Upper bounds on `Requires-Python` are mostly guesses made before the next Python existed;
/// uv ignores them and packse's scenarios expect that, so pinwheel does too. Wheels for a Python
/// the project really does not support are still excluded by their tags.
#[must_use]
pub fn python_allows(target: &Target, requires_python: &VersionSpecifiers) -> bool {
    target.allows_python(&lower_bounds(requires_python))
}

/// `requires_python` without its upper bounds (`<`, `<=`): see [`python_allows`].
#[must_use]
pub fn lower_bounds(requires_python: &VersionSpecifiers) -> VersionSpecifiers {
    requires_python
        .iter()
        .filter(|specifier| {
            !matches!(
                specifier.operator(),
                pep440_rs::Operator::LessThan | pep440_rs::Operator::LessThanEqual
            )
        })
        .cloned()
        .collect()
}

/// Which end of the allowed range is tried first (`--resolution`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VersionOrder {
    /// The newest version first (the default).
    #[default]
    NewestFirst,
    /// The oldest version first (`--resolution lowest`, and direct requirements with
    /// `lowest-direct`): to test that declared lower bounds really work.
    OldestFirst,
}

/// `--resolution`: which versions are preferred.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResolutionStrategy {
    /// The newest allowed version of everything.
    #[default]
    Highest,
    /// The oldest allowed version of everything.
    Lowest,
    /// The oldest allowed version of direct requirements, the newest of the rest.
    LowestDirect,
}

/// Whether prereleases may be chosen for one package, given the policy and its requirements.
///
/// This and [`PrereleasePermission::tiers`] are the one place the prerelease rule is decided:
/// the solver's choice, the prefetcher's guesses and the versions offered after a backtrack all
/// come from [`VersionMap::candidates`], which walks the tiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrereleasePermission {
    /// Prereleases compete with final releases (`--pre`, `--prerelease allow`).
    Allowed,
    /// Only final releases.
    Forbidden,
    /// Every final release in the range first, then the prereleases in it (the default).
    IfNecessary,
}

/// A class of versions the solver tries together: all final releases, all prereleases, or
/// both mixed in version order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// Final releases (post releases included).
    Final,
    /// Pre- and development releases.
    Prerelease,
    /// Every version.
    Any,
}

impl Tier {
    /// Whether `version` belongs to this tier.
    #[must_use]
    pub fn holds(self, version: &Version) -> bool {
        match self {
            Self::Final => !version.any_prerelease(),
            Self::Prerelease => version.any_prerelease(),
            Self::Any => true,
        }
    }
}

impl PrereleasePermission {
    /// The tiers tried in turn, each only once every version of the one before is ruled out.
    ///
    /// The default follows PEP 440 and uv since 2026-07 (uv #19993): a prerelease is taken when
    /// no final release satisfies the requirements on the package, transitive ones included,
    /// and a final release that fits wins even when a specifier names a prerelease
    /// (`a>=0.1.0a1` with 0.3.0 and 1.0.0a1 available gives 0.3.0; pip gives 1.0.0a1 there).
    /// The set of versions is the same whatever the tier, so what the solver learns from a
    /// conflict stays true when it moves on to the prereleases.
    #[must_use]
    pub fn tiers(self) -> &'static [Tier] {
        match self {
            Self::Allowed => &[Tier::Any],
            Self::Forbidden => &[Tier::Final],
            Self::IfNecessary => &[Tier::Final, Tier::Prerelease],
        }
    }
}

impl PrereleaseMode {
    /// The permission for a package, given whether its first-party requirements name a
    /// prerelease.
    #[must_use]
    pub fn permission(self, explicit: bool) -> PrereleasePermission {
        match self {
            Self::Allow => PrereleasePermission::Allowed,
            Self::Disallow => PrereleasePermission::Forbidden,
            // A specifier naming a prerelease never lets prereleases compete with final
            // releases; under `explicit` it is what lets them in at all.
            Self::IfNecessary | Self::IfNecessaryOrExplicit => PrereleasePermission::IfNecessary,
            Self::Explicit if explicit => PrereleasePermission::IfNecessary,
            Self::Explicit => PrereleasePermission::Forbidden,
        }
    }
}

/// One version's entry from its files; `None` when `--exclude-newer` leaves no file.
fn entry_for(
    name: &PackageName,
    mut files: Vec<IndexFile>,
    files_for: &FilesFor,
    options: &SelectionOptions,
) -> Option<VersionEntry> {
    if let Some(cutoff) = options.exclude_newer {
        // A file without an upload time cannot be shown to predate the cutoff.
        files.retain(|file| file.upload_time.is_some_and(|uploaded| uploaded <= cutoff));
        if files.is_empty() {
            return None;
        }
    }
    let yanked = files.iter().all(|file| file.yanked.is_yanked());
    // Yanked files are skipped unless every file is yanked, in which case the version is only
    // reachable through an `==` pin and any of its files will do.
    let consider = |file: &&IndexFile| yanked || !file.yanked.is_yanked();
    let mut python_mismatch = None;
    let mut best_wheel: Option<(usize, _)> = None;
    let mut sdist = None;
    let mut saw_wheel = false;
    let mut saw_sdist = false;
    let mut requires_python = None;
    for (index, file) in files.iter().enumerate().filter(|(_, file)| consider(file)) {
        if let Some(specifiers) = &file.requires_python {
            match files_for {
                FilesFor::Target(target) if !python_allows(target, specifiers) => {
                    python_mismatch.get_or_insert_with(|| specifiers.clone());
                    continue;
                }
                FilesFor::Target(_) => {}
                FilesFor::AnyPlatform => {
                    requires_python.get_or_insert_with(|| specifiers.clone());
                }
            }
        }
        match &file.dist {
            DistFilename::Wheel(wheel) => {
                saw_wheel = true;
                if options.no_binary.contains(name) {
                    continue;
                }
                let priority = match files_for {
                    FilesFor::Target(target) => target.wheel_priority(&wheel.tag),
                    FilesFor::AnyPlatform => Some(any_platform_priority(wheel)),
                };
                if let Some(priority) = priority
                    && best_wheel.as_ref().is_none_or(|(_, best)| priority > *best)
                {
                    best_wheel = Some((index, priority));
                }
            }
            DistFilename::Sdist(_) => {
                saw_sdist = true;
                if !options.only_binary.contains(name) && sdist.is_none() {
                    sdist = Some(index);
                }
            }
        }
    }
    let best = match (best_wheel, sdist) {
        (Some((index, _)), _) | (None, Some(index)) => Ok(Installable::File(index)),
        (None, None) => Err(
            if let Some(specifiers) = python_mismatch.filter(|_| !saw_wheel && !saw_sdist) {
                Unusable::RequiresPython(specifiers)
            } else if saw_sdist && options.only_binary.contains(name) {
                Unusable::OnlyBinary
            } else if saw_wheel && options.no_binary.contains(name) {
                Unusable::NoBinary
            } else {
                Unusable::NoCompatibleWheel
            },
        ),
    };
    let metadata_wheel = match best {
        Ok(Installable::File(index)) if !files[index].dist.is_wheel() => {
            let usable =
                |file: &&IndexFile| file.dist.is_wheel() && (yanked || !file.yanked.is_yanked());
            let pure = files.iter().position(|file| {
                usable(&file)
                    && matches!(&file.dist, DistFilename::Wheel(wheel)
                        if wheel.tag.is_any_platform())
            });
            pure.or_else(|| files.iter().position(|file| usable(&file)))
        }
        _ => None,
    };
    Some(VersionEntry {
        files,
        best,
        yanked,
        requires_python,
        metadata_wheel,
    })
}

/// How a wheel ranks when any platform will do: a pure-Python wheel first (its metadata stands
/// for every platform's), then the others in listing order.
fn any_platform_priority(wheel: &crate::types::WheelFilename) -> TagPriority {
    let pure = wheel.tag.is_any_platform();
    TagPriority::new(u32::from(pure))
}
