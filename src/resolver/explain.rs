//! Turning a failed derivation into text a user can act on.
//!
//! PubGrub's default report prints the root as `root 0` and internal bounds such as
//! `>=1.2.dev0, <1.3.dev0`. Before formatting, every range is simplified against the versions that
//! really exist (so `django >=3.0.dev0` becomes `django>=3`-style spans of real versions), and the
//! formatter below speaks of "your requirements" and writes ranges as PEP 440 specifiers.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Bound;
use std::sync::Arc;

use pubgrub::{
    DefaultStringReporter, DerivationTree, Derived, External, Map, Ranges, ReportFormatter,
    Reporter as _, Term,
};

use super::candidates::{PrereleasePermission, VersionMap};
use super::package::PubGrubPackage;
use super::provider::NEEDS_BUILD;
use super::root::RootSpec;
use super::seam::SolverHandle;
use crate::types::Version;

/// The fact recorded for a project no index lists.
const NOT_FOUND: &str = "was not found in the package index";

type Tree = DerivationTree<PubGrubPackage, Ranges<Version>, String>;

/// The explanation of an unsatisfiable set of requirements, with hints.
#[derive(Debug, Clone)]
pub struct NoSolution {
    /// The report, one sentence a line.
    pub report: String,
    /// Suggestions that follow from the report.
    pub hints: Vec<String>,
}

impl fmt::Display for NoSolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.report)?;
        for hint in &self.hints {
            write!(f, "\n\nhint: {hint}")?;
        }
        Ok(())
    }
}

/// Explains `tree`, using the versions the solver saw to simplify ranges.
pub(crate) fn explain(mut tree: Tree, handle: &SolverHandle, root: &RootSpec) -> NoSolution {
    let mut reasons = BTreeSet::new();
    simplify(&mut tree, handle, root, &mut reasons);
    fold_empty_gaps(&mut tree, handle);
    tree.collapse_no_versions();
    merge_same_reasons(&mut tree);
    merge_sibling_facts(&mut tree);
    fold_gaps_into_merged_facts(&mut tree, handle);
    // Collapsing unions ranges, which can bring back segments that hold no version.
    simplify(&mut tree, handle, root, &mut reasons);
    let report = match &tree {
        // Collapsing can leave a single fact ("you require a>1"), which reads as no reason.
        DerivationTree::External(External::FromDependencyOf(
            PubGrubPackage::Root,
            _,
            dependency,
            range,
        )) => {
            let known = dependency
                .name()
                .and_then(|name| handle.known_versions(name));
            let available = known
                .map(|versions| available_versions(&versions))
                .unwrap_or_default();
            format!(
                "Because there is no version of {}{available} and you require it, your requirements cannot be satisfied.",
                package_range(dependency, range)
            )
        }
        _ => DefaultStringReporter::report_with_formatter(&tree, &Formatter),
    };
    let mut hints = Vec::new();
    if reasons.contains(NEEDS_BUILD) || reasons.contains(NEEDS_BUILD_MANY) {
        hints.push(
            "pin a version that has a wheel for the target, pass `--only-binary :all:` to skip source-only versions, or allow builds"
                .to_string(),
        );
    }
    NoSolution { report, hints }
}

fn simplify(
    tree: &mut Tree,
    handle: &SolverHandle,
    root: &RootSpec,
    reasons: &mut BTreeSet<String>,
) {
    let simplify_range = |package: &PubGrubPackage, range: &mut Ranges<Version>| {
        // An exact pin already reads as the user wrote it; simplifying would widen it to the
        // neighbouring versions (`==1.0` into `<=1.0` when nothing older exists).
        if exact_pin(range) {
            return;
        }
        if let Some(versions) = package.name().and_then(|name| handle.known_versions(name)) {
            *range = without_empty_segments(&range.simplify(versions.versions()), &versions);
        }
    };
    match tree {
        DerivationTree::External(external) => match external {
            External::NotRoot(..) => {}
            External::NoVersions(package, range) => {
                // Say why no version is left when pinwheel knows (a missing project, a
                // constraint, yanked files, prereleases, the upload cutoff); a custom fact is
                // also not folded away by `collapse_no_versions`.
                if let Some((reason, range)) = why_no_version(package, range, handle, root) {
                    reasons.insert(reason.clone());
                    *external = External::Custom(package.clone(), range, reason);
                } else {
                    simplify_range(package, range);
                }
            }
            External::Custom(package, range, reason) => {
                reasons.insert(reason.clone());
                simplify_range(package, range);
            }
            External::FromDependencyOf(package, range, dependency, dependency_range) => {
                simplify_range(package, range);
                simplify_range(dependency, dependency_range);
            }
        },
        DerivationTree::Derived(derived) => {
            for (package, term) in &mut derived.terms {
                match term {
                    Term::Positive(range) | Term::Negative(range) => simplify_range(package, range),
                }
            }
            simplify(Arc::make_mut(&mut derived.cause1), handle, root, reasons);
            simplify(Arc::make_mut(&mut derived.cause2), handle, root, reasons);
        }
    }
}

