//! The environments a resolution runs in: one exact [`Target`], or a *fork* of a universal
//! resolution, a region of all environments described by a PEP 508 marker.
//!
//! A universal resolution starts with one fork, everything `requires-python` allows. Where the
//! requirements on one package differ under disjoint markers (`a>=2; sys_platform == 'linux'`
//! and `a<2; sys_platform == 'darwin'`), or where the newest version of a package needs a newer
//! Python than the fork's oldest, the fork is split into regions that each get their own
//! resolution ([`Split`]). Everything here is about markers; the fork loop is in `universal.rs`.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Bound;
use std::str::FromStr;

use pep508_rs::{MarkerTree, MarkerTreeKind, MarkerValueVersion};
use pubgrub::Ranges;

use crate::target::{Platform, PythonVersion, Target};
use crate::types::{ExtraName, PackageName, Version, VersionSpecifiers};

/// What a universal resolution covers: every environment whose Python `requires_python`
/// allows.
#[derive(Clone, Debug)]
pub struct Universal {
    /// The lock's `requires-python`, e.g. `>=3.10`.
    pub requires_python: VersionSpecifiers,
    /// The forks an existing lock was made with: a re-lock starts from them, so that it splits
    /// the same way and gives the same lock (uv #5480 is this going wrong).
    pub forks: Vec<MarkerTree>,
    /// `--required-platform`: platforms every pin that applies on them must install on (a
    /// wheel for it, or an sdist). Each gets a fork of its own, so that what it requires is
    /// judged where it applies.
    pub required_platforms: Vec<Platform>,
}

impl Universal {
    /// The universe for `requires_python`.
    #[must_use]
    pub fn new(requires_python: VersionSpecifiers) -> Self {
        Self {
            requires_python,
            forks: Vec::new(),
            required_platforms: Vec::new(),
        }
    }

    /// The forks to start from: the existing lock's, narrowed to this universe, plus what of
    /// the universe they leave out; or the whole universe when there are none, or when they
    /// overlap (then they were not written by a universal resolution).
    #[must_use]
    pub fn starting_forks(&self) -> Vec<Fork> {
        let root = Fork::root(self);
        let known: Vec<Fork> = self
            .forks
            .iter()
            .filter_map(|marker| root.narrowed(marker.clone()))
            .collect();
        let overlap = known.iter().enumerate().any(|(index, fork)| {
            known[..index]
                .iter()
                .any(|other| !fork.markers.is_disjoint(&other.markers))
        });
        let forks = if known.is_empty() || overlap {
            vec![root]
        } else {
            let mut covered = MarkerTree::FALSE;
            for fork in &known {
                covered.or(fork.markers.clone());
            }
            let rest = root.narrowed(covered.negate());
            known.into_iter().chain(rest).collect()
        };
        self.split_by_platform(forks)
    }

    /// `forks` cut along the required platforms' markers, each piece knowing which required
    /// platforms it lies on (platforms with the same markers share a piece).
    fn split_by_platform(&self, forks: Vec<Fork>) -> Vec<Fork> {
        if self.required_platforms.is_empty() {
            return forks;
        }
        let mut regions: Vec<(MarkerTree, Vec<Platform>)> = Vec::new();
        for platform in &self.required_platforms {
            let marker = platform_marker(platform);
            match regions.iter_mut().find(|(known, _)| *known == marker) {
                Some((_, platforms)) => platforms.push(*platform),
                None => regions.push((marker, vec![*platform])),
            }
        }
        let mut elsewhere = MarkerTree::TRUE;
        for (marker, _) in &regions {
            elsewhere.and(marker.negate());
        }
        forks
            .into_iter()
            .flat_map(|fork| {
                let on_platforms: Vec<Fork> = regions
                    .iter()
                    .filter_map(|(marker, platforms)| {
                        let mut piece = fork.narrowed(marker.clone())?;
                        piece.platforms.clone_from(platforms);
                        Some(piece)
                    })
                    .collect();
                on_platforms
                    .into_iter()
                    .chain(fork.narrowed(elsewhere.clone()))
            })
            .collect()
    }

