//! The scenario runner: a scenario file describes an index, the user's requirements, the flags and
//! the expected outcome; the runner serves the index on 127.0.0.1, runs `pinwheel resolve`, and
//! compares.
//!
//! The format is packse's (so `shared/packse-scenarios/` runs unchanged), plus a few optional
//! keys of our own for what packse cannot describe:
//!
//! ```toml
//! [server]                      # how the test index behaves (default: JSON, PEP 658 advertised, ranges honoured)
//! pages = "html"                # "json" | "html"
//! metadata = "absent"           # "advertised" | "unadvertised" | "absent"
//! ranges = "refused"            # "honoured" | "refused" | "rejected"
//! hashes = "omitted"            # "listed" | "omitted"
//!
//! [packages.a.versions."1.0.0"]
//! sdist_kind = "egg-info"       # "pkg-info" (default) | "pyproject" | "egg-info" | "dynamic"
//!                              # | "setup-py" | "setup-py-computed"
//! upload_time = "2024-01-01T00:00:00Z"
//! yanked = true
//!
//! [resolver_options]
//! args = ["--exclude-newer", "2024-06-01"]   # extra pinwheel flags
//!
//! [files]                       # extra files in the project directory (`-r`/`-c` targets, old locks)
//! "constraints.txt" = "b<2\n"
//!
//! [root]
//! requirements_in = "-c constraints.txt\na\n"   # the requirements.in text, instead of `requires`
//!
//! [expected]
//! contains = ["b==1.0.0"]       # text the output file (or, when unsatisfiable, stderr) must contain
//! excludes = ["c=="]            # text it must not contain
//! annotate = true               # keep `# via` annotations in the output (default: --no-annotate)
//!
//! find_links = ["b-1.0.0-py3-none-any.whl"]   # (top level) files copied from the index into ./wheels
//!
//! [extra_index.packages.a.versions."1.0.0"]   # a second index, passed as --extra-index-url
//! ```
//!
//! In `requirements_in`, `files`, `resolver_options.args` and `expected.contains`/`excludes`,
//! `{index}` is the index URL, `{files}` the base URL of its files, and `{sha256:FILE}` the
//! digest of a file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Project;
use crate::support::{
    HashMode, MetadataMode, PageFormat, RangeMode, SdistKind, ServerOptions, TestFile, TestIndex,
    TestPackage,
};

/// One scenario file.
#[derive(Debug, Deserialize)]
pub struct Scenario {
    /// The scenario's name (unique in its directory).
    pub name: String,
    /// What it checks.
    #[serde(default)]
    pub description: Option<String>,
    /// The user's requirements.
    pub root: Root,
    /// The packages on the index.
    #[serde(default)]
    pub packages: BTreeMap<String, Package>,
    /// The expected outcome.
    pub expected: Expected,
    /// The Python the user runs (packse's "environment").
    #[serde(default)]
    pub environment: Environment,
    /// Resolver options.
    #[serde(default)]
    pub resolver_options: ResolverOptions,
    /// How the test index behaves (ours).
    #[serde(default)]
    pub server: Server,
    /// Extra files in the project directory (ours).
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Files copied from the index into `./wheels` for `--find-links ./wheels` (ours).
    #[serde(default)]
    pub find_links: Vec<String>,
    /// A second index, given to pinwheel as `--extra-index-url` (ours).
    #[serde(default)]
    pub extra_index: Option<ExtraIndex>,
}

/// A second index (ours).
#[derive(Debug, Deserialize)]
pub struct ExtraIndex {
    /// Its packages.
    #[serde(default)]
    pub packages: BTreeMap<String, Package>,
}

/// The root of the scenario.
#[derive(Debug, Default, Deserialize)]
pub struct Root {
    /// Requirement lines.
    #[serde(default)]
    pub requires: Vec<String>,
    /// The root project's Requires-Python (universal resolution only).
    #[serde(default)]
    pub requires_python: Option<String>,
    /// The whole requirements.in text (ours; replaces `requires`).
    #[serde(default)]
    pub requirements_in: Option<String>,
}