/// Whether `range` is what `==V` becomes: one segment from V to just past V's local versions.
fn exact_pin(range: &Ranges<Version>) -> bool {
    let mut segments = range.iter();
    matches!(
        (segments.next(), segments.next()),
        (Some((low, high)), None) if segment(low, high).starts_with("==")
    )
}

/// Folds "there is no version of p in R" into a sibling fact about `p==V` (`p==1.0 has only a
/// source distribution…`) when R is the gap between V and V's local versions and holds no
/// version pinwheel knows of. pubgrub's `collapse_no_versions` leaves custom facts alone because
/// their reason may not cover R; with nothing in R, it covers it vacuously, and the report
/// loses a clause like "there is no version of a>1.0,<=1.0". Wider gaps stay: folding them
/// would turn `a==1.0 has…` into `a has…`.
fn fold_empty_gaps(tree: &mut Tree, handle: &SolverHandle) {
    let DerivationTree::Derived(derived) = tree else {
        return;
    };
    fold_empty_gaps(Arc::make_mut(&mut derived.cause1), handle);
    fold_empty_gaps(Arc::make_mut(&mut derived.cause2), handle);
    let holds_nothing = |package: &PubGrubPackage, range: &Ranges<Version>| {
        package
            .name()
            .and_then(|name| handle.known_versions(name))
            .is_some_and(|versions| !versions.versions().any(|version| range.contains(version)))
    };
    let folded = match (derived.cause1.as_ref(), derived.cause2.as_ref()) {
        (
            DerivationTree::External(External::NoVersions(gap_package, gap)),
            DerivationTree::External(External::Custom(package, range, reason)),
        )
        | (
            DerivationTree::External(External::Custom(package, range, reason)),
            DerivationTree::External(External::NoVersions(gap_package, gap)),
        ) if gap_package == package
            && holds_nothing(gap_package, gap)
            && exact_pin(&range.union(gap)) =>
        {
            Some(External::Custom(
                package.clone(),
                range.union(gap),
                reason.clone(),
            ))
        }
        _ => None,
    };
    if let Some(external) = folded {
        *tree = DerivationTree::External(external);
    }
}

/// Folds a chain of facts with the same reason about one package into one fact about the
/// union of their ranges. The solver tries versions one by one, so 40 sdist-only versions of
/// numpy become 40 nested steps ("numpy==1.25.2 has only … so numpy<1.25.2 is required; and
/// because numpy==1.25.1 has only …"); as one fact they read as one sentence, and the second
/// `simplify` pass then writes the union with the versions that exist (`numpy<1.26`).
///
/// The step folded is `D = X ∧ C2` where `X = Y ∧ C1` and C1, C2 are the same reason about
/// the same package: "p ∈ R1 is impossible" and "p ∈ R2 is impossible" together say
/// "p ∈ R1 ∪ R2 is impossible", so `D = Y ∧ C` holds with the same terms. A step that is
/// referred to elsewhere (`shared_id`) is kept, so that no numbered reference loses its
/// target. Only steps next to each other fold: a version with another reason between two
/// versions keeps them apart.
fn merge_same_reasons(tree: &mut Tree) {
    let DerivationTree::Derived(derived) = tree else {
        return;
    };
    merge_same_reasons(Arc::make_mut(&mut derived.cause1));
    merge_same_reasons(Arc::make_mut(&mut derived.cause2));
    let (inner, outer_fact) = match (derived.cause1.as_ref(), derived.cause2.as_ref()) {
        (DerivationTree::Derived(inner), DerivationTree::External(fact @ External::Custom(..)))
        | (DerivationTree::External(fact @ External::Custom(..)), DerivationTree::Derived(inner))
            if inner.shared_id.is_none() =>
        {
            (inner, fact)
        }
        _ => return,
    };
    let External::Custom(package, range, reason) = outer_fact else {
        return;
    };
    let same_fact = |tree: &Tree| match tree {
        DerivationTree::External(External::Custom(other, other_range, other_reason))
            if other == package && same_reason(other_reason, reason) =>
        {
            Some(other_range.clone())
        }
        _ => None,
    };
    let (rest, inner_range) = if let Some(found) = same_fact(&inner.cause1) {
        (Arc::clone(&inner.cause2), found)
    } else if let Some(found) = same_fact(&inner.cause2) {
        (Arc::clone(&inner.cause1), found)
    } else {
        return;
    };
    let merged = External::Custom(package.clone(), range.union(&inner_range), plural(reason));
    derived.cause1 = rest;
    derived.cause2 = Arc::new(DerivationTree::External(merged));
}

