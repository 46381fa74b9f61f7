//! The hermetic HTTP index: serves project pages and distribution files on 127.0.0.1 from a
//! `Catalog`, on its own thread with its own tokio runtime, and logs every request.
//!
//! It owns routing, status codes, headers and the server's lifetime. It must not build
//! distribution bytes (`dist_builder`) or page text (`pages`), and it never sleeps.

use std::collections::BTreeSet;
use std::future::IntoFuture;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::header::{
    ACCEPT_RANGES, AUTHORIZATION, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG,
    IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION, RANGE, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::StreamExt as _;
use tokio::sync::oneshot;

use super::catalog::{Artifact, Catalog};
use super::dist_builder::sha256_hex;
use super::model::{
    Fault, MetadataMode, PageFormat, RangeMode, ServerOptions, TestPackage, Validators,
    normalize_name,
};
use super::pages::{html_page, html_root, json_page, json_root};
use super::ranges::{RangeRequest, parse_range};

/// The PEP 691 JSON content type.
pub const JSON_CONTENT_TYPE: &str = "application/vnd.pypi.simple.v1+json";
/// The content type of HTML pages.
pub const HTML_CONTENT_TYPE: &str = "text/html; charset=utf-8";
/// The content type of distribution and `.metadata` files.
const FILE_CONTENT_TYPE: &str = "application/octet-stream";
/// The `Last-Modified` of every project page with [`Validators::LastModified`].
pub const PAGES_LAST_MODIFIED: &str = "Wed, 21 Oct 2015 07:28:00 GMT";

/// What the request handlers share.
struct ServerState {
    catalog: Catalog,
    options: ServerOptions,
    /// `http://127.0.0.1:PORT/files/`: file URLs are this plus the filename.
    files_base: String,
    /// `"METHOD path [range]"` per request, in arrival order.
    log: Mutex<Vec<String>>,
    /// Notified after each line is logged (`TestIndex::wait_for_request`).
    logged: Condvar,
    /// The `Authorization` header every request must carry (`Basic …`), if any: requests
    /// without it get a 401, as a private index answers.
    authorization: Option<String>,
    /// Files deleted while the server runs (`TestIndex::remove_file`).
    removed: Mutex<BTreeSet<String>>,
    /// Files that answer 404 but stay listed (`TestIndex::stop_serving`).
    unserved: Mutex<BTreeSet<String>>,
    /// TLS handshakes begun, failed ones included (`TestIndex::tls_handshakes`).
    handshakes: AtomicUsize,
    /// The paths whose first request got `ServerOptions::first_fault` already.
    faulted: Mutex<BTreeSet<String>>,
    /// The paths of the pages answered 304 Not Modified, in order (`TestIndex::not_modified`).
    not_modified: Mutex<Vec<String>>,
}

impl ServerState {
    fn is_removed(&self, filename: &str) -> bool {
        self.removed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(filename)
    }

    fn is_unserved(&self, filename: &str) -> bool {
        self.is_removed(filename)
            || self
                .unserved
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(filename)
    }
}

/// A running test index; dropping it stops the server and joins its thread.
pub struct TestIndex {
    origin: String,
    state: Arc<ServerState>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TestIndex {
    /// Builds every file of `packages` and starts serving them on an ephemeral port of
    /// 127.0.0.1. Returns once the socket is listening, so requests may be sent at once.
    ///
    /// # Panics
    /// If the socket or the runtime cannot be set up, or the description names a file twice.
    pub fn start(packages: Vec<TestPackage>, options: ServerOptions) -> TestIndex {
        Self::start_serving(packages, options, None, None)
    }

    /// [`TestIndex::start`], but over HTTPS with `tls` (see `TestPki::server_config`): the
    /// origin is `https://127.0.0.1:PORT`, and page and file URLs use it too.
    ///
    /// # Panics
    /// As [`TestIndex::start`].
    pub fn start_tls(
        packages: Vec<TestPackage>,
        options: ServerOptions,
        tls: Arc<rustls::ServerConfig>,
    ) -> TestIndex {
        Self::start_serving(packages, options, None, Some(tls))
    }

    /// [`TestIndex::start`], but every request (pages and files) must authenticate with HTTP
    /// Basic auth as `user`:`password`; any other gets a 401.
    ///
    /// # Panics
    /// As [`TestIndex::start`].
    pub fn start_with_basic_auth(
        packages: Vec<TestPackage>,
        options: ServerOptions,
        user: &str,
        password: &str,
    ) -> TestIndex {
        use base64::Engine as _;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Self::start_serving(packages, options, Some(format!("Basic {token}")), None)
    }

    fn start_serving(
        packages: Vec<TestPackage>,
        options: ServerOptions,
        authorization: Option<String>,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> TestIndex {
        // Binding here, before the thread starts, is what makes "listening" true on return:
        // connections queue in the backlog until the server accepts them.
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("binding the test index socket");
        listener
            .set_nonblocking(true)
            .expect("making the test index socket non-blocking");
        let address = listener
            .local_addr()
            .expect("reading the test index address");
        let scheme = if tls.is_some() { "https" } else { "http" };
        let origin = format!("{scheme}://{address}");
        let state = Arc::new(ServerState {
            catalog: Catalog::build(packages),
            options,
            files_base: format!("{origin}/files/"),
            log: Mutex::new(Vec::new()),
            logged: Condvar::new(),
            authorization,
            removed: Mutex::new(BTreeSet::new()),
            unserved: Mutex::new(BTreeSet::new()),
            handshakes: AtomicUsize::new(0),
            faulted: Mutex::new(BTreeSet::new()),
            not_modified: Mutex::new(Vec::new()),
        });
        let app = router(Arc::clone(&state));
        let (shutdown, shutdown_signal) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("test-index-{}", address.port()))
            .spawn({
                let state = Arc::clone(&state);
                move || serve(listener, tls, &state, app, shutdown_signal)
            })
            .expect("spawning the test index thread");
        TestIndex {
            origin,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// The simple-API root, e.g. `http://127.0.0.1:PORT/simple` (no trailing slash).
    pub fn index_url(&self) -> String {
        format!("{}/simple", self.origin)
    }

    /// The base of file URLs, e.g. `http://127.0.0.1:PORT/files/` (with a trailing slash).
    pub fn files_dir_url(&self) -> String {
        self.state.files_base.clone()
    }

    /// Every request received so far as `"METHOD path"`, followed by `" <Range header>"` when
    /// one was sent, e.g. `"GET /files/a-1.0-py3-none-any.whl bytes=-8192"`, and by
    /// `" if-none-match=<value>"` and `" if-modified-since=<value>"` for conditional requests.
    pub fn requests(&self) -> Vec<String> {
        self.state
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Blocks until a request whose log line contains `needle` has arrived (at once if one
    /// has), without polling: the log notifies each line. Panics after `limit`, so that a
    /// client that never sends it fails the test instead of hanging it.
    pub fn wait_for_request(&self, needle: &str, limit: std::time::Duration) {
        let log = self
            .state
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (_log, timeout) = self
            .state
            .logged
            .wait_timeout_while(log, limit, |log| {
                !log.iter().any(|line| line.contains(needle))
            })
            .unwrap_or_else(PoisonError::into_inner);
        assert!(
            !timeout.timed_out(),
            "no request for `{needle}` within {limit:?}"
        );
    }

    /// How many TLS handshakes clients began, failed ones included: a failed handshake sends
    /// no request, so this is what counts a client's attempts at an untrusted server.
    pub fn tls_handshakes(&self) -> usize {
        self.state.handshakes.load(Ordering::SeqCst)
    }

    /// The paths of the project pages answered 304 Not Modified so far, in order.
    pub fn not_modified(&self) -> Vec<String> {
        self.state
            .not_modified
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forgets the requests logged so far.
    pub fn clear_requests(&self) {
        self.state
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Deletes `filename` from the index from now on, as an index that pulls a file does:
    /// pages stop listing it, and it and its `.metadata` answer 404.
    pub fn remove_file(&self, filename: &str) {
        self.state
            .removed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(filename.to_owned());
    }

    /// Makes `filename` (and its `.metadata`) answer 404 from now on while pages keep listing
    /// it, as a broken mirror does.
    pub fn stop_serving(&self, filename: &str) {
        self.state
            .unserved
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(filename.to_owned());
    }

    /// Hex sha256 of a served file (or of a wheel's `<wheel>.metadata` file).
    pub fn sha256_of(&self, filename: &str) -> Option<String> {
        let artifacts = &self.state.catalog.artifacts;
        if let Some(artifact) = artifacts.get(filename) {
            return Some(artifact.sha256.clone());
        }
        let wheel = filename.strip_suffix(".metadata")?;
        let (_, sha) = artifacts.get(wheel)?.metadata.as_ref()?;
        Some(sha.clone())
    }

    /// The exact bytes served for `filename` (a distribution file), for tests that need them.
    pub fn file_bytes(&self, filename: &str) -> Option<Vec<u8>> {
        let artifact = self.state.catalog.artifacts.get(filename)?;
        Some(artifact.bytes.to_vec())
    }
}

impl Drop for TestIndex {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The server thread may already be gone (it panicked); nothing to stop then.
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic on the server thread has already been reported; re-raising it inside
            // drop could abort the test process.
            let _ = thread.join();
        }
    }
}

/// The server thread: serves until the shutdown signal, then drops the runtime, which
/// cancels every open connection task instead of waiting for clients to hang up.
fn serve(
    listener: std::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    state: &Arc<ServerState>,
    app: Router,
    shutdown: oneshot::Receiver<()>,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("building the test index runtime");
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::from_std(listener).expect("registering the test index socket");
        match tls {
            None => tokio::select! {
                _ = axum::serve(listener, app).into_future() => {}
                _ = shutdown => {}
            },
            Some(config) => {
                let listener = TlsListener {
                    tcp: listener,
                    acceptor: tokio_rustls::TlsAcceptor::from(config),
                    state: Arc::clone(state),
                };
                tokio::select! {
                    _ = axum::serve(listener, app).into_future() => {}
                    _ = shutdown => {}
                }
            }
        }
    });
}

/// A listener that completes the TLS handshake before handing a connection to axum.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    state: Arc<ServerState>,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, address)) = self.tcp.accept().await else {
                continue;
            };
            // A failed handshake (a client that distrusts the certificate, or has none to show
            // an index that demands one) is what the TLS tests provoke: the connection is
            // dropped and the next one accepted.
            self.state.handshakes.fetch_add(1, Ordering::SeqCst);
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, address);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

fn router(state: Arc<ServerState>) -> Router {
    Router::new()
        .route("/simple", get(|| async { redirect("/simple/".to_owned()) }))
        .route("/simple/", get(root_page))
        .route("/simple/{name}", get(project_without_slash))
        .route("/simple/{name}/", get(project_page))
        .route("/files/{filename}", get(file))
        .layer(from_fn_with_state(Arc::clone(&state), first_request_fault))
        .layer(from_fn_with_state(
            Arc::clone(&state),
            require_authorization,
        ))
        .layer(from_fn_with_state(Arc::clone(&state), log_request))
        .with_state(state)
}

async fn log_request(
    State(state): State<Arc<ServerState>>,
    request: Request,
    next: Next,
) -> Response {
    let target = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    );
    let mut line = format!("{} {target}", request.method());
    if let Some(range) = request.headers().get(RANGE) {
        line.push(' ');
        line.push_str(&String::from_utf8_lossy(range.as_bytes()));
    }
    for (header, shown) in [
        (IF_NONE_MATCH, "if-none-match"),
        (IF_MODIFIED_SINCE, "if-modified-since"),
    ] {
        if let Some(value) = request.headers().get(header) {
            line.push_str(&format!(
                " {shown}={}",
                String::from_utf8_lossy(value.as_bytes())
            ));
        }
    }
    state
        .log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(line);
    state.logged.notify_all();
    next.run(request).await
}

/// Answers 401 to a request without the expected `Authorization` header (when one is expected).
async fn require_authorization(
    State(state): State<Arc<ServerState>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(expected) = &state.authorization {
        let given = request.headers().get(AUTHORIZATION);
        if given.is_none_or(|value| value.as_bytes() != expected.as_bytes()) {
            return (
                StatusCode::UNAUTHORIZED,
                [(WWW_AUTHENTICATE, "Basic realm=\"test index\"")],
                "unauthorized\n",
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// Serves `ServerOptions::first_fault` to the first request of each path, inside the
/// authorization check (a faulted request is an authorised one) and after the request is logged.
async fn first_request_fault(
    State(state): State<Arc<ServerState>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(fault) = state.options.first_fault else {
        return next.run(request).await;
    };
    let first = state
        .faulted
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(request.uri().path().to_owned());
    if !first {
        return next.run(request).await;
    }
    match fault {
        Fault::Unavailable => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        // Unwinding out of the handler ends the connection's task, which drops the socket
        // before hyper has written anything: the client sees the connection closed with no
        // response. `resume_unwind` skips the panic hook, so nothing is printed; tokio's
        // runtime catches the unwind at the task, and the server goes on.
        Fault::Reset => std::panic::resume_unwind(Box::new("test index: connection reset")),
        Fault::CutBody => cut_off(next.run(request).await).await,
    }
}

/// `response` with a `Content-Length` of its whole body but only the first half of it sent:
/// hyper closes the connection when the body ends short of the length it announced.
async fn cut_off(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    parts.headers.insert(CONTENT_LENGTH, bytes.len().into());
    let half = bytes.slice(..bytes.len() / 2);
    // hyper drops what it has buffered when a body ends short, so the head and the half would
    // never leave: one yield between them and the end gives it a turn to flush them first.
    let end = futures::stream::once(tokio::task::yield_now())
        .filter_map(|()| async { None::<Result<Bytes, std::io::Error>> });
    let body = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(half) }).chain(end);
    Response::from_parts(parts, Body::from_stream(body))
}

fn redirect(location: String) -> Response {
    (StatusCode::MOVED_PERMANENTLY, [(LOCATION, location)]).into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

async fn root_page(State(state): State<Arc<ServerState>>) -> Response {
    match state.options.pages {
        PageFormat::Json => (
            [(CONTENT_TYPE, JSON_CONTENT_TYPE)],
            json_root(&state.catalog),
        ),
        PageFormat::Html => (
            [(CONTENT_TYPE, HTML_CONTENT_TYPE)],
            html_root(&state.catalog),
        ),
    }
    .into_response()
}

async fn project_without_slash(
    State(state): State<Arc<ServerState>>,
    Path(name): Path<String>,
) -> Response {
    match state.catalog.project(&name) {
        Some(_) => redirect(format!("/simple/{}/", normalize_name(&name))),
        None => not_found(),
    }
}

async fn project_page(
    State(state): State<Arc<ServerState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(status) = state.options.page_status {
        return StatusCode::from_u16(status)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response();
    }
    let Some(project) = state.catalog.project(&name) else {
        return not_found();
    };
    let normalized = normalize_name(&name);
    if name != normalized {
        return redirect(format!("/simple/{normalized}/"));
    }
    // Files removed since the server started are left off the page.
    let mut project = project.clone();
    project.files.retain(|filename| !state.is_removed(filename));
    let project = &project;
    let (catalog, base, mode) = (&state.catalog, &state.files_base, state.options.metadata);
    let hashes = state.options.hashes;
    let (content_type, page) = match state.options.pages {
        PageFormat::Json => (
            JSON_CONTENT_TYPE,
            json_page(catalog, project, base, mode, hashes),
        ),
        PageFormat::Html => (
            HTML_CONTENT_TYPE,
            html_page(catalog, project, base, mode, hashes),
        ),
    };
    let validator = match state.options.validators {
        Validators::None => None,
        // The page's own hash: a page that changes (a file removed) gets a new one.
        Validators::ETag => Some((
            ETAG,
            IF_NONE_MATCH,
            format!("\"{}\"", sha256_hex(page.as_bytes())),
        )),
        Validators::LastModified => Some((
            LAST_MODIFIED,
            IF_MODIFIED_SINCE,
            PAGES_LAST_MODIFIED.to_owned(),
        )),
    };
    let Some((sent, asked, value)) = validator else {
        return ([(CONTENT_TYPE, content_type)], page).into_response();
    };
    // Exact comparison: the client must send back what it was given.
    if headers
        .get(&asked)
        .is_some_and(|given| given.as_bytes() == value.as_bytes())
    {
        state
            .not_modified
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(format!("/simple/{normalized}/"));
        return (StatusCode::NOT_MODIFIED, [(sent, value)]).into_response();
    }
    (
        [(CONTENT_TYPE, content_type.to_owned()), (sent, value)],
        page,
    )
        .into_response()
}

/// `GET`/`HEAD /files/<filename>`: a distribution file (ranges per the mode) or, for
/// `<wheel>.metadata`, the wheel's METADATA when the mode says it exists.
async fn file(
    State(state): State<Arc<ServerState>>,
    Path(filename): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let artifacts = &state.catalog.artifacts;
    let listed = filename.strip_suffix(".metadata").unwrap_or(&filename);
    if state.is_unserved(listed) {
        return not_found();
    }
    if let Some(artifact) = artifacts.get(&filename) {
        // RFC 9110 defines Range for GET only; a HEAD describes the whole file.
        let range = headers.get(RANGE).filter(|_| method == Method::GET);
        let range = range.map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        if state.options.stall_files && method == Method::GET {
            return stalled(&artifact.bytes);
        }
        return file_response(artifact, state.options.ranges, range.as_deref());
    }
    if let Some(provenance) = filename
        .strip_suffix(".provenance")
        .and_then(|listed| artifacts.get(listed))
        .and_then(|artifact| artifact.provenance.as_ref())
    {
        return (
            [(CONTENT_TYPE, "application/vnd.pypi.integrity.v1+json")],
            provenance.clone(),
        )
            .into_response();
    }
    let metadata = filename
        .strip_suffix(".metadata")
        .and_then(|wheel| artifacts.get(wheel))
        .and_then(|artifact| artifact.metadata.as_ref());
    match (state.options.metadata, metadata) {
        (MetadataMode::Absent, _) | (_, None) => not_found(),
        (_, Some((bytes, _))) => {
            ([(CONTENT_TYPE, FILE_CONTENT_TYPE)], bytes.clone()).into_response()
        }
    }
}

fn file_response(artifact: &Artifact, mode: RangeMode, range: Option<&str>) -> Response {
    let len = artifact.bytes.len();
    let unsatisfiable = || {
        (
            StatusCode::RANGE_NOT_SATISFIABLE,
            [(CONTENT_RANGE, format!("bytes */{len}"))],
        )
            .into_response()
    };
    match (mode, range) {
        (RangeMode::Rejected, Some(_)) => unsatisfiable(),
        (RangeMode::Honoured, Some(range)) => match parse_range(range, len) {
            RangeRequest::Satisfiable { start, end } => partial(&artifact.bytes, start, end),
            RangeRequest::Unsatisfiable => unsatisfiable(),
            RangeRequest::Ignored => whole(&artifact.bytes, mode),
        },
        (RangeMode::Refused, _) | (_, None) => whole(&artifact.bytes, mode),
    }
}

fn whole(bytes: &Bytes, mode: RangeMode) -> Response {
    let mut response = (
        [(CONTENT_TYPE, FILE_CONTENT_TYPE)],
        Body::from(bytes.clone()),
    )
        .into_response();
    if mode != RangeMode::Refused {
        response
            .headers_mut()
            .insert(ACCEPT_RANGES, "bytes".parse().expect("static header value"));
    }
    response
}

/// The first half of `bytes`, then a body that never ends: the stream waits forever, so the
/// connection stays open until the server's runtime is dropped.
fn stalled(bytes: &Bytes) -> Response {
    let half = bytes.slice(..bytes.len() / 2);
    let body = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(half) })
        .chain(futures::stream::pending());
    ([(CONTENT_TYPE, FILE_CONTENT_TYPE)], Body::from_stream(body)).into_response()
}

fn partial(bytes: &Bytes, start: usize, end: usize) -> Response {
    (
        StatusCode::PARTIAL_CONTENT,
        [
            (CONTENT_TYPE, FILE_CONTENT_TYPE.to_owned()),
            (ACCEPT_RANGES, "bytes".to_owned()),
            (
                CONTENT_RANGE,
                format!("bytes {start}-{end}/{}", bytes.len()),
            ),
        ],
        Body::from(bytes.slice(start..=end)),
    )
        .into_response()
}
