//! The resolver against an oracle (issue 16): random registries, resolved by the real solver
//! over the in-memory source, every solution checked against the rules, and every "no
//! solution" confirmed by an exhaustive search (see `model` for why not a SAT solver).
//!
//! Case `n` is generated from seed `n` alone, so a failure names the one number that replays
//! it: `PINWHEEL_ORACLE_SEED=n cargo test --lib oracle`. `PINWHEEL_ORACLE_CASES` changes how
//! many seeds run (default [`DEFAULT_CASES`]), `PINWHEEL_ORACLE_FIRST` where they start.
//!
//! Checked: validity (each applying requirement and constraint met, one version per package,
//! the yanked, prerelease-mode, wheel-tag and Requires-Python rules, no unreachable pin, the
//! extras pinned are those required) and existence (the resolver finds a solution exactly
//! when one exists). Not checked: which solution; "newest versions" and "final releases
//! before prereleases" are orders of the search, not rules a solution breaks.
//!
//! Found so far: a requirement of a package on itself (`e<2` in e 2.0) confused PubGrub
//! into leaving a required package out (12 of the first 5,000 seeds, seed 104 the first);
//! see `a_version_whose_requirements_exclude_itself_is_not_chosen`.

mod generate;
mod model;
mod self_tests;

use std::panic::AssertUnwindSafe;

use model::{Chosen, Registry, check, describe_assignment, find_solution};

use super::*;

/// How many registries a plain `cargo test` runs.
const DEFAULT_CASES: u64 = 5_000;

/// How many disagreements are shown in full when the test fails.
const SHOWN: usize = 3;

/// What the resolver answered for one registry.
enum Answer {
    Solved(Vec<Chosen>),
    NoSolution(String),
    /// Any other error, or a panic: always a bug here (the source never fails).
    Failed(String),
}

/// How a case ended when the resolver and the oracle agree.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Agreement {
    Solved,
    NoSolution,
}

#[test]
fn the_resolver_agrees_with_an_exhaustive_oracle() {
    let seeds = seeds();
    let runtime = runtime();
    let (mut solved, mut unsolvable, mut largest_search) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for seed in seeds.clone() {
        match case(&runtime, seed) {
            Ok((Agreement::Solved, nodes)) => {
                solved += 1;
                largest_search = largest_search.max(nodes);
            }
            Ok((Agreement::NoSolution, nodes)) => {
                unsolvable += 1;
                largest_search = largest_search.max(nodes);
            }
            Err(report) => disagreements.push(report),
        }
    }
    let total = seeds.end - seeds.start;
    eprintln!(
        "oracle: {total} registries (seeds {}..{}), {solved} solved, {unsolvable} without solution, {} disagreements; the largest search looked at {largest_search} assignments",
        seeds.start,
        seeds.end,
        disagreements.len(),
    );
    let headlines: Vec<&str> = disagreements
        .iter()
        .filter_map(|report| report.lines().next())
        .collect();
    let shown = SHOWN.min(disagreements.len());
    assert!(
        disagreements.is_empty(),
        "{} of {total} registries disagree:\n{}\n\nthe first {shown} in full:\n\n{}",
        disagreements.len(),
        headlines.join("\n"),
        disagreements[..shown].join("\n\n"),
    );
}

/// The seeds to run, from the environment.
fn seeds() -> std::ops::Range<u64> {
    let number = |name: &str| {
        std::env::var(name).ok().map(|text| {
            let text = text.trim();
            let parsed = match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name}={text} is not a number"))
        })
    };
    if let Some(seed) = number("PINWHEEL_ORACLE_SEED") {
        return seed..seed + 1;
    }
    let first = number("PINWHEEL_ORACLE_FIRST").unwrap_or(0);
    first..first + number("PINWHEEL_ORACLE_CASES").unwrap_or(DEFAULT_CASES)
}