    /// `requires-python` as a marker.
    #[must_use]
    pub fn markers(&self) -> MarkerTree {
        python_marker(&self.requires_python)
    }

    /// The oldest Python `requires-python` allows: where the marker simplification starts.
    #[must_use]
    pub fn floor(&self) -> Version {
        python_floor(&self.markers()).unwrap_or_else(|| Version::new([0]))
    }
}

/// `specifiers` on `python_full_version` as a marker (`>=3.10` becomes
/// `python_full_version >= '3.10'`); no specifier is true.
#[must_use]
pub fn python_marker(specifiers: &VersionSpecifiers) -> MarkerTree {
    let mut tree = MarkerTree::TRUE;
    for specifier in specifiers.iter() {
        let text = format!(
            "python_full_version {} '{}'",
            specifier.operator(),
            specifier.version()
        );
        match MarkerTree::from_str(&text) {
            Ok(marker) => tree.and(marker),
            // `===` and the like have no marker form: leaving the bound out only widens the
            // universe, which costs a needless fork at worst.
            Err(error) => tracing::debug!("`{specifier}` has no marker form: {error}"),
        }
    }
    tree
}

/// One region of a universal resolution.
#[derive(Clone, Debug)]
pub struct Fork {
    /// Where it applies: the universe's `requires-python` and every split that led here.
    pub markers: MarkerTree,
    /// The oldest Python in the region: a version is usable only when its `Requires-Python`
    /// admits it (upper bounds aside, as for a target).
    pub floor: Version,
    /// The required platforms the region lies on: a version must have a wheel for each of
    /// them (for the region's oldest Python) or an sdist.
    pub platforms: Vec<Platform>,
}

impl Fork {
    /// The region `markers`, whose Python is at least `at_least`.
    #[must_use]
    pub fn new(markers: MarkerTree, at_least: &Version) -> Self {
        let floor = python_floor(&markers)
            .filter(|floor| floor > at_least)
            .unwrap_or_else(|| at_least.clone());
        Self {
            markers,
            floor,
            platforms: Vec::new(),
        }
    }

    /// The whole universe.
    #[must_use]
    pub fn root(universal: &Universal) -> Self {
        Self::new(universal.markers(), &universal.floor())
    }

    /// This region narrowed by `marker`, or `None` when nothing is left.
    #[must_use]
    pub fn narrowed(&self, marker: MarkerTree) -> Option<Self> {
        let mut markers = self.markers.clone();
        markers.and(marker);
        (!markers.is_false()).then(|| Self {
            platforms: self.platforms.clone(),
            ..Self::new(markers, &self.floor)
        })
    }

    /// The targets a version must install on in this region: each required platform with the
    /// region's oldest Python.
    #[must_use]
    pub fn required_targets(&self) -> Vec<Target> {
        let Some(python) = python_of(&self.floor) else {
            return Vec::new();
        };
        self.platforms
            .iter()
            .map(|platform| Target::new(python, *platform))
            .collect()
    }
}

impl fmt::Display for Fork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.markers.contents() {
            Some(contents) => write!(f, "{contents}"),
            None => f.write_str("every environment"),
        }
    }
}

/// `sys_platform` and `platform_machine` of `platform`, as a marker.
fn platform_marker(platform: &Platform) -> MarkerTree {
    let python = PythonVersion::new(3, 12, None).ok();
    let Some(target) = python.map(|python| Target::new(python, *platform)) else {
        return MarkerTree::TRUE;
    };
    let environment = target.markers();
    MarkerTree::from_str(&format!(
        "sys_platform == '{}' and platform_machine == '{}'",
        environment.sys_platform(),
        environment.platform_machine()
    ))
    .unwrap_or(MarkerTree::TRUE)
}

/// `version` (a fork's floor, `X.Y` or `X.Y.Z`) as a target Python.
fn python_of(version: &Version) -> Option<PythonVersion> {
    let release = version.release();
    let part = |index: usize| release.get(index).and_then(|part| u8::try_from(*part).ok());
    PythonVersion::new(part(0)?, part(1).unwrap_or(0), part(2)).ok()
}

