//! The async/sync seam: the one place where the synchronous solver meets the async network.
//!
//! [`resolve`](super::resolve) starts the solver on its own named OS thread and runs the fetch
//! loop on the current tokio task. The solver sends small [`Request`]s over an unbounded channel
//! (so sending never blocks it) and blocks on a [`OnceMap`] until the fetch side fills in the
//! answer. Prefetches are requests the solver does not wait for: as soon as a package enters the
//! graph its index page is fetched, and then the metadata of the version the solver will most
//! likely choose, so a cold resolve costs the depth of the graph in round trips, not its size.
//! What the cache can answer at once the solver reads itself rather than wait in that queue
//! ([`AtHand`]).
//!
//! Invariants: the solver thread never awaits or `block_on`s; every request the solver waits on
//! is answered (with a value or an error) unless the solver has already finished.

use std::cell::{Cell, RefCell};
use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::FutureExt as _;
use futures::future::{BoxFuture, Shared};
use pubgrub::Ranges;
use rustc_hash::{FxHashMap, FxHashSet};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;

use super::ResolveOptions;
use super::candidates::{FilesFor, SelectionContext, VersionMap};
use super::once_map::OnceMap;
use super::root::RootSpec;
use super::source::{MetadataOutcome, Source, SourceError};
use crate::types::{PackageName, Urgency, Version};

/// What the solver asks the fetch loop for.
#[derive(Debug)]
pub(crate) enum Request {
    /// A project's versions (its index page, turned into a `VersionMap`).
    Project(PackageName),
    /// The metadata of one version.
    Metadata(PackageName, Version),
    /// A hint: this project entered the graph with this range; fetch what will be needed.
    Prefetch(PackageName, Ranges<Version>),
    /// A hint: the metadata of this version will be needed (by a universal fork still to be
    /// solved); fetch or read it while the solver works on the current one.
    PrefetchVersion(PackageName, Version),
    /// A hint: the solver is working down this package's versions and just chose this one;
    /// fetch the metadata of the next candidates (this many), which the fetch side works out so
    /// that the solver thread does not decode them.
    PrefetchAfter(PackageName, Version, usize),
    /// The metadata of one version by building its file: sent only after its metadata came
    /// back [`MetadataOutcome::NeedsBuild`], so only for a version the solver looks at, never
    /// by a prefetch.
    Build(PackageName, Version),
}

type ProjectResult = Result<Arc<VersionMap>, SourceError>;
type MetadataResult = Result<MetadataOutcome, SourceError>;

/// Answers shared between the fetch side (writer) and the solver (reader).
pub(crate) struct Answers {
    pub(crate) projects: OnceMap<PackageName, ProjectResult>,
    pub(crate) metadata: OnceMap<(PackageName, Version), MetadataResult>,
    /// Built metadata, for versions whose metadata needs a build.
    pub(crate) built: OnceMap<(PackageName, Version), MetadataResult>,
}

/// The solver's side of the seam: blocking getters over the answers.
pub(crate) struct SolverHandle {
    requests: UnboundedSender<Request>,
    answers: Arc<Answers>,
    /// Answers the solver reads itself when local storage has them.
    at_hand: Arc<dyn AtHand>,
    requested_projects: RefCell<FxHashSet<PackageName>>,
    requested_metadata: RefCell<FxHashSet<(PackageName, Version)>>,
    requested_builds: RefCell<FxHashSet<(PackageName, Version)>>,
    prefetched: RefCell<FxHashSet<PackageName>>,
    prefetched_versions: RefCell<FxHashSet<(PackageName, Version)>>,
    /// How long the solver spent blocked on answers, and how many times it blocked: the part
    /// of a resolve the fetch side did not hide (logged at `-v`).
    waited: Cell<(Duration, usize)>,
}

impl SolverHandle {
    /// Blocks on `wait` unless `ready` already has the answer, counting the time blocked.
    fn blocking<V>(
        &self,
        what: impl std::fmt::Display,
        ready: Option<V>,
        wait: impl FnOnce() -> V,
    ) -> V {
        if let Some(value) = ready {
            return value;
        }
        let started = Instant::now();
        let value = wait();
        let blocked = started.elapsed();
        tracing::debug!("solver blocked {} ms on {what}", blocked.as_millis());
        let (total, count) = self.waited.get();
        self.waited.set((total + blocked, count + 1));
        value
    }

    /// The time the solver spent blocked on the fetch side, and how many times it blocked.
    pub(crate) fn waited(&self) -> (Duration, usize) {
        self.waited.get()
    }

