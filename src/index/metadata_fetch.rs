//! Getting a distribution's core metadata, cheapest source first:
//!
//! 1. the cache (keyed by the file's sha256: immutable, never fetched twice);
//! 2. the PEP 658/714 `.metadata` file when the index advertises it;
//! 3. the same file probed when not advertised (this machine's PyPI mirror serves it for many
//!    files without saying so) — `ClientOptions::probe_unadvertised_metadata`;
//! 4. HTTP range reads of the wheel: one request for the last 64 KiB, which usually holds the
//!    central directory and often `METADATA` itself, and at most two more;
//! 5. the whole file, checked against the index's sha256.
//!
//! Sdists are streamed to a temporary file and read statically (`PKG-INFO` ≥ 2.2, static
//! `pyproject.toml`, `egg-info/requires.txt`); pinwheel never runs a build. A file whose metadata
//! cannot be known statically is [`FetchedMetadata::Unavailable`], not an error.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_RANGE, RANGE};
use url::Url;

use super::auth::key_url;
use super::http::{BodyLimit, redact};
use super::{CacheMode, IndexClient, IndexError};
use crate::cache::{CacheKey, EntryInfo};
use crate::metadata::{self, CoreMetadata, MetadataError, TailRead};
use crate::types::{
    DistFilename, IndexFile, MetadataAvailability, PackageName, SdistFilename, Sha256Digest,
    Version, filename_from_url,
};

/// The metadata of one file, or why it cannot be known statically.
#[derive(Clone, Debug)]
pub enum FetchedMetadata {
    /// Parsed metadata.
    Available(CoreMetadata),
    /// Malformed or unreadable; the text says why.
    Unavailable(String),
    /// Only knowable by building the sdist (its metadata is dynamic).
    NeedsBuild,
}

/// Cached bodies that record an unavailable outcome start with a line starting with this,
/// followed by ` v<STATIC_READER_VERSION>`.
const UNAVAILABLE_MARKER: &str = "pinwheel-unavailable";

/// The cached body recording that metadata needs a build: this, ` v<STATIC_READER_VERSION>`
/// and a newline.
const NEEDS_BUILD_MARKER: &str = "pinwheel-needs-build";

/// The generation of the static reader (`metadata::sdist_static_metadata`), written into cached
/// refusals. Metadata is cached forever under the file's digest, so a refusal cached by an
/// older reader would otherwise outlive the reader learning to read that file: bump this
/// whenever the reader learns something (1, unmarked: `PKG-INFO` 2.2, `[project]`,
/// `requires.txt`; 2: `setup.py`/`setup.cfg`, poetry/flit `PKG-INFO`, egg-info under `lib/`,
/// unsafe extra names, lenient `Requires-Python`; 3: repaired `Requires-Dist` lines, which
/// also turns refusals of wheels with such lines into metadata). Parsed metadata needs no
/// such mark: what was read stays true.
const STATIC_READER_VERSION: u32 = 3;

/// The first range request: large enough for the central directory of nearly every wheel, and
/// for `METADATA` too when it is stored near the end (as `*.dist-info` usually is).
const TAIL_BYTES: u64 = metadata::TAIL_REQUEST_SIZE;

/// The most a project hint may make the first range request ask for: beyond it, METADATA
/// is far from the end (some builders write it first) and the hint is not worth its bytes.
const MAX_HINTED_TAIL: u64 = 1024 * 1024;

/// What a range read of a `total`-byte wheel teaches about the project's next wheels: how many
/// bytes from the end the first request should ask for. It asked for the bytes from
/// `first_start` on, the tail held grew back to `tail_from`, and the lowest byte fetched was
/// `lowest`. `None` when the first request was enough.
fn tail_needed(total: u64, first_start: u64, tail_from: u64, lowest: u64) -> Option<u64> {
    if lowest >= first_start {
        return None;
    }
    let everything = total - lowest;
    // METADATA far from the end (some builders write it first): at least get the central
    // directory in one request.
    Some(if everything <= MAX_HINTED_TAIL {
        everything
    } else {
        total - tail_from
    })
}

/// Range requests after the first, at most, before downloading the whole wheel instead.
const MAX_RANGE_ROUNDS: usize = 4;

