//! `check`'s settings: its targets and the index client, from its arguments and the lock.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{
    DEFAULT_PYTHON_VERSION, NamedTarget, client_options, environment_variables, index_cache_dir,
    named_targets, relative_to_lock,
};
use crate::cli::args::{CheckArgs, FormatArg};
use crate::cli::shown_urls::lock_index_options;
use crate::index::ClientOptions;
use crate::inputs::IndexOptions;
use crate::lockcheck::{CheckOptions, SdistPolicy};
use crate::lockfile::Lock;

/// Everything `check` needs, settled.
pub struct CheckSettings {
    /// Every `--python-version` on every `--python-platform`, Python-major, without repeats.
    pub targets: Vec<NamedTarget>,
    /// Index client options.
    pub client: ClientOptions,
    /// The cache directory, or none (`--no-cache`).
    pub cache_dir: Option<PathBuf>,
    /// How findings are judged.
    pub options: CheckOptions,
    /// How the report is printed.
    pub format: FormatArg,
}

/// Settles `check`'s settings from its arguments and the lock's own option lines: without
/// `--index-url`, the lock's `--index-url` is used (else PyPI), and its `--extra-index-url`,
/// `--find-links` and `--no-index` lines add to the command line's, as a `.in` file's do for
/// `resolve`.
pub fn check_settings(args: &CheckArgs, lock: &Lock, lock_path: &Path) -> Result<CheckSettings> {
    let default_python = [DEFAULT_PYTHON_VERSION.to_string()];
    let versions = if args.python_version.is_empty() {
        &default_python[..]
    } else {
        &args.python_version[..]
    };
    let targets = named_targets(versions, &args.python_platform)?;

    let lock_dir = lock_path.parent().unwrap_or_else(|| Path::new(""));
    let from_lock = IndexOptions {
        find_links: lock
            .find_links
            .iter()
            .map(|link| relative_to_lock(link, lock_dir))
            .collect(),
        ..lock_index_options(lock, &environment_variables())
    };
    Ok(CheckSettings {
        targets,
        client: client_options(&(&args.index).into(), &from_lock)?,
        cache_dir: index_cache_dir(&args.index),
        options: CheckOptions {
            sdist: if args.require_wheels {
                SdistPolicy::Fail
            } else {
                SdistPolicy::Warn
            },
        },
        format: args.format,
    })
}
