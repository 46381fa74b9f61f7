//! The one interface the rest of pinwheel sees of a remote store, and its OpenDAL
//! implementation: an OpenDAL upgrade (its API moves every minor release) or another backend
//! stays inside this file.

use futures::future::BoxFuture;

use super::spec::RemoteSpec;

/// A key-value store of bytes.
pub trait RemoteStore: Send + Sync {
    /// The object at `key`; `None` when there is none.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, String>>;
    /// Stores `body` at `key` (a later put of the same key may replace it: every key names
    /// content that does not change).
    fn put<'a>(&'a self, key: &'a str, body: Vec<u8>) -> BoxFuture<'a, Result<(), String>>;
}

/// How long one operation may take before it is a failure, and how often it is tried again:
/// a remote is worth using only when it is quicker than the index, so it gets little time.
#[derive(Clone, Copy, Debug)]
pub struct Patience {
    /// Per operation (and per body read or write).
    pub timeout: std::time::Duration,
    /// Tries after the first, for failures the store says are temporary.
    pub retries: usize,
}

impl Default for Patience {
    fn default() -> Self {
        Self {
            timeout: std::time::Duration::from_millis(1500),
            retries: 1,
        }
    }
}

/// Builds the store `spec` names. Nothing is connected yet: the first operation connects.
///
/// # Errors
/// When OpenDAL refuses the configuration, or pinwheel was built without remote caches.
pub fn open(spec: &RemoteSpec, patience: Patience) -> Result<Box<dyn RemoteStore>, String> {
    #[cfg(feature = "remote-cache")]
    {
        opendal_store::open(spec, patience).map(|store| Box::new(store) as Box<dyn RemoteStore>)
    }
    #[cfg(not(feature = "remote-cache"))]
    {
        let _ = (spec, patience);
        Err("this pinwheel was built without the `remote-cache` feature".to_string())
    }
}

#[cfg(feature = "remote-cache")]
mod opendal_store {
    use futures::FutureExt as _;
    use opendal::layers::{RetryLayer, TimeoutLayer};
    use opendal::{ErrorKind, Operator, services};

    use super::{Patience, RemoteSpec, RemoteStore};
    use crate::remote::RemoteKind;

    pub struct OpendalStore(Operator);

    pub fn open(spec: &RemoteSpec, patience: Patience) -> Result<OpendalStore, String> {
        // The HTTP transport S3 goes through (reqwest, as pinwheel's own client); idempotent.
        opendal::install_default();
        let operator = match &spec.kind {
            RemoteKind::Redis {
                endpoint,
                username,
                password,
                db,
            } => {
                let mut builder = services::Redis::default().endpoint(endpoint).db(*db);
                if let Some(username) = username {
                    builder = builder.username(username);
                }
                if let Some(password) = password {
                    builder = builder.password(password);
                }
                Operator::new(builder)
            }
            RemoteKind::S3 {
                bucket,
                root,
                endpoint,
                region,
                anonymous,
                imds,
            } => {
                let mut builder = services::S3::default()
                    .bucket(bucket)
                    .root(root)
                    .region(region);
                if let Some(endpoint) = endpoint {
                    builder = builder.endpoint(endpoint);
                }
                if *anonymous {
                    builder = builder.skip_signature();
                }
                if !*imds {
                    builder = builder.disable_ec2_metadata();
                }
                Operator::new(builder)
            }
            RemoteKind::File { root } => Operator::new(services::Fs::default().root(root)),
        }
        .map_err(|error| error.to_string())?;
        // The timeout goes on before the retry, or a timeout would drop the retry's future.
        Ok(OpendalStore(
            operator
                .layer(
                    TimeoutLayer::new()
                        .with_timeout(patience.timeout)
                        .with_io_timeout(patience.timeout),
                )
                .layer(
                    RetryLayer::new()
                        .with_max_times(patience.retries)
                        .with_jitter(),
                ),
        ))
    }

    impl RemoteStore for OpendalStore {
        fn get<'a>(
            &'a self,
            key: &'a str,
        ) -> futures::future::BoxFuture<'a, Result<Option<Vec<u8>>, String>> {
            async move {
                match self.0.read(key).await {
                    Ok(buffer) => Ok(Some(buffer.to_vec())),
                    Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
                    Err(error) => Err(error.to_string()),
                }
            }
            .boxed()
        }

        fn put<'a>(
            &'a self,
            key: &'a str,
            body: Vec<u8>,
        ) -> futures::future::BoxFuture<'a, Result<(), String>> {
            async move {
                self.0
                    .write(key, body)
                    .await
                    .map(|_| ())
                    .map_err(|error| error.to_string())
            }
            .boxed()
        }
    }
}
