//! Sending requests: concurrency limit, retries with backoff, and request logging.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use tokio::sync::Semaphore;
use url::Url;

use super::IndexError;
use crate::types::RedactedUrl;

/// A fully read response.
pub(crate) struct Fetched {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) final_url: Url,
}

/// The HTTP side of the client: one connection pool, a bound on requests in flight, retries.
pub(crate) struct Http {
    pub(crate) client: reqwest::Client,
    permits: Semaphore,
    retries: u32,
    sent: std::sync::atomic::AtomicUsize,
}

impl Http {
    pub(crate) fn new(client: reqwest::Client, max_in_flight: usize, retries: u32) -> Self {
        Self {
            client,
            permits: Semaphore::new(max_in_flight.max(1)),
            retries,
            sent: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// How many requests were sent (retries included).
    pub(crate) fn requests_sent(&self) -> usize {
        self.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sends the request `build` makes and reads the whole body, retrying connection errors,
    /// timeouts, bodies cut off mid-stream and 5xx answers with exponential backoff. The permit
    /// is held until the body is read, so the bound is on transfers, not just on headers.
    pub(crate) async fn fetch(
        &self,
        url: &Url,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Fetched, IndexError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("the request semaphore is never closed");
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
                        "GET {} -> {} ({} bytes) in {elapsed} ms",
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
