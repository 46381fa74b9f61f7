//! Random registries from a seed, and their rendering as index files and text.
//!
//! Small on purpose: at most seven projects of at most five versions, so that the exhaustive
//! search stays exact and fast. The version pool and the specifier bounds overlap, with
//! prereleases among both, so that ranges bite (and sometimes leave nothing); names include a
//! project the index does not know.

use std::str::FromStr;

use super::model::{EnvMarker, Flaw, Package, Registry, Release, Req};
use crate::resolver::tests::memory::Dist;
use crate::resolver::{PrereleaseMode, ResolutionStrategy};
use crate::types::{Version, VersionSpecifiers};

/// splitmix64 (Steele, Lea and Flood): tiny, and the same sequence on every platform, which
/// is all a reproducible seed needs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`.
    fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % bound as u64).unwrap()
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const NAMES: &[&str] = &["a", "b", "c", "d", "e", "f", "g"];

/// A name no index lists.
const GHOST: &str = "ghost";

const VERSIONS: &[&str] = &[
    "0.9", "1.0", "1.1", "1.5", "2.0b1", "2.0", "2.1", "3.0a1", "3.0",
];

/// Versions specifiers name: the pool and a few between and beyond it.
const BOUNDS: &[&str] = &[
    "0.5", "1.0", "1.1", "1.2", "1.5", "2.0b1", "2.0", "2.1", "2.5", "3.0a1", "3.0", "4.0",
];

const OPERATORS: &[&str] = &[">=", ">", "<", "<=", "==", "!=", "~="];

const EXTRAS: &[&str] = &["x", "y"];

/// Markers, and whether each holds on CPython 3.12, x86_64 Linux (the tests' target).
const MARKERS: &[EnvMarker] = &[
    EnvMarker {
        text: "python_version < \"3.8\"",
        holds: false,
    },
    EnvMarker {
        text: "python_version >= \"3.10\"",
        holds: true,
    },
    EnvMarker {
        text: "python_version > \"3.12\"",
        holds: false,
    },
    EnvMarker {
        text: "sys_platform == \"win32\"",
        holds: false,
    },
    EnvMarker {
        text: "sys_platform == \"linux\"",
        holds: true,
    },
    EnvMarker {
        text: "os_name == \"nt\" or platform_system == \"Linux\"",
        holds: true,
    },
    EnvMarker {
        text: "implementation_name == \"cpython\"",
        holds: true,
    },
];

/// The registry of `seed`.
pub(super) fn registry(seed: u64) -> Registry {
    let mut rng = Rng(seed);
    let count = 2 + rng.below(NAMES.len() - 1);
    let mut names: Vec<&str> = NAMES[..count].to_vec();
    if rng.chance(8) {
        names.push(GHOST);
    }
    let mut packages: Vec<Package> = names
        .iter()
        .map(|name| Package {
            name: (*name).to_string(),
            releases: Vec::new(),
        })
        .collect();
    // The ghost has no release; the others one to five.
    for (index, package) in packages.iter_mut().take(count).enumerate() {
        package.releases = releases(&mut rng, index, names.len());
    }
    let known: Vec<Vec<Version>> = packages
        .iter()
        .map(|package| package.releases.iter().map(|r| r.version.clone()).collect())
        .collect();
    for package in &mut packages {
        for release in &mut package.releases {
            for requirement in &mut release.requires {
                requirement.specifiers = specifiers(&mut rng, &known[requirement.package]);
            }
        }
    }
    let roots = (0..1 + rng.below(3))
        .map(|_| first_party(&mut rng, names.len(), &known, 15))
        .collect();
    let mut constraints = Vec::new();
    for _ in 0..rng.below(3) {
        if rng.chance(40) {
            constraints.push(first_party(&mut rng, names.len(), &known, 10));
        }
    }
    Registry {
        packages,
        roots,
        constraints,
        prerelease: *rng.pick(&[
            PrereleaseMode::IfNecessaryOrExplicit,
            PrereleaseMode::IfNecessaryOrExplicit,
            PrereleaseMode::IfNecessaryOrExplicit,
            PrereleaseMode::IfNecessary,
            PrereleaseMode::Allow,
            PrereleaseMode::Disallow,
            PrereleaseMode::Explicit,
        ]),
        strategy: *rng.pick(&[
            ResolutionStrategy::Highest,
            ResolutionStrategy::Highest,
            ResolutionStrategy::Highest,
            ResolutionStrategy::Lowest,
            ResolutionStrategy::LowestDirect,
        ]),
    }
}

