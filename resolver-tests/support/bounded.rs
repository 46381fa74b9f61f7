//! Child processes with a time limit, so that a hang fails its test instead of hanging CI.
//!
//! The child runs in a process group of its own; a watchdog thread waits (on a channel, with
//! a timeout: nothing sleeps) for the child to finish, and past the limit kills the whole
//! group — a build backend or git under the binary included, since any of them could hold
//! the output pipes open — and the test fails saying what hung.

use std::os::unix::process::CommandExt as _;
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long one child process of a test may run. Generous: the slowest (a packse scenario
/// suite's single run, a pip install in a new venv) take seconds.
pub const LIMIT: Duration = Duration::from_secs(300);

/// `Command::output` and `Command::status` under a time limit.
pub trait Bounded {
    /// Runs to completion capturing stdout and stderr, as `output()` does.
    ///
    /// # Panics
    /// When the child runs past [`LIMIT`] (it is killed first), or cannot be started.
    fn output_bounded(&mut self) -> std::io::Result<Output>;

    /// Runs to completion with stdout and stderr inherited, as `status()` does.
    ///
    /// # Panics
    /// As [`Bounded::output_bounded`].
    fn status_bounded(&mut self) -> std::io::Result<ExitStatus>;
}

impl Bounded for Command {
    fn output_bounded(&mut self) -> std::io::Result<Output> {
        self.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        run_bounded(self, |child| child.wait_with_output())
    }

    fn status_bounded(&mut self) -> std::io::Result<ExitStatus> {
        self.stdin(Stdio::null());
        run_bounded(self, |mut child| child.wait())
    }
}

fn run_bounded<T>(
    command: &mut Command,
    wait: impl FnOnce(std::process::Child) -> std::io::Result<T>,
) -> std::io::Result<T> {
    run_within(command, LIMIT, wait)
}

fn run_within<T>(
    command: &mut Command,
    limit: Duration,
    wait: impl FnOnce(std::process::Child) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let shown = format!("{command:?}");
    let child = command.process_group(0).spawn()?;
    wait_within(child, &shown, limit, wait)
}

/// Waits for `child` (spawned in a process group of its own, `shown` for the message) under
/// [`LIMIT`] as [`Bounded`] does: for a child a test started itself, to signal it first.
///
/// # Panics
/// When the child runs past [`LIMIT`] (its group is killed first).
pub fn wait_bounded(child: std::process::Child, shown: &str) -> std::io::Result<Output> {
    wait_within(child, shown, LIMIT, std::process::Child::wait_with_output)
}

fn wait_within<T>(
    child: std::process::Child,
    shown: &str,
    limit: Duration,
    wait: impl FnOnce(std::process::Child) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let group = rustix::process::Pid::from_child(&child);
    let (finished, watched) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        let timed_out = watched.recv_timeout(limit) == Err(mpsc::RecvTimeoutError::Timeout);
        if timed_out {
            // The group may be gone by now; then there is nothing to kill.
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
        timed_out
    });
    let result = wait(child);
    let _ = finished.send(());
    let timed_out = watchdog.join().unwrap_or(true);
    assert!(
        !timed_out,
        "{shown} ran for more than {} s and was killed",
        limit.as_secs()
    );
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quick_child_runs_as_usual() {
        let output = Command::new("sh")
            .args(["-c", "echo out; echo err >&2; exit 3"])
            .output_bounded()
            .unwrap();
        assert_eq!(output.status.code(), Some(3));
        assert_eq!(output.stdout, b"out\n");
        assert_eq!(output.stderr, b"err\n");
        let status = Command::new("true").status_bounded().unwrap();
        assert!(status.success());
    }

    /// A child that outlives the limit is killed with its group (the grandchild holding the
    /// pipe open included), and the test fails saying so.
    #[test]
    #[should_panic(expected = "was killed")]
    fn a_hung_child_fails_the_test() {
        let mut command = Command::new("sh");
        command
            .args(["-c", "sleep 60 & wait"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let _ = run_within(&mut command, Duration::from_secs(1), |child| {
            child.wait_with_output()
        });
    }
}
