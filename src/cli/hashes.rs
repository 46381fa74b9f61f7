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
use std::str::FromStr as _;

use anyhow::Context as _;
use futures::future::try_join_all;

use crate::index::IndexClient;
use crate::resolver::Resolution;
use crate::types::{PackageName, Sha256Digest, Version};

/// The hashes an existing lock lists for each `name==version` pin.
pub type KnownHashes = HashMap<(PackageName, Version), Vec<Sha256Digest>>;

/// Reads the `--hash=sha256:` lines of an existing output file; a missing or unreadable file, or
/// a line that is not a plain pin, simply contributes nothing.
#[must_use]
pub fn known_hashes(path: &Path) -> KnownHashes {
    std::fs::read_to_string(path)
        .map(|text| parse_known_hashes(&text))
        .unwrap_or_default()
}

fn parse_known_hashes(text: &str) -> KnownHashes {
    let mut known = KnownHashes::new();
    for entry in logical_lines(text) {
        let mut words = entry.split_whitespace();
        let Some(requirement) = words.next() else {
            continue;
        };
        let Some((name, version)) = requirement.split_once("==") else {
            continue;
        };
        let name = name.split('[').next().unwrap_or(name);
        let (Ok(name), Ok(version)) = (PackageName::from_str(name), Version::from_str(version))
        else {
            continue;
        };
        let digests: Vec<Sha256Digest> = words
            .filter_map(|word| word.strip_prefix("--hash=sha256:")?.parse().ok())
            .collect();
        if !digests.is_empty() {
            known.insert((name, version), digests);
        }
    }
    known
}

/// The lines of a requirements file with `\` continuations joined and comments dropped.
fn logical_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.split(" #").next().unwrap_or(line);
        if line.trim_start().starts_with('#') {
            continue;
        }
        match line.trim_end().strip_suffix('\\') {
            Some(continued) => {
                current.push_str(continued);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                lines.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.trim().is_empty() {
        lines.push(current);
    }
    lines
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

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    #[test]
    fn reads_hashes_of_pins_with_extras_and_markers() {
        let text = format!(
            "# header\n--index-url https://example.org/simple\n\n\
             flask[dotenv]==3.0.3 ; python_version >= \"3.8\" \\\n    --hash=sha256:{A} \\\n    --hash=sha256:{B}\n    # via -r requirements.in\n\
             plain==1.0\n    # via flask\n\
             direct @ https://example.org/direct-1.0.tar.gz \\\n    --hash=sha256:{A}\n"
        );
        let known = parse_known_hashes(&text);
        let flask = (
            PackageName::from_str("flask").unwrap(),
            Version::from_str("3.0.3").unwrap(),
        );
        assert_eq!(
            known[&flask]
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [A, B]
        );
        assert_eq!(known.len(), 1, "{known:?}");
    }

    #[test]
    fn bad_digests_are_skipped() {
        let known = parse_known_hashes("a==1 \\\n    --hash=sha256:nothex\n");
        assert!(known.is_empty(), "{known:?}");
    }
}
