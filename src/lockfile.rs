//! Reading lock files: the pinned requirements files pinwheel and pip-compile write.
//!
//! A lock is read back to keep its hashes (`--generate-hashes` reuse), to check it against a
//! target (`pinwheel check`) and to fetch its files (`pinwheel download`). Only what a lock
//! contains is accepted: `name[extras]==version` or `name @ url` pins, each with optional
//! marker and `--hash` options, editable git pins (`-e git+URL@COMMIT#egg=name`, read as
//! `name @ git+URL@COMMIT`), plus index option lines. Anything else is an error naming the
//! line, because a lock that says something pinwheel cannot honour must not be half-used.

use std::path::{Path, PathBuf};
use std::str::FromStr as _;

use pep508_rs::MarkerTree;
use url::Url;

use crate::types::{ExtraName, PackageName, RedactedUrl, Sha256Digest, Version};

mod attested;
mod pylock;

pub use attested::{Attested, AttestedError, pylock_attested, requirements_attested};
pub use pylock::{LockedFile, PylockError, parse_pylock, pylock_file_digests, read_pylock};

/// A parsed lock file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lock {
    /// The pins, in file order.
    pub pins: Vec<LockedPin>,
    /// `--index-url` (the last one given), if any.
    pub index_url: Option<String>,
    /// `--extra-index-url` values, in order.
    pub extra_index_urls: Vec<String>,
    /// `--find-links` values, in order.
    pub find_links: Vec<String>,
    /// Whether a `--no-index` line is present (only `--find-links` sources are then used).
    pub no_index: bool,
    /// `--trusted-host` values, in order: pip installing the lock trusts them, so `check` and
    /// `download` do too.
    pub trusted_hosts: Vec<String>,
    /// A universal pylock's forks (`[tool.pinwheel] forks`), for a re-lock; a requirements
    /// file's `# pinwheel: fork` lines are read by `resolve` itself.
    pub forks: Vec<pep508_rs::MarkerTree>,
}

/// One pinned requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedPin {
    /// The project.
    pub name: PackageName,
    /// Extras written on the pin (`name[a,b]==…`).
    pub extras: Vec<ExtraName>,
    /// The exact version or the URL.
    pub source: LockedSource,
    /// The marker after `;`, parsed when the lock is read so that a malformed one is an error
    /// naming its line rather than a surprise later.
    pub marker: Option<MarkerTree>,
    /// The `--hash=sha256:` digests, in file order.
    pub hashes: Vec<Sha256Digest>,
    /// The 1-based line the pin starts on.
    pub line: usize,
}

/// What a pin fixes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockedSource {
    /// `name==version`.
    Version(Version),
    /// `name @ url`.
    Url(Url),
}

impl LockedPin {
    /// The pinned version, for index pins.
    #[must_use]
    pub fn version(&self) -> Option<&Version> {
        match &self.source {
            LockedSource::Version(version) => Some(version),
            LockedSource::Url(_) => None,
        }
    }
}

/// `name[extras]==version` or `name[extras] @ url` (credentials hidden), as errors name a pin.
impl std::fmt::Display for LockedPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.name)?;
        if !self.extras.is_empty() {
            let extras: Vec<String> = self.extras.iter().map(ToString::to_string).collect();
            write!(f, "[{}]", extras.join(","))?;
        }
        match &self.source {
            LockedSource::Version(version) => write!(f, "=={version}"),
            LockedSource::Url(url) => write!(f, " @ {}", RedactedUrl::new(url.clone())),
        }
    }
}

