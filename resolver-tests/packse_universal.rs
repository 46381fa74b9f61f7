//! The packse universal scenarios (`resolver_options.universal = true` in
//! `../shared/packse-scenarios/`), run with `pinwheel resolve --universal` and judged against
//! uv's own lock snapshots (`../shared/packse-reference/universal-pins.json`, or
//! `$PINWHEEL_PACKSE_REFERENCE`) by `universal_judge`.
//!
//! Each scenario's root becomes a `pyproject.toml` input (`[project] dependencies` and
//! `requires-python`). Its `requires-python` is the root's own, else `>=3.12`: uv's snapshots
//! lock every scenario that names none with `requires-python = ">=3.12"` (its tests run them
//! on 3.12, whatever packse's older default of 3.8 says).
//!
//! What the reference says, per scenario:
//! - `locked`: these pins, each in its forks; pinwheel's lock must have the same package
//!   versions and install the same ones in every environment of the judge's grid;
//! - not locked, yet uv's fresh lock succeeded (`preferences-dependent-forking-conflicting`,
//!   whose files call it unsatisfiable because a *second* lock, seeded with the first one's
//!   preferences, fails): a resolution exists but is not recorded, so pinwheel's lock is judged
//!   on being a consistent installation everywhere;
//! - otherwise no resolution: pinwheel must exit 1 with an explanation.
//!
//! A lock that passes is then re-locked (the same command, its output file now present): the
//! second run must write the same file, as uv's tests check with `uv lock --locked`.
//!
//! Until pinwheel has `--universal`, a run that refuses the flag is reported skipped, saying so.
//! `PINWHEEL_UNIVERSAL_ORACLE_UV=/path/to/uv` runs uv's `pip compile --universal` instead, to
//! check the runner and the judge against the tool the reference comes from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep508_rs::pep440_rs::VersionSpecifiers;
use serde::Deserialize;

use crate::Project;
use crate::scenario::{Scenario, load, scenario_files, test_packages};
use crate::support::bounded::Bounded as _;
use crate::support::{ServerOptions, TestIndex};
use crate::universal_judge::{Graph, Reference, ReferencePin, judge, parse_lock};

/// Scenarios whose failure is known, with the reason. A listed scenario that passes fails the
/// test, so the list shrinks as the engine catches up.
const DEVIATIONS: &[(&str, &str)] = &[(
    "wrong-backtracking-indirect",
    "pinwheel locks a==1.0.0, b-inner==2.0.9 (b-inner prioritised over a, what the \
         scenario's description asks for); uv's snapshot keeps a==2.0.0 and backtracks b-inner \
         to 1.0.0 with too-old==1.0.0; both locks are valid",
)];

/// The lock's `requires-python` when the root names none (uv's snapshots use it throughout).
const DEFAULT_REQUIRES_PYTHON: &str = ">=3.12";

/// How many universal scenarios pass today (issue 15 asked for at least 39): the guard is the
/// real count, so a scenario that stops running fails it.
const UNIVERSAL_PASSING: usize = 40;

/// One scenario in `universal-pins.json`.
#[derive(Debug, Deserialize)]
struct Entry {
    /// Whether uv's snapshot has a lock.
    locked: bool,
    /// Whether uv's first `uv lock` succeeded.
    #[serde(default)]
    fresh_lock_exit_0: Option<bool>,
    /// The locked package versions (names with the scenario's prefix).
    #[serde(default)]
    pins: Vec<EntryPin>,
}

#[derive(Debug, Deserialize)]
struct EntryPin {
    name: String,
    version: String,
    /// The forks it was resolved in (their OR; none is all of them).
    markers: Vec<String>,
}

/// What pinwheel must do for one scenario.
enum Expectation {
    Resolve(Reference),
    NoSolution,
}

/// What one scenario gave.
enum Outcome {
    Passed,
    Skipped(String),
    Failed(String),
}

