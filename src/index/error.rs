//! Errors of the index client. Each names the URL (credentials redacted) or the project.

use crate::types::{PackageName, Sha256Digest};

/// A failure to fetch or read something from an index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The request failed after retries.
    #[error("request to `{url}` failed")]
    Request {
        /// The URL.
        url: String,
        /// Why.
        #[source]
        source: reqwest::Error,
    },
    /// The server's certificate could not be verified: retrying would not change that.
    #[error(
        "request to `{url}` failed: the certificate of {host} is not trusted ({reason}); `--cert FILE` adds the CA bundle that signed it, `--trusted-host {host}` uses the host without checking it"
    )]
    UntrustedCertificate {
        /// The URL.
        url: String,
        /// Its host (and port, when not the default), as `--trusted-host` takes it.
        host: String,
        /// What the TLS library said about the certificate.
        reason: String,
    },
    /// The HTTP client could not be set up (TLS backend, system certificates).
    #[error("cannot set up the HTTP client")]
    Client {
        /// Why.
        #[source]
        source: reqwest::Error,
    },
    /// The client for `--trusted-host`s could not be configured.
    #[error("cannot set up the HTTP client for `--trusted-host`: {reason}")]
    TrustedHostSetup {
        /// Why (never the content of a key).
        reason: String,
    },
    /// A `--cert` or `--client-cert` file cannot be used.
    #[error("cannot use the certificate file `{}`: {reason}", path.display())]
    Certificate {
        /// The file.
        path: std::path::PathBuf,
        /// Why (the file's content is never shown).
        reason: String,
    },
    /// A page was fetched but could not be stored and read back.
    #[error("the page `{url}` could not be read back after it was stored")]
    Unreadable {
        /// The URL.
        url: String,
    },
    /// A cached page's records could not be read back.
    #[error("the cached page of `{name}` is damaged; `pinwheel cache clean {name}` removes it")]
    Packed {
        /// The project.
        name: PackageName,
        /// Why.
        #[source]
        source: crate::types::PackError,
    },
    /// The server answered with an error status.
    #[error("`{url}` answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// A file a project page listed answered 404 or 410: the page is out of date.
    #[error("{}", listed_file_gone(url, *status, name, *page_dropped))]
    ListedFileGone {
        /// The file's URL.
        url: String,
        /// The status code.
        status: u16,
        /// The project whose page listed it.
        name: PackageName,
        /// Whether the page came from the cache and was dropped from it (a rerun, or the run
        /// itself resolving again, reads the index as it is now); false when the index itself
        /// lists a file it does not serve.
        page_dropped: bool,
    },
    /// A downloaded file does not have the digest the index gave.
    #[error("`{url}` has sha256 {actual}, but the index says {expected}")]
    HashMismatch {
        /// The URL.
        url: String,
        /// The digest the index gave.
        expected: Sha256Digest,
        /// The digest of what arrived.
        actual: Sha256Digest,
    },
    /// `--offline` and the cache does not have it.
    #[error("`{what}` is not in the cache and `--offline` forbids fetching it")]
    OfflineMiss {
        /// What was needed.
        what: String,
    },
    /// A page could not be parsed.
    #[error(transparent)]
    Page(#[from] super::PageError),
    /// A wheel's zip structure could not be read.
    #[error("cannot read the metadata of `{url}`")]
    Wheel {
        /// The URL.
        url: String,
        /// Why.
        #[source]
        source: crate::metadata::ZipError,
    },
    /// A server sent more than pinwheel reads of that kind of answer.
    #[error("the {what} at `{url}` is larger than {limit} bytes: refusing to read more of it")]
    BodyTooLarge {
        /// The URL.
        url: String,
        /// What was fetched (`index page`, `metadata file`, `file`).
        what: &'static str,
        /// The limit.
        limit: u64,
    },
    /// The URL of a file record read back from the cache does not parse.
    #[error("cannot fetch `{filename}`")]
    CachedUrl {
        /// The file.
        filename: String,
        /// Why.
        #[source]
        source: crate::types::InvalidFileUrl,
    },
    /// A local find-links directory or file could not be read.
    #[error("cannot read `{path}`")]
    Local {
        /// The path.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A URL does not name a wheel or sdist of the project that requires it.
    #[error("`{url}` does not name a distribution file")]
    NotADistribution {
        /// The URL.
        url: String,
        /// Why the file name is not one.
        #[source]
        source: crate::types::FilenameError,
    },
    /// The cache failed to write.
    #[error(transparent)]
    Cache(#[from] crate::cache::CacheError),
    /// `--remote-cache` names a store that cannot be used.
    #[error(transparent)]
    Remote(#[from] crate::remote::RemoteSpecError),
    /// A blocking task panicked or was cancelled.
    #[error("an internal task failed")]
    Task(#[from] tokio::task::JoinError),
    /// A project name on a page did not match.
    #[error("no such project `{0}`")]
    UnknownProject(PackageName),
}

impl IndexError {
    /// Whether this is a listed file that is gone from a page pinwheel had cached, and has now
    /// dropped: resolving again reads the index's current page.
    #[must_use]
    pub fn is_stale_listing(&self) -> bool {
        matches!(
            self,
            Self::ListedFileGone {
                page_dropped: true,
                ..
            }
        )
    }
}

fn listed_file_gone(url: &str, status: u16, name: &PackageName, page_dropped: bool) -> String {
    if page_dropped {
        format!(
            "`{url}` answered HTTP {status}: the cached page of `{name}` that lists it is out of date, and has been dropped so that the next run reads the index as it is now"
        )
    } else {
        format!("`{url}` answered HTTP {status}, although the index's page of `{name}` lists it")
    }
}
