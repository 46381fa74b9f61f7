//! Named indexes (`[[tool.pinwheel.index]]`) and the packages pinned to them
//! (`[tool.pinwheel.sources]`), as uv spells them: typed from TOML here, checked against each
//! other once the table is read.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use toml::Value;

use super::ConfigError;
use super::values::Expected;
use crate::types::PackageName;

/// One `[[tool.pinwheel.index]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedIndex {
    /// Its name: what sources and the credential variables refer to.
    pub name: String,
    /// Its simple-API URL, as written (it may hold `${NAME}` references or credentials).
    pub url: String,
    /// Asked only for the packages a source pins to it.
    pub explicit: bool,
    /// Replaces PyPI as the base index.
    pub default: bool,
}

impl NamedIndex {
    /// The prefix of the variables that hold this index's credentials:
    /// `PINWHEEL_INDEX_<NAME>_`, the name upper-cased with every other character than a
    /// letter or digit made `_` (as uv forms `UV_INDEX_<NAME>_USERNAME`).
    #[must_use]
    pub fn variable_prefix(&self) -> String {
        let name: String = self
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        format!("PINWHEEL_INDEX_{name}_")
    }
}

/// Package → the name of its one index.
pub type Sources = BTreeMap<PackageName, String>;

/// `index = [{ name = "...", url = "...", explicit = true }, ...]`.
pub(super) fn named_indexes(value: &Value) -> Result<Vec<NamedIndex>, Expected> {
    let entries = value.as_array().ok_or(Expected::Indexes)?;
    entries
        .iter()
        .map(|entry| {
            let table = entry.as_table().ok_or(Expected::Indexes)?;
            let text = |key: &str| table.get(key).and_then(Value::as_str).map(str::to_string);
            let flag = |key: &str| match table.get(key) {
                None => Ok(false),
                Some(value) => value.as_bool().ok_or(Expected::Indexes),
            };
            if table
                .keys()
                .any(|key| !["name", "url", "explicit", "default"].contains(&key.as_str()))
            {
                return Err(Expected::Indexes);
            }
            Ok(NamedIndex {
                name: text("name").ok_or(Expected::Indexes)?,
                url: text("url").ok_or(Expected::Indexes)?,
                explicit: flag("explicit")?,
                default: flag("default")?,
            })
        })
        .collect()
}

/// `sources = { package = { index = "name" }, ... }`.
pub(super) fn sources(value: &Value) -> Result<Sources, Expected> {
    let table = value.as_table().ok_or(Expected::Sources)?;
    table
        .iter()
        .map(|(package, source)| {
            let source = source.as_table().ok_or(Expected::Sources)?;
            if source.len() != 1 {
                return Err(Expected::Sources);
            }
            let index = source
                .get("index")
                .and_then(Value::as_str)
                .ok_or(Expected::Sources)?;
            let name = PackageName::from_str(package).map_err(|_| Expected::Sources)?;
            Ok((name, index.to_string()))
        })
        .collect()
}

/// Checks `indexes` and `sources` (both from the `[tool.pinwheel]` table of `path`) against
/// each other: names are unique and well-formed, at most one index is the default, and every
/// source names an index.
pub(super) fn check(
    indexes: &[NamedIndex],
    sources: &Sources,
    path: &Path,
) -> Result<(), ConfigError> {
    let error = |message: String| ConfigError::Indexes {
        path: path.to_path_buf(),
        message,
    };
    for (position, index) in indexes.iter().enumerate() {
        let valid = !index.name.is_empty()
            && index
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
        if !valid {
            return Err(error(format!(
                "index name `{}` must be letters, digits, `-`, `_` and `.`",
                index.name
            )));
        }
        if indexes[..position]
            .iter()
            .any(|earlier| earlier.name == index.name)
        {
            return Err(error(format!("two indexes are named `{}`", index.name)));
        }
    }
    let defaults: Vec<&str> = indexes
        .iter()
        .filter(|index| index.default)
        .map(|index| index.name.as_str())
        .collect();
    if defaults.len() > 1 {
        return Err(error(format!(
            "indexes `{}` are all `default = true`; one index at most replaces PyPI",
            defaults.join("`, `")
        )));
    }
    for (package, name) in sources {
        if !indexes.iter().any(|index| &index.name == name) {
            return Err(error(format!(
                "[tool.pinwheel.sources] pins `{package}` to index `{name}`, which no [[tool.pinwheel.index]] names"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<NamedIndex>, Sources) {
        let table: toml::Table = toml::from_str(text).unwrap();
        (
            named_indexes(&table["index"]).unwrap(),
            table
                .get("sources")
                .map(|v| sources(v).unwrap())
                .unwrap_or_default(),
        )
    }

    #[test]
    fn indexes_and_sources_are_read() {
        let (indexes, sources) = parse(
            "[[index]]\nname = \"corp\"\nurl = \"https://corp.example/simple\"\nexplicit = true\n\
             [sources]\nCorp_Lib = { index = \"corp\" }\n",
        );
        assert_eq!(indexes.len(), 1);
        assert!(indexes[0].explicit && !indexes[0].default);
        assert_eq!(indexes[0].variable_prefix(), "PINWHEEL_INDEX_CORP_");
        assert_eq!(sources[&PackageName::from_str("corp-lib").unwrap()], "corp");
        assert!(check(&indexes, &sources, Path::new("pyproject.toml")).is_ok());
    }

    #[test]
    fn a_source_naming_no_index_is_an_error_naming_both() {
        let (indexes, sources) = parse(
            "[[index]]\nname = \"corp\"\nurl = \"https://corp.example/simple\"\n\
             [sources]\nlib = { index = \"crop\" }\n",
        );
        let error = check(&indexes, &sources, Path::new("pyproject.toml")).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("pyproject.toml") && text.contains("`lib`") && text.contains("`crop`"),
            "{text}"
        );
    }

    #[test]
    fn entries_with_unknown_keys_or_no_url_are_refused() {
        for text in [
            "index = [{ name = \"a\" }]",
            "index = [{ name = \"a\", url = \"u\", explict = true }]",
            "index = [{ name = \"a\", url = \"u\", explicit = \"yes\" }]",
            "index = \"https://x\"",
        ] {
            let table: toml::Table = toml::from_str(text).unwrap();
            assert!(named_indexes(&table["index"]).is_err(), "{text}");
        }
    }

    #[test]
    fn duplicate_names_and_two_defaults_are_refused() {
        let index = |name: &str, default| NamedIndex {
            name: name.to_string(),
            url: "https://x.example/simple".to_string(),
            explicit: false,
            default,
        };
        let path = Path::new("pyproject.toml");
        assert!(
            check(
                &[index("a", false), index("a", false)],
                &Sources::new(),
                path
            )
            .is_err()
        );
        assert!(check(&[index("a", true), index("b", true)], &Sources::new(), path).is_err());
        assert!(check(&[index("a b", false)], &Sources::new(), path).is_err());
    }
}
