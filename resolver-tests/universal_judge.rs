//! The judge of a universal (marker-forked) lock: does pinwheel's requirements.txt install, in
//! every environment, exactly what the reference lock installs there?
//!
//! Marker text differs between tools (`python_version >= '3.13'` and `python_full_version >=
//! '3.13'` say the same), so markers are never compared as text. Instead both locks are
//! evaluated with `pep508_rs` over a grid of marker environments ([`grid`]), built from every
//! value that the scenario's requirements, the reference and the lock compare a variable with
//! (plus one value none of them names), restricted to the Pythons the lock's `requires-python`
//! allows. Only the variables some marker mentions vary; the others keep one value, because no
//! marker can tell their values apart.
//!
//! The reference (uv's lock snapshots, `universal-pins.json`) records each package version with
//! the *forks* it was resolved in (uv.lock's `resolution-markers`, empty when the version was
//! not forked), not with the environments that install it: `specific-architecture`'s `b` has
//! none, yet only `platform_machine == 'x86_64'` installs it. So what the reference installs in
//! an environment is found by walking the scenario's dependency graph from the root there,
//! taking for each package the one version whose forks hold ([`installed`]). What pinwheel
//! installs there is simply every pin whose marker holds; the same walk with pinwheel's pins
//! then says whether that set is a consistent installation on its own (for a diagnosis, and for
//! scenarios whose reference records no pins).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::str::FromStr;

use pep508_rs::pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{
    MarkerEnvironment, MarkerEnvironmentBuilder, MarkerTree, Requirement, VersionOrUrl,
};

use crate::scenario::Package;

/// The marker variables the grid can vary, with the value each keeps when no marker names it.
const STRING_VARIABLES: [(&str, &str); 9] = [
    ("sys_platform", "linux"),
    ("platform_machine", "x86_64"),
    ("implementation_name", "cpython"),
    ("os_name", "posix"),
    ("platform_system", "Linux"),
    ("platform_python_implementation", "CPython"),
    ("platform_release", ""),
    ("platform_version", ""),
    ("implementation_version", ""),
];

/// A value of a string variable that no marker names, so `!=` and "none of these" are covered.
const OTHER_VALUE: &str = "pinwheel-judge-other";

/// One package version of a lock and the environments that install it.
#[derive(Debug, Clone)]
pub struct LockedPin {
    /// The normalised name.
    pub name: String,
    /// The version.
    pub version: Version,
    /// When it is installed (several lines for one version: their OR).
    pub marker: MarkerTree,
    /// The marker as written, for messages.
    pub text: String,
}

/// One package version of the reference and the forks it was resolved in.
#[derive(Debug, Clone)]
pub struct ReferencePin {
    /// The normalised name.
    pub name: String,
    /// The version.
    pub version: Version,
    /// The OR of its fork markers (true when it was not forked).
    pub forks: MarkerTree,
}

impl ReferencePin {
    /// A reference pin from the file's strings: several markers are their OR, none is "every
    /// fork".
    pub fn new(name: &str, version: &str, markers: &[String]) -> Result<Self, String> {
        let mut forks = if markers.is_empty() {
            MarkerTree::TRUE
        } else {
            MarkerTree::FALSE
        };
        for marker in markers {
            forks.or(parse_marker(marker)?);
        }
        Ok(Self {
            name: normalize(name),
            version: parse_version(version)?,
            forks,
        })
    }
}

/// What the reference says a scenario resolves to.
#[derive(Debug, Clone)]
pub enum Reference {
    /// These pins, each in its forks.
    Pins(Vec<ReferencePin>),
    /// A resolution exists, but the reference does not record it: the lock is judged only on
    /// being a consistent installation in every environment.
    Consistent,
}

/// The requirements of one package version.
#[derive(Debug, Default)]
struct Node {
    requires: Vec<Requirement>,
    extras: BTreeMap<String, Vec<Requirement>>,
    requires_python: Option<VersionSpecifiers>,
}

