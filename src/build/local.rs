//! Building a source tree that is already on disk: a local project directory (`-e ./pkg`) or a
//! git checkout, whose metadata the inputs could not read statically. The tree is built in
//! place, as pip and uv do (a setuptools backend leaves its `*.egg-info` there).

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::{BuildError, Builder};
use crate::cache::{CacheKey, EntryInfo};
use crate::metadata::{CoreMetadata, parse_core_metadata};
use crate::types::Sha256Digest;

impl Builder {
    /// The metadata a build of the tree at `dir` produces. `package` names it in messages (the
    /// requirement's name, or the directory's); `immutable_id`, when the tree cannot change
    /// (a git checkout: `git:<commit>#<subdirectory>`), caches the result under it, so a warm
    /// run builds nothing.
    ///
    /// # Errors
    /// When builds are off, there is no interpreter, or the build fails.
    pub async fn build_local_tree(
        &self,
        dir: &Path,
        package: &str,
        immutable_id: Option<&str>,
    ) -> Result<CoreMetadata, BuildError> {
        let inner = &self.inner;
        let interpreter = inner.interpreter_for(package).await?;
        let key = immutable_id.map(|id| CacheKey::BuiltMetadata {
            sdist: Sha256Digest::of(id.as_bytes()),
            interpreter: interpreter.cache_tag(),
        });
        let cache = inner.registry.client().cache();
        if let (Some(cache), Some(key)) = (cache, &key)
            && let Some(entry) = cache.get(key)
            && let Ok(metadata) = parse_core_metadata(&entry.body)
        {
            return Ok(metadata);
        }
        let _permit = inner.jobs.acquire().await;
        if !inner.announced.swap(true, Ordering::Relaxed) {
            inner.reporter.interpreter(&interpreter, &inner.target);
        }
        inner.reporter.started(package);
        let started = Instant::now();
        let bytes = inner.build_tree(dir, package, &interpreter).await?;
        let metadata = parse_core_metadata(&bytes).map_err(|source| BuildError::Metadata {
            package: package.to_string(),
            source: Box::new(source),
        })?;
        if let (Some(cache), Some(key)) = (cache, &key) {
            let info = EntryInfo::now_for_file(&metadata.name, package);
            if let Err(error) = cache.put(key, &bytes, &info) {
                tracing::warn!("could not cache the build of {package}: {error}");
            }
        }
        inner.reporter.finished(package, started.elapsed());
        Ok(metadata)
    }
}