/// Why a lock file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// The file cannot be read.
    #[error("cannot read `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A line is not a pin, an index option or a comment.
    #[error("{path}:{line}: {reason}: `{text}`")]
    Line {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// The offending text.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A `pylock.toml` that cannot be read.
    #[error(transparent)]
    Pylock(#[from] PylockError),
}

/// Reads and parses the lock file at `path`: a PEP 751 `pylock.toml` (any `.toml` file), else a
/// requirements file.
///
/// # Errors
/// When the file cannot be read or a line is not something a lock contains.
pub fn read_lock(path: &Path) -> Result<Lock, LockError> {
    let text = std::fs::read_to_string(path).map_err(|source| LockError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if path
        .extension()
        .is_some_and(|extension| extension == "toml")
    {
        return Ok(parse_pylock(&text, path)?);
    }
    parse_lock(&text, path)
}

/// Parses lock text; `path` only names the file in errors.
///
/// # Errors
/// When a line is not a pin, an index option or a comment.
pub fn parse_lock(text: &str, path: &Path) -> Result<Lock, LockError> {
    let mut lock = Lock::default();
    for (line, entry) in logical_lines(text) {
        let error = |reason: &str| LockError::Line {
            path: path.to_path_buf(),
            line,
            text: entry.trim().to_string(),
            reason: reason.to_string(),
        };
        let entry = entry.trim();
        if let Some(target) = editable_vcs_target(entry) {
            let pin = parse_editable_vcs(target, line).map_err(|reason| error(&reason))?;
            lock.pins.push(pin);
            continue;
        }
        if let Some(option) = entry.strip_prefix('-') {
            parse_option_line(option, &mut lock).map_err(|reason| error(&reason))?;
            continue;
        }
        let pin = parse_pin(entry, line).map_err(|reason| error(&reason))?;
        lock.pins.push(pin);
    }
    Ok(lock)
}

/// `--index-url URL`, `--extra-index-url URL`, `--find-links URL` (with `=` or a space), and
/// other global options that do not change what is pinned.
fn parse_option_line(option: &str, lock: &mut Lock) -> Result<(), String> {
    let option = format!("-{option}");
    let (name, value) = match option.split_once(['=', ' ']) {
        Some((name, value)) => (name, value.trim().to_string()),
        None => (option.as_str(), String::new()),
    };
    match name {
        "--index-url" | "-i" => lock.index_url = Some(value),
        "--extra-index-url" => lock.extra_index_urls.push(value),
        "--find-links" | "-f" => lock.find_links.push(value),
        "--no-index" => lock.no_index = true,
        "--trusted-host" => lock.trusted_hosts.push(value),
        "--only-binary" | "--no-binary" | "--pre" | "--prefer-binary" => {}
        "-e" | "--editable" => return Err("editable requirements are not pins".to_string()),
        _ => return Err(format!("`{name}` is not an option a lock file contains")),
    }
    Ok(())
}

/// The URL of an editable VCS line (`-e git+…`, `--editable=git+…`), which pip-compile writes
/// for an editable git requirement; `None` for any other line (an editable local path is not a
/// pin).
fn editable_vcs_target(entry: &str) -> Option<&str> {
    let rest = entry
        .strip_prefix("--editable")
        .or_else(|| entry.strip_prefix("-e"))?;
    let target = rest
        .strip_prefix('=')
        .unwrap_or(rest)
        .trim_start_matches([' ', '\t']);
    target.starts_with("git+").then_some(target)
}

/// `git+URL@COMMIT#egg=name[&subdirectory=DIR]` as the pin `name @ git+URL@COMMIT[#subdirectory=DIR]`.
fn parse_editable_vcs(target: &str, line: usize) -> Result<LockedPin, String> {
    let mut url = Url::parse(target.trim()).map_err(|error| format!("bad URL: {error}"))?;
    let fragment = url.fragment().unwrap_or_default().to_string();
    let (eggs, rest): (Vec<&str>, Vec<&str>) = fragment
        .split('&')
        .filter(|part| !part.is_empty())
        .partition(|part| part.starts_with("egg="));
    let egg = eggs
        .first()
        .and_then(|egg| egg.strip_prefix("egg="))
        .ok_or_else(|| "an editable git requirement needs `#egg=NAME`".to_string())?;
    // `egg=name[extra]` names extras too; the project is the part before them.
    let name = egg.split('[').next().unwrap_or(egg);
    let name = PackageName::from_str(name.trim()).map_err(|error| format!("bad name: {error}"))?;
    url.set_fragment((!rest.is_empty()).then(|| rest.join("&")).as_deref());
    Ok(LockedPin {
        name,
        extras: Vec::new(),
        source: LockedSource::Url(url),
        marker: None,
        hashes: Vec::new(),
        line,
    })
}

/// `name[extras]==version ; marker --hash=sha256:… …` or `name @ url ; marker --hash=…`.
fn parse_pin(entry: &str, line: usize) -> Result<LockedPin, String> {
    let (requirement, options) = match entry.find(" --") {
        Some(at) => (entry[..at].trim(), &entry[at..]),
        None => (entry, ""),
    };
    let mut hashes = Vec::new();
    for option in options.split_whitespace() {
        let Some(value) = option.strip_prefix("--hash=") else {
            return Err(format!("unexpected `{option}` after the requirement"));
        };
        let hex = value
            .strip_prefix("sha256:")
            .ok_or_else(|| format!("only sha256 hashes are supported, not `{value}`"))?;
        hashes.push(
            hex.parse()
                .map_err(|_| format!("`{hex}` is not a sha256 digest"))?,
        );
    }
    let (requirement, marker) = match requirement.split_once(';') {
        Some((requirement, marker)) => (
            requirement.trim(),
            Some({
                crate::types::check_marker(marker)
                    .map_err(|error| format!("bad marker: {error}"))?;
                MarkerTree::from_str(marker.trim())
                    .map_err(|error| format!("bad marker: {error}"))?
            }),
        ),
        None => (requirement, None),
    };
    let (name_part, source) = if let Some((name, url)) = requirement.split_once(" @ ") {
        let url = Url::parse(url.trim()).map_err(|error| format!("bad URL: {error}"))?;
        (name.trim(), LockedSource::Url(url))
    } else if let Some((name, version)) = requirement.split_once("==") {
        let version =
            Version::from_str(version.trim()).map_err(|error| format!("bad version: {error}"))?;
        (name.trim(), LockedSource::Version(version))
    } else {
        return Err("not a pin (`name==version` or `name @ url`)".to_string());
    };
    let (name, extras) = match name_part.split_once('[') {
        Some((name, extras)) => {
            let extras = extras
                .strip_suffix(']')
                .ok_or_else(|| "unclosed `[` in the extras".to_string())?;
            let extras = extras
                .split(',')
                .map(|extra| {
                    ExtraName::from_str(extra.trim())
                        .map_err(|error| format!("bad extra `{extra}`: {error}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            (name, extras)
        }
        None => (name_part, Vec::new()),
    };
    let name = PackageName::from_str(name.trim()).map_err(|error| format!("bad name: {error}"))?;
    Ok(LockedPin {
        name,
        extras,
        source,
        marker,
        hashes,
        line,
    })
}

/// Non-empty logical lines with their 1-based starting line: `\` continuations joined,
/// comments (whole-line, or ` #` after content) removed.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (index, raw) in text.lines().enumerate() {
        let content = match raw.find(" #") {
            Some(at) => &raw[..at],
            None if raw.trim_start().starts_with('#') => "",
            None => raw,
        };
        if current.is_empty() {
            start = index + 1;
        }
        match content.trim_end().strip_suffix('\\') {
            Some(continued) => {
                current.push_str(continued);
                current.push(' ');
            }
            None => {
                current.push_str(content);
                if !current.trim().is_empty() {
                    lines.push((start, std::mem::take(&mut current)));
                }
                current.clear();
            }
        }
    }
    if !current.trim().is_empty() {
        lines.push((start, current));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn parse(text: &str) -> Result<Lock, LockError> {
        parse_lock(text, Path::new("requirements.txt"))
    }

    #[test]
    fn reads_pip_compile_output() {
        let text = format!(
            "#\n# This file is autogenerated by pip-compile with Python 3.11\n#\n\
             --index-url https://example.org/simple\n--extra-index-url=https://extra.org/simple\n\n\
             flask[async,dotenv]==3.0.3 ; python_version >= \"3.8\" \\\n    --hash=sha256:{A} \\\n    --hash=sha256:{B}\n    # via -r requirements.in\n\
             plain==1.0                # via flask\n\
             direct @ https://example.org/direct-1.0.tar.gz \\\n    --hash=sha256:{A}\n\n\
             # The following packages are considered to be unsafe in a requirements file:\n# setuptools\n"
        );
        let lock = parse(&text).unwrap();
        assert_eq!(
            lock.index_url.as_deref(),
            Some("https://example.org/simple")
        );
        assert_eq!(lock.extra_index_urls, ["https://extra.org/simple"]);
        assert!(!lock.no_index);
        assert!(
            parse("--no-index\n--find-links ./wheels\n")
                .unwrap()
                .no_index
        );
        let [flask, plain, direct] = &lock.pins[..] else {
            panic!("{lock:?}");
        };
        assert_eq!(flask.name.as_ref(), "flask");
        assert_eq!(flask.extras.len(), 2);
        assert_eq!(
            flask.version().map(ToString::to_string).as_deref(),
            Some("3.0.3")
        );
        // pep508_rs normalises `python_version >= "3.8"` to its full-version form.
        assert_eq!(
            flask.marker.as_ref().and_then(MarkerTree::try_to_string),
            Some("python_full_version >= '3.8'".to_string())
        );
        assert_eq!(
            flask
                .hashes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [A, B]
        );
        assert_eq!(flask.line, 7);
        assert_eq!(flask.to_string(), "flask[async,dotenv]==3.0.3");
        assert_eq!(
            direct.to_string(),
            "direct @ https://example.org/direct-1.0.tar.gz"
        );
        assert_eq!(plain.line, 11);
        assert!(plain.hashes.is_empty());
        assert!(
            matches!(&direct.source, LockedSource::Url(url) if url.path().ends_with(".tar.gz"))
        );
    }

    #[test]
    fn no_index_and_find_links_lines_are_kept() {
        let lock = parse("--no-index\n--find-links ./wheels\na==1\n").unwrap();
        assert!(lock.no_index);
        assert_eq!(lock.find_links, ["./wheels"]);
        assert_eq!(lock.index_url, None);
    }

    #[test]
    fn an_editable_git_line_is_a_pin_at_its_url() {
        let lock = parse(
            "a==1\n-e git+https://h.example/r@0123abc#egg=Pkg_Demo&subdirectory=sub\n--editable=git+file:///r@1#egg=other\n",
        )
        .unwrap();
        let pin = &lock.pins[1];
        assert_eq!(pin.name.to_string(), "pkg-demo");
        assert_eq!(pin.line, 2);
        assert_eq!(
            pin.source,
            LockedSource::Url(
                Url::parse("git+https://h.example/r@0123abc#subdirectory=sub").unwrap()
            )
        );
        assert_eq!(
            lock.pins[2].source,
            LockedSource::Url(Url::parse("git+file:///r@1").unwrap())
        );
    }

    #[test]
    fn errors_name_the_line_and_cause() {
        for (text, line, reason) in [
            ("a==1\nrequests>=2\n", 2, "not a pin"),
            ("a==1 \\\n    --hash=md5:00\n", 1, "only sha256"),
            ("a==1 --hash=sha256:nothex\n", 1, "not a sha256 digest"),
            ("-e ./pkg\n", 1, "editable"),
            (
                "-e git+https://h.example/r@0123abc\n",
                1,
                "needs `#egg=NAME`",
            ),
            ("-r other.txt\n", 1, "`-r` is not an option"),
            ("a==1 ; python_version >> \"3\"\n", 1, "bad marker"),
        ] {
            let error = parse(text).unwrap_err().to_string();
            assert!(
                error.starts_with(&format!("requirements.txt:{line}: ")) && error.contains(reason),
                "{text:?}: {error}"
            );
        }
    }

    /// Found by the property tests (issue 16): a deeply nested marker overflowed the stack.
    #[test]
    fn a_pin_marker_nested_too_deep_is_an_error() {
        let marker = format!(
            "{}python_version >= '3'{}",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        let error = parse_lock(&format!("a==1.0 ; {marker}\n"), Path::new("r.txt")).unwrap_err();
        assert!(
            error.to_string().contains("bad marker: parentheses nest"),
            "{error}"
        );
    }
}
