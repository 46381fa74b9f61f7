//! `--find-links` locations: an HTML page that links to the files of many projects, or a local
//! directory holding them. Either way only the requested project's wheels and sdists are kept.
//!
//! The page parser does no IO (someone else fetches the page). The directory reader is the one
//! place in the index parsers that touches the file system: it lists one directory (not
//! recursively, as pip does) and hashes the matching files so that `--generate-hashes` can write
//! them. It must not fetch anything over the network.

use std::fs;
use std::io;
use std::path::Path;

use sha2::Digest as _;
use url::Url;

use super::html::{PageError, parse_anchor_page, parse_dist};
use crate::types::{
    FileOrigin, IndexFile, MetadataAvailability, PackageName, ProjectFiles, RedactedUrl,
    Sha256Digest, Yanked,
};

/// Parses a find-links HTML page (a directory listing or a hand-written page of links to many
/// projects' files) and keeps the files of `project`, each recorded as found at `origin`.
///
/// Links are read exactly as on a simple page, so `#sha256=` fragments and `data-*` attributes
/// are honoured when present.
///
/// # Errors
/// [`PageError::NotHtml`] when the body does not start with markup.
pub fn parse_find_links_html(
    body: &str,
    page_url: &Url,
    project: &PackageName,
    origin: &FileOrigin,
) -> Result<ProjectFiles, PageError> {
    parse_anchor_page(body, page_url, project, origin)
}

/// Lists `dir` and returns `project`'s wheels and sdists in it, ordered by file name, each with
/// a `file://` URL, its size, the sha256 of its content and the directory's `file://` URL as
/// origin. Directories, other projects' files
/// and names that are not UTF-8 are skipped.
///
/// # Errors
/// [`PageError::ReadDir`] when the directory cannot be listed, [`PageError::ReadFile`] when a
/// matching file cannot be read, and [`PageError::DirUrl`] when a path cannot become a URL.
pub fn read_find_links_dir(dir: &Path, project: &PackageName) -> Result<ProjectFiles, PageError> {
    let read_dir_error = |source| PageError::ReadDir {
        dir: dir.to_path_buf(),
        source,
    };
    // Canonical, so the URLs are absolute whatever the user typed (`./wheels`).
    let root = fs::canonicalize(dir).map_err(read_dir_error)?;
    let mut matching = Vec::new();
    for entry in fs::read_dir(&root).map_err(read_dir_error)? {
        let entry = entry.map_err(read_dir_error)?;
        let Ok(filename) = entry.file_name().into_string() else {
            tracing::debug!(path = %entry.path().display(), "skipping non-UTF-8 file name");
            continue;
        };
        let Some(dist) = parse_dist(&filename, project) else {
            continue;
        };
        let path = entry.path();
        // `metadata` follows symlinks, so a link to a wheel counts as a wheel.
        match fs::metadata(&path) {
            Ok(metadata) if metadata.is_file() => {
                matching.push((filename, dist, path, metadata.len()))
            }
            Ok(_) => tracing::debug!(path = %path.display(), "skipping non-file"),
            Err(source) => return Err(PageError::ReadFile { path, source }),
        }
    }
    // `read_dir` order is whatever the file system gives; the lock file must not depend on it.
    matching.sort_by(|a, b| a.0.cmp(&b.0));
    let origin = FileOrigin::FindLinks(RedactedUrl::new(Url::from_file_path(&root).map_err(
        |()| PageError::DirUrl {
            dir: dir.to_path_buf(),
        },
    )?));

    let mut files = Vec::with_capacity(matching.len());
    for (filename, dist, path, size) in matching {
        let sha256 = hash_file(&path).map_err(|source| PageError::ReadFile {
            path: path.clone(),
            source,
        })?;
        let url = Url::from_file_path(&path).map_err(|()| PageError::DirUrl {
            dir: dir.to_path_buf(),
        })?;
        files.push(IndexFile {
            filename,
            dist,
            url: url.into(),
            sha256: Some(sha256),
            requires_python: None,
            yanked: Yanked::No,
            upload_time: None,
            metadata: MetadataAvailability::NotAdvertised,
            size: Some(size),
            origin: origin.clone(),
            provenance: None,
        });
    }
    Ok(ProjectFiles {
        name: project.clone(),
        files,
    })
}

