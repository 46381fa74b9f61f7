//! pip-compile parity: pinwheel against recorded pip-compile 7.6.2 output.
//!
//! `fixtures/pip-compile-parity/index.toml` is the index state (served on 127.0.0.1), and each
//! directory under `cases/` holds the inputs, a `case.toml` with the flags, and `expected.txt`:
//! what pip-compile wrote for them, with the index URL replaced by `{index}`. The test runs
//! pinwheel on the same inputs at `--python-version 3.11` (the Python pip-compile ran on) and
//! requires everything below the header to be byte-identical, and the header's command line to
//! be pip-compile's with the program name and the target flags swapped.
//!
//! To re-record after changing the fixtures, point `PINWHEEL_RECORD_PIP_COMPILE` at a
//! pip-compile 7.6.2 running on Python 3.11:
//!
//! ```text
//! PINWHEEL_RECORD_PIP_COMPILE=/path/to/venv/bin/pip-compile \
//!     cargo test --release --test resolver-tests parity -- --nocapture
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Project;
use crate::scenario::{Package, test_packages};
use crate::support::bounded::Bounded as _;
use crate::support::{ServerOptions, TestIndex};

/// How many cases there are today: the guard is the real count, so a case that stops running
/// (a directory emptied or renamed) fails it. Raise it when one is added.
const MINIMUM_CASES: usize = 22;

/// The target pip-compile ran on when the cases were recorded.
const TARGET_FLAGS: [&str; 4] = [
    "--python-version",
    "3.11",
    "--python-platform",
    "x86_64-manylinux_2_28",
];

/// The index state shared by every case.
#[derive(Debug, Deserialize)]
struct IndexState {
    packages: BTreeMap<String, Package>,
}

/// One case's `case.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the case shows.
    description: String,
    /// Flags given to both tools (before the sources).
    #[serde(default)]
    args: Vec<String>,
    /// The input files; `requirements.in` when absent.
    #[serde(default = "default_sources")]
    sources: Vec<String>,
    /// A file copied to `requirements.txt` before the run (an existing lock).
    #[serde(default)]
    existing: Option<String>,
    /// Flags given to pip-compile only when recording (removed from the recorded header).
    #[serde(default)]
    record_args: Vec<String>,
    /// The case has a configuration file for both tools to find (otherwise pip-compile is run
    /// with `--no-config`, so that no stray file can change a recording).
    #[serde(default)]
    config: bool,
}

fn default_sources() -> Vec<String> {
    vec!["requirements.in".to_string()]
}

/// Files of a case directory that are not inputs.
const CASE_FILES: [&str; 2] = ["case.toml", "expected.txt"];

/// The output file every case writes.
const OUTPUT: &str = "requirements.txt";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pip-compile-parity")
}