/// Replaces a derivation from two facts about one package with the same reason by that one
/// fact over both ranges: "p in A has no wheel" and "p in B has no wheel" derive exactly "p in
/// A ∪ B has no wheel". `merge_same_reasons` folds a chain of such facts; when the solver walked
/// a package's versions with its sets over the listed versions (`version_set.rs`), the facts
/// come as two interleaved chains instead (`tensorflow==2.6.1 or tensorflow==2.6.3 or …` and
/// `tensorflow==2.6.0 or tensorflow==2.6.2 or …`), joined here.
fn merge_sibling_facts(tree: &mut Tree) {
    let DerivationTree::Derived(derived) = tree else {
        return;
    };
    merge_sibling_facts(Arc::make_mut(&mut derived.cause1));
    merge_sibling_facts(Arc::make_mut(&mut derived.cause2));
    let (
        DerivationTree::External(External::Custom(package, range, reason)),
        DerivationTree::External(External::Custom(other, other_range, other_reason)),
    ) = (derived.cause1.as_ref(), derived.cause2.as_ref())
    else {
        return;
    };
    // Only a node that says nothing but that fact may become it.
    let only_that_package =
        derived.terms.len() == 1 && derived.terms.keys().all(|only| only == package);
    if package != other
        || !same_reason(reason, other_reason)
        || derived.shared_id.is_some()
        || !only_that_package
    {
        return;
    }
    *tree = DerivationTree::External(External::Custom(
        package.clone(),
        range.union(other_range),
        plural(reason),
    ));
}

/// Folds "there is no version of p in G" into a sibling fact about a range of p's versions
/// when G holds no version pinwheel knows of: a merged fact (`numpy>=1.20,<=1.25 has only …`)
/// otherwise comes with a clause listing every gap between its versions. The fact must cover
/// two known versions at least, so that `a==1.0 has …` never widens into `a has …` (that case
/// is `fold_empty_gaps`'s, which folds only the gap of `==`).
fn fold_gaps_into_merged_facts(tree: &mut Tree, handle: &SolverHandle) {
    let DerivationTree::Derived(derived) = tree else {
        return;
    };
    fold_gaps_into_merged_facts(Arc::make_mut(&mut derived.cause1), handle);
    fold_gaps_into_merged_facts(Arc::make_mut(&mut derived.cause2), handle);
    let folded = match (derived.cause1.as_ref(), derived.cause2.as_ref()) {
        (
            DerivationTree::External(External::NoVersions(gap_package, gap)),
            DerivationTree::External(External::Custom(package, range, reason)),
        )
        | (
            DerivationTree::External(External::Custom(package, range, reason)),
            DerivationTree::External(External::NoVersions(gap_package, gap)),
        ) if gap_package == package => {
            let known = package.name().and_then(|name| handle.known_versions(name));
            let held = |range: &Ranges<Version>| {
                known.as_ref().map_or(0, |versions| {
                    versions
                        .versions()
                        .filter(|version| range.contains(version))
                        .count()
                })
            };
            (known.is_some() && held(gap) == 0 && held(range) >= 2)
                .then(|| External::Custom(package.clone(), range.union(gap), reason.clone()))
        }
        _ => None,
    };
    if let Some(external) = folded {
        *tree = DerivationTree::External(external);
    }
}

/// Whether two reasons are the same but for number (a merged fact says it in the plural).
fn same_reason(one: &str, other: &str) -> bool {
    plural(one) == plural(other)
}

