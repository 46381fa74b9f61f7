//! Which file a pin means on the target, and what its bytes must hash to.
//!
//! An index pin's file is chosen by the resolver's own rule (`VersionMap`: the best-ranked
//! compatible wheel, else the sdist), among the files the lock vouches for: when the lock has
//! hashes, a file the index lists with another sha256 is not a candidate, as in pip's
//! hash-checking mode (a wheel uploaded after the lock was written is not silently taken).
//! A `name @ url` pin's file is the URL's.

use url::Url;

use super::Verification;
use super::error::PinErrorKind;
use crate::index::{IndexClient, direct_url_file};
use crate::lockfile::{LockedPin, LockedSource};
use crate::resolver::{SelectionOptions, VersionMap};
use crate::target::Target;
use crate::types::{IndexFile, ProjectFiles, Sha256Digest, Version};

/// The file chosen for a pin.
#[derive(Clone, Debug)]
pub(super) struct Chosen {
    /// The file: its name, URL and what the index says about it.
    pub(super) file: IndexFile,
    /// The digests the file's bytes may have; empty when nothing says (`Unverified`).
    pub(super) accepted: Vec<Sha256Digest>,
    /// Where `accepted` comes from.
    pub(super) verification: Verification,
    /// This very file's sha256 when known before fetching it (listed by the index or in the
    /// URL, or remembered from an earlier download): the cache key worth trying.
    pub(super) own: Option<Sha256Digest>,
}

impl Chosen {
    /// Whether bytes hashing to `digest` may be placed for this pin.
    pub(super) fn accepts(&self, digest: Sha256Digest) -> bool {
        self.verification == Verification::Unverified || self.accepted.contains(&digest)
    }
}

/// Whether the pin's marker holds on the target (a pin without one always does).
pub(super) fn marker_holds(pin: &LockedPin, target: &Target) -> Result<bool, PinErrorKind> {
    // The lock reader already parsed the marker (a malformed one is an error naming its line).
    Ok(pin
        .marker
        .as_ref()
        .is_none_or(|marker| marker.evaluate(target.markers(), &[])))
}

/// The file `pin` means on `target`.
pub(super) async fn choose(
    pin: &LockedPin,
    target: &Target,
    client: &IndexClient,
    require_hashes: bool,
) -> Result<Chosen, PinErrorKind> {
    if require_hashes && pin.hashes.is_empty() {
        return Err(PinErrorKind::MissingHashes);
    }
    match &pin.source {
        LockedSource::Version(version) => choose_indexed(pin, version, target, client).await,
        LockedSource::Url(url) => choose_url(pin, url, client).await,
    }
}

async fn choose_indexed(
    pin: &LockedPin,
    version: &Version,
    target: &Target,
    client: &IndexClient,
) -> Result<Chosen, PinErrorKind> {
    let project = client.project(&pin.name).await?;
    let of_version: Vec<&IndexFile> = project
        .files
        .iter()
        .filter(|file| file.dist.version() == version)
        .collect();
    if of_version.is_empty() {
        return Err(PinErrorKind::NotOnIndex {
            version: version.clone(),
        });
    }
    // A file listed without a digest stays a candidate: its bytes are checked once fetched.
    let vouched: Vec<IndexFile> = of_version
        .iter()
        .filter(|file| {
            pin.hashes.is_empty()
                || file
                    .sha256
                    .is_none_or(|digest| pin.hashes.contains(&digest))
        })
        .map(|file| (*file).clone())
        .collect();
    if vouched.is_empty() {
        return Err(PinErrorKind::NoLockedFile {
            version: version.clone(),
            listed: of_version.len(),
        });
    }
    let versions = VersionMap::new(
        &ProjectFiles {
            name: pin.name.clone(),
            files: vouched,
        },
        target,
        &SelectionOptions::default(),
    );
    let entry = versions
        .get(version)
        .ok_or_else(|| PinErrorKind::NotOnIndex {
            version: version.clone(),
        })?;
    let file = entry
        .best_file()
        .cloned()
        .ok_or_else(|| match &entry.best {
            Err(reason) => PinErrorKind::Unusable {
                version: version.clone(),
                target: target.to_string(),
                reason: reason.clone(),
            },
            Ok(_) => PinErrorKind::NotOnIndex {
                version: version.clone(),
            },
        })?;
    let own = client.known_sha256(&file).await?;
    let (accepted, verification) = expected_digests(pin, file.sha256);
    Ok(Chosen {
        file,
        accepted,
        verification,
        own,
    })
}

