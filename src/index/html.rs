//! PEP 503 "simple" HTML project pages, plus the attribute spellings later PEPs added: PEP 592
//! `data-yanked`, PEP 658/714 `data-core-metadata` (and the older `data-dist-info-metadata`), and
//! the `data-upload-time` this machine's PyPI mirror adds.
//!
//! This file also owns [`PageError`] and the small value parsers every listing format shares
//! (digest fragments, lenient `Requires-Python`, upload times, file names taken from URLs), so
//! that the JSON and find-links parsers spell the same facts the same way.
//!
//! It must not do IO: it turns a page body that someone else fetched into [`ProjectFiles`].
//! Files that are not a wheel or sdist of the requested project are skipped (with a debug log),
//! never reported as errors.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::LazyLock;

use jiff::Timestamp;
use scraper::{Html, Selector};
use url::Url;

use crate::types::{
    DistFilename, FileOrigin, IndexFile, MetadataAvailability, PackageName, ProjectFiles,
    RedactedUrl, Sha256Digest, VersionSpecifiers, Yanked,
};

/// Why a project page (or find-links location) could not be read as a list of files.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The body is not HTML at all (no markup where the page should start).
    #[error("the page at {url} is not an HTML project page")]
    NotHtml {
        /// The page.
        url: RedactedUrl,
    },
    /// The body is not JSON, or its JSON does not have the simple API's shape.
    #[error("the page at {url} is not a valid simple API JSON page")]
    InvalidJson {
        /// The page.
        url: RedactedUrl,
        /// What the JSON parser found.
        #[source]
        source: serde_json::Error,
    },
    /// A JSON page without the required `files` key.
    #[error("the JSON page at {url} has no `files` list")]
    MissingFiles {
        /// The page.
        url: RedactedUrl,
    },
    /// A JSON page of a major API version this parser does not know (PEP 691 says to refuse).
    #[error("the JSON page at {url} uses unsupported simple API version `{version}`")]
    UnsupportedApiVersion {
        /// The page.
        url: RedactedUrl,
        /// The `meta.api-version` it declared.
        version: String,
    },
    /// A find-links directory that could not be listed.
    #[error("cannot read the find-links directory `{}`", dir.display())]
    ReadDir {
        /// The directory.
        dir: PathBuf,
        /// The underlying IO error.
        #[source]
        source: std::io::Error,
    },
    /// A file in a find-links directory that could not be read to hash it.
    #[error("cannot read the find-links file `{}`", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The underlying IO error.
        #[source]
        source: std::io::Error,
    },
    /// A find-links directory whose path cannot be written as a `file://` URL.
    #[error("the find-links directory `{}` cannot be expressed as a file URL", dir.display())]
    DirUrl {
        /// The directory.
        dir: PathBuf,
    },
}

/// Every link that can point at a file. Compiled once: a selector is a constant.
static ANCHORS: LazyLock<Selector> = LazyLock::new(|| compile_selector("a[href]"));
/// The document's `<base href>`, which changes what relative hrefs resolve against.
static BASE: LazyLock<Selector> = LazyLock::new(|| compile_selector("base[href]"));

fn compile_selector(text: &str) -> Selector {
    // The selector text is a literal in this file, so failing here is a programming error that
    // every test run would hit, not something outside data can cause.
    #[allow(clippy::expect_used)]
    Selector::parse(text).expect("selector literal is valid CSS")
}

/// Parses a PEP 503 project page into the files it lists for `project`, each recorded as found
/// at `origin`.
///
/// Hrefs are resolved against `<base href>` when present, else against `page_url`. Links whose
/// file name is not a wheel or sdist of `project` are skipped.
///
/// # Errors
/// [`PageError::NotHtml`] when the body does not start with markup.
pub fn parse_simple_html(
    body: &str,
    page_url: &Url,
    project: &PackageName,
    origin: &FileOrigin,
) -> Result<ProjectFiles, PageError> {
    parse_anchor_page(body, page_url, project, origin)
}

