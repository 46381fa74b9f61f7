//! `python_full_version` compared with a pre-release, rewritten as a comparison with the
//! release, before pep508_rs parses the marker.
//!
//! pep508_rs (0.9) keeps only the release part of a `python_full_version` bound, so coverage's
//! `tomli; python_full_version <= "3.11.0a6"` became `<= '3.11'`: true on CPython 3.11.0,
//! which has tomllib and must not get tomli. Interpreters are final releases, and among final
//! releases `<= 3.11.0a6` and `< 3.11.0a6` hold exactly below 3.11.0, `>= 3.11.0a6` and
//! `> 3.11.0a6` from 3.11.0 on, `==` never and `!=` always. Rewritten that way, the marker
//! means what it says for every interpreter a lock can target.

use std::borrow::Cow;
use std::str::FromStr;

use crate::types::Version;

const VARIABLE: &str = "python_full_version";

/// `line` with every `python_full_version <op> '<pre-release>'` comparison rewritten (see the
/// module); borrowed when there is none.
pub(crate) fn release_python_bounds(line: &str) -> Cow<'_, str> {
    if !line.contains(VARIABLE) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    let mut changed = false;
    while let Some(start) = rest.find(VARIABLE) {
        out.push_str(&rest[..start]);
        let after = &rest[start + VARIABLE.len()..];
        match rewrite_comparison(after) {
            Some((replacement, consumed)) => {
                out.push_str(&replacement);
                rest = &after[consumed..];
                changed = true;
            }
            None => {
                out.push_str(VARIABLE);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(line)
    }
}

/// For the text after `python_full_version`: the rewritten comparison and how many bytes of
/// `after` it replaces, when it compares with a quoted pre-release.
fn rewrite_comparison(after: &str) -> Option<(String, usize)> {
    let trimmed = after.trim_start();
    let leading = after.len() - trimmed.len();
    let operator = ["<=", ">=", "==", "!=", "<", ">"]
        .into_iter()
        .find(|operator| trimmed.starts_with(operator))?;
    let value_part = &trimmed[operator.len()..];
    let value_trimmed = value_part.trim_start();
    let quote = value_trimmed
        .chars()
        .next()
        .filter(|c| *c == '\'' || *c == '"')?;
    let body = &value_trimmed[1..];
    let end = body.find(quote)?;
    let version = Version::from_str(&body[..end]).ok()?;
    if !version.any_prerelease() {
        return None;
    }
    let release = version
        .release()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(".");
    let replacement = match operator {
        "<=" | "<" => format!("{VARIABLE} < '{release}'"),
        ">=" | ">" => format!("{VARIABLE} >= '{release}'"),
        // No final release equals a pre-release.
        "==" => format!("{VARIABLE} < '0'"),
        _ => format!("{VARIABLE} >= '0'"),
    };
    let consumed =
        leading + operator.len() + (value_part.len() - value_trimmed.len()) + 1 + end + 1;
    Some((replacement, consumed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_release_bounds_become_release_bounds() {
        for (line, expected) in [
            (
                "tomli; python_full_version <= \"3.11.0a6\" and extra == \"toml\"",
                "tomli; python_full_version < '3.11.0' and extra == \"toml\"",
            ),
            (
                "x; python_full_version > '3.13.0b1'",
                "x; python_full_version >= '3.13.0'",
            ),
            (
                "x; python_full_version=='3.12.0rc1'",
                "x; python_full_version < '0'",
            ),
            (
                "x; python_full_version != '3.12.0rc1'",
                "x; python_full_version >= '0'",
            ),
        ] {
            assert_eq!(release_python_bounds(line), expected, "{line}");
        }
        for unchanged in [
            "tomli; python_full_version < \"3.11\"",
            "x; python_version <= '3.11'",
            "requests>=2",
        ] {
            assert!(matches!(release_python_bounds(unchanged), Cow::Borrowed(_)));
        }
    }
}
