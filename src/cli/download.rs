//! `pinwheel download`: read the lock, download its files for the target, say what happened.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::args::DownloadArgs;
use super::diagnostics::{Failure, report};
use super::interrupt::{INTERRUPTED, interrupted};
use super::progress::Progress;
use super::settings::download_settings;
use super::units::format_size;
use super::{init_logging, runtime};
use crate::cache::Cache;
use crate::download::{DownloadError, DownloadReport, Origin, PinError, Verification, download};
use crate::index::IndexClient;
use crate::lockfile::read_lock;

/// Runs the command and returns its exit code: 0 when every file is in place, 2 otherwise.
pub fn run(args: &DownloadArgs) -> ExitCode {
    init_logging(args.verbose);
    let started = Instant::now();
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(failure) => return report(&failure),
    };
    let outcome = runtime.block_on(async {
        tokio::select! {
            // Polled first, so that the handler is in place before any partial file exists.
            biased;
            () = interrupted() => None,
            outcome = run_download(args) => Some(outcome),
        }
    });
    let Some(outcome) = outcome else {
        // The select dropped the download's futures, and with them every partial file in
        // flight (a dropped temporary file deletes itself). A blocking copy still running
        // writes into a deleted file: it is not waited for.
        runtime.shutdown_background();
        eprintln!(
            "interrupted: the partial files of this run were removed from {}",
            args.dest.display()
        );
        return ExitCode::from(INTERRUPTED);
    };
    match outcome {
        Ok(done) => {
            if !args.quiet {
                print_summary(&done, &args.dest, started.elapsed());
            }
            ExitCode::SUCCESS
        }
        Err(DownloadFailure::Pins { failures, pins }) => {
            let failed = failures.len();
            for failure in failures {
                let context = format!(
                    "{}:{}: cannot download `{}`",
                    args.requirement.display(),
                    failure.line,
                    failure.pin
                );
                report(&Failure::Error(
                    anyhow::Error::new(failure.kind).context(context),
                ));
            }
            report(&Failure::Error(anyhow::anyhow!(
                "{failed} of {pins} pins could not be downloaded; nothing was written for them"
            )))
        }
        Err(DownloadFailure::Other(failure)) => report(&failure),
    }
}

/// How a run failed: some pins (each reported on its own, with its line and cause), or
/// anything else.
enum DownloadFailure {
    Pins {
        failures: Vec<PinError>,
        pins: usize,
    },
    Other(Failure),
}

impl<E: Into<Failure>> From<E> for DownloadFailure {
    fn from(error: E) -> Self {
        Self::Other(error.into())
    }
}

async fn run_download(args: &DownloadArgs) -> Result<DownloadReport, DownloadFailure> {
    let lock = read_lock(&args.requirement).map_err(anyhow::Error::new)?;
    let settings = download_settings(args, &lock, &args.requirement)?;
    let cache = match &settings.cache_dir {
        Some(dir) => Some(Cache::open(dir).map_err(anyhow::Error::new)?),
        None => None,
    };
    let client = IndexClient::new(settings.client.clone(), cache).map_err(anyhow::Error::new)?;
    let progress = Progress::start(&client, args.quiet, "Downloading", None);
    let outcome = download(&lock, &settings.target, &client, &settings.download).await;
    drop(progress);
    tracing::info!("{} HTTP requests sent", client.requests_sent());
    match outcome {
        Ok(done) => Ok(done),
        Err(DownloadError::Pins { failures, pins }) => {
            Err(DownloadFailure::Pins { failures, pins })
        }
        Err(error) => Err(anyhow::Error::new(error))
            .with_context(|| {
                format!(
                    "cannot download the pins of `{}`",
                    args.requirement.display()
                )
            })
            .map_err(DownloadFailure::from),
    }
}

/// The closing summary on stderr, and warnings about what could not be checked.
fn print_summary(done: &DownloadReport, dest: &Path, elapsed: Duration) {
    let files = done.files.len();
    eprintln!(
        "Downloaded {files} file{} ({}) to {} in {} ms: {} fetched, {} from the cache, {} already there",
        plural(files),
        format_size(done.total_bytes()),
        dest.display(),
        elapsed.as_millis(),
        done.count(Origin::Fetched),
        done.count(Origin::Cache),
        done.count(Origin::AlreadyPresent),
    );
    if !done.skipped.is_empty() {
        let names: Vec<&str> = done.skipped.iter().map(|pin| pin.pin.as_str()).collect();
        eprintln!(
            "Skipped {} pin{} whose marker does not hold on the target: {}",
            names.len(),
            plural(names.len()),
            names.join(", ")
        );
    }
    for pin in &done.not_downloadable {
        eprintln!(
            "Not downloadable: {pin}: a git requirement has no distribution file (pip installs it from a checkout)"
        );
    }
    let sdists: Vec<&str> = done
        .files
        .iter()
        .filter(|file| {
            file.path
                .extension()
                .is_none_or(|extension| extension != "whl")
        })
        .map(|file| file.pin.as_str())
        .collect();
    if !sdists.is_empty() {
        eprintln!(
            "note: {} pin{} only an sdist for this target ({}): pip will have to build {} when installing, and with `--no-index` {} build requirements (such as setuptools) must be in the directory too",
            sdists.len(),
            if sdists.len() == 1 { " has" } else { "s have" },
            sdists.join(", "),
            if sdists.len() == 1 { "it" } else { "them" },
            if sdists.len() == 1 { "its" } else { "their" },
        );
    }
    let by_source: Vec<&str> = done
        .verified_by(Verification::Source)
        .map(|file| file.pin.as_str())
        .collect();
    if !by_source.is_empty() {
        eprintln!(
            "warning: the lock has no hashes for {} pin{} ({}): checked against the index's sha256 only (lock with `--generate-hashes`, or pass `--require-hashes` to refuse this)",
            by_source.len(),
            plural(by_source.len()),
            by_source.join(", ")
        );
    }
    let unverified: Vec<&str> = done
        .verified_by(Verification::Unverified)
        .map(|file| file.pin.as_str())
        .collect();
    if !unverified.is_empty() {
        eprintln!(
            "warning: nothing lists a sha256 for {} pin{} ({}): their files were not verified",
            unverified.len(),
            plural(unverified.len()),
            unverified.join(", ")
        );
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