impl IndexClient {
    /// The core metadata of a listed file.
    ///
    /// # Errors
    /// On network failures, digest mismatches, or an `--offline` cache miss. Metadata that is
    /// merely unknowable is `Ok(Unavailable)`.
    pub async fn metadata(&self, file: &IndexFile) -> Result<FetchedMetadata, IndexError> {
        let outcome = match self.metadata_of(file).await {
            Ok(outcome) => outcome,
            Err(error) => return Err(self.listed_file_gone(file, error).await),
        };
        self.inner.repairs.note(&outcome);
        Ok(outcome)
    }

    /// [`IndexClient::metadata`], before its repairs are reported.
    async fn metadata_of(&self, file: &IndexFile) -> Result<FetchedMetadata, IndexError> {
        let key = super::metadata_cache_key(file);
        let offline = self.inner.options.cache_mode == CacheMode::Offline;
        if let Some(outcome) = self.local_metadata(file) {
            return Ok(outcome);
        }
        if let Some(entry) = self.shared_entry(&key).await
            && let Some(outcome) = self.usable_cached_metadata(file, &entry.body)
        {
            self.note_cached(file);
            return Ok(outcome);
        }
        if offline {
            return Err(IndexError::OfflineMiss {
                what: format!("metadata of {}", file.filename),
            });
        }
        let outcome = match &file.dist {
            DistFilename::Wheel(wheel) => {
                let bytes = self
                    .wheel_metadata_bytes(file, &wheel.name, &wheel.version)
                    .await?;
                parse_wheel_metadata(&bytes)
            }
            DistFilename::Sdist(sdist) => self.sdist_metadata(file, sdist).await?,
        };
        let info = EntryInfo::now_for_file(file.dist.name(), &file.filename);
        self.cache_put(&key, &encode_cached(&outcome), &info).await;
        self.note_cached(file);
        Ok(outcome)
    }

    /// [`IndexClient::metadata`] when the cache holds it, on the calling thread: it blocks on
    /// the disk, so only a thread that may block calls it. `None` when it is not cached (or is
    /// a refusal by an older reader, to be read again).
    #[must_use]
    pub fn metadata_at_hand(&self, file: &IndexFile) -> Option<FetchedMetadata> {
        let outcome = self.local_metadata(file)?;
        self.inner.repairs.note(&outcome);
        Some(outcome)
    }

    /// A cached metadata body as an answer, unless it is a refusal an older reader cached
    /// (offline, even that is the best answer there is).
    pub(super) fn usable_cached_metadata(
        &self,
        file: &IndexFile,
        body: &[u8],
    ) -> Option<FetchedMetadata> {
        match decode_cached(body) {
            Cached::Current(outcome) => {
                tracing::info!("cache hit: metadata of {}", file.filename);
                Some(outcome)
            }
            Cached::Stale(outcome) if self.inner.options.cache_mode == CacheMode::Offline => {
                Some(outcome)
            }
            Cached::Stale(_) => {
                tracing::info!(
                    "reading {} again: its cached refusal predates this version's reader",
                    file.filename
                );
                None
            }
        }
    }

    async fn wheel_metadata_bytes(
        &self,
        file: &IndexFile,
        name: &PackageName,
        version: &Version,
    ) -> Result<Vec<u8>, IndexError> {
        let url = url_of(file)?;
        if !file.url.is_local() {
            let advertised = match &file.metadata {
                MetadataAvailability::Advertised(digest) => Some(*digest),
                MetadataAvailability::NotAdvertised => None,
            };
            let probe =
                self.inner.options.probe_unadvertised_metadata && !self.hints(name).probe_missed;
            if advertised.is_some() || probe {
                if let Some(bytes) = self.metadata_file(&url, advertised.flatten()).await? {
                    return Ok(bytes);
                }
                if advertised.is_none() {
                    self.update_hints(name, |hints| hints.probe_missed = true);
                }
            }
            if let Some(bytes) = self.metadata_by_range(file, name, version).await? {
                return Ok(bytes);
            }
        }
        let whole = self.download(file).await?;
        metadata::metadata_from_wheel(&whole, name, version).map_err(|source| IndexError::Wheel {
            url: redact(&url),
            source,
        })
    }

