//! Requirements from project metadata, read statically: `pyproject.toml` (`[project]`
//! dependencies and optional dependencies, PEP 735 `[dependency-groups]`) and `setup.cfg`
//! (`install_requires`, `extras_require`). Nothing is executed: a field declared dynamic is an
//! error naming it, because only a build backend could compute it.
//!
//! Two callers: a project file given as an input (its dependencies become requirements), and a
//! local path requirement (`-e ./pkg`), which needs the whole project as the resolver sees a
//! distribution: name, version, `Requires-Python`, dependencies and extras.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr as _;

use pep508_rs::{ExtraOperator, MarkerExpression, MarkerTree, MarkerValueExtra};

use super::local::LocalProject;
use super::parser::parse_requirement;
use super::{InputError, InputErrorKind, InputRequirement, Manifest, Origin, OriginKind};
use crate::types::{ExtraName, PackageName, Version, VersionSpecifiers};

/// Which optional parts of a project to include.
#[derive(Clone, Debug, Default)]
pub struct ProjectSelection {
    /// `--extra NAME`.
    pub extras: Vec<String>,
    /// `--all-extras`.
    pub all_extras: bool,
    /// `--group NAME` (PEP 735).
    pub groups: Vec<String>,
}

/// Whether `path` names a project metadata file rather than a requirements file.
#[must_use]
pub fn is_project_file(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|name| name.to_str()),
        Some("pyproject.toml" | "setup.cfg")
    )
}

/// The static dependencies of a project file, as requirements.
///
/// # Errors
/// When the file cannot be read or parsed, a field needed is dynamic, a requested extra or group
/// does not exist, or a requirement is invalid.
pub fn read_project_file(
    path: &Path,
    selection: &ProjectSelection,
) -> Result<Manifest, InputError> {
    let error = |line: Option<usize>, kind| InputError {
        file: path.to_path_buf(),
        line,
        included_from: Vec::new(),
        kind,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|source| error(None, InputErrorKind::Read(source)))?;
    let project = if path.file_name().is_some_and(|name| name == "setup.cfg") {
        setup_cfg(&text).map_err(|kind| error(None, kind))?
    } else {
        pyproject(&text).map_err(|kind| error(None, kind))?
    };
    let project_name = project.name.as_deref().unwrap_or("project").to_string();
    let mut lines: Vec<String> = project.dependencies.clone();
    let wanted: Vec<String> = if selection.all_extras {
        project.extras.keys().cloned().collect()
    } else {
        selection.extras.clone()
    };
    let mut seen = Vec::new();
    for extra in wanted {
        add_extra(&project, &extra, &mut lines, &mut seen).map_err(|kind| error(None, kind))?;
    }
    for group in &selection.groups {
        add_group(&project, group, &mut lines, &mut Vec::new())
            .map_err(|kind| error(None, kind))?;
    }
    let mut manifest = Manifest::default();
    let normalized_name = PackageName::new(project_name.clone()).ok();
    for line_text in lines {
        let line = line_of(&text, &line_text);
        let requirement =
            parse_requirement(&line_text, path).map_err(|kind| error(Some(line), kind))?;
        // A project's extras may require the project itself with other extras; those were
        // expanded above, so the self-reference adds nothing.
        if normalized_name.as_ref() == Some(&requirement.name) {
            continue;
        }
        manifest.requirements.push(InputRequirement {
            requirement,
            text: line_text,
            origin: Origin {
                kind: OriginKind::Requirement,
                file: path.to_path_buf(),
                line,
                project: Some(project_name.clone()),
            },
            local: None,
        });
    }
    Ok(manifest)
}

/// What a project file declares.
struct ProjectDeclaration {
    /// The name, when declared (a `pyproject.toml` may hold only `[dependency-groups]`).
    name: Option<String>,
    version: Declared,
    requires_python: Option<String>,
    dependencies: Vec<String>,
    extras: BTreeMap<String, Vec<String>>,
    groups: BTreeMap<String, Vec<GroupItem>>,
}

