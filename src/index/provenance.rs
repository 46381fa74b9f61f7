//! PEP 740 provenance objects: fetched from the URL the index lists for a file, with PyPI's
//! integrity media type, and kept in the cache by the file's sha256 for `--offline` runs.

use reqwest::StatusCode;
use reqwest::header::ACCEPT;

use super::http::{BodyLimit, redact};
use super::{CacheMode, IndexClient, IndexError};
use crate::cache::{CacheKey, EntryInfo};
use crate::types::{IndexFile, Sha256Digest};

/// The media type of PyPI's integrity API (PEP 740 provenance).
const PROVENANCE_MEDIA_TYPE: &str = "application/vnd.pypi.integrity.v1+json";

impl IndexClient {
    /// The provenance object of `file` (whose sha256 is `sha256`): `None` when the index lists
    /// none, or answers 404 for the one it lists (PyPI does for a file without attestations).
    ///
    /// The object can change, so an online run always asks the index; the answer is cached,
    /// and only an `--offline` run reads it from the cache.
    ///
    /// # Errors
    /// On network failures, another non-success status, or an offline cache miss.
    pub async fn provenance(
        &self,
        file: &IndexFile,
        sha256: Sha256Digest,
    ) -> Result<Option<Vec<u8>>, IndexError> {
        let Some(listed) = &file.provenance else {
            return Ok(None);
        };
        let key = CacheKey::Provenance(sha256);
        if self.inner.options.cache_mode == CacheMode::Offline {
            return match self.cache_get(&key).await? {
                Some(entry) => Ok(Some(entry.body.to_vec())),
                None => Err(IndexError::OfflineMiss {
                    what: format!("the provenance of {}", file.filename),
                }),
            };
        }
        let url = listed.parse().map_err(|source| IndexError::CachedUrl {
            filename: format!("the provenance of {}", file.filename),
            source,
        })?;
        let http = &self.inner.http;
        let client = http.client(&url)?;
        let fetched = http
            .fetch(&url, BodyLimit::PROVENANCE, || {
                client
                    .get(url.clone())
                    .header(ACCEPT, PROVENANCE_MEDIA_TYPE)
            })
            .await?;
        if fetched.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !fetched.status.is_success() {
            return Err(IndexError::Status {
                url: redact(&url),
                status: fetched.status.as_u16(),
            });
        }
        let body = fetched.body.to_vec();
        let info = EntryInfo::now_for_file(file.dist.name(), &file.filename);
        self.cache_put(&key, &body, &info).await;
        Ok(Some(body))
    }
}