/// One to five distinct versions of `package`, in version order. Their requirements get
/// their specifiers once every package's versions are known.
fn releases(rng: &mut Rng, package: usize, names: usize) -> Vec<Release> {
    let mut pool: Vec<&str> = VERSIONS.to_vec();
    let mut releases = Vec::new();
    for _ in 0..1 + rng.below(5) {
        let text = pool.remove(rng.below(pool.len()));
        let provides: Vec<String> = EXTRAS
            .iter()
            .filter(|_| rng.chance(40))
            .map(ToString::to_string)
            .collect();
        let requires = (0..rng.below(4))
            .map(|_| dependency(rng, package, names, &provides))
            .collect();
        releases.push(Release {
            text: text.to_string(),
            version: text.parse().unwrap(),
            requires,
            provides,
            yanked: rng.chance(8),
            flaw: *rng.pick(&[
                Flaw::None,
                Flaw::None,
                Flaw::None,
                Flaw::None,
                Flaw::None,
                Flaw::None,
                Flaw::None,
                Flaw::None,
                Flaw::None,
                Flaw::None,
                Flaw::WindowsOnly,
                Flaw::NewerPython,
                Flaw::CappedPython,
            ]),
        });
    }
    releases.sort_by(|left, right| left.version.cmp(&right.version));
    releases
}

/// A requirement of a release of `package` (specifiers come later): on another package, or
/// now and then on an extra of its own package (`a[y]; extra == "x"`, as `all` extras do).
fn dependency(rng: &mut Rng, package: usize, names: usize, provides: &[String]) -> Req {
    let own_extra = rng.chance(6);
    let target = if own_extra {
        package
    } else {
        let other = rng.below(names - 1);
        if other >= package { other + 1 } else { other }
    };
    let mut extras = Vec::new();
    if own_extra || rng.chance(20) {
        extras.push((*rng.pick(EXTRAS)).to_string());
    }
    // Mostly an extra the release declares; now and then one it does not.
    let extra = if !provides.is_empty() && rng.chance(30) {
        Some(rng.pick(provides).clone())
    } else if rng.chance(4) {
        Some((*rng.pick(EXTRAS)).to_string())
    } else {
        None
    };
    Req {
        package: target,
        extras,
        specifiers: VersionSpecifiers::empty(),
        env: rng.chance(20).then(|| *rng.pick(MARKERS)),
        extra,
    }
}

/// A line of `requirements.in` or of a constraints file, with a marker `marker_percent`
/// of the time. Never an `extra ==` marker: the user's own lines have no extras active.
fn first_party(rng: &mut Rng, names: usize, known: &[Vec<Version>], marker_percent: u64) -> Req {
    let package = rng.below(names);
    let extras = if rng.chance(20) {
        vec![(*rng.pick(EXTRAS)).to_string()]
    } else {
        Vec::new()
    };
    Req {
        package,
        extras,
        specifiers: specifiers(rng, &known[package]),
        env: rng.chance(marker_percent).then(|| *rng.pick(MARKERS)),
        extra: None,
    }
}

