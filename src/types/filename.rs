//! Distribution file names: wheels (PEP 427 / binary distribution format) and sdists (PEP 625,
//! plus the legacy `.zip` and `.tar.gz` spellings older projects still have on PyPI).

use std::fmt;
use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::PackageName;

/// A file name that is not a wheel or sdist name pinwheel understands.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FilenameError {
    /// Not `.whl`, `.tar.gz` or `.zip`.
    #[error("`{0}` is not a wheel or source distribution file name")]
    UnknownExtension(String),
    /// A wheel name without the five or six dash-separated parts.
    #[error(
        "`{0}` is not a valid wheel file name (expected `name-version[-build]-python-abi-platform.whl`)"
    )]
    MalformedWheel(String),
    /// An sdist name that does not start with the project's name.
    #[error("`{filename}` is not a source distribution of `{expected}`")]
    SdistNameMismatch {
        /// The file name.
        filename: String,
        /// The project it was listed under.
        expected: String,
    },
    /// The version part is not PEP 440.
    #[error("`{filename}` has an invalid version `{version}`")]
    InvalidVersion {
        /// The file name.
        filename: String,
        /// The version text.
        version: String,
    },
    /// The name part is not a valid project name.
    #[error("`{0}` has an invalid project name")]
    InvalidName(String),
}

/// One compressed tag triple (`py3-none-any`, `cp312-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64`),
/// each part a `.`-separated set.
///
/// Kept as the file name has it, in one allocation, and split when asked: a resolve decodes
/// the names of thousands of wheels, and three vectors of strings per name were most of the
/// cost of parsing one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WheelTag {
    /// `python-abi-platform`, each part non-empty.
    text: Box<str>,
    /// Where the ABI part starts (after the first dash).
    abi_at: usize,
    /// Where the platform part starts (after the second dash).
    platform_at: usize,
}

impl WheelTag {
    /// The tag triple from its three parts, `None` when one is empty.
    fn new(python: &str, abi: &str, platform: &str) -> Option<Self> {
        if python.is_empty() || abi.is_empty() || platform.is_empty() {
            return None;
        }
        Some(Self {
            text: format!("{python}-{abi}-{platform}").into_boxed_str(),
            abi_at: python.len() + 1,
            platform_at: python.len() + abi.len() + 2,
        })
    }

    /// Python tags, e.g. `cp312`, `py3`.
    pub fn python(&self) -> impl Iterator<Item = &str> + Clone {
        self.text[..self.abi_at - 1].split('.')
    }

    /// ABI tags, e.g. `cp312`, `abi3`, `none`.
    pub fn abi(&self) -> impl Iterator<Item = &str> + Clone {
        self.text[self.abi_at..self.platform_at - 1].split('.')
    }

    /// Platform tags, e.g. `manylinux_2_17_x86_64`, `any`.
    pub fn platform(&self) -> impl Iterator<Item = &str> + Clone {
        self.text[self.platform_at..].split('.')
    }

    /// Whether one of the platform tags is `any` (a pure-Python wheel's).
    #[must_use]
    pub fn is_any_platform(&self) -> bool {
        self.platform().any(|platform| platform == "any")
    }

    /// Every expanded `(python, abi, platform)` triple this compressed tag set stands for.
    pub fn expand(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.python().flat_map(move |python| {
            self.abi()
                .flat_map(move |abi| self.platform().map(move |platform| (python, abi, platform)))
        })
    }
}

impl fmt::Display for WheelTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A parsed wheel file name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WheelFilename {
    /// The project name, normalised.
    pub name: PackageName,
    /// The version.
    pub version: Version,
    /// The optional build tag (kept verbatim; pinwheel does not rank builds beyond it).
    pub build: Option<String>,
    /// The compatibility tags.
    pub tag: WheelTag,
}

impl FromStr for WheelFilename {
    type Err = FilenameError;

    fn from_str(filename: &str) -> Result<Self, Self::Err> {
        let stem = filename
            .strip_suffix(".whl")
            .ok_or_else(|| FilenameError::UnknownExtension(filename.to_string()))?;
        let malformed = || FilenameError::MalformedWheel(filename.to_string());
        // Five or six dash-separated parts, without collecting them.
        let mut parts = [""; 6];
        let mut count = 0;
        for part in stem.split('-') {
            *parts.get_mut(count).ok_or_else(malformed)? = part;
            count += 1;
        }
        let (name, version, build, [python, abi, platform]) = match count {
            5 => (parts[0], parts[1], None, [parts[2], parts[3], parts[4]]),
            6 => (
                parts[0],
                parts[1],
                Some(parts[2].to_string()),
                [parts[3], parts[4], parts[5]],
            ),
            _ => return Err(malformed()),
        };
        let tag = WheelTag::new(python, abi, platform).ok_or_else(malformed)?;
        Ok(Self {
            name: PackageName::from_str(name)
                .map_err(|_| FilenameError::InvalidName(filename.to_string()))?,
            version: parse_version(filename, version)?,
            build,
            tag,
        })
    }
}

