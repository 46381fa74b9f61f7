//! The sets of versions PubGrub reasons about.
//!
//! PubGrub builds every set from the ranges we give it and from single versions: a decision is
//! `boto3 ==1.43.122`, and ruling it out leaves `<1.43.122 | >1.43.122`. Over PEP 440 versions
//! those holes never close, because between two versions there are always others
//! (`1.43.122.post1`). A walk back through 1,462 boto3 versions therefore left sets of a segment
//! per version passed, and PubGrub keeps every incompatibility it derives: time and memory grew
//! with the square of the walk (1.5 GB on boto3.in).
//!
//! Versions the index does not list can never be chosen, so two sets that hold the same listed
//! versions are the same set as far as the solver can tell. Once a project is walked, its chosen
//! versions carry the list of its versions ([`Listed`]), and every set made from one of them is
//! rewritten over that list: one segment per run of consecutive listed versions. Ruling out
//! 1.43.123, then 1.43.122, then 1.43.121 leaves `<1.43.121`.
//!
//! Invariants:
//! - a set made from a listed version, or from any set that was, holds the [`Listed`] and is
//!   canonical over it: its runs are maximal, a run of one version is an exact singleton, the
//!   others reach from their first version (or from nothing) up to the next listed version (or
//!   to nothing);
//! - a set without one is an ordinary range, exact over all versions;
//! - equality, emptiness, subset and disjointness are therefore exact over the listed versions
//!   wherever a list is known, which is all PubGrub needs: it only ever decides versions that
//!   `choose_version` returned, and those are listed.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Bound;
use std::sync::Arc;

use pubgrub::{Dependencies, DerivationTree, Derived, External, Map, Ranges, Term};

use crate::types::Version;

use super::package::PubGrubPackage;

/// Every version one project lists on the index, sorted, oldest first.
#[derive(Debug, PartialEq, Eq)]
pub struct Listed {
    versions: Box<[Version]>,
}

impl Listed {
    /// A list from versions already sorted oldest first (duplicates are dropped).
    #[must_use]
    pub fn new(versions: impl IntoIterator<Item = Version>) -> Arc<Self> {
        let mut versions: Vec<Version> = versions.into_iter().collect();
        debug_assert!(versions.windows(2).all(|pair| pair[0] <= pair[1]));
        versions.dedup();
        Arc::new(Self {
            versions: versions.into_boxed_slice(),
        })
    }

    /// Whether `version` is listed.
    #[must_use]
    pub fn holds(&self, version: &Version) -> bool {
        self.versions.binary_search(version).is_ok()
    }

    /// How many listed versions lie below `bound` taken as a lower bound.
    fn start_of(&self, bound: &Bound<SolverVersion>) -> usize {
        match bound {
            Bound::Unbounded => 0,
            Bound::Included(low) => self.versions.partition_point(|v| v < &low.version),
            Bound::Excluded(low) => self.versions.partition_point(|v| v <= &low.version),
        }
    }

    /// How many listed versions lie below or inside `bound` taken as an upper bound.
    fn end_of(&self, bound: &Bound<SolverVersion>) -> usize {
        match bound {
            Bound::Unbounded => self.versions.len(),
            Bound::Included(high) => self.versions.partition_point(|v| v <= &high.version),
            Bound::Excluded(high) => self.versions.partition_point(|v| v < &high.version),
        }
    }
}

/// A version as the solver sees it: compared, hashed and shown as the PEP 440 version alone,
/// and carrying its project's [`Listed`] versions once that project is walked.
#[derive(Clone, Debug)]
pub struct SolverVersion {
    version: Version,
    listed: Option<Arc<Listed>>,
}

impl SolverVersion {
    /// A version that knows the list it was chosen from (`listed` must hold it).
    #[must_use]
    pub fn listed(version: Version, listed: Arc<Listed>) -> Self {
        debug_assert!(listed.versions.binary_search(&version).is_ok());
        Self {
            version,
            listed: Some(listed),
        }
    }

    #[must_use]
    pub fn version(&self) -> &Version {
        &self.version
    }

    #[must_use]
    pub fn into_version(self) -> Version {
        self.version
    }
}

impl From<Version> for SolverVersion {
    fn from(version: Version) -> Self {
        Self {
            version,
            listed: None,
        }
    }
}

impl PartialEq for SolverVersion {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

impl Eq for SolverVersion {}

impl PartialOrd for SolverVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SolverVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.version.cmp(&other.version)
    }
}

