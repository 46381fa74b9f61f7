//! `pyproject.toml`'s `[project]` table (PEP 621): the one place that interprets it, for sdists
//! and source trees (`sdist`, `source_tree`) and for project files given as inputs
//! (`inputs::project`, which adds `[dependency-groups]` and the selection of extras).
//!
//! [`ProjectTable`] is the table as written, every field checked for its type; its methods
//! turn the fields into metadata. Choosing between `PKG-INFO`, `pyproject.toml` and the
//! setuptools files is `sdist`'s job. This file never evaluates build-backend configuration.

use std::collections::BTreeMap;
use std::str::FromStr;

use pep508_rs::{Requirement, VerbatimUrl};
use serde::Deserialize;

use super::MetadataError;
use super::core::{parse_name, parse_requirement, parse_requires_python, parse_version};
use crate::types::{ExtraName, PackageName, Version, VersionSpecifiers};

/// The fields of `[project]` pinwheel reads, as written; everything else is ignored.
#[derive(Clone, Debug, Default)]
pub struct ProjectTable {
    /// `name`, not yet validated.
    pub name: Option<String>,
    /// `version`, not yet validated (present even when also listed in `dynamic`).
    pub version: Option<String>,
    /// `requires-python`.
    pub requires_python: Option<String>,
    /// `dependencies`, one requirement string each.
    pub dependencies: Vec<String>,
    /// `optional-dependencies`, by extra name as written.
    pub optional_dependencies: BTreeMap<String, Vec<String>>,
    /// `dynamic`: the fields the build backend computes.
    pub dynamic: Vec<String>,
}

impl ProjectTable {
    /// The `[project]` table of a parsed `pyproject.toml`, or `None` when it has none.
    ///
    /// # Errors
    /// [`MetadataError::InvalidProjectField`] when a field has the wrong type.
    pub fn from_toml(file: &toml::Table) -> Result<Option<Self>, MetadataError> {
        let Some(value) = file.get("project") else {
            return Ok(None);
        };
        let Some(project) = value.as_table() else {
            return Err(wrong_type("project", "a table"));
        };
        let string = |key: &str| -> Result<Option<String>, MetadataError> {
            match project.get(key) {
                None => Ok(None),
                Some(toml::Value::String(value)) => Ok(Some(value.clone())),
                Some(_) => Err(wrong_type(&format!("project.{key}"), "a string")),
            }
        };
        let mut optional_dependencies = BTreeMap::new();
        match project.get("optional-dependencies") {
            None => {}
            Some(toml::Value::Table(extras)) => {
                for (extra, lines) in extras {
                    let field = format!("project.optional-dependencies.{extra}");
                    optional_dependencies.insert(extra.clone(), strings(Some(lines), &field)?);
                }
            }
            Some(_) => return Err(wrong_type("project.optional-dependencies", "a table")),
        }
        Ok(Some(Self {
            name: string("name")?,
            version: string("version")?,
            requires_python: string("requires-python")?,
            dependencies: strings(project.get("dependencies"), "project.dependencies")?,
            optional_dependencies,
            dynamic: strings(project.get("dynamic"), "project.dynamic")?,
        }))
    }

    /// Whether `field` (e.g. `dependencies`) is listed in `dynamic`.
    #[must_use]
    pub fn is_dynamic(&self, field: &str) -> bool {
        self.dynamic
            .iter()
            .any(|dynamic| dynamic.eq_ignore_ascii_case(field))
    }

    /// The first of `dependencies` and `optional-dependencies` listed in `dynamic`, named as
    /// `project.<field>`: when there is one, only a build can tell the requirements.
    #[must_use]
    pub fn dynamic_requirements(&self) -> Option<String> {
        ["dependencies", "optional-dependencies"]
            .into_iter()
            .find(|field| self.is_dynamic(field))
            .map(|field| format!("project.{field}"))
    }

    /// `name`, validated and normalised (`None` when absent).
    ///
    /// # Errors
    /// When it is not a valid project name.
    pub fn parsed_name(&self) -> Result<Option<PackageName>, MetadataError> {
        self.name.as_deref().map(parse_name).transpose()
    }

    /// `version`, validated; `None` when absent or dynamic.
    ///
    /// # Errors
    /// When it is static and not PEP 440.
    pub fn parsed_version(&self) -> Result<Option<Version>, MetadataError> {
        match &self.version {
            Some(version) if !self.is_dynamic("version") => parse_version(version).map(Some),
            _ => Ok(None),
        }
    }

