//! Core metadata (`METADATA` in wheels, `PKG-INFO` in sdists): RFC 822-style headers turned
//! into a [`CoreMetadata`].
//!
//! This file owns the header syntax and the meaning of the fields the resolver needs. It never
//! looks inside archives (see `sdist` and `wheel`) and keeps nothing from the message body.

use std::str::FromStr;

use pep508_rs::{Requirement, VerbatimUrl};

use super::MetadataError;
use super::repair::{Repair, repair_requirement};
use crate::types::{ExtraName, PackageName, Version, VersionSpecifiers};

/// The facts about one distribution that resolution needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreMetadata {
    /// `Name`, normalised.
    pub name: PackageName,
    /// `Version`.
    pub version: Version,
    /// `Requires-Dist`, in file order; extras' requirements carry `extra == "…"` markers.
    pub requires_dist: Vec<Requirement<VerbatimUrl>>,
    /// `Requires-Python`, when present and not empty.
    pub requires_python: Option<VersionSpecifiers>,
    /// `Provides-Extra`, normalised, in file order, without duplicates.
    pub provides_extra: Vec<ExtraName>,
    /// `Dynamic` (Metadata 2.2): the fields a build may change, lowercased.
    pub dynamic: Vec<String>,
    /// `Metadata-Version` as written. For metadata assembled from `pyproject.toml` or
    /// `.egg-info`, the sdist's `PKG-INFO` version when it has one, else empty.
    pub metadata_version: String,
    /// `Requires-Dist` lines that were not PEP 508 as published and were read repaired (their
    /// repaired form is in `requires_dist`), so that the reader can warn about them.
    pub repairs: Vec<Repair>,
}

impl CoreMetadata {
    /// Whether `field` (any case, e.g. `Requires-Dist`) is listed in `Dynamic`.
    #[must_use]
    pub fn is_dynamic(&self, field: &str) -> bool {
        self.dynamic
            .iter()
            .any(|dynamic| dynamic.eq_ignore_ascii_case(field))
    }

    /// Whether `Metadata-Version` is at least `major.minor`; an unparsable version counts as
    /// older than anything.
    #[must_use]
    pub fn metadata_version_at_least(&self, major: u64, minor: u64) -> bool {
        Version::from_str(self.metadata_version.trim())
            .is_ok_and(|version| version >= Version::new([major, minor]))
    }
}