/// A field a local project must declare statically.
enum Declared {
    Static(String),
    /// Computed by the build backend; the text names the field (`project.version`).
    Dynamic(String),
    /// Absent; the text names the field.
    Missing(String),
}

enum GroupItem {
    Requirement(String),
    Include(String),
}

fn add_extra(
    project: &ProjectDeclaration,
    extra: &str,
    lines: &mut Vec<String>,
    seen: &mut Vec<String>,
) -> Result<(), InputErrorKind> {
    let wanted = ExtraName::new(extra.to_string())
        .map_err(|_| InputErrorKind::UnknownExtra(extra.to_string()))?;
    let Some((name, requirements)) = project
        .extras
        .iter()
        .find(|(name, _)| ExtraName::new((*name).clone()).ok().as_ref() == Some(&wanted))
    else {
        return Err(InputErrorKind::UnknownExtra(extra.to_string()));
    };
    if seen.contains(name) {
        return Ok(());
    }
    seen.push(name.clone());
    for requirement in requirements {
        lines.push(requirement.clone());
        // Self-references (`project[other]`) pull in the other extra's requirements too.
        if let Ok(parsed) = requirement.parse::<pep508_rs::Requirement>()
            && let Some(name) = &project.name
            && PackageName::new(name.clone()).ok().as_ref() == Some(&parsed.name)
        {
            for nested in &parsed.extras {
                add_extra(project, nested.as_ref(), lines, seen)?;
            }
        }
    }
    Ok(())
}

fn add_group(
    project: &ProjectDeclaration,
    group: &str,
    lines: &mut Vec<String>,
    stack: &mut Vec<String>,
) -> Result<(), InputErrorKind> {
    let normalized = |name: &str| name.to_lowercase().replace(['_', '.'], "-");
    let Some((name, items)) = project
        .groups
        .iter()
        .find(|(name, _)| normalized(name) == normalized(group))
    else {
        return Err(InputErrorKind::UnknownGroup(group.to_string()));
    };
    if stack.contains(name) {
        return Err(InputErrorKind::GroupCycle(name.clone()));
    }
    stack.push(name.clone());
    for item in items {
        match item {
            GroupItem::Requirement(requirement) => lines.push(requirement.clone()),
            GroupItem::Include(included) => add_group(project, included, lines, stack)?,
        }
    }
    stack.pop();
    Ok(())
}

fn pyproject(text: &str) -> Result<ProjectDeclaration, InputErrorKind> {
    pyproject_declaration(&parse_toml(text)?)
}

fn parse_toml(text: &str) -> Result<toml::Table, InputErrorKind> {
    text.parse().map_err(|error: toml::de::Error| {
        InputErrorKind::InvalidProject(error.message().to_string())
    })
}

