//! What setuptools turns into a wheel's `Requires-Dist`, `Provides-Extra` and
//! `Requires-Python`: the `install_requires`, `extras_require` and `python_requires` a project
//! gives it, whether in `setup.py` (`setup_py`) or in `setup.cfg` (`setup_cfg`).
//!
//! This file holds the declaration both readers produce and the rules setuptools applies to
//! it: requirement strings are split into lines (comments and blank lines dropped, a trailing
//! backslash joining lines), `extras_require` keys may be `extra:marker` or `:marker` (the
//! same form as `requires.txt` section headers), and `setup.cfg` and `setup.py` are merged.

use pep508_rs::{Requirement, VerbatimUrl};

use super::MetadataError;
use super::core::{parse_requirement, parse_requires_python};
use super::egg_info::{Section, parse_section};
use crate::types::{ExtraName, VersionSpecifiers};

/// Why a project's dependencies cannot be read without running its build: a phrase naming
/// the file and the construct, for debug logs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct NotStatic(pub(crate) String);

/// A project's name or version as a setuptools file gives it. An sdist's file name tells both
/// anyway; a source tree has only its files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum Given {
    /// The file does not set it.
    #[default]
    Absent,
    /// Written as a literal string.
    Literal(String),
    /// Computed when the file runs; the text names the field (`metadata.version`).
    Computed(String),
}

impl Given {
    /// `self`, unless it is absent: then `other`.
    fn or(self, other: Self) -> Self {
        match self {
            Self::Absent => other,
            given => given,
        }
    }
}

/// What one file gives setuptools. `None` means the file does not set the field.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct SetuptoolsDeclaration {
    /// `name`.
    pub(crate) name: Given,
    /// `version`.
    pub(crate) version: Given,
    /// `install_requires`: requirement strings, each possibly several lines.
    pub(crate) install_requires: Option<Vec<String>>,
    /// `extras_require`: `(key, requirement strings)` in declaration order.
    pub(crate) extras_require: Option<Vec<(String, Vec<String>)>>,
    /// `python_requires`.
    pub(crate) python_requires: Option<String>,
}

/// A declaration's requirements, parsed.
#[derive(Debug, Default)]
pub(crate) struct SetuptoolsMetadata {
    pub(crate) requires_dist: Vec<Requirement<VerbatimUrl>>,
    pub(crate) provides_extra: Vec<ExtraName>,
    pub(crate) requires_python: Option<VersionSpecifiers>,
}

impl SetuptoolsDeclaration {
    /// `setup.py`'s declaration with `setup.cfg`'s (`other`). A field set in both is refused:
    /// which one setuptools keeps has changed between its versions.
    pub(crate) fn merge(self, other: Self) -> Result<Self, NotStatic> {
        fn one<T>(field: &str, ours: Option<T>, theirs: Option<T>) -> Result<Option<T>, NotStatic> {
            match (ours, theirs) {
                (Some(_), Some(_)) => Err(NotStatic(format!(
                    "both setup.py and setup.cfg set `{field}`"
                ))),
                (ours, theirs) => Ok(ours.or(theirs)),
            }
        }
        Ok(Self {
            // setuptools lets `setup()`'s keywords override `setup.cfg`'s metadata.
            name: self.name.or(other.name),
            version: self.version.or(other.version),
            install_requires: one(
                "install_requires",
                self.install_requires,
                other.install_requires,
            )?,
            extras_require: one("extras_require", self.extras_require, other.extras_require)?,
            python_requires: one(
                "python_requires",
                self.python_requires,
                other.python_requires,
            )?,
        })
    }

    /// The requirements as a wheel built from this declaration would list them.
    ///
    /// # Errors
    /// When a requirement, an `extras_require` key or `python_requires` is invalid (setuptools
    /// would refuse to build).
    pub(crate) fn parse(&self) -> Result<SetuptoolsMetadata, MetadataError> {
        let mut metadata = SetuptoolsMetadata::default();
        for line in self
            .install_requires
            .iter()
            .flatten()
            .flat_map(|text| requirement_lines(text))
        {
            metadata.requires_dist.push(parse_requirement(&line)?);
        }
        for (key, texts) in self.extras_require.iter().flatten() {
            let section: Section = parse_section(key)?;
            if let Some(extra) = &section.extra
                && !metadata.provides_extra.contains(extra)
            {
                metadata.provides_extra.push(extra.clone());
            }
            for line in texts.iter().flat_map(|text| requirement_lines(text)) {
                metadata
                    .requires_dist
                    .push(section.apply(parse_requirement(&line)?));
            }
        }
        if let Some(value) = &self.python_requires {
            metadata.requires_python = parse_requires_python(value)?;
        }
        Ok(metadata)
    }
}