/// The anchor walk shared by simple pages and find-links pages: the only difference between the
/// two is how many other projects' files get skipped.
pub(super) fn parse_anchor_page(
    body: &str,
    page_url: &Url,
    project: &PackageName,
    origin: &FileOrigin,
) -> Result<ProjectFiles, PageError> {
    if !looks_like_markup(body) {
        return Err(PageError::NotHtml {
            url: RedactedUrl::new(page_url.clone()),
        });
    }
    let document = Html::parse_document(body);
    let base = document
        .select(&BASE)
        .next()
        .and_then(|base| base.value().attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok());
    let base = base.as_ref().unwrap_or(page_url);

    let mut requires_python = RequiresPythonCache::default();
    let mut files = Vec::new();
    for anchor in document.select(&ANCHORS) {
        let element = anchor.value();
        let Some(href) = element.attr("href") else {
            continue;
        };
        let Ok(mut url) = base.join(href.trim()) else {
            tracing::debug!(href, page = %RedactedUrl::new(page_url.clone()), "skipping unparsable href");
            continue;
        };
        let sha256 = take_fragment_sha256(&mut url);
        let Some(filename) = filename_from_url(&url) else {
            continue;
        };
        let Some(dist) = parse_dist(&filename, project) else {
            continue;
        };
        let metadata = element
            .attr("data-core-metadata")
            .or_else(|| element.attr("data-dist-info-metadata"))
            .map_or(MetadataAvailability::NotAdvertised, parse_metadata_attr);
        files.push(IndexFile {
            filename: filename.into_owned(),
            dist,
            url: url.into(),
            sha256,
            requires_python: element
                .attr("data-requires-python")
                .and_then(|raw| requires_python.get(raw)),
            yanked: element
                .attr("data-yanked")
                .map_or(Yanked::No, |reason| Yanked::Yes(reason.to_string())),
            upload_time: element.attr("data-upload-time").and_then(parse_upload_time),
            metadata,
            size: None,
            origin: origin.clone(),
            provenance: element
                .attr("data-provenance")
                .and_then(|raw| base.join(raw.trim()).ok())
                .map(Into::into),
        });
    }
    Ok(ProjectFiles {
        name: project.clone(),
        files,
    })
}

/// HTML5 parsing accepts any text, so "is this HTML" is decided up front: an index page starts
/// with markup (`<!DOCTYPE`, `<html>`, a comment). A JSON body or a plain-text error does not.
fn looks_like_markup(body: &str) -> bool {
    body.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
}

/// Reads the `sha256=<hex>` part of a URL's fragment (other hash names give `None`) and removes
/// the fragment, which is not part of the download location.
pub(super) fn take_fragment_sha256(url: &mut Url) -> Option<Sha256Digest> {
    let fragment = url.fragment()?;
    let digest = fragment
        .split('&')
        .find_map(|part| part.strip_prefix("sha256="))
        .and_then(|hex| parse_sha256_hex(hex, "URL fragment"));
    url.set_fragment(None);
    digest
}

/// Parses a hex digest, logging (not failing) when the index sent garbage.
pub(super) fn parse_sha256_hex(hex: &str, field: &str) -> Option<Sha256Digest> {
    match Sha256Digest::from_str(hex.trim()) {
        Ok(digest) => Some(digest),
        Err(error) => {
            tracing::debug!(field, %error, "ignoring invalid sha256");
            None
        }
    }
}

/// The file name a URL points at: its last path segment, percent-decoded. The anchor text is
/// not used because indexes are free to show anything there.
pub(super) fn filename_from_url(url: &Url) -> Option<Cow<'_, str>> {
    let segment = url
        .path_segments()?
        .next_back()
        .filter(|segment| !segment.is_empty())?;
    let decoded = percent_decode(segment);
    if decoded.is_none() {
        tracing::debug!(url = %RedactedUrl::new(url.clone()), "skipping link whose file name is not UTF-8");
    }
    decoded
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits is kept as written. Borrows when
/// there is nothing to decode, which is nearly always.
fn percent_decode(text: &str) -> Option<Cow<'_, str>> {
    if !text.contains('%') {
        return Some(Cow::Borrowed(text));
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| bytes.get(index + 1..index + 3))
            .flatten()
            .and_then(|pair| Some((hex_digit(pair[0])? << 4) | hex_digit(pair[1])?));
        if let Some(byte) = escaped {
            out.push(byte);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

fn hex_digit(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|digit| u8::try_from(digit).ok())
}

