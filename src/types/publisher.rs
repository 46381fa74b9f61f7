//! A Trusted Publisher identity, as PEP 740 provenance names the publisher of a file (`kind`
//! plus the kind's own claims), and the one-line form a requirements file carries it in.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Who published a file: the provenance's `publisher` object, with its `null` claims left out.
///
/// pylock.toml's `attestation-identities` holds the same table (PEP 751: `kind` plus the
/// publisher's other keys as they are).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Publisher {
    /// `GitHub`, `GitLab`, `Google`, `CircleCI`, ….
    pub kind: String,
    /// The kind's claims (`repository`, `workflow`, `environment`, `email`, …), by key.
    pub claims: BTreeMap<String, String>,
}

/// How a requirements file names a pin's verified publisher, on a comment line under the pin:
/// `    # attested: kind=GitHub repository=owner/name workflow=release.yml`.
pub const ATTESTED_PREFIX: &str = "# attested: ";

/// A requirements-file identity line that does not read back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an identity (`kind=… key=value …`): {0}")]
pub struct PublisherSyntaxError(String);

/// Characters that would break the `key=value` words: percent-encoded.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '%' | '=' | ' ' | '\t' | '\n' | '\r' => {
                let mut buffer = [0; 4];
                for byte in character.encode_utf8(&mut buffer).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn unescape(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'%' {
            let hex = tail.get(..2)?;
            bytes.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(first);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

/// `kind=GitHub repository=owner/name workflow=release.yml`: the kind first, then the claims
/// in key order, so the same identity is always the same text (a `--check` compares it).
impl fmt::Display for Publisher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "kind={}", escape(&self.kind))?;
        for (key, value) in &self.claims {
            write!(f, " {}={}", escape(key), escape(value))?;
        }
        Ok(())
    }
}

impl FromStr for Publisher {
    type Err = PublisherSyntaxError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || PublisherSyntaxError(text.to_string());
        let mut kind = None;
        let mut claims = BTreeMap::new();
        for word in text.split_whitespace() {
            let (key, value) = word.split_once('=').ok_or_else(error)?;
            let (key, value) = (
                unescape(key).ok_or_else(error)?,
                unescape(value).ok_or_else(error)?,
            );
            if key == "kind" && kind.is_none() {
                kind = Some(value);
            } else if claims.insert(key, value).is_some() {
                return Err(error());
            }
        }
        Ok(Self {
            kind: kind.filter(|kind| !kind.is_empty()).ok_or_else(error)?,
            claims,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_form_reads_back() {
        let publisher = Publisher {
            kind: "GitHub".into(),
            claims: BTreeMap::from([
                ("workflow".into(), "release.yml".into()),
                ("repository".into(), "owner/a b=c%".into()),
            ]),
        };
        let line = publisher.to_string();
        assert_eq!(
            line,
            "kind=GitHub repository=owner/a%20b%3Dc%25 workflow=release.yml"
        );
        assert_eq!(line.parse::<Publisher>(), Ok(publisher));
    }

    #[test]
    fn malformed_lines_are_refused() {
        for bad in [
            "",
            "repository=x",
            "kind=",
            "kind=a kind=b kind=c x",
            "kind=a x",
            "kind=a x=%zz",
        ] {
            assert!(bad.parse::<Publisher>().is_err(), "{bad:?}");
        }
    }
}
