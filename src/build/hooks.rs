//! Calling a source tree's PEP 517 build backend: `get_requires_for_build_wheel`, then
//! `prepare_metadata_for_build_wheel`, else `build_wheel` and the `METADATA` inside the wheel.
//!
//! Each call is one child process, `python -I -S -u pep517_runner.py REQUEST.json`, in the
//! source tree:
//!
//! - `-I -S`: no `PYTHON*` variables, no user site, no system site-packages. The runner adds the
//!   build environments' `site` directories with `site.addsitedir` (so `.pth` files run) and the
//!   backend-path entries in front; pinwheel checks first that those stay inside the tree.
//! - The environment is cleared. The child gets `PATH` (the environments' `bin` directories,
//!   then the caller's `PATH`), the variables of `child::PASSED_THROUGH` (`HOME`, `TMPDIR`,
//!   `LANG`, `LC_*`, …), and three of pinwheel's for the Pythons the backend starts itself
//!   (`setup.py` subprocesses, meson's scripts): `PYTHONPATH` (the site directories),
//!   `PYTHONNOUSERSITE=1` and `PYTHONUNBUFFERED=1`.
//! - stdin is closed; stdout and stderr are captured, and their last lines kept for errors. The
//!   answer comes back in a JSON file, because backends print.
//! - The time limit kills the whole process group, and so does dropping the future.

mod child;

pub use child::passed_through;

use std::ffi::{OsStr, OsString};
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::process::ExitStatus;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::install::EnvLayout;
use super::interpreter::Interpreter;

pub use child::TAIL_LINES;

/// The runner the child executes, written into each hook's scratch directory.
const RUNNER: &str = include_str!("pep517_runner.py");

/// A `METADATA` larger than this is refused: real ones are a few kilobytes, long READMEs
/// included, and a backend must not be able to fill memory.
const MAX_METADATA: u64 = 64 * 1024 * 1024;

/// A build backend as `[build-system]` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    /// The object reference, `setuptools.build_meta:__legacy__` or `pkg.mod:obj`.
    pub name: String,
    /// `backend-path`: directories relative to the source tree, put first on `sys.path`.
    pub path: Vec<String>,
}

impl Backend {
    /// The backend PEP 517 prescribes when `[build-system]` names none:
    /// `setuptools.build_meta:__legacy__`, without backend-path.
    #[must_use]
    pub fn setuptools_legacy() -> Self {
        Self {
            name: "setuptools.build_meta:__legacy__".to_owned(),
            path: Vec::new(),
        }
    }
}

/// One source tree's backend, ready to be called.
#[derive(Clone, Debug)]
pub struct HookRun<'a> {
    /// The interpreter that runs the backend.
    pub interpreter: &'a Interpreter,
    /// Build environments: site directories added in this order, bin directories put on `PATH`
    /// in this order, in front of `path_var`.
    pub envs: &'a [EnvLayout],
    /// The unpacked source tree; the child's working directory.
    pub source_dir: &'a Path,
    /// The backend to load.
    pub backend: &'a Backend,
    /// How long one hook may run before its process group is killed.
    pub timeout: Duration,
    /// The user's `PATH`, which comes after the environments' bin directories.
    pub path_var: Option<&'a OsStr>,
    /// The other variables the child sees (`HOME`, `TMPDIR`, the locale: [`passed_through`]).
    pub passed_env: &'a [(OsString, OsString)],
}