/// Parses a `METADATA` or `PKG-INFO` file.
///
/// Header names are case-insensitive, continuation lines (starting with a space or tab) are
/// joined to the previous header, and parsing stops at the first empty line (the body, i.e. a
/// long description, is ignored). Bytes that are not UTF-8 are replaced, since old uploads
/// have Latin-1 descriptions that must not make the dependencies unreadable.
///
/// A `Requires-Dist` line with one of the mistakes `repair` knows is read repaired and
/// recorded in [`CoreMetadata::repairs`]. A [`REPAIRED_HEADER`] line (pinwheel's cached form
/// writes one per repair) records its repair again.
///
/// # Errors
/// When `Metadata-Version`, `Name` or `Version` is missing or invalid, or when a
/// `Requires-Dist` line is not PEP 508 and not repairable (the error names the line). An
/// invalid `Requires-Python` is repaired or ignored (see [`parse_requires_python_lenient`]).
pub fn parse_core_metadata(bytes: &[u8]) -> Result<CoreMetadata, MetadataError> {
    let headers = Headers::parse(bytes);
    let metadata_version = headers
        .first("Metadata-Version")
        .ok_or(MetadataError::MissingField {
            field: "Metadata-Version",
        })?
        .to_string();
    let name = parse_name(
        headers
            .first("Name")
            .ok_or(MetadataError::MissingField { field: "Name" })?,
    )?;
    let version = parse_version(
        headers
            .first("Version")
            .ok_or(MetadataError::MissingField { field: "Version" })?,
    )?;
    let mut requires_dist = Vec::new();
    let mut repairs = Vec::new();
    for line in headers.all("Requires-Dist").filter(|line| !line.is_empty()) {
        let (requirement, repair) = parse_published_requirement(line)?;
        requires_dist.push(requirement);
        repairs.extend(repair);
    }
    repairs.extend(headers.all(REPAIRED_HEADER).filter_map(repair_requirement));
    let requires_python = headers
        .first("Requires-Python")
        .and_then(parse_requires_python_lenient);
    let provides_extra = collect_extras(headers.all("Provides-Extra"));
    let dynamic = headers
        .all("Dynamic")
        .filter(|field| !field.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    Ok(CoreMetadata {
        name,
        version,
        requires_dist,
        requires_python,
        provides_extra,
        dynamic,
        metadata_version,
        repairs,
    })
}

/// The header pinwheel's cached form of metadata uses to remember a repaired `Requires-Dist`
/// (its value is the line as published); published metadata has no such header.
pub const REPAIRED_HEADER: &str = "Pinwheel-Repaired";

/// Parses a `Requires-Dist` line of published metadata: as PEP 508, else repaired when the
/// mistake is a known one (the repair comes back with it).
fn parse_published_requirement(
    line: &str,
) -> Result<(Requirement<VerbatimUrl>, Option<Repair>), MetadataError> {
    let error = match parse_requirement(line) {
        Ok(requirement) => return Ok((requirement, None)),
        Err(error) => error,
    };
    repair_requirement(line)
        .and_then(|repair| {
            let requirement = parse_requirement(&repair.repaired).ok()?;
            tracing::debug!("repaired requirement: {repair}");
            Some((requirement, Some(repair)))
        })
        .ok_or(error)
}

/// The header section of an RFC 822-style message, in order, with unfolded values.
#[derive(Debug, Default)]
pub(crate) struct Headers {
    /// `(lowercased name, trimmed value)` pairs.
    fields: Vec<(String, String)>,
}

impl Headers {
    /// Reads headers up to the first empty line, or up to the first line that is neither a
    /// header nor a continuation (which, as in Python's email parser, starts the body).
    pub(crate) fn parse(bytes: &[u8]) -> Self {
        let text = String::from_utf8_lossy(bytes);
        let mut fields: Vec<(String, String)> = Vec::new();
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                break;
            }
            if line.starts_with([' ', '\t']) {
                // A folded value: RFC 822 unfolding joins the pieces with the whitespace kept;
                // one space is enough for the single-line fields pinwheel reads.
                if let Some((_, value)) = fields.last_mut() {
                    let piece = line.trim();
                    if !piece.is_empty() {
                        if !value.is_empty() {
                            value.push(' ');
                        }
                        value.push_str(piece);
                    }
                }
                continue;
            }
            let Some((name, value)) = line.split_once(':') else {
                break;
            };
            fields.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
        Self { fields }
    }

    /// The first value of `name` (any case).
    pub(crate) fn first<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.all(name).next()
    }

    /// Every value of `name` (any case), in order.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Parses a project name.
pub(crate) fn parse_name(value: &str) -> Result<PackageName, MetadataError> {
    PackageName::from_str(value.trim()).map_err(|source| MetadataError::InvalidName {
        value: value.to_string(),
        source,
    })
}

/// Parses a PEP 440 version.
pub(crate) fn parse_version(value: &str) -> Result<Version, MetadataError> {
    Version::from_str(value.trim()).map_err(|source| MetadataError::InvalidVersion {
        value: value.to_string(),
        source,
    })
}

/// Parses `Requires-Python`; an empty value means no constraint.
pub(crate) fn parse_requires_python(
    value: &str,
) -> Result<Option<VersionSpecifiers>, MetadataError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    VersionSpecifiers::from_str(value)
        .map(Some)
        .map_err(|source| MetadataError::InvalidRequiresPython {
            value: value.to_string(),
            source,
        })
}

/// Parses a `Requires-Python` as published metadata and index pages carry it. Real uploads
/// have values the grammar rejects (`>=3.6.*`, `>= '3.6'`, trailing commas): those get a
/// trivial fix-up, and what still fails is ignored, as pip does, rather than making the file
/// unusable. `None` when empty or junk.
pub(crate) fn parse_requires_python_lenient(raw: &str) -> Option<VersionSpecifiers> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    if let Ok(specifiers) = VersionSpecifiers::from_str(trimmed) {
        return Some(specifiers);
    }
    let fixed = fix_up_requires_python(trimmed);
    match VersionSpecifiers::from_str(&fixed) {
        Ok(specifiers) if !fixed.is_empty() => {
            tracing::debug!(raw, fixed, "repaired invalid requires-python");
            Some(specifiers)
        }
        _ => {
            tracing::debug!(raw, "ignoring invalid requires-python");
            None
        }
    }
}

