//! Sending requests: concurrency limit, retries with backoff, and request logging.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use url::Url;

use super::IndexError;
use super::admission::{Admission, Permit};
use super::auth::Credentialed;
use super::tls::LoadedTls;
use super::trusted::{TrustedHosts, relaxed_config};
use crate::types::{RedactedUrl, Sha256Digest, Sha256Hasher};

/// A fully read response.
pub(crate) struct Fetched {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) final_url: Url,
}

/// The HTTP side of the client: one connection pool, a bound on requests in flight, retries.
pub(crate) struct Http {
    /// Built on first use: loading the system's root certificates costs milliseconds that a
    /// warm or `--offline` run, which sends no request, should not pay.
    client: OnceLock<reqwest::Client>,
    /// The client for `--trusted-host`s, built the first time one is asked for.
    relaxed: OnceLock<reqwest::Client>,
    trusted: TrustedHosts,
    max_in_flight: usize,
    admission: Admission,
    retries: u32,
    tls: LoadedTls,
    sent: std::sync::atomic::AtomicUsize,
    /// The configured indexes' credentials, added to each request to their origins.
    credentials: Credentialed,
}

impl Http {
    pub(crate) fn new(
        max_in_flight: usize,
        retries: u32,
        tls: LoadedTls,
        trusted: TrustedHosts,
        credentials: Credentialed,
    ) -> Self {
        Self {
            client: OnceLock::new(),
            relaxed: OnceLock::new(),
            trusted,
            max_in_flight,
            admission: Admission::new(max_in_flight),
            retries,
            tls,
            sent: std::sync::atomic::AtomicUsize::new(0),
            credentials,
        }
    }

    /// The request `build` makes, with the credentials of `url`'s origin.
    fn request(&self, url: &Url, build: &impl Fn() -> RequestBuilder) -> RequestBuilder {
        self.credentials.apply(url, build())
    }

    /// The connection pool for requests to `url`, built the first time a request is about to
    /// be sent: the one for `--trusted-host`s when `url` is on one, else the main one.
    pub(crate) fn client(&self, url: &Url) -> Result<&reqwest::Client, IndexError> {
        if self.trusted.covers(url) {
            return self.relaxed_client();
        }
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let built = self
            .tls
            .apply(self.builder())
            .build()
            .map_err(|source| IndexError::Client { source })?;
        // Two tasks may race to build it; the first one stored is the one everybody uses.
        Ok(self.client.get_or_init(|| built))
    }

    /// The client for `--trusted-host`s: the main one's settings, with a TLS configuration
    /// that accepts the trusted hosts' certificates unverified (`trusted.rs`).
    fn relaxed_client(&self) -> Result<&reqwest::Client, IndexError> {
        if let Some(client) = self.relaxed.get() {
            return Ok(client);
        }
        let config = relaxed_config(&self.trusted, self.tls.ca_pem(), self.tls.identity_pem())
            .map_err(|reason| IndexError::TrustedHostSetup { reason })?;
        let built = self
            .builder()
            .tls_backend_preconfigured(config)
            .build()
            .map_err(|source| IndexError::Client { source })?;
        Ok(self.relaxed.get_or_init(|| built))
    }

