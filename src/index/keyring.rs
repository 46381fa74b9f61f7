//! `--keyring-provider subprocess`: passwords from the `keyring` command found on `PATH`, as
//! pip's subprocess provider gets them (`keyring get SERVICE USERNAME`, the password on
//! stdout, a non-zero exit for none).
//!
//! The child's stdout is the only place the password passes through; it is kept in memory
//! and never logged (the log says which service was asked, not what it answered). The child is
//! awaited as a tokio process, so a slow keyring (an unlock prompt) holds up only the requests
//! that wait for its answer, not the async workers other fetches run on.

use std::process::Stdio;
use std::time::Duration;

/// Where passwords for URLs with a user name and no password come from, after the netrc file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyringProvider {
    /// No keyring (the default, as in uv).
    #[default]
    Disabled,
    /// The `keyring` command.
    Subprocess,
}

/// How long the command may take: a keyring that waits for an unlock prompt nobody answers
/// must not hang the run.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The password `keyring get service username` prints, if it prints one.
pub(crate) async fn password(service: &str, username: &str) -> Option<String> {
    tracing::debug!("asking `keyring get {service} {username}` for a password");
    let child = tokio::process::Command::new("keyring")
        .args(["get", service, username])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .env("PYTHONIOENCODING", "utf-8")
        // A child that outlives its time limit is killed when the wait is dropped.
        .kill_on_drop(true)
        .spawn()
        .ok()?;
    let Ok(output) = tokio::time::timeout(TIMEOUT, child.wait_with_output()).await else {
        tracing::warn!("`keyring get {service}` did not answer in time");
        return None;
    };
    let output = output.ok()?;
    if !output.status.success() {
        return None;
    }
    let out = String::from_utf8(output.stdout).ok()?;
    let password = out.strip_suffix('\n').unwrap_or(&out);
    let password = password.strip_suffix('\r').unwrap_or(password);
    (!password.is_empty()).then(|| password.to_string())
}