    /// An sdist's static metadata. Sdists can be tens of megabytes (scipy's are 42 MB) and the
    /// solver may read several at once while it backtracks: the file is streamed to a temporary
    /// file, checked, and read from disk on a blocking thread, rather than held in memory
    /// (scispacy.in peaked at 200 MB that way).
    async fn sdist_metadata(
        &self,
        file: &IndexFile,
        sdist: &SdistFilename,
    ) -> Result<FetchedMetadata, IndexError> {
        let local_error = |path: &std::path::Path, source| IndexError::Local {
            path: path.display().to_string(),
            source,
        };
        let temporary = tempfile::NamedTempFile::new()
            .map_err(|source| local_error(&std::env::temp_dir(), source))?;
        let out = temporary
            .reopen()
            .map_err(|source| local_error(temporary.path(), source))?;
        let url = url_of(file)?;
        let (actual, _) = self.fetch_distribution(&url, out, temporary.path()).await?;
        if let Some(expected) = file.sha256 {
            check_digest(&url, actual, expected)?;
        }
        let sdist = sdist.clone();
        let (outcome, temporary) = tokio::task::spawn_blocking(move || {
            let outcome =
                sdist_outcome(metadata::sdist_static_metadata_at(temporary.path(), &sdist));
            (outcome, temporary)
        })
        .await?;
        // Its metadata needs a build, which will want this very file: keep it rather than
        // download it twice (numpy's sdists are 15 MB or more).
        if matches!(outcome, FetchedMetadata::NeedsBuild)
            && let Some(listed) = file.sha256
            && let Err(error) = self
                .cache_distribution(listed, temporary.path(), &url, true)
                .await
        {
            tracing::debug!("could not keep {}: {error}", file.filename);
        }
        Ok(outcome)
    }

    /// `GET <file>.metadata`; `None` when it does not exist.
    async fn metadata_file(
        &self,
        url: &Url,
        expected: Option<Sha256Digest>,
    ) -> Result<Option<Vec<u8>>, IndexError> {
        let mut metadata_url = url.clone();
        metadata_url.set_path(&format!("{}.metadata", url.path()));
        let http = &self.inner.http;
        let client = http.client(&metadata_url)?;
        let fetched = http
            .fetch(&metadata_url, BodyLimit::METADATA, || {
                client.get(metadata_url.clone())
            })
            .await?;
        if !fetched.status.is_success() {
            return Ok(None);
        }
        let body = fetched.body.to_vec();
        if let Some(expected) = expected {
            verify(&metadata_url, &body, expected)?;
        }
        Ok(Some(body))
    }

    /// Reads `METADATA` out of the wheel with range requests; `None` when the server does not
    /// honour them. `metadata::PartialWheel` plans each next range; most wheels need one request.
    async fn metadata_by_range(
        &self,
        file: &IndexFile,
        name: &PackageName,
        version: &Version,
    ) -> Result<Option<Vec<u8>>, IndexError> {
        let url = url_of(file)?;
        let zip_error = |source| IndexError::Wheel {
            url: redact(&url),
            source,
        };
        // A project's wheels are laid out alike: when the last one needed more than the default
        // tail, ask for as much at once (within reason: some put METADATA first).
        let tail_bytes = self
            .hints(name)
            .tail_needed
            .map_or(TAIL_BYTES, |needed| (needed + 16 * 1024).max(TAIL_BYTES));
        let Some(first) = self.range(&url, &format!("bytes=-{tail_bytes}")).await? else {
            return Ok(None);
        };
        let (first_start, total, tail) = match first {
            RangeAnswer::Partial { start, total, body } => (start, total, body),
            // The server ignored the range and sent the whole file.
            RangeAnswer::Whole(body) => {
                if let Some(expected) = file.sha256 {
                    verify(&url, &body, expected)?;
                }
                return metadata::metadata_from_wheel(&body, name, version)
                    .map(Some)
                    .map_err(zip_error);
            }
        };
        let mut wheel = metadata::PartialWheel::new(total);
        wheel.add_range(first_start, tail).map_err(zip_error)?;
        // Where the tail held grows to (backwards, for a long central directory), and the
        // lowest byte fetched at all (METADATA's, when it lay before the tail).
        let (mut tail_from, mut lowest) = (first_start, first_start);
        for _ in 0..MAX_RANGE_ROUNDS {
            match wheel.metadata(name, version).map_err(zip_error)? {
                TailRead::Metadata(bytes) => {
                    if let Some(needed) = tail_needed(total, first_start, tail_from, lowest) {
                        self.update_hints(name, |hints| hints.tail_needed = Some(needed));
                    }
                    return Ok(Some(bytes));
                }
                TailRead::NeedRange { start, end } => {
                    let range = format!("bytes={start}-{}", end.saturating_sub(1));
                    let Some(RangeAnswer::Partial {
                        start: got, body, ..
                    }) = self.range(&url, &range).await?
                    else {
                        return Ok(None);
                    };
                    if end == tail_from {
                        tail_from = got;
                    }
                    lowest = lowest.min(got);
                    wheel.add_range(got, body).map_err(zip_error)?;
                }
            }
        }
        Ok(None)
    }