/// A reason as it reads for several versions at once.
fn plural(reason: &str) -> String {
    if reason == NEEDS_BUILD {
        NEEDS_BUILD_MANY.to_string()
    } else {
        reason.to_string()
    }
}

/// [`NEEDS_BUILD`] said of a range of versions.
const NEEDS_BUILD_MANY: &str =
    "has only source distributions whose metadata is dynamic, and builds are off (`--no-build`)";

/// Why `package` has no version in `range`, with the range to state it for, when the versions
/// pinwheel knows of say so.
fn why_no_version(
    package: &PubGrubPackage,
    range: &Ranges<Version>,
    handle: &SolverHandle,
    root: &RootSpec,
) -> Option<(String, Ranges<Version>)> {
    let name = package.name()?;
    let versions = handle.known_versions(name)?;
    if versions.is_empty() && versions.excluded_newer().is_empty() {
        return Some((NOT_FOUND.to_string(), Ranges::full()));
    }
    let in_range: Vec<&Version> = versions
        .versions()
        .filter(|version| range.contains(*version))
        .collect();
    if in_range.is_empty() {
        return versions
            .excluded_newer()
            .iter()
            .any(|version| range.contains(version))
            .then(|| {
                (
                    "has only versions uploaded after the `--exclude-newer` cutoff".to_string(),
                    range.clone(),
                )
            });
    }
    if let Some(constraint) = root.constraints.get(name)
        && in_range
            .iter()
            .all(|version| !constraint.contains(*version))
    {
        let reason = format!(
            "is excluded by the constraint {}",
            package_range(package, constraint)
        );
        return Some((reason, range.clone()));
    }
    let entry_yanked = |version: &&Version| versions.get(version).is_some_and(|entry| entry.yanked);
    if in_range.iter().all(entry_yanked) {
        return Some((
            "has only yanked versions (an `==` pin can select one)".to_string(),
            range.clone(),
        ));
    }
    // Under the default policy a prerelease is taken when nothing else fits, so this is only
    // the reason where the policy forbids them for this package.
    if root.prerelease_permission(name) == PrereleasePermission::Forbidden
        && in_range.iter().all(|version| version.any_prerelease())
    {
        return Some((
            "has only prereleases, which the `--prerelease` policy excludes here (pass `--pre` to allow them)".to_string(),
            range.clone(),
        ));
    }
    None
}

/// ` (available: 2.0, 1.5, 1.0)`: the newest few versions, to show what could be asked for.
fn available_versions(versions: &VersionMap) -> String {
    const SHOWN: usize = 5;
    let newest: Vec<String> = versions
        .versions()
        .rev()
        .take(SHOWN)
        .map(ToString::to_string)
        .collect();
    if newest.is_empty() {
        return String::new();
    }
    let more = if versions.versions().count() > SHOWN {
        ", …"
    } else {
        ""
    };
    format!(" (available: {}{more})", newest.join(", "))
}

/// `range` without the segments that hold no existing version. `Ranges::simplify` merges
/// segments but keeps ones like `>3.15.2,<3.16.0` that nothing falls into, which only make the
/// report longer.
fn without_empty_segments(range: &Ranges<Version>, versions: &VersionMap) -> Ranges<Version> {
    let mut kept = Ranges::empty();
    for (low, high) in range.iter() {
        let segment = Ranges::from_range_bounds((low.clone(), high.clone()));
        if versions.versions().any(|version| segment.contains(version)) {
            kept = kept.union(&segment);
        }
    }
    // An empty result would change the meaning of the derivation: keep the range as it was.
    if kept.is_empty() { range.clone() } else { kept }
}

/// `name` with its range as specifiers: `django<3`, `foo>=1,<2`, `bar==1.0`, `baz>=2 or baz<1`.
fn package_range(package: &PubGrubPackage, range: &Ranges<Version>) -> String {
    if *package == PubGrubPackage::Root {
        return package.to_string();
    }
    if range == &Ranges::full() {
        return package.to_string();
    }
    if range.is_empty() {
        return format!("{package} (no version)");
    }
    // `!=V`: everything but one version (and its local versions).
    let excluded = range.complement();
    if let Some((low, high)) = excluded.iter().next()
        && excluded.iter().count() == 1
        && let Some(pinned) = segment(low, high).strip_prefix("==")
    {
        return format!("{package}!={pinned}");
    }
    range
        .iter()
        .map(|(low, high)| format!("{package}{}", segment(low, high)))
        .collect::<Vec<_>>()
        .join(" or ")
}

