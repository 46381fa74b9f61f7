//! `pinwheel check`: read the lock, check it on every target, print the report. The checking
//! itself is `crate::lockcheck`; this module only settles arguments and renders.

mod json;
mod table;

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;

use super::args::{CheckArgs, FormatArg};
use super::diagnostics::{Failure, report};
use super::progress::Progress;
use super::settings::check_settings;
use super::{init_logging, runtime};
use crate::cache::Cache;
use crate::index::IndexClient;
use crate::lockcheck::check_lock;
use crate::lockfile::read_lock;
use crate::target::Target;

/// Runs the command: exit 0 when every pin passes (warnings allowed) on every target, 1 when
/// one fails, 2 when the check cannot be carried out.
pub fn run(args: &CheckArgs) -> ExitCode {
    init_logging(args.verbose);
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(failure) => return report(&failure),
    };
    match runtime.block_on(check(args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(failure) => report(&failure),
    }
}

/// Checks and prints; `Ok(passed)`.
async fn check(args: &CheckArgs) -> Result<bool, Failure> {
    let lock = read_lock(&args.lock_file).map_err(anyhow::Error::new)?;
    let settings = check_settings(args, &lock, &args.lock_file)?;
    let cache = match &settings.cache_dir {
        Some(dir) => Some(Cache::open(dir).map_err(anyhow::Error::new)?),
        None => None,
    };
    let client = IndexClient::new(settings.client.clone(), cache).map_err(anyhow::Error::new)?;
    let targets: Vec<Target> = settings
        .targets
        .iter()
        .map(|named| named.target.clone())
        .collect();
    let progress = Progress::start(&client, false, "Checking", None);
    let checked = check_lock(&lock, &targets, &client, settings.options).await;
    drop(progress);
    let checked = checked
        .map_err(anyhow::Error::new)
        .with_context(|| format!("cannot check `{}`", args.lock_file.display()))?;
    tracing::info!("{} HTTP requests sent", client.requests_sent());
    let text = match settings.format {
        FormatArg::Table => table::render(&checked, &settings.targets),
        FormatArg::Json => json::render(&checked, &settings.targets, &args.lock_file)?,
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")?;
    Ok(checked.passed())
}
