//! The hidden partial files a download writes into the destination (`.pinwheel-download-` and
//! six random characters) until a file is verified and renamed to its real name.
//!
//! A run removes its own: a pin that fails drops its file, and an interrupted run (Ctrl-C) drops
//! every one in flight before it exits. A run that was killed outright cannot, so every run
//! first removes the partial files that no run is writing any more. On Unix the writer holds an
//! advisory lock (`flock`) on its file, and a file is stale when nobody holds that lock and it
//! was last written over a minute ago (the minute covers the moment between creating a file and
//! locking it). Elsewhere, without the lock, a file is stale a day after its last write.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, SystemTime};

use tempfile::NamedTempFile;

/// The start of every partial file's name.
pub(super) const PREFIX: &str = ".pinwheel-download-";

/// How long an unlocked partial file is left alone after its last write.
const UNLOCKED_GRACE: Duration = Duration::from_secs(60);

/// How long a partial file is left alone where files cannot be locked.
#[cfg(not(unix))]
const UNLOCKABLE_GRACE: Duration = Duration::from_secs(24 * 60 * 60);

/// Marks `temporary` as being written by this run (best effort: a file system without locks
/// leaves it to the age rule).
pub(super) fn hold(temporary: &NamedTempFile) {
    #[cfg(unix)]
    if let Err(error) = temporary.as_file().try_lock() {
        tracing::debug!(
            "cannot lock `{}` ({error}); a later run judges it by age",
            temporary.path().display()
        );
    }
    #[cfg(not(unix))]
    let _ = temporary;
}

/// Removes the stale partial files in `dir` and returns how many were removed. Nothing here
/// fails the download: a file that cannot be judged or removed is left, with a debug line.
pub(super) fn remove_stale(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(is_partial_name) {
            continue;
        }
        let path = entry.path();
        match is_stale(&path) {
            Ok(true) => match std::fs::remove_file(&path) {
                Ok(()) => {
                    tracing::info!(
                        "removed `{}`, left by an interrupted download",
                        path.display()
                    );
                    removed += 1;
                }
                Err(error) => tracing::debug!("cannot remove `{}`: {error}", path.display()),
            },
            Ok(false) => {}
            Err(error) => tracing::debug!("cannot judge `{}`: {error}", path.display()),
        }
    }
    removed
}

/// A name pinwheel gives partial files: the prefix and tempfile's six random characters.
fn is_partial_name(name: &str) -> bool {
    name.strip_prefix(PREFIX).is_some_and(|random| {
        random.len() == 6 && random.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// Whether no run is writing the partial file at `path` any more.
fn is_stale(path: &Path) -> std::io::Result<bool> {
    let file = File::open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Ok(false);
    }
    let idle = SystemTime::now()
        .duration_since(metadata.modified()?)
        .unwrap_or_default();
    #[cfg(unix)]
    {
        if idle < UNLOCKED_GRACE {
            return Ok(false);
        }
        match file.try_lock() {
            Ok(()) => Ok(true),
            Err(std::fs::TryLockError::WouldBlock) => Ok(false),
            Err(std::fs::TryLockError::Error(error)) => Err(error),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = UNLOCKED_GRACE;
        Ok(idle >= UNLOCKABLE_GRACE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_pinwheel_gives_are_partial_files() {
        assert!(is_partial_name(".pinwheel-download-a1B2c3"));
        for name in [
            ".pinwheel-download-",
            ".pinwheel-download-notes.txt",
            ".pinwheel-a1B2c3",
            "pinwheel-download-a1B2c3",
        ] {
            assert!(!is_partial_name(name), "{name}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_locked_or_recent_file_is_kept_and_an_old_unlocked_one_removed() {
        let dir = tempfile::tempdir().unwrap();
        let old = SystemTime::now() - Duration::from_secs(3600);
        let held = tempfile::Builder::new()
            .prefix(PREFIX)
            .tempfile_in(dir.path())
            .unwrap();
        hold(&held);
        held.as_file().set_modified(old).unwrap();
        let recent = tempfile::Builder::new()
            .prefix(PREFIX)
            .tempfile_in(dir.path())
            .unwrap()
            .into_temp_path();
        let left = tempfile::Builder::new()
            .prefix(PREFIX)
            .tempfile_in(dir.path())
            .unwrap();
        left.as_file().set_modified(old).unwrap();
        let left = left.into_temp_path().keep().unwrap();
        assert_eq!(remove_stale(dir.path()), 1);
        assert!(held.path().exists() && recent.exists() && !left.exists());
    }
}