/// Where one resolution runs: what decides which requirements apply and which versions may be
/// used.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scope<'a> {
    /// One exact target: markers are evaluated, files are judged by its tags.
    Exact(&'a Target),
    /// A fork of a universal resolution: a requirement applies when its marker can hold
    /// somewhere in the region.
    Fork(&'a Fork),
}

impl Scope<'_> {
    /// Whether a requirement with `marker` applies, with `extras` of its package active.
    pub(crate) fn applies(&self, marker: &MarkerTree, extras: &[ExtraName]) -> bool {
        match self {
            Self::Exact(target) => marker.evaluate(target.markers(), extras),
            // Most requirements have no marker.
            Self::Fork(_) if marker.is_true() => true,
            Self::Fork(fork) => {
                marker.evaluate_extras(extras)
                    && !fork
                        .markers
                        .is_disjoint(&without_extras(marker.clone(), extras))
            }
        }
    }

    /// Whether `requires_python` admits the scope's Python (its oldest, in a fork), upper
    /// bounds ignored.
    pub(crate) fn allows_python(&self, requires_python: &VersionSpecifiers) -> bool {
        match self {
            Self::Exact(target) => super::candidates::python_allows(target, requires_python),
            Self::Fork(fork) => {
                super::candidates::lower_bounds(requires_python).contains(&fork.floor)
                    && !excludes_every_python(fork, requires_python)
            }
        }
    }
}

/// Whether the upper bounds of `requires_python` leave no Python of `fork` (a release for
/// `<3.10` only, in a lock for `>=3.10`). Upper bounds are otherwise ignored, as for a target:
/// they are mostly guesses made before the next Python existed; one below everything the fork
/// covers is not.
fn excludes_every_python(fork: &Fork, requires_python: &VersionSpecifiers) -> bool {
    let upper = requires_python.iter().any(|specifier| {
        matches!(
            specifier.operator(),
            pep440_rs::Operator::LessThan | pep440_rs::Operator::LessThanEqual
        )
    });
    upper && python_marker(requires_python).is_disjoint(&fork.markers)
}

/// `marker` with the `extra` expressions decided: true for `extras`, false for any other. What
/// is left says where a requirement applies.
#[must_use]
pub fn without_extras(marker: MarkerTree, extras: &[ExtraName]) -> MarkerTree {
    if marker.is_true() {
        return marker;
    }
    let simplified = marker.simplify_extras(extras);
    if !mentions_extra(&simplified) {
        return simplified;
    }
    // An extra that is not active is left in place by the simplification: drop every
    // conjunction that needs one (rare: markers that name two extras).
    let mut tree = MarkerTree::FALSE;
    for clause in simplified.to_dnf() {
        if clause
            .iter()
            .any(|expression| expression.to_string().starts_with("extra "))
        {
            continue;
        }
        let mut conjunction = MarkerTree::TRUE;
        for expression in clause {
            conjunction.and(MarkerTree::expression(expression));
        }
        tree.or(conjunction);
    }
    tree
}

fn mentions_extra(marker: &MarkerTree) -> bool {
    matches!(marker.kind(), MarkerTreeKind::Extra(_)) || subtrees(marker).iter().any(mentions_extra)
}

/// The subtrees below the top node of `marker`'s decision diagram, one per edge (none for
/// true and false).
fn subtrees(marker: &MarkerTree) -> Vec<MarkerTree> {
    match marker.kind() {
        MarkerTreeKind::True | MarkerTreeKind::False => Vec::new(),
        MarkerTreeKind::Version(node) => node.edges().map(|(_, tree)| tree).collect(),
        MarkerTreeKind::String(node) => node.children().map(|(_, tree)| tree).collect(),
        MarkerTreeKind::In(node) => node.children().map(|(_, tree)| tree).collect(),
        MarkerTreeKind::Contains(node) => node.children().map(|(_, tree)| tree).collect(),
        MarkerTreeKind::Extra(node) => node.children().map(|(_, tree)| tree).collect(),
    }
}

