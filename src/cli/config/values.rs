//! Typing a key's TOML value, and saying what was expected when it has the wrong type.

use std::fmt;
use std::path::PathBuf;

use clap::ValueEnum;
use toml::Value;

/// What a key's value should have been.
#[derive(Debug)]
pub enum Expected {
    /// `true` or `false`.
    Boolean,
    /// A string.
    String,
    /// An array of strings.
    Strings,
    /// A string or an array of strings.
    StringOrStrings,
    /// A non-negative integer.
    Integer,
    /// One of these strings.
    OneOf(Vec<String>),
    /// `[[tool.pinwheel.index]]` entries.
    Indexes,
    /// `[tool.pinwheel.sources]`.
    Sources,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Boolean => f.write_str("a boolean (`true` or `false`)"),
            Self::String => f.write_str("a string"),
            Self::Strings => f.write_str("an array of strings"),
            Self::StringOrStrings => f.write_str("a string or an array of strings"),
            Self::Integer => f.write_str("a non-negative integer"),
            Self::OneOf(choices) => {
                let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
                write!(f, "one of {}", quoted.join(", "))
            }
            Self::Indexes => f.write_str(
                "an array of tables with `name` and `url` strings and optional `explicit` and `default` booleans ([[tool.pinwheel.index]])",
            ),
            Self::Sources => f.write_str(
                "a table of `package = { index = \"name\" }` entries ([tool.pinwheel.sources])",
            ),
        }
    }
}

pub(super) fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => format!("the string \"{text}\""),
        Value::Integer(number) => format!("the integer {number}"),
        Value::Boolean(flag) => format!("the boolean {flag}"),
        other => format!("a{} {}", article_n(other.type_str()), other.type_str()),
    }
}

pub(super) fn article_n(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "n"
    } else {
        ""
    }
}

pub(super) fn boolean(value: &Value) -> Result<bool, Expected> {
    value.as_bool().ok_or(Expected::Boolean)
}

pub(super) fn string(value: &Value) -> Result<String, Expected> {
    value.as_str().map(str::to_string).ok_or(Expected::String)
}

pub(super) fn path(value: &Value) -> Result<PathBuf, Expected> {
    string(value).map(PathBuf::from)
}

pub(super) fn strings(value: &Value) -> Result<Vec<String>, Expected> {
    // pip-tools wants an array for a repeatable option even when there is one value.
    value
        .as_array()
        .ok_or(Expected::Strings)?
        .iter()
        .map(|item| item.as_str().map(str::to_string).ok_or(Expected::Strings))
        .collect()
}

/// A string or an array of strings: the target keys, where one target is the usual case and
/// a list locks several.
pub(super) fn string_or_strings(value: &Value) -> Result<Vec<String>, Expected> {
    match value.as_str() {
        Some(one) => Ok(vec![one.to_string()]),
        None => strings(value).map_err(|_| Expected::StringOrStrings),
    }
}

pub(super) fn paths(value: &Value) -> Result<Vec<PathBuf>, Expected> {
    strings(value).map(|items| items.into_iter().map(PathBuf::from).collect())
}

pub(super) fn integer(value: &Value) -> Result<u64, Expected> {
    value
        .as_integer()
        .and_then(|number| u64::try_from(number).ok())
        .ok_or(Expected::Integer)
}

/// A value of a `--flag {a,b}` option, matched without regard to case (pip-tools writes `LF`).
pub(super) fn choice<T: ValueEnum>(value: &Value) -> Result<T, Expected> {
    let names = || {
        T::value_variants()
            .iter()
            .filter_map(ValueEnum::to_possible_value)
            .map(|possible| possible.get_name().to_string())
            .collect()
    };
    let text = value.as_str().ok_or_else(|| Expected::OneOf(names()))?;
    T::from_str(text, true).map_err(|_| Expected::OneOf(names()))
}
