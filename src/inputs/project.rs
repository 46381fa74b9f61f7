//! Requirements from project metadata: the input side of it. `metadata` owns the meaning of
//! `pyproject.toml`'s `[project]` and of `setup.cfg` (`metadata::ProjectTable`,
//! `metadata::setup_cfg_requirements`, `metadata::source_tree_metadata`); this file adds what
//! only inputs need, and maps metadata's errors to the file and line they are about.
//!
//! Two callers: a project file given as an input (its dependencies, the extras selected with
//! `--extra` and the PEP 735 `[dependency-groups]` selected with `--group` become
//! requirements; a dynamic field is an error naming it), and a local path requirement
//! (`-e ./pkg`), whose directory is handed to `metadata` as a source tree: its static metadata
//! as the resolver sees a distribution, or [`ProjectMetadata::NeedsBuild`] with the reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::local::{LocalProject, ProjectMetadata};
use super::parser::parse_requirement;
use super::{InputError, InputErrorKind, InputRequirement, Manifest, Origin, OriginKind};
use crate::metadata::{
    MetadataError, NeedsBuildCause, ProjectTable, setup_cfg_requirements, source_tree_metadata,
};
use crate::types::{ExtraName, PackageName};

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
    if let Some(value) = &project.requires_python {
        manifest.requires_python =
            crate::metadata::core::parse_requires_python(value).map_err(|_| {
                error(
                    Some(line_of(&text, value)),
                    InputErrorKind::InvalidProject(format!("invalid `requires-python` `{value}`")),
                )
            })?;
    }
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

