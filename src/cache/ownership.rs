//! Which project an entry belongs to, for `pinwheel cache clean NAME…`.
//!
//! A page's key names its project. Metadata and distributions are keyed by digest and digests of
//! URL-only files by URL, so pinwheel records the project in the entry's [`EntryInfo`] when it
//! writes one. Entries written before it did are recognised from what they hold: a URL key ends
//! in a distribution file name, which starts with the project's name, and a metadata body is
//! core metadata with a `Name:` header (pinwheel stores it as `Metadata-Version` first, then
//! `Name`). What remains — an old entry recording that metadata was unavailable, or an old
//! distribution — cannot be attributed and is only removed by a full clean.

use std::collections::HashSet;
use std::str::FromStr;

use super::{CacheKey, EntryInfo};
use crate::types::{PackageName, Version};

/// Whether an entry belongs to one of the projects asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ownership {
    /// It does.
    Belongs,
    /// It belongs to another project.
    Other,
    /// The entry does not say.
    Unknown,
}

impl Ownership {
    fn of(belongs: bool) -> Self {
        if belongs { Self::Belongs } else { Self::Other }
    }
}

/// Whether the entry under `key` belongs to one of `names`. `body` reads the entry's content,
/// and is only called for old metadata entries that nothing else identifies.
pub(crate) fn ownership(
    key: &str,
    info: Option<&EntryInfo>,
    body: impl FnOnce() -> Option<Vec<u8>>,
    names: &HashSet<PackageName>,
) -> Ownership {
    let Some(key) = CacheKey::parse(key) else {
        return Ownership::Unknown;
    };
    if let CacheKey::Page { name, .. } | CacheKey::PackedPage { name, .. } = &key {
        return Ownership::of(names.contains(name));
    }
    if let Some(package) = info.and_then(|info| info.package.as_ref()) {
        return Ownership::of(names.contains(package));
    }
    if let CacheKey::UrlMetadata(url) | CacheKey::UrlDigest(url) = &key
        && let Some(found) = by_file_name(url, names)
    {
        return found;
    }
    match key {
        CacheKey::Metadata(_) | CacheKey::UrlMetadata(_) => body()
            .as_deref()
            .and_then(metadata_name)
            .map_or(Ownership::Unknown, |name| {
                Ownership::of(names.contains(&name))
            }),
        _ => Ownership::Unknown,
    }
}

/// Judges by the distribution file name at the end of `url`; `None` when it is not one.
fn by_file_name(url: &str, names: &HashSet<PackageName>) -> Option<Ownership> {
    let path = url.split(['#', '?']).next().unwrap_or(url);
    let filename = path.rsplit('/').next().unwrap_or(path);
    if let Some(stem) = filename.strip_suffix(".whl") {
        // Wheel names escape `-` in the project name, so the name is the first part.
        let name = PackageName::from_str(stem.split('-').next()?).ok()?;
        return Some(Ownership::of(names.contains(&name)));
    }
    let stem = filename
        .strip_suffix(".tar.gz")
        .or_else(|| filename.strip_suffix(".zip"))?;
    // An sdist's name may contain dashes: the project is the prefix followed by a version
    // (so `foo` does not claim `foo-bar-1.0.tar.gz`). URLs escape a local version's `+`.
    let belongs = stem.match_indices('-').any(|(at, _)| {
        PackageName::from_str(&stem[..at]).is_ok_and(|name| names.contains(&name))
            && Version::from_str(&stem[at + 1..].replace("%2B", "+")).is_ok()
    });
    Some(Ownership::of(belongs))
}

