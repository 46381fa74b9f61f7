//! `pinwheel resolve --each`: many inputs, each to its own output, in parallel over one cache
//! and one HTTP client, with a summary table.
//!
//! Inputs whose `-r`/`-c` lines name another input's output (a layered `dev.in` with
//! `-c api.txt`) are compiled after that input, in waves; the files of a wave run concurrently.
//! With `--consistent`, the union of all inputs is resolved first and its versions become every
//! file's preferred versions, so a package shared by several outputs gets one version; any that
//! still differ are reported and fail the run.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal as _;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use futures::future::join_all;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::args::ResolveArgs;
use super::diagnostics::{Failure, describe, exit_code};
use super::pipeline::{Compiled, RunState, compile, resolve_union};
use super::settings::{Compilation, default_output, settle_options};
use super::units::format_size;
use crate::types::{PackageName, Version};

/// One input's result.
struct Row {
    source: PathBuf,
    output: PathBuf,
    elapsed: Duration,
    outcome: Result<Compiled, String>,
    /// The exit code a single run of this file would have ended with.
    code: u8,
    /// `--consistent` found versions that differ from another output's.
    inconsistent: Vec<String>,
}

/// Runs `--each` and returns the exit code: 0 when every file compiled (and, with
/// `--consistent`, agrees); else the highest code a single run of a failed file would have
/// given: 2 when an input could not be read or the command itself is unusable, 1 when the
/// failures are all "no solution" (or inconsistencies).
pub async fn run(args: &ResolveArgs, started: Instant) -> ExitCode {
    let sources = args.src_files.clone();
    if sources.is_empty() {
        return super::diagnostics::report(&Failure::Error(anyhow::anyhow!(
            "`--each` needs input files: `pinwheel resolve --each requirements/*.in`"
        )));
    }
    if let Some(stdin) = sources.iter().find(|source| source.as_os_str() == "-") {
        return super::diagnostics::report(&Failure::Error(anyhow::anyhow!(
            "`--each` cannot read `{}` (stdin): every input needs its own output file",
            stdin.display()
        )));
    }
    let state = RunState::default();
    let waves = match waves(&sources) {
        Ok(waves) => waves,
        Err(error) => return super::diagnostics::report(&Failure::Error(error)),
    };
    let preferences = if args.consistent {
        let first = sources.get(..1).unwrap_or_default();
        let union = match settle_options(args, first) {
            Ok(options) => resolve_union(&options, &sources, &state, args.quiet).await,
            Err(error) => Err(Failure::from(error)),
        };
        match union {
            Ok(union) => Some(union),
            Err(failure) => {
                eprintln!("error: --consistent: the inputs cannot share one set of versions");
                return super::diagnostics::report(&failure);
            }
        }
    } else {
        None
    };
    let bars = Bars::new(args.quiet);
    let mut rows: Vec<Row> = Vec::new();
    for wave in waves {
        let jobs = wave.into_iter().map(|source| {
            let bar = bars.add(&source);
            let (state, preferences, bars) = (&state, preferences.as_ref(), &bars);
            async move {
                let begun = Instant::now();
                let result = compile_one(args, &source, state, preferences, begun).await;
                let code = result.as_ref().err().map_or(0, exit_code);
                let outcome = result.map_err(|failure| describe(&failure));
                bars.finish(bar, &outcome, begun.elapsed());
                Row {
                    output: default_output(&source),
                    source,
                    elapsed: begun.elapsed(),
                    outcome,
                    code,
                    inconsistent: Vec::new(),
                }
            }
        });
        rows.extend(join_all(jobs).await);
    }
    drop(bars);
    if args.consistent {
        mark_inconsistencies(&mut rows);
    }
    let failed = rows
        .iter()
        .filter(|row| row.outcome.is_err() || !row.inconsistent.is_empty())
        .count();
    if !args.quiet {
        eprint!("{}", summary_table(&rows));
        eprintln!(
            "{} files, {failed} failed, in {} ms",
            rows.len(),
            started.elapsed().as_millis()
        );
        for row in &rows {
            if let Err(message) = &row.outcome {
                eprintln!("\n{}: {message}", row.source.display());
            }
            for difference in &row.inconsistent {
                eprintln!("\n{}: {difference}", row.source.display());
            }
        }
    }
    let code = rows
        .iter()
        .map(|row| {
            if row.inconsistent.is_empty() {
                row.code
            } else {
                row.code.max(1)
            }
        })
        .max()
        .unwrap_or(0);
    ExitCode::from(code)
}

/// Settles the compilation of one input file (its own configuration included), then runs the
/// pipeline on it.
async fn compile_one(
    args: &ResolveArgs,
    source: &Path,
    state: &RunState,
    preferences: Option<&HashMap<PackageName, Version>>,
    started: Instant,
) -> Result<Compiled, Failure> {
    let compilation = Compilation::settle(args, &[source.to_path_buf()])?;
    compile(&compilation, state, preferences, started).await
}

/// Groups `sources` into waves: a file comes after every file whose output it names in a
/// `-r`/`-c` line.
fn waves(sources: &[PathBuf]) -> anyhow::Result<Vec<Vec<PathBuf>>> {
    let outputs: HashMap<PathBuf, usize> = sources
        .iter()
        .enumerate()
        .map(|(index, source)| (normalized(&default_output(source)), index))
        .collect();
    let needs: Vec<Vec<usize>> = sources
        .iter()
        .map(|source| {
            included_paths(source)
                .iter()
                .filter_map(|path| outputs.get(&normalized(path)).copied())
                .collect()
        })
        .collect();
    let mut done = vec![false; sources.len()];
    let mut waves = Vec::new();
    while done.iter().any(|finished| !finished) {
        let ready: Vec<usize> = (0..sources.len())
            .filter(|&index| !done[index] && needs[index].iter().all(|&need| done[need]))
            .collect();
        if ready.is_empty() {
            let stuck: Vec<String> = (0..sources.len())
                .filter(|&index| !done[index])
                .map(|index| sources[index].display().to_string())
                .collect();
            anyhow::bail!(
                "these inputs include each other's outputs in a cycle: {}",
                stuck.join(", ")
            );
        }
        for &index in &ready {
            done[index] = true;
        }
        waves.push(
            ready
                .into_iter()
                .map(|index| sources[index].clone())
                .collect(),
        );
    }
    Ok(waves)
}

