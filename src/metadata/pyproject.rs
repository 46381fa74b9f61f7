//! The static part of `pyproject.toml`'s `[project]` table (PEP 621): enough to know an sdist's
//! dependencies without building it, when the project declares them statically.
//!
//! This file only interprets the table; choosing between `PKG-INFO`, `pyproject.toml` and
//! `.egg-info` is `sdist`'s job. It never evaluates build-backend configuration.

use std::collections::BTreeMap;
use std::str::FromStr;

use pep508_rs::{Requirement, VerbatimUrl};
use serde::Deserialize;

use super::MetadataError;
use super::core::{parse_name, parse_requirement, parse_requires_python, parse_version};
use crate::types::{ExtraName, PackageName, Version, VersionSpecifiers};

/// The fields of `[project]` pinwheel reads; everything else is ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Project {
    name: String,
    version: Option<String>,
    #[serde(default)]
    dynamic: Vec<String>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, Vec<String>>,
    requires_python: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PyProject {
    project: Option<Project>,
}

/// What a static `[project]` table says.
#[derive(Debug)]
pub(crate) struct StaticProject {
    pub(crate) name: PackageName,
    /// `None` when the version is dynamic (or absent): the caller takes the sdist's.
    pub(crate) version: Option<Version>,
    pub(crate) requires_dist: Vec<Requirement<VerbatimUrl>>,
    /// `None` when absent or dynamic.
    pub(crate) requires_python: Option<VersionSpecifiers>,
    pub(crate) provides_extra: Vec<ExtraName>,
}

/// Reads `[project]` from `pyproject.toml`.
///
/// Returns `Ok(None)` when the file cannot tell the dependencies: it is not valid TOML, has no
/// `[project]` table (e.g. Poetry 1 or a `setup.py` project), or lists `dependencies` or
/// `optional-dependencies` in `dynamic`. A broken file is not an error here because another
/// source (`.egg-info`) may still answer.
///
/// # Errors
/// When the table is static but a value in it is invalid: that table is authoritative, so the
/// version's metadata is unusable.
pub(crate) fn static_project(bytes: &[u8]) -> Result<Option<StaticProject>, MetadataError> {
    let text = String::from_utf8_lossy(bytes);
    let project = match toml::from_str::<PyProject>(&text) {
        Ok(PyProject {
            project: Some(project),
        }) => project,
        Ok(PyProject { project: None }) => return Ok(None),
        Err(error) => {
            tracing::debug!("ignoring unreadable pyproject.toml: {error}");
            return Ok(None);
        }
    };
    let is_dynamic = |field: &str| {
        project
            .dynamic
            .iter()
            .any(|dynamic| dynamic.eq_ignore_ascii_case(field))
    };
    if is_dynamic("dependencies") || is_dynamic("optional-dependencies") {
        return Ok(None);
    }
    let name = parse_name(&project.name)?;
    let version = match &project.version {
        Some(version) if !is_dynamic("version") => Some(parse_version(version)?),
        _ => None,
    };
    let requires_python = match &project.requires_python {
        Some(value) if !is_dynamic("requires-python") => parse_requires_python(value)?,
        _ => None,
    };
    let mut requires_dist = project
        .dependencies
        .iter()
        .map(|line| parse_requirement(line))
        .collect::<Result<Vec<_>, _>>()?;
    let mut provides_extra = Vec::new();
    for (extra, lines) in &project.optional_dependencies {
        let extra = ExtraName::from_str(extra).map_err(|source| MetadataError::InvalidExtra {
            value: extra.clone(),
            source,
        })?;
        for line in lines {
            requires_dist.push(parse_requirement(line)?.with_extra_marker(&extra));
        }
        if !provides_extra.contains(&extra) {
            provides_extra.push(extra);
        }
    }
    Ok(Some(StaticProject {
        name,
        version,
        requires_dist,
        requires_python,
        provides_extra,
    }))
}

/// Who builds an sdist, as far as static reading cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    /// setuptools (named, or implied by no `build-backend`), with no `[project]` table:
    /// `setup.py` and `setup.cfg` declare the dependencies.
    Setuptools,
    /// poetry-core or flit_core: they compute a wheel's dependencies only from static tables
    /// of `pyproject.toml` (`[tool.poetry]`, `[tool.flit.metadata]`, `[project]`), have no hook
    /// that could change them, and write the same fields into the sdist's `PKG-INFO`.
    StaticPkgInfo,
    /// Anything else, a `[project]` table with dynamic dependencies under setuptools, or an
    /// unreadable file: no static source this reader knows is reliable.
    Other,
}

