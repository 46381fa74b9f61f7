//! setuptools' `*.egg-info/requires.txt`: the dependencies an sdist's build recorded, in
//! pkg_resources' sectioned format.
//!
//! ```text
//! requests>=2
//!
//! [socks]
//! PySocks>=1.5.6
//!
//! [:python_version < "3.8"]
//! importlib-metadata
//!
//! [win:sys_platform == "win32"]
//! pywin32
//! ```
//!
//! Lines before any header are unconditional; `[extra]`, `[:marker]` and `[extra:marker]` make
//! the lines that follow conditional. This file turns that into PEP 508 requirements and does
//! not read archives (see `sdist`).

use std::str::FromStr;

use pep508_rs::{MarkerTree, Requirement, VerbatimUrl};

use super::MetadataError;
use super::core::parse_requirement;
use crate::types::ExtraName;

/// The requirements and extras a `requires.txt` declares.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct EggRequires {
    /// Every requirement, with its section's extra and marker folded into its marker.
    pub(crate) requirements: Vec<Requirement<VerbatimUrl>>,
    /// The extras named in section headers, in order, without duplicates.
    pub(crate) extras: Vec<ExtraName>,
}

/// The condition a section header (or a key of setuptools' `extras_require`, which is where
/// the headers come from) puts on its lines.
pub(crate) struct Section {
    /// The extra the lines belong to, if any.
    pub(crate) extra: Option<ExtraName>,
    /// The marker the lines are conditional on (`TRUE` when none).
    pub(crate) marker: MarkerTree,
}

/// Parses `requires.txt` (decoded lossily: it is generated from `setup.py` strings).
pub(crate) fn parse_requires_txt(bytes: &[u8]) -> Result<EggRequires, MetadataError> {
    let text = String::from_utf8_lossy(bytes);
    let mut parsed = EggRequires::default();
    let mut section = Section::unconditional();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
        {
            section = parse_section(header)?;
            if let Some(extra) = &section.extra
                && !parsed.extras.contains(extra)
            {
                parsed.extras.push(extra.clone());
            }
            continue;
        }
        parsed
            .requirements
            .push(section.apply(parse_requirement(line)?));
    }
    Ok(parsed)
}

impl Section {
    /// The section with no condition: lines before any header.
    pub(crate) fn unconditional() -> Self {
        Self {
            extra: None,
            marker: MarkerTree::TRUE,
        }
    }

    /// `requirement` with this section's marker and extra folded into its marker.
    pub(crate) fn apply(
        &self,
        mut requirement: Requirement<VerbatimUrl>,
    ) -> Requirement<VerbatimUrl> {
        requirement.marker.and(self.marker.clone());
        match &self.extra {
            Some(extra) => requirement.with_extra_marker(extra),
            None => requirement,
        }
    }
}

/// Splits `extra:marker` (either side may be empty) at the first colon: extra names cannot
/// contain one, markers can (inside quoted strings).
///
/// An extra that is not a valid name (`[Safer XML parsing]`) is made one the way setuptools
/// does when it writes the wheel's metadata: each run of characters other than ASCII letters,
/// digits, `.` and `-` becomes `_`, which PEP 685 normalisation then turns into `-`
/// (`safer-xml-parsing`).
pub(crate) fn parse_section(header: &str) -> Result<Section, MetadataError> {
    let (extra, marker) = header.split_once(':').unwrap_or((header, ""));
    let invalid = |reason: String| MetadataError::InvalidSection {
        section: header.to_string(),
        reason,
    };
    let extra = match extra.trim() {
        "" => None,
        extra => Some(
            ExtraName::from_str(extra)
                .or_else(|_| ExtraName::from_str(&setuptools_safe_extra(extra)))
                .map_err(|error| invalid(error.to_string()))?,
        ),
    };
    let marker = match marker.trim() {
        "" => MarkerTree::TRUE,
        marker if let Err(unsafe_text) = crate::types::check_marker(marker) => {
            return Err(invalid(unsafe_text.to_string()));
        }
        marker => MarkerTree::parse_reporter(marker, &mut |_kind, warning: String| {
            tracing::debug!("requires.txt section `[{header}]`: {warning}");
        })
        .map_err(|error| invalid(error.message.to_string()))?,
    };
    Ok(Section { extra, marker })
}

