//! The index client: project pages (PEP 691 JSON, PEP 503 HTML, `--find-links`), metadata
//! (PEP 658 files, HTTP range reads of wheels, whole downloads) and distributions (streamed to
//! disk by `distribution.rs`), through the cache.
//!
//! Freshness: this machine's PyPI mirror sends no `ETag`, `Last-Modified` or `Cache-Control`, so a
//! cached page is fresh for a TTL (600 s by default, PyPI's own max-age) and revalidated with
//! whatever validators the server did send. Metadata and distributions are immutable (keyed by
//! sha256) and never fetched twice. The client chooses no versions and prints nothing; requests
//! are logged with `tracing` (shown with `-v`).

mod admission;
mod auth;
mod bundle;
mod distribution;
mod error;
pub mod find_links;
pub mod html;
mod http;
pub mod json;
mod keyring;
mod metadata_fetch;
mod netrc;
mod provenance;
mod repairs;
mod shared;
mod stale;
mod strategy;
mod tls;
mod trusted;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT, CONTENT_TYPE, ETAG, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use url::Url;

pub use admission::with_urgency;
pub use error::IndexError;
pub use html::PageError;
pub use keyring::KeyringProvider;
pub use metadata_fetch::{FetchedMetadata, direct_url_file, url_of};
pub use strategy::{IndexPins, IndexStrategy};
pub use tls::TlsFiles;

use crate::cache::{Cache, CacheKey, Entry, EntryInfo};
use crate::types::{FileOrigin, IndexFile, PackageName, PackedProject, ProjectFiles, RedactedUrl};
use http::{Http, redact};

/// How the cache is used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CacheMode {
    /// Use fresh entries, revalidate stale ones.
    #[default]
    Normal,
    /// Revalidate every page (`--refresh`); immutable entries are still used.
    Refresh,
    /// Never touch the network (`--offline`); a miss is an error.
    Offline,
}

/// A `--find-links` source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FindLinks {
    /// An HTML page listing files (its credentials, if any, hidden from `Debug`).
    Page(RedactedUrl),
    /// A local directory of files.
    Directory(PathBuf),
}

/// Where and how the client fetches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOptions {
    /// Indexes in priority order: with the default strategy, the first that knows a project is
    /// the only one used for it. `RedactedUrl`s, so that printing the options never shows a
    /// password.
    pub indexes: Vec<RedactedUrl>,
    /// `--index-strategy`.
    pub strategy: IndexStrategy,
    /// Packages pinned to one index, and the explicit indexes (used for those alone).
    pub pins: IndexPins,
    /// URLs whose credentials are taken before any index's: the named indexes' credentials
    /// from the environment (`PINWHEEL_INDEX_<NAME>_USERNAME`/`_PASSWORD`), which are never
    /// shown in a lock, unlike the configured URLs.
    pub credentials: Vec<RedactedUrl>,
    /// `--find-links` sources, whose files are added to the index's.
    pub find_links: Vec<FindLinks>,
    /// Cache use.
    pub cache_mode: CacheMode,
    /// How long a cached page is fresh.
    pub page_ttl: Duration,
    /// Requests in flight at most.
    pub max_in_flight: usize,
    /// Retries after a transient failure.
    pub retries: u32,
    /// Probe `<file>.metadata` even when the index does not advertise it. Off by default:
    /// on this machine's PyPI mirror (which has the file for some projects only) probing made
    /// cold resolves slower than going straight to range reads (jupyter.in 1.9–2.3 s against
    /// 1.3–1.6 s).
    pub probe_unadvertised_metadata: bool,
    /// `--cert` and `--client-cert`.
    pub tls: TlsFiles,
    /// The netrc file (`NETRC`, else `~/.netrc`), whose entries give hosts without
    /// credentials in their URLs some; a missing or unreadable file gives none.
    pub netrc: Option<PathBuf>,
    /// `--keyring-provider`: where a configured URL with a user name only gets its password.
    pub keyring: KeyringProvider,
    /// `--trusted-host` values (`name` or `name:port`): HTTPS servers there are used even when
    /// their certificates cannot be verified.
    pub trusted_hosts: Vec<String>,
    /// `--remote-cache`: a store shared by a fleet, behind the local cache.
    pub remote: Option<crate::remote::RemoteSpec>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            indexes: vec![RedactedUrl::new(
                Url::parse(PYPI_SIMPLE).expect("the PyPI URL is valid"),
            )],
            strategy: IndexStrategy::FirstIndex,
            pins: IndexPins::default(),
            credentials: Vec::new(),
            find_links: Vec::new(),
            cache_mode: CacheMode::Normal,
            page_ttl: Duration::from_secs(600),
            max_in_flight: 50,
            retries: 3,
            probe_unadvertised_metadata: false,
            tls: TlsFiles::default(),
            netrc: None,
            keyring: KeyringProvider::Disabled,
            trusted_hosts: Vec::new(),
            remote: None,
        }
    }
}