fn pyproject_declaration(table: &toml::Table) -> Result<ProjectDeclaration, InputErrorKind> {
    let strings =
        |value: Option<&toml::Value>, what: &str| -> Result<Vec<String>, InputErrorKind> {
            match value {
                None => Ok(Vec::new()),
                Some(toml::Value::Array(items)) => items
                    .iter()
                    .map(|item| {
                        item.as_str().map(str::to_string).ok_or_else(|| {
                            InputErrorKind::InvalidProject(format!(
                                "`{what}` must be a list of strings"
                            ))
                        })
                    })
                    .collect(),
                Some(_) => Err(InputErrorKind::InvalidProject(format!(
                    "`{what}` must be a list of strings"
                ))),
            }
        };
    let project = table.get("project").and_then(toml::Value::as_table);
    let dynamic = strings(
        project.and_then(|project| project.get("dynamic")),
        "project.dynamic",
    )?;
    for field in ["dependencies", "optional-dependencies"] {
        if dynamic.iter().any(|entry| entry == field) {
            return Err(InputErrorKind::Dynamic(format!("project.{field}")));
        }
    }
    let string = |key: &str| -> Result<Option<String>, InputErrorKind> {
        match project.and_then(|project| project.get(key)) {
            None => Ok(None),
            Some(toml::Value::String(value)) => Ok(Some(value.clone())),
            Some(_) => Err(InputErrorKind::InvalidProject(format!(
                "`project.{key}` must be a string"
            ))),
        }
    };
    let name = string("name")?;
    let version = match string("version")? {
        _ if dynamic.iter().any(|entry| entry == "version") => {
            Declared::Dynamic("project.version".to_string())
        }
        Some(version) => Declared::Static(version),
        None => Declared::Missing("project.version".to_string()),
    };
    let requires_python = string("requires-python")?;
    let dependencies = strings(
        project.and_then(|project| project.get("dependencies")),
        "project.dependencies",
    )?;
    let mut extras = BTreeMap::new();
    if let Some(optional) = project
        .and_then(|project| project.get("optional-dependencies"))
        .and_then(toml::Value::as_table)
    {
        for (extra, requirements) in optional {
            extras.insert(
                extra.clone(),
                strings(
                    Some(requirements),
                    &format!("project.optional-dependencies.{extra}"),
                )?,
            );
        }
    }
    let mut groups = BTreeMap::new();
    if let Some(declared) = table
        .get("dependency-groups")
        .and_then(toml::Value::as_table)
    {
        for (group, items) in declared {
            let invalid = || {
                InputErrorKind::InvalidProject(format!(
                    "`dependency-groups.{group}` must list requirements or {{include-group = \"…\"}} tables"
                ))
            };
            let items = items.as_array().ok_or_else(invalid)?;
            let parsed = items
                .iter()
                .map(|item| match item {
                    toml::Value::String(requirement) => {
                        Ok(GroupItem::Requirement(requirement.clone()))
                    }
                    toml::Value::Table(include) => include
                        .get("include-group")
                        .and_then(toml::Value::as_str)
                        .map(|name| GroupItem::Include(name.to_string()))
                        .ok_or_else(invalid),
                    _ => Err(invalid()),
                })
                .collect::<Result<Vec<_>, _>>()?;
            groups.insert(group.clone(), parsed);
        }
    }
    if project.is_none() && groups.is_empty() {
        return Err(InputErrorKind::InvalidProject(
            "no `[project]` table and no `[dependency-groups]`".to_string(),
        ));
    }
    Ok(ProjectDeclaration {
        name,
        version,
        requires_python,
        dependencies,
        extras,
        groups,
    })
}

/// `setup.cfg`'s `[metadata] name`, `[options] install_requires` and `[options.extras_require]`,
/// as setuptools reads them statically (one requirement a line).
fn setup_cfg(text: &str) -> Result<ProjectDeclaration, InputErrorKind> {
    let mut sections: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let (mut section, mut key) = (String::new(), None::<String>);
    for raw in text.lines() {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            section = trimmed[1..trimmed.len() - 1].trim().to_string();
            key = None;
        } else if raw.starts_with([' ', '\t']) {
            if let Some(key) = &key {
                let value = sections
                    .entry(section.clone())
                    .or_default()
                    .entry(key.clone())
                    .or_default();
                value.push('\n');
                value.push_str(trimmed);
            }
        } else if let Some((name, value)) = trimmed.split_once(['=', ':']) {
            let name = name.trim().to_string();
            sections
                .entry(section.clone())
                .or_default()
                .insert(name.clone(), value.trim().to_string());
            key = Some(name);
        }
    }
    let values = |section: &str, key: &str| -> Result<Vec<String>, InputErrorKind> {
        let Some(value) = sections.get(section).and_then(|entries| entries.get(key)) else {
            return Ok(Vec::new());
        };
        if value.starts_with("file:") || value.starts_with("attr:") {
            return Err(InputErrorKind::Dynamic(format!("{section}.{key}")));
        }
        Ok(value
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(str::to_string)
            .collect())
    };
    let single = |section: &str, key: &str| {
        sections
            .get(section)
            .and_then(|entries| entries.get(key))
            .map(|value| value.trim().to_string())
    };
    let name = single("metadata", "name");
    let version = match single("metadata", "version") {
        Some(value) if value.starts_with("file:") || value.starts_with("attr:") => {
            Declared::Dynamic("metadata.version".to_string())
        }
        Some(value) => Declared::Static(value),
        None => Declared::Missing("metadata.version".to_string()),
    };
    let requires_python = single("options", "python_requires");
    let dependencies = values("options", "install_requires")?;
    let mut extras = BTreeMap::new();
    for extra in sections
        .get("options.extras_require")
        .map(|entries| entries.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        extras.insert(extra.clone(), values("options.extras_require", &extra)?);
    }
    Ok(ProjectDeclaration {
        name,
        version,
        requires_python,
        dependencies,
        extras,
        groups: BTreeMap::new(),
    })
}