/// The archive format of an sdist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SdistFormat {
    /// `.tar.gz` (the only one PEP 625 allows).
    TarGz,
    /// `.zip` (legacy).
    Zip,
}

/// A parsed sdist file name. Legacy sdist names cannot be split into name and version without
/// knowing the name, so parsing takes the project's name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SdistFilename {
    /// The project name, normalised.
    pub name: PackageName,
    /// The version.
    pub version: Version,
    /// The archive format.
    pub format: SdistFormat,
}

impl SdistFilename {
    /// Parses `filename` as an sdist of `project`.
    ///
    /// # Errors
    /// When the extension is not an sdist's, the stem does not start with the project's name
    /// (compared after normalisation), or the version is not PEP 440.
    pub fn parse(filename: &str, project: &PackageName) -> Result<Self, FilenameError> {
        let (stem, format) = if let Some(stem) = filename.strip_suffix(".tar.gz") {
            (stem, SdistFormat::TarGz)
        } else if let Some(stem) = filename.strip_suffix(".zip") {
            (stem, SdistFormat::Zip)
        } else {
            return Err(FilenameError::UnknownExtension(filename.to_string()));
        };
        // The name may itself contain dashes (`typing-extensions-4.0.tar.gz`), so try every
        // dash from the left until the prefix normalises to the project's name.
        for (index, _) in stem.match_indices('-') {
            let (name, version) = (&stem[..index], &stem[index + 1..]);
            if PackageName::from_str(name).is_ok_and(|name| &name == project) {
                return Ok(Self {
                    name: project.clone(),
                    version: parse_version(filename, version)?,
                    format,
                });
            }
        }
        Err(FilenameError::SdistNameMismatch {
            filename: filename.to_string(),
            expected: project.to_string(),
        })
    }
}

/// A wheel or an sdist.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DistFilename {
    /// A built distribution.
    Wheel(WheelFilename),
    /// A source distribution.
    Sdist(SdistFilename),
}

impl DistFilename {
    /// Parses a file listed on `project`'s index page.
    ///
    /// # Errors
    /// When the name is neither a wheel nor an sdist of `project`.
    pub fn parse(filename: &str, project: &PackageName) -> Result<Self, FilenameError> {
        if filename.ends_with(".whl") {
            let wheel = WheelFilename::from_str(filename)?;
            if &wheel.name != project {
                return Err(FilenameError::SdistNameMismatch {
                    filename: filename.to_string(),
                    expected: project.to_string(),
                });
            }
            Ok(Self::Wheel(wheel))
        } else {
            SdistFilename::parse(filename, project).map(Self::Sdist)
        }
    }

    /// Parses a file name whose project is not known beforehand (an unnamed requirement such as
    /// `./dist/foo-1.0.tar.gz`).
    ///
    /// A wheel name says where its name ends. A legacy sdist name (`foo-bar-1.0.tar.gz`) does not,
    /// so the name is taken to end at the first dash after which the rest is a PEP 440 version.
    ///
    /// # Errors
    /// When the name is neither a wheel's nor an sdist's.
    pub fn parse_unnamed(filename: &str) -> Result<Self, FilenameError> {
        if filename.ends_with(".whl") {
            return WheelFilename::from_str(filename).map(Self::Wheel);
        }
        let stem = filename
            .strip_suffix(".tar.gz")
            .or_else(|| filename.strip_suffix(".zip"))
            .ok_or_else(|| FilenameError::UnknownExtension(filename.to_string()))?;
        let name = stem
            .match_indices('-')
            .map(|(index, _)| (&stem[..index], &stem[index + 1..]))
            .find(|(_, version)| Version::from_str(version).is_ok())
            .and_then(|(name, _)| PackageName::from_str(name).ok())
            .ok_or_else(|| FilenameError::InvalidName(filename.to_string()))?;
        SdistFilename::parse(filename, &name).map(Self::Sdist)
    }