    fn send(&self, request: Request) -> Result<(), SourceError> {
        self.requests
            .send(request)
            .map_err(|_| SourceError::new(FetchLoopStopped))
    }

    /// The versions of `name`, blocking until known.
    pub(crate) fn versions(&self, name: &PackageName) -> ProjectResult {
        if let Some(answer) = self.answers.projects.get(name) {
            return answer;
        }
        if let Some(answer) = self.at_hand.versions(name) {
            return answer;
        }
        if self.requested_projects.borrow_mut().insert(name.clone()) {
            self.send(Request::Project(name.clone()))?;
        }
        self.blocking(
            format_args!("the versions of {name}"),
            self.answers.projects.get(name),
            || self.answers.projects.wait(name),
        )
    }

    /// The metadata of `name` `version`, blocking until known.
    pub(crate) fn metadata(&self, name: &PackageName, version: &Version) -> MetadataResult {
        let key = (name.clone(), version.clone());
        if let Some(answer) = self.answers.metadata.get(&key) {
            return answer;
        }
        if let Some(answer) = self.at_hand.metadata(name, version) {
            return answer;
        }
        if self.requested_metadata.borrow_mut().insert(key.clone()) {
            self.send(Request::Metadata(name.clone(), version.clone()))?;
        }
        self.blocking(
            format_args!("the metadata of {name} {version}"),
            self.answers.metadata.get(&key),
            || self.answers.metadata.wait(&key),
        )
    }

    /// The metadata of `name` `version` as the solver uses it: [`SolverHandle::metadata`],
    /// and when that needs a build, the build's answer (blocking until the build is done).
    pub(crate) fn usable_metadata(&self, name: &PackageName, version: &Version) -> MetadataResult {
        match self.metadata(name, version)? {
            MetadataOutcome::NeedsBuild => self.built(name, version),
            outcome => Ok(outcome),
        }
    }

    /// The built metadata of `name` `version`, blocking until the fetch side has it.
    fn built(&self, name: &PackageName, version: &Version) -> MetadataResult {
        let key = (name.clone(), version.clone());
        if let Some(answer) = self.answers.built.get(&key) {
            return answer;
        }
        if self.requested_builds.borrow_mut().insert(key.clone()) {
            self.send(Request::Build(name.clone(), version.clone()))?;
        }
        self.blocking(
            format_args!("the build of {name} {version}"),
            self.answers.built.get(&key),
            || self.answers.built.wait(&key),
        )
    }

    /// Hints that `name` entered the graph with `range`. Sent once per project.
    pub(crate) fn prefetch(&self, name: &PackageName, range: &Ranges<Version>) {
        if self.prefetched.borrow_mut().insert(name.clone()) {
            let _ = self.send(Request::Prefetch(name.clone(), range.clone()));
        }
    }

    /// Hints that the metadata of `name` `version` will be needed later (see
    /// [`Request::PrefetchVersion`]), unless it is known or asked for already.
    pub(crate) fn prefetch_version(&self, name: &PackageName, version: &Version) {
        let key = (name.clone(), version.clone());
        // Not marked as requested: when the solver needs it, its own request makes the fetch
        // urgent.
        if self.answers.metadata.get(&key).is_none()
            && self.prefetched_versions.borrow_mut().insert(key)
        {
            let _ = self.send(Request::PrefetchVersion(name.clone(), version.clone()));
        }
    }

    /// Hints that the solver is working down the versions of `name` and just chose `chosen`:
    /// fetch the metadata of the next `window` candidates in parallel instead of one round trip
    /// per version. The solver still requests what it needs itself; a prefetch in flight then
    /// answers both.
    pub(crate) fn prefetch_after(&self, name: &PackageName, chosen: &Version, window: usize) {
        let _ = self.send(Request::PrefetchAfter(name.clone(), chosen.clone(), window));
    }

    /// The versions of `name` if they were fetched (for explanations after the solve).
    pub(crate) fn known_versions(&self, name: &PackageName) -> Option<Arc<VersionMap>> {
        self.answers.projects.get(name).and_then(Result::ok)
    }
}

/// The fetch loop stopped before the solver finished (it only does so on a panic).
#[derive(Debug, thiserror::Error)]
#[error("the fetch loop stopped unexpectedly")]
struct FetchLoopStopped;

