//! The publishers an existing lock records per package (`--verify-attestations` wrote them):
//! `# attested:` lines under a requirements file's pins, `attestation-identities` in a
//! pylock.toml. The next verifying run compares against them.

use std::collections::BTreeMap;
use std::str::FromStr;

use crate::types::{ATTESTED_PREFIX, PackageName, Publisher};

/// Publishers by package, as a lock records them.
pub type Attested = BTreeMap<PackageName, Vec<Publisher>>;

/// Why a lock's recorded publishers do not read.
#[derive(Debug, thiserror::Error)]
pub enum AttestedError {
    /// A requirements-file line.
    #[error("line {line}: {reason}")]
    Line {
        /// 1-based.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A pylock.toml that does not parse, or whose identities are not tables with a `kind`.
    #[error("{0}")]
    Pylock(String),
}

/// The publishers of a requirements file's pins: each `# attested:` comment belongs to the pin
/// above it.
///
/// # Errors
/// On an `# attested:` line before any pin, or one that does not read as an identity.
pub fn requirements_attested(text: &str) -> Result<Attested, AttestedError> {
    let mut attested = Attested::new();
    let mut current: Option<PackageName> = None;
    for (index, line) in text.lines().enumerate() {
        let failed = |reason: String| AttestedError::Line {
            line: index + 1,
            reason,
        };
        let trimmed = line.trim_start();
        if let Some(identity) = trimmed.strip_prefix(ATTESTED_PREFIX) {
            let name = current
                .clone()
                .ok_or_else(|| failed("an `# attested:` line before any pin".into()))?;
            let publisher =
                Publisher::from_str(identity.trim()).map_err(|error| failed(error.to_string()))?;
            let publishers = attested.entry(name).or_default();
            publishers.push(publisher);
            publishers.sort();
            publishers.dedup();
            continue;
        }
        if trimmed.len() != line.len() || line.is_empty() || line.starts_with(['#', '-']) {
            continue;
        }
        let end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(line.len());
        current = PackageName::from_str(&line[..end]).ok();
    }
    Ok(attested)
}

/// The publishers of a pylock.toml's packages (`[[packages.attestation-identities]]`).
///
/// # Errors
/// When the file is not TOML, or an identity is not a table with a string `kind`.
pub fn pylock_attested(text: &str) -> Result<Attested, AttestedError> {
    let document: toml::Table =
        toml::from_str(text).map_err(|error| AttestedError::Pylock(error.to_string()))?;
    let mut attested = Attested::new();
    let packages = document
        .get("packages")
        .and_then(toml::Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for package in packages {
        let Some(identities) = package
            .get("attestation-identities")
            .and_then(toml::Value::as_array)
        else {
            continue;
        };
        let name = package
            .get("name")
            .and_then(toml::Value::as_str)
            .and_then(|name| PackageName::from_str(name).ok())
            .ok_or_else(|| AttestedError::Pylock("a package without a valid `name`".into()))?;
        let mut publishers = Vec::new();
        for identity in identities {
            let table = identity.as_table().ok_or_else(|| {
                AttestedError::Pylock(format!("an identity of `{name}` is not a table"))
            })?;
            let kind = table
                .get("kind")
                .and_then(toml::Value::as_str)
                .ok_or_else(|| {
                    AttestedError::Pylock(format!("an identity of `{name}` has no `kind`"))
                })?;
            let claims = table
                .iter()
                .filter(|(key, _)| key.as_str() != "kind")
                .map(|(key, value)| {
                    let value = value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_string);
                    (key.clone(), value)
                })
                .collect();
            publishers.push(Publisher {
                kind: kind.to_string(),
                claims,
            });
        }
        publishers.sort();
        publishers.dedup();
        attested.insert(name, publishers);
    }
    Ok(attested)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attested_lines_belong_to_the_pin_above() {
        let text = "\
# header
attrs==24.1.0 \\
    --hash=sha256:00
    # via -r requirements.in
    # attested: kind=GitHub repository=python-attrs/attrs workflow=pypi-package.yml
idna==3.7
    # via requests
";
        let attested = requirements_attested(text).unwrap();
        assert_eq!(attested.len(), 1);
        let attrs = &attested[&PackageName::from_str("attrs").unwrap()];
        assert_eq!(attrs[0].claims["workflow"], "pypi-package.yml");
    }

    #[test]
    fn a_bad_attested_line_names_its_line() {
        let error = requirements_attested("    # attested: kind=X\n").unwrap_err();
        assert!(error.to_string().starts_with("line 1:"), "{error}");
        let error = requirements_attested("a==1\n    # attested: repository=x\n").unwrap_err();
        assert!(error.to_string().starts_with("line 2:"), "{error}");
    }

    #[test]
    fn pylock_identities_are_read() {
        let text = r#"
lock-version = "1.0"
[[packages]]
name = "attrs"
version = "24.1.0"

[[packages.attestation-identities]]
kind = "GitHub"
repository = "python-attrs/attrs"

[[packages]]
name = "idna"
"#;
        let attested = pylock_attested(text).unwrap();
        assert_eq!(attested.len(), 1);
        assert_eq!(
            attested[&PackageName::from_str("attrs").unwrap()][0].to_string(),
            "kind=GitHub repository=python-attrs/attrs"
        );
    }
}
