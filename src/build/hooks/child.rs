//! Running one hook's child process: its own process group, a time limit, the group killed on
//! timeout and when the future is dropped, and the last lines of its output kept.
//!
//! A backend starts compilers, `cmake`, `ninja` or more Pythons; killing only the direct child
//! (what tokio's `kill_on_drop` does) would leave those running. So the child leads a new
//! process group, and [`GroupGuard`] sends SIGKILL to the whole group: on timeout, once the
//! child has exited (stragglers would otherwise hold the output pipes open), and in its `Drop`,
//! which runs when the resolve's futures are dropped on Ctrl-C. Elsewhere than Unix only the
//! direct child is killed.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io;
use std::pin::pin;
use std::process::{ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use futures::FutureExt as _;
use futures::future::FusedFuture as _;
use tokio::io::{AsyncRead, AsyncReadExt as _};
use tokio::process::Command;

/// How many lines of output a failure shows.
pub const TAIL_LINES: usize = 50;

/// Longer lines are cut: a minified file or a progress bar must not fill the error.
const MAX_LINE: usize = 2000;

/// How long the output may stay open after the process group is gone. Only a process that left
/// the group (`setsid`, a daemon) can hold it longer; its output is then given up.
const DRAIN: Duration = Duration::from_secs(5);

/// The variables a backend gets from pinwheel's own environment, when they are set. They
/// describe the user and the machine rather than configure pinwheel, so they are read here,
/// where the child is made, and not carried through the settings:
///
/// - `HOME`: tools find their configuration and caches (`~/.cargo` for Rust extensions);
/// - `TMPDIR`, `TEMP`, `TMP`: temporary files go where the user wants them;
/// - `LANG`, `LANGUAGE`, `LC_*`: messages and file-name encodings as in the user's shell;
/// - `SYSTEMROOT`, `COMSPEC`, `PATHEXT`, `WINDIR`: Windows cannot start Python without them.
///
/// Everything else (`PYTHONPATH`, `PIP_*`, credentials, `CC`, …) is kept out.
const PASSED_THROUGH: &[&str] = &[
    "HOME",
    "TMPDIR",
    "TEMP",
    "TMP",
    "LANG",
    "LANGUAGE",
    "SYSTEMROOT",
    "COMSPEC",
    "PATHEXT",
    "WINDIR",
];

/// The passed-through variables (see [`PASSED_THROUGH`]) and every `LC_*` among `vars`: the
/// caller hands in the process environment (`cli/settings` reads it once), so that this module
/// reads none itself.
pub fn passed_through(
    vars: impl Iterator<Item = (OsString, OsString)>,
) -> Vec<(OsString, OsString)> {
    vars.filter(|(name, _)| {
        name.to_str()
            .is_some_and(|name| PASSED_THROUGH.contains(&name) || name.starts_with("LC_"))
    })
    .collect()
}

/// How a child ended.
#[derive(Debug)]
pub(super) enum Outcome {
    /// It exited (or was killed by someone else) with `status`.
    Exited {
        /// Its exit status.
        status: ExitStatus,
        /// The last lines of stdout and stderr, in the order they arrived.
        tail: Vec<String>,
    },
    /// It ran past the time limit; its group was killed.
    TimedOut {
        /// The last lines of stdout and stderr.
        tail: Vec<String>,
    },
}

/// Runs `command` (stdin closed, output captured) for at most `timeout`.
///
/// # Errors
/// When the process cannot be started or waited for.
pub(super) async fn run(mut command: Command, timeout: Duration) -> io::Result<Outcome> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command.spawn()?;
    let mut guard = GroupGuard::new(child.id());
    let tail = Mutex::new(Tail::default());
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let mut reading = pin!(
        async {
            futures::join!(read_lines(stdout, &tail), read_lines(stderr, &tail));
        }
        .fuse()
    );
    let waited = tokio::time::timeout(timeout, async {
        tokio::select! {
            status = child.wait() => status,
            // The child closed its output but runs on: wait for it, within the limit.
            () = &mut reading => child.wait().await,
        }
    })
    .await;
    // Whatever happened, nothing of the group may outlive the hook.
    guard.kill_group();
    if waited.is_err() {
        let _ = child.start_kill();
        child.wait().await?;
    }
    if !reading.is_terminated() {
        let _ = tokio::time::timeout(DRAIN, &mut reading).await;
    }
    guard.disarm();
    let tail = tail
        .lock()
        .map(|mut tail| std::mem::take(&mut *tail).into_lines())
        .unwrap_or_default();
    match waited {
        Ok(status) => Ok(Outcome::Exited {
            status: status?,
            tail,
        }),
        Err(_) => Ok(Outcome::TimedOut { tail }),
    }
}

/// Reads `pipe` to its end, line by line, into `tail`.
async fn read_lines(pipe: Option<impl AsyncRead + Unpin>, tail: &Mutex<Tail>) {
    let Some(mut pipe) = pipe else { return };
    let mut buffer = vec![0_u8; 8192];
    let mut line = Vec::new();
    loop {
        let read = match pipe.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        for &byte in &buffer[..read] {
            if byte == b'\n' {
                push_line(tail, &line);
                line.clear();
            } else if line.len() < MAX_LINE {
                line.push(byte);
            }
        }
    }
    if !line.is_empty() {
        push_line(tail, &line);
    }
}

fn push_line(tail: &Mutex<Tail>, line: &[u8]) {
    let text = String::from_utf8_lossy(line);
    // A progress bar redraws with `\r`: what is left after the last one is what was shown.
    let text = text
        .trim_end_matches('\r')
        .rsplit('\r')
        .next()
        .unwrap_or_default()
        .to_owned();
    if let Ok(mut tail) = tail.lock() {
        tail.push(text);
    }
}

/// The last [`TAIL_LINES`] lines.
#[derive(Default)]
struct Tail {
    lines: VecDeque<String>,
}

impl Tail {
    fn push(&mut self, line: String) {
        if self.lines.len() == TAIL_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }

    fn into_lines(self) -> Vec<String> {
        self.lines.into()
    }
}

/// Kills the child's process group when told to and when dropped while armed.
struct GroupGuard {
    #[cfg(unix)]
    group: Option<rustix::process::Pid>,
}

impl GroupGuard {
    fn new(pid: Option<u32>) -> Self {
        #[cfg(unix)]
        {
            let group = pid
                .and_then(|pid| i32::try_from(pid).ok())
                .and_then(rustix::process::Pid::from_raw);
            Self { group }
        }
        #[cfg(not(unix))]
        {
            let _ = pid;
            Self {}
        }
    }

    /// SIGKILL to every process of the group. An empty group (ESRCH) is not an error.
    fn kill_group(&self) {
        #[cfg(unix)]
        if let Some(group) = self.group {
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
    }

    /// The group is known to be gone: its id may be reused, so it must not be signalled again.
    fn disarm(&mut self) {
        #[cfg(unix)]
        {
            self.group = None;
        }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.kill_group();
    }
}
