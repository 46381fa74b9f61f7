//! The Python and platform being locked *for*: pinwheel's replacement for running pip-compile
//! inside a `python:3.12` container.
//!
//! A [`Target`] is a value built once from a [`PythonVersion`] and a [`Platform`] and passed to
//! whoever needs it (marker evaluation, wheel selection, `Requires-Python` checks); there is no
//! global target. It always describes a stock CPython, never the host's interpreter: this
//! module reads no environment variables and runs no Python.
//!
//! - `python.rs`: the `X.Y[.Z]` version;
//! - `platform.rs`: OS/CPU, the `--python-platform` names and their defaults;
//! - `platform_tags.rs`: the platform part of wheel tags, best first;
//! - `tags.rs`: the full ordered tag list and wheel ranking;
//! - `markers.rs`: the PEP 508 marker environment.

mod markers;
mod platform;
mod platform_tags;
mod python;
mod tags;

use std::fmt;
use std::sync::Arc;

use pep508_rs::MarkerEnvironment;

use crate::types::{Version, VersionSpecifiers, WheelTag};

pub use platform::{Arch, DEFAULT_GLIBC, DEFAULT_MACOS, DEFAULT_MUSL, Os, Platform, PlatformError};
pub use python::{PythonVersion, PythonVersionError};
pub use tags::{TagPriority, Tags};

/// A target CPython on a target platform, with its marker environment and wheel tags computed
/// once. Cheap to clone (shared behind an [`Arc`]).
#[derive(Clone, Debug)]
pub struct Target {
    inner: Arc<TargetInner>,
}

#[derive(Debug)]
struct TargetInner {
    python: PythonVersion,
    platform: Platform,
    python_full_version: Version,
    markers: MarkerEnvironment,
    tags: Tags,
}

impl Target {
    /// Describes CPython `python` on `platform`.
    #[must_use]
    pub fn new(python: PythonVersion, platform: Platform) -> Self {
        Self {
            inner: Arc::new(TargetInner {
                python_full_version: python.python_full_version(),
                markers: markers::marker_environment(&python, &platform),
                tags: Tags::new(&python, &platform),
                python,
                platform,
            }),
        }
    }

    /// The target Python version.
    #[must_use]
    pub fn python(&self) -> &PythonVersion {
        &self.inner.python
    }

    /// The target platform.
    #[must_use]
    pub fn platform(&self) -> &Platform {
        &self.inner.platform
    }

    /// The PEP 508 marker environment markers are evaluated against.
    #[must_use]
    pub fn markers(&self) -> &MarkerEnvironment {
        &self.inner.markers
    }

    /// The wheel tags the target accepts, best first.
    #[must_use]
    pub fn tags(&self) -> &Tags {
        &self.inner.tags
    }

    /// How well a wheel's (possibly compressed) tag fits: `None` when the target cannot install
    /// it, otherwise the priority of its best expanded triple (higher is better).
    #[must_use]
    pub fn wheel_priority(&self, tag: &WheelTag) -> Option<TagPriority> {
        self.inner.tags.best_priority(tag)
    }

    /// Whether a distribution's `Requires-Python` admits the target.
    ///
    /// Checked against `python_full_version`, so a bare `3.12` target counts as 3.12.0 (as uv
    /// treats `--python-version 3.12`): `>=3.12.1` then rejects it, because the lock must also
    /// install on the oldest 3.12 release.
    #[must_use]
    pub fn allows_python(&self, requires_python: &VersionSpecifiers) -> bool {
        requires_python.contains(&self.inner.python_full_version)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CPython {} on {}",
            self.inner.python, self.inner.platform
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::WheelFilename;
    use std::str::FromStr;

    fn target(python: &str, platform: &str) -> Target {
        Target::new(python.parse().unwrap(), platform.parse().unwrap())
    }

    fn priority(target: &Target, wheel: &str) -> Option<TagPriority> {
        target.wheel_priority(&WheelFilename::from_str(wheel).unwrap().tag)
    }

    #[test]
    fn allows_python() {
        let py312 = target("3.12", "linux");
        let py3124 = target("3.12.4", "linux");
        for (specifiers, on_312, on_3124) in [
            (">=3.8", true, true),
            ("<3.12", false, false),
            (">=3.12.1", false, true),
            ("==3.12.*", true, true),
            (">=3.8,<4", true, true),
            ("", true, true),
            ("!=3.12.4", true, false),
        ] {
            let specifiers = VersionSpecifiers::from_str(specifiers).unwrap();
            assert_eq!(
                py312.allows_python(&specifiers),
                on_312,
                "{specifiers} on 3.12"
            );
            assert_eq!(
                py3124.allows_python(&specifiers),
                on_3124,
                "{specifiers} on 3.12.4"
            );
        }
    }

    #[test]
    fn wheel_priority_through_target() {
        let linux = target("3.12", "linux");
        let numpy = "numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
        let pure = "six-1.16.0-py2.py3-none-any.whl";
        assert!(priority(&linux, numpy) > priority(&linux, pure));
        assert!(priority(&linux, pure).is_some());
        assert_eq!(
            priority(&linux, "numpy-2.1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
            None
        );
        let windows = target("3.12", "windows");
        assert_eq!(priority(&windows, numpy), None);
        assert!(priority(&windows, "numpy-2.1.0-cp312-cp312-win_amd64.whl").is_some());
    }

    #[test]
    fn accessors_and_sharing() {
        let target = target("3.11.2", "aarch64-apple-darwin");
        let clone = target.clone();
        assert!(Arc::ptr_eq(&target.inner, &clone.inner));
        assert_eq!(clone.python().to_string(), "3.11.2");
        assert_eq!(clone.platform().arch(), Arch::Aarch64);
        assert_eq!(clone.markers().sys_platform(), "darwin");
        assert_eq!(clone.tags().as_slice()[0].2, "macosx_13_0_arm64");
        assert_eq!(clone.to_string(), "CPython 3.11.2 on aarch64-apple-darwin");
    }
}