/// The `Name:` of a core metadata body; `None` for anything else (pinwheel's markers for
/// unavailable metadata, damage).
pub(crate) fn metadata_name(body: &[u8]) -> Option<PackageName> {
    let text = std::str::from_utf8(body).ok()?;
    let mut lines = text.lines();
    let first = lines.next()?;
    if !first.to_ascii_lowercase().starts_with("metadata-version:") {
        return None;
    }
    lines
        .take_while(|line| !line.trim().is_empty())
        .find_map(|line| {
            let (field, value) = line.split_once(':')?;
            field
                .trim()
                .eq_ignore_ascii_case("name")
                .then(|| PackageName::from_str(value.trim()).ok())
                .flatten()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Sha256Digest;

    fn names(list: &[&str]) -> HashSet<PackageName> {
        list.iter()
            .map(|name| PackageName::from_str(name).unwrap())
            .collect()
    }

    fn no_body() -> Option<Vec<u8>> {
        panic!("the body must not be read")
    }

    #[test]
    fn pages_are_known_by_their_key() {
        let wanted = names(&["Foo_Bar"]);
        let key = "simple-v1:https://pypi.org/simple/:foo-bar";
        assert_eq!(ownership(key, None, no_body, &wanted), Ownership::Belongs);
        let key = "simple-v1:https://pypi.org/simple/:foo";
        assert_eq!(ownership(key, None, no_body, &wanted), Ownership::Other);
    }

    #[test]
    fn recorded_packages_win() {
        let wanted = names(&["requests"]);
        let key = CacheKey::Metadata(Sha256Digest::of(b"x")).as_key();
        let info = EntryInfo::now_for_file(
            &PackageName::from_str("requests").unwrap(),
            "requests-2.32.3-py3-none-any.whl",
        );
        assert_eq!(
            ownership(&key, Some(&info), no_body, &wanted),
            Ownership::Belongs
        );
        let info = EntryInfo::now_for_file(&PackageName::from_str("idna").unwrap(), "idna.whl");
        assert_eq!(
            ownership(&key, Some(&info), no_body, &wanted),
            Ownership::Other
        );
    }

    #[test]
    fn old_url_entries_are_known_by_their_file_name() {
        let wanted = names(&["foo"]);
        let digest = |file: &str| format!("url-sha256-v1:https://x/files/{file}");
        for (file, expected) in [
            ("foo-1.0-py3-none-any.whl", Ownership::Belongs),
            ("Foo-1.0.tar.gz", Ownership::Belongs),
            ("foo-1.0%2Bcpu.zip", Ownership::Belongs),
            ("foo_bar-1.0-py3-none-any.whl", Ownership::Other),
            ("foo-bar-1.0.tar.gz", Ownership::Other),
            ("foo-notes.txt", Ownership::Unknown),
        ] {
            assert_eq!(
                ownership(&digest(file), None, || None, &wanted),
                expected,
                "{file}"
            );
        }
    }

    #[test]
    fn old_metadata_entries_are_known_by_their_body() {
        let wanted = names(&["typing-extensions"]);
        let key = CacheKey::Metadata(Sha256Digest::of(b"x")).as_key();
        let body = b"Metadata-Version: 2.2\nName: typing_extensions\nVersion: 4.0\n".to_vec();
        assert_eq!(
            ownership(&key, None, || Some(body), &wanted),
            Ownership::Belongs
        );
        let other = b"Metadata-Version: 2.1\r\nName: idna\r\n\r\nName: typing-extensions".to_vec();
        assert_eq!(
            ownership(&key, None, || Some(other), &wanted),
            Ownership::Other
        );
        let marker = b"pinwheel-unavailable\nName: typing-extensions".to_vec();
        assert_eq!(
            ownership(&key, None, || Some(marker), &wanted),
            Ownership::Unknown
        );
        assert_eq!(ownership(&key, None, || None, &wanted), Ownership::Unknown);
    }

    #[test]
    fn foreign_keys_and_old_distributions_are_unknown() {
        let wanted = names(&["foo"]);
        assert_eq!(
            ownership("simple-v0:foo", None, no_body, &wanted),
            Ownership::Unknown
        );
        let key = CacheKey::Distribution(Sha256Digest::of(b"x")).as_key();
        assert_eq!(ownership(&key, None, no_body, &wanted), Ownership::Unknown);
    }
}