    /// The settings both clients share.
    fn builder(&self) -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .user_agent(concat!("pinwheel/", env!("CARGO_PKG_VERSION")))
            // A redirect loop, or a chain longer than any index needs, is an error (reqwest's
            // default number, stated here so that it stays a bound).
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(self.max_in_flight)
    }

    /// How many requests were sent (retries included).
    pub(crate) fn requests_sent(&self) -> usize {
        self.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sends the request `build` makes and reads the whole body, retrying connection errors,
    /// timeouts, bodies cut off mid-stream and 5xx answers with exponential backoff. The permit
    /// is held until the body is read, so the bound is on transfers, not just on headers. Waits
    /// in the queue the current future's [`Urgency`](crate::types::Urgency) puts it in.
    ///
    /// A body longer than `max_body` bytes is an error naming the URL and the limit, read no
    /// further and not retried: a server must not make pinwheel hold an unbounded answer.
    pub(crate) async fn fetch(
        &self,
        url: &Url,
        max_body: BodyLimit,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Fetched, IndexError> {
        let mut tries = self.admit(url).await;
        loop {
            tries.begin();
            let outcome = match self.request(url, &build).send().await {
                Err(error) => Attempt::Failed(error),
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    let final_url = response.url().clone();
                    match read_body(response, max_body).await {
                        Ok(body) => Attempt::Answered {
                            status,
                            bytes: body.len() as u64,
                            answer: Fetched {
                                status,
                                headers,
                                body,
                                final_url,
                            },
                        },
                        Err(BodyFailure::Http(error)) => Attempt::Failed(error),
                        Err(BodyFailure::TooLarge) => Attempt::Fatal(IndexError::BodyTooLarge {
                            url: redact(url),
                            what: max_body.what,
                            limit: max_body.bytes,
                        }),
                    }
                }
            };
            if tries.retry_with_keyring(&outcome).await {
                continue;
            }
            if let Some(settled) = tries.settle(outcome) {
                return settled;
            }
            tries.pause().await;
        }
    }

    /// Waits for admission of one request to `url`, whose tries [`Tries`] then runs.
    async fn admit<'a>(&'a self, url: &'a Url) -> Tries<'a> {
        let queued = Instant::now();
        let permit = self.admission.admit().await;
        Tries {
            http: self,
            url,
            _permit: permit,
            queued_ms: queued.elapsed().as_millis(),
            retried: 0,
            asked_keyring: false,
            started: Instant::now(),
        }
    }
}

/// One admitted request's tries: the retry policy and the request log, shared by
/// [`Http::fetch`] and [`Http::stream_to`], which each write the try itself. The permit is held
/// until the last try ends.
struct Tries<'a> {
    http: &'a Http,
    url: &'a Url,
    _permit: Permit,
    queued_ms: u128,
    retried: u32,
    /// Whether a 401 has had the keyring asked for a password already.
    asked_keyring: bool,
    started: Instant,
}

impl Tries<'_> {
    /// A try starts.
    fn begin(&mut self) {
        self.started = Instant::now();
        self.http
            .sent
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Logs how the try ended; the request's result, or `None` to try again (after
    /// [`Tries::pause`]): 5xx answers and transient failures while retries remain.
    fn settle<T>(&mut self, outcome: Attempt<T>) -> Option<Result<T, IndexError>> {
        let elapsed = self.started.elapsed().as_millis();
        let url = redact(self.url);
        let may_retry = self.retried < self.http.retries;
        match outcome {
            Attempt::Answered { status, .. } if status.is_server_error() && may_retry => {
                tracing::info!("GET {url} -> {status} in {elapsed} ms, retrying");
                None
            }
            Attempt::Answered {
                status,
                bytes,
                answer,
            } => {
                tracing::info!(
                    "GET {url} -> {} ({bytes} bytes) in {elapsed} ms (queued {} ms)",
                    status.as_u16(),
                    self.queued_ms
                );
                Some(Ok(answer))
            }
            Attempt::Failed(error) => match tls_failure(&error) {
                Some(TlsFailure::Certificate(reason)) => {
                    let host = match (self.url.host_str(), self.url.port()) {
                        (Some(host), Some(port)) => format!("{host}:{port}"),
                        (host, _) => host.unwrap_or_default().to_string(),
                    };
                    Some(Err(IndexError::UntrustedCertificate { url, host, reason }))
                }
                None if may_retry && is_transient(&error) => {
                    tracing::info!("GET {url} failed in {elapsed} ms ({error}), retrying");
                    None
                }
                Some(TlsFailure::Other) | None => {
                    Some(Err(IndexError::Request { url, source: error }))
                }
            },
            Attempt::Fatal(error) => Some(Err(error)),
        }
    }

    /// Whether the try answered 401 and the keyring, asked for the first time for this
    /// request, has a password for the origin: then it is sent again at once, with it (the
    /// permit still held, no backoff: nothing failed but the missing password).
    async fn retry_with_keyring<T>(&mut self, outcome: &Attempt<T>) -> bool {
        let Attempt::Answered { status, .. } = outcome else {
            return false;
        };
        if *status != StatusCode::UNAUTHORIZED || self.asked_keyring {
            return false;
        }
        self.asked_keyring = true;
        if !self.http.credentials.keyring_after_401(self.url).await {
            return false;
        }
        let url = redact(self.url);
        tracing::info!("GET {url} -> 401, sending it again with the keyring's password");
        true
    }

    /// Waits before the next try, longer after each.
    async fn pause(&mut self) {
        self.retried += 1;
        tokio::time::sleep(backoff(self.retried)).await;
    }
}

