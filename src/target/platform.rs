//! The operating system and CPU a lock is made for, and the `--python-platform` names that
//! select them.
//!
//! This file owns the names (uv's `--python-platform` spellings) and the defaults they stand
//! for. It must not look at the host beyond `cfg!` in [`Platform::host`]: no environment
//! variables (uv reads `MACOSX_DEPLOYMENT_TARGET`; pinwheel does not), no `uname`, no Python.

use std::fmt;
use std::str::FromStr;

/// The glibc version that `linux`, `x86_64-unknown-linux-gnu` and `aarch64-unknown-linux-gnu`
/// stand for: `manylinux_2_28`.
///
/// Source: uv's `TargetTriple` (`crates/uv-configuration/src/target_triple.rs`), where these
/// names are "equivalent to `x86_64-manylinux_2_28`" since uv 0.8.0 (astral-sh/uv#14300, which
/// followed cibuildwheel's move to 2_28 because `manylinux2014` is end of life). uv before 0.8.0
/// used 2_17; ask for `x86_64-manylinux_2_17` to get that.
pub const DEFAULT_GLIBC: (u16, u16) = (2, 28);

/// The musl version that `*-unknown-linux-musl` stands for: `musllinux_1_2` (same source).
pub const DEFAULT_MUSL: (u16, u16) = (1, 2);

/// The macOS version that `macos` and `*-apple-darwin` stand for: 13.0.
///
/// Source: uv's `TargetTriple` docs, "the least-recent, non-EOL macOS version (13.0)". uv lets
/// `MACOSX_DEPLOYMENT_TARGET` override it; pinwheel reads no environment, so build a
/// [`Platform`] with [`Os::Macos`] to target another version.
pub const DEFAULT_MACOS: (u16, u16) = (13, 0);

/// The oldest and newest glibc minor with a `ARCH-manylinux_2_N` name.
const MANYLINUX_NAMED: std::ops::RangeInclusive<u16> = 17..=40;

/// A platform name or combination pinwheel cannot lock for.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlatformError {
    /// Not one of the `--python-platform` names.
    #[error("unknown python platform `{name}`; expected one of: {accepted}")]
    UnknownName {
        /// What the user typed.
        name: String,
        /// The accepted names, comma separated (manylinux ranges abbreviated).
        accepted: String,
    },
    /// An operating system and CPU (or OS version) that do not go together.
    #[error("unsupported python platform: {os} on {arch}")]
    Unsupported {
        /// The operating system and its version.
        os: String,
        /// The CPU.
        arch: Arch,
    },
}

/// The operating system, with the C library or OS version that decides wheel compatibility.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Os {
    /// Linux with glibc `major.minor` (PEP 600 `manylinux_major_minor`).
    Manylinux {
        /// glibc major version (2).
        major: u16,
        /// glibc minor version.
        minor: u16,
    },
    /// Linux with musl `major.minor` (PEP 656 `musllinux_major_minor`).
    Musllinux {
        /// musl major version (1).
        major: u16,
        /// musl minor version.
        minor: u16,
    },
    /// macOS `major.minor`.
    Macos {
        /// macOS major version (10, 11, 12, …).
        major: u16,
        /// macOS minor version.
        minor: u16,
    },
    /// Windows (wheel tags carry no version).
    Windows,
}

impl fmt::Display for Os {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Manylinux { major, minor } => write!(f, "manylinux_{major}_{minor}"),
            Self::Musllinux { major, minor } => write!(f, "musllinux_{major}_{minor}"),
            Self::Macos { major, minor } => write!(f, "macOS {major}.{minor}"),
            Self::Windows => f.write_str("Windows"),
        }
    }
}

/// The CPU architecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    /// 64-bit x86 (`x86_64`, `AMD64`).
    X86_64,
    /// 64-bit ARM (`aarch64`, `arm64`).
    Aarch64,
    /// 32-bit x86 (`i686`, `win32`).
    X86,
    /// 32-bit ARM, hard float (`armv7l`). Linux only.
    Armv7l,
    /// 64-bit little-endian POWER. Linux only.
    Ppc64le,
    /// IBM Z. Linux only.
    S390x,
}