/// Parses a listed file name for `project`; `None` (with a debug log) for anything that is not
/// one of its wheels or sdists: other projects, `.exe`, `.egg`, `.tar.bz2` and the like.
pub(super) fn parse_dist(filename: &str, project: &PackageName) -> Option<DistFilename> {
    match DistFilename::parse(filename, project) {
        Ok(dist) => Some(dist),
        Err(error) => {
            tracing::debug!(filename, %project, %error, "skipping file");
            None
        }
    }
}

/// `data-core-metadata` / `data-dist-info-metadata`: `true`, or `<hash name>=<hex>` (PEP 658).
fn parse_metadata_attr(value: &str) -> MetadataAvailability {
    let value = value.trim();
    if value.eq_ignore_ascii_case("true") {
        return MetadataAvailability::Advertised(None);
    }
    match value.split_once('=') {
        Some((name, hex)) if name.eq_ignore_ascii_case("sha256") => {
            MetadataAvailability::Advertised(parse_sha256_hex(hex, "metadata attribute"))
        }
        // Another hash algorithm still says the file exists; we just cannot check it.
        Some((name, _)) if !name.is_empty() => MetadataAvailability::Advertised(None),
        _ => MetadataAvailability::NotAdvertised,
    }
}

/// An RFC 3339 upload time (PEP 700 / the mirror's `data-upload-time`); `None` when unparsable.
pub(super) fn parse_upload_time(raw: &str) -> Option<Timestamp> {
    match Timestamp::from_str(raw.trim()) {
        Ok(time) => Some(time),
        Err(error) => {
            tracing::debug!(raw, %error, "ignoring unparsable upload time");
            None
        }
    }
}

/// Parses `Requires-Python` values, remembering each distinct spelling: a page repeats the same
/// few values on hundreds of files.
#[derive(Default)]
pub(super) struct RequiresPythonCache<'a> {
    seen: HashMap<&'a str, Option<VersionSpecifiers>>,
}