/// A hook that could not be run or did not succeed. Every variant names the source tree.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// A `backend-path` entry that does not exist or leaves the source tree (PEP 517 forbids
    /// the latter).
    #[error("backend-path entry `{entry}` of `{source_dir}` {reason}")]
    BackendPath {
        /// The entry as written.
        entry: String,
        /// The source tree.
        source_dir: PathBuf,
        /// "leaves the source tree" or "does not exist".
        reason: &'static str,
    },
    /// The scratch directory, the request or the result could not be written or read.
    #[error("cannot run build backend hook `{hook}` for `{source_dir}`: cannot use `{path}`")]
    Io {
        /// The hook.
        hook: String,
        /// The source tree.
        source_dir: PathBuf,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The interpreter could not be started.
    #[error("cannot start `{python}` for build backend hook `{hook}` in `{source_dir}`")]
    Spawn {
        /// The hook.
        hook: String,
        /// The source tree.
        source_dir: PathBuf,
        /// The interpreter.
        python: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The hook raised, or its process exited with an error.
    #[error("build backend hook `{hook}` failed for `{source_dir}` ({status})")]
    Failed {
        /// The hook (`prepare_metadata_for_build_wheel`, …).
        hook: String,
        /// The source tree.
        source_dir: PathBuf,
        /// The child's exit status.
        status: ExitStatus,
        /// The last lines of its stdout and stderr, in the order they arrived (the traceback).
        stderr_tail: Vec<String>,
        /// A shell line that makes the same call by hand.
        command: String,
    },
    /// The hook ran past the time limit and was killed with its process group.
    #[error("build backend hook `{hook}` for `{source_dir}` did not finish within {} s", timeout.as_secs())]
    Timeout {
        /// The hook.
        hook: String,
        /// The source tree.
        source_dir: PathBuf,
        /// The limit.
        timeout: Duration,
        /// The last lines of its output.
        stderr_tail: Vec<String>,
        /// A shell line that makes the same call by hand.
        command: String,
    },
    /// The hook returned something PEP 517 does not allow, or what it pointed to is missing.
    #[error("build backend hook `{hook}` for `{source_dir}` gave an unusable answer: {reason}")]
    BadResult {
        /// The hook.
        hook: String,
        /// The source tree.
        source_dir: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl HookError {
    /// The last lines of the backend's output, when the hook ran.
    #[must_use]
    pub fn output_tail(&self) -> &[String] {
        match self {
            Self::Failed { stderr_tail, .. } | Self::Timeout { stderr_tail, .. } => stderr_tail,
            _ => &[],
        }
    }

    /// The shell line that reproduces the call, when the hook ran.
    #[must_use]
    pub fn command(&self) -> Option<&str> {
        match self {
            Self::Failed { command, .. } | Self::Timeout { command, .. } => Some(command),
            _ => None,
        }
    }
}

/// What the runner writes into the result file.
#[derive(Deserialize)]
struct RunnerResult {
    hook: String,
    #[serde(default)]
    ok: Option<bool>,
    #[serde(default)]
    value: Value,
}

/// What `wheel_metadata` got back: a `.dist-info` directory or a wheel, by name.
#[derive(Deserialize)]
struct MetadataAnswer {
    metadata: Option<String>,
    wheel: Option<String>,
}

impl HookRun<'_> {
    /// PEP 517 `get_requires_for_build_wheel`: the extra requirements the backend asks for, as
    /// PEP 508 strings. A backend without the hook asks for nothing.
    ///
    /// # Errors
    /// See [`HookError`].
    pub async fn get_requires_for_build_wheel(&self) -> Result<Vec<String>, HookError> {
        let hook = "get_requires_for_build_wheel";
        let scratch = self.scratch(hook)?;
        let result = self.run(hook, scratch.path()).await?;
        let bad = |reason: &str| self.bad_result(&result.hook, reason);
        let Value::Array(items) = result.value else {
            return Err(bad("not a list"));
        };
        items
            .into_iter()
            .map(|item| match item {
                Value::String(requirement) => Ok(requirement),
                other => Err(bad(&format!("`{other}` is not a requirement string"))),
            })
            .collect()
    }

    /// The distribution's `METADATA` bytes: from `prepare_metadata_for_build_wheel` in a
    /// temporary directory, or, when the backend lacks that hook, from the `*.dist-info/METADATA`
    /// of the wheel `build_wheel` makes.
    ///
    /// # Errors
    /// See [`HookError`].
    pub async fn wheel_metadata(&self) -> Result<Vec<u8>, HookError> {
        let hook = "wheel_metadata";
        let scratch = self.scratch(hook)?;
        let result = self.run(hook, scratch.path()).await?;
        let answer: MetadataAnswer = serde_json::from_value(result.value)
            .map_err(|error| self.bad_result(&result.hook, &error.to_string()))?;
        let single = |name: &str| -> Result<String, HookError> {
            single_component(name).map(str::to_owned).ok_or_else(|| {
                self.bad_result(
                    &result.hook,
                    &format!("`{name}` is not a name inside the output directory"),
                )
            })
        };
        match (answer.metadata, answer.wheel) {
            (Some(dist_info), _) => {
                let path = scratch
                    .path()
                    .join("metadata")
                    .join(single(&dist_info)?)
                    .join("METADATA");
                read_bounded(&path).map_err(|source| HookError::Io {
                    hook: result.hook.clone(),
                    source_dir: self.source_dir.to_path_buf(),
                    path,
                    source,
                })
            }
            (None, Some(wheel)) => {
                let path = scratch.path().join("wheel").join(single(&wheel)?);
                metadata_from_wheel(&path).map_err(|reason| self.bad_result(&result.hook, &reason))
            }
            (None, None) => Err(self.bad_result(&result.hook, "neither a directory nor a wheel")),
        }
    }

    /// A fresh scratch directory with the runner and the output directories in it.
    fn scratch(&self, hook: &str) -> Result<tempfile::TempDir, HookError> {
        let io_error = |path: &Path, source| HookError::Io {
            hook: hook.to_owned(),
            source_dir: self.source_dir.to_path_buf(),
            path: path.to_path_buf(),
            source,
        };
        let scratch = tempfile::Builder::new()
            .prefix("pinwheel-hook-")
            .tempdir()
            .map_err(|source| io_error(&std::env::temp_dir(), source))?;
        let runner = scratch.path().join("pep517_runner.py");
        std::fs::write(&runner, RUNNER).map_err(|source| io_error(&runner, source))?;
        for dir in ["metadata", "wheel"] {
            let dir = scratch.path().join(dir);
            std::fs::create_dir(&dir).map_err(|source| io_error(&dir, source))?;
        }
        Ok(scratch)
    }

    /// Runs `hook` through the runner in `scratch` and reads its successful result.
    async fn run(&self, hook: &str, scratch: &Path) -> Result<RunnerResult, HookError> {
        let backend_path = self.backend_path()?;
        let site_dirs: Vec<String> = self
            .envs
            .iter()
            .map(|env| env.site_dir().to_string_lossy().into_owned())
            .collect();
        let result_path = scratch.join("result.json");
        let request = serde_json::json!({
            "hook": hook,
            "backend": self.backend.name,
            "backend_path": backend_path,
            "site_dirs": site_dirs,
            "metadata_directory": scratch.join("metadata").to_string_lossy(),
            "wheel_directory": scratch.join("wheel").to_string_lossy(),
            "result": result_path.to_string_lossy(),
        });
        let request_path = scratch.join("request.json");
        std::fs::write(&request_path, request.to_string()).map_err(|source| HookError::Io {
            hook: hook.to_owned(),
            source_dir: self.source_dir.to_path_buf(),
            path: request_path.clone(),
            source,
        })?;

        let path_var = self.child_path();
        let mut command = tokio::process::Command::new(self.interpreter.path());
        command
            .args(["-I", "-S", "-u"])
            .arg(scratch.join("pep517_runner.py"))
            .arg(&request_path)
            .current_dir(self.source_dir)
            .env_clear()
            .envs(self.passed_env.iter().cloned())
            .env("PYTHONNOUSERSITE", "1")
            .env("PYTHONUNBUFFERED", "1");
        if let Some(path_var) = &path_var {
            command.env("PATH", path_var);
        }
        if let Ok(python_path) = std::env::join_paths(&site_dirs) {
            command.env("PYTHONPATH", python_path);
        }
        tracing::debug!(
            "{}: running build backend hook `{hook}` of `{}` with `{}`",
            self.source_dir.display(),
            self.backend.name,
            self.interpreter.path().display()
        );
        let started = std::time::Instant::now();
        let outcome =
            child::run(command, self.timeout)
                .await
                .map_err(|source| HookError::Spawn {
                    hook: hook.to_owned(),
                    source_dir: self.source_dir.to_path_buf(),
                    python: self.interpreter.path().to_path_buf(),
                    source,
                })?;

        // The runner names the hook it got to (`wheel_metadata` is one of two), even on failure.
        let result: Option<RunnerResult> = std::fs::read(&result_path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        let hook_name = result.as_ref().map_or(hook, |result| result.hook.as_str());
        // `wheel_metadata` is the runner's name for "prepare, else build"; a failure before
        // either (the backend does not import) is reported as the first of the two.
        let hook_name = if hook_name == "wheel_metadata" {
            "prepare_metadata_for_build_wheel".to_owned()
        } else {
            hook_name.to_owned()
        };
        let command = self.reproduce(&hook_name, &site_dirs, &backend_path, path_var.as_deref());
        tracing::debug!(
            "{}: build backend hook `{hook_name}` ended after {:.1?}",
            self.source_dir.display(),
            started.elapsed()
        );
        match outcome {
            child::Outcome::TimedOut { tail } => Err(HookError::Timeout {
                hook: hook_name,
                source_dir: self.source_dir.to_path_buf(),
                timeout: self.timeout,
                stderr_tail: tail,
                command,
            }),
            child::Outcome::Exited { status, tail } => match result {
                Some(result) if status.success() && result.ok == Some(true) => Ok(result),
                Some(result) if status.success() => {
                    Err(self.bad_result(&result.hook, "the hook runner exited without an answer"))
                }
                None if status.success() => {
                    Err(self.bad_result(hook, "the hook runner wrote no answer"))
                }
                _ => Err(HookError::Failed {
                    hook: hook_name,
                    source_dir: self.source_dir.to_path_buf(),
                    status,
                    stderr_tail: tail,
                    command,
                }),
            },
        }
    }

    /// The backend-path entries as absolute paths, each checked to exist inside the tree.
    fn backend_path(&self) -> Result<Vec<String>, HookError> {
        let error = |entry: &str, reason| HookError::BackendPath {
            entry: entry.to_owned(),
            source_dir: self.source_dir.to_path_buf(),
            reason,
        };
        let root = self
            .source_dir
            .canonicalize()
            .map_err(|_| error(".", "does not exist"))?;
        self.backend
            .path
            .iter()
            .map(|entry| {
                if Path::new(entry).is_absolute() {
                    return Err(error(entry, "leaves the source tree"));
                }
                // Symbolic links are resolved before the check, so none can lead out.
                let resolved = root
                    .join(entry)
                    .canonicalize()
                    .map_err(|_| error(entry, "does not exist"))?;
                if resolved.starts_with(&root) {
                    Ok(resolved.to_string_lossy().into_owned())
                } else {
                    Err(error(entry, "leaves the source tree"))
                }
            })
            .collect()
    }

    /// The child's `PATH`: the environments' bin directories, then the caller's `PATH`.
    fn child_path(&self) -> Option<std::ffi::OsString> {
        let mut dirs: Vec<PathBuf> = self.envs.iter().map(EnvLayout::scripts_dir).collect();
        if let Some(path_var) = self.path_var {
            dirs.extend(std::env::split_paths(path_var));
        }
        if dirs.is_empty() {
            return None;
        }
        std::env::join_paths(dirs).ok()
    }

    /// A shell line that makes the call by hand, without the runner: the same interpreter,
    /// flags, environment and `sys.path`, then the hook with a fresh output directory.
    fn reproduce(
        &self,
        hook: &str,
        site_dirs: &[String],
        backend_path: &[String],
        path_var: Option<&OsStr>,
    ) -> String {
        let literal = |value: &Value| value.to_string();
        let (module, object) = self
            .backend
            .name
            .split_once(':')
            .unwrap_or((&self.backend.name, ""));
        let call = match hook {
            "get_requires_for_build_wheel" => format!("{hook}()"),
            _ => format!("{hook}(tempfile.mkdtemp())"),
        };
        let code = format!(
            "import functools, importlib, site, sys, tempfile; \
             [site.addsitedir(d) for d in {sites}]; sys.path[0:0] = {backend_path}; \
             backend = functools.reduce(getattr, [a for a in {object}.split(\".\") if a], \
             importlib.import_module({module})); print(backend.{call})",
            sites = literal(&Value::from(site_dirs.to_vec())),
            backend_path = literal(&Value::from(backend_path.to_vec())),
            object = literal(&Value::from(object.trim())),
            module = literal(&Value::from(module.trim())),
        );
        let mut line = format!(
            "cd {} && env -i",
            sh_quote(&self.source_dir.to_string_lossy())
        );
        if let Some(path_var) = path_var {
            line.push_str(&format!(" PATH={}", sh_quote(&path_var.to_string_lossy())));
        }
        line.push_str(" HOME=\"$HOME\" PYTHONNOUSERSITE=1 PYTHONUNBUFFERED=1");
        if let Ok(python_path) = std::env::join_paths(site_dirs) {
            line.push_str(&format!(
                " PYTHONPATH={}",
                sh_quote(&python_path.to_string_lossy())
            ));
        }
        line.push_str(&format!(
            " {} -I -S -u -c {}",
            sh_quote(&self.interpreter.path().to_string_lossy()),
            sh_quote(&code)
        ));
        line
    }

    fn bad_result(&self, hook: &str, reason: &str) -> HookError {
        HookError::BadResult {
            hook: hook.to_owned(),
            source_dir: self.source_dir.to_path_buf(),
            reason: reason.to_owned(),
        }
    }
}

/// `name` when it is one normal path component (what a hook may return), else `None`.
fn single_component(name: &str) -> Option<&str> {
    let mut components = Path::new(name).components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(_)), None) if !name.contains(['/', '\\']) => Some(name),
        _ => None,
    }
}

