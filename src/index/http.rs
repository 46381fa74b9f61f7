//! Sending requests: concurrency limit, retries with backoff, and request logging.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use url::Url;

use super::IndexError;
use super::admission::Admission;
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
    max_in_flight: usize,
    admission: Admission,
    retries: u32,
    sent: std::sync::atomic::AtomicUsize,
}

impl Http {
    pub(crate) fn new(max_in_flight: usize, retries: u32) -> Self {
        Self {
            client: OnceLock::new(),
            max_in_flight,
            admission: Admission::new(max_in_flight),
            retries,
            sent: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// The connection pool, built the first time a request is about to be sent.
    pub(crate) fn client(&self) -> Result<&reqwest::Client, IndexError> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let built = reqwest::Client::builder()
            .user_agent(concat!("pinwheel/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(self.max_in_flight)
            .build()
            .map_err(|source| IndexError::Client { source })?;
        // Two tasks may race to build it; the first one stored is the one everybody uses.
        Ok(self.client.get_or_init(|| built))
    }

    /// How many requests were sent (retries included).
    pub(crate) fn requests_sent(&self) -> usize {
        self.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sends the request `build` makes and reads the whole body, retrying connection errors,
    /// timeouts, bodies cut off mid-stream and 5xx answers with exponential backoff. The permit
    /// is held until the body is read, so the bound is on transfers, not just on headers. Waits
    /// in the queue the current future's [`Urgency`](crate::types::Urgency) puts it in.
    pub(crate) async fn fetch(
        &self,
        url: &Url,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Fetched, IndexError> {
        let queued = Instant::now();
        let _permit = self.admission.admit().await;
        let queued = queued.elapsed().as_millis();
        let mut attempt = 0;
        loop {
            let started = Instant::now();
            self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let outcome = match build().send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    let final_url = response.url().clone();
                    response.bytes().await.map(|body| Fetched {
                        status,
                        headers,
                        body,
                        final_url,
                    })
                }
                Err(error) => Err(error),
            };
            let elapsed = started.elapsed().as_millis();
            match outcome {
                Ok(fetched) if fetched.status.is_server_error() && attempt < self.retries => {
                    tracing::info!(
                        "GET {} -> {} in {elapsed} ms, retrying",
                        redact(url),
                        fetched.status
                    );
                }
                Ok(fetched) => {
                    tracing::info!(
                        "GET {} -> {} ({} bytes) in {elapsed} ms (queued {queued} ms)",
                        redact(url),
                        fetched.status.as_u16(),
                        fetched.body.len()
                    );
                    return Ok(fetched);
                }
                Err(error) if attempt < self.retries && is_transient(&error) => {
                    tracing::info!(
                        "GET {} failed in {elapsed} ms ({error}), retrying",
                        redact(url)
                    );
                }
                Err(source) => {
                    return Err(IndexError::Request {
                        url: redact(url),
                        source,
                    });
                }
            }
            attempt += 1;
            tokio::time::sleep(backoff(attempt)).await;
        }
    }
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
        let _permit = self.admission.admit().await;
        let mut attempt = 0;
        loop {
            let started = Instant::now();
            self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let outcome = match build().send().await {
                Ok(response) if response.status().is_server_error() && attempt < self.retries => {
                    tracing::info!("GET {} -> {}, retrying", redact(url), response.status());
                    attempt += 1;
                    tokio::time::sleep(backoff(attempt)).await;
                    continue;
                }
                Ok(response) if !response.status().is_success() => {
                    tracing::info!("GET {} -> {}", redact(url), response.status().as_u16());
                    return Ok(Streamed::Status(response.status()));
                }
                Ok(response) => {
                    let status = response.status();
                    write_body(response, out)
                        .await
                        .map(|(digest, len)| (status, digest, len))
                }
                Err(error) => Err(StreamFailure::Http(error)),
            };
            let elapsed = started.elapsed().as_millis();
            match outcome {
                Ok((status, digest, len)) => {
                    tracing::info!(
                        "GET {} -> {} ({len} bytes) in {elapsed} ms",
                        redact(url),
                        status.as_u16()
                    );
                    return Ok(Streamed::Body(digest, len));
                }
                Err(StreamFailure::Http(error))
                    if attempt < self.retries && is_transient(&error) =>
                {
                    tracing::info!(
                        "GET {} failed in {elapsed} ms ({error}), retrying",
                        redact(url)
                    );
                }
                Err(StreamFailure::Http(source)) => {
                    return Err(IndexError::Request {
                        url: redact(url),
                        source,
                    });
                }
                Err(StreamFailure::Write(source)) => {
                    return Err(IndexError::Local {
                        path: out_path.display().to_string(),
                        source,
                    });
                }
            }
            attempt += 1;
            tokio::time::sleep(backoff(attempt)).await;
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

/// 200 ms, 400 ms, 800 ms, … capped at 5 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(100u64.saturating_mul(1 << attempt.min(6))).min(Duration::from_secs(5))
}

/// The URL as errors and logs show it: credentials hidden.
pub(crate) fn redact(url: &Url) -> String {
    RedactedUrl::new(url.clone()).to_string()
}
