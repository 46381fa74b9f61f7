//! What a registry of the oracle test is, what a valid solution of it is, and an exhaustive
//! search for one.
//!
//! The semantics are written out here directly, from PEP 440/508 and pinwheel's documented
//! policies, without going through the resolver's own code: specifiers are matched with
//! pep440_rs' `contains` (not `specifiers::specifier_to_range`), markers are not parsed at
//! all (the generator knows whether each one holds on the target), and extras are activated
//! as pip does, one at a time. A bug shared by the resolver and this model would have to be
//! made twice.
//!
//! Why a brute-force search and not a SAT solver (varisat, splr): the registries are small
//! (at most a few thousand assignments), so an exhaustive search is exact and fast; it needs
//! no dependency; and it checks the very rules the checker uses, where a CNF encoding would
//! be a second translation of them that could hide a bug of its own (and "no model" from a
//! SAT solver is only as right as that encoding).

use std::collections::BTreeSet;

use pep440_rs::Operator;

use crate::resolver::{PrereleaseMode, ResolutionStrategy};
use crate::types::{Version, VersionSpecifiers};

/// A random registry with the user's inputs and options.
pub(super) struct Registry {
    /// Every package a requirement may name; some have no release at all.
    pub(super) packages: Vec<Package>,
    /// The lines of `requirements.in`.
    pub(super) roots: Vec<Req>,
    /// The lines of a `-c` file.
    pub(super) constraints: Vec<Req>,
    /// `--prerelease`.
    pub(super) prerelease: PrereleaseMode,
    /// `--resolution`: it changes which solution is found, never whether one exists.
    pub(super) strategy: ResolutionStrategy,
}

/// A project of the registry.
pub(super) struct Package {
    pub(super) name: String,
    pub(super) releases: Vec<Release>,
}

/// One version of a project, with a single file.
pub(super) struct Release {
    /// The version as written in the file name and metadata.
    pub(super) text: String,
    pub(super) version: Version,
    pub(super) requires: Vec<Req>,
    /// `Provides-Extra`.
    pub(super) provides: Vec<String>,
    pub(super) yanked: bool,
    pub(super) flaw: Flaw,
}

/// What may make a file unusable on the target (CPython 3.12 on x86_64 Linux).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Flaw {
    None,
    /// Its only file is a Windows wheel.
    WindowsOnly,
    /// `Requires-Python: >=3.13`.
    NewerPython,
    /// `Requires-Python: >=3.8,<3.12`: usable, since upper bounds are ignored (as pip-compile
    /// and uv do; see `requires_python_upper_bounds_are_ignored`).
    CappedPython,
}

impl Flaw {
    fn usable(self) -> bool {
        matches!(self, Self::None | Self::CappedPython)
    }
}

/// An environment marker and whether it holds on the target.
#[derive(Clone, Copy, Debug)]
pub(super) struct EnvMarker {
    pub(super) text: &'static str,
    pub(super) holds: bool,
}

/// A requirement: `name[extras]specifiers; marker`.
pub(super) struct Req {
    /// Index into [`Registry::packages`].
    pub(super) package: usize,
    pub(super) extras: Vec<String>,
    pub(super) specifiers: VersionSpecifiers,
    pub(super) env: Option<EnvMarker>,
    /// `extra == "…"` in the marker: the requirement belongs to that extra.
    pub(super) extra: Option<String>,
}

impl Req {
    /// Whether the requirement applies, read with `extra` active (`None`: the base package, or
    /// a first-party line). pip evaluates a marker once per requested extra, so
    /// `extra == "x"` holds only while reading extra `x`.
    fn applies(&self, extra: Option<&str>) -> bool {
        self.env.is_none_or(|env| env.holds)
            && self
                .extra
                .as_deref()
                .is_none_or(|wanted| extra == Some(wanted))
    }

    /// The requirement as a requirements file or `Requires-Dist` writes it.
    pub(super) fn text(&self, registry: &Registry) -> String {
        let mut text = registry.packages[self.package].name.clone();
        if !self.extras.is_empty() {
            text.push_str(&format!("[{}]", self.extras.join(",")));
        }
        text.push_str(&self.specifiers.to_string());
        let marker = match (&self.env, &self.extra) {
            (None, None) => None,
            (Some(env), None) => Some(env.text.to_string()),
            (None, Some(extra)) => Some(format!("extra == \"{extra}\"")),
            (Some(env), Some(extra)) => Some(format!("{} and extra == \"{extra}\"", env.text)),
        };
        if let Some(marker) = marker {
            text.push_str(&format!("; {marker}"));
        }
        text
    }
}

/// For each package, the release chosen for it (`None`: not installed).
pub(super) type Assignment = Vec<Option<usize>>;