/// Reads at most [`MAX_METADATA`] bytes of `path`; a longer file is an error.
fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_METADATA + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_METADATA {
        return Err(std::io::Error::other("larger than 64 MiB"));
    }
    Ok(bytes)
}

/// The `*.dist-info/METADATA` of the wheel at `path`: the one of the wheel's own
/// `<name>-<version>.dist-info` when there are several.
fn metadata_from_wheel(path: &Path) -> Result<Vec<u8>, String> {
    let file =
        std::fs::File::open(path).map_err(|error| format!("`{}`: {error}", path.display()))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|error| format!("`{}`: {error}", path.display()))?;
    let candidates: Vec<String> = archive
        .file_names()
        .filter(|name| {
            name.split_once('/')
                .is_some_and(|(dir, file)| dir.ends_with(".dist-info") && file == "METADATA")
        })
        .map(str::to_owned)
        .collect();
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let own = file_name
        .splitn(3, '-')
        .take(2)
        .collect::<Vec<_>>()
        .join("-");
    let chosen = match candidates.as_slice() {
        [] => return Err(format!("`{file_name}` has no `*.dist-info/METADATA`")),
        [only] => only.clone(),
        several => several
            .iter()
            .find(|name| name.starts_with(&format!("{own}.dist-info/")))
            .cloned()
            .ok_or_else(|| format!("`{file_name}` has several `*.dist-info` directories"))?,
    };
    let member = archive
        .by_name(&chosen)
        .map_err(|error| format!("`{chosen}` in `{file_name}`: {error}"))?;
    let mut bytes = Vec::new();
    member
        .take(MAX_METADATA + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("`{chosen}` in `{file_name}`: {error}"))?;
    if bytes.len() as u64 > MAX_METADATA {
        return Err(format!("`{chosen}` in `{file_name}` is larger than 64 MiB"));
    }
    Ok(bytes)
}

/// `text` as one shell word: as it is when it is made of safe characters, else single-quoted.
fn sh_quote(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c));
    if safe {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

// The tests use Unix sockets, permissions and /proc.
#[cfg(test)]
#[cfg(unix)]
mod tests;
