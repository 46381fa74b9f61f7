//! setuptools' declarative configuration in an sdist's `setup.cfg`: `[options]`
//! `install_requires` and `python_requires`, and `[options.extras_require]`.
//!
//! The file is INI as Python's `configparser` reads it: `key = value` or `key: value`, values
//! continued on indented lines, full-line `#`/`;` comments, keys case-insensitive (and
//! setuptools also accepts `install-requires`). A requirement list spread over lines is split
//! at line ends; a one-line list is split at `;`, as setuptools does (so markers must be on
//! their own lines). `file:` and `attr:` directives are not followed.

use std::collections::BTreeMap;

use super::MetadataError;
use super::setuptools::{Given, NotStatic, SetuptoolsDeclaration};

/// What `[options]` and `[options.extras_require]` declare.
///
/// # Errors
/// [`NotStatic`] when a dependency field uses a `file:` or `attr:` directive.
pub(crate) fn read_setup_cfg(bytes: &[u8]) -> Result<SetuptoolsDeclaration, NotStatic> {
    let text = String::from_utf8_lossy(bytes);
    let sections = parse_ini(&text);
    let options = sections.get("options");
    let list = |section: &str, key: &str, value: &str| -> Result<Vec<String>, NotStatic> {
        let value = value.trim();
        if value.starts_with("file:") || value.starts_with("attr:") {
            return Err(NotStatic(format!(
                "`{section}.{key}` in setup.cfg is dynamic ({value})"
            )));
        }
        let separator = if value.contains('\n') { '\n' } else { ';' };
        Ok(value
            .split(separator)
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(str::to_string)
            .collect())
    };
    let mut declaration = SetuptoolsDeclaration::default();
    let metadata = sections.get("metadata");
    for (key, given) in [
        ("name", &mut declaration.name),
        ("version", &mut declaration.version),
    ] {
        if let Some(value) = metadata.and_then(|metadata| metadata.get(key)) {
            let value = value.trim();
            *given = if value.starts_with("file:") || value.starts_with("attr:") {
                Given::Computed(format!("metadata.{key}"))
            } else {
                Given::Literal(value.to_string())
            };
        }
    }
    if let Some(value) = options.and_then(|options| options.get("install_requires")) {
        declaration.install_requires = Some(list("options", "install_requires", value)?);
    }
    if let Some(value) = options.and_then(|options| options.get("python_requires")) {
        let value = value.trim();
        if value.starts_with("file:") || value.starts_with("attr:") {
            return Err(NotStatic(format!(
                "`options.python_requires` in setup.cfg is dynamic ({value})"
            )));
        }
        declaration.python_requires = Some(value.to_string());
    }
    if let Some(extras) = options.and_then(|options| options.get("extras_require")) {
        return Err(NotStatic(format!(
            "setup.cfg sets `[options] extras_require` to `{}` instead of using a section",
            extras.trim()
        )));
    }
    if let Some(section) = sections.get("options.extras_require") {
        let mut extras = Vec::new();
        for (key, value) in section {
            extras.push((key.clone(), list("options.extras_require", key, value)?));
        }
        declaration.extras_require = Some(extras);
    }
    Ok(declaration)
}

/// What a `setup.cfg` given as an input declares: its name and requirement lists, as written.
#[derive(Debug, Default)]
pub struct SetupCfgRequirements {
    /// `[metadata] name`, when static.
    pub name: Option<String>,
    /// `[options] install_requires`, one requirement a line.
    pub install_requires: Vec<String>,
    /// `[options.extras_require]`: `(extra, requirements)` in file order.
    pub extras_require: Vec<(String, Vec<String>)>,
}

/// Reads `setup.cfg` for its requirements (a project file given as an input), by the same
/// rules as an sdist's.
///
/// # Errors
/// [`MetadataError::NotStatic`] when a requirement field uses a `file:` or `attr:` directive.
pub fn setup_cfg_requirements(bytes: &[u8]) -> Result<SetupCfgRequirements, MetadataError> {
    let declaration =
        read_setup_cfg(bytes).map_err(|NotStatic(reason)| MetadataError::NotStatic { reason })?;
    Ok(SetupCfgRequirements {
        name: match declaration.name {
            Given::Literal(name) => Some(name),
            Given::Absent | Given::Computed(_) => None,
        },
        install_requires: declaration.install_requires.unwrap_or_default(),
        extras_require: declaration.extras_require.unwrap_or_default(),
    })
}