fn segment(low: &Bound<Version>, high: &Bound<Version>) -> String {
    match (low, high) {
        (Bound::Included(a), Bound::Included(b)) if a == b => format!("=={}", clean(a)),
        // `==V` is `>=V, <V.post0.dev0` so that V's local versions (`V+cpu`) match too.
        (Bound::Included(a), Bound::Excluded(b)) if below_locals_of(b).as_ref() == Some(a) => {
            format!("=={}", clean(a))
        }
        (Bound::Unbounded, Bound::Unbounded) => String::new(),
        _ => {
            let low = match low {
                Bound::Included(v) => Some(format!(">={}", clean(v))),
                Bound::Excluded(v) => Some(format!(">{}", clean(v))),
                Bound::Unbounded => None,
            };
            let high = match high {
                Bound::Included(v) => Some(format!("<={}", clean(v))),
                Bound::Excluded(v) => Some(match below_locals_of(v) {
                    Some(pinned) => format!("<={}", clean(&pinned)),
                    None => format!("<{}", clean(v)),
                }),
                Bound::Unbounded => None,
            };
            low.into_iter().chain(high).collect::<Vec<_>>().join(",")
        }
    }
}

/// The version V whose local versions `bound` is the first version after, when `bound` has
/// the form the range conversion gives `==V` and `<=V` (`V.post0.dev0` for a V without post
/// release, `V.post(N+1).dev0` for `V.postN`): no release is written that way.
fn below_locals_of(bound: &Version) -> Option<Version> {
    if bound.dev() != Some(0) || bound.is_local() || bound.min().is_some() || bound.max().is_some()
    {
        return None;
    }
    let post = bound.post()?;
    let pinned = bound.clone().with_dev(None).with_post(post.checked_sub(1));
    Some(pinned)
}

/// A version without the internal `min`/`max` markers the range conversion uses as bounds.
fn clean(version: &Version) -> String {
    if version.min().is_some() {
        version.clone().with_min(None).to_string()
    } else if version.max().is_some() {
        version.clone().with_max(None).to_string()
    } else {
        version.to_string()
    }
}

fn capitalize(text: &str) -> String {
    let mut characters = text.chars();
    characters.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(characters).collect()
    })
}

struct Formatter;

type Ext = External<PubGrubPackage, Ranges<Version>, String>;
type Der = Derived<PubGrubPackage, Ranges<Version>, String>;
type Terms = Map<PubGrubPackage, Term<Ranges<Version>>>;

impl ReportFormatter<PubGrubPackage, Ranges<Version>, String> for Formatter {
    type Output = String;

    fn format_external(&self, external: &Ext) -> String {
        match external {
            External::NotRoot(package, _) => format!("we are solving {package}"),
            External::NoVersions(package, range) => {
                if range == &Ranges::full() {
                    format!("there is no version of {package}")
                } else {
                    format!("there is no version of {}", package_range(package, range))
                }
            }
            External::Custom(package, range, reason) => {
                format!("{} {reason}", package_range(package, range))
            }
            External::FromDependencyOf(PubGrubPackage::Root, _, dependency, range) => {
                format!("you require {}", package_range(dependency, range))
            }
            External::FromDependencyOf(package, range, dependency, dependency_range) => format!(
                "{} depends on {}",
                package_range(package, range),
                package_range(dependency, dependency_range)
            ),
        }
    }

    fn format_terms(&self, terms: &Terms) -> String {
        let terms: Vec<_> = terms.iter().collect();
        match terms.as_slice() {
            [] => "version solving failed".to_string(),
            [(PubGrubPackage::Root, Term::Positive(_))] => {
                "your requirements cannot be satisfied".to_string()
            }
            [(package, Term::Positive(range))] => {
                format!("{} cannot be used", package_range(package, range))
            }
            [(package, Term::Negative(range))] => {
                format!("{} is required", package_range(package, range))
            }
            [(p1, Term::Positive(r1)), (p2, Term::Negative(r2))] => self.format_external(
                &External::FromDependencyOf((*p1).clone(), r1.clone(), (*p2).clone(), r2.clone()),
            ),
            [(p1, Term::Negative(r1)), (p2, Term::Positive(r2))] => self.format_external(
                &External::FromDependencyOf((*p2).clone(), r2.clone(), (*p1).clone(), r1.clone()),
            ),
            many => {
                let parts: Vec<String> = many
                    .iter()
                    .map(|(package, term)| match term {
                        Term::Positive(range) => package_range(package, range),
                        Term::Negative(range) => format!("not {}", package_range(package, range)),
                    })
                    .collect();
                format!("{} are incompatible", parts.join(", "))
            }
        }
    }

