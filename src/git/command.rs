//! Running one `git` command: no prompts, no stdin, a time limit, stderr kept for the error.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use super::GitErrorKind;

/// How long one `git` command may take: long enough to fetch a large repository whole (the
/// fallback when a server refuses a shallow fetch by commit), short enough that a host that
/// never answers does not hang a run forever.
const TIME_LIMIT: Duration = Duration::from_secs(600);

/// The subcommands this module runs, named in errors.
#[derive(Clone, Copy, Debug)]
pub(super) enum Git {
    LsRemote,
    Init,
    Fetch,
    Checkout,
    RevParse,
}

impl Git {
    fn name(self) -> &'static str {
        match self {
            Self::LsRemote => "ls-remote",
            Self::Init => "init",
            Self::Fetch => "fetch",
            Self::Checkout => "checkout",
            Self::RevParse => "rev-parse",
        }
    }
}

/// Runs `git ARGS` (in `dir`, when given) and returns its stdout.
pub(super) async fn run_git(
    which: Git,
    dir: Option<&Path>,
    args: &[&str],
) -> Result<String, GitErrorKind> {
    let mut command = tokio::process::Command::new("git");
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    command
        .args(args)
        // A host that wants a password must fail, not wait for someone to type one.
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command.spawn().map_err(GitErrorKind::NotFound)?;
    let output = tokio::time::timeout(TIME_LIMIT, child.wait_with_output())
        .await
        .map_err(|_| GitErrorKind::TimedOut {
            command: which.name(),
            seconds: TIME_LIMIT.as_secs(),
        })?
        .map_err(GitErrorKind::NotFound)?;
    if !output.status.success() {
        return Err(GitErrorKind::Failed {
            command: which.name(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