/// The paths a requirements file names with `-r`/`-c` (and their long forms), relative to the
/// file's directory. A cheap textual scan: the real parse happens when the file is compiled.
fn included_paths(source: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(source) else {
        return Vec::new();
    };
    let directory = source.parent().unwrap_or(Path::new(""));
    text.lines()
        .filter_map(|line| {
            let line = line.split(" #").next().unwrap_or(line).trim();
            ["-r", "-c", "--requirement", "--constraint"]
                .iter()
                .find_map(|flag| {
                    let rest = line.strip_prefix(flag)?;
                    let rest = rest.strip_prefix('=').unwrap_or(rest);
                    (rest.starts_with(char::is_whitespace) || line.contains('='))
                        .then(|| rest.trim())
                })
                .filter(|path| !path.is_empty())
                .map(|path| directory.join(path))
        })
        .collect()
}

/// `path` made absolute and without `.`/`..` components, without touching the file system
/// (outputs may not exist yet).
fn normalized(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Records, per row, the shared packages whose version differs from another output's.
fn mark_inconsistencies(rows: &mut [Row]) {
    let mut versions: BTreeMap<PackageName, Vec<(usize, Version)>> = BTreeMap::new();
    for (index, row) in rows.iter().enumerate() {
        if let Ok(compiled) = &row.outcome {
            for pin in &compiled.resolution.pins {
                versions
                    .entry(pin.name.clone())
                    .or_default()
                    .push((index, pin.version.clone()));
            }
        }
    }
    for (name, seen) in versions {
        let Some((_, first)) = seen.first() else {
            continue;
        };
        if seen.iter().all(|(_, version)| version == first) {
            continue;
        }
        let listing: Vec<String> = seen
            .iter()
            .map(|(index, version)| format!("{version} in {}", rows[*index].output.display()))
            .collect();
        for (index, _) in &seen {
            rows[*index].inconsistent.push(format!(
                "`{name}` differs between outputs: {}",
                listing.join(", ")
            ));
        }
    }
}

/// The summary: file, packages, size, time, status.
fn summary_table(rows: &[Row]) -> String {
    let mut lines = vec![[
        "file".to_string(),
        "packages".to_string(),
        "size".to_string(),
        "time".to_string(),
        "status".to_string(),
    ]];
    for row in rows {
        let (packages, size, status) = match &row.outcome {
            Ok(compiled) if row.inconsistent.is_empty() => (
                compiled.pins.to_string(),
                format_size(compiled.bytes as u64),
                format!("ok → {}", row.output.display()),
            ),
            Ok(compiled) => (
                compiled.pins.to_string(),
                format_size(compiled.bytes as u64),
                "inconsistent".to_string(),
            ),
            Err(message) => (
                "-".to_string(),
                "-".to_string(),
                format!(
                    "failed: {}",
                    message
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .trim_start_matches("error: ")
                ),
            ),
        };
        lines.push([
            row.source.display().to_string(),
            packages,
            size,
            format!("{:.2} s", row.elapsed.as_secs_f64()),
            status,
        ]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|column| {
            lines
                .iter()
                .map(|line| line[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in &lines {
        out.push_str(&format!(
            "{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {}\n",
            line[0],
            line[1],
            line[2],
            line[3],
            line[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        ));
    }
    out
}

/// One progress line per file, on a terminal only.
struct Bars {
    multi: Option<MultiProgress>,
}

impl Bars {
    fn new(quiet: bool) -> Self {
        let wanted = !quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        Self {
            multi: wanted.then(MultiProgress::new),
        }
    }

    fn add(&self, source: &Path) -> Option<ProgressBar> {
        let multi = self.multi.as_ref()?;
        let bar = multi.add(ProgressBar::new_spinner());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {prefix}  {msg} {elapsed}") {
            bar.set_style(style);
        }
        bar.set_prefix(source.display().to_string());
        bar.set_message("resolving");
        bar.enable_steady_tick(Duration::from_millis(100));
        Some(bar)
    }

    fn finish(&self, bar: Option<ProgressBar>, outcome: &Result<Compiled, String>, took: Duration) {
        let Some(bar) = bar else {
            return;
        };
        let message = match outcome {
            Ok(compiled) => format!("{} packages in {:.2} s", compiled.pins, took.as_secs_f64()),
            Err(_) => "failed".to_string(),
        };
        bar.finish_with_message(message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layered_inputs_come_after_the_outputs_they_include() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let api = write("api.in", "fastapi\n");
        let worker = write("worker.in", "celery\n");
        let dev = write("dev.in", "-c api.txt\n-r ./worker.txt # both\npytest\n");
        let waves = waves(&[dev.clone(), api.clone(), worker.clone()]).unwrap();
        assert_eq!(waves, vec![vec![api, worker], vec![dev]]);
    }

    #[test]
    fn cycles_through_outputs_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.in");
        let b = dir.path().join("b.in");
        std::fs::write(&a, "-c b.txt\n").unwrap();
        std::fs::write(&b, "-c a.txt\n").unwrap();
        let error = waves(&[a, b]).unwrap_err().to_string();
        assert!(error.contains("cycle"), "{error}");
    }
}