/// Nothing two times in five, else one or two specifiers, bounded by a version the
/// package has more often than not.
fn specifiers(rng: &mut Rng, versions: &[Version]) -> VersionSpecifiers {
    if rng.chance(40) {
        return VersionSpecifiers::empty();
    }
    let count = if rng.chance(20) { 2 } else { 1 };
    let parts: Vec<String> = (0..count).map(|_| specifier(rng, versions)).collect();
    // Every generated part parses; `unwrap` would point at a generator bug.
    VersionSpecifiers::from_str(&parts.join(",")).unwrap()
}

fn specifier(rng: &mut Rng, versions: &[Version]) -> String {
    if rng.chance(5) {
        let major = 1 + rng.below(3);
        let operator = if rng.chance(50) { "==" } else { "!=" };
        return format!("{operator}{major}.*");
    }
    let bound = if !versions.is_empty() && rng.chance(60) {
        rng.pick(versions).to_string()
    } else {
        (*rng.pick(BOUNDS)).to_string()
    };
    format!("{}{bound}", rng.pick(OPERATORS))
}

/// A registry's releases as the text of their files, owned so that [`Dist`]s can borrow it.
pub(super) struct Rendered {
    files: Vec<RenderedRelease>,
}

struct RenderedRelease {
    name: String,
    version: String,
    requires: Vec<String>,
    provides: Vec<String>,
    yanked: bool,
    flaw: Flaw,
}

pub(super) fn render(registry: &Registry) -> Rendered {
    let mut files = Vec::new();
    for package in &registry.packages {
        for release in &package.releases {
            files.push(RenderedRelease {
                name: package.name.clone(),
                version: release.text.clone(),
                requires: release
                    .requires
                    .iter()
                    .map(|requirement| requirement.text(registry))
                    .collect(),
                provides: release.provides.clone(),
                yanked: release.yanked,
                flaw: release.flaw,
            });
        }
    }
    Rendered { files }
}

impl Rendered {
    /// The in-memory source's records, one file per release.
    pub(super) fn dists(&self) -> Vec<Dist<'_>> {
        self.files
            .iter()
            .map(|file| Dist {
                name: &file.name,
                version: &file.version,
                tag: Some(match file.flaw {
                    Flaw::WindowsOnly => "cp312-cp312-win_amd64",
                    _ => "py3-none-any",
                }),
                requires: file.requires.iter().map(String::as_str).collect(),
                extras: file.provides.iter().map(String::as_str).collect(),
                requires_python: match file.flaw {
                    Flaw::NewerPython => Some(">=3.13"),
                    Flaw::CappedPython => Some(">=3.8,<3.12"),
                    Flaw::None | Flaw::WindowsOnly => None,
                },
                yanked: file.yanked,
                needs_build: false,
            })
            .collect()
    }
}

/// The registry as text, for failure reports.
pub(super) fn describe(registry: &Registry) -> String {
    let mut text = format!(
        "options: --prerelease {:?}, --resolution {:?}\nrequirements.in:\n",
        registry.prerelease, registry.strategy
    );
    for root in &registry.roots {
        text.push_str(&format!("    {}\n", root.text(registry)));
    }
    if !registry.constraints.is_empty() {
        text.push_str("constraints.txt:\n");
        for line in &registry.constraints {
            text.push_str(&format!("    {}\n", line.text(registry)));
        }
    }
    text.push_str("registry:\n");
    for package in &registry.packages {
        if package.releases.is_empty() {
            text.push_str(&format!("    {}: not on the index\n", package.name));
        }
        for release in &package.releases {
            text.push_str(&format!("    {} {}", package.name, release.text));
            if release.yanked {
                text.push_str(" (yanked)");
            }
            if release.flaw != Flaw::None {
                text.push_str(&format!(" ({:?})", release.flaw));
            }
            if !release.provides.is_empty() {
                text.push_str(&format!(" provides {}", release.provides.join(", ")));
            }
            text.push('\n');
            for requirement in &release.requires {
                text.push_str(&format!("        {}\n", requirement.text(registry)));
            }
        }
    }
    text
}