/// setuptools' `safe_extra`: runs of anything but ASCII letters, digits, `.` and `-` become one
/// `_`, and the result is lowercased.
fn setuptools_safe_extra(extra: &str) -> String {
    let mut safe = String::with_capacity(extra.len());
    let mut in_run = false;
    for character in extra.chars() {
        if character.is_ascii_alphanumeric() || character == '.' || character == '-' {
            safe.push(character.to_ascii_lowercase());
            in_run = false;
        } else if !in_run {
            safe.push('_');
            in_run = true;
        }
    }
    safe
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::test_support::{extra_names, rendered};

    #[test]
    fn maps_sections_to_markers() {
        let input = "requests>=2\n\n# comment\n[socks]\nPySocks>=1.5.6\n\n\
                     [:python_version < \"3.8\"]\nimportlib-metadata\n\n\
                     [Win32:sys_platform == \"win32\"]\npywin32>=1; platform_machine == 'x86'\n\
                     [socks]\nwin-inet-pton\n";
        let parsed = parse_requires_txt(input.as_bytes()).unwrap();
        assert_eq!(
            rendered(&parsed.requirements),
            [
                "requests>=2",
                "pysocks>=1.5.6 ; extra == 'socks'",
                "importlib-metadata ; python_full_version < '3.8'",
                "pywin32>=1 ; platform_machine == 'x86' and sys_platform == 'win32' and extra == 'win32'",
                "win-inet-pton ; extra == 'socks'",
            ]
        );
        assert_eq!(extra_names(&parsed.extras), ["socks", "win32"]);
    }

    #[test]
    fn rejects_bad_sections_and_lines() {
        let cases = [
            (
                "[not valid!]\nfoo\n",
                "invalid `requires.txt` section `[not valid!]`",
            ),
            (
                "[:python_version <]\nfoo\n",
                "invalid `requires.txt` section `[:python_version <]`",
            ),
            ("foo >= >= 1\n", "invalid requirement `foo >= >= 1`"),
        ];
        for (input, prefix) in cases {
            let error = parse_requires_txt(input.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(error.starts_with(prefix), "{error}");
        }
    }

    #[test]
    fn invalid_extra_names_are_made_safe_as_setuptools_does() {
        // slixmpp 1.8.4's requires.txt; its wheel says `Provides-Extra: safer-xml-parsing`.
        let input = "aiodns>=1.0\n\n[Safer XML parsing]\ndefusedxml\n\n\
                     [XEP-0444 compliance]\nemoji\n\n[weird!!name:python_version < \"3.8\"]\nx\n";
        let parsed = parse_requires_txt(input.as_bytes()).unwrap();
        assert_eq!(
            extra_names(&parsed.extras),
            ["safer-xml-parsing", "xep-0444-compliance", "weird-name"]
        );
        assert_eq!(
            rendered(&parsed.requirements),
            [
                "aiodns>=1.0",
                "defusedxml ; extra == 'safer-xml-parsing'",
                "emoji ; extra == 'xep-0444-compliance'",
                "x ; python_full_version < '3.8' and extra == 'weird-name'",
            ]
        );
        assert_eq!(setuptools_safe_extra("A b..C--d  e"), "a_b..c--d_e");
        // Nothing a name can be made of is still an error.
        assert!(parse_requires_txt(b"[!!!]\nx\n").is_err());
    }

    #[test]
    fn empty_file_has_no_requirements() {
        assert_eq!(parse_requires_txt(b"\n\n").unwrap(), EggRequires::default());
    }

    /// Found by the property tests (issue 16): pep508_rs 0.9.2 panicked on this header.
    #[test]
    fn a_section_marker_with_non_ascii_outside_quotes_is_an_error_not_a_panic() {
        let error = parse_section(":python_version < \"3.8\"\u{fffd}")
            .err()
            .unwrap();
        assert!(
            error.to_string().contains("only inside a quoted string"),
            "{error}"
        );
    }
}
