//! Metadata builds: the fallback for a source tree (an sdist, a git checkout, a local project)
//! whose metadata cannot be read statically. It sits above the resolver and the index, as
//! `registry` does, because a build resolves and fetches its build requirements and runs
//! Python, which neither `metadata` nor `inputs` may do.
//!
//! [`Builder`] is the resolver's [`Source`](crate::resolver::Source) for a run that may build:
//! it answers everything through the [`Registry`] and adds [`Source::build`]. A build:
//! 1. finds the interpreter once per run (`interpreter.rs`: `--python`, else a `python3.X` on
//!    `PATH` matching the target, else `python3`);
//! 2. fetches the sdist through the cache and unpacks it (`unpack.rs`);
//! 3. reads `[build-system]` (`metadata::build_system`), resolves its `requires` with
//!    pinwheel's own resolver *for the interpreter's* version and platform, wheels only
//!    (`environment.rs`), and unpacks those wheels into a build environment kept in the cache
//!    under a digest of its pins (`install.rs`);
//! 4. runs the backend's PEP 517 hooks in a child process (`hooks.rs`), once more with what
//!    `get_requires_for_build_wheel` adds;
//! 5. caches the METADATA under the sdist's sha256 and the interpreter's tag (version and
//!    platform), so that a warm or `--offline` run builds nothing.
//!
//! Builds start only for versions the solver needs (never for a prefetch), at most
//! [`BuildOptions::jobs`] at once. Build requirements are not built themselves: a build
//! requirement without a wheel for the interpreter is an error naming it.
//!
//! [`Source::build`]: crate::resolver::Source::build

pub mod hooks;
pub mod install;
pub mod interpreter;
pub mod unpack;

mod environment;
mod error;
mod fetch;
mod local;
mod sdist;
mod source;
mod tree;

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub use error::BuildError;
use interpreter::{Interpreter, InterpreterError};

use crate::registry::Registry;
use crate::resolver::SelectionOptions;
use crate::target::Target;

/// The default time one backend hook may run.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// The default number of builds that run at once.
pub const DEFAULT_JOBS: usize = 2;

/// How builds run: settled once per command by `cli/settings`, then passed as a value.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// Whether builds may run at all (`--no-build` turns them off: a version whose metadata
    /// needs one cannot be used).
    pub enabled: bool,
    /// The interpreter asked for (`--python`, `PINWHEEL_PYTHON`, `[tool.pinwheel] python`): a
    /// path, or a name looked up on `path_var`.
    pub python: Option<PathBuf>,
    /// The user's `PATH`: where interpreters are looked for, and what backends' children see
    /// (after the build environment's scripts).
    pub path_var: Option<OsString>,
    /// The other variables of the user's environment that backends see: `HOME`, `TMPDIR`, the
    /// locale (`hooks::passed_through` picks them); nothing else reaches a build.
    pub passed_env: Vec<(OsString, OsString)>,
    /// How long one hook may run before its process group is killed.
    pub timeout: Duration,
    /// How many builds run at once.
    pub jobs: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            enabled: true,
            python: None,
            path_var: None,
            passed_env: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            jobs: DEFAULT_JOBS,
        }
    }
}

/// What a build tells its caller while it runs (only `cli` prints).
pub trait BuildReporter: Send + Sync {
    /// The first build of the run is about to use `interpreter`, for a lock whose target is
    /// `target`.
    fn interpreter(&self, interpreter: &Interpreter, target: &Target);
    /// A build of `what` (`name version`) started.
    fn started(&self, what: &str);
    /// The build of `what` is done.
    fn finished(&self, what: &str, elapsed: Duration);
}

/// The resolver's source for a run that may build: the registry, plus builds.
#[derive(Clone)]
pub struct Builder {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    options: BuildOptions,
    /// The lock's target (builds themselves run for the interpreter's).
    target: Target,
    /// Which files build requirements may use: the run's `--exclude-newer`, wheels only.
    selection: SelectionOptions,
    interpreter: OnceLock<Result<Interpreter, Arc<InterpreterError>>>,
    /// Whether the reporter was told about the interpreter.
    announced: std::sync::atomic::AtomicBool,
    jobs: tokio::sync::Semaphore,
    reporter: Arc<dyn BuildReporter>,
    /// The build environments of this run, by the digest of their pins.
    environments: tokio::sync::Mutex<HashMap<String, Arc<environment::Environment>>>,
}

impl Builder {
    /// A builder over `registry` for a lock whose target is `target`; build requirements are
    /// chosen with the run's `selection` (its `--exclude-newer` and prerelease policy), wheels only.
    #[must_use]
    pub fn new(
        registry: Registry,
        options: BuildOptions,
        target: Target,
        selection: &SelectionOptions,
        reporter: Arc<dyn BuildReporter>,
    ) -> Self {
        let selection = SelectionOptions {
            prerelease: selection.prerelease,
            exclude_newer: selection.exclude_newer,
            only_binary: crate::resolver::PackageSelector::All,
            no_binary: crate::resolver::PackageSelector::None,
        };
        let jobs = tokio::sync::Semaphore::new(options.jobs.max(1));
        Self {
            inner: Arc::new(Inner {
                registry,
                options,
                target,
                selection,
                interpreter: OnceLock::new(),
                announced: std::sync::atomic::AtomicBool::new(false),
                jobs,
                reporter,
                environments: tokio::sync::Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The registry builds fetch through.
    #[must_use]
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// Whether builds may run.
    #[must_use]
    pub fn enabled(&self) -> bool {
        self.inner.options.enabled
    }
}

impl Inner {
    /// The run's interpreter, found the first time it is needed (blocking: it runs the probe).
    fn interpreter(&self) -> Result<&Interpreter, Arc<InterpreterError>> {
        self.interpreter
            .get_or_init(|| {
                Interpreter::find(
                    self.options.python.as_deref(),
                    self.target.python(),
                    self.options.path_var.as_deref(),
                )
                .map_err(Arc::new)
            })
            .as_ref()
            .map_err(Arc::clone)
    }
}