    async fn range(&self, url: &Url, range: &str) -> Result<Option<RangeAnswer>, IndexError> {
        let http = &self.inner.http;
        let client = http.client(url)?;
        // reqwest would otherwise ask for gzip, and a compressed range is useless.
        let fetched = http
            .fetch(url, BodyLimit::FILE, || {
                client
                    .get(url.clone())
                    .header(RANGE, range)
                    .header(ACCEPT_ENCODING, "identity")
            })
            .await?;
        match fetched.status {
            StatusCode::PARTIAL_CONTENT => {
                let content_range = fetched
                    .headers
                    .get(CONTENT_RANGE)
                    .and_then(|value| value.to_str().ok());
                let Some((start, total)) = content_range.and_then(parse_content_range) else {
                    return Ok(None);
                };
                Ok(Some(RangeAnswer::Partial {
                    start,
                    total,
                    body: fetched.body.to_vec(),
                }))
            }
            StatusCode::OK => Ok(Some(RangeAnswer::Whole(fetched.body.to_vec()))),
            _ => Ok(None),
        }
    }

    /// Downloads a whole file (or reads a local one), checked against the index's sha256.
    ///
    /// # Errors
    /// On network failures, a non-success status, or a digest mismatch.
    pub async fn download(&self, file: &IndexFile) -> Result<Vec<u8>, IndexError> {
        let url = url_of(file)?;
        let body = match self.fetch_bytes(&url).await {
            Ok(body) => body,
            Err(error) => return Err(self.listed_file_gone(file, error).await),
        };
        if let Some(expected) = file.sha256 {
            verify(&url, &body, expected)?;
        }
        Ok(body)
    }

    /// The sha256 of a file: the index's when it listed one, else computed from the file's
    /// bytes once and remembered in the cache by URL (so a warm or `--offline` run needs no
    /// download).
    ///
    /// # Errors
    /// On network failures, a non-success status, or a cache miss when offline.
    pub async fn file_sha256(&self, file: &IndexFile) -> Result<Sha256Digest, IndexError> {
        if let Some(digest) = self.known_sha256(file).await? {
            return Ok(digest);
        }
        let url = url_of(file)?;
        let body = match self.fetch_bytes(&url).await {
            Ok(body) => body,
            Err(error) => return Err(self.listed_file_gone(file, error).await),
        };
        let digest = Sha256Digest::of(&body);
        let info = EntryInfo::now_for_file(file.dist.name(), &file.filename);
        self.remember_sha256(&url, digest, &info).await;
        Ok(digest)
    }

    /// The sha256 of a file when it is known without fetching it: the index's, or one computed
    /// earlier and remembered in the cache by URL.
    ///
    /// # Errors
    /// Only when a blocking cache task fails.
    pub async fn known_sha256(&self, file: &IndexFile) -> Result<Option<Sha256Digest>, IndexError> {
        if let Some(digest) = file.sha256 {
            return Ok(Some(digest));
        }
        let key = CacheKey::UrlDigest(key_url(&url_of(file)?));
        let cached = self
            .cache_get(&key)
            .await?
            .and_then(|entry| std::str::from_utf8(&entry.body).ok()?.parse().ok());
        if cached.is_some() {
            tracing::info!("cache hit: sha256 of {}", file.filename);
        }
        Ok(cached)
    }

    /// Remembers the sha256 of the file at `url` (one the index did not list) in the cache.
    pub(crate) async fn remember_sha256(&self, url: &Url, digest: Sha256Digest, info: &EntryInfo) {
        let key = CacheKey::UrlDigest(key_url(url));
        self.cache_put(&key, digest.to_string().as_bytes(), info)
            .await;
    }