impl Entry {
    fn expectation(&self, scenario: &str) -> Result<Expectation, String> {
        if !self.locked {
            return Ok(if self.fresh_lock_exit_0 == Some(true) {
                Expectation::Resolve(Reference::Consistent)
            } else {
                Expectation::NoSolution
            });
        }
        // The index serves the scenario's own names, without packse's prefix.
        let prefix = format!("{scenario}-");
        let pins = self
            .pins
            .iter()
            .map(|pin| {
                let name = pin.name.strip_prefix(&prefix).ok_or_else(|| {
                    format!("reference pin `{}` lacks the prefix `{prefix}`", pin.name)
                })?;
                ReferencePin::new(name, &pin.version, &pin.markers)
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Expectation::Resolve(Reference::Pins(pins)))
    }
}

/// The `pyproject.toml` of a scenario's root.
fn pyproject(scenario: &Scenario, requires_python: &str) -> String {
    let dependencies: String = scenario
        .root
        .requires
        .iter()
        .map(|line| format!("  {},\n", toml::Value::String(line.clone())))
        .collect();
    format!(
        "[project]\nname = \"project\"\nversion = \"0.1.0\"\nrequires-python = {}\ndependencies = [\n{dependencies}]\n",
        toml::Value::String(requires_python.to_string())
    )
}

/// Runs one universal scenario and judges it.
fn run(scenario: &Scenario, entry: &Entry, rerun: &str) -> Outcome {
    let name = &scenario.name;
    let expectation = match entry.expectation(name) {
        Ok(expectation) => expectation,
        Err(error) => return Outcome::Failed(format!("{name}: bad reference: {error}")),
    };
    let requires_python_text = scenario
        .root
        .requires_python
        .clone()
        .unwrap_or_else(|| DEFAULT_REQUIRES_PYTHON.to_string());
    let (requires_python, graph, packages) = match (
        VersionSpecifiers::from_str(&requires_python_text).map_err(|error| error.to_string()),
        Graph::new(&scenario.root.requires, &scenario.packages),
        test_packages(&scenario.packages),
    ) {
        (Ok(requires_python), Ok(graph), Ok(packages)) => (requires_python, graph, packages),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => {
            return Outcome::Failed(format!("{name}: bad scenario: {error}"));
        }
    };
    let server = TestIndex::start(packages, ServerOptions::default());
    let project = Project::new();
    project.write(
        "pyproject.toml",
        &pyproject(scenario, &requires_python_text),
    );
    let mut args: Vec<String> = vec![
        "resolve".into(),
        "--universal".into(),
        "--index-url".into(),
        server.index_url(),
        "--cache-dir".into(),
        project.cache_dir().display().to_string(),
        // With its header: the `# pinwheel: fork` lines there are what a re-lock starts from.
        "--no-annotate".into(),
    ];
    let options = &scenario.resolver_options;
    if options.prereleases {
        args.extend(["--prerelease".into(), "allow".into()]);
    }
    for package in &options.no_build {
        args.extend(["--only-binary".into(), package.clone()]);
    }
    for package in &options.no_binary {
        args.extend(["--no-binary".into(), package.clone()]);
    }
    match required_platforms(&options.required_environments) {
        Ok(platforms) => {
            for platform in platforms {
                args.extend(["--required-platform".into(), platform]);
            }
        }
        Err(why) => return Outcome::Skipped(why),
    }
    args.extend(options.args.iter().cloned());
    args.extend([
        "-o".into(),
        "requirements.txt".into(),
        "pyproject.toml".into(),
    ]);
    let oracle = std::env::var_os("PINWHEEL_UNIVERSAL_ORACLE_UV");
    let invoke = || match &oracle {
        Some(uv) => run_uv(&project, uv, &args, &requires_python_text),
        None => project.run(&args),
    };
    let run = invoke();
    let code = run.output.status.code();
    if code == Some(2) && run.stderr.contains("--universal") && run.stderr.contains("unexpected") {
        return Outcome::Skipped("pinwheel has no `--universal` yet".to_string());
    }
    let output =
        std::fs::read_to_string(project.path().join("requirements.txt")).unwrap_or_default();
    let fail = |what: String| {
        Outcome::Failed(format!(
            "{name}: {what}\n  description: {}\n  command: {}\n  stderr: {}\n  pyproject.toml:\n{}\n  output file:\n{output}\n  rerun alone: {rerun}",
            scenario.description.as_deref().unwrap_or_default().trim(),
            run.command,
            run.stderr.trim(),
            pyproject(scenario, &requires_python_text)
        ))
    };
    let reference = match expectation {
        Expectation::NoSolution => {
            return match code {
                Some(1) if !run.stderr.trim().is_empty() => Outcome::Passed,
                Some(1) => fail(
                    "expected no solution with an explanation, got exit 1 and an empty stderr"
                        .into(),
                ),
                other => fail(format!("expected no solution (exit 1), got exit {other:?}")),
            };
        }
        Expectation::Resolve(reference) => reference,
    };
    if code != Some(0) {
        return fail(format!("expected a resolution, got exit {code:?}"));
    }
    let lock = match parse_lock(&output) {
        Ok(lock) => lock,
        Err(error) => return fail(format!("unreadable output: {error}")),
    };
    if let Err(differences) = judge(&graph, &requires_python, &reference, &lock) {
        return fail(format!("the lock differs from uv's:\n  {differences}"));
    }
    // uv's tests lock twice (`uv lock --locked`): a re-lock that starts from this lock must
    // write it again unchanged (the preferences-dependent-forking scenarios are about this).
    // Not asked of uv's `pip compile`: its requirements.txt keeps no forks, and a re-lock of
    // the four preferences-dependent-forking scenarios changes it.
    if oracle.is_some() {
        return Outcome::Passed;
    }
    let again = invoke();
    let relocked =
        std::fs::read_to_string(project.path().join("requirements.txt")).unwrap_or_default();
    if again.output.status.code() != Some(0) || relocked != output {
        return fail(format!(
            "a re-lock from this lock changed it (exit {:?}):\n{relocked}\n  its stderr: {}",
            again.output.status.code(),
            again.stderr.trim()
        ));
    }
    Outcome::Passed
}

/// pinwheel's `--required-platform` names for uv's `required-environments` markers (one
/// `sys_platform` each, as in the scenarios), or why a marker has none.
fn required_platforms(environments: &[String]) -> Result<Vec<String>, String> {
    environments
        .iter()
        .map(|marker| {
            let value = marker
                .split_once("==")
                .filter(|(variable, _)| variable.trim() == "sys_platform")
                .map(|(_, value)| value.trim().trim_matches(|c| c == '"' || c == '\''));
            match value {
                Some("linux") => Ok("linux".to_string()),
                Some("win32") => Ok("windows".to_string()),
                Some("darwin") => Ok("macos".to_string()),
                _ => Err(format!(
                    "required environment `{marker}` has no --required-platform name"
                )),
            }
        })
        .collect()
}

/// Runs uv's `pip compile --universal` with pinwheel's arguments instead of pinwheel: a check
/// of the runner and the judge against the tool the reference comes from
/// (`PINWHEEL_UNIVERSAL_ORACLE_UV=/path/to/uv`), not a test of pinwheel.
/// uv's `pip compile` takes the lock's lowest Python from `--python-version` (or the
/// interpreter), not from the project's `requires-python`, so the floor is passed as that.
fn run_uv(
    project: &Project,
    uv: &std::ffi::OsStr,
    args: &[String],
    requires_python: &str,
) -> crate::Run {
    let mut uv_args: Vec<String> = vec!["pip".into(), "compile".into()];
    if let Some(floor) = requires_python.strip_prefix(">=") {
        uv_args.extend(["--python-version".into(), floor.trim().to_string()]);
    }
    // `uv pip compile` has no required environments (they are `uv lock`'s).
    let mut rest = args.iter().skip(1);
    while let Some(arg) = rest.next() {
        if arg == "--required-platform" {
            rest.next();
        } else {
            uv_args.push(arg.clone());
        }
    }
    let output = crate::clean_command(uv, project.path())
        .args(&uv_args)
        .env("UV_PYTHON_DOWNLOADS", "never")
        .env("UV_NO_CONFIG", "1")
        .output_bounded()
        .unwrap_or_else(|error| panic!("{}: {error}", uv.to_string_lossy()));
    let mut run = crate::Run::new(output, &uv_args);
    run.command = format!("{} {}", uv.to_string_lossy(), uv_args.join(" "));
    run
}

/// Where the scenarios and the reference are, or why the suite is skipped.
fn locate() -> Result<Option<(PathBuf, PathBuf)>, String> {
    if std::env::var_os("PINWHEEL_SKIP_PACKSE").is_some_and(|skip| skip == "1") {
        return Ok(None);
    }
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let scenarios = std::env::var_os("PINWHEEL_PACKSE_DIR")
        .map_or_else(|| shared.join("packse-scenarios"), PathBuf::from);
    let reference = std::env::var_os("PINWHEEL_PACKSE_REFERENCE").map_or_else(
        || shared.join("packse-reference/universal-pins.json"),
        PathBuf::from,
    );
    for path in [&scenarios, &reference] {
        if !path.exists() {
            return Err(format!(
                "{} is absent: put `shared` beside the worktree, point PINWHEEL_PACKSE_DIR and \
                 PINWHEEL_PACKSE_REFERENCE at the scenarios and universal-pins.json, or set \
                 PINWHEEL_SKIP_PACKSE=1 to skip them",
                path.display()
            ));
        }
    }
    Ok(Some((scenarios, reference)))
}

fn load_reference(path: &Path) -> Result<BTreeMap<String, Entry>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))
}

