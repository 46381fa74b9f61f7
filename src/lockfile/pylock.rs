//! Reading a PEP 751 `pylock.toml` back as a [`Lock`]: its versioned packages become pins, so
//! that `resolve -o pylock.toml` keeps them as preferences exactly as it keeps a requirements
//! file's (a second run gives the same bytes).
//!
//! Only what preferences and hash reuse need is read: each package's name, version, marker
//! and file digests. A package without a version (a directory or a repository, for which
//! PEP 751 forbids one) is no `==` pin and is skipped; an archive becomes a URL pin.

use std::path::{Path, PathBuf};
use std::str::FromStr as _;

use pep508_rs::MarkerTree;
use serde::Deserialize;
use url::Url;

use super::{Lock, LockedPin, LockedSource};
use crate::types::{PackageName, Sha256Digest, Version};

/// Why a `pylock.toml` cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum PylockError {
    /// The file cannot be read.
    #[error("cannot read `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not TOML, or not shaped as PEP 751 says.
    #[error("`{path}` is not a pylock.toml file")]
    Toml {
        /// The file.
        path: PathBuf,
        /// The parser's complaint.
        #[source]
        source: toml::de::Error,
    },
    /// A package entry has a value pinwheel cannot use.
    #[error("`{path}`: package {index} (`{name}`): {reason}")]
    Package {
        /// The file.
        path: PathBuf,
        /// The 1-based position of the `[[packages]]` entry.
        index: usize,
        /// The name as written.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// `[tool.pinwheel] forks` holds something that is not a marker.
    #[error("{}: bad fork marker `{marker}` in [tool.pinwheel]: {reason}", path.display())]
    Fork {
        /// The file.
        path: PathBuf,
        /// The marker as written.
        marker: String,
        /// Why it does not parse.
        reason: String,
    },
}

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    packages: Vec<Package>,
    #[serde(default)]
    tool: Tool,
}

#[derive(Default, Deserialize)]
struct Tool {
    #[serde(default)]
    pinwheel: PinwheelTable,
}

/// `[tool.pinwheel]`: only the forks matter when reading back.
#[derive(Default, Deserialize)]
struct PinwheelTable {
    #[serde(default)]
    forks: Vec<String>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: Option<String>,
    marker: Option<String>,
    index: Option<String>,
    archive: Option<Archive>,
    sdist: Option<File>,
    #[serde(default)]
    wheels: Vec<File>,
}

#[derive(Deserialize)]
struct Archive {
    url: Option<String>,
    #[serde(default)]
    hashes: Hashes,
}

#[derive(Deserialize)]
struct File {
    name: Option<String>,
    url: Option<String>,
    #[serde(default)]
    hashes: Hashes,
}

impl File {
    /// The file name: `name`, else the URL's last segment (PEP 751 lets `name` be left out
    /// when the URL ends with it).
    fn filename(&self) -> Option<String> {
        self.name.clone().or_else(|| {
            let url = Url::parse(self.url.as_deref()?).ok()?;
            url.path_segments()?.next_back().map(str::to_string)
        })
    }
}

/// The digest a pylock gives one file of one pinned version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedFile {
    /// The project.
    pub name: PackageName,
    /// The pinned version.
    pub version: Version,
    /// The file name (a wheel's or an sdist's).
    pub filename: String,
    /// Its sha256.
    pub sha256: Sha256Digest,
}

/// The sha256 of every sdist and wheel of the versioned packages of `text`: what a re-lock
/// reuses for files the index lists without a digest, instead of downloading them again.
/// Entries that do not parse are left out: reuse is an optimisation, never a reason to fail.
#[must_use]
pub fn pylock_file_digests(text: &str) -> Vec<LockedFile> {
    let Ok(document) = toml::from_str::<Document>(text) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for package in document.packages {
        let (Ok(name), Some(Ok(version))) = (
            PackageName::from_str(&package.name),
            package.version.as_deref().map(Version::from_str),
        ) else {
            continue;
        };
        for file in package.sdist.iter().chain(&package.wheels) {
            let (Some(filename), Some(Ok(sha256))) = (
                file.filename(),
                file.hashes.sha256.as_deref().map(Sha256Digest::from_str),
            ) else {
                continue;
            };
            files.push(LockedFile {
                name: name.clone(),
                version: version.clone(),
                filename,
                sha256,
            });
        }
    }
    files
}

#[derive(Deserialize, Default)]
struct Hashes {
    sha256: Option<String>,
}