/// What one try at a request came to.
enum Attempt<T> {
    /// The server answered with `status` and `bytes` of body (a 5xx is retried while retries
    /// remain).
    Answered {
        status: StatusCode,
        bytes: u64,
        answer: T,
    },
    /// The request or its body failed (retried when transient).
    Failed(reqwest::Error),
    /// A failure no retry mends.
    Fatal(IndexError),
}

/// How many redirects one request may follow.
pub(crate) const MAX_REDIRECTS: usize = 10;

/// The most bytes one kind of answer may have.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyLimit {
    /// What is fetched, for the error.
    pub(crate) what: &'static str,
    /// The limit.
    pub(crate) bytes: u64,
}

impl BodyLimit {
    /// An index or find-links page. PyPI's largest (JSON, thousands of releases) are tens of
    /// MiB.
    pub(crate) const PAGE: Self = Self {
        what: "index page",
        bytes: 256 * 1024 * 1024,
    };
    /// A PEP 658 metadata file: as much as a zip member may inflate to.
    pub(crate) const METADATA: Self = Self {
        what: "metadata file",
        bytes: crate::metadata::zipfile::MAX_ENTRY_SIZE,
    };
    /// A PEP 740 provenance object: a few attestations of ~10 KiB each.
    pub(crate) const PROVENANCE: Self = Self {
        what: "provenance",
        bytes: 16 * 1024 * 1024,
    };
    /// A file read whole into memory: a range answer (or the whole file, from a server that
    /// ignores `Range`), a direct URL's file. The largest wheels on PyPI are about 1 GiB.
    pub(crate) const FILE: Self = Self {
        what: "file",
        bytes: 2 * 1024 * 1024 * 1024,
    };
}

enum BodyFailure {
    Http(reqwest::Error),
    TooLarge,
}

