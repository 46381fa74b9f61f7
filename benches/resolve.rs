//! In-process warm resolves of `benches/data/*.in` from a recorded cache: the solver, the seam,
//! cache reads and page/metadata parsing, with no network.
//!
//! - `jupyter` (~100 pins);
//! - `airflow` (`apache-airflow[all]`, the input of issue 6's targets: ~700 pins and heavy
//!   backtracking). Should an input have no solution for pinwheel, the bench measures the
//!   resolve up to its explained failure, which is what `pinwheel resolve` costs then, and says
//!   so;
//! - `airflow-amazon-postgres` (~160 pins): a large graph that does resolve.
//!
//! The cache lives in `$PINWHEEL_BENCH_CACHE` (default `target/bench-cache`). Before measuring,
//! each bench resolves once with `CacheMode::Offline`; when that fails for want of a cache
//! entry (no cache yet, or one recorded for other inputs) it resolves once with the network to
//! record what is missing, so **the first `cargo bench --bench resolve` needs network access**.
//! Measured iterations are always offline, and `--exclude-newer 2026-11-01T00:00:00Z` keeps the
//! answer stable however old the recording is.
//!
//! Each iteration is one `pinwheel::resolver::resolve` call on a client built once, as in
//! `pinwheel resolve --offline` minus reading the inputs, hashing and writing the output.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use divan::Bencher;
use pinwheel::cache::Cache;
use pinwheel::index::{CacheMode, ClientOptions, IndexClient};
use pinwheel::inputs::{LocalPaths, Manifest, OriginKind, ReadOptions, Variables, read_manifest};
use pinwheel::registry::Registry;
use pinwheel::resolver::{Resolution, ResolveError, ResolveOptions, SelectionOptions};
use pinwheel::target::{Platform, PythonVersion, Target};

fn main() {
    divan::main();
}

/// A resolve takes tens of milliseconds to seconds: ten samples of one iteration each keep a
/// run short while still showing the spread.
#[divan::bench(
    args = ["jupyter", "airflow", "airflow-amazon-postgres"],
    sample_count = 10,
    sample_size = 1
)]
fn warm_resolve(bencher: Bencher, input: &str) {
    let fixture = Fixture::new(input);
    bencher.bench(|| fixture.resolve());
}

/// Everything a resolve needs, built once per input so that iterations measure the resolve.
struct Fixture {
    runtime: tokio::runtime::Runtime,
    manifest: Manifest,
    target: Target,
    options: ResolveOptions,
    registry: Arc<Registry>,
}

impl Fixture {
    /// Reads `benches/data/<input>.in` and makes sure the bench cache can resolve it offline.
    fn new(input: &str) -> Self {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("benches/data")
            .join(format!("{input}.in"));
        let manifest = read_manifest(
            &path,
            OriginKind::Requirement,
            ReadOptions {
                variables: &Variables::none(),
                local_paths: LocalPaths::Read,
            },
        )
        .unwrap_or_else(|error| panic!("cannot read `{}`: {error}", path.display()));
        let target = Target::new(
            PythonVersion::from_str("3.12").expect("3.12 is a valid Python version"),
            Platform::from_str("x86_64-manylinux_2_28").expect("a platform name pinwheel accepts"),
        );
        let options = ResolveOptions {
            selection: SelectionOptions {
                exclude_newer: Some(
                    jiff::Timestamp::from_str("2026-11-01T00:00:00Z").expect("a valid timestamp"),
                ),
                ..SelectionOptions::default()
            },
            ..ResolveOptions::default()
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("cannot start the tokio runtime");
        let cache_dir = bench_cache_dir();
        let mut fixture = Self {
            runtime,
            manifest,
            target,
            options,
            registry: registry(&cache_dir, CacheMode::Offline),
        };
        let outcome = match fixture.try_resolve() {
            Ok(outcome) => outcome,
            Err(offline) => {
                note(&format!(
                    "bench cache `{}` cannot resolve `{input}` offline ({offline}); recording \
                     it with the network (first run only)",
                    cache_dir.display()
                ));
                fixture.registry = registry(&cache_dir, CacheMode::Normal);
                fixture.try_resolve().unwrap_or_else(|error| {
                    panic!("recording the bench cache for `{input}` failed (no network?): {error}")
                });
                // Measure with a fresh offline client, so that nothing the recording run
                // learnt (per-project fetch hints) is carried into the measurement.
                fixture.registry = registry(&cache_dir, CacheMode::Offline);
                fixture.try_resolve().unwrap_or_else(|error| {
                    panic!("`{input}` still misses cache entries after recording them: {error}")
                })
            }
        };
        match outcome {
            Outcome::Resolved(pins) => note(&format!("`{input}`: {pins} pins")),
            Outcome::NoSolution => note(&format!(
                "`{input}`: no solution for pinwheel; measuring the resolve up to its explained \
                 failure"
            )),
        }
        fixture
    }

    /// Resolves once. A resolution and "no solution" are both outcomes worth timing; only a
    /// failure to fetch (an incomplete cache) is an error.
    fn try_resolve(&self) -> Result<Outcome, ResolveError> {
        match self.run() {
            Ok(resolution) => Ok(Outcome::Resolved(resolution.pins.len())),
            Err(ResolveError::NoSolution(_)) => Ok(Outcome::NoSolution),
            Err(error) => Err(error),
        }
    }

    /// One measured iteration. The result is returned so that divan drops it (a resolution or
    /// an explanation) outside the timed region.
    fn resolve(&self) -> Result<Resolution, ResolveError> {
        let result = self.run();
        if let Err(error) = &result
            && !error.is_no_solution()
        {
            panic!("an offline resolve from a complete bench cache failed: {error}");
        }
        result
    }

    fn run(&self) -> Result<Resolution, ResolveError> {
        self.runtime.block_on(pinwheel::resolver::resolve(
            &self.manifest,
            &self.target,
            &self.options,
            Arc::clone(&self.registry),
        ))
    }
}

/// How a resolve of a bench input ends.
enum Outcome {
    /// A lock with this many pins.
    Resolved(usize),
    /// No solution (pinwheel cannot lock the input); the explanation was built.
    NoSolution,
}

/// `$PINWHEEL_BENCH_CACHE`, else `target/bench-cache` in this package.
fn bench_cache_dir() -> PathBuf {
    std::env::var_os("PINWHEEL_BENCH_CACHE").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-cache"),
        PathBuf::from,
    )
}

fn registry(cache_dir: &Path, cache_mode: CacheMode) -> Arc<Registry> {
    let cache = Cache::open(cache_dir).unwrap_or_else(|error| {
        panic!(
            "cannot open the bench cache `{}`: {error}",
            cache_dir.display()
        )
    });
    let options = ClientOptions {
        cache_mode,
        ..ClientOptions::default()
    };
    let client = IndexClient::new(options, Some(cache)).expect("cannot build the index client");
    Arc::new(Registry::new(client))
}

/// Tells the person running the bench what its setup found or is about to do (recording the
/// cache uses the network).
#[expect(
    clippy::print_stderr,
    reason = "a bench is a program; its setup notes go to stderr, divan's table to stdout"
)]
fn note(message: &str) {
    eprintln!("note: {message}");
}