/// A pin as the resolver reports it, in the model's terms.
#[derive(Clone, Debug)]
pub(super) struct Chosen {
    pub(super) name: String,
    pub(super) version: Version,
    pub(super) extras: BTreeSet<String>,
}

impl Registry {
    /// The first-party lines on `package` that apply on the target.
    fn first_party(&self, package: usize) -> impl Iterator<Item = &Req> {
        self.roots
            .iter()
            .chain(&self.constraints)
            .filter(move |line| line.package == package && line.applies(None))
    }

    /// Whether `release` of `package` may be chosen at all, whatever else is chosen: its file
    /// is usable on the target; if yanked, a first-party `==` pin names it (PEP 592, as
    /// `RootSpec::allows_yanked`); if a prerelease, the prerelease mode lets it in.
    pub(super) fn allowed(&self, package: usize, release: usize) -> Result<(), String> {
        let found = &self.packages[package].releases[release];
        let what = || format!("{} {}", self.packages[package].name, found.text);
        if !found.flaw.usable() {
            return Err(format!("{} cannot be installed ({:?})", what(), found.flaw));
        }
        if found.yanked && !self.pinned_exactly(package, &found.version) {
            return Err(format!("{} is yanked and no `==` line pins it", what()));
        }
        if found.version.any_prerelease() && !self.prereleases_allowed(package) {
            return Err(format!(
                "{} is a prerelease, which {:?} excludes",
                what(),
                self.prerelease
            ));
        }
        Ok(())
    }

    fn pinned_exactly(&self, package: usize, version: &Version) -> bool {
        self.first_party(package).any(|line| {
            line.specifiers.iter().any(|specifier| {
                matches!(specifier.operator(), Operator::Equal | Operator::ExactEqual)
                    && specifier.contains(version)
            })
        })
    }

    /// With the default modes a prerelease is only tried after the final releases, which
    /// orders the search but excludes nothing.
    fn prereleases_allowed(&self, package: usize) -> bool {
        match self.prerelease {
            PrereleaseMode::Disallow => false,
            PrereleaseMode::Explicit => self.first_party(package).any(|line| {
                line.specifiers
                    .iter()
                    .any(|specifier| specifier.version().any_prerelease())
            }),
            PrereleaseMode::Allow
            | PrereleaseMode::IfNecessary
            | PrereleaseMode::IfNecessaryOrExplicit => true,
        }
    }

    fn describe(&self, package: usize, release: usize) -> String {
        format!(
            "{} {}",
            self.packages[package].name, self.packages[package].releases[release].text
        )
    }
}

/// What [`examine`] found in a (partial) assignment.
pub(super) enum Outcome {
    /// Every applying requirement is met; the extras each package is required with, and
    /// which packages some requirement reaches.
    Complete {
        extras: Vec<BTreeSet<String>>,
        reached: Vec<bool>,
    },
    /// A chosen release breaks a rule: no extension of the assignment can be a solution.
    Violated(String),
    /// An applying requirement names a package with no release chosen yet.
    Open(usize),
}

/// Follows the requirements from the roots through the chosen releases. The requirements that
/// apply only grow as releases are added, so a violation found here holds for every
/// extension: this is what makes the search's pruning exact.
pub(super) fn examine(registry: &Registry, assignment: &Assignment) -> Outcome {
    let count = registry.packages.len();
    let mut walk = Walk {
        registry,
        assignment,
        extras: vec![BTreeSet::new(); count],
        reached: vec![false; count],
        expanded: BTreeSet::new(),
        queue: Vec::new(),
        open: None,
    };
    for (package, release) in assignment.iter().enumerate() {
        let Some(release) = *release else { continue };
        if let Err(why) = registry.allowed(package, release) {
            return Outcome::Violated(why);
        }
        let version = &registry.packages[package].releases[release].version;
        for line in registry
            .constraints
            .iter()
            .filter(|line| line.applies(None))
        {
            if line.package == package && !line.specifiers.contains(version) {
                return Outcome::Violated(format!(
                    "the constraint {} excludes {}",
                    line.text(registry),
                    registry.describe(package, release)
                ));
            }
        }
    }
    for root in registry.roots.iter().filter(|root| root.applies(None)) {
        if let Err(why) = walk.demand(root, "requirements.in") {
            return Outcome::Violated(why);
        }
    }
    while let Some((package, extra)) = walk.queue.pop() {
        if let Err(why) = walk.expand(package, extra) {
            return Outcome::Violated(why);
        }
    }
    match walk.open {
        Some(package) => Outcome::Open(package),
        None => Outcome::Complete {
            extras: walk.extras,
            reached: walk.reached,
        },
    }
}

/// The state of one [`examine`].
struct Walk<'r> {
    registry: &'r Registry,
    assignment: &'r Assignment,
    extras: Vec<BTreeSet<String>>,
    reached: Vec<bool>,
    /// The (package, extra) pairs whose requirements were read.
    expanded: BTreeSet<(usize, Option<String>)>,
    queue: Vec<(usize, Option<String>)>,
    open: Option<usize>,
}