impl Hash for SolverVersion {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.version.hash(state);
    }
}

impl fmt::Display for SolverVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.version.fmt(f)
    }
}

/// A set of versions of one package; see the module documentation.
#[derive(Clone, Debug)]
pub struct VersionSet {
    ranges: Ranges<SolverVersion>,
    /// The package's listed versions, once any set this one was made from knew them. Never
    /// lost by an operation: a set that forgot its list would be judged over all versions again,
    /// and PubGrub's search for the assignment that satisfied an incompatibility needs each
    /// package's sets to shrink monotonically under one meaning.
    listed: Option<Arc<Listed>>,
}

impl PartialEq for VersionSet {
    fn eq(&self, other: &Self) -> bool {
        // Canonical sets are equal exactly when they hold the same listed versions.
        self.ranges == other.ranges
    }
}

impl Eq for VersionSet {}

impl VersionSet {
    /// The same versions as `range`, over all versions.
    #[must_use]
    pub fn from_ranges(range: &Ranges<Version>) -> Self {
        Self::plain(
            range
                .iter()
                .map(|(low, high)| (bound_into(low), bound_into(high)))
                .collect(),
        )
    }

    fn plain(ranges: Ranges<SolverVersion>) -> Self {
        Self {
            ranges,
            listed: None,
        }
    }

    /// The set as a plain range: for a canonical set, one segment per run of listed versions,
    /// each as tight as the list allows (a run of one version is that version alone).
    #[must_use]
    pub fn to_ranges(&self) -> Ranges<Version> {
        self.ranges
            .iter()
            .map(|(low, high)| (bound_out(low), bound_out(high)))
            .collect()
    }

    /// The one version the set holds, if it is a single version.
    #[must_use]
    pub fn as_singleton(&self) -> Option<&Version> {
        self.ranges.as_singleton().map(SolverVersion::version)
    }

    /// The result of an operation on `self` and `other`: `ranges` rewritten over the list of
    /// either.
    fn made(&self, other: Option<&Self>, ranges: Ranges<SolverVersion>) -> Self {
        let listed = self
            .listed
            .as_ref()
            .or_else(|| other.and_then(|other| other.listed.as_ref()));
        match listed {
            Some(listed) => Self::canonical(ranges, Arc::clone(listed)),
            None => Self::plain(ranges),
        }
    }

    /// Whether `ranges`, the result of an operation on `self` and `other`, holds a version:
    /// [`VersionSet::made`]'s emptiness without building the set (PubGrub asks this of every
    /// incompatibility it propagates through, a few million times on a long walk).
    fn holds_any(&self, other: &Self, ranges: &Ranges<SolverVersion>) -> bool {
        match self.listed.as_ref().or(other.listed.as_ref()) {
            Some(listed) => ranges
                .iter()
                .any(|(low, high)| listed.start_of(low) < listed.end_of(high)),
            None => !ranges.is_empty(),
        }
    }

    /// `ranges` as runs of `listed` versions.
    fn canonical(ranges: Ranges<SolverVersion>, listed: Arc<Listed>) -> Self {
        if ranges.is_empty() || ranges == Ranges::full() {
            return Self {
                ranges,
                listed: Some(listed),
            };
        }
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for (low, high) in ranges.iter() {
            let (start, end) = (listed.start_of(low), listed.end_of(high));
            if start >= end {
                continue;
            }
            match runs.last_mut() {
                Some(last) if last.1 == start => last.1 = end,
                _ => runs.push((start, end)),
            }
        }
        let count = listed.versions.len();
        let at = |index: usize| SolverVersion::from(listed.versions[index].clone());
        let ranges = runs
            .into_iter()
            .map(|(start, end)| {
                if end - start == 1 {
                    return (Bound::Included(at(start)), Bound::Included(at(start)));
                }
                let low = if start == 0 {
                    Bound::Unbounded
                } else {
                    Bound::Included(at(start))
                };
                let high = if end == count {
                    Bound::Unbounded
                } else {
                    Bound::Excluded(at(end))
                };
                (low, high)
            })
            .collect();
        Self {
            ranges,
            listed: Some(listed),
        }
    }
}

impl fmt::Display for VersionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.ranges.fmt(f)
    }
}

impl pubgrub::VersionSet for VersionSet {
    type V = SolverVersion;

    fn empty() -> Self {
        Self::plain(Ranges::empty())
    }