/// One runtime for every case: building one per resolve would cost more than the resolve.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Generates, resolves and judges the registry of `seed`; `Err` is a full report.
fn case(runtime: &tokio::runtime::Runtime, seed: u64) -> Result<(Agreement, u64), String> {
    let registry = generate::registry(seed);
    let (oracle, nodes) = find_solution(&registry);
    let fail = |problem: String| report(seed, &registry, &problem);
    match resolve_with_pinwheel(runtime, &registry) {
        Answer::Solved(pins) => {
            check(&registry, &pins).map_err(|why| {
                fail(format!(
                    "pinwheel's solution breaks a rule: {why}\npinwheel chose: {}",
                    describe_pins(&pins)
                ))
            })?;
            // The checker accepted a solution, so the search must find one: if not, the
            // model is inconsistent with itself.
            if oracle.is_none() {
                return Err(fail(format!(
                    "the checker accepts pinwheel's solution but the search finds none: {}",
                    describe_pins(&pins)
                )));
            }
            Ok((Agreement::Solved, nodes))
        }
        Answer::NoSolution(explanation) => match oracle {
            Some(assignment) => Err(fail(format!(
                "pinwheel found no solution, but this one meets every rule: {}\npinwheel said: {explanation}",
                describe_assignment(&registry, &assignment)
            ))),
            None => Ok((Agreement::NoSolution, nodes)),
        },
        Answer::Failed(error) => Err(fail(format!("pinwheel failed: {error}"))),
    }
}

/// Runs the real resolver (solver thread, fetch loop, in-memory source) on `registry`.
fn resolve_with_pinwheel(runtime: &tokio::runtime::Runtime, registry: &Registry) -> Answer {
    let rendered = generate::render(registry);
    let source = Arc::new(MemorySource::new(rendered.dists()));
    let roots: Vec<String> = registry
        .roots
        .iter()
        .map(|root| root.text(registry))
        .collect();
    let constraints: Vec<String> = registry
        .constraints
        .iter()
        .map(|line| line.text(registry))
        .collect();
    let manifest = manifest(&as_strs(&roots), &as_strs(&constraints));
    let options = ResolveOptions {
        selection: SelectionOptions {
            prerelease: registry.prerelease,
            ..SelectionOptions::default()
        },
        strategy: registry.strategy,
        ..ResolveOptions::default()
    };
    let target = linux_312();
    // A panic on the solver thread reaches here through `drive`: caught, it becomes a report
    // with the seed instead of ending the whole run.
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        runtime.block_on(async {
            // Not a timing: a bound on a hang, so that one fails instead of blocking the suite.
            tokio::time::timeout(
                std::time::Duration::from_secs(120),
                resolve(&manifest, &target, &options, source),
            )
            .await
        })
    }));
    match outcome {
        Err(panic) => Answer::Failed(format!("panicked: {}", panic_text(panic.as_ref()))),
        Ok(Err(_)) => Answer::Failed("no answer in 120 s".to_string()),
        Ok(Ok(Ok(resolution))) => Answer::Solved(chosen(&resolution)),
        Ok(Ok(Err(error))) if error.is_no_solution() => Answer::NoSolution(error.to_string()),
        Ok(Ok(Err(error))) => Answer::Failed(error.to_string()),
    }
}

fn as_strs(lines: &[String]) -> Vec<&str> {
    lines.iter().map(String::as_str).collect()
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(ToString::to_string))
        .unwrap_or_else(|| "(no message)".to_string())
}

/// The resolution's pins in the model's terms.
fn chosen(resolution: &Resolution) -> Vec<Chosen> {
    resolution
        .pins
        .iter()
        .map(|pin| Chosen {
            name: pin.name.to_string(),
            version: pin.version.clone(),
            extras: pin.extras.iter().map(ToString::to_string).collect(),
        })
        .collect()
}

fn describe_pins(pins: &[Chosen]) -> String {
    let pins: Vec<String> = pins
        .iter()
        .map(|pin| {
            let extras: Vec<&str> = pin.extras.iter().map(String::as_str).collect();
            match extras.as_slice() {
                [] => format!("{}=={}", pin.name, pin.version),
                _ => format!("{}[{}]=={}", pin.name, extras.join(","), pin.version),
            }
        })
        .collect();
    pins.join(", ")
}

/// A failure report: the problem, how to replay it, and the whole registry.
fn report(seed: u64, registry: &Registry, problem: &str) -> String {
    let mut text = format!(
        "seed {seed}: {problem}\nreplay: PINWHEEL_ORACLE_SEED={seed} cargo test --lib oracle\n"
    );
    text.push_str(&generate::describe(registry));
    text
}
