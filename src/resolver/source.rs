//! The resolver's only view of the outside world.
//!
//! The resolver knows no HTTP and no cache: it asks a [`Source`] for a project's files and for the
//! metadata of one file. An expected absence is data, not an error: a project the index does not
//! know is an empty file list, and metadata that cannot be read statically is
//! [`MetadataOutcome::Unavailable`], which the solver turns into an incompatibility it can explain.
//! A [`SourceError`] is for real failures (network, disk) and ends the resolution.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use url::Url;

use crate::metadata::CoreMetadata;
use crate::types::{IndexFile, PackageName, PackedProject, Urgency};

/// Where project pages and metadata come from. Implemented by the registry glue (index + cache)
/// and by in-memory test doubles.
pub trait Source: Send + Sync + 'static {
    /// Every file the configured indexes list for `name` (empty when none knows it), packed so
    /// that only the versions the solver looks at are ever decoded. `urgency` says whether the
    /// solver waits on it; it may be raised while the fetch waits its turn.
    fn project(
        &self,
        name: &PackageName,
        urgency: &Urgency,
    ) -> impl Future<Output = Result<Arc<PackedProject>, SourceError>> + Send;

    /// The core metadata of one listed file, as urgent as `urgency` says.
    fn metadata(
        &self,
        file: &IndexFile,
        urgency: &Urgency,
    ) -> impl Future<Output = Result<MetadataOutcome, SourceError>> + Send;

    /// [`Source::project`] if it can be answered at once from local storage (a fresh cache
    /// entry, or any entry `--offline`), else `None`. It blocks on the disk: the solver thread
    /// calls it rather than wait for the fetch loop to get round to an answer it could read
    /// itself, and async code never calls it.
    fn project_at_hand(&self, name: &PackageName) -> Option<Arc<PackedProject>> {
        let _ = name;
        None
    }

    /// [`Source::metadata`] if it can be answered at once from local storage, else `None`;
    /// blocking, like [`Source::project_at_hand`].
    fn metadata_at_hand(&self, file: &IndexFile) -> Option<MetadataOutcome> {
        let _ = file;
        None
    }

    /// Whether anything can be fetched at all (false with `--offline`): prefetching is only
    /// worth it when it hides network round trips.
    fn can_fetch(&self) -> bool {
        true
    }

    /// Whether [`Source::metadata`] of `file` would be answered without the network (a cache
    /// hit): prefetches skip such files and leave them to the solver's own request.
    fn has_local_metadata(&self, file: &IndexFile) -> impl Future<Output = bool> + Send {
        let _ = file;
        async { false }
    }

    /// The metadata of `file` by building it: asked only after [`Source::metadata`] answered
    /// [`MetadataOutcome::NeedsBuild`] for a version the solver needs. A source that cannot
    /// build answers `NeedsBuild` again; a build that fails is an error (never a silent
    /// fallback to another version).
    fn build(
        &self,
        file: &IndexFile,
        urgency: &Urgency,
    ) -> impl Future<Output = Result<MetadataOutcome, SourceError>> + Send {
        let _ = (file, urgency);
        async { Ok(MetadataOutcome::NeedsBuild) }
    }

    /// A direct URL requirement (`name @ url`): the file, described as an index file would be,
    /// and its metadata.
    fn direct_url(
        &self,
        name: &PackageName,
        url: &Url,
    ) -> impl Future<Output = Result<(IndexFile, MetadataOutcome), SourceError>> + Send;
}

/// The metadata of a file, or why it cannot be known without running a build.
#[derive(Clone, Debug)]
pub enum MetadataOutcome {
    /// Parsed metadata.
    Available(Arc<CoreMetadata>),
    /// Cannot be known statically; the text says why (it is shown in conflict explanations).
    Unavailable(String),
    /// Only an sdist with dynamic metadata: knowing the dependencies needs a build
    /// ([`Source::build`]).
    NeedsBuild,
}

/// A failure to reach or read a source: ends the resolution with exit code 2.
#[derive(Debug, Clone)]
pub struct SourceError(Arc<dyn std::error::Error + Send + Sync>);

impl SourceError {
    /// Wraps any error.
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Arc::new(error))
    }

    /// The wrapped error.
    #[must_use]
    pub fn inner(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for SourceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}