    fn singleton(v: SolverVersion) -> Self {
        // Already canonical: a listed version alone is a run of one.
        let listed = v.listed.clone();
        Self {
            ranges: Ranges::singleton(v),
            listed,
        }
    }

    fn complement(&self) -> Self {
        self.made(None, self.ranges.complement())
    }

    fn intersection(&self, other: &Self) -> Self {
        self.made(Some(other), self.ranges.intersection(&other.ranges))
    }

    fn contains(&self, v: &SolverVersion) -> bool {
        self.ranges.contains(v)
    }

    fn full() -> Self {
        Self::plain(Ranges::full())
    }

    fn union(&self, other: &Self) -> Self {
        self.made(Some(other), self.ranges.union(&other.ranges))
    }

    fn is_disjoint(&self, other: &Self) -> bool {
        !self.holds_any(other, &self.ranges.intersection(&other.ranges))
    }

    fn subset_of(&self, other: &Self) -> bool {
        // Not `self == self ∩ other`: only one side may be canonical yet.
        !self.holds_any(other, &self.ranges.intersection(&other.ranges.complement()))
    }
}

/// Dependencies as the solver takes them.
pub(crate) fn solver_dependencies(
    dependencies: Dependencies<PubGrubPackage, Ranges<Version>, String>,
) -> Dependencies<PubGrubPackage, VersionSet, String> {
    match dependencies {
        Dependencies::Available(constraints) => Dependencies::Available(
            constraints
                .iter()
                .map(|(package, range)| (package.clone(), VersionSet::from_ranges(range)))
                .collect(),
        ),
        Dependencies::Unavailable(reason) => Dependencies::Unavailable(reason),
    }
}

fn bound_into(bound: &Bound<Version>) -> Bound<SolverVersion> {
    bound
        .as_ref()
        .map(|version| SolverVersion::from(version.clone()))
}

fn bound_out(bound: &Bound<SolverVersion>) -> Bound<Version> {
    bound.as_ref().map(|version| version.version.clone())
}

/// A derivation tree over [`VersionSet`]s, in plain ranges and versions, for explanations.
pub(crate) type SolverTree = DerivationTree<PubGrubPackage, VersionSet, String>;
pub(crate) type PlainTree = DerivationTree<PubGrubPackage, Ranges<Version>, String>;

/// `tree` with every set as [`VersionSet::to_ranges`]; shared subtrees stay shared.
pub(crate) fn plain_tree(tree: &SolverTree) -> PlainTree {
    plain_node(tree, &mut HashMap::new())
}

