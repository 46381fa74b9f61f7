//! A tokenizer for the part of Python that `setup.py` files are written in: names, string
//! literals (every prefix and quote style), numbers, operators and brackets, with comments,
//! blank lines and line continuations dropped.
//!
//! It knows where logical lines start (a newline outside brackets, not after a backslash) and
//! how deep in brackets each token is, which is all the reader above needs to find statements.
//! Indentation is only recorded as a number; blocks are never built. Anything it cannot
//! tokenize (an unterminated string) is an error, and the file is then not read at all.

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// An identifier or keyword.
    Name(String),
    /// A string literal's value, escapes decoded. `formatted` for f-strings, whose value is not
    /// known without running the code.
    Str { value: String, formatted: bool },
    /// A number (its value never matters here).
    Number,
    /// An operator or bracket: `(`, `**`, `+=`, `.`, …
    Op(String),
}

/// One token and where it stands.
#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) kind: Kind,
    /// Whether this token is the first of a logical line.
    pub(super) line_start: bool,
    /// The column of the first token of this token's logical line (0: module level).
    pub(super) indent: usize,
    /// How many brackets are open before this token.
    pub(super) depth: usize,
}

impl Token {
    /// Whether this token is the operator `op`.
    pub(super) fn is_op(&self, op: &str) -> bool {
        matches!(&self.kind, Kind::Op(found) if found == op)
    }

    /// Whether this token is the name `name`.
    pub(super) fn is_name(&self, name: &str) -> bool {
        matches!(&self.kind, Kind::Name(found) if found == name)
    }
}

const THREE_CHAR_OPS: [&str; 5] = ["**=", "//=", ">>=", "<<=", "..."];
const TWO_CHAR_OPS: [&str; 19] = [
    "**", "//", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "->",
    ":=", "<<", ">>",
];

/// Splits Python source into tokens.
///
/// # Errors
/// A description of the first thing that is not Python (an unterminated string).
pub(super) fn tokenize(source: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut position = 0;
    let mut depth = 0usize;
    let mut line_start = true;
    let mut column = 0usize;
    let mut indent = 0usize;
    while let Some(&character) = chars.get(position) {
        match character {
            '\n' => {
                position += 1;
                column = 0;
                if depth == 0 {
                    line_start = true;
                }
                continue;
            }
            '\\' if chars.get(position + 1) == Some(&'\n') => {
                position += 2;
                column = 0;
                continue;
            }
            '\\' if chars.get(position + 1) == Some(&'\r')
                && chars.get(position + 2) == Some(&'\n') =>
            {
                position += 3;
                column = 0;
                continue;
            }
            ' ' | '\t' | '\r' | '\x0c' => {
                position += 1;
                column += 1;
                continue;
            }
            '#' => {
                while chars.get(position).is_some_and(|&next| next != '\n') {
                    position += 1;
                }
                continue;
            }
            _ => {}
        }
        let start = position;
        let kind = if let Some(prefix) = string_prefix(&chars, position) {
            let (kind, end) = string(&chars, position, prefix)?;
            position = end;
            kind
        } else if character.is_alphabetic() || character == '_' {
            while chars
                .get(position)
                .is_some_and(|&next| next.is_alphanumeric() || next == '_')
            {
                position += 1;
            }
            Kind::Name(chars[start..position].iter().collect())
        } else if character.is_ascii_digit()
            || (character == '.' && chars.get(position + 1).is_some_and(char::is_ascii_digit))
        {
            while chars
                .get(position)
                .is_some_and(|&next| next.is_alphanumeric() || next == '_' || next == '.')
            {
                position += 1;
            }
            Kind::Number
        } else {
            let op = operator(&chars, position);
            position += op.chars().count();
            match op.as_str() {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => depth = depth.saturating_sub(1),
                _ => {}
            }
            Kind::Op(op)
        };
        if line_start {
            indent = column;
        }
        let token_depth = match &kind {
            Kind::Op(op) if matches!(op.as_str(), "(" | "[" | "{") => depth - 1,
            _ => depth,
        };
        tokens.push(Token {
            kind,
            line_start,
            indent,
            depth: token_depth,
        });
        line_start = false;
        let consumed = &chars[start..position];
        column = match consumed.iter().rposition(|&c| c == '\n') {
            Some(newline) => consumed.len() - newline - 1,
            None => column + consumed.len(),
        };
    }
    Ok(tokens)
}

/// The length of a string prefix (`r`, `b`, `rb`, `f`, `u`, …, or none) when a string literal
/// starts at `position`.
fn string_prefix(chars: &[char], position: usize) -> Option<usize> {
    let mut end = position;
    while end - position < 2
        && chars
            .get(end)
            .is_some_and(|c| matches!(c.to_ascii_lowercase(), 'r' | 'u' | 'b' | 'f'))
    {
        end += 1;
    }
    matches!(chars.get(end), Some('\'' | '"')).then_some(end - position)
}