/// A scenario's dependency graph: the root's requirements and every version on the index.
#[derive(Debug)]
pub struct Graph {
    roots: Vec<Requirement>,
    nodes: BTreeMap<(String, Version), Node>,
}

impl Graph {
    /// The graph of a scenario's root requirements and package table.
    pub fn new(roots: &[String], packages: &BTreeMap<String, Package>) -> Result<Self, String> {
        let mut nodes = BTreeMap::new();
        for (name, package) in packages {
            for (version, spec) in &package.versions {
                let mut node = Node {
                    requires: parse_requirements(&spec.requires)?,
                    requires_python: spec
                        .requires_python
                        .as_deref()
                        .map(|text| {
                            VersionSpecifiers::from_str(text)
                                .map_err(|error| format!("requires_python `{text}`: {error}"))
                        })
                        .transpose()?,
                    ..Node::default()
                };
                for (extra, requires) in &spec.extras {
                    node.extras
                        .insert(normalize(extra), parse_requirements(requires)?);
                }
                nodes.insert((normalize(name), parse_version(version)?), node);
            }
        }
        Ok(Self {
            roots: parse_requirements(roots)?,
            nodes,
        })
    }

    /// Every marker of every requirement, for the grid.
    fn markers(&self) -> impl Iterator<Item = &MarkerTree> {
        self.roots
            .iter()
            .chain(
                self.nodes
                    .values()
                    .flat_map(|node| node.requires.iter().chain(node.extras.values().flatten())),
            )
            .map(|requirement| &requirement.marker)
    }
}

/// One environment of the grid.
pub struct Environment {
    /// The environment.
    pub markers: MarkerEnvironment,
    /// Its varied values, for messages.
    pub label: String,
}

/// The environments to judge on: every combination of the values that `markers` compare each
/// variable with, plus one value none of them names, for the variables they mention, and the
/// Pythons from 3.8 to 3.15 with the versions the markers name and their neighbours, restricted
/// to `requires_python`.
pub fn grid<'a>(
    markers: impl IntoIterator<Item = &'a MarkerTree>,
    requires_python: &VersionSpecifiers,
) -> Vec<Environment> {
    let mut literals: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for marker in markers {
        if let Some(text) = marker.try_to_string() {
            for (variable, value) in comparisons(&text) {
                literals.entry(variable).or_default().insert(value);
            }
        }
    }
    for specifier in requires_python.iter() {
        literals
            .entry("python_full_version".to_string())
            .or_default()
            .insert(specifier.version().to_string());
    }
    let pythons: Vec<Version> = python_versions(
        literals
            .iter()
            .filter(|(variable, _)| variable.starts_with("python_"))
            .flat_map(|(_, values)| values),
    )
    .into_iter()
    .filter(|version| requires_python.contains(version))
    .collect();
    // Each varied string variable with its values; the others keep their default.
    let axes: Vec<(&str, Vec<String>)> = STRING_VARIABLES
        .iter()
        .map(|(variable, default)| match literals.get(*variable) {
            Some(values) => {
                let mut values: Vec<String> = values.iter().cloned().collect();
                values.push(OTHER_VALUE.to_string());
                (*variable, values)
            }
            None => (*variable, vec![(*default).to_string()]),
        })
        .collect();
    let mut environments = Vec::new();
    for python in &pythons {
        let mut index = vec![0usize; axes.len()];
        loop {
            let values: Vec<&str> = axes
                .iter()
                .zip(&index)
                .map(|((_, values), at)| values[*at].as_str())
                .collect();
            if let Some(environment) = environment(python, &axes, &values) {
                environments.push(environment);
            }
            // The next combination, like an odometer.
            let mut axis = 0;
            while axis < axes.len() {
                index[axis] += 1;
                if index[axis] < axes[axis].1.len() {
                    break;
                }
                index[axis] = 0;
                axis += 1;
            }
            if axis == axes.len() {
                break;
            }
        }
    }
    environments
}

