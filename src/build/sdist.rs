//! Building an sdist's metadata, and the cache of what builds produced
//! (`built-metadata-v1:<sdist sha256>:<interpreter tag>`).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::interpreter::Interpreter;
use super::unpack::unpack_sdist;
use super::{BuildError, Inner, fetch};
use crate::cache::{CacheKey, EntryInfo};
use crate::metadata::{CoreMetadata, parse_core_metadata};
use crate::types::{DistFilename, IndexFile, Sha256Digest};

impl Inner {
    /// The interpreter, found off the async workers; `package` is named when there is none.
    pub(super) async fn interpreter_for(
        self: &Arc<Self>,
        package: &str,
    ) -> Result<Interpreter, BuildError> {
        let inner = Arc::clone(self);
        let found = tokio::task::spawn_blocking(move || inner.interpreter().cloned())
            .await
            .map_err(|error| BuildError::Local {
                package: package.to_string(),
                path: "the interpreter".to_string(),
                source: std::io::Error::other(error),
            })?;
        found.map_err(|source| BuildError::NoInterpreter {
            package: package.to_string(),
            source,
        })
    }

    /// The cached build of the sdist `digest` by `interpreter`, read on the calling thread.
    pub(super) fn cached_build(
        &self,
        digest: Sha256Digest,
        interpreter: &Interpreter,
    ) -> Option<CoreMetadata> {
        let client = self.registry.client();
        let key = built_key(digest, interpreter);
        let entry = client.cache()?.get(&key)?;
        client.note_read(&key);
        match parse_core_metadata(&entry.body) {
            Ok(metadata) => Some(metadata),
            Err(error) => {
                tracing::debug!("cached build of {digest} is unreadable: {error}");
                None
            }
        }
    }

    /// The cached build of `file`, when the interpreter is known and the cache has one.
    pub(super) async fn cached_build_of(
        self: &Arc<Self>,
        file: &IndexFile,
    ) -> Option<CoreMetadata> {
        let digest = file.sha256?;
        let inner = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let interpreter = inner.interpreter().ok()?;
            inner.cached_build(digest, interpreter)
        })
        .await
        .ok()
        .flatten()
    }

    /// Builds the metadata of the sdist `file` (or reads a previous build from the cache).
    pub(super) async fn build_sdist(
        self: &Arc<Self>,
        file: &IndexFile,
    ) -> Result<CoreMetadata, BuildError> {
        let package = match &file.dist {
            DistFilename::Sdist(sdist) => format!("{} {}", sdist.name, sdist.version),
            DistFilename::Wheel(wheel) => format!("{} {}", wheel.name, wheel.version),
        };
        let DistFilename::Sdist(sdist) = &file.dist else {
            // Wheels carry their metadata: nothing asks to build one.
            return Err(BuildError::Mismatch {
                package: package.clone(),
                built: "a wheel".to_string(),
            });
        };
        let interpreter = self.interpreter_for(&package).await?;
        if let Some(digest) = file.sha256 {
            let inner = Arc::clone(self);
            let found = {
                let interpreter = interpreter.clone();
                tokio::task::spawn_blocking(move || inner.cached_build(digest, &interpreter))
                    .await
                    .ok()
                    .flatten()
            };
            if let Some(metadata) = found {
                return Ok(metadata);
            }
            // Another runner's build of the same sdist by the same kind of interpreter.
            if let Some(entry) = self
                .registry
                .client()
                .shared_entry(&built_key(digest, &interpreter))
                .await
                && let Ok(metadata) = parse_core_metadata(&entry.body)
            {
                return Ok(metadata);
            }
        }
        if self.registry.client().is_offline() {
            return Err(BuildError::Offline { package });
        }
        let _permit = self.jobs.acquire().await;
        if !self.announced.swap(true, Ordering::Relaxed) {
            self.reporter.interpreter(&interpreter, &self.target);
        }
        self.reporter.started(&package);
        let started = Instant::now();
        let local = |path: &std::path::Path| {
            let (package, path) = (package.clone(), path.display().to_string());
            move |source| BuildError::Local {
                package,
                path,
                source,
            }
        };
        let work = tempfile::Builder::new()
            .prefix("pinwheel-build-")
            .tempdir()
            .map_err(local(&std::env::temp_dir()))?;
        let archive = work.path().join(&file.filename);
        let digest = fetch::distribution(self.registry.client(), file, &archive)
            .await
            .map_err(|source| BuildError::Fetch {
                package: package.clone(),
                source: Box::new(source),
            })?;
        let into = work.path().join("source");
        std::fs::create_dir(&into).map_err(local(&into))?;
        let tree = {
            let (path, sdist, into) = (archive.clone(), sdist.clone(), into.clone());
            tokio::task::spawn_blocking(move || unpack_sdist(&path, &sdist, &into))
                .await
                .map_err(|error| local(&archive)(std::io::Error::other(error)))?
                .map_err(|source| BuildError::Unpack {
                    package: package.clone(),
                    source: Box::new(source),
                })?
        };
        let bytes = match self.build_tree(&tree, &package, &interpreter).await {
            Ok(bytes) => bytes,
            Err(error) => {
                // The command that repeats a failed hook runs in this tree: keep it.
                let kept = work.keep();
                tracing::warn!(
                    "the unpacked sdist of {package} is kept in {}",
                    kept.display()
                );
                return Err(error);
            }
        };
        let metadata = parse_core_metadata(&bytes).map_err(|source| BuildError::Metadata {
            package: package.clone(),
            source: Box::new(source),
        })?;
        if metadata.name != sdist.name || metadata.version != sdist.version {
            return Err(BuildError::Mismatch {
                package,
                built: format!("{} {}", metadata.name, metadata.version),
            });
        }
        let info = EntryInfo::now_for_file(&sdist.name, &file.filename);
        if let Some(cache) = self.registry.client().cache()
            && let Err(error) = cache.put(&built_key(digest, &interpreter), &bytes, &info)
        {
            tracing::warn!("could not cache the build of {package}: {error}");
        }
        self.registry
            .client()
            .share(&built_key(digest, &interpreter), &bytes, &info);
        self.reporter.finished(&package, started.elapsed());
        Ok(metadata)
    }
}

/// Where the build of the sdist `digest` by `interpreter` is cached.
fn built_key(digest: Sha256Digest, interpreter: &Interpreter) -> CacheKey {
    CacheKey::BuiltMetadata {
        sdist: digest,
        interpreter: interpreter.cache_tag(),
    }
}
