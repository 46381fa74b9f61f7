//! Repairs of `Requires-Dist` lines that published metadata got wrong in a few well-known
//! ways, so that one typo in an old upload does not make the version unusable.
//!
//! Old setuptools wrote whatever `install_requires` said into `METADATA` and `PKG-INFO`, and
//! some of those lines are not PEP 508: `elasticsearch-dsl (>=7.0.0<8.0.0)` (a missing comma,
//! django-elasticsearch-dsl 7.1–7.2), `foo>=1.0,` (a stray comma), `bar>=1.0.*` (a wildcard
//! only `==` and `!=` may carry). Each has one obvious meaning, which this module restores.
//!
//! Only published core metadata goes through here (`core::parse_core_metadata`): a user's own
//! input files, and the setup files a build would read, stay strict. A repair is recorded as a
//! [`Repair`], so that whoever reads the metadata can say what was changed.

use std::fmt;

/// What was wrong with a published requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RepairKind {
    /// Two clauses without a comma between them: `>=7.0.0<8.0.0`.
    MissingComma,
    /// An empty clause: a trailing, leading or doubled comma (`>=1.0,`).
    StrayComma,
    /// `.*` on an operator other than `==`/`!=` (`>=1.0.*`), read without it.
    WildcardOnInequality,
}

impl fmt::Display for RepairKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingComma => "a missing comma",
            Self::StrayComma => "a stray comma",
            Self::WildcardOnInequality => "`.*` on an inequality",
        })
    }
}

/// A requirement line that is not PEP 508 as published, and the line read in its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    /// The line as published.
    pub original: String,
    /// The line pinwheel read instead.
    pub repaired: String,
    /// What was fixed, in a fixed order, without duplicates.
    pub kinds: Vec<RepairKind>,
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kinds: Vec<String> = self.kinds.iter().map(ToString::to_string).collect();
        write!(
            f,
            "`{}` read as `{}` ({})",
            self.original,
            self.repaired,
            kinds.join(", ")
        )
    }
}

/// The operators of PEP 440, longest first so that `>=` is not read as `>`.
const OPERATORS: [&str; 8] = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"];

/// The characters an operator is made of; none of them occurs in a PEP 440 version.
const OPERATOR_CHARACTERS: &[char] = &['<', '>', '=', '!', '~'];

/// The line with its version specifiers rewritten, when one of the known mistakes is in them;
/// `None` when there is nothing to repair (or the line is not a name with specifiers: direct
/// URLs are left alone). The caller checks that the result parses.
#[must_use]
pub fn repair_requirement(line: &str) -> Option<Repair> {
    let line = line.trim();
    let (head, marker) = match line.split_once(';') {
        Some((head, marker)) => (head, Some(marker)),
        None => (line, None),
    };
    if head.contains('@') {
        return None;
    }
    let name_end = head
        .find(|character: char| !(character.is_ascii_alphanumeric() || "._-".contains(character)))
        .unwrap_or(head.len());
    let (name, rest) = head.split_at(name_end);
    if name.is_empty() {
        return None;
    }
    let rest = rest.trim_start();
    let (extras, rest) = match rest.strip_prefix('[') {
        Some(after) => {
            let close = after.find(']')?;
            (&rest[..close + 2], after[close + 1..].trim())
        }
        None => ("", rest.trim()),
    };
    let specifiers = match rest.strip_prefix('(') {
        Some(inner) => inner.strip_suffix(')')?.trim(),
        None => rest,
    };
    if specifiers.is_empty() {
        return None;
    }
    let mut kinds = Vec::new();
    let mut clauses = Vec::new();
    for clause in specifiers.split(',') {
        let clause = clause.trim();
        if clause.is_empty() {
            kinds.push(RepairKind::StrayComma);
            continue;
        }
        let pieces = split_clause(clause);
        if pieces.len() > 1 {
            kinds.push(RepairKind::MissingComma);
        }
        for piece in pieces {
            let (operator, version) = split_operator(&piece);
            let version = match version.strip_suffix(".*") {
                Some(bare) if !matches!(operator, "==" | "!=") => {
                    kinds.push(RepairKind::WildcardOnInequality);
                    bare
                }
                _ => version,
            };
            clauses.push(format!("{operator}{version}"));
        }
    }
    if kinds.is_empty() || clauses.is_empty() {
        return None;
    }
    kinds.sort_unstable();
    kinds.dedup();
    let mut repaired = format!("{name}{extras}{}", clauses.join(","));
    if let Some(marker) = marker {
        repaired.push_str("; ");
        repaired.push_str(marker.trim());
    }
    Some(Repair {
        original: line.to_string(),
        repaired,
        kinds,
    })
}

