//! Pages that are out of date: a file a cached page lists answers 404 or 410.
//!
//! A page is cached for a TTL, and an index may delete a file in that time (a release pulled,
//! a wheel rebuilt under a new name). Without this, the cached page would keep sending the
//! resolver to the missing file until it expired. Instead the page that listed the file is
//! dropped from the cache and the error says so ([`IndexError::ListedFileGone`]), so that
//! resolving again (the `resolve` command does, once) reads the index as it is now. A page
//! this run fetched itself is not dropped: then the index lists a file it does not serve, and
//! asking again would not change that.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use reqwest::StatusCode;

use super::{IndexClient, IndexError};
use crate::cache::CacheKey;
use crate::types::{FileOrigin, IndexFile};

/// The pages this client has asked the network for (fetched or revalidated).
#[derive(Debug, Default)]
pub(crate) struct FetchedPages {
    keys: Mutex<HashSet<CacheKey>>,
}

impl FetchedPages {
    /// Records that the page under `key` was asked for in this run.
    pub(crate) fn insert(&self, key: &CacheKey) {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.clone());
    }

    fn contains(&self, key: &CacheKey) -> bool {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(key)
    }
}

impl IndexClient {
    /// `error`, turned into [`IndexError::ListedFileGone`] when it is a 404 or 410 of `file`
    /// (after dropping the cached page that listed it); any other error is returned as it is.
    pub(crate) async fn listed_file_gone(&self, file: &IndexFile, error: IndexError) -> IndexError {
        let IndexError::Status { url, status } = &error else {
            return error;
        };
        let gone = [StatusCode::NOT_FOUND.as_u16(), StatusCode::GONE.as_u16()];
        if !gone.contains(status) {
            return error;
        }
        let name = file.dist.name().clone();
        let key = match &file.origin {
            FileOrigin::Index(index) => CacheKey::PackedPage {
                index: index.expose().to_string(),
                name: name.clone(),
            },
            FileOrigin::FindLinks(page) if page.expose().scheme() != "file" => CacheKey::Page {
                index: page.expose().to_string(),
                name: name.clone(),
            },
            FileOrigin::FindLinks(_) | FileOrigin::DirectUrl => return error,
        };
        let page_dropped = !self.inner.pages_fetched.contains(&key) && self.drop_page(&key).await;
        IndexError::ListedFileGone {
            url: url.clone(),
            status: *status,
            name,
            page_dropped,
        }
    }

    /// Removes a cached page; whether there was one to remove.
    async fn drop_page(&self, key: &CacheKey) -> bool {
        let Some(cache) = self.inner.cache.clone() else {
            return false;
        };
        let key = key.clone();
        let removed = tokio::task::spawn_blocking(move || {
            if !cache.contains(&key) {
                return false;
            }
            match cache.remove(&key) {
                Ok(()) => {
                    tracing::info!("dropped the out-of-date cached page `{}`", key.as_key());
                    true
                }
                Err(error) => {
                    tracing::warn!("{error}");
                    false
                }
            }
        });
        removed.await.unwrap_or(false)
    }
}