    /// The project this file distributes.
    #[must_use]
    pub fn name(&self) -> &PackageName {
        match self {
            Self::Wheel(wheel) => &wheel.name,
            Self::Sdist(sdist) => &sdist.name,
        }
    }

    /// The version this file distributes.
    #[must_use]
    pub fn version(&self) -> &Version {
        match self {
            Self::Wheel(wheel) => &wheel.version,
            Self::Sdist(sdist) => &sdist.version,
        }
    }

    /// Whether this is a wheel.
    #[must_use]
    pub fn is_wheel(&self) -> bool {
        matches!(self, Self::Wheel(_))
    }
}

/// The file name a URL points at: its last path segment, percent-decoded (`foo%2Bbar-1.0.tar.gz`
/// is `foo+bar-1.0.tar.gz`). Empty when the path ends with `/`.
#[must_use]
pub fn filename_from_url(url: &url::Url) -> String {
    let segment = url
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .unwrap_or_default();
    // `form_urlencoded` would also turn `+` into a space, which a path never means.
    url::form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map_or_else(|| segment.to_string(), |(_, value)| value.into_owned())
}

fn parse_version(filename: &str, version: &str) -> Result<Version, FilenameError> {
    Version::from_str(version).map_err(|_| FilenameError::InvalidVersion {
        filename: filename.to_string(),
        version: version.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> PackageName {
        PackageName::from_str(text).unwrap()
    }

    #[test]
    fn parses_wheel_with_compressed_tags() {
        let wheel: WheelFilename =
            "numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
                .parse()
                .unwrap();
        assert_eq!(wheel.name, name("numpy"));
        assert_eq!(wheel.version.to_string(), "2.1.0");
        assert_eq!(wheel.tag.platform().count(), 2);
        assert_eq!(wheel.tag.expand().count(), 2);
    }

    #[test]
    fn parses_wheel_with_build_tag() {
        let wheel: WheelFilename = "foo-1.0-1local-py3-none-any.whl".parse().unwrap();
        assert_eq!(wheel.build.as_deref(), Some("1local"));
    }

    #[test]
    fn rejects_malformed_wheel() {
        assert!("foo-1.0-py3.whl".parse::<WheelFilename>().is_err());
        assert!(
            "foo-notaversion!-py3-none-any.whl"
                .parse::<WheelFilename>()
                .is_err()
        );
    }

    #[test]
    fn parses_legacy_sdist_with_dashes_in_name() {
        let sdist =
            SdistFilename::parse("typing-extensions-4.0.0.tar.gz", &name("typing_extensions"))
                .unwrap();
        assert_eq!(sdist.version.to_string(), "4.0.0");
        let zip = SdistFilename::parse("Foo.Bar-2.0.zip", &name("foo-bar")).unwrap();
        assert_eq!(zip.format, SdistFormat::Zip);
    }

    #[test]
    fn parses_names_without_knowing_the_project() {
        let cases = [
            ("foo_bar-1.0-py3-none-any.whl", "foo-bar", "1.0"),
            (
                "typing-extensions-4.0.0.tar.gz",
                "typing-extensions",
                "4.0.0",
            ),
            ("foo-1.0-1.tar.gz", "foo", "1.0.post1"),
            ("Foo.Bar-2.0.zip", "foo-bar", "2.0"),
        ];
        for (filename, project, version) in cases {
            let parsed = DistFilename::parse_unnamed(filename).unwrap();
            assert_eq!(parsed.name(), &name(project), "{filename}");
            assert_eq!(parsed.version().to_string(), version, "{filename}");
        }
        for bad in ["foo.tar.gz", "foo-bar.tar.gz", "foo-1.0.exe", "foo-1.0.whl"] {
            assert!(DistFilename::parse_unnamed(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_names_come_from_the_last_path_segment() {
        let url = url::Url::parse("https://h.example/a/foo%2Bbar-1.0.tar.gz#sha256=00").unwrap();
        assert_eq!(filename_from_url(&url), "foo+bar-1.0.tar.gz");
        let dir = url::Url::parse("https://h.example/a/").unwrap();
        assert_eq!(filename_from_url(&dir), "");
    }

    #[test]
    fn rejects_sdist_of_other_project() {
        assert!(SdistFilename::parse("other-1.0.tar.gz", &name("foo")).is_err());
        assert!(DistFilename::parse("foo-1.0.exe", &name("foo")).is_err());
    }
}