/// PyPI's simple index.
pub const PYPI_SIMPLE: &str = "https://pypi.org/simple/";

/// What pages are asked for: JSON preferred, HTML accepted (PEP 691 content negotiation).
const PAGE_ACCEPT: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

/// The client. Cheap to clone; clones share the connection pool, the cache and the bound on
/// requests in flight.
#[derive(Clone)]
pub struct IndexClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: Http,
    cache: Option<Cache>,
    /// The remote cache, when one is configured and the run is not offline.
    remote: Option<Arc<crate::remote::RemoteCache>>,
    options: ClientOptions,
    /// What this run learnt about each project's files, to spend fewer requests on the next
    /// version of the same project.
    hints: std::sync::Mutex<std::collections::HashMap<PackageName, ProjectHints>>,
    /// Whether a cache write has failed (and been reported) already.
    cache_write_failed: std::sync::atomic::AtomicBool,
    /// The projects whose repaired metadata has been warned about.
    repairs: repairs::RepairReports,
    /// The pages this run asked the network for: a file they list that is gone is the
    /// index's inconsistency, not an out-of-date cache.
    pages_fetched: stale::FetchedPages,
    /// Walked projects' metadata, one cache entry each.
    bundles: bundle::Bundles,
    /// The shared entries read, for the remote's manifest (`shared.rs`).
    reads: crate::remote::ReadLog,
}

/// Per-project observations: files of one project are built and uploaded the same way, so what
/// held for one version usually holds for the next.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ProjectHints {
    /// An unadvertised `.metadata` probe answered 404: do not probe this project again.
    pub(crate) probe_missed: bool,
    /// How many bytes from the end held everything the last range read of one of the
    /// project's wheels needed (central directory and METADATA), when the first tail did not:
    /// the first read of the next wheel asks for that much at once.
    pub(crate) tail_needed: Option<u64>,
}

