//! The platform part of wheel tags a [`Platform`] accepts, best first.
//!
//! The order follows `packaging.tags.platform_tags()` as pip runs it on a real machine of that
//! platform (re-derived here from the algorithm, not copied): newest OS/libc version first, each
//! legacy alias right after the version it names. This file knows nothing about interpreters or
//! ABIs (see `tags.rs`).

use super::platform::{Arch, Os, Platform};

/// The glibc versions behind the legacy manylinux names (PEP 513, 571, 599).
const LEGACY_MANYLINUX: [(u16, &str); 3] = [
    (17, "manylinux2014"),
    (12, "manylinux2010"),
    (5, "manylinux1"),
];

/// Platform tags for `platform`, most specific (best) first.
pub(super) fn platform_tags(platform: &Platform) -> Vec<String> {
    let arch = platform.arch();
    match *platform.os() {
        Os::Manylinux { minor, .. } => manylinux(minor, arch),
        Os::Musllinux { major, minor } => musllinux(major, minor, arch),
        Os::Macos { major, minor } => macos(major, minor, arch),
        Os::Windows => vec![windows(arch).to_string()],
    }
}

/// `manylinux_2_N_ARCH` from the target's glibc down to the oldest glibc manylinux supports on
/// that CPU (2.5 on x86, 2.17 elsewhere), then `linux_ARCH`. glibc 2.x is the only major with
/// manylinux tags, so there is no cross-major step.
fn manylinux(glibc_minor: u16, arch: Arch) -> Vec<String> {
    let arch = arch.linux_name();
    let oldest = if matches!(arch, "x86_64" | "i686") {
        5
    } else {
        17
    };
    let mut tags = Vec::new();
    for minor in (oldest..=glibc_minor).rev() {
        tags.push(format!("manylinux_2_{minor}_{arch}"));
        if let Some((_, legacy)) = LEGACY_MANYLINUX.iter().find(|(glibc, _)| *glibc == minor) {
            tags.push(format!("{legacy}_{arch}"));
        }
    }
    tags.push(format!("linux_{arch}"));
    tags
}

/// `musllinux_M_N_ARCH` down to `musllinux_M_0_ARCH`, then `linux_ARCH`.
fn musllinux(major: u16, minor: u16, arch: Arch) -> Vec<String> {
    let arch = arch.linux_name();
    let mut tags: Vec<String> = (0..=minor)
        .rev()
        .map(|minor| format!("musllinux_{major}_{minor}_{arch}"))
        .collect();
    tags.push(format!("linux_{arch}"));
    tags
}

/// macOS: before 11 each release bumped the minor (10.15, 10.14, …); from 11 on each release
/// bumps the major and only `X_0` tags are considered. From 11 on, binaries built for 10.x
/// still load: all formats on Intel, only `universal2` (whose Intel half may target 10.x) on
/// Apple silicon.
fn macos(major: u16, minor: u16, arch: Arch) -> Vec<String> {
    let mut tags = Vec::new();
    let mut push = |major: u16, minor: u16, formats: &[&str]| {
        for format in formats {
            tags.push(format!("macosx_{major}_{minor}_{format}"));
        }
    };
    if major == 10 {
        for minor in (0..=minor).rev() {
            push(10, minor, mac_formats((10, minor), arch));
        }
    } else {
        for major in (11..=major).rev() {
            push(major, 0, mac_formats((major, 0), arch));
        }
        for minor in (4..=16).rev() {
            match arch {
                Arch::X86_64 => push(10, minor, mac_formats((10, minor), arch)),
                _ => push(10, minor, &["universal2"]),
            }
        }
    }
    tags
}

/// The binary formats a macOS `version` on `arch` loads, best first. Intel macOS gave up the
/// pre-10.4 formats; `fat3` is CPython's name for the i386+ppc+x86_64 build (older `packaging`
/// releases spelled it `fat32`).
fn mac_formats(version: (u16, u16), arch: Arch) -> &'static [&'static str] {
    match arch {
        Arch::X86_64 if version < (10, 4) => &[],
        Arch::X86_64 => &[
            "x86_64",
            "intel",
            "fat64",
            "fat3",
            "universal2",
            "universal",
        ],
        _ => &["arm64", "universal2"],
    }
}