/// Opens the channel and the shared answers; returns the solver's handle and the fetch side's.
pub(crate) fn channel<S: Source>(
    source: Arc<S>,
    files: FilesFor,
    options: ResolveOptions,
    root: Arc<RootSpec>,
) -> (SolverHandle, FetchLoop<S>) {
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    let answers = Arc::new(Answers {
        projects: OnceMap::new(),
        metadata: OnceMap::new(),
        built: OnceMap::new(),
    });
    let selection = Arc::new(SelectionContext {
        files,
        options: options.selection.clone(),
    });
    let context = Arc::new(FetchContext {
        source,
        selection,
        options,
        root,
        answers: Arc::clone(&answers),
        projects: Mutex::new(FxHashMap::default()),
        metadata_started: Mutex::new(FxHashMap::default()),
    });
    let handle = SolverHandle {
        requests: sender,
        answers,
        at_hand: Arc::clone(&context) as Arc<dyn AtHand>,
        requested_projects: RefCell::new(FxHashSet::default()),
        requested_metadata: RefCell::new(FxHashSet::default()),
        requested_builds: RefCell::new(FxHashSet::default()),
        prefetched: RefCell::new(FxHashSet::default()),
        prefetched_versions: RefCell::new(FxHashSet::default()),
        waited: Cell::new((Duration::ZERO, 0)),
    };
    (handle, FetchLoop { receiver, context })
}

/// The fetch side: receives requests until the solver drops its handle.
pub(crate) struct FetchLoop<S: Source> {
    receiver: UnboundedReceiver<Request>,
    context: Arc<FetchContext<S>>,
}

impl<S: Source> FetchLoop<S> {
    /// Serves requests until the solver is done, then cancels outstanding prefetches. Returns
    /// what the loop held (every project and metadata answer) for the caller to dispose of.
    pub(crate) async fn run(mut self) -> impl Send + 'static {
        let mut tasks = JoinSet::new();
        loop {
            tokio::select! {
                request = self.receiver.recv() => match request {
                    Some(request) => self.dispatch(request, &mut tasks),
                    None => break,
                },
                Some(finished) = tasks.join_next(), if !tasks.is_empty() => {
                    if let Err(error) = finished
                        && error.is_panic() {
                            std::panic::resume_unwind(error.into_panic());
                        }
                }
            }
        }
        tasks.abort_all();
        self.context
    }

    fn dispatch(&self, request: Request, tasks: &mut JoinSet<()>) {
        let context = Arc::clone(&self.context);
        match request {
            Request::Project(name) => {
                let project = context.project(&name, Need::Waited);
                tasks.spawn(async move {
                    let _ = project.await;
                });
            }
            Request::Metadata(name, version) => {
                tasks.spawn(async move {
                    context.fetch_metadata(&name, &version, Need::Waited).await;
                });
            }
            Request::Prefetch(name, range) => {
                tasks.spawn(async move { context.prefetch(&name, &range).await });
            }
            Request::PrefetchVersion(name, version) => {
                tasks.spawn(async move {
                    context
                        .fetch_metadata(&name, &version, Need::Speculative)
                        .await;
                });
            }
            Request::Build(name, version) => {
                tasks.spawn(async move { context.build(&name, &version).await });
            }
            Request::PrefetchAfter(name, chosen, window) => {
                // Offline, there is no round trip to hide: decoding and reading candidates the
                // solver may backjump past only costs time.
                if !context.source.can_fetch() {
                    return;
                }
                // The solver chose `chosen`, so the project's versions are known already.
                let Some(Ok(versions)) = context.answers.projects.get(&name) else {
                    return;
                };
                let next = context.root.candidates_after(
                    &name,
                    &chosen,
                    &versions,
                    &context.options,
                    window,
                );
                for (position, version) in next.into_iter().enumerate() {
                    let (context, name) = (Arc::clone(&context), name.clone());
                    let sdists_too = position < SDIST_PREFETCH;
                    // Only the candidates' own metadata: prefetching the likely version of each
                    // of their dependencies too (boto3 pins a different botocore in every
                    // release) fetched 659 botocore wheels' metadata for
                    // apache-airflow[amazon,postgres], whose botocore was long decided: 11 s
                    // and 280 MB cold instead of 2 s and 124 MB.
                    tasks.spawn(async move {
                        context
                            .prefetch_candidate(&name, &version, sdists_too)
                            .await;
                    });
                }
            }
        }
    }
}

type SharedProject = Shared<BoxFuture<'static, ProjectResult>>;

/// How many of a backtracking window's candidates are prefetched even when their file is an
/// sdist, which means downloading all of it. Walks through old numpy sdists (no wheel for the
/// target) waited for each download in turn: apache-beam-dill.in spent 15 of its 23 s on 61
/// of them. Further down the window, sdists are left to the solver's own request: windows
/// of ten fetched 1.3 GB of sdists for apache-airflow[all].
const SDIST_PREFETCH: usize = 3;