    /// `requires-python`, validated; `None` when absent, empty or dynamic.
    ///
    /// # Errors
    /// When it is not a PEP 440 specifier set.
    pub fn parsed_requires_python(&self) -> Result<Option<VersionSpecifiers>, MetadataError> {
        match &self.requires_python {
            Some(value) if !self.is_dynamic("requires-python") => parse_requires_python(value),
            _ => Ok(None),
        }
    }

    /// `dependencies` and `optional-dependencies` as a wheel's `Requires-Dist` lists them
    /// (each extra's with an `extra == "…"` marker), and the extras, as `Provides-Extra`.
    ///
    /// # Errors
    /// When a requirement or an extra name is invalid.
    pub fn requires_dist(
        &self,
    ) -> Result<(Vec<Requirement<VerbatimUrl>>, Vec<ExtraName>), MetadataError> {
        let mut requires_dist = self
            .dependencies
            .iter()
            .map(|line| parse_requirement(line))
            .collect::<Result<Vec<_>, _>>()?;
        let mut provides_extra = Vec::new();
        for (extra, lines) in &self.optional_dependencies {
            let extra =
                ExtraName::from_str(extra).map_err(|source| MetadataError::InvalidExtra {
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
        Ok((requires_dist, provides_extra))
    }
}

/// A list of strings, or nothing.
fn strings(value: Option<&toml::Value>, field: &str) -> Result<Vec<String>, MetadataError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let items = value
        .as_array()
        .ok_or_else(|| wrong_type(field, "a list of strings"))?;
    items
        .iter()
        .map(|item| {
            item.as_str()
                .map(str::to_string)
                .ok_or_else(|| wrong_type(field, "a list of strings"))
        })
        .collect()
}

fn wrong_type(field: &str, expected: &'static str) -> MetadataError {
    MetadataError::InvalidProjectField {
        field: field.to_string(),
        expected,
    }
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

/// Reads `[project]` from an sdist's `pyproject.toml`.
///
/// Returns `Ok(None)` when the file cannot tell the dependencies: it is not valid TOML, has no
/// `[project]` table (e.g. Poetry 1 or a `setup.py` project), has no name or a field of the
/// wrong type, or lists `dependencies` or `optional-dependencies` in `dynamic`. A broken file
/// is not an error here because another source (`.egg-info`) may still answer.
///
/// # Errors
/// When the table is static but a value in it is invalid: that table is authoritative, so the
/// version's metadata is unusable.
pub(crate) fn static_project(bytes: &[u8]) -> Result<Option<StaticProject>, MetadataError> {
    let text = String::from_utf8_lossy(bytes);
    let project = match toml::from_str::<toml::Table>(&text)
        .map_err(|error| error.to_string())
        .and_then(|file| ProjectTable::from_toml(&file).map_err(|error| error.to_string()))
    {
        Ok(Some(project)) => project,
        Ok(None) => return Ok(None),
        Err(error) => {
            tracing::debug!("ignoring unreadable pyproject.toml: {error}");
            return Ok(None);
        }
    };
    if project.dynamic_requirements().is_some() {
        return Ok(None);
    }
    let Some(name) = project.parsed_name()? else {
        return Ok(None);
    };
    let version = project.parsed_version()?;
    let requires_python = project.parsed_requires_python()?;
    let (requires_dist, provides_extra) = project.requires_dist()?;
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
    fn the_table_is_read_as_written_and_checked_for_types() {
        let table = |text: &str| ProjectTable::from_toml(&text.parse::<toml::Table>().unwrap());
        let project = table(
            "[project]\nname = \"a\"\ndynamic = [\"Version\", \"optional-dependencies\"]\n\
             [project.optional-dependencies]\nx = [\"b\"]\n",
        )
        .unwrap()
        .unwrap();
        assert!(project.is_dynamic("version"), "case-insensitive");
        assert_eq!(
            project.dynamic_requirements().as_deref(),
            Some("project.optional-dependencies")
        );
        assert_eq!(project.parsed_version().unwrap(), None);
        assert_eq!(project.optional_dependencies["x"], ["b"]);
        assert!(table("[tool.x]\ny = 1\n").unwrap().is_none());
        let cases = [
            ("project = 1", "`project` must be a table"),
            ("[project]\nname = 1", "`project.name` must be a string"),
            (
                "[project]\ndependencies = \"a\"",
                "`project.dependencies` must be a list of strings",
            ),
            (
                "[project]\ndynamic = [1]",
                "`project.dynamic` must be a list of strings",
            ),
            (
                "[project]\noptional-dependencies = []",
                "`project.optional-dependencies` must be a table",
            ),
            (
                "[project.optional-dependencies]\nx = [2]",
                "`project.optional-dependencies.x` must be a list of strings",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(table(input).unwrap_err().to_string(), expected, "{input}");
        }
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
