//! A distribution file on disk for a build: from the cache when it holds the file's sha256,
//! else from its URL, checked against the index's digest and then cached.

use std::path::Path;

use crate::index::{IndexClient, IndexError};
use crate::types::{IndexFile, Sha256Digest};

/// Writes `file` to `path` (a new file) and returns its sha256.
pub(super) async fn distribution(
    client: &IndexClient,
    file: &IndexFile,
    path: &Path,
) -> Result<Sha256Digest, IndexError> {
    let create = || {
        std::fs::File::create(path).map_err(|source| IndexError::Local {
            path: path.display().to_string(),
            source,
        })
    };
    if let Some(digest) = file.sha256
        && client
            .cached_distribution(digest, create()?, path)
            .await?
            .is_some()
    {
        return Ok(digest);
    }
    let url = crate::index::url_of(file)?;
    let (actual, _) = client.fetch_distribution(&url, create()?, path).await?;
    if let Some(expected) = file.sha256
        && expected != actual
    {
        return Err(IndexError::HashMismatch {
            url: crate::types::RedactedUrl::new(url.clone()).to_string(),
            expected,
            actual,
        });
    }
    client
        .cache_distribution(actual, path, &url, file.sha256.is_some())
        .await?;
    Ok(actual)
}