/// Removes quotes and empty clauses, and the `.*` that only `==`/`!=` may carry.
fn fix_up_requires_python(raw: &str) -> String {
    let clauses = raw.split(',').filter_map(|clause| {
        let clause = clause.trim().replace(['\'', '"'], "");
        let clause = clause.trim();
        if clause.is_empty() {
            return None;
        }
        let allows_star = clause.starts_with("==") || clause.starts_with("!=");
        let clause = if allows_star {
            clause
        } else {
            clause.strip_suffix(".*").unwrap_or(clause)
        };
        Some(clause.to_string())
    });
    clauses.collect::<Vec<_>>().join(", ")
}

/// Parses one PEP 508 dependency.
///
/// Marker warnings from `pep508_rs` (deprecated names such as `os.name`, string comparisons of
/// versions) are logged, not fatal: these come from published packages pinwheel cannot fix,
/// and pip accepts them too.
pub(crate) fn parse_requirement(line: &str) -> Result<Requirement<VerbatimUrl>, MetadataError> {
    let line = line.trim();
    if let Some(known) = PARSED.with_borrow(|parsed| parsed.get(line).cloned()) {
        return Ok(known);
    }
    let requirement = parse_requirement_anew(line)?;
    PARSED.with_borrow_mut(|parsed| {
        if parsed.len() >= PARSED_CAPACITY {
            parsed.clear();
        }
        parsed.insert(line.into(), requirement.clone());
    });
    Ok(requirement)
}

/// How many parsed requirements each thread remembers before it starts again.
const PARSED_CAPACITY: usize = 8192;

thread_local! {
    /// Requirements parsed on this thread, by their text. The versions of one project repeat
    /// the same few lines (boto3's 1,462 releases: `jmespath<2.0.0,>=0.7.1` each), and parsing
    /// them again was a twentieth of a warm walk. Parsing is a pure function of the text, so a
    /// remembered answer is the answer.
    static PARSED: std::cell::RefCell<rustc_hash::FxHashMap<Box<str>, Requirement<VerbatimUrl>>> =
        std::cell::RefCell::default();
}

fn parse_requirement_anew(line: &str) -> Result<Requirement<VerbatimUrl>, MetadataError> {
    let mut reporter = |_kind, warning: String| {
        tracing::debug!("requirement `{line}`: {warning}");
    };
    // The working directory only matters for relative paths with pep508_rs's non-PEP 508
    // extensions, which pinwheel does not enable; metadata never holds such paths anyway.
    crate::types::check_requirement(line).map_err(|reason| MetadataError::Unparsable {
        line: line.to_string(),
        reason,
    })?;
    let parsed = super::python_bounds::release_python_bounds(line);
    Requirement::<VerbatimUrl>::parse_reporter(&parsed, ".", &mut reporter).map_err(|source| {
        MetadataError::InvalidRequirement {
            line: line.to_string(),
            source: Box::new(source),
        }
    })
}

