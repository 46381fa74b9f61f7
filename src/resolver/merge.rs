//! Several exact targets in one lock: the resolutions of each target, resolved on their own,
//! merged into one whose pins carry a PEP 508 marker that is true on exactly the targets that
//! pin that version.
//!
//! A marker is built only from the variables that tell the targets apart (`python_version`,
//! `sys_platform`, `platform_machine`), and per package from the fewest of them that separate
//! its versions (and the targets that do not pin it at all): a version pinned on every target
//! has no marker, one pinned on both Python versions of linux is `sys_platform == 'linux'`.
//! Because every version of a package is described over the same variables, its versions'
//! markers are disjoint everywhere, not only on the targets.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use pep508_rs::MarkerTree;

use super::resolution::{Pin, Resolution};
use crate::target::Target;
use crate::types::{PackageName, Version};

/// The marker variables that can tell targets apart, in the order a marker names them.
const VARIABLES: [&str; 3] = ["python_version", "sys_platform", "platform_machine"];

/// Why the resolutions of several targets cannot be merged into one lock.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// Two targets agree on every marker variable, so no line of a requirements file can be
    /// meant for one and not the other.
    #[error(
        "the targets {first} and {second} cannot be told apart by markers (they have the same python_version, sys_platform and platform_machine), so one lock cannot say which pins belong to which; write one lock per target instead"
    )]
    Indistinguishable {
        /// The first target.
        first: String,
        /// The second target.
        second: String,
    },
    /// A merged marker would select two versions of one package on a target (a bug: the
    /// construction rules it out, and this check keeps a wrong lock from being written).
    #[error(
        "internal error: on {target} the merged lock would install two versions of `{name}` ({first} and {second})"
    )]
    Overlap {
        /// The target.
        target: String,
        /// The package.
        name: PackageName,
        /// One version.
        first: Version,
        /// Another version.
        second: Version,
    },
    /// A marker written here does not parse (a bug, or a top-level marker that does not).
    #[error("internal error: the merged marker `{marker}` does not parse: {reason}")]
    Marker {
        /// The marker.
        marker: String,
        /// The parser's message.
        reason: String,
    },
}

/// The merged lock: the pins of every target, sorted by name then version, and for each pin
/// the indexes (into the targets given to [`merge`]) of the targets that pin it.
#[derive(Debug)]
pub struct Merged {
    /// The pins; a pin that differs between targets appears once per version, with its
    /// marker as the last (or only) entry of `markers`.
    pub resolution: Resolution,
    /// For each pin, in the same order, the targets that pin it.
    pub targets: Vec<Vec<usize>>,
}

/// Merges `resolutions`, one per target of `targets` in the same order.
///
/// # Errors
/// [`MergeError::Indistinguishable`] when two targets have the same marker variables.
pub fn merge(targets: &[Target], resolutions: Vec<Resolution>) -> Result<Merged, MergeError> {
    let values = distinguishable(targets)?;
    // Only the variables whose value differs between targets may appear in a marker.
    let distinguishing: Vec<usize> = (0..VARIABLES.len())
        .filter(|&variable| {
            values
                .iter()
                .any(|value| value[variable] != values[0][variable])
        })
        .collect();

    let mut edges = Vec::new();
    let mut grouped: BTreeMap<(PackageName, Version), (Pin, BTreeSet<usize>)> = BTreeMap::new();
    for (index, resolution) in resolutions.into_iter().enumerate() {
        for edge in resolution.edges {
            if !edges.contains(&edge) {
                edges.push(edge);
            }
        }
        for pin in resolution.pins {
            match grouped.entry((pin.name.clone(), pin.version.clone())) {
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert((pin, BTreeSet::from([index])));
                }
                std::collections::btree_map::Entry::Occupied(mut slot) => {
                    let (merged, on) = slot.get_mut();
                    absorb(merged, pin);
                    on.insert(index);
                }
            }
        }
    }

    let mut by_name: BTreeMap<PackageName, Vec<(Pin, BTreeSet<usize>)>> = BTreeMap::new();
    for ((name, _), entry) in grouped {
        by_name.entry(name).or_default().push(entry);
    }
    let mut pins = Vec::new();
    let mut pin_targets = Vec::new();
    for versions in by_name.into_values() {
        let sets: Vec<&BTreeSet<usize>> = versions.iter().map(|(_, on)| on).collect();
        let used = separating_variables(&values, &distinguishing, &sets);
        for (mut pin, on) in versions {
            if on.len() < targets.len() {
                let marker = target_marker(&values, &used, &on);
                pin.markers = vec![combine(&pin.markers, &marker)];
            }
            pins.push(pin);
            pin_targets.push(on.into_iter().collect());
        }
    }
    check_one_version_per_target(targets, &pins)?;
    Ok(Merged {
        resolution: Resolution {
            pins,
            edges,
            forks: Vec::new(),
        },
        targets: pin_targets,
    })
}

