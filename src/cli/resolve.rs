//! `pinwheel resolve`: read inputs, resolve for the target, write the lock.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;

use super::args::{NewlineArg, ResolveArgs};
use super::diagnostics::{Failure, report};
use super::hashes::{KnownHashes, complete_hashes, known_hashes};
use super::output::write_atomically;
use super::progress::Progress;
use super::settings::{OutputTarget, resolve_settings, source_files};
use super::{init_logging, runtime};
use crate::cache::Cache;
use crate::index::IndexClient;
use crate::inputs::{
    Manifest, OriginKind, ProjectSelection, is_project_file, read_manifest, read_project_file,
};
use crate::registry::Registry;
use crate::writers::write_requirements_txt;

/// Runs the command and returns its exit code.
pub fn run(args: &ResolveArgs) -> ExitCode {
    init_logging(args.verbose);
    let started = Instant::now();
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(failure) => return report(&failure),
    };
    match runtime.block_on(resolve(args)) {
        Ok(count) => {
            if !args.quiet {
                eprintln!(
                    "Resolved {count} packages in {} ms",
                    started.elapsed().as_millis()
                );
            }
            ExitCode::SUCCESS
        }
        Err(failure) => report(&failure),
    }
}

async fn resolve(args: &ResolveArgs) -> Result<usize, Failure> {
    let sources = source_files(args)?;
    let mut manifest = Manifest::default();
    let selection = ProjectSelection {
        extras: args.extra.clone(),
        all_extras: args.all_extras,
        groups: args.group.clone(),
    };
    for source in &sources {
        let read = if is_project_file(source) {
            read_project_file(source, &selection)
        } else {
            read_manifest(source, OriginKind::Requirement)
        };
        manifest.extend(read.map_err(anyhow::Error::new)?);
    }
    for constraints in &args.constraint {
        manifest.extend(
            read_manifest(constraints, OriginKind::Constraint).map_err(anyhow::Error::new)?,
        );
    }
    let settings = resolve_settings(args, &sources, &manifest)?;
    let cache = match &settings.cache_dir {
        Some(dir) => Some(Cache::open(dir).map_err(anyhow::Error::new)?),
        None => None,
    };
    let client = IndexClient::new(settings.client.clone(), cache).map_err(anyhow::Error::new)?;
    let progress = Progress::start(&client, args.quiet, "Resolving");
    let registry = Arc::new(Registry::new(client.clone()));
    let mut resolution =
        crate::resolver::resolve(&manifest, &settings.target, &settings.resolve, registry).await?;
    if settings.write.hashes {
        let known = match &settings.output {
            OutputTarget::File(path) => known_hashes(path),
            OutputTarget::Stdout => KnownHashes::default(),
        };
        complete_hashes(&mut resolution, &known, &client).await?;
    }
    drop(progress);
    for pin in &resolution.pins {
        if let Some(kept) = settings.resolve.preferences.get(&pin.name)
            && *kept != pin.version
            && !args.quiet
        {
            eprintln!(
                "note: `{}` moved from {kept} to {}: the existing pin does not fit the requirements",
                pin.name, pin.version
            );
        }
    }
    tracing::info!("{} HTTP requests sent", client.requests_sent());
    let text = with_newlines(
        &write_requirements_txt(&resolution, &settings.write),
        newline(args, &settings.output, &sources),
    );
    if args.check {
        return check(&settings.output, &text).map(|()| resolution.pins.len());
    }
    let destination = if args.dry_run {
        &OutputTarget::Stdout
    } else {
        &settings.output
    };
    match destination {
        OutputTarget::Stdout => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .context("cannot write to stdout")?;
        }
        OutputTarget::File(path) => write_atomically(path, text.as_bytes())?,
    }
    if args.dry_run && !args.quiet {
        eprintln!("Dry-run, so nothing updated.");
    }
    Ok(resolution.pins.len())
}

/// The line ending `--newline` asks for.
fn newline(
    args: &ResolveArgs,
    output: &OutputTarget,
    sources: &[std::path::PathBuf],
) -> &'static str {
    let crlf_in = |path: &std::path::Path| {
        std::fs::read(path).ok().and_then(|bytes| {
            bytes
                .windows(2)
                .find(|pair| pair[1] == b'\n')
                .map(|pair| pair[0] == b'\r')
        })
    };
    match args.newline {
        NewlineArg::Lf => "\n",
        NewlineArg::Crlf => "\r\n",
        NewlineArg::Native if cfg!(windows) => "\r\n",
        NewlineArg::Native => "\n",
        NewlineArg::Preserve => {
            let existing = match output {
                OutputTarget::File(path) => crlf_in(path),
                OutputTarget::Stdout => None,
            };
            let first_input = sources
                .first()
                .filter(|path| path.as_os_str() != "-")
                .and_then(|path| crlf_in(path));
            if existing.or(first_input).unwrap_or(false) {
                "\r\n"
            } else {
                "\n"
            }
        }
    }
}

/// `text` (written with `\n`) with `newline` line endings.
fn with_newlines(text: &str, newline: &str) -> String {
    if newline == "\n" {
        text.to_string()
    } else {
        text.replace('\n', newline)
    }
}

/// `--check`: compare `text` with the existing output; a stale or missing file is a failure
/// whose diff goes to stdout.
fn check(output: &OutputTarget, text: &str) -> Result<(), Failure> {
    let OutputTarget::File(path) = output else {
        return Err(anyhow::anyhow!("`--check` needs an output file to compare with").into());
    };
    let existing = match std::fs::read_to_string(path) {
        Ok(existing) => existing,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => {
            return Err(anyhow::Error::new(error)
                .context(format!("cannot read `{}`", path.display()))
                .into());
        }
    };
    if existing == text {
        return Ok(());
    }
    let shown = path.display().to_string();
    let diff = similar::TextDiff::from_lines(existing.as_str(), text)
        .unified_diff()
        .header(&shown, &format!("{shown} (resolved now)"))
        .to_string();
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(diff.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")?;
    Err(Failure::Stale(path.clone()))
}