/// Sections of `key → value`, keys lowercased with `-` read as `_` (except in
/// `[options.extras_require]`, whose keys are extra names).
fn parse_ini(text: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut sections: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut section: Option<String> = None;
    for raw in text.lines() {
        let trimmed = raw.trim();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if trimmed.is_empty() {
            // configparser keeps empty lines inside values; they are dropped when split.
            continue;
        }
        if raw.starts_with([' ', '\t']) {
            if let Some(name) = &section
                && let Some((_, value)) = sections.entry(name.clone()).or_default().last_mut()
            {
                value.push('\n');
                value.push_str(trimmed);
            }
            continue;
        }
        if let Some(name) = trimmed
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
        {
            section = Some(name.trim().to_string());
            continue;
        }
        let Some(name) = &section else {
            continue;
        };
        let split = trimmed.find(['=', ':']);
        let (key, value) = match split {
            Some(at) => (&trimmed[..at], &trimmed[at + 1..]),
            None => (trimmed, ""),
        };
        let key = if name == "options.extras_require" {
            key.trim().to_string()
        } else {
            key.trim().to_ascii_lowercase().replace('-', "_")
        };
        let entries = sections.entry(name.clone()).or_default();
        // configparser rejects duplicate keys; the last one is as good a reading as any.
        entries.retain(|(existing, _)| *existing != key);
        entries.push((key, value.trim().to_string()));
    }
    sections
}

/// A section's value by key.
trait Get {
    fn get(&self, key: &str) -> Option<&String>;
}

impl Get for Vec<(String, String)> {
    fn get(&self, key: &str) -> Option<&String> {
        self.iter()
            .find(|(found, _)| found == key)
            .map(|(_, value)| value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_options_and_extras() {
        let cfg = "[metadata]\nname = demo\n\n[options]\npackages = find:\nInstall-Requires =\n    \
                   requests>=2\n    # a comment\n\n    attrs; python_version < \"3.8\"\n\
                   python_requires = >=3.7\n\n[options.extras_require]\nTest =\n    pytest\n    \
                   mock\nfast = orjson; ujson\n\n[flake8]\nmax-line-length = 100\n";
        let declaration = read_setup_cfg(cfg.as_bytes()).unwrap();
        assert_eq!(
            declaration,
            SetuptoolsDeclaration {
                install_requires: Some(vec![
                    "requests>=2".into(),
                    "attrs; python_version < \"3.8\"".into()
                ]),
                extras_require: Some(vec![
                    ("Test".into(), vec!["pytest".into(), "mock".into()]),
                    ("fast".into(), vec!["orjson".into(), "ujson".into()]),
                ]),
                python_requires: Some(">=3.7".into()),
                name: Given::Literal("demo".into()),
                version: Given::Absent,
            }
        );
    }

    #[test]
    fn files_without_options_declare_nothing() {
        for cfg in [
            "",
            "[metadata]\ndescription-file = README.md\n",
            "[bdist_wheel]\nuniversal = 1\n[egg_info]\ntag_build =\n",
        ] {
            assert_eq!(
                read_setup_cfg(cfg.as_bytes()).unwrap(),
                SetuptoolsDeclaration::default(),
                "{cfg}"
            );
        }
    }

    #[test]
    fn directives_are_not_followed() {
        for cfg in [
            "[options]\ninstall_requires = file: requirements.txt\n",
            "[options]\npython_requires = attr: pkg.PYTHON\n",
            "[options]\nextras_require = file: extras.txt\n",
            "[options.extras_require]\ntest = file: test.txt\n",
        ] {
            assert!(read_setup_cfg(cfg.as_bytes()).is_err(), "{cfg}");
        }
    }
}