impl IndexClient {
    /// A client with `options`, caching in `cache` (none with `--no-cache`).
    ///
    /// # Errors
    /// When a `--cert` or `--client-cert` file cannot be used.
    pub fn new(mut options: ClientOptions, cache: Option<Cache>) -> Result<Self, IndexError> {
        // From here on the URLs are bare: the credentials live in `Http` alone.
        let netrc = options
            .netrc
            .as_deref()
            .map(netrc::Netrc::read)
            .unwrap_or_default();
        let mut credentials = auth::Credentialed::new(netrc, options.keyring);
        for url in &options.credentials {
            credentials.take_from(url.expose());
        }
        options.credentials.clear();
        let pins = &mut options.pins;
        for index in options
            .indexes
            .iter_mut()
            .chain(pins.by_package.values_mut())
            .chain(pins.explicit.iter_mut())
        {
            *index = RedactedUrl::new(credentials.take_from(index.expose()));
        }
        for link in &mut options.find_links {
            if let FindLinks::Page(url) = link {
                *url = RedactedUrl::new(credentials.take_from(url.expose()));
            }
        }
        let remote = match &options.remote {
            Some(spec) if options.cache_mode != CacheMode::Offline => Some(Arc::new(
                crate::remote::RemoteCache::open(spec, crate::remote::Patience::default())?,
            )),
            _ => None,
        };
        let tls = options.tls.load()?;
        let trusted = trusted::TrustedHosts::new(&options.trusted_hosts);
        let http = Http::new(
            options.max_in_flight,
            options.retries,
            tls,
            trusted,
            credentials,
        );
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                cache,
                remote,
                options,
                hints: std::sync::Mutex::default(),
                cache_write_failed: std::sync::atomic::AtomicBool::new(false),
                repairs: repairs::RepairReports::default(),
                pages_fetched: stale::FetchedPages::default(),
                bundles: bundle::Bundles::default(),
                reads: crate::remote::ReadLog::default(),
            }),
        })
    }

    /// How many HTTP requests this client has sent.
    #[must_use]
    pub fn requests_sent(&self) -> usize {
        self.inner.http.requests_sent()
    }

    /// Every file the indexes and find-links sources list for `name`. By default the first
    /// index that lists the project is the only index used for it (so a private index cannot be
    /// shadowed by a public project of the same name); see [`IndexStrategy`] and
    /// [`IndexPins`].
    ///
    /// # Errors
    /// On network failures, unreadable pages, or an `--offline` cache miss.
    pub async fn project(&self, name: &PackageName) -> Result<ProjectFiles, IndexError> {
        let packed = self.packed_project(name).await?;
        tokio::task::spawn_blocking(move || packed.unpack())
            .await?
            .map_err(|source| IndexError::Packed {
                name: name.clone(),
                source,
            })
    }

    /// [`IndexClient::project`], packed: what the resolver reads, decoding only the versions it
    /// looks at. Index pages are cached packed, so a warm run parses no page at all.
    ///
    /// # Errors
    /// As [`IndexClient::project`].
    pub async fn packed_project(&self, name: &PackageName) -> Result<PackedProject, IndexError> {
        let project = self.indexes_project(name).await?;
        if self.inner.options.find_links.is_empty() {
            return Ok(project);
        }
        let mut files = project.unpack().map_err(|source| IndexError::Packed {
            name: name.clone(),
            source,
        })?;
        for source in &self.inner.options.find_links {
            let found = match source {
                FindLinks::Directory(dir) => {
                    let (dir, name) = (dir.clone(), name.clone());
                    tokio::task::spawn_blocking(move || {
                        find_links::read_find_links_dir(&dir, &name)
                    })
                    .await??
                }
                FindLinks::Page(url) => {
                    // Bare since `IndexClient::new`: the credentials are in `Http`.
                    let url = url.expose();
                    let key = CacheKey::Page {
                        index: url.to_string(),
                        name: name.clone(),
                    };
                    let body = self
                        .page_body(url, &key, Fresh::Accept, |entry, _| Ok(entry.body))
                        .await?;
                    match body {
                        None => continue,
                        Some((entry, base)) => find_links::parse_find_links_html(
                            &String::from_utf8_lossy(&entry.body),
                            &base,
                            name,
                            &FileOrigin::FindLinks(RedactedUrl::new(url.clone())),
                        )?,
                    }
                }
            };
            files.files.extend(found.files);
        }
        PackedProject::open(name.clone(), Arc::new(PackedProject::pack(&files))).map_err(|source| {
            IndexError::Packed {
                name: name.clone(),
                source,
            }
        })
    }

    /// What the indexes (not the find-links sources) list for `name`: the pinned index's page,
    /// else as the strategy says. An index that fails (a 5xx, a timeout, a reset) fails the
    /// lookup: taking the name from the next index instead is what a confused or attacked
    /// setup would want.
    async fn indexes_project(&self, name: &PackageName) -> Result<PackedProject, IndexError> {
        let options = &self.inner.options;
        if let Some(index) = options.pins.by_package.get(name) {
            return self.index_page(index.expose(), name).await;
        }
        if options.strategy == IndexStrategy::FirstIndex {
            for index in &options.indexes {
                let page = self.index_page(index.expose(), name).await?;
                if page.file_count() > 0 {
                    return Ok(page);
                }
            }
            return Ok(PackedProject::empty(name.clone()));
        }
        let pages = futures::future::try_join_all(
            options
                .indexes
                .iter()
                .map(|index| self.index_page(index.expose(), name)),
        )
        .await?;
        self.merged(name, pages)
    }

    fn merged(
        &self,
        name: &PackageName,
        pages: Vec<PackedProject>,
    ) -> Result<PackedProject, IndexError> {
        strategy::merge_pages(name, pages, self.inner.options.strategy).map_err(|source| {
            IndexError::Packed {
                name: name.clone(),
                source,
            }
        })
    }

    /// Every configured index that lists `name`, explicit ones included, in priority order:
    /// what `--report-shadowed` asks about each locked name. It tells every index the name.
    ///
    /// # Errors
    /// As [`IndexClient::project`].
    pub async fn indexes_listing(
        &self,
        name: &PackageName,
    ) -> Result<Vec<RedactedUrl>, IndexError> {
        let options = &self.inner.options;
        let mut every: Vec<&RedactedUrl> = Vec::new();
        for index in options.indexes.iter().chain(&options.pins.explicit) {
            if !every.contains(&index) {
                every.push(index);
            }
        }
        let pages = futures::future::try_join_all(
            every
                .iter()
                .map(|index| self.index_page(index.expose(), name)),
        )
        .await?;
        Ok(every
            .into_iter()
            .zip(pages)
            .filter(|(_, page)| page.file_count() > 0)
            .map(|(index, _)| index.clone())
            .collect())
    }

    /// One index's page for `name` (empty when the index does not know it).
    async fn index_page(
        &self,
        index: &Url,
        name: &PackageName,
    ) -> Result<PackedProject, IndexError> {
        let url = project_url(index, name);
        let key = CacheKey::PackedPage {
            index: index.to_string(),
            name: name.clone(),
        };
        if let Some(packed) = self.cached_packed_page(&key, name, &url, true) {
            return Ok(packed);
        }
        let pack = {
            let (name, index) = (name.clone(), index.clone());
            // Pages can list thousands of files: `page_body` parses them off the async workers.
            move |entry: Entry, base: &Url| {
                parse_page(&entry, base, &name, &index).map(|files| PackedProject::pack(&files))
            }
        };
        for fresh in [Fresh::Accept, Fresh::Refetch] {
            let Some((entry, _)) = self.page_body(&url, &key, fresh, pack.clone()).await? else {
                return Ok(PackedProject::empty(name.clone()));
            };
            // Just stored: read it back from disk like a warm run would, rather than keep every
            // page's bytes in memory for the whole resolve (30 MB on airflow's 160 projects).
            if let Some(packed) = self.cached_packed_page(&key, name, &url, false) {
                return Ok(packed);
            }
            match PackedProject::open(name.clone(), Arc::new(entry.body)) {
                Ok(packed) => return Ok(packed),
                // Only a damaged cache entry can fail to open: fetch the page again.
                Err(error) => tracing::debug!("{}: {error}", redact(&url)),
            }
        }
        Err(IndexError::Unreadable { url: redact(&url) })
    }

    /// The packed page cached under `key`, opened from disk without reading its records (a
    /// cached 404 is an empty project). `None` when it is missing or damaged, or, with
    /// `only_fresh`, stale: the usual warm case is `only_fresh`; a page just stored is reopened
    /// from disk rather than kept in memory.
    ///
    /// It reads the disk on the calling thread, as [`IndexClient::cache_get`] does.
    fn cached_packed_page(
        &self,
        key: &CacheKey,
        name: &PackageName,
        url: &Url,
        only_fresh: bool,
    ) -> Option<PackedProject> {
        let cache = self.inner.cache.as_ref()?;
        let (mode, ttl) = (self.inner.options.cache_mode, self.inner.options.page_ttl);
        let (info, file) = cache.get_file(key)?;
        self.note_read(key);
        if only_fresh {
            if !usable_without_asking(mode, ttl, &info) {
                return None;
            }
            tracing::info!("cache hit: {}", redact(url));
        }
        if info.not_found {
            return Some(PackedProject::empty(name.clone()));
        }
        PackedProject::open(name.clone(), Arc::new(file))
            .inspect_err(|error| tracing::debug!("{}: {error}", redact(url)))
            .ok()
    }

    /// [`IndexClient::packed_project`] when the cache can answer it without asking the network
    /// (every index's page is fresh, or `--offline`), on the calling thread: it blocks on the
    /// disk, so only a thread that may block calls it. `None` when the network is needed, or
    /// with `--find-links` sources (read by the async path).
    #[must_use]
    pub fn packed_project_at_hand(&self, name: &PackageName) -> Option<PackedProject> {
        let options = &self.inner.options;
        if !options.find_links.is_empty() {
            return None;
        }
        let cached = |index: &RedactedUrl| {
            let index = index.expose();
            let key = CacheKey::PackedPage {
                index: index.to_string(),
                name: name.clone(),
            };
            self.cached_packed_page(&key, name, &project_url(index, name), true)
        };
        if let Some(index) = options.pins.by_package.get(name) {
            return cached(index);
        }
        if options.strategy != IndexStrategy::FirstIndex {
            let pages = options.indexes.iter().map(cached).collect::<Option<_>>()?;
            return self.merged(name, pages).ok();
        }
        for index in &options.indexes {
            let page = cached(index)?;
            if page.file_count() > 0 {
                return Some(page);
            }
        }
        Some(PackedProject::empty(name.clone()))
    }

    /// The stored form of a page (`store` turns a fetched body into it, off the async
    /// workers), from the cache when fresh, else from the network (revalidating when validators
    /// are known). `None` when the server says the page does not exist.
    async fn page_body<F>(
        &self,
        url: &Url,
        key: &CacheKey,
        fresh_entries: Fresh,
        store: F,
    ) -> Result<Option<(Entry, Url)>, IndexError>
    where
        F: FnOnce(Entry, &Url) -> Result<Vec<u8>, IndexError> + Send + 'static,
    {
        let inner = &self.inner;
        let cached = match fresh_entries {
            Fresh::Accept => self.cache_get(key).await?,
            Fresh::Refetch => None,
        };
        let mode = inner.options.cache_mode;
        if let Some(entry) = &cached
            && usable_without_asking(mode, inner.options.page_ttl, &entry.info)
        {
            tracing::info!("cache hit: {}", redact(url));
            return Ok(page_from_entry(entry.clone(), url));
        }
        if mode == CacheMode::Offline {
            return Err(IndexError::OfflineMiss {
                what: redact(url).to_string(),
            });
        }
        let client = inner.http.client(url)?;
        inner.pages_fetched.insert(key);
        let fetched = inner
            .http
            .fetch(url, http::BodyLimit::PAGE, || {
                let mut request = client.get(url.clone()).header(ACCEPT, PAGE_ACCEPT);
                if let Some(entry) = &cached {
                    if let Some(etag) = &entry.info.etag {
                        request = request.header(IF_NONE_MATCH, etag);
                    }
                    if let Some(modified) = &entry.info.last_modified {
                        request = request.header(IF_MODIFIED_SINCE, modified);
                    }
                }
                request
            })
            .await?;
        if fetched.status == StatusCode::NOT_MODIFIED
            && let Some(entry) = cached
        {
            let info = EntryInfo {
                fetched_at: EntryInfo::now().fetched_at,
                ..entry.info.clone()
            };
            self.cache_put(key, &entry.body, &info).await;
            return Ok(page_from_entry(entry, url));
        }
        let header = |name| {
            fetched
                .headers
                .get(name)
                .and_then(|value: &HeaderValue| value.to_str().ok())
                .map(str::to_string)
        };
        let mut info = EntryInfo {
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
            content_type: header(CONTENT_TYPE),
            url: Some(fetched.final_url.to_string()),
            ..EntryInfo::now()
        };
        match fetched.status {
            status if status.is_success() => {}
            StatusCode::NOT_FOUND | StatusCode::GONE => info.not_found = true,
            status => {
                return Err(IndexError::Status {
                    url: redact(url),
                    status: status.as_u16(),
                });
            }
        }
        let body = if info.not_found {
            self.cache_put(key, &[], &info).await;
            Vec::new()
        } else {
            let fetched = Entry {
                body: Vec::from(fetched.body),
                info: info.clone(),
            };
            let base = fetched_base(&fetched.info, url);
            // Parsed and stored in one blocking task, so the stored form is not copied to be
            // moved into another.
            let (inner, stored, facts) = (Arc::clone(&self.inner), key.clone(), info.clone());
            let body = tokio::task::spawn_blocking(move || {
                let body = store(fetched, &base)?;
                inner.put_logged(&stored, &body, &facts);
                Ok::<_, IndexError>(body)
            })
            .await??;
            self.share(key, &body, &info);
            body
        };
        Ok(page_from_entry(Entry { body, info }, url))
    }

    /// Whether this client never uses the network (`--offline`).
    #[must_use]
    pub fn is_offline(&self) -> bool {
        self.inner.options.cache_mode == CacheMode::Offline
    }

    /// The cache this client reads and writes, if any (`--no-cache` has none): metadata builds
    /// keep their results and environments beside the client's entries.
    #[must_use]
    pub fn cache(&self) -> Option<&Cache> {
        self.inner.cache.as_ref()
    }

    /// Whether the metadata of `file` is in the cache (an index lookup; nothing is read).
    pub async fn has_cached_metadata(&self, file: &IndexFile) -> bool {
        // On the calling thread, as in `cache_get`.
        self.inner
            .cache
            .as_ref()
            .is_some_and(|cache| cache.contains(&metadata_cache_key(file)))
    }

    pub(crate) fn hints(&self, name: &PackageName) -> ProjectHints {
        self.inner
            .hints
            .lock()
            .map(|hints| hints.get(name).copied().unwrap_or_default())
            .unwrap_or_default()
    }

    pub(crate) fn update_hints(&self, name: &PackageName, update: impl FnOnce(&mut ProjectHints)) {
        if let Ok(mut hints) = self.inner.hints.lock() {
            update(hints.entry(name.clone()).or_default());
        }
    }

    /// The cached entry under `key`, read on the calling thread. Cache reads are reads of small
    /// files the page cache holds, tens of microseconds each; handing each one to tokio's
    /// blocking pool cost two thread wake-ups per read, 9% of a warm universal resolve's wall
    /// time (jupyter.in: 26.2 → 23.8 ms). Writes, larger and only on a cold path, still go
    /// to the pool.
    async fn cache_get(&self, key: &CacheKey) -> Result<Option<Entry>, IndexError> {
        let local = self.inner.cache.as_ref().and_then(|cache| cache.get(key));
        self.note_read(key);
        Ok(match local {
            Some(entry) => Some(entry),
            None => self.shared_entry(key).await,
        })
    }

    /// Stores an entry, locally and in the remote cache; see [`Inner::put_logged`].
    async fn cache_put(&self, key: &CacheKey, body: &[u8], info: &EntryInfo) {
        self.share(key, body, info);
        self.cache_put_local(key, body, info).await;
    }

    /// Stores an entry in the local cache only (a remote hit is not sent back).
    async fn cache_put_local(&self, key: &CacheKey, body: &[u8], info: &EntryInfo) {
        if self.inner.cache.is_none() {
            return;
        }
        let (inner, key, body, info) = (
            Arc::clone(&self.inner),
            key.clone(),
            body.to_vec(),
            info.clone(),
        );
        if let Err(error) =
            tokio::task::spawn_blocking(move || inner.put_logged(&key, &body, &info)).await
        {
            tracing::debug!("cache write task failed: {error}");
        }
    }
}

