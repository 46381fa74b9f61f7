//! `pyproject.toml`'s `[build-system]` table (PEP 517 and 518): which requirements a build
//! environment needs, and which backend object to call in it.
//!
//! Only the table is interpreted here; resolving the requirements and running the backend is
//! `crate::build`'s job. The defaults are the ones pip applies to a project that predates
//! PEP 517: setuptools, through its legacy backend (which runs `setup.py` as before).

use std::path::{Component, Path};

use pep508_rs::Requirement;
use serde::Deserialize;

use super::MetadataError;
use super::core::parse_requirement;

/// The requirement a project without `[build-system]` is built with (PEP 518's default).
const DEFAULT_REQUIRES: &str = "setuptools>=40.8.0";

/// The backend of a project that names none (PEP 517's fallback, as pip applies it).
const LEGACY_BACKEND: &str = "setuptools.build_meta:__legacy__";

/// How a source tree is built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildSystem {
    /// `build-system.requires`: what the build environment must hold.
    pub requires: Vec<Requirement>,
    /// `build-system.build-backend`: `module` or `module:object`.
    pub backend: String,
    /// `build-system.backend-path`: directories, relative to the source tree, put first on
    /// the backend's import path (an in-tree backend).
    pub backend_path: Vec<String>,
}

/// The table as written; every field optional so that its absence can be told apart from a
/// value of the wrong type (which `toml` reports with the key's name).
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Table {
    requires: Option<Vec<String>>,
    build_backend: Option<String>,
    backend_path: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct File {
    build_system: Option<Table>,
}

/// Reads `[build-system]` from the bytes of `pyproject.toml` (`None`: the tree has none).
///
/// PEP 517/518 defaults: no `pyproject.toml` or no `[build-system]` → requires
/// `["setuptools>=40.8.0"]` and backend `setuptools.build_meta:__legacy__`; a table with
/// `requires` but no `build-backend` → that legacy backend.
///
/// # Errors
/// [`MetadataError::InvalidPyproject`] when the file is not TOML, a field has the wrong type,
/// `requires` is missing from the table (pip refuses that too), a requirement is not PEP 508
/// (named with the parser's reason), or a `backend-path` entry leaves the source tree.
pub fn build_system(pyproject: Option<&[u8]>) -> Result<BuildSystem, MetadataError> {
    let table = match pyproject {
        None => None,
        Some(bytes) => {
            let text = std::str::from_utf8(bytes).map_err(|_| invalid("it is not UTF-8"))?;
            let file: File = toml::from_str(text)
                .map_err(|error| invalid(format!("`[build-system]`: {}", error.message())))?;
            file.build_system
        }
    };
    let Some(table) = table else {
        return Ok(BuildSystem {
            requires: vec![default_requirement()?],
            backend: LEGACY_BACKEND.to_string(),
            backend_path: Vec::new(),
        });
    };
    let Some(lines) = table.requires else {
        return Err(invalid(
            "`[build-system]` has no `requires` list (PEP 518 makes it mandatory)",
        ));
    };
    let requires = lines
        .iter()
        .map(|line| {
            parse_requirement(line).map_err(|error| {
                let reason = match &error {
                    MetadataError::InvalidRequirement { source, .. } => source.to_string(),
                    other => other.to_string(),
                };
                invalid(format!(
                    "`build-system.requires` has an invalid requirement `{line}`: {reason}"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let backend = match table.build_backend.as_deref().map(str::trim) {
        None | Some("") => LEGACY_BACKEND.to_string(),
        Some(backend) => backend.to_string(),
    };
    let backend_path = table.backend_path.unwrap_or_default();
    if let Some(outside) = backend_path.iter().find(|entry| leaves_tree(entry)) {
        return Err(invalid(format!(
            "`build-system.backend-path` entry `{outside}` is not a path inside the source tree"
        )));
    }
    Ok(BuildSystem {
        requires,
        backend,
        backend_path,
    })
}

fn default_requirement() -> Result<Requirement, MetadataError> {
    parse_requirement(DEFAULT_REQUIRES)
}

/// Whether a `backend-path` entry is absolute or climbs above the tree's root (PEP 517 forbids
/// both: the backend must come from the tree, or from the build environment).
fn leaves_tree(entry: &str) -> bool {
    let mut depth: usize = 0;
    for component in Path::new(entry).components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => match depth.checked_sub(1) {
                Some(up) => depth = up,
                None => return true,
            },
            Component::RootDir | Component::Prefix(_) => return true,
        }
    }
    false
}

fn invalid(reason: impl Into<String>) -> MetadataError {
    MetadataError::InvalidPyproject {
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(requires, backend, backend_path)` rendered, for comparing with a table row.
    fn rendered(system: &BuildSystem) -> (Vec<String>, &str, Vec<&str>) {
        (
            system.requires.iter().map(ToString::to_string).collect(),
            system.backend.as_str(),
            system.backend_path.iter().map(String::as_str).collect(),
        )
    }

    /// `(pyproject.toml, requires, backend, backend-path)`.
    type Row<'a> = (Option<&'a str>, &'a [&'a str], &'a str, &'a [&'a str]);

    #[test]
    fn tables_and_their_defaults() {
        let legacy = "setuptools.build_meta:__legacy__";
        let cases: [Row<'_>; 6] = [
            (None, &["setuptools>=40.8.0"], legacy, &[]),
            (Some(""), &["setuptools>=40.8.0"], legacy, &[]),
            (
                Some("[project]\nname = \"x\"\n[tool.black]\nline-length = 99\n"),
                &["setuptools>=40.8.0"],
                legacy,
                &[],
            ),
            (
                Some("[build-system]\nrequires = [\"setuptools>=61\", \"wheel\"]\n"),
                &["setuptools>=61", "wheel"],
                legacy,
                &[],
            ),
            (
                Some(
                    "[build-system]\nrequires = [\"hatchling>=1.20\", \"hatch-vcs; python_version >= '3.8'\"]\nbuild-backend = \"hatchling.build\"\n",
                ),
                &[
                    "hatchling>=1.20",
                    "hatch-vcs ; python_full_version >= '3.8'",
                ],
                "hatchling.build",
                &[],
            ),
            (
                Some(
                    "[build-system]\nrequires = []\nbuild-backend = \"backend:api\"\nbackend-path = [\".\", \"_build/./x\", \"a/../b\"]\n",
                ),
                &[],
                "backend:api",
                &[".", "_build/./x", "a/../b"],
            ),
        ];
        for (input, requires, backend, backend_path) in cases {
            let system = build_system(input.map(str::as_bytes))
                .unwrap_or_else(|error| panic!("{input:?}: {error}"));
            let (got_requires, got_backend, got_path) = rendered(&system);
            assert_eq!(got_requires, requires, "{input:?}");
            assert_eq!(got_backend, backend, "{input:?}");
            assert_eq!(got_path, backend_path, "{input:?}");
        }
    }

    #[test]
    fn invalid_tables_are_errors_naming_pyproject_toml() {
        let cases = [
            (
                "[build-system\nnot toml",
                "invalid `pyproject.toml`: `[build-system]`: ",
            ),
            (
                "[build-system]\nbuild-backend = \"x\"\n",
                "`[build-system]` has no `requires` list",
            ),
            (
                "[build-system]\nrequires = \"setuptools\"\n",
                "invalid type",
            ),
            (
                "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = 3\n",
                "invalid type",
            ),
            (
                "[build-system]\nrequires = [\"ok\", \"bad >= >= 1\"]\n",
                "`build-system.requires` has an invalid requirement `bad >= >= 1`: ",
            ),
            (
                "[build-system]\nrequires = []\nbackend-path = [\"../elsewhere\"]\n",
                "entry `../elsewhere` is not a path inside the source tree",
            ),
            (
                "[build-system]\nrequires = []\nbackend-path = [\"a/../../b\"]\n",
                "entry `a/../../b` is not a path inside the source tree",
            ),
            (
                "[build-system]\nrequires = []\nbackend-path = [\"/abs\"]\n",
                "entry `/abs` is not a path inside the source tree",
            ),
        ];
        for (input, expected) in cases {
            let error = build_system(Some(input.as_bytes()))
                .expect_err(input)
                .to_string();
            assert!(error.starts_with("invalid `pyproject.toml`: "), "{error}");
            assert!(error.contains(expected), "{input}: {error}");
        }
        let error = build_system(Some(b"\xff\xfe")).expect_err("not UTF-8");
        assert_eq!(
            error.to_string(),
            "invalid `pyproject.toml`: it is not UTF-8"
        );
    }
}