/// A package on the index.
#[derive(Debug, Deserialize)]
pub struct Package {
    /// Its versions.
    #[serde(default)]
    pub versions: BTreeMap<String, Version>,
}

/// One version of a package.
#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct Version {
    /// Requires-Dist lines.
    pub requires: Vec<String>,
    /// Requires-Python (packse's default is `>=3.8`).
    pub requires_python: Option<String>,
    /// Extras and their requirements.
    pub extras: BTreeMap<String, Vec<String>>,
    /// Whether an sdist exists.
    pub sdist: bool,
    /// Whether a wheel exists.
    pub wheel: bool,
    /// Wheel tags (default `py3-none-any`).
    pub wheel_tags: Vec<String>,
    /// Whether every file is yanked.
    pub yanked: bool,
    /// How the sdist stores its metadata (ours).
    pub sdist_kind: Option<String>,
    /// Upload time (ours).
    pub upload_time: Option<String>,
    /// A description (packse).
    pub description: Option<String>,
}

impl Default for Version {
    fn default() -> Self {
        Self {
            requires: Vec::new(),
            requires_python: Some(">=3.8".to_string()),
            extras: BTreeMap::new(),
            sdist: true,
            wheel: true,
            wheel_tags: Vec::new(),
            yanked: false,
            sdist_kind: None,
            upload_time: None,
            description: None,
        }
    }
}

/// The expected outcome.
#[derive(Debug, Deserialize)]
pub struct Expected {
    /// Whether a resolution exists.
    pub satisfiable: bool,
    /// The exact pins (name → version), when satisfiable.
    #[serde(default)]
    pub packages: BTreeMap<String, String>,
    /// Why (packse; shown when the scenario fails).
    #[serde(default)]
    pub explanation: Option<String>,
    /// Text the output (or stderr, when unsatisfiable) must contain (ours).
    #[serde(default)]
    pub contains: Vec<String>,
    /// Text the output (or stderr) must not contain (ours).
    #[serde(default)]
    pub excludes: Vec<String>,
    /// Keep `# via` annotations (ours; default `--no-annotate`).
    #[serde(default)]
    pub annotate: bool,
}

/// The Python the user runs.
#[derive(Debug, Deserialize)]
pub struct Environment {
    /// Its version (packse's default is 3.8).
    #[serde(default = "default_python")]
    pub python: String,
    /// Other Pythons on the system (unused: they tell uv what it could build with, and the
    /// scenarios' sdists never need a build here).
    #[serde(default)]
    #[expect(dead_code, reason = "the scenarios' sdists never need a build")]
    pub additional_python: Vec<String>,
}

impl Default for Environment {
    fn default() -> Self {
        Self {
            python: default_python(),
            additional_python: Vec::new(),
        }
    }
}

fn default_python() -> String {
    "3.8".to_string()
}

/// Resolver options.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResolverOptions {
    /// `--python-version`.
    pub python: Option<String>,
    /// `--python-platform`.
    pub python_platform: Option<String>,
    /// `--prerelease allow`.
    pub prereleases: bool,
    /// `--only-binary` packages.
    pub no_build: Vec<String>,
    /// `--no-binary` packages.
    pub no_binary: Vec<String>,
    /// Universal (all-platform) resolution: run by packse_universal.rs, skipped here.
    pub universal: bool,
    /// Environments a universal lock must cover (universal only).
    pub required_environments: Vec<String>,
    /// Extra flags (ours).
    pub args: Vec<String>,
}

/// Test index behaviour (ours).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Server {
    /// `json` or `html`.
    pub pages: Option<String>,
    /// `advertised`, `unadvertised` or `absent`.
    pub metadata: Option<String>,
    /// `honoured`, `refused` or `rejected`.
    pub ranges: Option<String>,
    /// "listed" | "omitted".
    pub hashes: Option<String>,
}