impl Walk<'_> {
    /// Records that `requirement` (of `from`) applies: met by the chosen release, or open.
    fn demand(&mut self, requirement: &Req, from: &str) -> Result<(), String> {
        let package = requirement.package;
        self.reached[package] = true;
        let Some(release) = self.assignment[package] else {
            self.open.get_or_insert(package);
            return Ok(());
        };
        let version = &self.registry.packages[package].releases[release].version;
        if !requirement.specifiers.contains(version) {
            return Err(format!(
                "{from} requires {}, but {} is chosen",
                requirement.text(self.registry),
                self.registry.describe(package, release)
            ));
        }
        self.queue.push((package, None));
        for extra in &requirement.extras {
            self.extras[package].insert(extra.clone());
            self.queue.push((package, Some(extra.clone())));
        }
        Ok(())
    }

    /// Reads the requirements of `package`'s chosen release with `extra` active.
    fn expand(&mut self, package: usize, extra: Option<String>) -> Result<(), String> {
        if !self.expanded.insert((package, extra.clone())) {
            return Ok(());
        }
        let Some(release) = self.assignment[package] else {
            return Ok(());
        };
        let from = self.registry.describe(package, release);
        let registry = self.registry;
        for requirement in &registry.packages[package].releases[release].requires {
            if requirement.applies(extra.as_deref()) {
                self.demand(requirement, &from)?;
            }
        }
        Ok(())
    }
}

/// Checks the resolver's pins against every rule: known versions, allowed releases, one
/// version per package, every applying requirement met (constraints included), each package
/// reached from the roots and pinned with exactly the extras required of it.
pub(super) fn check(registry: &Registry, pins: &[Chosen]) -> Result<(), String> {
    let mut assignment: Assignment = vec![None; registry.packages.len()];
    for pin in pins {
        let package = registry
            .packages
            .iter()
            .position(|package| package.name == pin.name)
            .ok_or_else(|| format!("{} is not in the registry", pin.name))?;
        let release = registry.packages[package]
            .releases
            .iter()
            .position(|release| release.version == pin.version)
            .ok_or_else(|| format!("{} has no version {}", pin.name, pin.version))?;
        if let Some(earlier) = assignment[package].replace(release) {
            return Err(format!(
                "{} is pinned twice: {} and {}",
                pin.name,
                registry.describe(package, earlier),
                pin.version
            ));
        }
    }
    let (extras, reached) = match examine(registry, &assignment) {
        Outcome::Violated(why) => return Err(why),
        Outcome::Open(package) => {
            return Err(format!(
                "{} is required but not pinned",
                registry.packages[package].name
            ));
        }
        Outcome::Complete { extras, reached } => (extras, reached),
    };
    for pin in pins {
        let package = registry
            .packages
            .iter()
            .position(|package| package.name == pin.name)
            .unwrap_or_default();
        if !reached[package] {
            return Err(format!("{} is pinned but nothing requires it", pin.name));
        }
        if extras[package] != pin.extras {
            return Err(format!(
                "{} is pinned with extras {:?} but required with {:?}",
                pin.name, pin.extras, extras[package]
            ));
        }
    }
    Ok(())
}

/// An exhaustive search for a solution, and how many assignments it looked at.
///
/// Depth first: the first open requirement's package gets each of its allowed releases in
/// turn. Any solution, cut down to what the roots reach, extends the current assignment and
/// contains a release of that package, so no solution is skipped.
pub(super) fn find_solution(registry: &Registry) -> (Option<Assignment>, u64) {
    let mut assignment = vec![None; registry.packages.len()];
    let mut nodes = 0;
    let found = search(registry, &mut assignment, &mut nodes);
    (found.then_some(assignment), nodes)
}

fn search(registry: &Registry, assignment: &mut Assignment, nodes: &mut u64) -> bool {
    *nodes += 1;
    let package = match examine(registry, assignment) {
        Outcome::Complete { .. } => return true,
        Outcome::Violated(_) => return false,
        Outcome::Open(package) => package,
    };
    for release in 0..registry.packages[package].releases.len() {
        if registry.allowed(package, release).is_err() {
            continue;
        }
        assignment[package] = Some(release);
        if search(registry, assignment, nodes) {
            return true;
        }
    }
    assignment[package] = None;
    false
}

/// An assignment as pins, for reports.
pub(super) fn describe_assignment(registry: &Registry, assignment: &Assignment) -> String {
    let pins: Vec<String> = assignment
        .iter()
        .enumerate()
        .filter_map(|(package, release)| Some(registry.describe(package, (*release)?)))
        .collect();
    pins.join(", ")
}
