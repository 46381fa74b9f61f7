//! PEP 691 JSON project pages (`application/vnd.pypi.simple.v1+json`), with the PEP 700 fields
//! (`upload-time`, `size`) and PEP 714 `core-metadata` (falling back to the older
//! `dist-info-metadata` key).
//!
//! This file must not do IO: it turns a body someone else fetched into [`ProjectFiles`]. It
//! deserialises into borrowed views of the body so a 2,000-file page does not copy every string
//! twice. Field values share their grammar with the HTML attributes, so the value parsers live in
//! [`super::html`]. Files that are not this project's wheels or sdists are skipped, not errors.

use std::borrow::Cow;

use serde::Deserialize;
use url::Url;

use super::html::{
    PageError, RequiresPythonCache, filename_from_url, parse_dist, parse_sha256_hex,
    parse_upload_time, take_fragment_sha256,
};
use crate::types::{
    FileOrigin, IndexFile, MetadataAvailability, PackageName, ProjectFiles, RedactedUrl, Yanked,
};

/// The one major version of the JSON simple API this parser understands.
const SUPPORTED_MAJOR: u64 = 1;

/// The top level of a project page; `name` and `versions` are not needed.
#[derive(Deserialize)]
struct Page<'a> {
    #[serde(default, borrow)]
    meta: Option<Meta<'a>>,
    // Optional here only so that its absence gets its own error instead of serde's generic one.
    #[serde(default, borrow)]
    files: Option<Vec<File<'a>>>,
}

#[derive(Deserialize)]
struct Meta<'a> {
    #[serde(rename = "api-version", default, borrow)]
    api_version: Option<Cow<'a, str>>,
}

/// One entry of `files`. `filename` and `url` are required by PEP 691, but an entry missing them
/// is skipped rather than failing the whole page.
#[derive(Deserialize)]
struct File<'a> {
    #[serde(default, borrow)]
    filename: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    url: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    hashes: Option<Hashes<'a>>,
    #[serde(rename = "requires-python", default, borrow)]
    requires_python: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    yanked: Option<YankedField<'a>>,
    #[serde(rename = "core-metadata", default, borrow)]
    core_metadata: Option<MetadataField<'a>>,
    #[serde(rename = "dist-info-metadata", default, borrow)]
    dist_info_metadata: Option<MetadataField<'a>>,
    #[serde(rename = "upload-time", default, borrow)]
    upload_time: Option<Cow<'a, str>>,
    #[serde(default)]
    size: Option<u64>,
    /// PEP 740: the provenance object's URL, or `null`.
    #[serde(default, borrow)]
    provenance: Option<Cow<'a, str>>,
}

/// A hash-name → hex map; only sha256 is used.
#[derive(Deserialize, Default)]
struct Hashes<'a> {
    #[serde(default, borrow)]
    sha256: Option<Cow<'a, str>>,
}

/// `yanked`: `false`, `true`, or a reason (which also means yanked).
#[derive(Deserialize)]
#[serde(untagged)]
enum YankedField<'a> {
    Flag(bool),
    Reason(#[serde(borrow)] Cow<'a, str>),
}

/// `core-metadata`: `false`, `true`, or the metadata file's own hashes.
#[derive(Deserialize)]
#[serde(untagged)]
enum MetadataField<'a> {
    Flag(bool),
    Hashes(#[serde(borrow)] Hashes<'a>),
}