/// Reads the project in `directory` for a local path requirement: `pyproject.toml` when it has a
/// `[project]` table, else `setup.cfg` (setuptools projects whose `pyproject.toml` only names
/// the build backend).
///
/// Unlike a project file given as an input, a local project is a distribution in the graph, so
/// its name and version must be static too.
///
/// # Errors
/// [`InputErrorKind::NotAProject`] when neither file declares a project; otherwise
/// [`InputErrorKind::Project`] naming the metadata file (and line, for a bad requirement).
pub(crate) fn read_local_project(directory: &Path) -> Result<LocalProject, InputErrorKind> {
    let pyproject_path = directory.join("pyproject.toml");
    let setup_cfg_path = directory.join("setup.cfg");
    let in_file = |file: &Path, line: Option<usize>| {
        let file = file.to_path_buf();
        move |cause: InputErrorKind| InputErrorKind::Project {
            file,
            line,
            cause: Box::new(cause),
        }
    };
    if let Some(text) = read_if_present(&pyproject_path).map_err(in_file(&pyproject_path, None))? {
        let table = parse_toml(&text).map_err(in_file(&pyproject_path, None))?;
        if table.contains_key("project") {
            let declaration =
                pyproject_declaration(&table).map_err(in_file(&pyproject_path, None))?;
            return local_project(declaration, &pyproject_path, &text);
        }
    }
    if let Some(text) = read_if_present(&setup_cfg_path).map_err(in_file(&setup_cfg_path, None))? {
        let declaration = setup_cfg(&text).map_err(in_file(&setup_cfg_path, None))?;
        return local_project(declaration, &setup_cfg_path, &text);
    }
    Err(InputErrorKind::NotAProject(directory.to_path_buf()))
}

fn read_if_present(path: &Path) -> Result<Option<String>, InputErrorKind> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(InputErrorKind::Read(error)),
    }
}