/// Whether the solver waits on a piece of work or it is fetched in case it is needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    Waited,
    Speculative,
}

impl Need {
    /// A new mark for work needed this way.
    fn mark(self) -> Urgency {
        match self {
            Need::Waited => Urgency::needed(),
            Need::Speculative => Urgency::speculative(),
        }
    }
}

struct FetchContext<S: Source> {
    source: Arc<S>,
    /// The target and selection options again, shared by every project's lazy `VersionMap`.
    selection: Arc<SelectionContext>,
    options: ResolveOptions,
    root: Arc<RootSpec>,
    answers: Arc<Answers>,
    /// One shared future per project, so that a prefetch and the solver's request share a fetch,
    /// and the mark that says whether the solver waits on it.
    projects: Mutex<FxHashMap<PackageName, (SharedProject, Urgency)>>,
    /// Metadata fetches already started (by a prefetch or a request), and their marks.
    metadata_started: Mutex<FxHashMap<(PackageName, Version), Urgency>>,
}

impl<S: Source> FetchContext<S> {
    /// The shared future of `name`'s versions; it publishes its answer when it completes. A
    /// fetch the solver comes to wait on is marked needed, however it started.
    fn project(self: &Arc<Self>, name: &PackageName, need: Need) -> SharedProject {
        let mut projects = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((existing, urgency)) = projects.get(name) {
            if need == Need::Waited {
                urgency.raise();
            }
            return existing.clone();
        }
        let context = Arc::clone(self);
        let owned_name = name.clone();
        let urgency = need.mark();
        let future_urgency = urgency.clone();
        let future = async move {
            let result = context.load_project(&owned_name, &future_urgency).await;
            // The solver may have read the same page itself meanwhile: its map stands, so
            // that both sides decode each version once.
            context.answers.projects.insert(owned_name, result)
        }
        .boxed()
        .shared();
        projects.insert(name.clone(), (future.clone(), urgency));
        future
    }

    async fn load_project(&self, name: &PackageName, urgency: &Urgency) -> ProjectResult {
        if let Some(answer) = self.answers.projects.get(name) {
            return answer;
        }
        // A local project directory: its metadata came with the inputs.
        if let Some(metadata) = self.root.local_metadata(name) {
            let version = metadata.version.clone();
            self.publish_metadata(
                name,
                &version,
                MetadataOutcome::Available(Arc::new(metadata)),
            );
            return Ok(Arc::new(VersionMap::directory(version)));
        }
        if let Some(url) = self.root.urls.get(name) {
            let (file, outcome) = self.source.direct_url(name, url).await?;
            let MetadataOutcome::Available(metadata) = &outcome else {
                return Err(SourceError::new(UnreadableUrl {
                    url: crate::types::RedactedUrl::new(url.clone()).to_string(),
                }));
            };
            let version = metadata.version.clone();
            self.publish_metadata(name, &version, outcome);
            return Ok(Arc::new(VersionMap::single(version, file)));
        }
        let packed = self.source.project(name, urgency).await?;
        Ok(Arc::new(VersionMap::lazy(
            packed,
            Arc::clone(&self.selection),
        )))
    }

    /// Records metadata known without a fetch (a direct URL's file was read whole, a local
    /// project's came with the inputs), so that nobody fetches it again.
    fn publish_metadata(&self, name: &PackageName, version: &Version, outcome: MetadataOutcome) {
        // Claimed as done: the mark is never read.
        self.claim_metadata(name, version, Need::Speculative);
        let _ = self
            .answers
            .metadata
            .insert((name.clone(), version.clone()), Ok(outcome));
    }

    /// Marks a metadata fetch as started and returns its mark; `None` when someone else already
    /// started it (whose mark is raised if the solver waits on it).
    fn claim_metadata(&self, name: &PackageName, version: &Version, need: Need) -> Option<Urgency> {
        let mut started = self
            .metadata_started
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match started.entry((name.clone(), version.clone())) {
            Entry::Occupied(claimed) => {
                if need == Need::Waited {
                    claimed.get().raise();
                }
                None
            }
            Entry::Vacant(unclaimed) => Some(unclaimed.insert(need.mark()).clone()),
        }
    }

