//! `${NAME}` references in requirements files, expanded as pip expands them.
//!
//! pip's rule, kept exactly: only the braced form `${NAME}` is a reference, and `NAME` is made of
//! uppercase ASCII letters, digits and `_` (so a `$` in a password or a `$HOME` is never touched);
//! a reference to a variable that is not set is left as written. The values come from the caller
//! (the `cli` settings read the process environment), so this module never reads `std::env` and
//! tests can pass any map.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// The values `${NAME}` references expand to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Variables {
    values: BTreeMap<String, String>,
}

impl Variables {
    /// No variables: every reference stays as written.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// The value of `name`, if set.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// `text` with every `${NAME}` whose variable is set replaced by its value.
    ///
    /// Replacement is a single pass: a value that itself contains `${OTHER}` is not expanded
    /// again, as in pip.
    #[must_use]
    pub fn expand<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if !text.contains("${") {
            return Cow::Borrowed(text);
        }
        let mut expanded = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let (before, reference) = rest.split_at(start);
            expanded.push_str(before);
            match reference_name(reference).and_then(|name| Some((name, self.get(name)?))) {
                Some((name, value)) => {
                    expanded.push_str(value);
                    // `${` + name + `}`.
                    rest = &reference[name.len() + 3..];
                }
                None => {
                    // Not a reference, or not set: keep the `${` and look further on.
                    expanded.push_str("${");
                    rest = &reference[2..];
                }
            }
        }
        expanded.push_str(rest);
        Cow::Owned(expanded)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Variables {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        Self {
            values: pairs
                .into_iter()
                .map(|(name, value)| (name.into(), value.into()))
                .collect(),
        }
    }
}

/// The `NAME` of `${NAME}` at the start of `text`, when it is a well-formed reference.
fn reference_name(text: &str) -> Option<&str> {
    let body = text.strip_prefix("${")?;
    let end = body.find('}')?;
    let name = &body[..end];
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit() || byte == b'_');
    valid.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables() -> Variables {
        [
            ("INDEX", "https://mirror.example/simple"),
            ("DIR_2", "pkg"),
            ("NESTED", "${INDEX}"),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn expands_only_braced_uppercase_references_that_are_set() {
        let cases = [
            ("-i ${INDEX}", "-i https://mirror.example/simple"),
            ("./${DIR_2}[dev]", "./pkg[dev]"),
            ("${DIR_2}/${DIR_2}", "pkg/pkg"),
            // Unset: left as written.
            ("attrs==${UNSET}", "attrs==${UNSET}"),
            // Not pip's syntax: never touched.
            (
                "$INDEX ${index} ${DIR-2} ${} ${INDEX",
                "$INDEX ${index} ${DIR-2} ${} ${INDEX",
            ),
            ("pa$$word@${DIR_2}", "pa$$word@pkg"),
            // One pass: a value is not expanded again.
            ("${NESTED}", "${INDEX}"),
            ("no references", "no references"),
        ];
        for (text, expected) in cases {
            assert_eq!(variables().expand(text), expected, "{text}");
        }
    }

    #[test]
    fn no_variables_leave_everything_as_written() {
        assert_eq!(Variables::none().expand("${INDEX}/x"), "${INDEX}/x");
    }
}
