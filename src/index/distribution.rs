//! Whole distribution files, for `pinwheel download`: streamed to disk and hashed on the way
//! (wheels can be hundreds of megabytes, so none is held in memory), and kept in the cache under
//! their sha256 (`dist-v1:<sha256>`) so that the next download needs no network.
//!
//! These are primitives: the caller decides which digests are acceptable, verifies what was
//! written, and only then asks for it to be cached, so an unverified file never enters the store.

use std::path::Path;

use reqwest::header::ACCEPT_ENCODING;
use url::Url;

use super::http::{Streamed, redact};
use super::{CacheMode, IndexClient, IndexError};
use crate::cache::{CacheKey, EntryInfo};
use crate::types::{Sha256Digest, Sha256Hasher};

/// The piece size of local file copies.
const COPY_BUFFER: usize = 256 * 1024;

impl IndexClient {
    /// Streams the cached distribution whose sha256 is `digest` into `out` and returns its
    /// length. `Ok(None)` is a miss: no cache, no entry, or an entry whose content does not
    /// hash to `digest` (damage costs a refetch); `out` may then hold part of it and must be
    /// discarded. `out_path` only names `out` in errors.
    ///
    /// # Errors
    /// When `out` cannot be written.
    pub async fn cached_distribution(
        &self,
        digest: Sha256Digest,
        mut out: std::fs::File,
        out_path: &Path,
    ) -> Result<Option<u64>, IndexError> {
        let Some(cache) = self.inner.cache.clone() else {
            return Ok(None);
        };
        let copied = tokio::task::spawn_blocking(move || {
            let copied = cache.copy_to(&CacheKey::Distribution(digest), &mut out)?;
            out.sync_all()?;
            Ok(copied)
        })
        .await?
        .map_err(|source| IndexError::Local {
            path: out_path.display().to_string(),
            source,
        })?;
        Ok(match copied {
            Some((actual, len)) if actual == digest => {
                tracing::info!("cache hit: distribution {digest}");
                Some(len)
            }
            Some((actual, _)) => {
                tracing::debug!("cached distribution {digest} hashes to {actual}: a miss");
                None
            }
            None => None,
        })
    }

    /// Streams the file at `url` into `out` (a local `file://` URL is copied) and returns the
    /// sha256 and length of what was written. Nothing is cached here: the caller verifies the
    /// digest first, then calls [`IndexClient::cache_distribution`]. `out_path` only names `out`
    /// in errors.
    ///
    /// # Errors
    /// On network failures, a non-success status, an `--offline` run (for a remote URL), or
    /// when `out` cannot be written.
    pub async fn fetch_distribution(
        &self,
        url: &Url,
        out: std::fs::File,
        out_path: &Path,
    ) -> Result<(Sha256Digest, u64), IndexError> {
        if url.scheme() == "file" {
            return copy_local(url, out, out_path).await;
        }
        if self.inner.options.cache_mode == CacheMode::Offline {
            return Err(IndexError::OfflineMiss { what: redact(url) });
        }
        let http = &self.inner.http;
        let client = http.client(url)?;
        let mut out = tokio::fs::File::from_std(out);
        let streamed = http
            .stream_to(
                url,
                // Servers that compress archives on the fly would otherwise have reqwest
                // decompress them, and the bytes would no longer be the file that was hashed.
                || client.get(url.clone()).header(ACCEPT_ENCODING, "identity"),
                &mut out,
                out_path,
            )
            .await?;
        match streamed {
            Streamed::Body(digest, len) => {
                out.sync_all().await.map_err(|source| IndexError::Local {
                    path: out_path.display().to_string(),
                    source,
                })?;
                Ok((digest, len))
            }
            Streamed::Status(status) => Err(IndexError::Status {
                url: redact(url),
                status: status.as_u16(),
            }),
        }
    }

    /// Stores the verified file at `path`, whose sha256 is `digest`, as a cached distribution;
    /// when the index listed no digest for it (`listed` is false), also remembers `url`'s
    /// digest, so that a later run knows which cache entry is this file without fetching it.
    ///
    /// # Errors
    /// When `path` cannot be read or the cache cannot be written.
    pub async fn cache_distribution(
        &self,
        digest: Sha256Digest,
        path: &Path,
        url: &Url,
        listed: bool,
    ) -> Result<(), IndexError> {
        let Some(cache) = self.inner.cache.clone() else {
            return Ok(());
        };
        let local_error = |source| IndexError::Local {
            path: path.display().to_string(),
            source,
        };
        let mut file = std::fs::File::open(path).map_err(local_error)?;
        let size = file.metadata().map_err(local_error)?.len();
        let info = EntryInfo {
            url: Some(redact(url)),
            ..EntryInfo::now()
        };
        tokio::task::spawn_blocking(move || {
            cache.put_reader(&CacheKey::Distribution(digest), &mut file, size, &info)
        })
        .await??;
        if !listed {
            self.remember_sha256(url, digest, &EntryInfo::now()).await;
        }
        Ok(())
    }
}

/// Copies a local file into `out`, hashing it.
async fn copy_local(
    url: &Url,
    mut out: std::fs::File,
    out_path: &Path,
) -> Result<(Sha256Digest, u64), IndexError> {
    let path = url.to_file_path().map_err(|()| IndexError::Local {
        path: url.to_string(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a local path"),
    })?;
    let out_path = out_path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut input = std::fs::File::open(&path).map_err(|source| IndexError::Local {
            path: path.display().to_string(),
            source,
        })?;
        let write_error = |source| IndexError::Local {
            path: out_path.display().to_string(),
            source,
        };
        let mut hasher = Sha256Hasher::new();
        let mut buffer = vec![0; COPY_BUFFER];
        loop {
            let read = match std::io::Read::read(&mut input, &mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(IndexError::Local {
                        path: path.display().to_string(),
                        source,
                    });
                }
            };
            let chunk = buffer.get(..read).unwrap_or_default();
            hasher.update(chunk);
            std::io::Write::write_all(&mut out, chunk).map_err(write_error)?;
        }
        out.sync_all().map_err(write_error)?;
        Ok(hasher.finish())
    })
    .await?
}