impl Inner {
    /// Stores an entry (on a blocking thread). A failed write is logged, never an error: the
    /// cache is an optimisation, and a concurrent `pinwheel cache clean` may remove the
    /// directories a write is using. Only the first failure is a warning, so a read-only cache
    /// says so once.
    fn put_logged(&self, key: &CacheKey, body: &[u8], info: &EntryInfo) {
        let Some(cache) = &self.cache else {
            return;
        };
        if let Err(error) = cache.put(key, body, info) {
            let error = error_chain(error);
            if self
                .cache_write_failed
                .swap(true, std::sync::atomic::Ordering::Relaxed)
            {
                tracing::debug!("{error}");
            } else {
                tracing::warn!("{error}; continuing without caching");
            }
        }
    }
}

/// Where the metadata of `file` is cached: under its sha256, or its URL when the index gave none.
pub(crate) fn metadata_cache_key(file: &IndexFile) -> CacheKey {
    file.sha256.map_or_else(
        // A cached URL that no longer parses cannot be fetched either: its text will do.
        || {
            CacheKey::UrlMetadata(
                file.url
                    .parse()
                    .map_or_else(|_| file.url.as_str().to_owned(), |url| auth::key_url(&url)),
            )
        },
        CacheKey::Metadata,
    )
}

/// An error with its causes, on one line.
fn error_chain(error: impl std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `<index>/<name>/`, with the trailing slash PEP 503 requires.
fn project_url(index: &Url, name: &PackageName) -> Url {
    let mut url = index.clone();
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.join(&format!("{name}/")).unwrap_or(url)
}

fn page_from_entry(entry: Entry, requested: &Url) -> Option<(Entry, Url)> {
    if entry.info.not_found {
        return None;
    }
    let base = fetched_base(&entry.info, requested);
    Some((entry, base))
}

/// Whether a cached page may be used without asking the server: always offline, within its TTL
/// normally, never with `--refresh`.
fn usable_without_asking(mode: CacheMode, ttl: Duration, info: &EntryInfo) -> bool {
    mode == CacheMode::Offline || (mode == CacheMode::Normal && info.is_fresh(ttl))
}

/// The URL a page's relative links resolve against: where it came from, after redirects.
fn fetched_base(info: &EntryInfo, requested: &Url) -> Url {
    info.url
        .as_deref()
        .and_then(|url| Url::parse(url).ok())
        .unwrap_or_else(|| requested.clone())
}

/// Whether a cached page may be used when fresh, or must be fetched again (it was damaged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fresh {
    Accept,
    Refetch,
}

/// Parses an index page fetched from `base`; its files are recorded as listed by `index`.
fn parse_page(
    entry: &Entry,
    base: &Url,
    name: &PackageName,
    index: &Url,
) -> Result<ProjectFiles, IndexError> {
    let is_json = entry
        .info
        .content_type
        .as_deref()
        .is_some_and(|content_type| content_type.contains("json"));
    let origin = FileOrigin::Index(RedactedUrl::new(index.clone()));
    Ok(if is_json {
        json::parse_simple_json(&entry.body, base, name, &origin)?
    } else {
        html::parse_simple_html(&String::from_utf8_lossy(&entry.body), base, name, &origin)?
    })
}
