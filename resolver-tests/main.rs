//! Integration tests: the `pinwheel` binary against a real index on 127.0.0.1.
//!
//! Each test starts its own index (`support::TestIndex`) with wheels and sdists built in memory,
//! runs `pinwheel resolve` with a private cache directory, and checks the output file, the exit
//! code, stderr and — through the server's request log — which fetch path was taken. No request
//! leaves 127.0.0.1.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers unwrap what the test itself set up"
)]

mod support;

mod archives;
mod attestations;
mod bounds;
mod builds;
mod cache_cmd;
mod check;
mod claims;
mod cli;
mod config;
mod digests;
mod download;
mod environment;
mod faults;
mod fetch_paths;
mod git;
mod hashes;
mod index_trust;
mod live;
mod local_paths;
mod outputs;
mod own_scenarios;
mod packse;
mod packse_universal;
mod parity;
mod pip_compile;
mod private_index;
mod published;
mod pylock;
mod remote_cache;
mod scenario;
mod sdist_archives;
mod secrets;
mod sources;
mod targets;
mod team;
mod tls;
mod universal;
mod universal_judge;
mod upgrade;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::bounded::Bounded as _;
use support::{ServerOptions, TestIndex, TestPackage};

/// A scratch project directory with its own cache.
pub struct Project {
    dir: tempfile::TempDir,
}

/// The result of one `pinwheel` run.
pub struct Run {
    /// The process output.
    pub output: Output,
    /// stdout, decoded.
    pub stdout: String,
    /// stderr, decoded.
    pub stderr: String,
    /// The command line, for failure messages and reruns.
    pub command: String,
}

impl Run {
    fn new(output: Output, args: &[String]) -> Self {
        Run {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            command: format!("pinwheel {}", args.join(" ")),
            output,
        }
    }

    /// Asserts the exit code, printing everything when it differs.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.output.status.code(),
            Some(code),
            "`{}` exited with {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.command,
            self.output.status.code(),
            self.stdout,
            self.stderr
        );
        self
    }
}

/// A `pinwheel` process started by [`Project::spawn`] and not yet waited for.
pub struct Spawned {
    child: std::process::Child,
    args: Vec<String>,
}

impl Spawned {
    /// The process id, for sending it signals.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends the process SIGINT, as Ctrl-C in a terminal does.
    pub fn interrupt(&self) {
        let pid = rustix::process::Pid::from_child(&self.child);
        rustix::process::kill_process(pid, rustix::process::Signal::INT)
            .expect("sending SIGINT to the spawned binary");
    }

    /// Whether the process has exited.
    pub fn has_exited(&mut self) -> bool {
        self.child.try_wait().unwrap().is_some()
    }

    /// Waits for the process, under the time limit of every child of a test, and collects its
    /// output.
    pub fn wait(self) -> Run {
        let shown = self.args.join(" ");
        let output = support::bounded::wait_bounded(self.child, &shown).unwrap();
        Run::new(output, &self.args)
    }
}

impl Default for Project {
    fn default() -> Self {
        Self::new()
    }
}

impl Project {
    /// A new empty project directory.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The project directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file in the project directory.
    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, content).unwrap();
        path
    }

    /// Reads a file of the project directory.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name))
            .unwrap_or_else(|error| panic!("{name}: {error}"))
    }

    /// Runs `pinwheel resolve` in the project directory against `index`, targeting CPython 3.12
    /// on x86_64 manylinux_2_28 (unless `--universal`), with the project's own cache.
    pub fn resolve(&self, index: &TestIndex, args: &[&str]) -> Run {
        self.resolve_with_env(index, args, &[])
    }

    /// [`Project::resolve`] with these environment variables set.
    pub fn resolve_with_env(&self, index: &TestIndex, args: &[&str], env: &[(&str, &str)]) -> Run {
        self.run_with_env(&self.resolve_args(index, args), env)
    }

    /// The project's cache directory (what [`Project::resolve`] passes as `--cache-dir`).
    pub fn cache_dir(&self) -> PathBuf {
        self.path().join("cache")
    }

    /// The arguments [`Project::resolve`] runs the binary with.
    pub fn resolve_args(&self, index: &TestIndex, args: &[&str]) -> Vec<String> {
        let mut all: Vec<String> = vec!["resolve".into(), "--index-url".into(), index.index_url()];
        // A universal lock is for every platform: it takes none.
        if !args.contains(&"--python-platform") && !args.contains(&"--universal") {
            all.extend(["--python-platform".into(), "x86_64-manylinux_2_28".into()]);
        }
        all.extend([
            "--cache-dir".into(),
            self.path().join("cache").display().to_string(),
        ]);
        all.extend(args.iter().map(|arg| (*arg).to_string()));
        all
    }

    /// Runs `pinwheel check` in the project directory against `index`, with the project's own
    /// cache. `args` must name the targets (the default platform is the host's).
    pub fn check(&self, index: &TestIndex, args: &[&str]) -> Run {
        let mut all: Vec<String> = vec![
            "check".into(),
            "--index-url".into(),
            index.index_url(),
            "--cache-dir".into(),
            self.path().join("cache").display().to_string(),
        ];
        all.extend(args.iter().map(|arg| (*arg).to_string()));
        self.run(&all)
    }

    /// Runs the binary with exactly `args`.
    pub fn run(&self, args: &[String]) -> Run {
        self.run_with_env(args, &[])
    }

    /// Runs the binary with exactly `args` and these environment variables set.
    pub fn run_with_env(&self, args: &[String], env: &[(&str, &str)]) -> Run {
        let output = self.command(args, env).output_bounded().unwrap();
        Run::new(output, args)
    }

    /// Starts the binary with exactly `args` and returns at once.
    pub fn spawn(&self, args: &[String]) -> Spawned {
        use std::os::unix::process::CommandExt as _;
        // A group of its own, so that a hang past the limit kills whatever it started too.
        let child = self
            .command(args, &[])
            .process_group(0)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        Spawned {
            child,
            args: args.to_vec(),
        }
    }

    /// The binary with `args`, run in the project directory, in an environment the test builds
    /// itself (see [`clean_command`]) plus `env`.
    pub fn command(&self, args: &[String], env: &[(&str, &str)]) -> Command {
        let mut command = clean_command(env!("CARGO_BIN_EXE_pinwheel"), self.path());
        command.args(args).envs(env.iter().copied());
        command
    }
}

