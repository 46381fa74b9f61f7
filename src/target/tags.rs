//! The ordered list of wheel tags a CPython target accepts, and the lookup that ranks a wheel.
//!
//! The order follows `packaging.tags.sys_tags()` for CPython (re-derived from its documented
//! algorithm, not copied), given the platform tags from `platform_tags.rs`:
//!
//! 1. `cpXY-cpXY-PLAT` (the version-specific ABI; `cpXYm` before 3.8), for every PLAT;
//! 2. `cpXY-abi3-PLAT`, then `cpXY-none-PLAT`;
//! 3. `cpXW-abi3-PLAT` for every older minor W down to 3.2 (outer loop: version);
//! 4. `pyXY-none-PLAT`, `py3-none-PLAT`, `pyXW-none-PLAT` down to `py30`;
//! 5. `cpXY-none-any`, then `pyXY-none-any`, `py3-none-any`, `pyXW-none-any` down to `py30`.
//!
//! Free-threaded (`cp313t`) and debug builds are out of scope: the target is a stock CPython.

use rustc_hash::FxHashMap;

use super::platform::Platform;
use super::platform_tags::platform_tags;
use super::python::PythonVersion;
use crate::types::WheelTag;

/// How well a wheel tag fits a target: higher is better. Only meaningful between tags of the
/// same [`Tags`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TagPriority(u32);

impl TagPriority {
    /// A priority made by a caller that ranks wheels by its own rule (a universal resolution,
    /// where no target's tags apply).
    #[must_use]
    pub fn new(rank: u32) -> Self {
        Self(rank)
    }
}

/// The tags a target accepts, best first, with a rank lookup built once.
#[derive(Clone, Debug)]
pub struct Tags {
    ordered: Vec<(String, String, String)>,
    /// python → abi → platform → priority. Nested so that a lookup borrows the wheel's `&str`
    /// parts instead of allocating a key: this is called for every wheel of every version.
    ranks: FxHashMap<String, FxHashMap<String, FxHashMap<String, TagPriority>>>,
}

impl Tags {
    /// The tags CPython `python` accepts on `platform`.
    #[must_use]
    pub fn new(python: &PythonVersion, platform: &Platform) -> Self {
        let ordered = ordered_tags(python, &platform_tags(platform));
        let mut ranks: FxHashMap<String, FxHashMap<String, FxHashMap<String, TagPriority>>> =
            FxHashMap::default();
        let count = ordered.len();
        for (index, (python, abi, platform)) in ordered.iter().enumerate() {
            // `count - index` fits: there are a few thousand tags at most.
            let priority = TagPriority(u32::try_from(count - index).unwrap_or(u32::MAX));
            ranks
                .entry(python.clone())
                .or_default()
                .entry(abi.clone())
                .or_default()
                .entry(platform.clone())
                .or_insert(priority);
        }
        Self { ordered, ranks }
    }

    /// The `(python, abi, platform)` triples, best first.
    #[must_use]
    pub fn as_slice(&self) -> &[(String, String, String)] {
        &self.ordered
    }

    /// How many triples there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ordered.len()
    }

    /// Whether there are none (never true for a real target).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ordered.is_empty()
    }

    /// The priority of one expanded triple, or `None` when the target does not accept it.
    /// Tags compare case-insensitively (as in `packaging`); the common lowercase case does not
    /// allocate.
    #[must_use]
    pub fn priority(&self, python: &str, abi: &str, platform: &str) -> Option<TagPriority> {
        let lookup = |python: &str, abi: &str, platform: &str| {
            self.ranks.get(python)?.get(abi)?.get(platform).copied()
        };
        let has_upper = |part: &str| part.bytes().any(|byte| byte.is_ascii_uppercase());
        if [python, abi, platform].into_iter().any(has_upper) {
            let lower = |part: &str| part.to_ascii_lowercase();
            lookup(&lower(python), &lower(abi), &lower(platform))
        } else {
            lookup(python, abi, platform)
        }
    }

    /// The best priority among the triples a compressed tag set expands to, or `None` when the
    /// target accepts none of them.
    #[must_use]
    pub fn best_priority(&self, tag: &WheelTag) -> Option<TagPriority> {
        tag.expand()
            .filter_map(|(python, abi, platform)| self.priority(python, abi, platform))
            .max()
    }
}