/// What happened when a scenario ran.
pub enum Outcome {
    /// The expectation held.
    Passed,
    /// The scenario needs a feature pinwheel does not have yet.
    Skipped(String),
    /// The expectation did not hold: the message says what was expected, what came out, and
    /// how to rerun.
    Failed(String),
}

/// Reads a scenario file.
pub fn load(path: &Path) -> Result<Scenario, String> {
    let text =
        std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    toml::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))
}

/// Every `*.toml` scenario under `dir`, sorted by path.
pub fn scenario_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(scenario_files(&path));
        } else if path
            .extension()
            .is_some_and(|extension| extension == "toml")
        {
            files.push(path);
        }
    }
    files.sort();
    files
}

impl Scenario {
    fn test_packages(&self) -> Result<Vec<TestPackage>, String> {
        test_packages(&self.packages)
    }
}

/// The test index's packages for a scenario's package table.
pub fn test_packages(table: &BTreeMap<String, Package>) -> Result<Vec<TestPackage>, String> {
    {
        let mut packages = Vec::new();
        for (name, package) in table {
            for (version, spec) in &package.versions {
                let mut files = Vec::new();
                if spec.wheel {
                    if spec.wheel_tags.is_empty() {
                        files.push(TestFile::Wheel {
                            tag: "py3-none-any".to_string(),
                        });
                    }
                    for tag in &spec.wheel_tags {
                        files.push(TestFile::Wheel { tag: tag.clone() });
                    }
                }
                if spec.sdist {
                    files.push(TestFile::Sdist(sdist_kind(spec.sdist_kind.as_deref())?));
                }
                let mut requires = spec.requires.clone();
                for (extra, extra_requires) in &spec.extras {
                    for requirement in extra_requires {
                        requires.push(with_extra_marker(requirement, extra));
                    }
                }
                let mut test_package = TestPackage::new(name, version)
                    .with_files(files)
                    .requires(&requires.iter().map(String::as_str).collect::<Vec<_>>())
                    .extras(&spec.extras.keys().map(String::as_str).collect::<Vec<_>>());
                test_package.requires_python = spec.requires_python.clone();
                test_package.upload_time = spec.upload_time.clone();
                if spec.yanked {
                    test_package.yanked = Some(String::new());
                }
                packages.push(test_package);
            }
        }
        Ok(packages)
    }
}

impl Scenario {
    fn server_options(&self) -> Result<ServerOptions, String> {
        let pages = match self.server.pages.as_deref() {
            None | Some("json") => PageFormat::Json,
            Some("html") => PageFormat::Html,
            Some(other) => return Err(format!("unknown server.pages `{other}`")),
        };
        let metadata = match self.server.metadata.as_deref() {
            None | Some("advertised") => MetadataMode::Advertised,
            Some("unadvertised") => MetadataMode::Unadvertised,
            Some("absent") => MetadataMode::Absent,
            Some(other) => return Err(format!("unknown server.metadata `{other}`")),
        };
        let ranges = match self.server.ranges.as_deref() {
            None | Some("honoured") => RangeMode::Honoured,
            Some("refused") => RangeMode::Refused,
            Some("rejected") => RangeMode::Rejected,
            Some(other) => return Err(format!("unknown server.ranges `{other}`")),
        };
        Ok(ServerOptions {
            pages,
            metadata,
            ranges,
            hashes: match self.server.hashes.as_deref() {
                None | Some("listed") => HashMode::Listed,
                Some("omitted") => HashMode::Omitted,
                Some(other) => return Err(format!("unknown server.hashes `{other}`")),
            },
            ..ServerOptions::default()
        })
    }

