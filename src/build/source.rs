//! [`Builder`] as the resolver's source: the registry's answers, with builds where metadata
//! needs one.

use std::sync::Arc;

use url::Url;

use super::Builder;
use crate::resolver::{MetadataOutcome, Source, SourceError};
use crate::types::{IndexFile, PackageName, PackedProject, Urgency};

impl Source for Builder {
    async fn project(
        &self,
        name: &PackageName,
        urgency: &Urgency,
    ) -> Result<Arc<PackedProject>, SourceError> {
        self.inner.registry.project(name, urgency).await
    }

    /// The registry's answer; an sdist that needs a build answers with its cached build when
    /// there is one (a prefetch never starts a build).
    async fn metadata(
        &self,
        file: &IndexFile,
        urgency: &Urgency,
    ) -> Result<MetadataOutcome, SourceError> {
        let outcome = self.inner.registry.metadata(file, urgency).await?;
        if matches!(outcome, MetadataOutcome::NeedsBuild)
            && self.enabled()
            && let Some(built) = self.inner.cached_build_of(file).await
        {
            return Ok(MetadataOutcome::Available(Arc::new(built)));
        }
        Ok(outcome)
    }

    fn project_at_hand(&self, name: &PackageName) -> Option<Arc<PackedProject>> {
        self.inner.registry.project_at_hand(name)
    }

    fn metadata_at_hand(&self, file: &IndexFile) -> Option<MetadataOutcome> {
        let outcome = self.inner.registry.metadata_at_hand(file)?;
        if matches!(outcome, MetadataOutcome::NeedsBuild)
            && self.enabled()
            && let Some(digest) = file.sha256
            && let Ok(interpreter) = self.inner.interpreter()
            && let Some(built) = self.inner.cached_build(digest, interpreter)
        {
            return Some(MetadataOutcome::Available(Arc::new(built)));
        }
        Some(outcome)
    }

    fn can_fetch(&self) -> bool {
        self.inner.registry.can_fetch()
    }

    async fn has_local_metadata(&self, file: &IndexFile) -> bool {
        self.inner.registry.has_local_metadata(file).await
    }

    async fn build(
        &self,
        file: &IndexFile,
        _urgency: &Urgency,
    ) -> Result<MetadataOutcome, SourceError> {
        if !self.enabled() {
            return Ok(MetadataOutcome::NeedsBuild);
        }
        self.inner
            .build_sdist(file)
            .await
            .map(|metadata| MetadataOutcome::Available(Arc::new(metadata)))
            .map_err(SourceError::new)
    }

    async fn direct_url(
        &self,
        name: &PackageName,
        url: &Url,
    ) -> Result<(IndexFile, MetadataOutcome), SourceError> {
        let (file, outcome) = self.inner.registry.direct_url(name, url).await?;
        if matches!(outcome, MetadataOutcome::NeedsBuild) && self.enabled() {
            let built = self.build(&file, &Urgency::needed()).await?;
            return Ok((file, built));
        }
        Ok((file, outcome))
    }
}
