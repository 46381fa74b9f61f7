//! Completing a resolution's hashes for `--generate-hashes` when the index did not list them.
//!
//! Most indexes put every file's sha256 on the project page, and then there is nothing to do.
//! For files listed without one, a digest comes, in order, from the existing output file (a pin
//! whose version did not change keeps the hashes it had, as pip-compile's reuse does — no
//! download), from the cache (digests computed earlier are stored by URL), or from downloading
//! the file. Digests the index did list are never replaced by the old file's: the index is the
//! authority on what files a version has.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use futures::future::try_join_all;

use crate::index::IndexClient;
use crate::lockfile::read_lock;
use crate::resolver::Resolution;
use crate::types::{PackageName, Sha256Digest, Version};

/// The hashes an existing lock lists for each `name==version` pin.
pub type KnownHashes = HashMap<(PackageName, Version), Vec<Sha256Digest>>;

/// The hashes of the existing output file's `name==version` pins. A missing or unreadable file
/// contributes nothing: reuse is an optimisation, never a reason to fail.
#[must_use]
pub fn known_hashes(path: &Path) -> KnownHashes {
    let Ok(lock) = read_lock(path) else {
        return KnownHashes::new();
    };
    lock.pins
        .into_iter()
        .filter(|pin| !pin.hashes.is_empty())
        .filter_map(|pin| Some(((pin.name.clone(), pin.version()?.clone()), pin.hashes)))
        .collect()
}

/// Fills in the digests of files the index listed without one: from `known` when the pin's
/// version is unchanged, else from the cache or the files themselves (fetched in parallel).
///
/// # Errors
/// When a file cannot be fetched (or is not cached in `--offline` mode).
pub async fn complete_hashes(
    resolution: &mut Resolution,
    known: &KnownHashes,
    client: &IndexClient,
) -> anyhow::Result<()> {
    for pin in &mut resolution.pins {
        if pin.unhashed_files.is_empty() {
            continue;
        }
        if let Some(digests) = known.get(&(pin.name.clone(), pin.version.clone())) {
            tracing::info!("reusing the existing lock's hashes of {}", pin.name);
            pin.hashes.extend(digests.iter().copied());
        } else {
            let digests = try_join_all(pin.unhashed_files.iter().map(|file| async move {
                client
                    .file_sha256(file)
                    .await
                    .with_context(|| format!("cannot hash `{}`", file.filename))
            }))
            .await?;
            pin.hashes.extend(digests);
        }
        pin.hashes.sort_unstable();
        pin.hashes.dedup();
    }
    Ok(())
}

/// The digest of each file an existing pylock.toml names, by pin and file name.
pub type KnownFileHashes = HashMap<(PackageName, Version, String), Sha256Digest>;

/// The file digests of the existing pylock at `path`. A missing or unreadable file contributes
/// nothing: reuse is an optimisation, never a reason to fail.
#[must_use]
pub fn known_file_hashes(path: &Path) -> KnownFileHashes {
    let Ok(text) = std::fs::read_to_string(path) else {
        return KnownFileHashes::new();
    };
    crate::lockfile::pylock_file_digests(&text)
        .into_iter()
        .map(|file| ((file.name, file.version, file.filename), file.sha256))
        .collect()
}

/// Fills in the sha256 of every file of every pin that the index listed without one: from
/// `known` (the existing pylock's digest of the same file of the same version), else from the
/// cache or the file itself (fetched in parallel). A pylock.toml names each file with its own
/// digest, so it always needs them.
///
/// # Errors
/// When a file cannot be fetched (or is not cached in `--offline` mode).
pub async fn complete_file_hashes(
    resolution: &mut Resolution,
    known: &KnownFileHashes,
    client: &IndexClient,
) -> anyhow::Result<()> {
    for pin in &mut resolution.pins {
        for file in pin.files.iter_mut().filter(|file| file.sha256.is_none()) {
            let key = (pin.name.clone(), pin.version.clone(), file.filename.clone());
            file.sha256 = known.get(&key).copied();
        }
        try_join_all(
            pin.files
                .iter_mut()
                .filter(|file| file.sha256.is_none())
                .map(|file| async move {
                    let digest = client
                        .file_sha256(file)
                        .await
                        .with_context(|| format!("cannot hash `{}`", file.filename))?;
                    file.sha256 = Some(digest);
                    anyhow::Ok(())
                }),
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_with_an_editable_git_pin_still_gives_its_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("requirements.txt");
        let digest = "a".repeat(64);
        std::fs::write(
            &lock,
            format!(
                "-e git+https://h.example/r@0123abc#egg=pkg\nsix==1.16.0 \\\n    --hash=sha256:{digest}\n"
            ),
        )
        .unwrap();
        let known = known_hashes(&lock);
        let six = (
            "six".parse::<PackageName>().unwrap(),
            "1.16.0".parse::<Version>().unwrap(),
        );
        assert_eq!(known.get(&six).map(Vec::len), Some(1), "{known:?}");
    }
}
