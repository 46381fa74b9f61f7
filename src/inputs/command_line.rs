//! Requirements given on the command line (`--with numpy,pandas --with 'requests>=2,<3'`).

use std::path::PathBuf;
use std::str::FromStr as _;

use pep508_rs::Requirement;

use super::{InputError, InputErrorKind, InputRequirement, Manifest, Origin, OriginKind};

/// The option the requirements came from, shown in annotations and errors.
const OPTION: &str = "--with";

/// A manifest of the requirements in `values`, each a comma-separated list.
///
/// # Errors
/// When an entry is not a valid PEP 508 requirement; the error names the option and the
/// position of the value (1-based) as its "line".
pub fn command_line_manifest(values: &[String]) -> Result<Manifest, InputError> {
    let mut manifest = Manifest::default();
    for (position, value) in values.iter().enumerate() {
        for text in split_requirements(value) {
            let invalid = |message: String| InputError {
                file: PathBuf::from(OPTION),
                line: Some(position + 1),
                included_from: Vec::new(),
                kind: InputErrorKind::InvalidRequirement {
                    text: text.clone(),
                    message,
                },
            };
            crate::types::check_requirement(&text).map_err(|error| invalid(error.to_string()))?;
            let requirement =
                Requirement::from_str(&text).map_err(|error| invalid(error.message.to_string()))?;
            manifest.requirements.push(InputRequirement {
                requirement,
                text,
                local: None,
                origin: Origin {
                    kind: OriginKind::CommandLine,
                    file: PathBuf::from(OPTION),
                    line: position + 1,
                    project: None,
                },
            });
        }
    }
    Ok(manifest)
}

/// Splits `numpy,pandas[excel,html],requests>=2,<3` into requirements: a comma starts a new
/// requirement only outside brackets and when what follows is not a version clause (which
/// starts with an operator, as in `>=2,<3`).
fn split_requirements(value: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut depth = 0_usize;
    for character in value.chars() {
        match character {
            '[' | '(' => depth += 1,
            ']' | ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(character);
    }
    parts.push(current);
    let mut requirements: Vec<String> = Vec::new();
    for part in parts {
        let trimmed = part.trim();
        if trimmed.is_empty() {
            continue;
        }
        let continues_specifier = trimmed.starts_with(['<', '>', '=', '!', '~']);
        match requirements.last_mut() {
            Some(previous) if continues_specifier => {
                previous.push(',');
                previous.push_str(trimmed);
            }
            _ => requirements.push(trimmed.to_string()),
        }
    }
    requirements
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lists_but_not_specifiers_or_extras() {
        assert_eq!(
            split_requirements("numpy, pandas[excel,html] ,requests>=2,<3,!=2.1,,flask"),
            [
                "numpy",
                "pandas[excel,html]",
                "requests>=2,<3,!=2.1",
                "flask"
            ]
        );
    }

    #[test]
    fn builds_requirements_annotated_with_the_option() {
        let manifest =
            command_line_manifest(&["numpy,pandas".to_string(), "requests>=2".to_string()])
                .unwrap();
        let names: Vec<String> = manifest
            .requirements
            .iter()
            .map(|entry| entry.requirement.name.to_string())
            .collect();
        assert_eq!(names, ["numpy", "pandas", "requests"]);
        assert_eq!(manifest.requirements[2].origin.annotation(), "--with");
        assert_eq!(manifest.requirements[2].origin.line, 2);
    }

    #[test]
    fn bad_requirements_name_the_option() {
        let error = command_line_manifest(&["numpy,pandas>>1".to_string()])
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("--with:1: invalid requirement `pandas>>1`"),
            "{error}"
        );
    }
}