/// The requirement lines of one string, as setuptools reads them (`pkg_resources`'
/// `yield_lines`, `drop_comment` and `join_continuation`): stripped, blank lines and `#` lines
/// dropped, ` #` comments cut off, a line ending in `\` joined with the next.
pub(crate) fn requirement_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut pending: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line
            .split_once(" #")
            .map_or(line, |(before, _)| before)
            .trim();
        let mut joined = pending.take().unwrap_or_default();
        match line.strip_suffix('\\') {
            Some(start) => {
                joined.push_str(start.trim());
                joined.push(' ');
                pending = Some(joined);
            }
            None => {
                joined.push_str(line);
                lines.push(joined);
            }
        }
    }
    if let Some(rest) = pending
        && !rest.trim().is_empty()
    {
        lines.push(rest.trim().to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(metadata: &SetuptoolsMetadata) -> Vec<String> {
        crate::metadata::test_support::rendered(&metadata.requires_dist)
    }

    #[test]
    fn lines_as_setuptools_reads_them() {
        assert_eq!(
            requirement_lines("  a>=1  \n\n# comment\nb # why\nc; \\\n  python_version < '3'\n"),
            ["a>=1", "b", "c; python_version < '3'"]
        );
        assert!(requirement_lines("").is_empty());
    }

    #[test]
    fn extras_keys_carry_markers() {
        let declaration = SetuptoolsDeclaration {
            install_requires: Some(vec!["requests>=2".into(), "six\nattrs".into()]),
            extras_require: Some(vec![
                ("socks".into(), vec!["PySocks".into()]),
                (":python_version < '3'".into(), vec!["enum34".into()]),
                ("Win:sys_platform == 'win32'".into(), vec!["pywin32".into()]),
            ]),
            python_requires: Some(">=3.6".into()),
            ..SetuptoolsDeclaration::default()
        };
        let metadata = declaration.parse().unwrap();
        assert_eq!(
            rendered(&metadata),
            [
                "requests>=2",
                "six",
                "attrs",
                "pysocks ; extra == 'socks'",
                "enum34 ; python_full_version < '3'",
                "pywin32 ; sys_platform == 'win32' and extra == 'win'",
            ]
        );
        assert_eq!(
            crate::metadata::test_support::extra_names(&metadata.provides_extra),
            ["socks", "win"]
        );
        assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.6");
    }

    #[test]
    fn invalid_values_are_errors() {
        let bad = SetuptoolsDeclaration {
            install_requires: Some(vec!["a >= >= 1".into()]),
            ..SetuptoolsDeclaration::default()
        };
        assert!(matches!(
            bad.parse(),
            Err(MetadataError::InvalidRequirement { .. })
        ));
        let bad = SetuptoolsDeclaration {
            python_requires: Some(">=three".into()),
            ..SetuptoolsDeclaration::default()
        };
        assert!(matches!(
            bad.parse(),
            Err(MetadataError::InvalidRequiresPython { .. })
        ));
    }

    #[test]
    fn merging_refuses_a_field_set_twice() {
        let py = SetuptoolsDeclaration {
            install_requires: Some(vec!["a".into()]),
            ..SetuptoolsDeclaration::default()
        };
        let cfg = SetuptoolsDeclaration {
            extras_require: Some(vec![("x".into(), vec!["b".into()])]),
            python_requires: Some(">=3".into()),
            ..SetuptoolsDeclaration::default()
        };
        let merged = py.merge(cfg).unwrap();
        assert_eq!(merged.install_requires.unwrap(), ["a"]);
        assert_eq!(merged.python_requires.as_deref(), Some(">=3"));
        let twice = SetuptoolsDeclaration {
            install_requires: Some(vec![]),
            ..SetuptoolsDeclaration::default()
        }
        .merge(SetuptoolsDeclaration {
            install_requires: Some(vec!["a".into()]),
            ..SetuptoolsDeclaration::default()
        });
        assert_eq!(
            twice.unwrap_err(),
            NotStatic("both setup.py and setup.cfg set `install_requires`".into())
        );
    }
}