impl Arch {
    /// The name Linux uses (`uname -m`, and the suffix of `manylinux_*`/`linux_*` wheel tags).
    #[must_use]
    pub fn linux_name(self) -> &'static str {
        match self {
            Self::X86_64 => "x86_64",
            Self::Aarch64 => "aarch64",
            Self::X86 => "i686",
            Self::Armv7l => "armv7l",
            Self::Ppc64le => "ppc64le",
            Self::S390x => "s390x",
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.linux_name())
    }
}

/// An operating system on a CPU, checked to be a combination wheels exist for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Platform {
    os: Os,
    arch: Arch,
}

impl Platform {
    /// A platform from its parts.
    ///
    /// # Errors
    /// When the pair cannot exist: macOS on anything but `x86_64`/`aarch64`, Windows on anything
    /// but `x86_64`/`aarch64`/`x86`, macOS before 10.0, or a glibc major other than 2 or a musl
    /// major other than 1 (the only ones with wheel tags).
    pub fn new(os: Os, arch: Arch) -> Result<Self, PlatformError> {
        let supported = match os {
            Os::Manylinux { major, .. } => major == 2,
            Os::Musllinux { major, .. } => major == 1,
            Os::Macos { major, .. } => major >= 10 && matches!(arch, Arch::X86_64 | Arch::Aarch64),
            Os::Windows => matches!(arch, Arch::X86_64 | Arch::Aarch64 | Arch::X86),
        };
        if supported {
            Ok(Self { os, arch })
        } else {
            Err(PlatformError::Unsupported {
                os: os.to_string(),
                arch,
            })
        }
    }

    /// The operating system.
    #[must_use]
    pub fn os(&self) -> &Os {
        &self.os
    }

    /// The CPU architecture.
    #[must_use]
    pub fn arch(&self) -> Arch {
        self.arch
    }

    /// The platform pinwheel itself was compiled for, with the same defaults as the names
    /// (`linux` → glibc 2.28, musl builds → musl 1.2, macOS → 13.0). Decided by `cfg!` only,
    /// so it never reads the running system; an unknown OS or CPU falls back to `x86_64` Linux.
    #[must_use]
    pub fn host() -> Self {
        let arch = if cfg!(target_arch = "aarch64") {
            Arch::Aarch64
        } else if cfg!(target_arch = "x86") {
            Arch::X86
        } else if cfg!(target_arch = "arm") {
            Arch::Armv7l
        } else if cfg!(all(target_arch = "powerpc64", target_endian = "little")) {
            Arch::Ppc64le
        } else if cfg!(target_arch = "s390x") {
            Arch::S390x
        } else {
            Arch::X86_64
        };
        let os = if cfg!(target_os = "macos") {
            macos(DEFAULT_MACOS)
        } else if cfg!(target_os = "windows") {
            Os::Windows
        } else if cfg!(target_env = "musl") {
            musllinux(DEFAULT_MUSL)
        } else {
            manylinux(DEFAULT_GLIBC)
        };
        // x86_64 goes with every OS, so the fallback always exists.
        Self::new(os, arch).unwrap_or(Self {
            os,
            arch: Arch::X86_64,
        })
    }

    /// Every `--python-platform` name [`Platform::from_str`] accepts, in the order of the table.
    #[must_use]
    pub fn accepted_names() -> Vec<String> {
        named_platforms()
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }
}

fn manylinux((major, minor): (u16, u16)) -> Os {
    Os::Manylinux { major, minor }
}

fn musllinux((major, minor): (u16, u16)) -> Os {
    Os::Musllinux { major, minor }
}

fn macos((major, minor): (u16, u16)) -> Os {
    Os::Macos { major, minor }
}