#[test]
fn pinwheel_matches_recorded_pip_compile_output() {
    let dir = fixtures_dir();
    let state: IndexState =
        toml::from_str(&std::fs::read_to_string(dir.join("index.toml")).unwrap()).unwrap();
    let server = TestIndex::start(
        test_packages(&state.packages).unwrap(),
        ServerOptions::default(),
    );
    let recorder = std::env::var_os("PINWHEEL_RECORD_PIP_COMPILE").map(PathBuf::from);
    let mut case_dirs: Vec<PathBuf> = std::fs::read_dir(dir.join("cases"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    case_dirs.sort();
    let mut failures = Vec::new();
    for case_dir in &case_dirs {
        let name = case_dir.file_name().unwrap().to_string_lossy().into_owned();
        let case: Case =
            toml::from_str(&std::fs::read_to_string(case_dir.join("case.toml")).unwrap())
                .unwrap_or_else(|error| panic!("{name}/case.toml: {error}"));
        if let Some(pip_compile) = &recorder {
            record(&server, pip_compile, case_dir, &case);
        }
        if let Err(failure) = compare(&server, case_dir, &case) {
            failures.push(format!("{name} ({}):\n{failure}", case.description));
        }
    }
    eprintln!(
        "pip-compile parity: {} passed, {} failed",
        case_dirs.len() - failures.len(),
        failures.len()
    );
    assert!(
        case_dirs.len() >= MINIMUM_CASES,
        "only {} parity cases found (at least {MINIMUM_CASES} expected)",
        case_dirs.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A fresh project directory holding the case's inputs (and its existing lock, if any).
fn prepare(case_dir: &Path, case: &Case) -> Project {
    let project = Project::new();
    copy_inputs(case_dir, project.path(), case, true);
    if let Some(existing) = &case.existing {
        std::fs::copy(case_dir.join(existing), project.path().join(OUTPUT)).unwrap();
    }
    project
}

/// Copies `from` into `to`, recursively, leaving out the case's own files at the top level.
fn copy_inputs(from: &Path, to: &Path, case: &Case, top_level: bool) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
        let destination = to.join(&file_name);
        if path.is_dir() {
            std::fs::create_dir_all(&destination).unwrap();
            copy_inputs(&path, &destination, case, false);
            continue;
        }
        let case_file =
            CASE_FILES.contains(&file_name.as_str()) || Some(&file_name) == case.existing.as_ref();
        if !(top_level && case_file) {
            std::fs::copy(&path, &destination).unwrap();
        }
    }
}

/// Runs pip-compile on the case and stores its output as `expected.txt`.
fn record(server: &TestIndex, pip_compile: &Path, case_dir: &Path, case: &Case) {
    let project = prepare(case_dir, case);
    let cache = project.path().join("pip-cache");
    let output = crate::clean_command(pip_compile, project.path())
        .args((!case.config).then_some("--no-config"))
        .arg("--cache-dir")
        .arg(&cache)
        .args(["--index-url", &server.index_url()])
        .args(&case.record_args)
        .args(&case.args)
        .args(&case.sources)
        .output_bounded()
        .unwrap();
    assert!(
        output.status.success(),
        "pip-compile failed on {}:\n{}",
        case_dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut text = project.read(OUTPUT).replace(&server.index_url(), "{index}");
    for flag in &case.record_args {
        text = text.replace(&format!(" {flag}"), "");
    }
    std::fs::write(case_dir.join("expected.txt"), text).unwrap();
}

/// Runs pinwheel on the case and compares its output with the recording.
fn compare(server: &TestIndex, case_dir: &Path, case: &Case) -> Result<(), String> {
    let expected = std::fs::read_to_string(case_dir.join("expected.txt"))
        .map_err(|error| format!("no recording: {error}"))?
        .replace("{index}", &server.index_url());
    let project = prepare(case_dir, case);
    let mut args: Vec<String> = vec!["resolve".into(), "--index-url".into(), server.index_url()];
    args.extend(TARGET_FLAGS.iter().map(|flag| (*flag).to_string()));
    args.extend(case.args.iter().cloned());
    args.extend(case.sources.iter().cloned());
    let run = project.run_with_env(
        &args,
        &[(
            "PINWHEEL_CACHE_DIR",
            project.path().join("cache").to_str().unwrap(),
        )],
    );
    if run.output.status.code() != Some(0) {
        return Err(format!(
            "`{}` exited with {:?}\n{}",
            run.command,
            run.output.status.code(),
            run.stderr
        ));
    }
    let actual = project.read(OUTPUT);
    let (expected_command, expected_body) = split_header(&expected);
    let (actual_command, actual_body) = split_header(&actual);
    let actual_command = actual_command.map(|command| as_pip_compile_command(&command));
    let mut problems = Vec::new();
    if expected_command != actual_command {
        problems.push(format!(
            "header command differs:\n  pip-compile: {expected_command:?}\n  pinwheel:    {actual_command:?}"
        ));
    }
    if expected_body != actual_body {
        problems.push(format!(
            "body differs (- pip-compile, + pinwheel):\n{}",
            line_diff(&expected_body, &actual_body)
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The header's command line (without the `#    ` prefix) and everything below the header.
fn split_header(text: &str) -> (Option<String>, String) {
    let mut command = None;
    let mut body_start = 0;
    let mut offset = 0;
    // The header is the leading block of `#` lines, up to and including the second `#` line.
    let mut seen_blank_comment = 0;
    for line in text.split_inclusive('\n') {
        offset += line.len();
        let trimmed = line.trim_end();
        if !trimmed.starts_with('#') {
            break;
        }
        if let Some(rest) = trimmed.strip_prefix("#    ") {
            command = Some(rest.to_string());
        }
        if trimmed == "#" {
            seen_blank_comment += 1;
            if seen_blank_comment == 3 {
                body_start = offset;
                break;
            }
        }
    }
    (command, text[body_start..].to_string())
}

/// pinwheel's header command rewritten as pip-compile's: the program name swapped and the
/// target flags (which pip-compile does not have) removed.
fn as_pip_compile_command(command: &str) -> String {
    let rest = command.strip_prefix("pinwheel resolve").unwrap_or(command);
    let kept: Vec<&str> = rest
        .split_whitespace()
        .filter(|word| {
            !word.starts_with("--python-version=") && !word.starts_with("--python-platform=")
        })
        .collect();
    std::iter::once("pip-compile")
        .chain(kept)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A minimal line diff for failure messages.
fn line_diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(2)
        .to_string()
}