/// Streams the file through the hasher: wheels can be hundreds of megabytes.
fn hash_file(path: &Path) -> io::Result<Sha256Digest> {
    let mut file = fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    io::copy(&mut file, &mut hasher)?;
    Ok(Sha256Digest::from_bytes(hasher.finalize().into()))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn name(text: &str) -> PackageName {
        PackageName::from_str(text).unwrap()
    }

    fn origin() -> FileOrigin {
        FileOrigin::FindLinks(RedactedUrl::new(
            Url::parse("https://links.example/wheels.html").unwrap(),
        ))
    }

    #[test]
    fn page_keeps_only_the_project() {
        let page = r#"<!DOCTYPE html><html><head><title>Directory listing for /wheels/</title></head><body><ul>
            <li><a href="attrs-23.1.0-py3-none-any.whl">attrs-23.1.0-py3-none-any.whl</a></li>
            <li><a href="Foo_Bar-1.0-py3-none-any.whl">Foo_Bar-1.0-py3-none-any.whl</a></li>
            <li><a href="foo-bar-0.9.tar.gz#sha256=14fd1ed3dd0e1a46cc53b8fc890b5a3b11737515aeb7f42c3af9f38e8d8975d7">x</a></li>
            <li><a href="foo-1.0.tar.gz">foo-1.0.tar.gz</a></li>
            <li><a href="foo_bar_baz-1.0.tar.gz">foo_bar_baz-1.0.tar.gz</a></li>
            <li><a href="subdir/">subdir/</a></li>
            <li><a href="https://elsewhere.example/dl/foo.bar-2.0.zip">mirror</a></li>
            </ul></body></html>"#;
        let page_url = Url::parse("http://localhost:8000/wheels/").unwrap();
        let files = parse_find_links_html(page, &page_url, &name("foo-bar"), &origin()).unwrap();
        let found: Vec<_> = files
            .files
            .iter()
            .map(|file| (file.filename.as_str(), file.url.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "Foo_Bar-1.0-py3-none-any.whl",
                    "http://localhost:8000/wheels/Foo_Bar-1.0-py3-none-any.whl"
                ),
                (
                    "foo-bar-0.9.tar.gz",
                    "http://localhost:8000/wheels/foo-bar-0.9.tar.gz"
                ),
                (
                    "foo.bar-2.0.zip",
                    "https://elsewhere.example/dl/foo.bar-2.0.zip"
                ),
            ]
        );
        assert!(files.files[1].sha256.is_some());
    }

    #[test]
    fn page_that_is_not_html_is_an_error() {
        let page_url = Url::parse("file:///srv/links.txt").unwrap();
        let error = parse_find_links_html("foo-1.0.tar.gz\n", &page_url, &name("foo"), &origin())
            .unwrap_err();
        assert!(matches!(error, PageError::NotHtml { .. }));
    }

    #[test]
    fn directory_lists_hashes_and_sorts() {
        let dir = tempfile::tempdir().unwrap();
        let write = |file: &str, content: &[u8]| fs::write(dir.path().join(file), content).unwrap();
        write("foo-2.0-py3-none-any.whl", b"wheel bytes");
        write("foo-1.0.tar.gz", b"sdist bytes");
        write("foo-1.0.exe", b"installer");
        write("bar-1.0.tar.gz", b"other project");
        fs::create_dir(dir.path().join("foo-3.0.tar.gz")).unwrap();

        let files = read_find_links_dir(dir.path(), &name("foo")).unwrap();
        let names: Vec<_> = files
            .files
            .iter()
            .map(|file| file.filename.as_str())
            .collect();
        assert_eq!(names, ["foo-1.0.tar.gz", "foo-2.0-py3-none-any.whl"]);
        let sdist = &files.files[0];
        assert_eq!(sdist.sha256, Some(Sha256Digest::of(b"sdist bytes")));
        assert_eq!(sdist.size, Some(11));
        assert_eq!(sdist.upload_time, None);
        assert!(sdist.url.is_local());
        let expected = fs::canonicalize(dir.path().join("foo-1.0.tar.gz")).unwrap();
        assert_eq!(sdist.url.parse().unwrap().to_file_path().unwrap(), expected);
        assert_eq!(
            files.files[1].sha256,
            Some(Sha256Digest::of(b"wheel bytes"))
        );
    }

    #[test]
    fn missing_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let error = read_find_links_dir(&missing, &name("foo")).unwrap_err();
        assert!(matches!(&error, PageError::ReadDir { dir, .. } if *dir == missing));
        assert!(
            error
                .to_string()
                .starts_with("cannot read the find-links directory")
        );
    }
}