/// Parses a PEP 691 JSON project page into the files it lists for `project`.
///
/// Relative `url`s are resolved against `page_url`. A `#sha256=` fragment is used only when
/// `hashes` has no sha256.
///
/// # Errors
/// [`PageError::InvalidJson`] when the body is not JSON of the right shape,
/// [`PageError::MissingFiles`] when it has no `files`, and
/// [`PageError::UnsupportedApiVersion`] for a major API version other than 1.
pub fn parse_simple_json(
    body: &[u8],
    page_url: &Url,
    project: &PackageName,
    origin: &FileOrigin,
) -> Result<ProjectFiles, PageError> {
    let redacted = || RedactedUrl::new(page_url.clone());
    let page: Page<'_> = serde_json::from_slice(body).map_err(|source| PageError::InvalidJson {
        url: redacted(),
        source,
    })?;
    if let Some(version) = page
        .meta
        .as_ref()
        .and_then(|meta| meta.api_version.as_deref())
    {
        check_api_version(version).map_err(|()| PageError::UnsupportedApiVersion {
            url: redacted(),
            version: version.to_string(),
        })?;
    }
    let entries = page
        .files
        .as_deref()
        .ok_or_else(|| PageError::MissingFiles { url: redacted() })?;

    let mut requires_python = RequiresPythonCache::default();
    let mut files = Vec::with_capacity(entries.len());
    for entry in entries {
        let Some(raw_url) = entry.url.as_deref() else {
            tracing::debug!(filename = ?entry.filename, "skipping JSON file entry without a url");
            continue;
        };
        let Ok(mut url) = page_url.join(raw_url) else {
            tracing::debug!(raw_url, page = %redacted(), "skipping unparsable file url");
            continue;
        };
        let fragment_sha256 = take_fragment_sha256(&mut url);
        let filename = match entry.filename.as_deref() {
            Some(filename) => filename.to_string(),
            None => match filename_from_url(&url) {
                Some(filename) => filename.into_owned(),
                None => continue,
            },
        };
        let Some(dist) = parse_dist(&filename, project) else {
            continue;
        };
        let sha256 = entry
            .hashes
            .as_ref()
            .and_then(|hashes| hashes.sha256.as_deref())
            .and_then(|hex| parse_sha256_hex(hex, "hashes.sha256"))
            .or(fragment_sha256);
        files.push(IndexFile {
            filename,
            dist,
            url: url.into(),
            sha256,
            requires_python: entry
                .requires_python
                .as_deref()
                .and_then(|raw| requires_python.get(raw)),
            yanked: yanked(entry.yanked.as_ref()),
            upload_time: entry.upload_time.as_deref().and_then(parse_upload_time),
            metadata: metadata(
                entry
                    .core_metadata
                    .as_ref()
                    .or(entry.dist_info_metadata.as_ref()),
            ),
            size: entry.size,
            origin: origin.clone(),
            provenance: entry
                .provenance
                .as_deref()
                .and_then(|raw| page_url.join(raw).ok())
                .map(Into::into),
        });
    }
    Ok(ProjectFiles {
        name: project.clone(),
        files,
    })
}

/// PEP 691: a client must refuse a major version it does not know; a newer minor version only
/// adds fields, which serde ignores. An unreadable version string is tolerated.
fn check_api_version(version: &str) -> Result<(), ()> {
    let major = version
        .split('.')
        .next()
        .and_then(|major| major.trim().parse::<u64>().ok());
    match major {
        Some(major) if major != SUPPORTED_MAJOR => Err(()),
        Some(_) => Ok(()),
        None => {
            tracing::debug!(version, "ignoring unreadable simple API version");
            Ok(())
        }
    }
}

fn yanked(field: Option<&YankedField<'_>>) -> Yanked {
    match field {
        None | Some(YankedField::Flag(false)) => Yanked::No,
        Some(YankedField::Flag(true)) => Yanked::Yes(String::new()),
        Some(YankedField::Reason(reason)) => Yanked::Yes(reason.to_string()),
    }
}