/// The marker variables of each target, or [`MergeError::Indistinguishable`] when two targets
/// share them all: checked before resolving too, so that such a run fails at once.
///
/// # Errors
/// When two targets have the same `python_version`, `sys_platform` and `platform_machine`.
pub fn distinguishable(targets: &[Target]) -> Result<Vec<[String; 3]>, MergeError> {
    let values: Vec<[String; 3]> = targets.iter().map(variable_values).collect();
    for (index, value) in values.iter().enumerate() {
        if let Some(earlier) = values[..index].iter().position(|known| known == value) {
            return Err(MergeError::Indistinguishable {
                first: targets[earlier].to_string(),
                second: targets[index].to_string(),
            });
        }
    }
    Ok(values)
}

/// `python_version`, `sys_platform` and `platform_machine` of `target`.
fn variable_values(target: &Target) -> [String; 3] {
    let environment = target.markers();
    [
        environment.python_version().to_string(),
        environment.sys_platform().to_string(),
        environment.platform_machine().to_string(),
    ]
}

/// Adds what `other` (the same version, pinned on another target) knows to `pin`.
pub(crate) fn absorb(pin: &mut Pin, other: Pin) {
    pin.extras.extend(other.extras);
    pin.dependents.extend(other.dependents);
    pin.origins.extend(other.origins);
    for marker in other.markers {
        if !pin.markers.contains(&marker) {
            pin.markers.push(marker);
        }
    }
    pin.hashes.extend(other.hashes);
    pin.hashes.sort();
    pin.hashes.dedup();
    for file in other.unhashed_files {
        if !pin.unhashed_files.contains(&file) {
            pin.unhashed_files.push(file);
        }
    }
    for file in other.files {
        if !pin.files.iter().any(|known| known.url == file.url) {
            pin.files.push(file);
        }
    }
    if pin.file.is_none() {
        pin.file = other.file;
    }
}

/// The fewest of `distinguishing` variables (earliest first among equally few) whose values
/// keep apart the targets of different `sets` and the targets in none of them.
fn separating_variables(
    values: &[[String; 3]],
    distinguishing: &[usize],
    sets: &[&BTreeSet<usize>],
) -> Vec<usize> {
    let class = |target: usize| sets.iter().position(|set| set.contains(&target));
    let separates = |variables: &[usize]| {
        (0..values.len()).all(|a| {
            (0..a).all(|b| {
                class(a) == class(b)
                    || variables
                        .iter()
                        .any(|&variable| values[a][variable] != values[b][variable])
            })
        })
    };
    // Subsets of at most three variables, by size, then in `VARIABLES` order.
    let count = distinguishing.len();
    let mut subsets: Vec<Vec<usize>> = (0..1_usize << count)
        .map(|mask| {
            (0..count)
                .filter(|bit| mask & (1 << bit) != 0)
                .map(|bit| distinguishing[bit])
                .collect()
        })
        .collect();
    subsets.sort_by_key(|subset: &Vec<usize>| (subset.len(), subset.clone()));
    subsets
        .into_iter()
        .find(|subset| separates(subset))
        // Every target differs from every other in some distinguishing variable, so the
        // whole set always separates.
        .unwrap_or_else(|| distinguishing.to_vec())
}