/// A declaration turned into what the resolver needs: every dependency parsed, and each
/// extra's requirements marked `extra == "name"` as in a wheel's `METADATA`.
fn local_project(
    declaration: ProjectDeclaration,
    file: &Path,
    text: &str,
) -> Result<LocalProject, InputErrorKind> {
    let in_file = |line: Option<usize>| {
        move |cause: InputErrorKind| InputErrorKind::Project {
            file: file.to_path_buf(),
            line,
            cause: Box::new(cause),
        }
    };
    let name_field = if file.ends_with("setup.cfg") {
        "metadata.name"
    } else {
        "project.name"
    };
    let name = static_name(declaration.name, name_field).map_err(in_file(None))?;
    let version = static_version(declaration.version).map_err(in_file(None))?;
    let requires_python = declaration
        .requires_python
        .map(|specifiers| parse_requires_python(&specifiers))
        .transpose()
        .map_err(in_file(None))?;
    let parse = |line_text: &str| {
        let line = line_of(text, line_text);
        parse_requirement(line_text, file).map_err(in_file(Some(line)))
    };
    let mut requires_dist = declaration
        .dependencies
        .iter()
        .map(|line_text| parse(line_text))
        .collect::<Result<Vec<_>, _>>()?;
    let mut provides_extra = Vec::new();
    for (extra, requirements) in &declaration.extras {
        let extra = ExtraName::new(extra.clone())
            .map_err(|_| {
                InputErrorKind::InvalidProject(format!("`{extra}` is not a valid extra name"))
            })
            .map_err(in_file(None))?;
        for line_text in requirements {
            let mut requirement = parse(line_text)?;
            requirement.marker.and(extra_marker(&extra));
            requires_dist.push(requirement);
        }
        provides_extra.push(extra);
    }
    Ok(LocalProject {
        name,
        version,
        requires_python,
        requires_dist,
        provides_extra,
        metadata_file: file.to_path_buf(),
    })
}

fn static_name(name: Option<String>, field: &str) -> Result<PackageName, InputErrorKind> {
    let name = name.ok_or_else(|| InputErrorKind::MissingField(field.to_string()))?;
    PackageName::new(name.clone()).map_err(|_| {
        InputErrorKind::InvalidProject(format!("`{name}` is not a valid project name"))
    })
}

fn static_version(version: Declared) -> Result<Version, InputErrorKind> {
    match version {
        Declared::Static(version) => Version::from_str(version.trim()).map_err(|_| {
            InputErrorKind::InvalidProject(format!("`{version}` is not a valid version"))
        }),
        Declared::Dynamic(field) => Err(InputErrorKind::DynamicVersion(field)),
        Declared::Missing(field) => Err(InputErrorKind::MissingField(field)),
    }
}

fn parse_requires_python(specifiers: &str) -> Result<VersionSpecifiers, InputErrorKind> {
    VersionSpecifiers::from_str(specifiers).map_err(|error| {
        InputErrorKind::InvalidProject(format!("invalid `requires-python` `{specifiers}`: {error}"))
    })
}

/// `extra == "name"`.
fn extra_marker(extra: &ExtraName) -> MarkerTree {
    MarkerTree::expression(MarkerExpression::Extra {
        operator: ExtraOperator::Equal,
        name: MarkerValueExtra::Extra(extra.clone()),
    })
}

/// The 1-based line where `needle` first appears (for error messages), or 1.
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map_or(1, |offset| text[..offset].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(
        name: &str,
        content: &str,
        selection: &ProjectSelection,
    ) -> Result<Vec<String>, InputError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let manifest = read_project_file(&path, selection)?;
        Ok(manifest
            .requirements
            .iter()
            .map(|entry| entry.text.clone())
            .collect())
    }

    const PYPROJECT: &str = r#"
