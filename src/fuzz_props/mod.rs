//! Property tests of every parser of outside bytes (issue 16): generated and mutated inputs
//! must not panic, must not make more out of an input than it holds, and must not overflow the
//! stack however deeply they nest; where a writer exists, reading what it wrote gives back
//! what it was given.
//!
//! Each property runs a fixed number of cases from a fixed seed, so a CI run is repeatable; a
//! failure prints its shrunk input and the seed, and `PINWHEEL_PROPTEST_SEED=<n>` explores
//! other cases locally. The parsers are called through [`crate::fuzzing`], the same entry points
//! the cargo-fuzz targets in `fuzz/` use; [`corpus`] replays those targets' committed corpus.

use std::fmt;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestCaseError, TestRunner};

mod archives;
mod corpus;
mod depth;
mod locks;
mod mutate;
mod pages;
mod seeds;
mod text;

/// Overrides [`DEFAULT_SEED`], to run other cases than CI does.
const SEED_VARIABLE: &str = "PINWHEEL_PROPTEST_SEED";

/// "pinwheel" in ASCII.
const DEFAULT_SEED: u64 = 0x7069_6e77_6865_656c;

fn seed() -> u64 {
    std::env::var(SEED_VARIABLE)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(DEFAULT_SEED)
}

/// Runs `test` on `cases` values of `strategy`; on a failure, panics with the shrunk value and
/// the seed that reproduces it.
fn check<S>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S: Strategy,
    S::Value: fmt::Debug,
{
    let seed = seed();
    let config = Config {
        cases,
        // Failures are reproduced from the seed, not from a file beside the sources.
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(seed),
        // Shrinking a parser input rarely needs more; a cap keeps a failure's report prompt.
        max_shrink_iters: 4096,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    if let Err(error) = runner.run(&strategy, test) {
        panic!("{name}: {error}\nseed {seed}: rerun with {SEED_VARIABLE}={seed}");
    }
}

/// Input bytes, shown escaped in failure reports rather than as a list of numbers.
#[derive(Clone)]
struct Input(Vec<u8>);

impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\" ({} bytes)", self.0.escape_ascii(), self.0.len())
    }
}

/// The property every target has: any input is parsed or refused, without a panic, into at
/// most [`crate::fuzzing::Target::max_items`] items.
fn no_panic_and_bounded(name: &str, cases: u32, seeds: Vec<Vec<u8>>) {
    let Some(target) = crate::fuzzing::target(name) else {
        panic!("no fuzzing target `{name}`");
    };
    check(name, cases, mutate::input(seeds), |Input(data)| {
        let items = (target.run)(&data);
        proptest::prop_assert!(
            items <= target.max_items(data.len()),
            "{items} items out of {} bytes",
            data.len()
        );
        Ok(())
    });
}