impl<'a> RequiresPythonCache<'a> {
    /// The specifiers for `raw` (repaired by core metadata's rules, which pip applies too), or
    /// `None` when it is empty or junk even after fix-ups.
    pub(super) fn get(&mut self, raw: &'a str) -> Option<VersionSpecifiers> {
        self.seen
            .entry(raw)
            .or_insert_with(|| crate::metadata::core::parse_requires_python_lenient(raw))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> PackageName {
        PackageName::from_str(text).unwrap()
    }

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn origin() -> FileOrigin {
        FileOrigin::Index(RedactedUrl::new(
            Url::parse("https://idx.example/simple/").unwrap(),
        ))
    }

    const HEX_A: &str = "14fd1ed3dd0e1a46cc53b8fc890b5a3b11737515aeb7f42c3af9f38e8d8975d7";
    const HEX_B: &str = "23a656e7db613f75d061570e3b2cf57d2a498501018593e6a01e24ed211a78dc";

    #[test]
    fn parses_real_pluggy_page() {
        let page = include_str!("../../fixtures/pages/pluggy.html");
        let files = parse_simple_html(
            page,
            &url("https://pypi.org/simple/pluggy/"),
            &name("pluggy"),
            &origin(),
        )
        .unwrap();
        assert_eq!(files.name, name("pluggy"));
        assert_eq!(files.files.len(), 50);
        let yanked: Vec<_> = files
            .files
            .iter()
            .filter(|file| file.yanked.is_yanked())
            .collect();
        assert_eq!(yanked.len(), 2);
        assert_eq!(yanked[0].filename, "pluggy-1.1.0-py3-none-any.whl");
        assert_eq!(
            yanked[0].yanked,
            Yanked::Yes(
                "Caused breakage due to new style hook wrappers. Team will reevaluate.".into()
            )
        );
        assert_eq!(
            yanked[0].sha256.unwrap().to_hex(),
            "d81d19a3a88d82ed06998353ce5d5c02587ef07ee2d808ae63904ab0ccef0087"
        );
        assert_eq!(
            yanked[0].requires_python.as_ref().unwrap().to_string(),
            ">=3.7"
        );
        assert!(yanked[0].url.parse().unwrap().fragment().is_none());
        assert!(
            yanked[0]
                .url
                .as_str()
                .starts_with("https://files.pythonhosted.org/packages/5d/8e/")
        );
        assert!(files.files.iter().all(|file| file.sha256.is_some()));
    }

    #[test]
    fn parses_real_idna_page() {
        let page = include_str!("../../fixtures/pages/idna.html");
        let files = parse_simple_html(
            page,
            &url("https://pypi.org/simple/idna/"),
            &name("idna"),
            &origin(),
        )
        .unwrap();
        assert_eq!(files.files.len(), 75);
        assert!(files.files.iter().all(|file| !file.yanked.is_yanked()));
        let first = &files.files[0];
        assert_eq!(first.filename, "idna-0.2.tar.gz");
        assert_eq!(first.dist.version().to_string(), "0.2");
        assert!(first.requires_python.is_none());
        let last = files.files.last().unwrap();
        assert_eq!(last.filename, "idna-3.9-py3-none-any.whl");
        assert_eq!(
            last.sha256.unwrap().to_hex(),
            "69297d5da0cc9281c77efffb4e730254dd45943f45bbfb461de5991713989b1e"
        );
        assert_eq!(last.requires_python.as_ref().unwrap().to_string(), ">=3.6");
        assert_eq!(
            files
                .files
                .iter()
                .filter(|file| file.dist.is_wheel())
                .count(),
            33
        );
    }

    #[test]
    fn resolves_relative_hrefs_against_page_and_base() {
        let page = format!(
            r#"<!DOCTYPE html><html><body>
            <a href="../../packages/foo-1.0.tar.gz#sha256={HEX_A}">foo-1.0.tar.gz</a>
            <a href="foo-2.0-py3-none-any.whl">whatever text</a>
            </body></html>"#
        );
        let files = parse_simple_html(
            &page,
            &url("https://idx.example/simple/foo/"),
            &name("foo"),
            &origin(),
        )
        .unwrap();
        let urls: Vec<_> = files.files.iter().map(|file| file.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://idx.example/packages/foo-1.0.tar.gz",
                "https://idx.example/simple/foo/foo-2.0-py3-none-any.whl"
            ]
        );
        assert_eq!(files.files[0].sha256.unwrap().to_hex(), HEX_A);
        assert_eq!(files.files[1].filename, "foo-2.0-py3-none-any.whl");

        let with_base = r#"<html><head><base href="/files/"></head><body>
            <a href="foo-1.0.tar.gz">x</a></body></html>"#;
        let files = parse_simple_html(
            with_base,
            &url("https://idx.example/simple/foo/"),
            &name("foo"),
            &origin(),
        )
        .unwrap();
        assert_eq!(
            files.files[0].url.as_str(),
            "https://idx.example/files/foo-1.0.tar.gz"
        );
    }

    #[test]
    fn decodes_entities_and_percent_escapes() {
        let page = r#"<html><body>
            <a href="foo-1.0%2Blocal-py3-none-any.whl?x=1&amp;y=2" data-requires-python="&gt;=3.8,&lt;4"
               data-yanked="broken &amp; bad">whatever the anchor says</a>
            <a href="https://h.example/download?file=foo-2.0.tar.gz">query, not a file path</a>
            </body></html>"#;
        let files = parse_simple_html(
            page,
            &url("https://h.example/simple/foo/"),
            &name("foo"),
            &origin(),
        )
        .unwrap();
        assert_eq!(
            files.files.len(),
            1,
            "the last path segment of the second link is `download`"
        );
        let file = &files.files[0];
        assert_eq!(file.filename, "foo-1.0+local-py3-none-any.whl");
        assert_eq!(file.dist.version().to_string(), "1.0+local");
        assert_eq!(file.url.parse().unwrap().query(), Some("x=1&y=2"));
        assert_eq!(
            file.requires_python.as_ref().unwrap().to_string(),
            ">=3.8, <4"
        );
        assert_eq!(file.yanked, Yanked::Yes("broken & bad".into()));
    }