fn environment(
    python: &Version,
    axes: &[(&str, Vec<String>)],
    values: &[&str],
) -> Option<Environment> {
    let value = |name: &str| {
        axes.iter()
            .position(|(variable, _)| *variable == name)
            .map_or("", |at| values[at])
    };
    let full = python.to_string();
    let release = python.release();
    let short = format!(
        "{}.{}",
        release.first().copied().unwrap_or(3),
        release.get(1).copied().unwrap_or(0)
    );
    let implementation_version = match value("implementation_version") {
        "" => full.as_str(),
        other => other,
    };
    let markers = MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: value("implementation_name"),
        implementation_version,
        os_name: value("os_name"),
        platform_machine: value("platform_machine"),
        platform_python_implementation: value("platform_python_implementation"),
        platform_release: value("platform_release"),
        platform_system: value("platform_system"),
        platform_version: value("platform_version"),
        python_full_version: &full,
        python_version: &short,
        sys_platform: value("sys_platform"),
    })
    .ok()?;
    let mut label = format!("python {full}");
    for ((variable, choices), value) in axes.iter().zip(values) {
        if choices.len() > 1 {
            let _ = write!(label, ", {variable}={value}");
        }
    }
    Some(Environment { markers, label })
}

/// The Pythons to try: 3.8.0 to 3.15.0, and for each version a marker names, that version
/// (patch 0 when it has none) and the patch releases beside it.
fn python_versions<'a>(named: impl Iterator<Item = &'a String>) -> BTreeSet<Version> {
    let mut versions: BTreeSet<Version> = (8..=15)
        .filter_map(|minor| Version::from_str(&format!("3.{minor}.0")).ok())
        .collect();
    for text in named {
        let text = text.trim_end_matches(".*");
        let Ok(version) = Version::from_str(text) else {
            continue;
        };
        let release = version.release();
        let (major, minor) = (
            release.first().copied().unwrap_or(3),
            release.get(1).copied().unwrap_or(0),
        );
        let patch = release.get(2).copied().unwrap_or(0);
        if version.any_prerelease() {
            // A pre-release interpreter, e.g. `3.9b1`: its own full version.
            if let Some(pre) = version.pre() {
                let text = format!("{major}.{minor}.{patch}{pre}");
                versions.extend(Version::from_str(&text).ok());
            }
        }
        for patch in [patch.saturating_sub(1), patch, patch + 1] {
            versions.extend(Version::from_str(&format!("{major}.{minor}.{patch}")).ok());
        }
    }
    versions
}

/// The `(variable, value)` pairs a canonical marker compares: `var op 'value'` and
/// `'value' op var`.
fn comparisons(text: &str) -> Vec<(String, String)> {
    let tokens = tokenize(text);
    let mut found = Vec::new();
    let is_operator = |token: &Token| matches!(token, Token::Operator);
    for (at, token) in tokens.iter().enumerate() {
        let Token::Quoted(value) = token else {
            continue;
        };
        // The variable is across the operator on either side (`not in` is two words).
        let left = tokens[..at].iter().rev().find(|token| !is_operator(token));
        let right = tokens[at + 1..].iter().find(|token| !is_operator(token));
        for side in [left, right].into_iter().flatten() {
            if let Token::Word(variable) = side {
                found.push((variable.clone(), value.clone()));
            }
        }
    }
    found
}