    fn explain_both_external(
        &self,
        external1: &Ext,
        external2: &Ext,
        current_terms: &Terms,
    ) -> String {
        format!(
            "Because {} and {}, {}.",
            self.format_external(external1),
            self.format_external(external2),
            self.format_terms(current_terms)
        )
    }

    fn explain_both_ref(
        &self,
        ref_id1: usize,
        derived1: &Der,
        ref_id2: usize,
        derived2: &Der,
        current_terms: &Terms,
    ) -> String {
        format!(
            "Because {} ({ref_id1}) and {} ({ref_id2}), {}.",
            self.format_terms(&derived1.terms),
            self.format_terms(&derived2.terms),
            self.format_terms(current_terms)
        )
    }

    fn explain_ref_and_external(
        &self,
        ref_id: usize,
        derived: &Der,
        external: &Ext,
        current_terms: &Terms,
    ) -> String {
        format!(
            "Because {} ({ref_id}) and {}, {}.",
            self.format_terms(&derived.terms),
            self.format_external(external),
            self.format_terms(current_terms)
        )
    }

    fn and_explain_external(&self, external: &Ext, current_terms: &Terms) -> String {
        capitalize(&format!(
            "and because {}, {}.",
            self.format_external(external),
            self.format_terms(current_terms)
        ))
    }

    fn and_explain_ref(&self, ref_id: usize, derived: &Der, current_terms: &Terms) -> String {
        capitalize(&format!(
            "and because {} ({ref_id}), {}.",
            self.format_terms(&derived.terms),
            self.format_terms(current_terms)
        ))
    }

    fn and_explain_prior_and_external(
        &self,
        prior_external: &Ext,
        external: &Ext,
        current_terms: &Terms,
    ) -> String {
        capitalize(&format!(
            "and because {} and {}, {}.",
            self.format_external(prior_external),
            self.format_external(external),
            self.format_terms(current_terms)
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::types::PackageName;

    fn v(text: &str) -> Version {
        Version::from_str(text).unwrap()
    }

    #[test]
    fn ranges_read_as_specifiers() {
        let django = PubGrubPackage::Package(PackageName::from_str("django").unwrap());
        let below_three = Ranges::strictly_lower_than(v("3").with_min(Some(0)));
        assert_eq!(package_range(&django, &below_three), "django<3");
        assert_eq!(
            package_range(&django, &Ranges::singleton(v("2.2"))),
            "django==2.2"
        );
        let split = Ranges::strictly_lower_than(v("1")).union(&Ranges::higher_than(v("2")));
        assert_eq!(package_range(&django, &split), "django<1 or django>=2");
        // What `==4.20.0`, `==1.0.post2` and `<=1.5` become: ranges that admit local versions.
        let range = |specifiers: &str| {
            crate::resolver::specifiers::specifiers_to_range(
                &crate::types::VersionSpecifiers::from_str(specifiers).unwrap(),
            )
        };
        assert_eq!(package_range(&django, &range("==4.20.0")), "django==4.20.0");
        assert_eq!(
            package_range(&django, &range("==1.0.post2")),
            "django==1.0.post2"
        );
        assert_eq!(package_range(&django, &range("<=1.5")), "django<=1.5");
        assert_eq!(
            package_range(&django, &range(">=1,<=1.5")),
            "django>=1,<=1.5"
        );
        assert_eq!(package_range(&django, &range("!=2.0")), "django!=2.0");
        assert_eq!(
            package_range(&django, &Ranges::singleton(v("2")).complement()),
            "django!=2"
        );
        assert_eq!(
            package_range(&django, &range("<2.0.post0.dev1")),
            "django<2.0.post0.dev1"
        );
        assert_eq!(
            package_range(&PubGrubPackage::Root, &Ranges::singleton(v("0"))),
            "your requirements"
        );
    }
}