[project]
name = "demo"
dependencies = ["requests>=2", "click"]
[project.optional-dependencies]
fast = ["orjson"]
all = ["demo[fast]", "rich"]
[dependency-groups]
test = ["pytest"]
dev = [{include-group = "test"}, "ruff"]
"#;

    #[test]
    fn reads_dependencies_extras_and_groups() {
        let plain = read("pyproject.toml", PYPROJECT, &ProjectSelection::default()).unwrap();
        assert_eq!(plain, ["requests>=2", "click"]);
        let all = ProjectSelection {
            extras: vec!["all".into()],
            groups: vec!["dev".into()],
            ..ProjectSelection::default()
        };
        assert_eq!(
            read("pyproject.toml", PYPROJECT, &all).unwrap(),
            ["requests>=2", "click", "orjson", "rich", "pytest", "ruff"]
        );
        let every = ProjectSelection {
            all_extras: true,
            ..ProjectSelection::default()
        };
        assert_eq!(
            read("pyproject.toml", PYPROJECT, &every).unwrap(),
            ["requests>=2", "click", "orjson", "rich"]
        );
    }

    #[test]
    fn annotations_name_the_project() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pyproject.toml");
        std::fs::write(&path, PYPROJECT).unwrap();
        let manifest = read_project_file(&path, &ProjectSelection::default()).unwrap();
        assert_eq!(
            manifest.requirements[0].origin.annotation(),
            format!("demo ({})", path.display())
        );
        assert_eq!(manifest.requirements[1].origin.line, 4);
    }

    #[test]
    fn dynamic_unknown_and_invalid_are_errors() {
        let dynamic = "[project]\nname = \"d\"\ndynamic = [\"dependencies\"]\n";
        let error = read("pyproject.toml", dynamic, &ProjectSelection::default()).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`project.dependencies` is dynamic"),
            "{error}"
        );
        let unknown = ProjectSelection {
            extras: vec!["nope".into()],
            ..ProjectSelection::default()
        };
        assert!(
            read("pyproject.toml", PYPROJECT, &unknown)
                .unwrap_err()
                .to_string()
                .contains("no extra `nope`")
        );
        let group = ProjectSelection {
            groups: vec!["nope".into()],
            ..ProjectSelection::default()
        };
        assert!(
            read("pyproject.toml", PYPROJECT, &group)
                .unwrap_err()
                .to_string()
                .contains("no dependency group `nope`")
        );
        assert!(read("pyproject.toml", "[project\n", &ProjectSelection::default()).is_err());
        let bad = read(
            "pyproject.toml",
            "[project]\nname = \"d\"\ndependencies = [\"ok\", \"not valid!\"]\n",
            &ProjectSelection::default(),
        )
        .unwrap_err();
        assert_eq!(bad.line, Some(3), "{bad}");
    }

    #[test]
    fn local_projects_need_a_static_name_and_version() {
        let cases = [
            (
                "pyproject.toml",
                "[project]\nversion = \"1\"\n",
                "`project.name` is missing",
            ),
            (
                "pyproject.toml",
                "[project]\nname = \"a\"\n",
                "`project.version` is missing",
            ),
            (
                "pyproject.toml",
                "[project]\nname = \"a\"\nversion = \"one\"\n",
                "`one` is not a valid version",
            ),
            (
                "pyproject.toml",
                "[project]\nname = \"a\"\nversion = 1\n",
                "`project.version` must be a string",
            ),
            (
                "setup.cfg",
                "[metadata]\nname = a\nversion = attr: a.__version__\n",
                "`metadata.version` is dynamic",
            ),
        ];
        for (name, content, expected) in cases {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(name), content).unwrap();
            let error = read_local_project(dir.path()).unwrap_err().to_string();
            assert!(
                error.starts_with(&format!("in `{}`: ", dir.path().join(name).display())),
                "{error}"
            );
            assert!(error.contains(expected), "{content}: {error}");
        }
        // A project file given as an input needs neither.
        assert!(
            read(
                "pyproject.toml",
                "[project]\ndependencies = [\"six\"]\n",
                &ProjectSelection::default()
            )
            .is_ok()
        );
    }

    #[test]
    fn reads_setup_cfg() {
        let cfg = "[metadata]\nname = legacy\n\n[options]\ninstall_requires =\n    six>=1.16\n    attrs\n\n[options.extras_require]\ntest =\n    pytest\n";
        let selection = ProjectSelection {
            extras: vec!["test".into()],
            ..ProjectSelection::default()
        };
        assert_eq!(
            read("setup.cfg", cfg, &selection).unwrap(),
            ["six>=1.16", "attrs", "pytest"]
        );
        let dynamic = "[options]\ninstall_requires = file: requirements.txt\n";
        assert!(
            read("setup.cfg", dynamic, &ProjectSelection::default())
                .unwrap_err()
                .to_string()
                .contains("is dynamic")
        );
    }
}
