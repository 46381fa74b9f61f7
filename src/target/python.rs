//! The target Python version as the user typed it (`3.12` or `3.12.4`).
//!
//! This file owns parsing and the two PEP 440 views of the version (`python_version`,
//! `python_full_version`). It must not look at the host's Python: no environment variables, no
//! subprocesses.

use std::fmt;
use std::str::FromStr;

use pep440_rs::Version;

/// A Python version that is not `X.Y` or `X.Y.Z`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PythonVersionError {
    /// Not two or three dot-separated numbers.
    #[error(
        "python version `{0}` is not of the form `X.Y` or `X.Y.Z` (for example `3.12` or `3.12.4`)"
    )]
    Malformed(String),
    /// Well-formed, but not a Python 3 release.
    #[error("python version `{0}` is not supported: pinwheel locks for Python 3 only")]
    UnsupportedMajor(String),
}

/// The Python version being locked for: `X.Y` or `X.Y.Z`.
///
/// Displays as typed: `3.12` stays `3.12`, `3.12.4` stays `3.12.4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PythonVersion {
    major: u8,
    minor: u8,
    patch: Option<u8>,
}

impl PythonVersion {
    /// A Python 3 version from its parts.
    ///
    /// # Errors
    /// When `major` is not 3.
    pub fn new(major: u8, minor: u8, patch: Option<u8>) -> Result<Self, PythonVersionError> {
        let version = Self {
            major,
            minor,
            patch,
        };
        if major == 3 {
            Ok(version)
        } else {
            Err(PythonVersionError::UnsupportedMajor(version.to_string()))
        }
    }

    /// The major version (always 3).
    #[must_use]
    pub fn major(&self) -> u8 {
        self.major
    }

    /// The minor version (`12` in `3.12`).
    #[must_use]
    pub fn minor(&self) -> u8 {
        self.minor
    }

    /// The patch version, when the user gave one.
    #[must_use]
    pub fn patch(&self) -> Option<u8> {
        self.patch
    }

    /// The `python_version` marker value: `X.Y`.
    #[must_use]
    pub fn python_version(&self) -> Version {
        Version::new([u64::from(self.major), u64::from(self.minor)])
    }

    /// The `python_full_version` marker value: `X.Y.Z`, or `X.Y.0` without a patch.
    ///
    /// Like uv's `--python-version 3.12`, a bare `X.Y` means the oldest release of that line,
    /// so a lock made for it also holds on every later patch release.
    #[must_use]
    pub fn python_full_version(&self) -> Version {
        Version::new([
            u64::from(self.major),
            u64::from(self.minor),
            u64::from(self.patch.unwrap_or(0)),
        ])
    }
}

impl FromStr for PythonVersion {
    type Err = PythonVersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let malformed = || PythonVersionError::Malformed(text.to_string());
        let parts = text
            .split('.')
            .map(|part| parse_component(part).ok_or_else(malformed))
            .collect::<Result<Vec<u8>, _>>()?;
        match parts.as_slice() {
            [major, minor] => Self::new(*major, *minor, None),
            [major, minor, patch] => Self::new(*major, *minor, Some(*patch)),
            _ => Err(malformed()),
        }
    }
}

/// One numeric component: ASCII digits only, no sign, no leading zero (so that `Display` gives
/// back exactly what was typed).
fn parse_component(part: &str) -> Option<u8> {
    let canonical = !part.is_empty()
        && part.bytes().all(|byte| byte.is_ascii_digit())
        && (part == "0" || !part.starts_with('0'));
    if canonical { part.parse().ok() } else { None }
}

impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if let Some(patch) = self.patch {
            write!(f, ".{patch}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays_as_typed() {
        for (text, minor, patch) in [
            ("3.12", 12, None),
            ("3.12.4", 12, Some(4)),
            ("3.8", 8, None),
            ("3.13.0", 13, Some(0)),
            ("3.0", 0, None),
        ] {
            let version: PythonVersion = text.parse().unwrap();
            assert_eq!(version.major(), 3, "{text}");
            assert_eq!(version.minor(), minor, "{text}");
            assert_eq!(version.patch(), patch, "{text}");
            assert_eq!(version.to_string(), text);
        }
    }

    #[test]
    fn rejects_junk() {
        for text in [
            "",
            "3",
            "3.",
            ".12",
            "3.x",
            "3.12.",
            "3.12.4.1",
            "python3.12",
            "3.12rc1",
            " 3.12",
            "3.-1",
            "+3.12",
            "3.012",
            "3.300",
        ] {
            assert_eq!(
                text.parse::<PythonVersion>(),
                Err(PythonVersionError::Malformed(text.to_string())),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_python_2_and_4() {
        for text in ["2.7", "4.0"] {
            assert!(matches!(
                text.parse::<PythonVersion>(),
                Err(PythonVersionError::UnsupportedMajor(_))
            ));
        }
    }

    #[test]
    fn marker_versions() {
        let short: PythonVersion = "3.12".parse().unwrap();
        assert_eq!(short.python_version().to_string(), "3.12");
        assert_eq!(short.python_full_version().to_string(), "3.12.0");
        let full: PythonVersion = "3.11.9".parse().unwrap();
        assert_eq!(full.python_version().to_string(), "3.11");
        assert_eq!(full.python_full_version().to_string(), "3.11.9");
    }

    #[test]
    fn error_names_the_version() {
        let error = "3.x".parse::<PythonVersion>().unwrap_err();
        assert!(error.to_string().contains("`3.x`"), "{error}");
    }
}