/// The oldest Python (`python_full_version`) `marker` admits, `None` when it admits none, and
/// 0 when it says nothing about Python.
#[must_use]
pub fn python_floor(marker: &MarkerTree) -> Option<Version> {
    let zero = || Version::new([0]);
    match marker.kind() {
        MarkerTreeKind::True => Some(zero()),
        MarkerTreeKind::False => None,
        MarkerTreeKind::Version(node)
            if matches!(
                node.key(),
                MarkerValueVersion::PythonFullVersion | MarkerValueVersion::PythonVersion
            ) =>
        {
            // In the decision diagram a variable appears once on a path, so below this node
            // nothing narrows Python again: the floor is the lowest satisfiable edge's bound.
            node.edges()
                .filter(|(_, tree)| python_floor(tree).is_some())
                .map(|(range, _)| match range.bounding_range() {
                    Some((Bound::Included(low) | Bound::Excluded(low), _)) => low.clone(),
                    _ => zero(),
                })
                .min()
        }
        _ => subtrees(marker).iter().filter_map(python_floor).min(),
    }
}

/// Why a fork must be split, and into what.
#[derive(Clone, Debug)]
pub(crate) struct Split {
    /// The package whose requirements or versions split it.
    pub(crate) package: PackageName,
    /// What split it, for `-v`.
    pub(crate) reason: String,
    /// The regions, disjoint, together the whole fork (less regions where nothing differs).
    pub(crate) regions: Vec<Fork>,
}

/// A region an in-place split left for a later fork, with the package that split it (named if
/// the forks grow past the cap).
pub(crate) struct Deferred {
    /// The region.
    pub(crate) fork: Fork,
    /// The package whose requirements or versions split it off.
    pub(crate) package: PackageName,
}

/// One requirement as the split rule sees it.
pub(crate) struct Requested<'a> {
    pub(crate) name: &'a PackageName,
    pub(crate) range: Ranges<Version>,
    /// Where it applies, extras decided.
    pub(crate) marker: MarkerTree,
}

