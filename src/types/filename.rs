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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WheelTag {
    /// Python tags, e.g. `cp312`, `py3`.
    pub python: Vec<String>,
    /// ABI tags, e.g. `cp312`, `abi3`, `none`.
    pub abi: Vec<String>,
    /// Platform tags, e.g. `manylinux_2_17_x86_64`, `any`.
    pub platform: Vec<String>,
}

impl WheelTag {
    /// Every expanded `(python, abi, platform)` triple this compressed tag set stands for.
    pub fn expand(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.python.iter().flat_map(move |python| {
            self.abi.iter().flat_map(move |abi| {
                self.platform
                    .iter()
                    .map(move |platform| (python.as_str(), abi.as_str(), platform.as_str()))
            })
        })
    }
}

impl fmt::Display for WheelTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{}",
            self.python.join("."),
            self.abi.join("."),
            self.platform.join(".")
        )
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
        let parts: Vec<&str> = stem.split('-').collect();
        let (name, version, build, tags) = match parts.as_slice() {
            [name, version, python, abi, platform] => {
                (*name, *version, None, [*python, *abi, *platform])
            }
            [name, version, build, python, abi, platform] => (
                *name,
                *version,
                Some((*build).to_string()),
                [*python, *abi, *platform],
            ),
            _ => return Err(FilenameError::MalformedWheel(filename.to_string())),
        };
        if tags.iter().any(|part| part.is_empty()) {
            return Err(FilenameError::MalformedWheel(filename.to_string()));
        }
        let split = |part: &str| part.split('.').map(str::to_string).collect::<Vec<_>>();
        Ok(Self {
            name: PackageName::from_str(name)
                .map_err(|_| FilenameError::InvalidName(filename.to_string()))?,
            version: parse_version(filename, version)?,
            build,
            tag: WheelTag {
                python: split(tags[0]),
                abi: split(tags[1]),
                platform: split(tags[2]),
            },
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

    /// The project this file distributes (normalised).
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
        assert_eq!(wheel.tag.platform.len(), 2);
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
    fn rejects_sdist_of_other_project() {
        assert!(SdistFilename::parse("other-1.0.tar.gz", &name("foo")).is_err());
        assert!(DistFilename::parse("foo-1.0.exe", &name("foo")).is_err());
    }
}
