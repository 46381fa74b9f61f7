//! The remote cache behind the local one (`--remote-cache`, `crate::remote`): a local miss of
//! an entry the remote shares is looked for there, and a hit is kept locally; what this run
//! fetches is sent there in the background.

use super::IndexClient;
use crate::cache::{CacheKey, Entry, EntryInfo};

impl IndexClient {
    /// The remote's entry under `key`, kept in the local cache when found; `None` without a
    /// remote, for an entry it does not share, and on any failure (the remote never fails a
    /// run).
    pub async fn shared_entry(&self, key: &CacheKey) -> Option<Entry> {
        let remote = self.inner.remote.as_ref()?;
        let entry = remote.get(key).await?;
        self.cache_put_local(key, &entry.body, &entry.info).await;
        Some(entry)
    }

    /// Sends an entry this run made to the remote, in the background (when there is one, the
    /// entry is of a kind it shares and the run writes).
    pub fn share(&self, key: &CacheKey, body: &[u8], info: &EntryInfo) {
        if let Some(remote) = &self.inner.remote {
            remote.put(key, body, info);
        }
    }

    /// Waits (briefly) for the background writes to the remote, and says what the run did
    /// with it (at `-v`).
    pub async fn finish_remote(&self) {
        if let Some(remote) = &self.inner.remote {
            remote.flush().await;
            tracing::info!("{}", remote.summary());
        }
    }
}