/// A command for `program` in `dir` whose environment is built here, not inherited: the host's
/// `PINWHEEL_*`, `PIP_*`, `RUST_LOG`, proxy and `CUSTOM_COMPILE_COMMAND` variables would change what
/// the binary does (a `PINWHEEL_CACHE_TTL=0` sends requests in warm tests, `RUST_LOG=info`
/// overrides `-q`, a proxy routes 127.0.0.1 elsewhere, `PIP_FIND_LINKS` lands in every lock).
///
/// Kept from the host: `PATH` (tests find `git`, `python3`), `TMPDIR`, and the TLS trust
/// variables `SSL_CERT_FILE`/`SSL_CERT_DIR` (a live test behind a TLS-inspecting proxy needs its
/// CA; local tests use plain HTTP). `HOME` is `dir`, so a
/// user's `~/.netrc`, pip or pinwheel configuration and default cache stay out. `TZ` is UTC, so a
/// bare `--exclude-newer` date means the same instant on every machine.
pub fn clean_command(program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .env_clear()
        .current_dir(dir)
        .env("HOME", dir)
        .env("TZ", "UTC");
    for kept in ["PATH", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR"] {
        if let Some(value) = std::env::var_os(kept) {
            command.env(kept, value);
        }
    }
    command
}

/// Every file below `dir` (none when it cannot be read), in no particular order.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

/// The `name==version` lines of a requirements file, in order.
pub fn pins(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| {
            !line.starts_with(' ')
                && !line.starts_with('#')
                && !line.starts_with('-')
                && !line.trim().is_empty()
        })
        .map(|line| {
            line.trim_end_matches(" \\")
                .split(" ;")
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .collect()
}

/// The sha256 hashes listed under `pin` in a requirements file, sorted.
pub fn hashes_of(text: &str, pin: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if !line.starts_with(' ') {
            inside = line.starts_with(&format!("{pin} ")) || line == pin;
            continue;
        }
        if inside && let Some(hash) = line.trim().strip_prefix("--hash=sha256:") {
            hashes.push(hash.trim_end_matches(" \\").to_string());
        }
    }
    hashes.sort();
    hashes
}

/// A small graph: a wheel-only chain, an sdist-only package with static metadata, an extra.
pub fn small_graph() -> Vec<TestPackage> {
    use support::{SdistKind, TestFile};
    vec![
        TestPackage::new("app", "1.0").requires(&["lib>=1", "static-sdist", "opt[fast]"]),
        TestPackage::new("app", "2.0")
            .requires(&["lib>=2", "static-sdist", "opt[fast]"])
            .python(">=3.13"),
        TestPackage::new("lib", "1.0"),
        TestPackage::new("lib", "1.5").with_files(vec![
            TestFile::Wheel {
                tag: "py3-none-any".into(),
            },
            TestFile::Wheel {
                tag: "cp312-cp312-win_amd64".into(),
            },
            TestFile::Sdist(SdistKind::PkgInfo22),
        ]),
        TestPackage::new("static-sdist", "0.3")
            .with_files(vec![TestFile::Sdist(SdistKind::PyprojectStatic)])
            .requires(&["leaf"]),
        TestPackage::new("leaf", "4.0"),
        TestPackage::new("opt", "1.0")
            .extras(&["fast"])
            .requires(&["speedups; extra == \"fast\""]),
        TestPackage::new("speedups", "0.1"),
    ]
}

/// Starts an index over `packages` with `options`.
pub fn index(packages: Vec<TestPackage>, options: ServerOptions) -> TestIndex {
    TestIndex::start(packages, options)
}
