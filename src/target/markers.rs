//! The PEP 508 marker environment of a target CPython on a target platform.
//!
//! Every value is what a stock CPython of that version reports on that platform, so markers
//! evaluate as they would under pip-compile run on the target machine. Values that depend on the
//! exact machine (`platform_release`, `platform_version`) are unknowable and left empty, as uv
//! does. This file must not read the host: no environment variables, no Python.

use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder};

use super::platform::{Arch, Os, Platform};
use super::python::PythonVersion;

/// The marker environment for CPython `python` on `platform`.
pub(super) fn marker_environment(python: &PythonVersion, platform: &Platform) -> MarkerEnvironment {
    let (os_name, sys_platform, platform_system) = match platform.os() {
        Os::Manylinux { .. } | Os::Musllinux { .. } => ("posix", "linux", "Linux"),
        Os::Macos { .. } => ("posix", "darwin", "Darwin"),
        Os::Windows => ("nt", "win32", "Windows"),
    };
    let python_full_version = python.python_full_version().to_string();
    let python_version = python.python_version().to_string();
    let builder = MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: &python_full_version,
        os_name,
        platform_machine: platform_machine(platform),
        platform_python_implementation: "CPython",
        platform_release: "",
        platform_system,
        platform_version: "",
        python_full_version: &python_full_version,
        python_version: &python_version,
        sys_platform,
    };
    MarkerEnvironment::try_from(builder)
        .expect("versions printed from a `PythonVersion` are plain `X.Y[.Z]` and always parse")
}

/// `platform.machine()` as CPython reports it: `uname -m` on Linux and macOS (`arm64` on Apple
/// silicon), the `PROCESSOR_ARCHITECTURE` spelling on Windows (`AMD64`, `ARM64`, `x86`).
///
/// uv reports `x86_64` for `x86_64-pc-windows-msvc`; pinwheel follows CPython instead, because
/// real projects write `platform_machine == "AMD64"` and pip-compile on Windows sees `AMD64`.
fn platform_machine(platform: &Platform) -> &'static str {
    match (platform.os(), platform.arch()) {
        (Os::Windows, Arch::X86_64) => "AMD64",
        (Os::Windows, Arch::Aarch64) => "ARM64",
        (Os::Windows, _) => "x86",
        (Os::Macos { .. }, Arch::Aarch64) => "arm64",
        (_, arch) => arch.linux_name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pep508_rs::MarkerTree;
    use std::str::FromStr;

    fn env(python: &str, platform: &str) -> MarkerEnvironment {
        marker_environment(&python.parse().unwrap(), &platform.parse().unwrap())
    }

    #[test]
    fn values_per_platform() {
        for (platform, os_name, sys_platform, system, machine) in [
            ("linux", "posix", "linux", "Linux", "x86_64"),
            (
                "aarch64-unknown-linux-musl",
                "posix",
                "linux",
                "Linux",
                "aarch64",
            ),
            ("macos", "posix", "darwin", "Darwin", "arm64"),
            ("x86_64-apple-darwin", "posix", "darwin", "Darwin", "x86_64"),
            ("windows", "nt", "win32", "Windows", "AMD64"),
            ("aarch64-pc-windows-msvc", "nt", "win32", "Windows", "ARM64"),
            ("i686-pc-windows-msvc", "nt", "win32", "Windows", "x86"),
        ] {
            let env = env("3.12", platform);
            assert_eq!(env.os_name(), os_name, "{platform}");
            assert_eq!(env.sys_platform(), sys_platform, "{platform}");
            assert_eq!(env.platform_system(), system, "{platform}");
            assert_eq!(env.platform_machine(), machine, "{platform}");
            assert_eq!(env.platform_release(), "");
            assert_eq!(env.platform_version(), "");
            assert_eq!(env.implementation_name(), "cpython");
            assert_eq!(env.platform_python_implementation(), "CPython");
        }
    }

    #[test]
    fn versions() {
        let short = env("3.12", "linux");
        assert_eq!(short.python_version().to_string(), "3.12");
        assert_eq!(short.python_full_version().to_string(), "3.12.0");
        assert_eq!(short.implementation_version().to_string(), "3.12.0");
        let full = env("3.11.7", "linux");
        assert_eq!(full.python_full_version().to_string(), "3.11.7");
    }

    #[test]
    fn evaluates_markers() {
        let cases = [
            ("sys_platform == \"win32\"", [false, false, true]),
            ("python_version < \"3.13\"", [true, false, true]),
            ("platform_machine == \"x86_64\"", [true, false, false]),
            ("platform_machine == \"AMD64\"", [false, false, true]),
            (
                "sys_platform == \"darwin\" and platform_machine == \"arm64\"",
                [false, true, false],
            ),
            ("python_full_version >= \"3.12.1\"", [false, true, false]),
            (
                "os_name == \"nt\" or platform_system == \"Linux\"",
                [true, false, true],
            ),
            ("implementation_name == \"cpython\"", [true, true, true]),
        ];
        let envs = [
            env("3.12", "linux"),
            env("3.13.1", "macos"),
            env("3.11", "windows"),
        ];
        for (marker, expected) in cases {
            let tree = MarkerTree::from_str(marker).unwrap();
            for (env, expected) in envs.iter().zip(expected) {
                assert_eq!(tree.evaluate(env, &[]), expected, "{marker} on {env:?}");
            }
        }
    }
}
