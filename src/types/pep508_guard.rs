//! Checks of outside text before pep508_rs parses it, for three ways its 0.9.2 release fails
//! worse than with an error (all found by the property tests of issue 16):
//!
//! - its marker parser recurses once per `(`, with no limit of its own: a marker of a few
//!   thousand nested parentheses overflows a 2 MiB stack, which aborts the whole process;
//! - a name ending in `.`, `-` or `_` followed by anything (`foo- >=1`, `a.;x`) reaches an
//!   `expect` in its name parser and panics;
//! - a marker with a non-ASCII character outside its quoted strings (`python_version < "3.8"é`)
//!   is sliced inside that character when the error is built, which panics.
//!
//! Every place that hands pep508_rs outside text (requirements files, metadata, locks, build
//! backends' answers) checks it here first, and reports the cause as an ordinary error.

/// No marker written by hand or by a tool nests this deep; pep508_rs reaches it with a small
/// fraction of a 2 MiB stack, even in a debug build.
pub const MAX_NESTING: usize = 64;

/// Why text is refused before pep508_rs sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnsafeText {
    /// Parentheses nest deeper than [`MAX_NESTING`].
    #[error("parentheses nest more than {MAX_NESTING} deep")]
    TooDeep,
    /// The leading project name ends in a separator.
    #[error("the package name must end with an alphanumeric character, not `{0}`")]
    NameEnd(char),
    /// A marker holds a non-ASCII character outside its quoted strings.
    #[error("a marker may hold `{0}` only inside a quoted string")]
    NonAscii(char),
}

/// Checks a marker: its parentheses nest at most [`MAX_NESTING`] deep (those inside quoted
/// strings count too: a real marker never has dozens of them there), and it is ASCII outside
/// its quoted strings, as the marker grammar is.
///
/// # Errors
/// [`UnsafeText::TooDeep`] past the bound, [`UnsafeText::NonAscii`].
pub fn check_marker(text: &str) -> Result<(), UnsafeText> {
    check_nesting(text)?;
    let mut quote = None;
    for character in text.chars() {
        match (quote, character) {
            (Some(open), c) if c == open => quote = None,
            (None, '"' | '\'') => quote = Some(character),
            (None, c) if !c.is_ascii() => return Err(UnsafeText::NonAscii(c)),
            _ => {}
        }
    }
    Ok(())
}

fn check_nesting(text: &str) -> Result<(), UnsafeText> {
    let mut depth = 0usize;
    for byte in text.bytes() {
        match byte {
            b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(UnsafeText::TooDeep);
                }
            }
            b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Checks a whole requirement: its nesting; that its leading name (the run of name characters
/// after any whitespace, when it starts with a letter or digit) does not end in `.`, `-` or
/// `_`; and what follows its first `;` as a marker. (A URL holding `;` and then a non-ASCII
/// character is refused too; such URLs are not seen in requirements.)
///
/// # Errors
/// As [`check_marker`], and [`UnsafeText::NameEnd`].
pub fn check_requirement(text: &str) -> Result<(), UnsafeText> {
    check_nesting(text)?;
    let text = text.trim_start();
    if text.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        let name_end = text
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            .last();
        if let Some(end @ ('.' | '-' | '_')) = name_end {
            return Err(UnsafeText::NameEnd(end));
        }
    }
    match text.split_once(';') {
        Some((_, marker)) => check_marker(marker),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_up_to_the_bound_is_accepted_and_past_it_refused() {
        let nested = |depth: usize| format!("{}a{}", "(".repeat(depth), ")".repeat(depth));
        assert_eq!(check_marker(&nested(MAX_NESTING)), Ok(()));
        assert_eq!(
            check_marker(&nested(MAX_NESTING + 1)),
            Err(UnsafeText::TooDeep)
        );
        // Depth, not count: many groups side by side are fine.
        assert_eq!(check_marker(&"(a) and ".repeat(1000)), Ok(()));
    }

    /// pep508_rs 0.9.2 panics on each of these (`PackageName` validation should match PEP 508
    /// parsing); found by the property tests from a mutated `Requires-Dist` line.
    #[test]
    fn a_name_ending_in_a_separator_is_refused_before_pep508_rs_panics() {
        for text in [
            "Versio.:  pytest",
            "foo- >=1",
            "a_ @ https://x/a.whl",
            " b.;python_version>'3'",
        ] {
            assert!(
                matches!(check_requirement(text), Err(UnsafeText::NameEnd(_))),
                "{text}"
            );
        }
        for text in [
            "a.b>=1",
            "foo-bar",
            "x",
            "",
            "./local",
            "a ; (python_version > '3')",
        ] {
            assert_eq!(check_requirement(text), Ok(()), "{text}");
        }
    }

    /// pep508_rs 0.9.2 panics on this (a byte index inside `\u{fffd}`); found by the property
    /// tests from a mutated `requires.txt` section header.
    #[test]
    fn a_marker_with_non_ascii_outside_quotes_is_refused_before_pep508_rs_panics() {
        let marker = "python_version < \"3.8\"\u{fffd}";
        assert_eq!(check_marker(marker), Err(UnsafeText::NonAscii('\u{fffd}')));
        assert!(check_requirement(&format!("a ; {marker}")).is_err());
        assert_eq!(check_marker("platform_release == 'ünï'"), Ok(()));
        assert_eq!(check_requirement("a @ https://host/ünï.whl"), Ok(()));
    }
}