fn windows(arch: Arch) -> &'static str {
    match arch {
        Arch::Aarch64 => "win_arm64",
        Arch::X86 => "win32",
        // `Platform::new` only lets x86_64, aarch64 and x86 reach Windows.
        _ => "win_amd64",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(name: &str) -> Vec<String> {
        platform_tags(&name.parse().unwrap())
    }

    #[test]
    fn manylinux_2_28_x86_64() {
        let tags = tags("x86_64-manylinux_2_28");
        assert_eq!(tags.len(), 24 + 3 + 1);
        assert_eq!(
            tags[..2],
            ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64"]
        );
        let position = |tag: &str| tags.iter().position(|t| t == tag).unwrap();
        assert_eq!(
            position("manylinux2014_x86_64"),
            position("manylinux_2_17_x86_64") + 1
        );
        assert_eq!(
            position("manylinux2010_x86_64"),
            position("manylinux_2_12_x86_64") + 1
        );
        assert_eq!(
            tags[tags.len() - 4..],
            [
                "manylinux_2_6_x86_64",
                "manylinux_2_5_x86_64",
                "manylinux1_x86_64",
                "linux_x86_64"
            ]
        );
    }

    #[test]
    fn manylinux_aarch64_stops_at_2_17() {
        let tags = tags("aarch64-manylinux_2_17");
        assert_eq!(
            tags,
            [
                "manylinux_2_17_aarch64",
                "manylinux2014_aarch64",
                "linux_aarch64"
            ]
        );
    }

    #[test]
    fn musllinux() {
        assert_eq!(
            tags("aarch64-unknown-linux-musl"),
            [
                "musllinux_1_2_aarch64",
                "musllinux_1_1_aarch64",
                "musllinux_1_0_aarch64",
                "linux_aarch64"
            ]
        );
    }

    #[test]
    fn macos_arm64() {
        let tags = tags("aarch64-apple-darwin");
        assert_eq!(tags.len(), 3 * 2 + 13);
        assert_eq!(
            tags[..7],
            [
                "macosx_13_0_arm64",
                "macosx_13_0_universal2",
                "macosx_12_0_arm64",
                "macosx_12_0_universal2",
                "macosx_11_0_arm64",
                "macosx_11_0_universal2",
                "macosx_10_16_universal2",
            ]
        );
        assert_eq!(
            tags.last().map(String::as_str),
            Some("macosx_10_4_universal2")
        );
    }

    #[test]
    fn macos_x86_64() {
        let tags = tags("x86_64-apple-darwin");
        assert_eq!(tags.len(), (3 + 13) * 6);
        assert_eq!(
            tags[..7],
            [
                "macosx_13_0_x86_64",
                "macosx_13_0_intel",
                "macosx_13_0_fat64",
                "macosx_13_0_fat3",
                "macosx_13_0_universal2",
                "macosx_13_0_universal",
                "macosx_12_0_x86_64",
            ]
        );
        assert_eq!(tags[18], "macosx_10_16_x86_64");
        assert_eq!(
            tags.last().map(String::as_str),
            Some("macosx_10_4_universal")
        );
    }

    #[test]
    fn macos_10_x_counts_down_minors() {
        let platform = Platform::new(
            Os::Macos {
                major: 10,
                minor: 5,
            },
            Arch::X86_64,
        )
        .unwrap();
        let tags = platform_tags(&platform);
        // 10.5 and 10.4 have all six formats; 10.3 and older none.
        assert_eq!(tags.len(), 12);
        assert_eq!(tags[0], "macosx_10_5_x86_64");
    }

    #[test]
    fn windows() {
        assert_eq!(tags("windows"), ["win_amd64"]);
        assert_eq!(tags("aarch64-pc-windows-msvc"), ["win_arm64"]);
        assert_eq!(tags("i686-pc-windows-msvc"), ["win32"]);
    }
}