#[derive(Debug)]
enum Token {
    Word(String),
    Quoted(String),
    Operator,
    Other,
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&character) = chars.peek() {
        if character == '\'' || character == '"' {
            chars.next();
            let value: String = chars.by_ref().take_while(|c| *c != character).collect();
            tokens.push(Token::Quoted(value));
        } else if character.is_alphanumeric() || character == '_' || character == '.' {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_alphanumeric() || c == '_' || c == '.' {
                    word.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(match word.as_str() {
                "in" | "not" => Token::Operator,
                "and" | "or" => Token::Other,
                _ => Token::Word(word),
            });
        } else if "=!<>~".contains(character) {
            while let Some(&c) = chars.peek() {
                if "=!<>~".contains(c) {
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Token::Operator);
        } else {
            chars.next();
            if !character.is_whitespace() {
                tokens.push(Token::Other);
            }
        }
    }
    tokens
}

/// The pins of a requirements.txt (comments, options and `--hash` lines skipped); lines of
/// one version (extras differ) are merged, their markers ORed.
pub fn parse_lock(text: &str) -> Result<Vec<LockedPin>, String> {
    let mut pins: Vec<LockedPin> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        // A `# via` comment may follow a pin on its line (`--annotation-style line`).
        let line = line.split(" #").next().unwrap_or_default();
        let line = line.trim_end().trim_end_matches('\\').trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('-') {
            continue;
        }
        let requirement = Requirement::<pep508_rs::VerbatimUrl>::from_str(line)
            .map_err(|error| format!("line {}: `{line}`: {error}", number + 1))?;
        let version = match &requirement.version_or_url {
            Some(VersionOrUrl::VersionSpecifier(specifiers))
                if specifiers.len() == 1
                    && specifiers[0].operator() == &pep508_rs::pep440_rs::Operator::Equal =>
            {
                specifiers[0].version().clone()
            }
            _ => {
                return Err(format!(
                    "line {}: `{line}` is not a `name==version` pin",
                    number + 1
                ));
            }
        };
        let name = requirement.name.to_string();
        let text = line.split_once(';').map_or("", |(_, marker)| marker.trim());
        match pins
            .iter_mut()
            .find(|pin| pin.name == name && pin.version == version)
        {
            Some(pin) => {
                pin.marker.or(requirement.marker.clone());
                pin.text = format!("({}) or ({text})", pin.text);
            }
            None => pins.push(LockedPin {
                name,
                version,
                marker: requirement.marker.clone(),
                text: text.to_string(),
            }),
        }
    }
    Ok(pins)
}

/// What a walk of the graph from the root installs in one environment, and what went wrong.
#[derive(Debug, Default)]
pub struct Installation {
    /// The package versions installed.
    pub installed: BTreeSet<(String, Version)>,
    /// Requirements the chosen versions do not satisfy, or that no version was chosen for.
    pub problems: Vec<String>,
}

/// Walks `graph` from the root in `environment`: every requirement whose marker holds there
/// takes the version `choose` gives for its package (`Err` says why there is none).
pub fn installed(
    graph: &Graph,
    environment: &MarkerEnvironment,
    choose: &dyn Fn(&str) -> Result<Version, String>,
) -> Installation {
    let mut result = Installation::default();
    let mut queue: Vec<(&Requirement, String)> = graph
        .roots
        .iter()
        .map(|requirement| (requirement, "the root".to_string()))
        .collect();
    let mut extras_done: BTreeSet<(String, Version, String)> = BTreeSet::new();
    while let Some((requirement, from)) = queue.pop() {
        if !requirement.marker.evaluate(environment, &[]) {
            continue;
        }
        let name = requirement.name.to_string();
        let version = match choose(&name) {
            Ok(version) => version,
            Err(why) => {
                result
                    .problems
                    .push(format!("`{requirement}` (from {from}): {why}"));
                continue;
            }
        };
        if let Some(VersionOrUrl::VersionSpecifier(specifiers)) = &requirement.version_or_url
            && !specifiers.contains(&version)
        {
            result.problems.push(format!(
                "`{requirement}` (from {from}) is not satisfied by {name}=={version}"
            ));
        }
        let Some(node) = graph.nodes.get(&(name.clone(), version.clone())) else {
            result
                .problems
                .push(format!("{name}=={version} is not on the index"));
            continue;
        };
        if let Some(requires_python) = &node.requires_python
            && !requires_python.contains(&environment.python_full_version().version)
        {
            result.problems.push(format!(
                "{name}=={version} requires Python `{requires_python}`"
            ));
        }
        let here = format!("{name}=={version}");
        if result.installed.insert((name.clone(), version.clone())) {
            queue.extend(node.requires.iter().map(|next| (next, here.clone())));
        }
        for extra in &requirement.extras {
            let extra = extra.to_string();
            if extras_done.insert((name.clone(), version.clone(), extra.clone())) {
                match node.extras.get(&extra) {
                    Some(requires) => queue.extend(
                        requires
                            .iter()
                            .map(|next| (next, format!("{here}[{extra}]"))),
                    ),
                    None => result
                        .problems
                        .push(format!("{here} has no extra `{extra}`")),
                }
            }
        }
    }
    result
}