    /// The pinwheel flags this scenario asks for (after `--index-url` and `--cache-dir`).
    fn flags(&self) -> Vec<String> {
        let options = &self.resolver_options;
        let python = options
            .python
            .clone()
            .unwrap_or_else(|| self.environment.python.clone());
        let mut flags = vec!["--python-version".to_string(), python];
        let platform = options
            .python_platform
            .clone()
            .unwrap_or_else(|| "x86_64-manylinux_2_28".to_string());
        flags.extend(["--python-platform".to_string(), platform]);
        if options.prereleases {
            flags.extend(["--prerelease".to_string(), "allow".to_string()]);
        }
        for package in &options.no_build {
            flags.extend(["--only-binary".to_string(), package.clone()]);
        }
        for package in &options.no_binary {
            flags.extend(["--no-binary".to_string(), package.clone()]);
        }
        flags.extend(options.args.iter().cloned());
        flags
    }

    /// Runs the scenario. `rerun` is the command that runs it alone.
    pub fn run(&self, rerun: &str) -> Outcome {
        if self.resolver_options.universal {
            // packse_universal.rs runs these with `--universal` and judges them.
            return Outcome::Skipped("universal: see the `packse universal:` line".to_string());
        }
        let (packages, options) = match (self.test_packages(), self.server_options()) {
            (Ok(packages), Ok(options)) => (packages, options),
            (Err(error), _) | (_, Err(error)) => {
                return Outcome::Failed(format!("{}: bad scenario: {error}", self.name));
            }
        };
        let server = TestIndex::start(packages, options);
        let expand = |text: &str| expand_placeholders(text, &server);
        let project = Project::new();
        for (name, content) in &self.files {
            project.write(name, &expand(content));
        }
        if !self.find_links.is_empty() {
            let wheels = project.path().join("wheels");
            let copied = std::fs::create_dir_all(&wheels).is_ok()
                && self.find_links.iter().all(|file| {
                    server
                        .file_bytes(file)
                        .is_some_and(|bytes| std::fs::write(wheels.join(file), bytes).is_ok())
                });
            if !copied {
                return Outcome::Failed(format!(
                    "{}: bad scenario: cannot copy {:?} into ./wheels",
                    self.name, self.find_links
                ));
            }
        }
        let requirements = self.root.requirements_in.clone().unwrap_or_else(|| {
            self.root
                .requires
                .iter()
                .map(|line| format!("{line}\n"))
                .collect()
        });
        project.write("requirements.in", &expand(&requirements));
        let mut flags: Vec<String> = self.flags().iter().map(|flag| expand(flag)).collect();
        let extra_server = match self
            .extra_index
            .as_ref()
            .map(|extra| test_packages(&extra.packages))
        {
            None => None,
            Some(Ok(packages)) => Some(TestIndex::start(packages, options)),
            Some(Err(error)) => {
                return Outcome::Failed(format!("{}: bad scenario: {error}", self.name));
            }
        };
        if let Some(extra) = &extra_server {
            flags.extend(["--extra-index-url".to_string(), extra.index_url()]);
        }
        let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
        args.push("--no-header");
        if !self.expected.annotate {
            args.push("--no-annotate");
        }
        args.push("requirements.in");
        let run = project.resolve(&server, &args);
        let code = run.output.status.code();
        let output =
            std::fs::read_to_string(project.path().join("requirements.txt")).unwrap_or_default();
        let fail = |what: String| {
            Outcome::Failed(format!(
                "{}: {what}\n  description: {}\n  why: {}\n  command: {}\n  stdout: {}\n  stderr: {}\n  output file:\n{output}\n  rerun alone: {rerun}",
                self.name,
                self.description.as_deref().unwrap_or_default(),
                self.expected.explanation.as_deref().unwrap_or_default(),
                run.command,
                run.stdout.trim(),
                run.stderr.trim()
            ))
        };
        if !self.expected.satisfiable {
            if code != Some(1) {
                return fail(format!("expected no solution (exit 1), got exit {code:?}"));
            }
            if let Some(missing) = self
                .expected
                .contains
                .iter()
                .map(|text| expand(text))
                .find(|text| !run.stderr.contains(text.as_str()))
            {
                return fail(format!("expected the explanation to contain `{missing}`"));
            }
            if let Some(present) = self
                .expected
                .excludes
                .iter()
                .map(|text| expand(text))
                .find(|text| run.stderr.contains(text.as_str()))
            {
                return fail(format!(
                    "expected the explanation not to contain `{present}`"
                ));
            }
            return Outcome::Passed;
        }
        if code != Some(0) {
            return fail(format!(
                "expected a resolution with {:?}, got exit {code:?}",
                self.expected.packages
            ));
        }
        let pins = pin_map(&output);
        if !self.expected.packages.is_empty() {
            let expected: BTreeMap<String, String> = self
                .expected
                .packages
                .iter()
                .map(|(name, version)| (normalize(name), version.clone()))
                .collect();
            if pins != expected {
                return fail(format!("expected pins {expected:?}, got {pins:?}"));
            }
        }
        if let Some(missing) = self
            .expected
            .contains
            .iter()
            .map(|text| expand(text))
            .find(|text| !output.contains(text.as_str()))
        {
            return fail(format!("expected the output to contain `{missing}`"));
        }
        if let Some(present) = self
            .expected
            .excludes
            .iter()
            .map(|text| expand(text))
            .find(|text| output.contains(text.as_str()))
        {
            return fail(format!("expected the output not to contain `{present}`"));
        }
        Outcome::Passed
    }
}

