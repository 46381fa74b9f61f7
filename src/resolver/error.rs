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
    /// The solver thread could not be started.
    #[error("cannot start the solver thread")]
    SolverThread(#[source] std::io::Error),
}

impl ResolveError {
    /// Whether this is an unsatisfiable set of requirements (exit code 1) rather than a failure
    /// to run (exit code 2).
    #[must_use]
    pub fn is_no_solution(&self) -> bool {
        matches!(self, Self::NoSolution(_))
    }
}
