//! Putting one chosen file into the directory: left alone when an identical file is already
//! there, else copied from the cache or fetched, always into a temporary file beside the
//! destination that is verified before it is renamed into place. A file that fails verification
//! is deleted with its temporary name, so nothing is written for its pin and a half-written file
//! never carries a distribution's name.

use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::error::PinErrorKind;
use super::select::Chosen;
use super::{Origin, Verification};
use crate::index::IndexClient;
use crate::types::{Sha256Digest, Sha256Hasher};

/// A file in the directory and how it got there.
#[derive(Debug)]
pub(super) struct Placed {
    pub(super) path: PathBuf,
    pub(super) sha256: Sha256Digest,
    pub(super) size: u64,
    pub(super) origin: Origin,
}

/// Makes `dir/<filename>` hold `chosen`'s file.
pub(super) async fn place(
    chosen: &Chosen,
    dir: &Path,
    client: &IndexClient,
) -> Result<Placed, PinErrorKind> {
    let filename = &chosen.file.filename;
    if !is_plain_filename(filename) {
        return Err(PinErrorKind::UnsafeFilename(filename.clone()));
    }
    let path = dir.join(filename);
    if let Some((digest, size)) = existing(&path).await?
        && is_identical(chosen, digest)
    {
        return Ok(Placed {
            path,
            sha256: digest,
            size,
            origin: Origin::AlreadyPresent,
        });
    }
    if let Some(own) = chosen.own.filter(|own| chosen.accepts(*own)) {
        let temporary = temporary_in(dir, &path)?;
        let out = clone_handle(&temporary, &path)?;
        if let Some(size) = client
            .cached_distribution(own, out, temporary.path())
            .await?
        {
            persist(temporary, &path)?;
            return Ok(Placed {
                path,
                sha256: own,
                size,
                origin: Origin::Cache,
            });
        }
    }
    let temporary = temporary_in(dir, &path)?;
    let out = clone_handle(&temporary, &path)?;
    // A 404 of a file a cached page lists drops that page, so the next run reads the index as
    // it is now (as the resolver's fetches do).
    let url = crate::index::url_of(&chosen.file)?;
    let (digest, size) = match client.fetch_distribution(&url, out, temporary.path()).await {
        Ok(fetched) => fetched,
        Err(error) => return Err(client.listed_file_gone(&chosen.file, error).await.into()),
    };
    if !chosen.accepts(digest) {
        // Dropping the temporary file deletes it: nothing is written for this pin.
        return Err(PinErrorKind::HashMismatch {
            filename: filename.clone(),
            actual: digest,
            expected: chosen.accepted.clone(),
            against: chosen.verification,
        });
    }
    client
        .cache_distribution(digest, temporary.path(), &url, chosen.file.sha256.is_some())
        .await?;
    persist(temporary, &path)?;
    Ok(Placed {
        path,
        sha256: digest,
        size,
        origin: Origin::Fetched,
    })
}

/// Whether a file already in the directory with digest `digest` is the one to place: it must be
/// acceptable and, when this file's own digest is known, be exactly that file.
fn is_identical(chosen: &Chosen, digest: Sha256Digest) -> bool {
    match chosen.own {
        Some(own) => own == digest && chosen.accepts(digest),
        // With nothing to compare with, an existing file cannot be shown identical: fetch it.
        None => chosen.verification != Verification::Unverified && chosen.accepts(digest),
    }
}

/// The sha256 and size of the file at `path`, if there is one.
async fn existing(path: &Path) -> Result<Option<(Sha256Digest, u64)>, PinErrorKind> {
    let owned = path.to_path_buf();
    let hashed = tokio::task::spawn_blocking(move || {
        let mut file = match std::fs::File::open(&owned) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        if !file.metadata()?.is_file() {
            return Ok(None);
        }
        let mut hasher = Sha256Hasher::new();
        std::io::copy(&mut file, &mut hasher)?;
        Ok(Some(hasher.finish()))
    })
    .await
    .map_err(crate::index::IndexError::Task)?;
    hashed.map_err(|source| PinErrorKind::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// A new temporary file in `dir`, hidden (pip's `--find-links` ignores names that are not
/// distributions), with the permissions an ordinary new file gets rather than tempfile's
/// owner-only ones, since the directory is often copied into an image or shared.
fn temporary_in(dir: &Path, destination: &Path) -> Result<NamedTempFile, PinErrorKind> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(super::partial::PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // The process umask still applies, as for any file the user creates.
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let temporary = builder
        .tempfile_in(dir)
        .map_err(|source| PinErrorKind::Write {
            path: destination.to_path_buf(),
            source,
        })?;
    super::partial::hold(&temporary);
    Ok(temporary)
}

/// A second handle on the temporary file, for the code that fills it.
fn clone_handle(
    temporary: &NamedTempFile,
    destination: &Path,
) -> Result<std::fs::File, PinErrorKind> {
    temporary
        .as_file()
        .try_clone()
        .map_err(|source| PinErrorKind::Write {
            path: destination.to_path_buf(),
            source,
        })
}

/// Renames the verified temporary file over `path`.
fn persist(temporary: NamedTempFile, path: &Path) -> Result<(), PinErrorKind> {
    temporary
        .persist(path)
        .map(drop)
        .map_err(|error| PinErrorKind::Write {
            path: path.to_path_buf(),
            source: error.error,
        })
}

/// A name that stays inside the directory: one path component, not hidden.
fn is_plain_filename(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && Path::new(name).file_name() == Some(std::ffi::OsStr::new(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_written() {
        assert!(is_plain_filename("a-1.0-py3-none-any.whl"));
        for name in [
            "",
            "../a-1.0.tar.gz",
            "sub/a-1.0.tar.gz",
            "a\\b.whl",
            ".hidden",
        ] {
            assert!(!is_plain_filename(name), "{name}");
        }
    }
}
