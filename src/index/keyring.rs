//! `--keyring-provider subprocess`: passwords from the `keyring` command found on `PATH`, as
//! pip's subprocess provider gets them (`keyring get SERVICE USERNAME`, the password on
//! stdout, a non-zero exit for none).
//!
//! The child's stdout is the only place the password passes through; it is kept in memory
//! and never logged (the log says which service was asked, not what it answered).

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
pub(crate) fn password(service: &str, username: &str) -> Option<String> {
    tracing::debug!("asking `keyring get {service} {username}` for a password");
    let mut child = Command::new("keyring")
        .args(["get", service, username])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .env("PYTHONIOENCODING", "utf-8")
        .spawn()
        .ok()?;
    let started = Instant::now();
    // A password is a few bytes, far less than a pipe holds, so waiting before reading
    // cannot block the child.
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < TIMEOUT => {
                std::thread::sleep(Duration::from_millis(10));
            }
            _ => {
                tracing::warn!("`keyring get {service}` did not answer in time");
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    };
    if !status.success() {
        return None;
    }
    let mut out = String::new();
    child.stdout.take()?.read_to_string(&mut out).ok()?;
    let password = out.strip_suffix('\n').unwrap_or(&out);
    let password = password.strip_suffix('\r').unwrap_or(password);
    (!password.is_empty()).then(|| password.to_string())
}