/// Splits a clause where an operator follows a version with no comma between them
/// (`>=7.0.0<8.0.0` → `>=7.0.0`, `<8.0.0`), without spaces. `===` takes any text, so a clause
/// starting with it is never split.
fn split_clause(clause: &str) -> Vec<String> {
    if clause.starts_with("===") {
        return vec![clause.replace(' ', "")];
    }
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_version = false;
    for character in clause.chars() {
        if character.is_whitespace() {
            continue;
        }
        let is_operator = OPERATOR_CHARACTERS.contains(&character);
        if is_operator && in_version {
            pieces.push(std::mem::take(&mut current));
            in_version = false;
        } else if !is_operator {
            in_version = true;
        }
        current.push(character);
    }
    pieces.push(current);
    pieces
}

/// `>=1.0` → (`>=`, `1.0`); a clause without an operator keeps all of its text as the version.
fn split_operator(clause: &str) -> (&str, &str) {
    OPERATORS
        .iter()
        .find_map(|operator| {
            clause
                .strip_prefix(operator)
                .map(|version| (*operator, version))
        })
        .unwrap_or(("", clause))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(line: &str) -> Option<(String, Vec<RepairKind>)> {
        repair_requirement(line).map(|repair| (repair.repaired, repair.kinds))
    }

    #[test]
    fn a_missing_comma_between_clauses_is_restored() {
        // django-elasticsearch-dsl 7.1.x and 7.2.x.
        assert_eq!(
            repaired("elasticsearch-dsl (>=7.0.0<8.0.0)"),
            Some((
                "elasticsearch-dsl>=7.0.0,<8.0.0".to_string(),
                vec![RepairKind::MissingComma]
            ))
        );
        assert_eq!(
            repaired("foo[bar] >= 1.0 < 2 ; python_version < \"3.8\""),
            Some((
                "foo[bar]>=1.0,<2; python_version < \"3.8\"".to_string(),
                vec![RepairKind::MissingComma]
            ))
        );
        assert_eq!(
            repaired("foo>=1.0!=1.5,<3"),
            Some((
                "foo>=1.0,!=1.5,<3".to_string(),
                vec![RepairKind::MissingComma]
            ))
        );
    }

    #[test]
    fn a_stray_comma_is_dropped() {
        assert_eq!(
            repaired("foo>=1.0,"),
            Some(("foo>=1.0".to_string(), vec![RepairKind::StrayComma]))
        );
        assert_eq!(
            repaired("foo (>=1.0,,<2)"),
            Some(("foo>=1.0,<2".to_string(), vec![RepairKind::StrayComma]))
        );
        // Nothing but commas leaves nothing to read as a specifier.
        assert_eq!(repaired("foo (,)"), None);
    }

    #[test]
    fn a_wildcard_on_an_inequality_is_dropped() {
        assert_eq!(
            repaired("foo>=1.0.*"),
            Some((
                "foo>=1.0".to_string(),
                vec![RepairKind::WildcardOnInequality]
            ))
        );
        // `==`/`!=` may carry one: only the inequality is changed, and several mistakes are
        // each named once.
        assert_eq!(
            repaired("foo (>=1.0.*<2.*, !=1.5.*,)"),
            Some((
                "foo>=1.0,<2,!=1.5.*".to_string(),
                vec![
                    RepairKind::MissingComma,
                    RepairKind::StrayComma,
                    RepairKind::WildcardOnInequality
                ]
            ))
        );
    }

    #[test]
    fn lines_without_a_known_mistake_are_left_alone() {
        for line in [
            "foo",
            "foo>=1.0,<2",
            "foo==1.0.*",
            "foo @ https://example.test/foo-1.0.tar.gz",
            "foo >= >= 1",
            "===",
            "",
        ] {
            assert_eq!(repair_requirement(line), None, "{line:?}");
        }
    }

    #[test]
    fn a_repair_names_the_line_and_what_was_fixed() {
        let repair = repair_requirement("elasticsearch-dsl (>=7.0.0<8.0.0)").unwrap();
        assert_eq!(
            repair.to_string(),
            "`elasticsearch-dsl (>=7.0.0<8.0.0)` read as `elasticsearch-dsl>=7.0.0,<8.0.0` (a missing comma)"
        );
    }
}