    async fn fetch_bytes(&self, url: &Url) -> Result<Vec<u8>, IndexError> {
        if url.scheme() == "file" {
            let path = url.to_file_path().map_err(|()| IndexError::Local {
                path: url.to_string(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a local path"),
            })?;
            return tokio::fs::read(&path)
                .await
                .map_err(|source| IndexError::Local {
                    path: path.display().to_string(),
                    source,
                });
        }
        if self.inner.options.cache_mode == CacheMode::Offline {
            return Err(IndexError::OfflineMiss {
                what: redact(url).to_string(),
            });
        }
        let http = &self.inner.http;
        let client = http.client(url)?;
        let fetched = http
            .fetch(url, BodyLimit::FILE, || client.get(url.clone()))
            .await?;
        if !fetched.status.is_success() {
            return Err(IndexError::Status {
                url: redact(url),
                status: fetched.status.as_u16(),
            });
        }
        Ok(fetched.body.to_vec())
    }

    /// A direct URL requirement: the file described as an index file, and its metadata.
    ///
    /// Remote files are cached by URL. Local files (`file://`) are read again on every run: a
    /// path, unlike a URL, is routinely rebuilt in place (`dist/foo-1.0-py3-none-any.whl`), so
    /// its contents cannot be assumed to stay the same.
    ///
    /// # Errors
    /// On network failures or a file name that is not a distribution of `name`.
    pub async fn direct_url(
        &self,
        name: &PackageName,
        url: &Url,
    ) -> Result<(IndexFile, FetchedMetadata), IndexError> {
        let mut file = direct_url_file(name, url)?;
        // The `#sha256=` a direct URL may carry is what the file must be, as pip checks it.
        let promised = super::html::take_fragment_sha256(&mut url.clone());
        let local = file.url.is_local();
        let url = url_of(&file)?;
        let key = CacheKey::UrlMetadata(key_url(&url));
        let cached = if local {
            None
        } else {
            self.cache_get(&key).await?
        };
        let offline = self.inner.options.cache_mode == CacheMode::Offline;
        let cached = cached
            .and_then(|entry| Some((entry.info.sha256.as_deref()?.parse().ok()?, entry.body)))
            .and_then(|(digest, body)| match decode_cached(&body) {
                Cached::Current(outcome) => Some((digest, outcome)),
                Cached::Stale(outcome) => offline.then_some((digest, outcome)),
            });
        let (digest, outcome) = match cached {
            Some(found) => found,
            None => {
                let body = self.fetch_bytes(&url).await?;
                let digest = Sha256Digest::of(&body);
                let outcome = direct_outcome(&body, &file.dist);
                if !local {
                    let info = EntryInfo {
                        sha256: Some(digest.to_string()),
                        ..EntryInfo::now_for_file(name, &file.filename)
                    };
                    self.cache_put(&key, &encode_cached(&outcome), &info).await;
                }
                (digest, outcome)
            }
        };
        if let Some(promised) = promised {
            check_digest(&url, digest, promised)?;
        }
        file.sha256 = Some(digest);
        self.inner.repairs.note(&outcome);
        Ok((file, outcome))
    }
}

/// The metadata of a whole distribution file named by a direct URL.
fn direct_outcome(body: &[u8], dist: &DistFilename) -> FetchedMetadata {
    match dist {
        DistFilename::Wheel(wheel) => {
            match metadata::metadata_from_wheel(body, &wheel.name, &wheel.version) {
                Ok(bytes) => parse_wheel_metadata(&bytes),
                Err(error) => {
                    FetchedMetadata::Unavailable(format!("has an unreadable wheel: {error}"))
                }
            }
        }
        DistFilename::Sdist(sdist) => sdist_outcome(metadata::sdist_static_metadata(body, sdist)),
    }
}

/// The file a direct URL requirement (`name @ url`) names, described as an index file: the name
/// is the URL's last path segment, percent-decoded, and must be a wheel or sdist of `name`. The
/// fragment (`#sha256=…`, `#egg=…`) is dropped from the URL; no digest is known yet.
///
/// # Errors
/// When the file name is not a distribution of `name`.
pub fn direct_url_file(name: &PackageName, url: &Url) -> Result<IndexFile, IndexError> {
    let mut without_fragment = url.clone();
    without_fragment.set_fragment(None);
    let filename = filename_from_url(&without_fragment);
    let dist =
        DistFilename::parse(&filename, name).map_err(|source| IndexError::NotADistribution {
            url: redact(url),
            source,
        })?;
    Ok(IndexFile {
        filename,
        dist,
        url: without_fragment.into(),
        sha256: None,
        requires_python: None,
        yanked: crate::types::Yanked::No,
        upload_time: None,
        metadata: MetadataAvailability::NotAdvertised,
        size: None,
        origin: crate::types::FileOrigin::DirectUrl,
        provenance: None,
    })
}

enum RangeAnswer {
    Partial {
        start: u64,
        total: u64,
        body: Vec<u8>,
    },
    Whole(Vec<u8>),
}

/// `bytes 100-199/1000` → (100, 1000).
/// Where to fetch `file` from.
///
/// # Errors
/// When the file's record came from the cache and its URL no longer parses.
pub fn url_of(file: &IndexFile) -> Result<Url, IndexError> {
    file.url.parse().map_err(|source| IndexError::CachedUrl {
        filename: file.filename.clone(),
        source,
    })
}

fn parse_content_range(value: &str) -> Option<(u64, u64)> {
    let rest = value.strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let (start, _) = span.split_once('-')?;
    Some((start.trim().parse().ok()?, total.trim().parse().ok()?))
}

fn verify(url: &Url, body: &[u8], expected: Sha256Digest) -> Result<(), IndexError> {
    check_digest(url, Sha256Digest::of(body), expected)
}

/// A mismatch of the file at `url` when `actual` is not the `expected` digest.
fn check_digest(url: &Url, actual: Sha256Digest, expected: Sha256Digest) -> Result<(), IndexError> {
    if actual == expected {
        Ok(())
    } else {
        Err(IndexError::HashMismatch {
            url: redact(url),
            expected,
            actual,
        })
    }
}

fn parse_wheel_metadata(bytes: &[u8]) -> FetchedMetadata {
    match metadata::parse_core_metadata(bytes) {
        Ok(parsed) => FetchedMetadata::Available(parsed),
        Err(error) => FetchedMetadata::Unavailable(format!("has invalid metadata: {error}")),
    }
}

fn sdist_outcome(result: Result<CoreMetadata, MetadataError>) -> FetchedMetadata {
    match result {
        Ok(parsed) => FetchedMetadata::Available(parsed),
        Err(MetadataError::Dynamic { .. }) => FetchedMetadata::NeedsBuild,
        Err(error) => {
            FetchedMetadata::Unavailable(format!("has no readable static metadata: {error}"))
        }
    }
}

fn encode_cached(outcome: &FetchedMetadata) -> Vec<u8> {
    match outcome {
        FetchedMetadata::Available(parsed) => metadata_text(parsed).into_bytes(),
        FetchedMetadata::Unavailable(reason) => {
            format!("{UNAVAILABLE_MARKER} v{STATIC_READER_VERSION}\n{reason}").into_bytes()
        }
        FetchedMetadata::NeedsBuild => {
            format!("{NEEDS_BUILD_MARKER} v{STATIC_READER_VERSION}\n").into_bytes()
        }
    }
}

/// Core metadata as a METADATA file, so that metadata read from an sdist is cached in the same
/// form as a wheel's and parsed by the same code on the next run.
fn metadata_text(metadata: &CoreMetadata) -> String {
    use std::fmt::Write as _;
    let mut text = format!(
        "Metadata-Version: 2.2\nName: {}\nVersion: {}\n",
        metadata.name, metadata.version
    );
    if let Some(requires_python) = &metadata.requires_python {
        let _ = writeln!(text, "Requires-Python: {requires_python}");
    }
    for requirement in &metadata.requires_dist {
        let _ = writeln!(text, "Requires-Dist: {requirement}");
    }
    for extra in &metadata.provides_extra {
        let _ = writeln!(text, "Provides-Extra: {extra}");
    }
    // The requirements above are the repaired ones; the lines as published are kept so that a
    // warm run warns about them as the cold one did.
    for repair in &metadata.repairs {
        let _ = writeln!(
            text,
            "{}: {}",
            metadata::core::REPAIRED_HEADER,
            repair.original
        );
    }
    text
}

/// A cached outcome, and whether the reader that produced it is the current one.
#[derive(Debug)]
enum Cached {
    Current(FetchedMetadata),
    /// A refusal recorded by an older static reader: worth reading the file again.
    Stale(FetchedMetadata),
}

fn decode_cached(body: &[u8]) -> Cached {
    let (first_line, rest) = match body.iter().position(|&byte| byte == b'\n') {
        Some(newline) => (&body[..newline], &body[newline + 1..]),
        None => (body, &[][..]),
    };
    let first_line = String::from_utf8_lossy(first_line);
    let current = format!("v{STATIC_READER_VERSION}");
    let refusal = if let Some(version) = first_line.strip_prefix(NEEDS_BUILD_MARKER) {
        Some((version, FetchedMetadata::NeedsBuild))
    } else {
        first_line.strip_prefix(UNAVAILABLE_MARKER).map(|version| {
            let reason = String::from_utf8_lossy(rest).into_owned();
            (version, FetchedMetadata::Unavailable(reason))
        })
    };
    match refusal {
        Some((version, outcome)) if version.trim() == current => Cached::Current(outcome),
        Some((_, outcome)) => Cached::Stale(outcome),
        None => Cached::Current(parse_wheel_metadata(body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_wheel_of_a_project_asks_for_what_this_one_needed() {
        const MIB: u64 = 1024 * 1024;
        let total = 20 * MIB;
        let first = total - TAIL_BYTES;
        // The first request held everything.
        assert_eq!(tail_needed(total, first, first, first), None);
        // A long central directory, METADATA inside the stretch fetched with it.
        assert_eq!(
            tail_needed(total, first, total - 400_000, total - 400_000),
            Some(400_000)
        );
        // METADATA further back, in a third request.
        assert_eq!(
            tail_needed(total, first, total - 300_000, total - 460_000),
            Some(460_000)
        );
        // METADATA at the start of the file: only the central directory is worth asking for.
        assert_eq!(tail_needed(total, first, total - 300_000, 0), Some(300_000));
    }

    #[test]
    fn cached_refusals_of_an_older_reader_are_stale() {
        let current = [
            FetchedMetadata::NeedsBuild,
            FetchedMetadata::Unavailable("has invalid metadata: x\ny".to_string()),
        ];
        for outcome in current {
            let encoded = encode_cached(&outcome);
            match (decode_cached(&encoded), &outcome) {
                (Cached::Current(FetchedMetadata::NeedsBuild), FetchedMetadata::NeedsBuild) => {}
                (
                    Cached::Current(FetchedMetadata::Unavailable(got)),
                    FetchedMetadata::Unavailable(wanted),
                ) => assert_eq!(&got, wanted),
                (other, _) => panic!("{outcome:?} came back as {other:?}"),
            }
        }
        // What pinwheel 0.1 wrote, and a refusal from some other generation.
        for old in [
            &b"pinwheel-needs-build\n"[..],
            b"pinwheel-unavailable\nhas no readable static metadata: y",
            b"pinwheel-needs-build v1\n",
        ] {
            assert!(
                matches!(decode_cached(old), Cached::Stale(_)),
                "{}",
                String::from_utf8_lossy(old)
            );
        }
        assert!(matches!(
            decode_cached(b"pinwheel-unavailable\nreason"),
            Cached::Stale(FetchedMetadata::Unavailable(reason)) if reason == "reason"
        ));
        // Parsed metadata never goes stale.
        let metadata = b"Metadata-Version: 2.1\nName: a\nVersion: 1\n";
        assert!(matches!(
            decode_cached(metadata),
            Cached::Current(FetchedMetadata::Available(_))
        ));
    }

    #[test]
    fn cached_metadata_keeps_its_repairs() {
        let published = b"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: b (>=1<2)\n";
        let FetchedMetadata::Available(parsed) = parse_wheel_metadata(published) else {
            panic!("the repairable line made the metadata unavailable");
        };
        assert_eq!(parsed.repairs.len(), 1);
        let encoded = encode_cached(&FetchedMetadata::Available(parsed.clone()));
        match decode_cached(&encoded) {
            Cached::Current(FetchedMetadata::Available(cached)) => {
                assert_eq!(cached.requires_dist, parsed.requires_dist);
                assert_eq!(cached.repairs, parsed.repairs);
            }
            other => panic!("came back as {other:?}"),
        }
    }

    #[test]
    fn parses_content_range() {
        assert_eq!(parse_content_range("bytes 100-199/1000"), Some((100, 1000)));
        assert_eq!(parse_content_range("bytes */1000"), None);
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }
}