    async fn fetch_metadata(self: &Arc<Self>, name: &PackageName, version: &Version, need: Need) {
        // The page comes first: a metadata fetch the solver waits on needs it too.
        let project = self.project(name, need);
        let Some(urgency) = self.claim_metadata(name, version, need) else {
            return;
        };
        let result = match project.await {
            Err(error) => Err(error),
            Ok(versions) => match versions
                .get(version)
                .and_then(|entry| entry.metadata_file())
            {
                Some(file) => self.source.metadata(file, &urgency).await,
                None => Ok(MetadataOutcome::Unavailable(
                    "has no file usable on the target".to_string(),
                )),
            },
        };
        let _ = self
            .answers
            .metadata
            .insert((name.clone(), version.clone()), result);
    }

    /// Builds the metadata of `name` `version` (whose metadata needs a build) and publishes it.
    async fn build(self: &Arc<Self>, name: &PackageName, version: &Version) {
        let project = self.project(name, Need::Waited);
        let result = match project.await {
            Err(error) => Err(error),
            Ok(versions) => match versions.get(version).and_then(|entry| entry.best_file()) {
                Some(file) => self.source.build(file, &Urgency::needed()).await,
                None => Ok(MetadataOutcome::Unavailable(
                    "has no file usable on the target".to_string(),
                )),
            },
        };
        let _ = self
            .answers
            .built
            .insert((name.clone(), version.clone()), result);
    }

    /// Fetches a backtracking candidate's metadata unless the source has it at hand (reading
    /// and parsing cached metadata the solver may never ask for, since it often backjumps past
    /// the window, made warm resolves slower) or it is an sdist and `sdists_too` is false.
    async fn prefetch_candidate(
        self: &Arc<Self>,
        name: &PackageName,
        version: &Version,
        sdists_too: bool,
    ) {
        let Ok(versions) = self.project(name, Need::Speculative).await else {
            return;
        };
        let Some(file) = versions
            .get(version)
            .and_then(|entry| entry.metadata_file())
        else {
            return;
        };
        // An sdist's metadata means downloading all of it (Pillow's are 50 MB): only for the
        // nearest candidates (see `SDIST_PREFETCH`).
        if (!file.dist.is_wheel() && !sdists_too) || self.source.has_local_metadata(file).await {
            return;
        }
        self.fetch_metadata(name, version, Need::Speculative).await;
    }

    /// Fetches the project and the metadata of the version the solver will most likely choose.
    async fn prefetch(self: &Arc<Self>, name: &PackageName, range: &Ranges<Version>) {
        let Ok(versions) = self.project(name, Need::Speculative).await else {
            return;
        };
        let likely = self.root.choose(name, range, &versions, &self.options);
        if let Some(version) = likely
            && versions
                .get(&version)
                .is_some_and(|entry| entry.best.is_ok())
        {
            self.fetch_metadata(name, &version, Need::Speculative).await;
        }
    }
}

/// What the solver thread may read itself. On a warm run the fetch loop queues a prefetch for
/// every package as it enters the graph (home-assistant's 1,300 at once), and the answer the
/// solver needs next is somewhere in that queue: reading it from the cache directly costs
/// less than waiting for it. A race with a prefetch of the same answer costs a second read,
/// never a second answer: the first inserted stands.
trait AtHand: Send + Sync {
    /// `name`'s versions, if local storage has them (never for a direct URL or a local project).
    fn versions(&self, name: &PackageName) -> Option<ProjectResult>;
    /// The metadata of `name` `version`, if its versions are known and local storage has it.
    fn metadata(&self, name: &PackageName, version: &Version) -> Option<MetadataResult>;
}

impl<S: Source> AtHand for FetchContext<S> {
    fn versions(&self, name: &PackageName) -> Option<ProjectResult> {
        if self.root.urls.contains_key(name) || self.root.is_local_project(name) {
            return None;
        }
        let packed = self.source.project_at_hand(name)?;
        let versions = Arc::new(VersionMap::lazy(packed, Arc::clone(&self.selection)));
        Some(self.answers.projects.insert(name.clone(), Ok(versions)))
    }

    fn metadata(&self, name: &PackageName, version: &Version) -> Option<MetadataResult> {
        let versions = self.answers.projects.get(name)?.ok()?;
        let file = versions.get(version)?.metadata_file()?;
        let outcome = self.source.metadata_at_hand(file)?;
        // A prefetch that has not started yet need not read it again.
        self.claim_metadata(name, version, Need::Speculative);
        Some(
            self.answers
                .metadata
                .insert((name.clone(), version.clone()), Ok(outcome)),
        )
    }
}

/// A direct URL whose metadata cannot be read statically.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the metadata of `{url}` without building it")]
struct UnreadableUrl {
    url: String,
}