/// The name table: uv's `--python-platform` values, plus every `ARCH-manylinux_2_N` for N in
/// 17..=40 (uv only has 17, 28 and 31..=40; the others are harmless and fill the gap).
fn named_platforms() -> Vec<(String, Platform)> {
    let at = |os, arch| Platform { os, arch };
    let mut table = vec![
        (
            "linux".to_string(),
            at(manylinux(DEFAULT_GLIBC), Arch::X86_64),
        ),
        ("macos".to_string(), at(macos(DEFAULT_MACOS), Arch::Aarch64)),
        ("windows".to_string(), at(Os::Windows, Arch::X86_64)),
    ];
    for arch in [Arch::X86_64, Arch::Aarch64] {
        let name = arch.linux_name();
        table.extend([
            (
                format!("{name}-unknown-linux-gnu"),
                at(manylinux(DEFAULT_GLIBC), arch),
            ),
            (
                format!("{name}-unknown-linux-musl"),
                at(musllinux(DEFAULT_MUSL), arch),
            ),
            (
                format!("{name}-apple-darwin"),
                at(macos(DEFAULT_MACOS), arch),
            ),
            (format!("{name}-pc-windows-msvc"), at(Os::Windows, arch)),
            (
                format!("{name}-manylinux2014"),
                at(manylinux((2, 17)), arch),
            ),
        ]);
        table.extend(MANYLINUX_NAMED.map(|minor| {
            (
                format!("{name}-manylinux_2_{minor}"),
                at(manylinux((2, minor)), arch),
            )
        }));
    }
    table.push((
        "i686-pc-windows-msvc".to_string(),
        at(Os::Windows, Arch::X86),
    ));
    table
}

/// The accepted names for an error message, with each manylinux_2_N run written as a range.
fn accepted_summary() -> String {
    let (first, last) = (MANYLINUX_NAMED.start(), MANYLINUX_NAMED.end());
    let mut names: Vec<String> = Platform::accepted_names()
        .into_iter()
        .filter(|name| !name.contains("-manylinux_2_"))
        .collect();
    for arch in [Arch::X86_64, Arch::Aarch64] {
        let arch = arch.linux_name();
        names.push(format!(
            "{arch}-manylinux_2_{first} … {arch}-manylinux_2_{last}"
        ));
    }
    names.join(", ")
}

impl FromStr for Platform {
    type Err = PlatformError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        named_platforms()
            .into_iter()
            .find_map(|(known, platform)| (known == name).then_some(platform))
            .ok_or_else(|| PlatformError::UnknownName {
                name: name.to_string(),
                accepted: accepted_summary(),
            })
    }
}

