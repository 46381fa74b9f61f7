//! Why a resolution failed.

use super::explain::NoSolution;
use super::source::SourceError;

/// A failed resolution.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The requirements cannot all be met; the explanation says why.
    #[error("no solution found for your requirements:\n\n{0}")]
    NoSolution(NoSolution),
    /// The source failed while the solver needed something.
    #[error("failed to fetch {what}")]
    Fetch {
        /// What was being fetched (a package, with its version when known).
        what: String,
        /// The failure.
        #[source]
        source: SourceError,
    },
    /// A universal resolution found no solution in one of its forks.
    #[error("no solution found for your requirements where {fork}:\n\n{explanation}")]
    NoSolutionInFork {
        /// The fork's markers.
        fork: String,
        /// Why.
        explanation: NoSolution,
    },
    /// A universal resolution kept splitting.
    #[error(
        "the universal resolution split into more than {limit} forks; `{package}` kept splitting it (its requirements differ under many markers, or its versions need ever newer Pythons): lock for exact targets instead (`--python-version`, `--python-platform`)"
    )]
    TooManyForks {
        /// The package that split the fork last.
        package: crate::types::PackageName,
        /// The limit.
        limit: usize,
    },
    /// Two versions of one package would apply in one environment (a bug: the forks are
    /// disjoint; the check keeps a wrong lock from being written).
    #[error(
        "internal error: the universal lock would install both {first} and {second} of `{name}` somewhere"
    )]
    Overlap {
        /// The package.
        name: crate::types::PackageName,
        /// One version.
        first: crate::types::Version,
        /// Another.
        second: crate::types::Version,
    },
    /// The solver thread could not be started.
    #[error("cannot start the solver thread")]
    SolverThread(#[source] std::io::Error),
}

impl ResolveError {
    /// Whether this is an unsatisfiable set of requirements (exit code 1) rather than a failure
    /// to run (exit code 2).
    #[must_use]
    pub fn is_no_solution(&self) -> bool {
        matches!(self, Self::NoSolution(_) | Self::NoSolutionInFork { .. })
    }
}