fn ordered_tags(python: &PythonVersion, platforms: &[String]) -> Vec<(String, String, String)> {
    let (major, minor) = (python.major(), python.minor());
    let interpreter = format!("cp{major}{minor}");
    // Before 3.8 CPython's ABI tag carried the pymalloc flag (`cp37m`).
    let abi = if minor < 8 {
        format!("{interpreter}m")
    } else {
        interpreter.clone()
    };
    let mut tags = Vec::new();
    let mut each_platform = |python: &str, abi: &str| {
        for platform in platforms {
            tags.push((python.to_string(), abi.to_string(), platform.clone()));
        }
    };
    // abi3 (PEP 384) exists from 3.2 on.
    let abi3 = minor >= 2;
    each_platform(&interpreter, &abi);
    if abi3 {
        each_platform(&interpreter, "abi3");
    }
    each_platform(&interpreter, "none");
    if abi3 {
        for older in (2..minor).rev() {
            each_platform(&format!("cp{major}{older}"), "abi3");
        }
    }
    let pure: Vec<String> = std::iter::once(format!("py{major}{minor}"))
        .chain(std::iter::once(format!("py{major}")))
        .chain((0..minor).rev().map(|older| format!("py{major}{older}")))
        .collect();
    for python in &pure {
        each_platform(python, "none");
    }
    let any = |python: &str| (python.to_string(), "none".to_string(), "any".to_string());
    tags.push(any(&interpreter));
    tags.extend(pure.iter().map(|python| any(python)));
    tags
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn tags(python: &str, platform: &str) -> Tags {
        Tags::new(&python.parse().unwrap(), &platform.parse().unwrap())
    }

    fn strings(tags: &[(String, String, String)]) -> Vec<String> {
        tags.iter()
            .map(|(p, a, f)| format!("{p}-{a}-{f}"))
            .collect()
    }

    fn wheel_tag(text: &str) -> WheelTag {
        let name = format!("demo-1.0-{text}.whl");
        crate::types::WheelFilename::from_str(&name).unwrap().tag
    }

    #[test]
    fn cp312_manylinux_2_28_order() {
        let tags = tags("3.12", "x86_64-manylinux_2_28");
        // 28 platforms: cp312 (abi, abi3, none) + 10 older abi3 = 13 × 28; 14 py tags × 28;
        // cp312-none-any; 14 py-none-any.
        assert_eq!(tags.len(), 13 * 28 + 14 * 28 + 1 + 14);
        let all = strings(tags.as_slice());
        assert_eq!(
            all[..3],
            [
                "cp312-cp312-manylinux_2_28_x86_64",
                "cp312-cp312-manylinux_2_27_x86_64",
                "cp312-cp312-manylinux_2_26_x86_64",
            ]
        );
        assert_eq!(all[27], "cp312-cp312-linux_x86_64");
        assert_eq!(all[28], "cp312-abi3-manylinux_2_28_x86_64");
        assert_eq!(all[56], "cp312-none-manylinux_2_28_x86_64");
        assert_eq!(all[84], "cp311-abi3-manylinux_2_28_x86_64");
        assert_eq!(all[84 + 28], "cp310-abi3-manylinux_2_28_x86_64");
        assert_eq!(all[13 * 28 - 1], "cp32-abi3-linux_x86_64");
        assert_eq!(all[13 * 28], "py312-none-manylinux_2_28_x86_64");
        assert_eq!(all[14 * 28], "py3-none-manylinux_2_28_x86_64");
        assert_eq!(all[15 * 28], "py311-none-manylinux_2_28_x86_64");
        assert_eq!(
            all[all.len() - 16..all.len() - 11],
            [
                "py30-none-linux_x86_64",
                "cp312-none-any",
                "py312-none-any",
                "py3-none-any",
                "py311-none-any"
            ]
        );
        assert_eq!(all[all.len() - 2..], ["py31-none-any", "py30-none-any"]);
    }

    #[test]
    fn cp312_macos_arm64_order() {
        let tags = tags("3.12", "macos");
        let all = strings(tags.as_slice());
        assert_eq!(tags.len(), 13 * 19 + 14 * 19 + 1 + 14);
        assert_eq!(
            all[..2],
            [
                "cp312-cp312-macosx_13_0_arm64",
                "cp312-cp312-macosx_13_0_universal2"
            ]
        );
        assert_eq!(all[19], "cp312-abi3-macosx_13_0_arm64");
    }

    #[test]
    fn cp311_windows_order() {
        let tags = tags("3.11", "windows");
        let all = strings(tags.as_slice());
        assert_eq!(
            all[..5],
            [
                "cp311-cp311-win_amd64",
                "cp311-abi3-win_amd64",
                "cp311-none-win_amd64",
                "cp310-abi3-win_amd64",
                "cp39-abi3-win_amd64",
            ]
        );
        // 3 + 9 older abi3 + 13 py tags + cp311-none-any + 13 py-none-any.
        assert_eq!(tags.len(), 3 + 9 + 13 + 1 + 13);
        assert_eq!(all[12], "py311-none-win_amd64");
    }

    #[test]
    fn cp37_uses_pymalloc_abi() {
        let tags = tags("3.7", "windows");
        assert!(tags.priority("cp37", "cp37m", "win_amd64").is_some());
        assert!(tags.priority("cp37", "cp37", "win_amd64").is_none());
    }

    #[test]
    fn wheel_compatibility() {
        let linux = tags("3.12", "linux");
        for (tag, compatible) in [
            (
                "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64",
                true,
            ),
            ("cp312-cp312-manylinux2014_x86_64", true),
            ("cp312-cp312-manylinux_2_28_x86_64", true),
            ("cp312-cp312-manylinux_2_29_x86_64", false),
            ("cp311-cp311-manylinux_2_17_x86_64", false),
            ("cp313-cp313-manylinux_2_17_x86_64", false),
            ("cp38-abi3-manylinux_2_17_x86_64", true),
            ("cp312-cp312-musllinux_1_2_x86_64", false),
            ("cp312-cp312-manylinux_2_17_aarch64", false),
            ("cp312-cp312-win_amd64", false),
            ("py2.py3-none-any", true),
            ("py2-none-any", false),
            ("PY3-NONE-ANY", true),
        ] {
            assert_eq!(
                linux.best_priority(&wheel_tag(tag)).is_some(),
                compatible,
                "{tag}"
            );
        }
    }

    #[test]
    fn better_tags_rank_higher() {
        let linux = tags("3.12", "linux");
        let rank = |tag: &str| linux.best_priority(&wheel_tag(tag)).unwrap();
        let ladder = [
            "cp312-cp312-manylinux_2_28_x86_64",
            "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64",
            "cp312-cp312-manylinux2014_x86_64",
            "cp312-cp312-linux_x86_64",
            "cp312-abi3-manylinux_2_17_x86_64",
            "cp38-abi3-manylinux_2_17_x86_64",
            "py3-none-manylinux_2_17_x86_64",
            "cp312-none-any",
            "py3-none-any",
            "py30-none-any",
        ];
        for pair in ladder.windows(2) {
            assert!(
                rank(pair[0]) > rank(pair[1]),
                "{} should beat {}",
                pair[0],
                pair[1]
            );
        }
        // A compressed set takes its best member.
        assert_eq!(rank("py2.py3-none-any"), rank("py3-none-any"));
    }

    #[test]
    fn macos_13_rejects_newer_wheels() {
        let mac = tags("3.12", "macos");
        for (tag, compatible) in [
            ("cp312-cp312-macosx_14_0_arm64", false),
            ("cp312-cp312-macosx_13_0_arm64", true),
            ("cp312-cp312-macosx_11_0_arm64", true),
            ("cp312-cp312-macosx_10_9_universal2", true),
            ("cp312-cp312-macosx_10_9_x86_64", false),
        ] {
            assert_eq!(
                mac.best_priority(&wheel_tag(tag)).is_some(),
                compatible,
                "{tag}"
            );
        }
    }
}