/// Judges `lock` (pinwheel's pins) against `reference` for `graph` under `requires_python`.
/// `Err` lists every difference, each with a few environments that show it.
pub fn judge(
    graph: &Graph,
    requires_python: &VersionSpecifiers,
    reference: &Reference,
    lock: &[LockedPin],
) -> Result<(), String> {
    let mut report = Vec::new();
    if let Reference::Pins(expected) = reference {
        let want: BTreeSet<(String, Version)> = expected
            .iter()
            .map(|pin| (pin.name.clone(), pin.version.clone()))
            .collect();
        let got: BTreeSet<(String, Version)> = lock
            .iter()
            .map(|pin| (pin.name.clone(), pin.version.clone()))
            .collect();
        if want != got {
            report.push(format!(
                "pins differ: expected {}, got {}",
                show_set(&want),
                show_set(&got)
            ));
        }
    }
    let reference_forks: Vec<&MarkerTree> = match reference {
        Reference::Pins(expected) => expected.iter().map(|pin| &pin.forks).collect(),
        Reference::Consistent => Vec::new(),
    };
    let environments = grid(
        graph
            .markers()
            .chain(reference_forks)
            .chain(lock.iter().map(|pin| &pin.marker)),
        requires_python,
    );
    if environments.is_empty() {
        return Err(format!(
            "no environment of the grid satisfies requires-python `{requires_python}`"
        ));
    }
    // Per pin (name, version): environments where pinwheel installs it and the reference does
    // not, and the other way round.
    let mut extra: BTreeMap<(String, Version), Vec<&str>> = BTreeMap::new();
    let mut missing: BTreeMap<(String, Version), Vec<&str>> = BTreeMap::new();
    let mut inconsistent: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut reference_problems: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for environment in &environments {
        let active: BTreeSet<(String, Version)> = lock
            .iter()
            .filter(|pin| pin.marker.evaluate(&environment.markers, &[]))
            .map(|pin| (pin.name.clone(), pin.version.clone()))
            .collect();
        // pinwheel's own pins walked: is what they install a complete, consistent set?
        let own = installed(graph, &environment.markers, &|name| {
            let versions: Vec<&Version> = active
                .iter()
                .filter(|(active, _)| active == name)
                .map(|(_, version)| version)
                .collect();
            match versions.as_slice() {
                [version] => Ok((*version).clone()),
                [] => Err("no pin of it holds here".to_string()),
                several => Err(format!(
                    "several pins of it hold here: {}",
                    several
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        });
        for problem in own.problems {
            inconsistent
                .entry(problem)
                .or_default()
                .push(&environment.label);
        }
        for pin in active.difference(&own.installed) {
            inconsistent
                .entry(format!(
                    "{}=={} holds here but nothing requires it",
                    pin.0, pin.1
                ))
                .or_default()
                .push(&environment.label);
        }
        let Reference::Pins(expected) = reference else {
            continue;
        };
        let wanted = installed(graph, &environment.markers, &|name| {
            let versions: Vec<&ReferencePin> = expected
                .iter()
                .filter(|pin| pin.name == name && pin.forks.evaluate(&environment.markers, &[]))
                .collect();
            match versions.as_slice() {
                [pin] => Ok(pin.version.clone()),
                [] => Err("the reference has no version of it for these forks".to_string()),
                _ => Err("the reference has several versions of it for these forks".to_string()),
            }
        });
        for problem in wanted.problems {
            reference_problems
                .entry(problem)
                .or_default()
                .push(&environment.label);
        }
        for pin in active.difference(&wanted.installed) {
            extra
                .entry(pin.clone())
                .or_default()
                .push(&environment.label);
        }
        for pin in wanted.installed.difference(&active) {
            missing
                .entry(pin.clone())
                .or_default()
                .push(&environment.label);
        }
    }
    let marker_of = |name: &str, version: &Version| {
        lock.iter()
            .find(|pin| pin.name == name && &pin.version == version)
            .map_or_else(
                || "(no such pin)".to_string(),
                |pin| match pin.text.as_str() {
                    "" => "(no marker)".to_string(),
                    text => format!("; {text}"),
                },
            )
    };
    let total = environments.len();
    for ((name, version), labels) in &extra {
        report.push(format!(
            "{name}=={version} {} is installed where the reference does not install it, in {} of {total} environments, e.g. {}",
            marker_of(name, version),
            labels.len(),
            examples(labels)
        ));
    }
    for ((name, version), labels) in &missing {
        report.push(format!(
            "{name}=={version} {} is not installed where the reference installs it, in {} of {total} environments, e.g. {}",
            marker_of(name, version),
            labels.len(),
            examples(labels)
        ));
    }
    for (problem, labels) in &inconsistent {
        report.push(format!(
            "pinwheel's lock is inconsistent: {problem}, in {} of {total} environments, e.g. {}",
            labels.len(),
            examples(labels)
        ));
    }
    for (problem, labels) in &reference_problems {
        report.push(format!(
            "the reference does not fit the scenario (a judge or data error): {problem}, in {} of {total} environments, e.g. {}",
            labels.len(),
            examples(labels)
        ));
    }
    if report.is_empty() {
        Ok(())
    } else {
        if inconsistent.is_empty() && matches!(reference, Reference::Pins(_)) {
            // Tells a different choice apart from a broken lock.
            report.push(
                "pinwheel's lock is itself consistent in every environment: a different valid resolution"
                    .to_string(),
            );
        }
        Err(report.join("\n  "))
    }
}

/// Whether `reference` fits `graph`: in every environment of the grid, walking the graph with
/// the reference's versions (the one whose forks hold) meets no requirement it cannot satisfy.
/// A check of the judge's reading of the reference, not of pinwheel.
pub fn check_reference(
    graph: &Graph,
    requires_python: &VersionSpecifiers,
    reference: &[ReferencePin],
) -> Result<(), String> {
    let Err(report) = judge(
        graph,
        requires_python,
        &Reference::Pins(reference.to_vec()),
        &[],
    ) else {
        return Ok(());
    };
    let problems: Vec<&str> = report
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("the reference does not fit"))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n  "))
    }
}

fn examples(labels: &[&str]) -> String {
    let mut shown: Vec<String> = labels
        .iter()
        .take(3)
        .map(|label| format!("[{label}]"))
        .collect();
    if labels.len() > 3 {
        shown.push("…".to_string());
    }
    shown.join(" ")
}

fn show_set(pins: &BTreeSet<(String, Version)>) -> String {
    let shown: Vec<String> = pins
        .iter()
        .map(|(name, version)| format!("{name}=={version}"))
        .collect();
    format!("[{}]", shown.join(", "))
}

fn parse_requirements(lines: &[String]) -> Result<Vec<Requirement>, String> {
    lines
        .iter()
        .map(|line| {
            Requirement::from_str(line).map_err(|error| format!("requirement `{line}`: {error}"))
        })
        .collect()
}

fn parse_marker(text: &str) -> Result<MarkerTree, String> {
    MarkerTree::from_str(text).map_err(|error| format!("marker `{text}`: {error}"))
}

fn parse_version(text: &str) -> Result<Version, String> {
    Version::from_str(text).map_err(|error| format!("version `{text}`: {error}"))
}

/// PEP 503 normalisation.
pub fn normalize(name: &str) -> String {
    pep508_rs::PackageName::from_str(name)
        .map_or_else(|_| name.to_lowercase(), |name| name.to_string())
}

#[cfg(test)]
mod tests;