fn metadata(field: Option<&MetadataField<'_>>) -> MetadataAvailability {
    match field {
        None | Some(MetadataField::Flag(false)) => MetadataAvailability::NotAdvertised,
        Some(MetadataField::Flag(true)) => MetadataAvailability::Advertised(None),
        Some(MetadataField::Hashes(hashes)) => MetadataAvailability::Advertised(
            hashes
                .sha256
                .as_deref()
                .and_then(|hex| parse_sha256_hex(hex, "core-metadata.sha256")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn name(text: &str) -> PackageName {
        PackageName::from_str(text).unwrap()
    }

    fn page_url() -> Url {
        Url::parse("https://idx.example/simple/foo/").unwrap()
    }

    fn origin() -> FileOrigin {
        FileOrigin::Index(RedactedUrl::new(
            Url::parse("https://idx.example/simple/").unwrap(),
        ))
    }

    const HEX_A: &str = "14fd1ed3dd0e1a46cc53b8fc890b5a3b11737515aeb7f42c3af9f38e8d8975d7";
    const HEX_B: &str = "23a656e7db613f75d061570e3b2cf57d2a498501018593e6a01e24ed211a78dc";

    /// Written by hand from PEP 691, 700 and 714: every field a file entry can carry.
    fn full_page() -> String {
        format!(
            r#"{{
  "meta": {{"api-version": "1.1", "_last-serial": "7"}},
  "name": "foo",
  "versions": ["1.0", "1.1", "2.0"],
  "files": [
    {{"filename": "foo-1.0.tar.gz", "url": "https://files.example/foo-1.0.tar.gz",
      "hashes": {{"sha256": "{HEX_A}", "md5": "0123"}}, "requires-python": ">=3.8",
      "yanked": "Bad \"release\"", "core-metadata": {{"sha256": "{HEX_B}"}},
      "upload-time": "2024-01-05T12:34:56.123456Z", "size": 12345}},
    {{"filename": "foo-1.1-py3-none-any.whl", "url": "../../packages/foo-1.1-py3-none-any.whl#sha256={HEX_B}",
      "hashes": {{}}, "yanked": true, "dist-info-metadata": true, "requires-python": ">=2.7.*"}},
    {{"filename": "foo-2.0-py3-none-any.whl", "url": "foo-2.0-py3-none-any.whl",
      "hashes": {{"md5": "0123"}}, "yanked": false, "core-metadata": false, "upload-time": "not a time",
      "requires-python": null, "size": null}},
    {{"filename": "foo-2.0-py2.7.egg", "url": "foo-2.0-py2.7.egg", "hashes": {{}}}},
    {{"filename": "bar-2.0.tar.gz", "url": "bar-2.0.tar.gz", "hashes": {{}}}}
  ]
}}"#
        )
    }

    #[test]
    fn parses_every_field() {
        let files = parse_simple_json(full_page().as_bytes(), &page_url(), &name("foo"), &origin())
            .unwrap();
        let [sdist, wheel, plain] = files.files.as_slice() else {
            panic!("expected three files: {files:?}")
        };

        assert_eq!(sdist.url.as_str(), "https://files.example/foo-1.0.tar.gz");
        assert_eq!(sdist.sha256.unwrap().to_hex(), HEX_A);
        assert_eq!(sdist.requires_python.as_ref().unwrap().to_string(), ">=3.8");
        assert_eq!(sdist.yanked, Yanked::Yes("Bad \"release\"".into()));
        assert_eq!(
            sdist.metadata,
            MetadataAvailability::Advertised(Some(HEX_B.parse().unwrap()))
        );
        assert_eq!(
            sdist.upload_time.unwrap().to_string(),
            "2024-01-05T12:34:56.123456Z"
        );
        assert_eq!(sdist.size, Some(12345));

        assert_eq!(
            wheel.url.as_str(),
            "https://idx.example/packages/foo-1.1-py3-none-any.whl"
        );
        assert_eq!(
            wheel.sha256.unwrap().to_hex(),
            HEX_B,
            "falls back to the fragment"
        );
        assert_eq!(wheel.yanked, Yanked::Yes(String::new()));
        assert_eq!(wheel.metadata, MetadataAvailability::Advertised(None));
        assert_eq!(wheel.requires_python.as_ref().unwrap().to_string(), ">=2.7");
        assert_eq!(wheel.size, None);

        assert_eq!(
            plain.url.as_str(),
            "https://idx.example/simple/foo/foo-2.0-py3-none-any.whl"
        );
        assert_eq!(plain.sha256, None);
        assert_eq!(plain.yanked, Yanked::No);
        assert_eq!(plain.metadata, MetadataAvailability::NotAdvertised);
        assert_eq!(plain.upload_time, None);
        assert_eq!(plain.requires_python, None);
    }

    #[test]
    fn parses_real_pluggy_json() {
        let body = include_bytes!("../../fixtures/pages/pluggy.json");
        let url = Url::parse("https://pypi.org/simple/pluggy/").unwrap();
        let files = parse_simple_json(body, &url, &name("pluggy"), &origin()).unwrap();
        assert_eq!(files.files.len(), 50);
        let first = &files.files[0];
        assert_eq!(first.filename, "pluggy-0.10.0-py2.py3-none-any.whl");
        assert_eq!(
            first.sha256.unwrap().to_hex(),
            "1c0b297d4d41bc9bdfbdc17991b35f9e1d2cfe8eaa4d7c118e86d705870d34c8"
        );
        assert_eq!(first.size, Some(17843));
        assert_eq!(
            first.upload_time.unwrap().to_string(),
            "2019-05-07T12:06:10.308323Z"
        );
        assert_eq!(
            first.requires_python.as_ref().unwrap().to_string(),
            ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*"
        );
        let yanked: Vec<_> = files
            .files
            .iter()
            .filter(|file| file.yanked.is_yanked())
            .collect();
        assert_eq!(yanked.len(), 2);
        assert!(
            yanked
                .iter()
                .all(|file| file.dist.version().to_string() == "1.1.0")
        );
    }

    #[test]
    fn same_files_as_the_html_page() {
        let url = Url::parse("https://pypi.org/simple/pluggy/").unwrap();
        let json = parse_simple_json(
            include_bytes!("../../fixtures/pages/pluggy.json"),
            &url,
            &name("pluggy"),
            &origin(),
        )
        .unwrap();
        let html = super::super::html::parse_simple_html(
            include_str!("../../fixtures/pages/pluggy.html"),
            &url,
            &name("pluggy"),
            &origin(),
        )
        .unwrap();
        let key = |file: &IndexFile| {
            (
                file.filename.clone(),
                file.url.clone(),
                file.sha256,
                file.yanked.clone(),
            )
        };
        let mut from_json: Vec<_> = json.files.iter().map(key).collect();
        let mut from_html: Vec<_> = html.files.iter().map(key).collect();
        from_json.sort_by(|a, b| a.0.cmp(&b.0));
        from_html.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(from_json, from_html);
    }

    #[test]
    fn rejects_bad_pages() {
        type Check = fn(&PageError) -> bool;
        let cases: [(&str, Check); 5] = [
            (r#"{"meta": {"api-version": "1.0"}, "name": "foo"}"#, |e| {
                matches!(e, PageError::MissingFiles { .. })
            }),
            ("<html></html>", |e| {
                matches!(e, PageError::InvalidJson { .. })
            }),
            (r#""just a string""#, |e| {
                matches!(e, PageError::InvalidJson { .. })
            }),
            (r#"{"files": "nope"}"#, |e| {
                matches!(e, PageError::InvalidJson { .. })
            }),
            (
                r#"{"meta": {"api-version": "2.0"}, "files": []}"#,
                |e| matches!(e, PageError::UnsupportedApiVersion { version, .. } if version == "2.0"),
            ),
        ];
        for (body, expected) in cases {
            let error = parse_simple_json(body.as_bytes(), &page_url(), &name("foo"), &origin())
                .unwrap_err();
            assert!(expected(&error), "{body}: {error:?}");
        }
        let error = parse_simple_json(b"{}", &page_url(), &name("foo"), &origin()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the JSON page at https://idx.example/simple/foo/ has no `files` list"
        );
    }

    #[test]
    fn tolerates_sloppy_entries() {
        let body = br#"{"files": [
            {"url": "https://files.example/foo-1.0.tar.gz"},
            {"filename": "foo-2.0.tar.gz"},
            {"filename": "foo-3.0.tar.gz", "url": "foo-3.0.tar.gz", "hashes": {"sha256": "short"}}
        ]}"#;
        let files = parse_simple_json(body, &page_url(), &name("foo"), &origin()).unwrap();
        let names: Vec<_> = files
            .files
            .iter()
            .map(|file| file.filename.as_str())
            .collect();
        assert_eq!(names, ["foo-1.0.tar.gz", "foo-3.0.tar.gz"]);
        assert_eq!(files.files[1].sha256, None);
    }
}