/// Replaces `{index}`, `{files}` and `{sha256:FILE}` with the running index's values.
fn expand_placeholders(text: &str, server: &TestIndex) -> String {
    let mut out = text
        .replace("{index}", &server.index_url())
        .replace("{files}", &server.files_dir_url());
    while let Some(start) = out.find("{sha256:") {
        let Some(length) = out[start..].find('}') else {
            break;
        };
        let file = out[start + "{sha256:".len()..start + length].to_string();
        let digest = server
            .sha256_of(&file)
            .unwrap_or_else(|| format!("<no file {file}>"));
        out.replace_range(start..=start + length, &digest);
    }
    out
}

fn sdist_kind(kind: Option<&str>) -> Result<SdistKind, String> {
    Ok(match kind {
        None | Some("pkg-info") => SdistKind::PkgInfo22,
        Some("pyproject") => SdistKind::PyprojectStatic,
        Some("egg-info") => SdistKind::EggInfoRequires,
        Some("dynamic") => SdistKind::Dynamic,
        Some("setup-py") => SdistKind::SetupPy,
        Some("setup-py-computed") => SdistKind::SetupPyComputed,
        Some("in-tree-backend") => SdistKind::InTreeBackend,
        Some("failing-backend") => SdistKind::FailingBackend,
        Some(other) => return Err(format!("unknown sdist_kind `{other}`")),
    })
}

/// `req` (maybe with a marker) restricted to `extra`.
fn with_extra_marker(requirement: &str, extra: &str) -> String {
    match requirement.split_once(';') {
        Some((requirement, marker)) => format!(
            "{} ; ({}) and extra == \"{extra}\"",
            requirement.trim(),
            marker.trim()
        ),
        None => format!("{requirement} ; extra == \"{extra}\""),
    }
}

/// PEP 503 normalisation.
fn normalize(name: &str) -> String {
    let mut out = String::new();
    let mut previous_separator = false;
    for character in name.chars() {
        if matches!(character, '-' | '_' | '.') {
            if !previous_separator {
                out.push('-');
            }
            previous_separator = true;
        } else {
            out.extend(character.to_lowercase());
            previous_separator = false;
        }
    }
    out
}

/// Name → version of each pin in a requirements file (extras dropped).
fn pin_map(text: &str) -> BTreeMap<String, String> {
    crate::pins(text)
        .iter()
        .filter_map(|pin| {
            let (name, version) = pin.split_once("==")?;
            let name = name.split('[').next().unwrap_or(name);
            Some((normalize(name), version.trim().to_string()))
        })
        .collect()
}