/// Reads `response`'s body, stopping once it passes `limit`. A declared `Content-Length`
/// past the limit is refused before anything is read.
async fn read_body(
    mut response: reqwest::Response,
    limit: BodyLimit,
) -> Result<bytes::Bytes, BodyFailure> {
    if response
        .content_length()
        .is_some_and(|length| length > limit.bytes)
    {
        return Err(BodyFailure::TooLarge);
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyFailure::Http)? {
        if body.len() as u64 + chunk.len() as u64 > limit.bytes {
            return Err(BodyFailure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// How a streamed transfer ended.
pub(crate) enum Streamed {
    /// The body was written out whole: its sha256 and length.
    Body(Sha256Digest, u64),
    /// The server answered with this (non-success) status; nothing was written.
    Status(StatusCode),
}

/// How much of a streamed body is gathered before it is written out.
const WRITE_BUFFER: usize = 256 * 1024;

/// Why one attempt of a streamed transfer failed.
enum StreamFailure {
    Http(reqwest::Error),
    Write(std::io::Error),
}

impl Http {
    /// Sends the request `build` makes and streams a successful body into `out`, hashing it on
    /// the way, so a file of any size costs one buffer of memory. Retries as [`Http::fetch`]
    /// does; a body cut off mid-stream is fetched again from the start, over whatever the
    /// failed attempt wrote. `out_path` only names `out` in errors.
    pub(crate) async fn stream_to(
        &self,
        url: &Url,
        build: impl Fn() -> RequestBuilder,
        out: &mut tokio::fs::File,
        out_path: &std::path::Path,
    ) -> Result<Streamed, IndexError> {
        let mut tries = self.admit(url).await;
        loop {
            tries.begin();
            let outcome = match self.request(url, &build).send().await {
                Err(error) => Attempt::Failed(error),
                Ok(response) if !response.status().is_success() => Attempt::Answered {
                    status: response.status(),
                    bytes: 0,
                    answer: Streamed::Status(response.status()),
                },
                Ok(response) => {
                    let status = response.status();
                    match write_body(response, out).await {
                        Ok((digest, len)) => Attempt::Answered {
                            status,
                            bytes: len,
                            answer: Streamed::Body(digest, len),
                        },
                        Err(StreamFailure::Http(error)) => Attempt::Failed(error),
                        Err(StreamFailure::Write(source)) => Attempt::Fatal(IndexError::Local {
                            path: out_path.display().to_string(),
                            source,
                        }),
                    }
                }
            };
            if tries.retry_with_keyring(&outcome).await {
                continue;
            }
            if let Some(settled) = tries.settle(outcome) {
                return settled;
            }
            tries.pause().await;
        }
    }
}

/// Writes `response`'s body over `out` (from its start), hashing it.
async fn write_body(
    mut response: reqwest::Response,
    out: &mut tokio::fs::File,
) -> Result<(Sha256Digest, u64), StreamFailure> {
    use tokio::io::{AsyncSeekExt as _, AsyncWriteExt as _};
    out.set_len(0).await.map_err(StreamFailure::Write)?;
    out.rewind().await.map_err(StreamFailure::Write)?;
    // Network chunks are a few KiB; gathering them saves a blocking-pool round trip each.
    let mut writer = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, out);
    let mut hasher = Sha256Hasher::new();
    while let Some(chunk) = response.chunk().await.map_err(StreamFailure::Http)? {
        hasher.update(&chunk);
        writer
            .write_all(&chunk)
            .await
            .map_err(StreamFailure::Write)?;
    }
    writer.flush().await.map_err(StreamFailure::Write)?;
    Ok(hasher.finish())
}

fn is_transient(error: &reqwest::Error) -> bool {
    error.is_connect()
        || error.is_timeout()
        || error.is_body()
        || error.is_request()
        || error.is_decode()
}

/// A request that failed in the TLS handshake, which no retry mends: the same certificates meet
/// the same verdict.
enum TlsFailure {
    /// The server's certificate was refused; what rustls said of it.
    Certificate(String),
    /// Another handshake failure (the server refused the client's certificate, no common
    /// protocol version, …).
    Other,
}

/// Whether `error` is a handshake failure, found by walking its causes for rustls' error. The
/// connector wraps it in I/O errors (one inside another), whose `source` skips the error they
/// wrap, so an I/O error is opened by hand.
fn tls_failure(error: &reqwest::Error) -> Option<TlsFailure> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        match current.downcast_ref::<rustls::Error>() {
            Some(rustls::Error::InvalidCertificate(_)) => {
                return Some(TlsFailure::Certificate(current.to_string()));
            }
            Some(_) => return Some(TlsFailure::Other),
            None => {}
        }
        cause = match current.downcast_ref::<std::io::Error>() {
            Some(io) => match io.get_ref() {
                Some(inner) => Some(inner),
                None => current.source(),
            },
            None => current.source(),
        };
    }
    None
}

/// 200 ms, 400 ms, 800 ms, … capped at 5 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(100u64.saturating_mul(1 << attempt.min(6))).min(Duration::from_secs(5))
}

/// The URL as errors and logs show it: credentials hidden.
pub(crate) fn redact(url: &Url) -> String {
    RedactedUrl::new(url.clone()).to_string()
}
