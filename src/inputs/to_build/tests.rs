//! Local projects that need a build: listed, filled in from built metadata, or reported.

use std::path::{Path, PathBuf};
use std::str::FromStr as _;

use super::*;
use crate::inputs::{
    LocalPaths, LocalRequirement, OriginKind, ReadOptions, Variables, read_manifest,
};
use crate::types::Version;

fn write(root: &Path, name: &str, content: &str) -> PathBuf {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path
}

fn read(path: &Path, kind: OriginKind) -> Manifest {
    let variables = Variables::none();
    let options = ReadOptions {
        variables: &variables,
        local_paths: LocalPaths::Read,
    };
    read_manifest(path, kind, options).unwrap_or_else(|error| panic!("{error}"))
}

fn built(name: &str, dependencies: &[&str]) -> CoreMetadata {
    CoreMetadata {
        name: PackageName::from_str(name).unwrap(),
        version: Version::from_str("1.2").unwrap(),
        requires_dist: dependencies
            .iter()
            .map(|line| line.parse().unwrap())
            .collect(),
        requires_python: None,
        provides_extra: Vec::new(),
        dynamic: Vec::new(),
        metadata_version: "2.1".to_string(),
        repairs: Vec::new(),
    }
}

/// A `setup.py` that computes its dependencies, in a directory whose name is not the
/// project's.
const COMPUTED_SETUP_PY: &str = "from setuptools import setup\nsetup(name=NAME, install_requires=open('r.txt').read().split())\n";

#[test]
fn an_unnamed_project_is_listed_then_filled_in_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    write(&root, "Some_Dir/setup.py", COMPUTED_SETUP_PY);
    let requirements = write(&root, "requirements.in", "six\n-e ./Some_Dir\n");
    let mut manifest = read(&requirements, OriginKind::Requirement);

    assert_eq!(
        manifest.requirements[1].requirement.name.as_ref(),
        "some-dir"
    );
    let queue = manifest.projects_to_build();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].directory, root.join("Some_Dir"));
    assert_eq!(queue[0].name, None);
    assert!(queue[0].reason.contains("setup()"), "{}", queue[0].reason);
    let error = manifest
        .unbuilt_error()
        .expect("a project waits for a build");
    assert_eq!(error.line, Some(2));
    assert!(
        error.to_string().starts_with(&format!(
            "{}:2: `{}` declares its metadata in no file pinwheel reads statically (",
            requirements.display(),
            root.join("Some_Dir").display()
        )),
        "{error}"
    );

    manifest
        .set_built(queue[0].id, &built("Real_Name", &["attrs>=23"]))
        .unwrap_or_else(|error| panic!("{error}"));
    let entry = &manifest.requirements[1];
    assert_eq!(entry.requirement.name.as_ref(), "real-name");
    let project = entry
        .local
        .as_ref()
        .and_then(LocalRequirement::project)
        .unwrap();
    assert_eq!(project.version.to_string(), "1.2");
    assert_eq!(project.requires_dist[0].to_string(), "attrs>=23");
    assert!(manifest.projects_to_build().is_empty());
    assert!(manifest.unbuilt_error().is_none());
}

#[test]
fn a_named_project_keeps_its_name_and_every_line_of_its_directory_is_filled() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    write(
        &root,
        "dyn/pyproject.toml",
        "[project]\nname = \"dyn\"\nversion = \"1.2\"\ndynamic = [\"dependencies\"]\n",
    );
    let url = url::Url::from_file_path(root.join("dyn")).unwrap();
    let requirements = write(&root, "requirements.in", "./dyn\n");
    let constraints = write(&root, "constraints.txt", &format!("dyn @ {url}\n"));
    let mut manifest = read(&requirements, OriginKind::Requirement);
    manifest.extend(read(&constraints, OriginKind::Constraint));

    let queue = manifest.projects_to_build();
    assert_eq!(queue.len(), 2, "{queue:?}");
    assert!(
        queue
            .iter()
            .all(|entry| entry.name.as_ref().map(AsRef::as_ref) == Some("dyn"))
    );
    assert!(
        queue[0]
            .reason
            .ends_with("dyn/pyproject.toml`: `project.dependencies` is dynamic: pinwheel reads project metadata statically and never runs a build backend; list the dependencies in the file, or lock a requirements.in instead"),
        "{}",
        queue[0].reason
    );

    let error = manifest
        .clone()
        .set_built(queue[0].id, &built("other", &[]))
        .unwrap_err();
    assert_eq!(error.line, Some(1));
    assert!(
        error
            .to_string()
            .ends_with("the line names `dyn`, but the project at its path is `other`"),
        "{error}"
    );

    manifest
        .set_built(queue[0].id, &built("dyn", &["six"]))
        .unwrap_or_else(|error| panic!("{error}"));
    assert!(manifest.projects_to_build().is_empty());
    let constraint = manifest.constraints[0].local.as_ref().unwrap();
    assert_eq!(constraint.project().unwrap().requires_dist.len(), 1);
    // Filled in once, an entry waits for no build any more.
    assert!(matches!(
        manifest.set_built(queue[0].id, &built("dyn", &[])),
        Err(InputError {
            kind: InputErrorKind::NotToBuild,
            ..
        })
    ));
}