/// Reads the string literal at `position` (prefix included); returns it and the position after.
fn string(chars: &[char], position: usize, prefix: usize) -> Result<(Kind, usize), String> {
    let prefix_chars: String = chars[position..position + prefix]
        .iter()
        .map(char::to_ascii_lowercase)
        .collect();
    let raw = prefix_chars.contains('r');
    let formatted = prefix_chars.contains('f');
    let quote = chars[position + prefix];
    let triple = chars.get(position + prefix + 1) == Some(&quote)
        && chars.get(position + prefix + 2) == Some(&quote);
    let mut at = position + prefix + if triple { 3 } else { 1 };
    let mut value = String::new();
    loop {
        let Some(&character) = chars.get(at) else {
            return Err("a string literal is not terminated".to_string());
        };
        if character == quote
            && (!triple || (chars.get(at + 1) == Some(&quote) && chars.get(at + 2) == Some(&quote)))
        {
            at += if triple { 3 } else { 1 };
            break;
        }
        if character == '\n' && !triple {
            return Err("a string literal is not terminated".to_string());
        }
        if character == '\\'
            && let Some(&next) = chars.get(at + 1)
        {
            at += 2;
            if raw {
                value.push('\\');
                value.push(next);
                continue;
            }
            match next {
                '\n' => {}
                '\\' | '\'' | '"' => value.push(next),
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'r' => value.push('\r'),
                _ => {
                    // Other escapes (`\x41`, `\u00e9`, …) never occur in requirements; keeping
                    // them as written is what Python does for unknown ones anyway.
                    value.push('\\');
                    value.push(next);
                }
            }
            continue;
        }
        value.push(character);
        at += 1;
    }
    Ok((Kind::Str { value, formatted }, at))
}

/// The operator at `position`: the longest known one, else one character.
fn operator(chars: &[char], position: usize) -> String {
    let ahead = |length: usize| -> Option<String> {
        chars
            .get(position..position + length)
            .map(|slice| slice.iter().collect())
    };
    if let Some(three) = ahead(3)
        && THREE_CHAR_OPS.contains(&three.as_str())
    {
        return three;
    }
    if let Some(two) = ahead(2)
        && TWO_CHAR_OPS.contains(&two.as_str())
    {
        return two;
    }
    chars[position].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<Kind> {
        tokenize(source)
            .unwrap()
            .into_iter()
            .map(|token| token.kind)
            .collect()
    }

    fn name(text: &str) -> Kind {
        Kind::Name(text.to_string())
    }

    fn op(text: &str) -> Kind {
        Kind::Op(text.to_string())
    }

    fn string(value: &str) -> Kind {
        Kind::Str {
            value: value.to_string(),
            formatted: false,
        }
    }

    #[test]
    fn strings_of_every_kind() {
        let source = r#"a = 'x' "y" '''z
'q'
''' r'\d' b"\"" f"{v}" u'\n' R"""raw \""" """ '#not a comment' # a comment"#;
        assert_eq!(
            kinds(source),
            [
                name("a"),
                op("="),
                string("x"),
                string("y"),
                string("z\n'q'\n"),
                string("\\d"),
                string("\""),
                Kind::Str {
                    value: "{v}".to_string(),
                    formatted: true
                },
                string("\n"),
                string("raw \\\"\"\" "),
                string("#not a comment"),
            ]
        );
        assert!(tokenize("x = 'open").is_err());
        assert!(tokenize("x = 'open\n'").is_err());
        assert!(tokenize("x = '''open\n").is_err());
    }

    #[test]
    fn operators_numbers_and_names() {
        assert_eq!(
            kinds("x **= 2.5e3 + .5; y := a.b != c ** d -> é_1"),
            [
                name("x"),
                op("**="),
                Kind::Number,
                op("+"),
                Kind::Number,
                op(";"),
                name("y"),
                op(":="),
                name("a"),
                op("."),
                name("b"),
                op("!="),
                name("c"),
                op("**"),
                name("d"),
                op("->"),
                name("é_1"),
            ]
        );
    }

    #[test]
    fn logical_lines_indents_and_depths() {
        let source =
            "import a\nx = [\n    1,\n  2]\nif y:\n    z = \\\n  3\n\n# c\n  \nw = f(k=(1))\n";
        let tokens = tokenize(source).unwrap();
        let summary: Vec<(String, bool, usize, usize)> = tokens
            .iter()
            .map(|token| {
                let text = match &token.kind {
                    Kind::Name(text) | Kind::Op(text) => text.clone(),
                    Kind::Str { value, .. } => value.clone(),
                    Kind::Number => "#".to_string(),
                };
                (text, token.line_start, token.indent, token.depth)
            })
            .collect();
        let expected = [
            ("import", true, 0, 0),
            ("a", false, 0, 0),
            ("x", true, 0, 0),
            ("=", false, 0, 0),
            ("[", false, 0, 0),
            ("#", false, 0, 1),
            (",", false, 0, 1),
            ("#", false, 0, 1),
            ("]", false, 0, 0),
            ("if", true, 0, 0),
            ("y", false, 0, 0),
            (":", false, 0, 0),
            ("z", true, 4, 0),
            ("=", false, 4, 0),
            ("#", false, 4, 0),
            ("w", true, 0, 0),
            ("=", false, 0, 0),
            ("f", false, 0, 0),
            ("(", false, 0, 0),
            ("k", false, 0, 1),
            ("=", false, 0, 1),
            ("(", false, 0, 1),
            ("#", false, 0, 2),
            (")", false, 0, 1),
            (")", false, 0, 0),
        ];
        let expected: Vec<(String, bool, usize, usize)> = expected
            .iter()
            .map(|(text, start, indent, depth)| (text.to_string(), *start, *indent, *depth))
            .collect();
        assert_eq!(summary, expected);
    }
}