/// The split `requirements` (of one package, or the root) call for in `fork`: when two
/// requirements on one package ask for different versions under disjoint markers, no single
/// version can serve both, so the fork is cut along every marker that package's requirements
/// use.
pub(crate) fn split_for(fork: &Fork, requirements: &[Requested<'_>]) -> Option<Split> {
    let mut by_name: BTreeMap<&PackageName, Vec<&Requested<'_>>> = BTreeMap::new();
    for requirement in requirements {
        by_name
            .entry(requirement.name)
            .or_default()
            .push(requirement);
    }
    for (name, requested) in by_name {
        let conflicting = requested.iter().enumerate().any(|(index, first)| {
            requested[..index].iter().any(|second| {
                first.range != second.range && {
                    let mut inside = first.marker.clone();
                    inside.and(fork.markers.clone());
                    inside.is_disjoint(&second.marker)
                }
            })
        });
        if !conflicting {
            continue;
        }
        let mut regions = vec![fork.clone()];
        let mut cuts: Vec<MarkerTree> = Vec::new();
        for requirement in &requested {
            if !cuts.contains(&requirement.marker) {
                cuts.push(requirement.marker.clone());
            }
        }
        for cut in &cuts {
            regions = regions
                .iter()
                .flat_map(|region| [region.narrowed(cut.clone()), region.narrowed(cut.negate())])
                .flatten()
                .collect();
        }
        // The regions where an upper-bounded requirement applies first (`a<2` before
        // `a>=1`), as uv orders them: their versions then become the other regions'
        // preferences, and one version often serves both.
        let bounded = |region: &Fork| {
            requested.iter().any(|requirement| {
                !region.markers.is_disjoint(&requirement.marker)
                    && requirement
                        .range
                        .bounding_range()
                        .is_some_and(|(_, upper)| !matches!(upper, Bound::Unbounded))
            })
        };
        regions.sort_by_key(|region| !bounded(region));
        let reason = format!(
            "`{name}` is required as {}",
            requested
                .iter()
                .map(|requirement| format!(
                    "{} where {}",
                    requirement.range,
                    requirement
                        .marker
                        .contents()
                        .map_or("always".to_string(), |contents| contents.to_string())
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Some(Split {
            package: name.clone(),
            reason,
            regions,
        });
    }
    None
}

/// The split of `fork` at Python `at`: below it and from it on, when both are non-empty. Made
/// when the newest version of a package needs Python `at` or newer and the fork reaches older
/// Pythons: the newer Pythons get that version, the older ones an older version.
pub(crate) fn split_at_python(fork: &Fork, package: &PackageName, at: &Version) -> Option<Split> {
    let from = MarkerTree::from_str(&format!("python_full_version >= '{at}'")).ok()?;
    // The newer Pythons first: their versions then become the older ones' preferences only
    // where they fit, not the other way round (which would hold the newer Pythons back).
    let regions: Vec<Fork> = [fork.narrowed(from.clone()), fork.narrowed(from.negate())]
        .into_iter()
        .flatten()
        .collect();
    (regions.len() == 2).then(|| Split {
        package: package.clone(),
        reason: format!("the newest `{package}` needs Python >= {at}"),
        regions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(text: &str) -> MarkerTree {
        MarkerTree::from_str(text).unwrap()
    }

    fn version(text: &str) -> Version {
        text.parse().unwrap()
    }

    #[test]
    fn the_floor_of_a_marker() {
        assert_eq!(
            python_floor(&marker("python_version >= '3.10'")),
            Some(version("3.10"))
        );
        assert_eq!(
            python_floor(&marker(
                "sys_platform == 'linux' and python_full_version >= '3.11.2'"
            )),
            Some(version("3.11.2"))
        );
        assert_eq!(
            python_floor(&marker("sys_platform == 'linux'")),
            Some(version("0"))
        );
        assert_eq!(
            python_floor(&marker(
                "python_version < '3.8' and python_version >= '3.9'"
            )),
            None
        );
    }

    #[test]
    fn extras_are_decided() {
        let extra: ExtraName = "socks".parse().unwrap();
        let tree = marker("extra == 'socks' and sys_platform == 'linux'");
        assert_eq!(
            without_extras(tree.clone(), std::slice::from_ref(&extra)),
            marker("sys_platform == 'linux'")
        );
        assert!(without_extras(tree, &[]).is_false());
        let two = marker(
            "(extra == 'a' and sys_platform == 'linux') or (extra == 'b' and sys_platform == 'win32')",
        );
        let a: ExtraName = "a".parse().unwrap();
        assert_eq!(without_extras(two, &[a]), marker("sys_platform == 'linux'"));
    }

    #[test]
    fn disjoint_requirements_split_a_fork() {
        let universal = Universal::new(VersionSpecifiers::from_str(">=3.10").unwrap());
        let fork = Fork::root(&universal);
        let name: PackageName = "a".parse().unwrap();
        let at_least = |text: &str| Ranges::higher_than(version(text));
        let requested = [
            Requested {
                name: &name,
                range: at_least("2"),
                marker: marker("sys_platform == 'linux'"),
            },
            Requested {
                name: &name,
                range: Ranges::strictly_lower_than(version("2")),
                marker: marker("sys_platform == 'darwin'"),
            },
        ];
        let split = split_for(&fork, &requested).unwrap();
        // linux, darwin, and the rest.
        assert_eq!(split.regions.len(), 3);
        for (index, region) in split.regions.iter().enumerate() {
            for other in &split.regions[..index] {
                assert!(region.markers.is_disjoint(&other.markers));
            }
        }
        // The same range under disjoint markers needs no split.
        let same = [
            Requested {
                name: &name,
                range: at_least("2"),
                marker: marker("sys_platform == 'linux'"),
            },
            Requested {
                name: &name,
                range: at_least("2"),
                marker: marker("sys_platform == 'darwin'"),
            },
        ];
        assert!(split_for(&fork, &same).is_none());
    }

    #[test]
    fn a_python_split_raises_the_floor() {
        let universal = Universal::new(VersionSpecifiers::from_str(">=3.10").unwrap());
        let fork = Fork::root(&universal);
        assert_eq!(fork.floor, version("3.10"));
        let name: PackageName = "numpy".parse().unwrap();
        let split = split_at_python(&fork, &name, &version("3.11")).unwrap();
        assert_eq!(split.regions[0].floor, version("3.11"));
        assert_eq!(split.regions[1].floor, version("3.10"));
        // Nothing to split below the floor.
        assert!(split_at_python(&fork, &name, &version("3.9")).is_none());
    }
}