#[test]
fn packse_universal_scenarios() {
    let (dir, reference_path) = match locate() {
        Ok(Some(found)) => found,
        Ok(None) => {
            crate::support::skips::skip("packse_universal_scenarios", "PINWHEEL_SKIP_PACKSE=1");
            return;
        }
        Err(error) => panic!("{error}"),
    };
    let reference = load_reference(&reference_path).unwrap_or_else(|error| panic!("{error}"));
    let only = crate::support::skips::scenario_filter();
    let (mut passed, mut skipped, mut failures, mut failed_names) =
        (0usize, Vec::new(), Vec::new(), Vec::new());
    let mut seen = Vec::new();
    for file in scenario_files(&dir) {
        let scenario = match load(&file) {
            Ok(scenario) if scenario.resolver_options.universal => scenario,
            Ok(_) => continue,
            Err(error) => {
                failed_names.push(format!("{} (unreadable)", file.display()));
                failures.push(error);
                continue;
            }
        };
        seen.push(scenario.name.clone());
        if only.as_deref().is_some_and(|only| only != scenario.name) {
            continue;
        }
        let Some(entry) = reference.get(&scenario.name) else {
            failed_names.push(format!("{} (not in the reference)", scenario.name));
            failures.push(format!(
                "{}: no entry in {}",
                scenario.name,
                reference_path.display()
            ));
            continue;
        };
        let rerun = format!(
            "PINWHEEL_SCENARIO={} cargo test --release --test resolver-tests packse_universal -- --nocapture",
            scenario.name
        );
        // The deviations are pinwheel's: uv in its place is held to the reference everywhere.
        let deviations = if std::env::var_os("PINWHEEL_UNIVERSAL_ORACLE_UV").is_some() {
            &[]
        } else {
            DEVIATIONS
        };
        let deviation = deviations.iter().find(|(name, _)| *name == scenario.name);
        match (run(&scenario, entry, &rerun), deviation) {
            (Outcome::Passed, None) => passed += 1,
            (Outcome::Passed, Some(_)) => {
                failed_names.push(format!(
                    "{} (listed as a deviation but passes)",
                    scenario.name
                ));
                failures.push(format!(
                    "{}: listed as a deviation but passes: remove it from the list",
                    scenario.name
                ));
            }
            (Outcome::Skipped(reason), _) => skipped.push(format!("{} ({reason})", scenario.name)),
            (Outcome::Failed(_), Some((_, reason))) => {
                skipped.push(format!(
                    "{} (documented deviation: {reason})",
                    scenario.name
                ));
            }
            (Outcome::Failed(message), None) => {
                let first = message.lines().next().unwrap_or_default().to_string();
                failed_names.push(first);
                failures.push(message);
            }
        }
    }
    if only.is_none() {
        for name in reference.keys() {
            if !seen.contains(name) {
                failed_names.push(format!(
                    "{name} (in the reference, no universal scenario file)"
                ));
                failures.push(format!(
                    "{name}: in {} but no universal scenario has that name",
                    reference_path.display()
                ));
            }
        }
    }
    eprintln!(
        "packse universal: {passed} passed, {} failed, {} skipped",
        failures.len(),
        skipped.len()
    );
    for name in &failed_names {
        eprintln!("  failed: {name}");
    }
    for skip in &skipped {
        eprintln!("  skipped: {skip}");
    }
    assert!(
        failures.is_empty(),
        "{} packse universal scenarios failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    // The real count, so that a scenario that stops running cannot pass unseen.
    assert!(
        passed >= UNIVERSAL_PASSING || only.is_some(),
        "only {passed} packse universal scenarios passed in {} (at least {UNIVERSAL_PASSING} expected)",
        dir.display()
    );
}