/// What a project file declares, as far as its requirements go.
struct ProjectDeclaration {
    /// The name, when declared (a `pyproject.toml` may hold only `[dependency-groups]`).
    name: Option<String>,
    dependencies: Vec<String>,
    extras: BTreeMap<String, Vec<String>>,
    groups: BTreeMap<String, Vec<GroupItem>>,
    /// `requires-python`, as written.
    requires_python: Option<String>,
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

/// A `pyproject.toml` given as an input: `[project]` as `metadata` reads it, plus
/// `[dependency-groups]`, which only inputs use.
fn pyproject(text: &str) -> Result<ProjectDeclaration, InputErrorKind> {
    let table: toml::Table = text.parse().map_err(|error: toml::de::Error| {
        InputErrorKind::InvalidProject(error.message().to_string())
    })?;
    let project = ProjectTable::from_toml(&table).map_err(project_cause)?;
    if let Some(field) = project
        .as_ref()
        .and_then(ProjectTable::dynamic_requirements)
    {
        return Err(InputErrorKind::Dynamic(field));
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
    let Some(project) = project else {
        if groups.is_empty() {
            return Err(InputErrorKind::InvalidProject(
                "no `[project]` table and no `[dependency-groups]`".to_string(),
            ));
        }
        return Ok(ProjectDeclaration {
            name: None,
            dependencies: Vec::new(),
            extras: BTreeMap::new(),
            groups,
            requires_python: None,
        });
    };
    Ok(ProjectDeclaration {
        name: project.name,
        dependencies: project.dependencies,
        extras: project.optional_dependencies,
        groups,
        requires_python: project.requires_python,
    })
}

/// A `setup.cfg` given as an input, as `metadata` reads it.
fn setup_cfg(text: &str) -> Result<ProjectDeclaration, InputErrorKind> {
    let declared = setup_cfg_requirements(text.as_bytes()).map_err(project_cause)?;
    Ok(ProjectDeclaration {
        name: declared.name,
        dependencies: declared.install_requires,
        extras: declared.extras_require.into_iter().collect(),
        groups: BTreeMap::new(),
        requires_python: None,
    })
}

/// Reads the project in `directory` for a local path requirement, through `metadata`'s
/// source-tree reader: [`ProjectMetadata::Static`] when its files declare it, else
/// [`ProjectMetadata::NeedsBuild`] with the reason, for the caller to build (or to report
/// with [`Manifest::unbuilt_error`](super::Manifest::unbuilt_error)).
///
/// # Errors
/// [`InputErrorKind::NotAProject`] when the directory holds no project file; otherwise
/// [`InputErrorKind::Project`] naming the metadata file (and line, for a bad requirement).
pub(crate) fn read_local_project(directory: &Path) -> Result<ProjectMetadata, InputErrorKind> {
    match source_tree_metadata(directory) {
        Ok(metadata) => Ok(ProjectMetadata::Static(LocalProject::from_core_metadata(
            &metadata,
            metadata_file(directory),
        ))),
        Err(MetadataError::NeedsBuild {
            directory: tree,
            name,
            cause,
        }) => {
            let reason = needs_build_reason(&tree, cause);
            tracing::debug!("{}: {reason}", tree.display());
            Ok(ProjectMetadata::NeedsBuild {
                directory: tree,
                reason,
                name,
            })
        }
        Err(MetadataError::NotASourceTree { directory }) => {
            Err(InputErrorKind::NotAProject(directory))
        }
        Err(error) => Err(local_project_error(error)),
    }
}

/// Why a local project needs a build, in the words pinwheel used when it refused them.
fn needs_build_reason(directory: &Path, cause: NeedsBuildCause) -> String {
    match cause {
        NeedsBuildCause::DynamicField { file, field } => {
            let cause = if field.ends_with("version") || field.ends_with("version=…)") {
                InputErrorKind::DynamicVersion(field)
            } else {
                InputErrorKind::Dynamic(field)
            };
            InputErrorKind::Project {
                file,
                line: None,
                cause: Box::new(cause),
            }
            .to_string()
        }
        NeedsBuildCause::NotStatic(reason) => format!(
            "`{}` declares its metadata in no file pinwheel reads statically ({reason}); only a build can tell it",
            directory.display()
        ),
    }
}

/// The file a tree's static metadata comes from, for messages: the first of those
/// `metadata`'s reader prefers that is there.
fn metadata_file(directory: &Path) -> PathBuf {
    let pyproject = directory.join("pyproject.toml");
    let has_project = std::fs::read_to_string(&pyproject)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .is_some_and(|table| table.contains_key("project"));
    if has_project {
        return pyproject;
    }
    ["setup.cfg", "setup.py", "PKG-INFO"]
        .iter()
        .map(|file| directory.join(file))
        .find(|path| path.is_file())
        .unwrap_or(pyproject)
}

/// A metadata error about a local project, as the input error naming its file and line.
fn local_project_error(error: MetadataError) -> InputErrorKind {
    match error {
        MetadataError::InMember { member, source } => {
            let file = PathBuf::from(member);
            let (line, cause) = match *source {
                MetadataError::InvalidRequirement { line: text, source } => {
                    let line = std::fs::read_to_string(&file)
                        .map_or(1, |content| line_of(&content, &text));
                    let cause = InputErrorKind::InvalidRequirement {
                        text,
                        message: source.message.to_string(),
                    };
                    (Some(line), cause)
                }
                other => (None, project_cause(other)),
            };
            InputErrorKind::Project {
                file,
                line,
                cause: Box::new(cause),
            }
        }
        MetadataError::Read { path, source } => InputErrorKind::Project {
            file: path,
            line: None,
            cause: Box::new(InputErrorKind::Read(source)),
        },
        other => project_cause(other),
    }
}

/// What is wrong with a project file, in the inputs' words.
fn project_cause(error: MetadataError) -> InputErrorKind {
    match error {
        MetadataError::MissingField { field } => InputErrorKind::MissingField(field.to_string()),
        MetadataError::InvalidName { value, .. } => {
            InputErrorKind::InvalidProject(format!("`{value}` is not a valid project name"))
        }
        MetadataError::InvalidVersion { value, .. } => {
            InputErrorKind::InvalidProject(format!("`{value}` is not a valid version"))
        }
        MetadataError::InvalidRequiresPython { value, source } => {
            InputErrorKind::InvalidProject(format!("invalid `requires-python` `{value}`: {source}"))
        }
        MetadataError::InvalidExtra { value, .. } => {
            InputErrorKind::InvalidProject(format!("`{value}` is not a valid extra name"))
        }
        MetadataError::NotStatic { reason } => InputErrorKind::NotStatic(reason),
        MetadataError::InvalidPyproject { reason } => InputErrorKind::InvalidProject(reason),
        other => InputErrorKind::InvalidProject(other.to_string()),
    }
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
            // A dynamic version is no error: only a build can tell it, and the reason says so.
            let error = match read_local_project(dir.path()) {
                Ok(ProjectMetadata::NeedsBuild { reason, .. }) => reason,
                Ok(ProjectMetadata::Static(project)) => panic!("{content}: read {project:?}"),
                Err(error) => error.to_string(),
            };
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
