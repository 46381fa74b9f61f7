//! `download`'s settings, from its arguments and the lock's option lines.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{client_options, environment_variables, index_cache_dir, relative_to_lock, target};
use crate::cli::args::DownloadArgs;
use crate::cli::shown_urls::lock_index_options;
use crate::download::DownloadOptions;
use crate::index::ClientOptions;
use crate::inputs::IndexOptions;
use crate::lockfile::Lock;
use crate::target::Target;

/// Everything `download` needs, settled.
pub struct DownloadSettings {
    /// The target.
    pub target: Target,
    /// Index client options.
    pub client: ClientOptions,
    /// The cache directory, or none (`--no-cache`).
    pub cache_dir: Option<PathBuf>,
    /// What to download where.
    pub download: DownloadOptions,
}

/// Pins downloaded at once. Each streams one file to disk, so this bounds open files and
/// transfers rather than memory; the index client's own bound (50 requests) still applies.
pub(super) const DOWNLOAD_JOBS: usize = 8;

/// Settles the settings of `download` from the arguments and the lock's option lines (read
/// from `lock_path`): `-i` and the other index flags win over the lock's, as in resolve.
pub fn download_settings(
    args: &DownloadArgs,
    lock: &Lock,
    lock_path: &Path,
) -> Result<DownloadSettings> {
    let lines = IndexOptions {
        find_links: lock
            .find_links
            .iter()
            .map(|link| relative_to_lock(link, lock_path.parent().unwrap_or_else(|| Path::new(""))))
            .collect(),
        ..lock_index_options(lock, &environment_variables())
    };
    Ok(DownloadSettings {
        target: target(&args.target)?,
        client: client_options(&(&args.index).into(), &lines)?,
        cache_dir: index_cache_dir(&args.index),
        download: DownloadOptions {
            dest: args.dest.clone(),
            require_hashes: args.require_hashes,
            jobs: DOWNLOAD_JOBS,
        },
    })
}
