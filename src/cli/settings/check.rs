//! `check`'s settings: its targets and the index client, from its arguments and the lock.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context as _, Result};

use super::{
    DEFAULT_PYTHON_VERSION, client_options, environment_variables, index_cache_dir,
    relative_to_lock,
};
use crate::cli::args::{CheckArgs, FormatArg};
use crate::cli::shown_urls::lock_index_options;
use crate::index::ClientOptions;
use crate::inputs::IndexOptions;
use crate::lockcheck::{CheckOptions, SdistPolicy};
use crate::lockfile::Lock;
use crate::target::{Platform, PythonVersion, Target};

/// One target of `check`, with the names its column is shown under.
pub struct NamedTarget {
    /// The Python version as the user typed it (`3.12`).
    pub python: String,
    /// The platform as the user typed it (`linux`), or the host's full name.
    pub platform: String,
    /// The target.
    pub target: Target,
}

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
    let mut pythons: Vec<(&str, PythonVersion)> = Vec::new();
    for text in versions {
        let python = PythonVersion::from_str(text)
            .with_context(|| format!("invalid `--python-version {text}`"))?;
        if !pythons.iter().any(|(_, known)| *known == python) {
            pythons.push((text, python));
        }
    }
    let mut platforms: Vec<(String, Platform)> = Vec::new();
    if args.python_platform.is_empty() {
        platforms.push((Platform::host().to_string(), Platform::host()));
    }
    for name in &args.python_platform {
        let platform = Platform::from_str(name)
            .with_context(|| format!("invalid `--python-platform {name}`"))?;
        if !platforms.iter().any(|(_, known)| *known == platform) {
            platforms.push((name.clone(), platform));
        }
    }
    let targets = pythons
        .iter()
        .flat_map(|(python_name, python)| {
            platforms
                .iter()
                .map(move |(platform_name, platform)| NamedTarget {
                    python: (*python_name).to_string(),
                    platform: platform_name.clone(),
                    target: Target::new(*python, *platform),
                })
        })
        .collect();

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