/// Normalises extra names, dropping duplicates and (with a log line) invalid ones: an invalid
/// `Provides-Extra` cannot be requested by anyone, so it must not make the version unusable.
pub(crate) fn collect_extras<'a>(values: impl Iterator<Item = &'a str>) -> Vec<ExtraName> {
    let mut extras: Vec<ExtraName> = Vec::new();
    for value in values {
        match ExtraName::from_str(value.trim()) {
            Ok(extra) if !extras.contains(&extra) => extras.push(extra),
            Ok(_) => {}
            Err(error) => tracing::debug!("ignoring invalid extra `{value}`: {error}"),
        }
    }
    extras
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_python_is_lenient() {
        let cases = [
            (">=3.8", Some(">=3.8")),
            (">=2.7, !=3.0.*", Some(">=2.7, !=3.0.*")),
            (">=2.7.*", Some(">=2.7")),
            (">= '3.6'", Some(">=3.6")),
            (">=3.6,", Some(">=3.6")),
            (">3.5.2,,<4.0.0, ", Some(">3.5.2, <4.0.0")),
            ("", None),
            ("  ", None),
            ("3.6", None),
            ("python3", None),
            ("~=3", None),
        ];
        for (raw, expected) in cases {
            let parsed =
                parse_requires_python_lenient(raw).map(|specifiers| specifiers.to_string());
            assert_eq!(parsed.as_deref(), expected, "{raw:?}");
        }
        // pyhiveapi 0.5.14's wheel: the version stays usable.
        let metadata = parse_core_metadata(
            b"Metadata-Version: 2.1\nName: pyhiveapi\nVersion: 0.5.14\nRequires-Python: >=3.6.*\n",
        )
        .unwrap();
        assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.6");
        let metadata = parse_core_metadata(
            b"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Python: py3\n",
        )
        .unwrap();
        assert_eq!(metadata.requires_python, None);
    }

    /// CRLF line ends, folded values, mixed-case header names, a body after the blank line.
    const METADATA: &str = concat!(
        "Metadata-Version: 2.3\r\n",
        "name: Foo.Bar\r\n",
        "VERSION: 1.0.post1\r\n",
        "Summary: a summary that is\r\n",
        "  folded over two lines\r\n",
        "Requires-Python: >=3.8,\r\n",
        "\t<4\r\n",
        "Provides-Extra: Socks\r\n",
        "Provides-Extra: socks\r\n",
        "Provides-Extra: test_all\r\n",
        "Requires-Dist: idna (>=2.5,<4)\r\n",
        "Requires-Dist: PySocks!=1.5.7,>=1.5.6; extra == \"socks\"\r\n",
        "Requires-Dist: colorama; sys_platform == \"win32\"\r\n",
        "  and python_version < \"3.13\"\r\n",
        "Requires-Dist: pytest[testing]>=7; extra == 'test-all'\r\n",
        "Dynamic: License\r\n",
        "\r\n",
        "Requires-Dist: not-a-header-this-is-the-body\r\n",
    );

    #[test]
    fn parses_headers_case_insensitively_with_continuations() {
        let metadata = parse_core_metadata(METADATA.as_bytes()).unwrap();
        assert_eq!(metadata.metadata_version, "2.3");
        assert_eq!(metadata.name.as_ref(), "foo-bar");
        assert_eq!(metadata.version, Version::from_str("1.0.post1").unwrap());
        assert_eq!(
            metadata.requires_python,
            Some(VersionSpecifiers::from_str(">=3.8,<4").unwrap())
        );
        assert_eq!(
            metadata.provides_extra,
            vec![
                ExtraName::from_str("socks").unwrap(),
                ExtraName::from_str("test-all").unwrap()
            ]
        );
        assert_eq!(metadata.dynamic, vec!["license".to_string()]);
        assert!(metadata.is_dynamic("LICENSE"));
        assert!(!metadata.is_dynamic("requires-dist"));
        assert!(metadata.metadata_version_at_least(2, 2));
        assert!(!metadata.metadata_version_at_least(2, 4));
    }

    #[test]
    fn parses_requirements_with_markers_and_extras() {
        let metadata = parse_core_metadata(METADATA.as_bytes()).unwrap();
        assert_eq!(
            crate::metadata::test_support::rendered(&metadata.requires_dist),
            [
                "idna>=2.5,<4",
                "pysocks>=1.5.6,!=1.5.7 ; extra == 'socks'",
                "colorama ; python_full_version < '3.13' and sys_platform == 'win32'",
                "pytest[testing]>=7 ; extra == 'test-all'",
            ]
        );
        // The body after the blank line is not headers.
        assert_eq!(metadata.requires_dist.len(), 4);
    }

    #[test]
    fn missing_or_invalid_fields_are_errors() {
        let cases: [(&str, &str); 5] = [
            (
                "Metadata-Version: 2.1\nVersion: 1.0\n",
                "the metadata has no `Name` field",
            ),
            (
                "Metadata-Version: 2.1\nName: foo\n",
                "the metadata has no `Version` field",
            ),
            (
                "Name: foo\nVersion: 1.0\n",
                "the metadata has no `Metadata-Version` field",
            ),
            (
                "Metadata-Version: 2.1\nName: foo\nVersion: one\n",
                "invalid version `one`",
            ),
            (
                "Metadata-Version: 2.1\nName: foo\nVersion: 1\nRequires-Dist: bar >= >= 1\n",
                "invalid requirement `bar >= >= 1`",
            ),
        ];
        for (input, message) in cases {
            let error = parse_core_metadata(input.as_bytes()).unwrap_err();
            assert_eq!(error.to_string(), message, "for {input:?}");
        }
    }

    #[test]
    fn known_mistakes_in_requires_dist_are_read_repaired_and_recorded() {
        let input = concat!(
            "Metadata-Version: 2.1\nName: django-elasticsearch-dsl\nVersion: 7.1.4\n",
            "Requires-Dist: elasticsearch-dsl (>=7.0.0<8.0.0)\n",
            "Requires-Dist: six>=1.9,\n",
            "Requires-Dist: attrs>=19.*; extra == 'test'\n",
            "Requires-Dist: idna>=2\n",
        );
        let metadata = parse_core_metadata(input.as_bytes()).unwrap();
        assert_eq!(
            crate::metadata::test_support::rendered(&metadata.requires_dist),
            [
                "elasticsearch-dsl>=7.0.0,<8.0.0",
                "six>=1.9",
                "attrs>=19 ; extra == 'test'",
                "idna>=2",
            ]
        );
        let originals: Vec<&str> = metadata
            .repairs
            .iter()
            .map(|repair| repair.original.as_str())
            .collect();
        assert_eq!(
            originals,
            [
                "elasticsearch-dsl (>=7.0.0<8.0.0)",
                "six>=1.9,",
                "attrs>=19.*; extra == 'test'"
            ]
        );
        // What pinwheel caches: the repaired lines, and the published ones under its own
        // header, which bring the repairs back without turning into requirements.
        let cached = concat!(
            "Metadata-Version: 2.2\nName: django-elasticsearch-dsl\nVersion: 7.1.4\n",
            "Requires-Dist: elasticsearch-dsl>=7.0.0,<8.0.0\n",
            "Pinwheel-Repaired: elasticsearch-dsl (>=7.0.0<8.0.0)\n",
        );
        let metadata = parse_core_metadata(cached.as_bytes()).unwrap();
        assert_eq!(metadata.requires_dist.len(), 1);
        assert_eq!(
            metadata.repairs[0].repaired,
            "elasticsearch-dsl>=7.0.0,<8.0.0"
        );
        // A valid line is never "repaired", and an unknown mistake is still an error.
        let valid = parse_core_metadata(
            b"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: b>=1,<2\n",
        );
        assert!(valid.unwrap().repairs.is_empty());
    }

    #[test]
    fn tolerates_invalid_utf8_and_bare_newlines() {
        let mut bytes =
            b"Metadata-Version: 1.2\nName: caf\xe9\nVersion: 2\nAuthor: Ren\xe9\n".to_vec();
        bytes.extend_from_slice(b"Requires-Dist: six\n\n\xff\xfe body");
        // The name itself is invalid once decoded (U+FFFD), so use a valid one for the main check.
        assert!(matches!(
            parse_core_metadata(&bytes),
            Err(MetadataError::InvalidName { .. })
        ));
        let bytes =
            b"Metadata-Version: 1.2\nName: cafe\nVersion: 2\nAuthor: Ren\xe9\nRequires-Dist: six\n";
        let metadata = parse_core_metadata(bytes).unwrap();
        assert_eq!(metadata.name.as_ref(), "cafe");
        assert_eq!(metadata.requires_dist[0].name.as_ref(), "six");
        assert!(!metadata.metadata_version_at_least(2, 2));
    }

    #[test]
    fn a_non_header_line_ends_the_headers_and_empty_values_are_skipped() {
        let input = "Metadata-Version: 2.1\nName: foo\nVersion: 1\nRequires-Python: \n\
                     Requires-Dist: a\nthis is not a header\nRequires-Dist: b\n";
        let metadata = parse_core_metadata(input.as_bytes()).unwrap();
        assert_eq!(metadata.requires_python, None);
        assert_eq!(metadata.requires_dist.len(), 1);
    }

    /// Found by the property tests (issue 16): a deeply nested `Requires-Dist` marker
    /// overflowed the stack.
    #[test]
    fn a_requirement_nested_too_deep_is_an_error() {
        let marker = format!(
            "{}python_version >= '3'{}",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        let error = parse_requirement(&format!("a ; {marker}")).unwrap_err();
        assert!(matches!(error, MetadataError::Unparsable { .. }), "{error}");
        assert!(
            error
                .to_string()
                .contains("parentheses nest more than 64 deep")
        );
    }

    /// Found by the property tests (issue 16): pep508_rs 0.9.2 panics on a name ending in a
    /// separator followed by more text, as in this mutated `Requires-Dist` line.
    #[test]
    fn a_requirement_name_ending_in_a_separator_is_an_error_not_a_panic() {
        let metadata =
            b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: Versio.:  pytest\n";
        let error = parse_core_metadata(metadata).unwrap_err();
        assert!(error.to_string().contains("Versio.:  pytest"), "{error}");
        assert!(parse_requirement("foo- >=1").is_err());
    }
}