/// The build backend a `pyproject.toml` names.
pub(crate) fn build_backend(bytes: &[u8]) -> Backend {
    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    struct BuildSystem {
        build_backend: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    struct File {
        project: Option<toml::Table>,
        build_system: Option<BuildSystem>,
    }
    let text = String::from_utf8_lossy(bytes);
    let Ok(file) = toml::from_str::<File>(&text) else {
        return Backend::Other;
    };
    let backend = file
        .build_system
        .and_then(|build_system| build_system.build_backend);
    match backend.as_deref().map(str::trim) {
        None | Some("setuptools.build_meta" | "setuptools.build_meta:__legacy__") => {
            // With a `[project]` table setuptools may take dynamic dependencies from places
            // (`[tool.setuptools.dynamic]`, `setup.py`) whose precedence this reader does not
            // model.
            if file.project.is_none() {
                Backend::Setuptools
            } else {
                Backend::Other
            }
        }
        Some(
            "poetry.core.masonry.api"
            | "poetry.masonry.api"
            | "flit_core.buildapi"
            | "flit.buildapi",
        ) => Backend::StaticPkgInfo,
        Some(_) => Backend::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::test_support::{extra_names, rendered};

    #[test]
    fn reads_a_static_project() {
        let toml = r#"
            [build-system]
            requires = ["hatchling"]
            [project]
            name = "Demo_Pkg"
            dynamic = ["version", "readme"]
            version = "9.9"
            requires-python = ">=3.9"
            dependencies = ["attrs>=22", "tomli; python_version < '3.11'"]
            [project.optional-dependencies]
            Docs = ["sphinx"]
            test = ["pytest>=8", "hypothesis"]
        "#;
        let project = static_project(toml.as_bytes()).unwrap().unwrap();
        assert_eq!(project.name.as_ref(), "demo-pkg");
        assert_eq!(
            project.version, None,
            "a dynamic version is ignored even when present"
        );
        assert_eq!(project.requires_python.unwrap().to_string(), ">=3.9");
        assert_eq!(
            rendered(&project.requires_dist),
            [
                "attrs>=22",
                "tomli ; python_full_version < '3.11'",
                "sphinx ; extra == 'docs'",
                "pytest>=8 ; extra == 'test'",
                "hypothesis ; extra == 'test'",
            ]
        );
        assert_eq!(extra_names(&project.provides_extra), ["docs", "test"]);
    }

    #[test]
    fn unusable_tables_give_none() {
        let cases = [
            "[tool.poetry]\nname = \"x\"\n",
            "[project]\nname = \"x\"\nversion = \"1\"\ndynamic = [\"dependencies\"]\n",
            "[project]\nname = \"x\"\nversion = \"1\"\ndynamic = [\"optional-dependencies\"]\n",
            "[project\nthis is not toml",
            "[project]\nversion = \"1\"\n",
        ];
        for input in cases {
            assert!(
                static_project(input.as_bytes()).unwrap().is_none(),
                "{input}"
            );
        }
    }

    #[test]
    fn build_backends_are_recognised() {
        let cases = [
            ("", Backend::Setuptools),
            ("[tool.black]\nline-length = 100\n", Backend::Setuptools),
            (
                "[build-system]\nrequires = [\"setuptools\", \"wheel\"]\n",
                Backend::Setuptools,
            ),
            (
                "[build-system]\nbuild-backend = \"setuptools.build_meta\"\n",
                Backend::Setuptools,
            ),
            (
                "[build-system]\nbuild-backend = \"setuptools.build_meta:__legacy__\"\n",
                Backend::Setuptools,
            ),
            (
                "[project]\nname = \"x\"\ndynamic = [\"dependencies\"]\n",
                Backend::Other,
            ),
            (
                "[tool.poetry]\nname = \"x\"\n[build-system]\nrequires = [\"poetry-core\"]\n\
                 build-backend = \"poetry.core.masonry.api\"\n",
                Backend::StaticPkgInfo,
            ),
            (
                "[build-system]\nbuild-backend = \"poetry.masonry.api\"\n",
                Backend::StaticPkgInfo,
            ),
            (
                "[build-system]\nbuild-backend = \"flit_core.buildapi\"\n",
                Backend::StaticPkgInfo,
            ),
            (
                "[build-system]\nbuild-backend = \"hatchling.build\"\n",
                Backend::Other,
            ),
            (
                "[build-system]\nbuild-backend = \"pdm.backend\"\n",
                Backend::Other,
            ),
            ("[build-system\nnot toml", Backend::Other),
        ];
        for (input, expected) in cases {
            assert_eq!(build_backend(input.as_bytes()), expected, "{input}");
        }
    }

    #[test]
    fn invalid_static_values_are_errors() {
        let input = "[project]\nname = \"x\"\nversion = \"1\"\ndependencies = [\"bad >= >= 1\"]\n";
        let error = static_project(input.as_bytes()).unwrap_err();
        assert_eq!(error.to_string(), "invalid requirement `bad >= >= 1`");
        let input = "[project]\nname = \"x\"\nversion = \"one\"\n";
        assert!(matches!(
            static_project(input.as_bytes()),
            Err(MetadataError::InvalidVersion { .. })
        ));
    }
}