/// The marker true on exactly the targets `on` (among all), over the variables `used`.
fn target_marker(values: &[[String; 3]], used: &[usize], on: &BTreeSet<usize>) -> String {
    let mut terms: Vec<String> = Vec::new();
    for &target in on {
        let term = used
            .iter()
            .map(|&variable| format!("{} == '{}'", VARIABLES[variable], values[target][variable]))
            .collect::<Vec<_>>()
            .join(" and ");
        if !terms.contains(&term) {
            terms.push(term);
        }
    }
    terms.sort();
    if terms.len() == 1 || used.len() == 1 {
        return terms.join(" or ");
    }
    terms
        .iter()
        .map(|term| format!("({term})"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The pin's top-level markers (joined with `or`, as the writer joins them) and `target`.
fn combine(top_level: &[String], target: &str) -> String {
    let group = |marker: &str| {
        if marker.contains(" or ") {
            format!("({marker})")
        } else {
            marker.to_string()
        }
    };
    // The input's markers may already say it (`colorama; sys_platform == "win32"` pinned on
    // the Windows targets only): then they are the whole marker.
    let implies_target = || {
        let (Ok(target), Ok(lines)) = (
            MarkerTree::from_str(target),
            top_level
                .iter()
                .map(|marker| MarkerTree::from_str(marker))
                .collect::<Result<Vec<_>, _>>(),
        ) else {
            return false;
        };
        let outside = target.negate();
        lines.iter().all(|line| line.is_disjoint(&outside))
    };
    match top_level {
        [] => target.to_string(),
        [only] if implies_target() => only.clone(),
        many if implies_target() => many
            .iter()
            .map(|marker| format!("({marker})"))
            .collect::<Vec<_>>()
            .join(" or "),
        [only] => format!("{} and {}", group(only), group(target)),
        many => {
            let joined = many
                .iter()
                .map(|marker| format!("({marker})"))
                .collect::<Vec<_>>()
                .join(" or ");
            format!("({joined}) and {}", group(target))
        }
    }
}

/// The invariant checked before a merged lock is written: on every target, at most one
/// version of each package has a marker that holds there; and versions of one package have
/// disjoint markers.
fn check_one_version_per_target(targets: &[Target], pins: &[Pin]) -> Result<(), MergeError> {
    let trees = pins
        .iter()
        .map(|pin| match pin.markers.as_slice() {
            [] => Ok(MarkerTree::TRUE),
            markers => {
                let text = markers
                    .iter()
                    .map(|marker| format!("({marker})"))
                    .collect::<Vec<_>>()
                    .join(" or ");
                MarkerTree::from_str(&text).map_err(|error| MergeError::Marker {
                    marker: text.clone(),
                    reason: error.to_string(),
                })
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (index, pin) in pins.iter().enumerate() {
        for (other_index, other) in pins.iter().enumerate().take(index) {
            if other.name != pin.name {
                continue;
            }
            let overlap_on = targets.iter().find(|target| {
                trees[index].evaluate(target.markers(), &[])
                    && trees[other_index].evaluate(target.markers(), &[])
            });
            if let Some(target) = overlap_on {
                return Err(MergeError::Overlap {
                    target: target.to_string(),
                    name: pin.name.clone(),
                    first: other.version.clone(),
                    second: pin.version.clone(),
                });
            }
            if !trees[index].is_disjoint(&trees[other_index]) {
                tracing::warn!(
                    "the markers of `{}` {} and {} overlap outside the targets",
                    pin.name,
                    other.version,
                    pin.version
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