/// An expectation that replaces a scenario file's own, because the rule the file encodes has
/// changed since the file was written (the file stays as published).
pub struct UpdatedExpectation {
    /// The scenario's name.
    pub name: &'static str,
    /// Whether a resolution exists under the current rule.
    pub satisfiable: bool,
    /// The exact pins (name, version) under the current rule.
    pub packages: &'static [(&'static str, &'static str)],
    /// Which rule changed, and why the new outcome follows from it.
    pub reason: &'static str,
}

impl UpdatedExpectation {
    /// Puts this expectation in place of the file's. An update that matches the file already is
    /// an error: the list must not outlive the files it corrects.
    fn apply(&self, scenario: &mut Scenario) -> Result<(), String> {
        let packages: BTreeMap<String, String> = self
            .packages
            .iter()
            .map(|(name, version)| ((*name).to_string(), (*version).to_string()))
            .collect();
        if scenario.expected.satisfiable == self.satisfiable
            && scenario.expected.packages == packages
        {
            return Err(format!(
                "{}: the file already expects the updated outcome: remove its updated expectation",
                self.name
            ));
        }
        scenario.expected.satisfiable = self.satisfiable;
        scenario.expected.packages = packages;
        // The file's text (what stderr must contain, why) was about the old outcome.
        scenario.expected.contains.clear();
        scenario.expected.excludes.clear();
        scenario.expected.explanation = Some(self.reason.to_string());
        Ok(())
    }
}

/// What a run of many scenarios found.
#[derive(Default)]
pub struct Summary {
    /// How many passed.
    pub passed: usize,
    /// The skipped ones, each with why.
    pub skipped: Vec<String>,
    /// The failures, each a full report.
    pub failures: Vec<String>,
    /// The scenarios run with an updated expectation, each with the reason.
    pub updated: Vec<String>,
}

/// Runs every scenario in `files`, or only the one named by `$PINWHEEL_SCENARIO`.
/// `deviations` lists scenarios whose failure is expected, with why; `updates` replaces the
/// expectations of scenarios whose files predate a rule pinwheel follows. Every update must
/// name a scenario of `files` (when all of them run).
pub fn run_all(
    files: &[PathBuf],
    rerun_prefix: &str,
    deviations: &[(&str, &str)],
    updates: &[UpdatedExpectation],
) -> Summary {
    let only = crate::support::skips::scenario_filter();
    let mut summary = Summary::default();
    let mut seen = Vec::new();
    for file in files {
        let mut scenario = match load(file) {
            Ok(scenario) => scenario,
            Err(error) => {
                summary.failures.push(error);
                continue;
            }
        };
        seen.push(scenario.name.clone());
        if only.as_deref().is_some_and(|only| only != scenario.name) {
            continue;
        }
        if let Some(update) = updates.iter().find(|update| update.name == scenario.name) {
            if let Err(error) = update.apply(&mut scenario) {
                summary.failures.push(error);
                continue;
            }
            summary
                .updated
                .push(format!("{} ({})", scenario.name, update.reason));
        }
        let rerun = format!("PINWHEEL_SCENARIO={} {rerun_prefix}", scenario.name);
        let deviation = deviations.iter().find(|(name, _)| *name == scenario.name);
        match (scenario.run(&rerun), deviation) {
            (Outcome::Passed, None) => summary.passed += 1,
            (Outcome::Passed, Some(_)) => summary.failures.push(format!(
                "{}: listed as a deviation but passes: remove it from the list",
                scenario.name
            )),
            (Outcome::Skipped(reason), _) => summary
                .skipped
                .push(format!("{} ({reason})", scenario.name)),
            (Outcome::Failed(_), Some((_, reason))) => summary.skipped.push(format!(
                "{} (documented deviation: {reason})",
                scenario.name
            )),
            (Outcome::Failed(message), None) => summary.failures.push(message),
        }
    }
    for update in updates {
        if !seen.iter().any(|name| name == update.name) {
            summary.failures.push(format!(
                "{}: has an updated expectation but no scenario file: remove it from the list",
                update.name
            ));
        }
    }
    summary
}