async fn choose_url(
    pin: &LockedPin,
    url: &Url,
    client: &IndexClient,
) -> Result<Chosen, PinErrorKind> {
    let mut file = direct_url_file(&pin.name, url)?;
    // pip's `#sha256=<hex>` fragment is the URL's own statement of the file's digest.
    file.sha256 = fragment_sha256(url);
    let (accepted, verification) = expected_digests(pin, file.sha256);
    // A URL names one file, so a lock hash listed alone for it is that file's digest.
    let own = match (client.known_sha256(&file).await?, &pin.hashes[..]) {
        (Some(digest), _) => Some(digest),
        (None, [digest]) => Some(*digest),
        (None, _) => None,
    };
    Ok(Chosen {
        file,
        accepted,
        verification,
        own,
    })
}

/// What a pin's file must hash to: one of the lock's hashes when it has any, else the digest
/// its source lists, else nothing can be checked.
fn expected_digests(
    pin: &LockedPin,
    listed: Option<Sha256Digest>,
) -> (Vec<Sha256Digest>, Verification) {
    if !pin.hashes.is_empty() {
        (pin.hashes.clone(), Verification::Lock)
    } else if let Some(listed) = listed {
        (vec![listed], Verification::Source)
    } else {
        (Vec::new(), Verification::Unverified)
    }
}

/// The digest in a `#sha256=<hex>` (or `#…&sha256=<hex>`) URL fragment.
fn fragment_sha256(url: &Url) -> Option<Sha256Digest> {
    url.fragment()?
        .split('&')
        .find_map(|part| part.strip_prefix("sha256=")?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr as _;

    use pep508_rs::MarkerTree;

    #[test]
    fn reads_the_digest_of_a_url_fragment() {
        let hex = "14fd1ed3dd0e1a46cc53b8fc890b5a3b11737515aeb7f42c3af9f38e8d8975d7";
        for (url, expected) in [
            (format!("https://x.org/a-1.0.tar.gz#sha256={hex}"), true),
            (
                format!("https://x.org/a-1.0.tar.gz#egg=a&sha256={hex}"),
                true,
            ),
            ("https://x.org/a-1.0.tar.gz#md5=00".to_string(), false),
            ("https://x.org/a-1.0.tar.gz".to_string(), false),
        ] {
            let digest = fragment_sha256(&Url::parse(&url).unwrap());
            assert_eq!(digest.map(|digest| digest.to_string()).is_some(), expected);
            if expected {
                assert_eq!(digest.unwrap().to_string(), hex, "{url}");
            }
        }
    }

    #[test]
    fn markers_are_evaluated_for_the_target() {
        let pin = |marker: Option<&str>| LockedPin {
            name: "a".parse().unwrap(),
            extras: Vec::new(),
            source: LockedSource::Version("1.0".parse().unwrap()),
            marker: marker.map(|text| MarkerTree::from_str(text).unwrap()),
            hashes: Vec::new(),
            line: 1,
        };
        let linux = Target::new("3.11".parse().unwrap(), "linux".parse().unwrap());
        let windows = Target::new("3.11".parse().unwrap(), "windows".parse().unwrap());
        let marker = Some("sys_platform == \"win32\"");
        assert!(!marker_holds(&pin(marker), &linux).unwrap());
        assert!(marker_holds(&pin(marker), &windows).unwrap());
        assert!(marker_holds(&pin(None), &linux).unwrap());
        assert!(
            marker_holds(&pin(Some("python_version >= \"3.12\"")), &linux)
                .is_ok_and(|holds| !holds)
        );
    }
}
