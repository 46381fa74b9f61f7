//! The concrete [`Source`] of a real run: the index client (with its cache) seen through the
//! resolver's trait. This is the only module that knows both the resolver and the index; it
//! translates, and decides nothing.

use std::sync::Arc;

use url::Url;

use crate::index::{FetchedMetadata, IndexClient, with_urgency};
use crate::resolver::{MetadataOutcome, Source, SourceError};
use crate::types::{IndexFile, PackageName, PackedProject, Urgency};

/// An index client as a resolver source.
#[derive(Clone)]
pub struct Registry {
    client: IndexClient,
}

impl Registry {
    /// Wraps a client.
    #[must_use]
    pub fn new(client: IndexClient) -> Self {
        Self { client }
    }

    /// The wrapped client.
    #[must_use]
    pub fn client(&self) -> &IndexClient {
        &self.client
    }
}

fn outcome(fetched: FetchedMetadata) -> MetadataOutcome {
    match fetched {
        FetchedMetadata::Available(metadata) => MetadataOutcome::Available(Arc::new(metadata)),
        FetchedMetadata::Unavailable(reason) => MetadataOutcome::Unavailable(reason),
        FetchedMetadata::NeedsBuild => MetadataOutcome::NeedsBuild,
    }
}

impl Source for Registry {
    async fn project(
        &self,
        name: &PackageName,
        urgency: &Urgency,
    ) -> Result<Arc<PackedProject>, SourceError> {
        with_urgency(urgency.clone(), self.client.packed_project(name))
            .await
            .map(Arc::new)
            .map_err(SourceError::new)
    }

    async fn metadata(
        &self,
        file: &IndexFile,
        urgency: &Urgency,
    ) -> Result<MetadataOutcome, SourceError> {
        with_urgency(urgency.clone(), self.client.metadata(file))
            .await
            .map(outcome)
            .map_err(SourceError::new)
    }

    fn project_at_hand(&self, name: &PackageName) -> Option<Arc<PackedProject>> {
        self.client.packed_project_at_hand(name).map(Arc::new)
    }

    fn metadata_at_hand(&self, file: &IndexFile) -> Option<MetadataOutcome> {
        self.client.metadata_at_hand(file).map(outcome)
    }

    fn can_fetch(&self) -> bool {
        !self.client.is_offline()
    }

    async fn has_local_metadata(&self, file: &IndexFile) -> bool {
        self.client.has_cached_metadata(file).await
    }

    async fn direct_url(
        &self,
        name: &PackageName,
        url: &Url,
    ) -> Result<(IndexFile, MetadataOutcome), SourceError> {
        let (file, fetched) = self
            .client
            .direct_url(name, url)
            .await
            .map_err(SourceError::new)?;
        Ok((file, outcome(fetched)))
    }
}