/// Reads the `pylock.toml` at `path`.
///
/// # Errors
/// When the file cannot be read, is not TOML of PEP 751's shape, or has an invalid name,
/// version, marker, URL or digest.
pub fn read_pylock(path: &Path) -> Result<Lock, PylockError> {
    let text = std::fs::read_to_string(path).map_err(|source| PylockError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_pylock(&text, path)
}

/// Parses `pylock.toml` text; `path` only names the file in errors.
///
/// # Errors
/// As [`read_pylock`], except reading.
pub fn parse_pylock(text: &str, path: &Path) -> Result<Lock, PylockError> {
    let document: Document = toml::from_str(text).map_err(|source| PylockError::Toml {
        path: path.to_path_buf(),
        source,
    })?;
    let mut lock = Lock::default();
    for fork in &document.tool.pinwheel.forks {
        lock.forks
            .push(parse_marker(fork).map_err(|reason| PylockError::Fork {
                path: path.to_path_buf(),
                marker: fork.clone(),
                reason,
            })?);
    }
    // One index for every package is the lock's index, as a requirements file's `--index-url`
    // line is; with several, `check` and `download` use the one they are given.
    let indexes: std::collections::BTreeSet<&str> = document
        .packages
        .iter()
        .filter_map(|package| package.index.as_deref())
        .collect();
    if let [only] = indexes.into_iter().collect::<Vec<_>>().as_slice() {
        lock.index_url = Some((*only).to_string());
    }
    for (index, package) in document.packages.into_iter().enumerate() {
        let error = |reason: String| PylockError::Package {
            path: path.to_path_buf(),
            index: index + 1,
            name: package.name.clone(),
            reason,
        };
        let name = PackageName::from_str(&package.name)
            .map_err(|cause| error(format!("bad name: {cause}")))?;
        let marker = package
            .marker
            .as_deref()
            .map(parse_marker)
            .transpose()
            .map_err(|cause| error(format!("bad marker: {cause}")))?;
        let source = match (&package.archive, &package.version) {
            (Some(Archive { url: Some(url), .. }), _) => LockedSource::Url(
                Url::parse(url).map_err(|cause| error(format!("bad URL: {cause}")))?,
            ),
            (_, Some(version)) => LockedSource::Version(
                Version::from_str(version)
                    .map_err(|cause| error(format!("bad version: {cause}")))?,
            ),
            // A source tree: no version to keep.
            (_, None) => continue,
        };
        let digests = package
            .archive
            .iter()
            .map(|archive| &archive.hashes)
            .chain(package.sdist.iter().map(|file| &file.hashes))
            .chain(package.wheels.iter().map(|file| &file.hashes))
            .filter_map(|hashes| hashes.sha256.as_deref());
        let mut hashes = Vec::new();
        for digest in digests {
            hashes.push(
                Sha256Digest::from_str(digest)
                    .map_err(|_| error(format!("`{digest}` is not a sha256 digest")))?,
            );
        }
        hashes.sort_unstable();
        hashes.dedup();
        lock.pins.push(LockedPin {
            name,
            extras: Vec::new(),
            source,
            marker,
            hashes,
            // A TOML entry has no line of its own worth naming; its position is in errors.
            line: index + 1,
        });
    }
    Ok(lock)
}

/// A marker of the lock, refused before pep508_rs sees it when it nests too deep to parse.
fn parse_marker(text: &str) -> Result<MarkerTree, String> {
    crate::types::check_marker(text).map_err(|error| error.to_string())?;
    MarkerTree::from_str(text).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioned_packages_become_pins_and_source_trees_are_skipped() {
        let digest = "a".repeat(64);
        let text = format!(
            r#"lock-version = "1.0"
created-by = "pinwheel"

[[packages]]
name = "Six"
version = "1.16.0"
marker = "python_version >= '3.8'"
wheels = [{{ name = "six-1.16.0-py3-none-any.whl", url = "https://h/six.whl", hashes = {{ sha256 = "{digest}" }} }}]

[[packages]]
name = "local"
directory = {{ path = "./local", editable = true }}
"#
        );
        let lock = parse_pylock(&text, Path::new("pylock.toml")).unwrap();
        assert_eq!(lock.pins.len(), 1);
        let six = &lock.pins[0];
        assert_eq!(six.name.as_ref(), "six");
        assert_eq!(
            six.version().map(ToString::to_string).as_deref(),
            Some("1.16.0")
        );
        assert_eq!(six.hashes.len(), 1);
        assert!(six.marker.is_some());
    }

    #[test]
    fn file_digests_are_read_by_name_or_url_tail() {
        let digest = "b".repeat(64);
        let text = format!(
            "[[packages]]\nname = \"six\"\nversion = \"1.16.0\"\nsdist = {{ url = \"https://h/x/six-1.16.0.tar.gz\", hashes = {{ sha256 = \"{digest}\" }} }}\n"
        );
        let files = pylock_file_digests(&text);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].filename, "six-1.16.0.tar.gz");
        assert!(pylock_file_digests("not toml [").is_empty());
    }

    #[test]
    fn a_bad_version_names_the_package() {
        let text = "[[packages]]\nname = \"x\"\nversion = \"not a version\"\n";
        let error = parse_pylock(text, Path::new("pylock.toml")).unwrap_err();
        assert!(error.to_string().contains("package 1 (`x`)"), "{error}");
    }

    /// Found by the property tests (issue 16): a deeply nested marker overflowed the stack.
    #[test]
    fn a_marker_nested_too_deep_is_an_error() {
        let marker = format!(
            "{}python_version >= '3'{}",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        let text = format!("[[packages]]\nname = \"x\"\nversion = \"1\"\nmarker = \"{marker}\"\n");
        let error = parse_pylock(&text, Path::new("pylock.toml")).unwrap_err();
        assert!(error.to_string().contains("parentheses nest"), "{error}");
        let forks = format!("[tool.pinwheel]\nforks = [\"{marker}\"]\n");
        assert!(parse_pylock(&forks, Path::new("pylock.toml")).is_err());
    }
}