impl fmt::Display for Platform {
    /// uv's name when the platform has one (`x86_64-manylinux_2_28`, `aarch64-apple-darwin`),
    /// otherwise a descriptive `ARCH-TAG` (`aarch64-macosx_14_0`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let arch = self.arch.linux_name();
        match self.os {
            Os::Manylinux { major, minor } => write!(f, "{arch}-manylinux_{major}_{minor}"),
            Os::Musllinux { major, minor } if (major, minor) == DEFAULT_MUSL => {
                write!(f, "{arch}-unknown-linux-musl")
            }
            Os::Musllinux { major, minor } => write!(f, "{arch}-musllinux_{major}_{minor}"),
            Os::Macos { major, minor } if (major, minor) == DEFAULT_MACOS => {
                write!(f, "{arch}-apple-darwin")
            }
            Os::Macos { major, minor } => write!(f, "{arch}-macosx_{major}_{minor}"),
            Os::Windows => write!(f, "{arch}-pc-windows-msvc"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str) -> Platform {
        name.parse().unwrap()
    }

    #[test]
    fn aliases_and_triples() {
        let x86 = Arch::X86_64;
        let arm = Arch::Aarch64;
        for (name, os, arch) in [
            ("linux", manylinux((2, 28)), x86),
            ("macos", macos((13, 0)), arm),
            ("windows", Os::Windows, x86),
            ("x86_64-unknown-linux-gnu", manylinux((2, 28)), x86),
            ("aarch64-unknown-linux-gnu", manylinux((2, 28)), arm),
            ("x86_64-unknown-linux-musl", musllinux((1, 2)), x86),
            ("aarch64-unknown-linux-musl", musllinux((1, 2)), arm),
            ("aarch64-apple-darwin", macos((13, 0)), arm),
            ("x86_64-apple-darwin", macos((13, 0)), x86),
            ("x86_64-pc-windows-msvc", Os::Windows, x86),
            ("aarch64-pc-windows-msvc", Os::Windows, arm),
            ("i686-pc-windows-msvc", Os::Windows, Arch::X86),
            ("x86_64-manylinux2014", manylinux((2, 17)), x86),
            ("aarch64-manylinux2014", manylinux((2, 17)), arm),
        ] {
            assert_eq!(parse(name), Platform { os, arch }, "{name}");
        }
    }

    #[test]
    fn every_manylinux_minor() {
        for minor in 17..=40 {
            for arch in [Arch::X86_64, Arch::Aarch64] {
                let name = format!("{arch}-manylinux_2_{minor}");
                assert_eq!(
                    parse(&name),
                    Platform {
                        os: manylinux((2, minor)),
                        arch
                    }
                );
                // Display gives back the same name.
                assert_eq!(parse(&name).to_string(), name);
            }
        }
        assert_eq!(Platform::accepted_names().len(), 3 + 2 * (5 + 24) + 1);
    }

    #[test]
    fn unknown_names_list_the_accepted_ones() {
        for name in [
            "",
            "Linux",
            "x86_64-manylinux_2_16",
            "x86_64-manylinux_2_41",
            "riscv64-unknown-linux-gnu",
        ] {
            let error = name.parse::<Platform>().unwrap_err();
            let message = error.to_string();
            assert!(message.contains(&format!("`{name}`")), "{message}");
            for expected in [
                "linux",
                "x86_64-unknown-linux-musl",
                "i686-pc-windows-msvc",
                "aarch64-manylinux_2_17 … aarch64-manylinux_2_40",
            ] {
                assert!(message.contains(expected), "{message}");
            }
        }
    }

    #[test]
    fn rejects_impossible_combinations() {
        assert!(Platform::new(Os::Windows, Arch::S390x).is_err());
        assert!(Platform::new(macos((13, 0)), Arch::X86).is_err());
        assert!(Platform::new(macos((9, 0)), Arch::X86_64).is_err());
        assert!(Platform::new(manylinux((3, 0)), Arch::X86_64).is_err());
        let error = Platform::new(Os::Windows, Arch::Armv7l).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unsupported python platform: Windows on armv7l"
        );
        assert!(Platform::new(musllinux((1, 1)), Arch::Armv7l).is_ok());
    }

    #[test]
    fn display() {
        assert_eq!(parse("linux").to_string(), "x86_64-manylinux_2_28");
        assert_eq!(parse("macos").to_string(), "aarch64-apple-darwin");
        assert_eq!(
            parse("i686-pc-windows-msvc").to_string(),
            "i686-pc-windows-msvc"
        );
        let sonoma = Platform::new(macos((14, 0)), Arch::Aarch64).unwrap();
        assert_eq!(sonoma.to_string(), "aarch64-macosx_14_0");
    }

    #[test]
    fn host_matches_the_build() {
        let host = Platform::host();
        if cfg!(all(
            target_os = "linux",
            target_arch = "x86_64",
            target_env = "gnu"
        )) {
            assert_eq!(host, parse("x86_64-unknown-linux-gnu"));
        }
        if cfg!(all(target_os = "macos", target_arch = "aarch64")) {
            assert_eq!(host, parse("aarch64-apple-darwin"));
        }
        if cfg!(all(target_os = "windows", target_arch = "x86_64")) {
            assert_eq!(host, parse("windows"));
        }
    }
}