    #[test]
    fn reads_fragments_metadata_and_upload_time() {
        let page = format!(
            r#"<html><body>
            <a href="foo-1.0.tar.gz#md5=0123456789abcdef0123456789abcdef">md5 only</a>
            <a href="foo-1.1.tar.gz#sha256={HEX_A}" data-core-metadata="sha256={HEX_B}"
               data-upload-time="2024-01-05T12:34:56.123456Z" data-yanked="">c</a>
            <a href="foo-1.2.tar.gz" data-dist-info-metadata="true" data-upload-time="yesterday">d</a>
            <a href="foo-1.3.tar.gz#sha256=nothex" data-core-metadata="false">e</a>
            </body></html>"#
        );
        let files = parse_simple_html(
            &page,
            &url("https://h.example/simple/foo/"),
            &name("foo"),
            &origin(),
        )
        .unwrap();
        let [md5, full, legacy, junk] = files.files.as_slice() else {
            panic!("expected four files")
        };
        assert_eq!(md5.sha256, None);
        assert_eq!(
            md5.url.as_str(),
            "https://h.example/simple/foo/foo-1.0.tar.gz"
        );
        assert_eq!(md5.metadata, MetadataAvailability::NotAdvertised);
        assert_eq!(full.sha256.unwrap().to_hex(), HEX_A);
        assert_eq!(
            full.metadata,
            MetadataAvailability::Advertised(Some(HEX_B.parse().unwrap()))
        );
        assert_eq!(full.yanked, Yanked::Yes(String::new()));
        assert_eq!(
            full.upload_time.unwrap().to_string(),
            "2024-01-05T12:34:56.123456Z"
        );
        assert_eq!(legacy.metadata, MetadataAvailability::Advertised(None));
        assert_eq!(legacy.upload_time, None);
        assert_eq!(junk.sha256, None);
        assert_eq!(junk.metadata, MetadataAvailability::NotAdvertised);
    }

    #[test]
    fn skips_files_of_other_projects_and_formats() {
        let page = r#"<html><body>
            <a href="foo-1.0.exe">a</a><a href="foo-1.0-py2.7.egg">b</a><a href="foo-1.0.tar.bz2">c</a>
            <a href="foo-1.0.msi">d</a><a href="foo-1.0-1.noarch.rpm">e</a><a href="bar-1.0.tar.gz">f</a>
            <a href="bar-1.0-py3-none-any.whl">g</a><a href="/simple/">h</a><a href="foo-1.0.zip">i</a>
            </body></html>"#;
        let files = parse_simple_html(
            page,
            &url("https://h.example/simple/foo/"),
            &name("foo"),
            &origin(),
        )
        .unwrap();
        let names: Vec<_> = files
            .files
            .iter()
            .map(|file| file.filename.as_str())
            .collect();
        assert_eq!(names, ["foo-1.0.zip"]);
    }

    #[test]
    fn rejects_non_html_but_accepts_empty_page() {
        let page_url = url("https://h.example/simple/foo/");
        for body in [r#"{"files": []}"#, "Not Found", ""] {
            let error = parse_simple_html(body, &page_url, &name("foo"), &origin()).unwrap_err();
            assert!(matches!(error, PageError::NotHtml { .. }), "{body:?}");
        }
        let empty = parse_simple_html(
            "\u{feff}  <!DOCTYPE html><html></html>",
            &page_url,
            &name("foo"),
            &origin(),
        )
        .unwrap();
        assert!(empty.files.is_empty());
    }

    #[test]
    fn error_messages_hide_credentials() {
        let error = parse_simple_html(
            "nope",
            &url("https://user:secret@h.example/simple/foo/"),
            &name("foo"),
            &origin(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the page at https://user:****@h.example/simple/foo/ is not an HTML project page"
        );
    }

    #[test]
    fn percent_decoding_keeps_stray_percent_signs() {
        assert_eq!(percent_decode("a%2Db").unwrap(), "a-b");
        assert_eq!(percent_decode("100%").unwrap(), "100%");
        assert_eq!(percent_decode("%zz%4").unwrap(), "%zz%4");
        assert!(matches!(
            percent_decode("plain").unwrap(),
            Cow::Borrowed("plain")
        ));
        assert!(percent_decode("%ff").is_none(), "not UTF-8");
    }
}