fn plain_node(
    tree: &SolverTree,
    seen: &mut HashMap<*const SolverTree, Arc<PlainTree>>,
) -> PlainTree {
    match tree {
        DerivationTree::External(external) => DerivationTree::External(match external {
            External::NotRoot(package, version) => {
                External::NotRoot(package.clone(), version.version.clone())
            }
            External::NoVersions(package, set) => {
                External::NoVersions(package.clone(), set.to_ranges())
            }
            External::FromDependencyOf(package, set, dependency, dependency_set) => {
                External::FromDependencyOf(
                    package.clone(),
                    set.to_ranges(),
                    dependency.clone(),
                    dependency_set.to_ranges(),
                )
            }
            External::Custom(package, set, reason) => {
                External::Custom(package.clone(), set.to_ranges(), reason.clone())
            }
        }),
        DerivationTree::Derived(derived) => {
            let terms: Map<PubGrubPackage, Term<Ranges<Version>>> = derived
                .terms
                .iter()
                .map(|(package, term)| {
                    let term = match term {
                        Term::Positive(set) => Term::Positive(set.to_ranges()),
                        Term::Negative(set) => Term::Negative(set.to_ranges()),
                    };
                    (package.clone(), term)
                })
                .collect();
            let mut cause = |cause: &Arc<SolverTree>| {
                let key = Arc::as_ptr(cause);
                if let Some(done) = seen.get(&key) {
                    return Arc::clone(done);
                }
                let done = Arc::new(plain_node(cause, seen));
                seen.insert(key, Arc::clone(&done));
                done
            };
            let cause1 = cause(&derived.cause1);
            let cause2 = cause(&derived.cause2);
            DerivationTree::Derived(Derived {
                terms,
                shared_id: derived.shared_id,
                cause1,
                cause2,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use pubgrub::VersionSet as _;

    use super::*;

    fn v(text: &str) -> Version {
        text.parse().unwrap()
    }

    fn listed(texts: &[&str]) -> Arc<Listed> {
        Listed::new(texts.iter().map(|text| v(text)))
    }

    fn at(list: &Arc<Listed>, text: &str) -> SolverVersion {
        SolverVersion::listed(v(text), Arc::clone(list))
    }

    fn plain(text: &str) -> VersionSet {
        let specifiers: crate::types::VersionSpecifiers = text.parse().unwrap();
        VersionSet::from_ranges(&super::super::specifiers_to_range(&specifiers))
    }

    #[test]
    fn ruling_out_versions_one_by_one_leaves_one_segment() {
        let list = listed(&["1.0", "1.1", "1.2", "1.3"]);
        let mut allowed = VersionSet::full();
        for text in ["1.3", "1.2", "1.1"] {
            allowed = allowed.intersection(&VersionSet::singleton(at(&list, text)).complement());
        }
        assert_eq!(allowed.to_ranges(), Ranges::singleton(v("1.0")));
        assert_eq!(allowed.as_singleton(), Some(&v("1.0")));
    }

    #[test]
    fn a_union_of_neighbours_is_one_segment() {
        let list = listed(&["1.0", "1.1", "1.2", "1.3"]);
        let union =
            VersionSet::singleton(at(&list, "1.1")).union(&VersionSet::singleton(at(&list, "1.2")));
        assert_eq!(union.to_ranges().iter().count(), 1);
        assert!(union.contains(&at(&list, "1.1")) && union.contains(&at(&list, "1.2")));
        assert!(!union.contains(&at(&list, "1.0")) && !union.contains(&at(&list, "1.3")));
        let all = union
            .union(&VersionSet::singleton(at(&list, "1.0")))
            .union(&VersionSet::singleton(at(&list, "1.3")));
        assert_eq!(all, VersionSet::full());
    }

    #[test]
    fn relations_are_exact_over_listed_versions() {
        let list = listed(&["1.0", "1.1", "2.0"]);
        let one_one = VersionSet::singleton(at(&list, "1.1"));
        // `>1.0, <2.0` holds 1.1 and nothing else listed: a subset both ways.
        let between = plain(">1.0, <2.0");
        assert!(between.subset_of(&one_one));
        assert!(one_one.subset_of(&between));
        assert!(!one_one.is_disjoint(&between));
        // Between 1.1 and 2.0 nothing is listed.
        assert!(plain(">1.1, <2.0").is_disjoint(&one_one.complement()));
        // Without a list, a range is exact over all versions.
        assert!(!plain(">1.0, <2.0").subset_of(&plain("==1.1")));
    }

    #[test]
    fn unlisted_ranges_are_left_alone() {
        let range = plain(">=1.0, !=1.5, <2.0");
        assert_eq!(range.complement().complement(), range);
        assert_eq!(
            range.to_ranges(),
            super::super::specifiers_to_range(&">=1.0, !=1.5, <2.0".parse().unwrap())
        );
    }

    #[test]
    fn canonical_sets_agree_with_plain_ranges_on_listed_versions() {
        let texts = ["0.9", "1.0", "1.0.post1", "1.1", "1.2rc1", "1.2", "2.0"];
        let list = listed(&texts);
        let ranges = [">=1.0", "<1.2", "!=1.1", "==1.0.*", ">1.0, <=1.2", "~=1.1"];
        for (i, a) in ranges.iter().enumerate() {
            for b in &ranges[i..] {
                let (a, b) = (plain(a), plain(b));
                // Meeting a listed version makes the result canonical.
                let pin = VersionSet::singleton(at(&list, "1.1")).complement();
                let ours = a.intersection(&b).intersection(&pin);
                let exact = a.ranges.intersection(&b.ranges).intersection(&pin.ranges);
                for text in texts {
                    let version = SolverVersion::from(v(text));
                    assert_eq!(ours.contains(&version), exact.contains(&version), "{text}");
                }
                let ours = a.union(&b).union(&VersionSet::singleton(at(&list, "2.0")));
                let exact = a
                    .ranges
                    .union(&b.ranges)
                    .union(&Ranges::singleton(SolverVersion::from(v("2.0"))));
                for text in texts {
                    let version = SolverVersion::from(v(text));
                    assert_eq!(ours.contains(&version), exact.contains(&version), "{text}");
                }
            }
        }
    }
}
