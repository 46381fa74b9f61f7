use std::fs;
use std::path::{Path, PathBuf};

use pep508_rs::VersionOrUrl;

use super::*;

const PYPROJECT: &str = r#"
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "Pkg_Demo"
version = "0.1.0"
requires-python = ">=3.9"
dependencies = ["six>=1.16"]

[project.optional-dependencies]
dev = ["attrs", "pkg-demo[lint]"]
lint = ["ruff; python_version >= '3.10'"]
"#;

/// A scratch tree: `reqs/requirements.in` beside `pkg/`, plus whatever a test adds.
struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new() -> Self {
        let tree = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        tree.write("pkg/pyproject.toml", PYPROJECT);
        tree
    }

    fn root(&self) -> PathBuf {
        // Canonical, so that URLs compare equal on systems where the temp dir is a symlink.
        fs::canonicalize(self.dir.path()).unwrap()
    }

    fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.root().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, content).unwrap();
        path
    }

    /// The requirements file that relative paths start from.
    fn requirements_file(&self) -> PathBuf {
        self.root().join("reqs/requirements.in")
    }

    fn parse(&self, text: &str, editable: Editable) -> Result<Located, InputErrorKind> {
        parse_located(text, &self.requirements_file(), editable)
    }
}

fn url_of(requirement: &Requirement) -> String {
    match &requirement.version_or_url {
        Some(VersionOrUrl::Url(url)) => url.raw().to_string(),
        other => panic!("expected a URL, got {other:?}"),
    }
}

fn file_url(path: &Path) -> String {
    Url::from_file_path(path).unwrap().to_string()
}

#[test]
fn project_directories_in_every_spelling() {
    let tree = Tree::new();
    let pkg = tree.root().join("pkg");
    let absolute = pkg.display().to_string();
    let url = file_url(&pkg);
    // (line, editable, written, relative)
    let cases = [
        ("../pkg", Editable::No, "../pkg", true),
        ("../pkg/", Editable::No, "../pkg/", true),
        ("./../reqs/../pkg", Editable::No, "./../reqs/../pkg", true),
        ("../pkg", Editable::Yes, "../pkg", true),
        (absolute.as_str(), Editable::No, absolute.as_str(), false),
        (absolute.as_str(), Editable::Yes, absolute.as_str(), false),
        (url.as_str(), Editable::No, url.as_str(), false),
        (url.as_str(), Editable::Yes, url.as_str(), false),
    ];
    for (text, editable, written, relative) in cases {
        let (requirement, local) = tree.parse(text, editable).unwrap();
        let local = local.unwrap_or_else(|| panic!("{text}: not local"));
        assert_eq!(requirement.name.as_ref(), "pkg-demo", "{text}");
        assert_eq!(url_of(&requirement), url, "{text}");
        assert_eq!(local.written, written, "{text}");
        assert_eq!(local.is_relative(), relative, "{text}");
        assert_eq!(local.is_editable(), editable == Editable::Yes, "{text}");
        let project = local.project().unwrap();
        assert_eq!(project.version.to_string(), "0.1.0");
        assert_eq!(project.metadata_file, pkg.join("pyproject.toml"));
    }
}

#[test]
fn a_bare_name_after_dash_e_is_a_path() {
    let tree = Tree::new();
    tree.write(
        "reqs/lib/pyproject.toml",
        "[project]\nname = \"lib\"\nversion = \"2\"\n",
    );
    let (requirement, local) = tree.parse("lib", Editable::Yes).unwrap();
    assert_eq!(requirement.name.as_ref(), "lib");
    assert!(local.unwrap().is_editable());
}

#[test]
fn extras_and_markers_of_unnamed_lines() {
    let tree = Tree::new();
    let (requirement, _) = tree
        .parse(
            "../pkg[dev, lint] ; python_version >= \"3.8\"",
            Editable::No,
        )
        .unwrap();
    let extras: Vec<_> = requirement.extras.iter().map(ToString::to_string).collect();
    assert_eq!(extras, ["dev", "lint"]);
    assert_eq!(
        requirement.marker.contents().unwrap().to_string(),
        "python_full_version >= '3.8'"
    );
    // A URL may contain `;`: only a `;` set off by whitespace starts the marker.
    let (remote, _) = tree
        .parse(
            "https://h.example/a;b/foo-1.0-py3-none-any.whl ; sys_platform == 'linux'",
            Editable::No,
        )
        .unwrap();
    assert_eq!(
        url_of(&remote),
        "https://h.example/a;b/foo-1.0-py3-none-any.whl"
    );
    assert!(remote.marker.contents().is_some());
}

#[test]
fn project_metadata_marks_extras_and_keeps_requires_python() {
    let tree = Tree::new();
    let (_, local) = tree.parse("../pkg", Editable::No).unwrap();
    let project = local.unwrap().project().cloned().unwrap();
    assert_eq!(project.requires_python.unwrap().to_string(), ">=3.9");
    let extras: Vec<_> = project
        .provides_extra
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(extras, ["dev", "lint"]);
    let dependencies: Vec<_> = project
        .requires_dist
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        dependencies,
        [
            "six>=1.16",
            "attrs ; extra == 'dev'",
            "pkg-demo[lint] ; extra == 'dev'",
            "ruff ; python_full_version >= '3.10' and extra == 'lint'",
        ]
    );
}

#[test]
fn setup_cfg_is_read_when_pyproject_has_no_project_table() {
    let tree = Tree::new();
    tree.write(
        "legacy/pyproject.toml",
        "[build-system]\nrequires = [\"setuptools\"]\n",
    );
    tree.write(
        "legacy/setup.cfg",
        "[metadata]\nname = legacy\nversion = 3.1\n\n[options]\npython_requires = >=3.8\ninstall_requires =\n    six\n",
    );
    let (requirement, local) = tree.parse("../legacy", Editable::No).unwrap();
    assert_eq!(requirement.name.as_ref(), "legacy");
    let project = local.unwrap().project().cloned().unwrap();
    assert_eq!(project.version.to_string(), "3.1");
    assert_eq!(project.requires_dist.len(), 1);
    assert!(project.metadata_file.ends_with("legacy/setup.cfg"));
}

#[test]
fn named_file_urls_are_read_and_checked() {
    let tree = Tree::new();
    let url = file_url(&tree.root().join("pkg"));
    let (requirement, local) = tree
        .parse(&format!("pkg-demo[dev] @ {url}"), Editable::No)
        .unwrap();
    assert_eq!(requirement.extras.len(), 1);
    let local = local.unwrap();
    assert_eq!(local.written, url);
    assert!(!local.is_relative());
    let error = tree
        .parse(&format!("other @ {url}"), Editable::No)
        .unwrap_err();
    assert!(
        matches!(&error, InputErrorKind::NameMismatch { found, .. } if found == "pkg-demo"),
        "{error}"
    );
}

#[test]
fn archives_are_named_by_their_file_names() {
    let tree = Tree::new();
    tree.write("reqs/dist/foo_bar-1.0-py3-none-any.whl", "not read here");
    tree.write("reqs/dist/legacy-name-2.0.tar.gz", "not read here");
    let (wheel, local) = tree
        .parse("./dist/foo_bar-1.0-py3-none-any.whl", Editable::No)
        .unwrap();
    assert_eq!(wheel.name.as_ref(), "foo-bar");
    assert_eq!(
        url_of(&wheel),
        file_url(&tree.root().join("reqs/dist/foo_bar-1.0-py3-none-any.whl"))
    );
    let local = local.unwrap();
    assert!(matches!(local.target, LocalTarget::Archive));
    assert!(local.is_relative());
    // A bare file name is a path too.
    let (sdist, _) = tree
        .parse("dist/legacy-name-2.0.tar.gz", Editable::No)
        .unwrap();
    assert_eq!(sdist.name.as_ref(), "legacy-name");
}

#[test]
fn unnamed_urls_are_named_by_their_file_names() {
    let tree = Tree::new();
    let text = "https://files.example/p/foo_bar-2.0.tar.gz#sha256=00";
    let (requirement, local) = tree.parse(text, Editable::No).unwrap();
    assert!(local.is_none());
    assert_eq!(requirement.name.as_ref(), "foo-bar");
    assert_eq!(url_of(&requirement), text);
    let error = tree
        .parse("https://files.example/p/download?id=3", Editable::No)
        .unwrap_err();
    assert!(
        error.to_string().starts_with(
            "cannot tell the project's name from `https://files.example/p/download?id=3`"
        ),
        "{error}"
    );
}

#[test]
fn classifies_named_and_unnamed_lines() {
    let unnamed = [
        "./pkg",
        "../pkg[dev]",
        "/srv/pkg",
        "file:///srv/pkg",
        "pkgs/one",
        "foo-1.0.tar.gz",
        "https://h.example/foo-1.0.tar.gz",
        "https://user:token@h.example/foo-1.0.tar.gz",
    ];
    for text in unnamed {
        assert!(looks_unnamed(text), "{text}");
    }
    let named = [
        "requests>=2",
        "foo @ https://h.example/foo-1.0.tar.gz",
        "foo@https://h.example/foo-1.0.tar.gz",
        "foo @ file:///srv/foo",
        "foo ; sys_platform == 'a/b'",
    ];
    for text in named {
        assert!(!looks_unnamed(text), "{text}");
    }
}

#[test]
fn errors_say_what_is_wrong_with_the_path() {
    let tree = Tree::new();
    tree.write("reqs/empty/README", "no project here");
    tree.write(
        "reqs/dyn/pyproject.toml",
        "[project]\nname = \"dyn\"\nversion = \"1\"\ndynamic = [\"dependencies\"]\n",
    );
    tree.write(
        "reqs/scm/pyproject.toml",
        "[project]\nname = \"scm\"\ndynamic = [\"version\"]\n",
    );
    tree.write(
        "reqs/bad/pyproject.toml",
        "[project]\nname = \"bad\"\nversion = \"1\"\ndependencies = [\n  \"ok\",\n  \"not valid!\",\n]\n",
    );
    tree.write("reqs/dist/foo-1.0-py3-none-any.whl", "");
    let cases: [(&str, Editable, &str); 7] = [
        ("./missing", Editable::No, "missing` does not exist"),
        (
            "./empty",
            Editable::No,
            "has no `pyproject.toml` with a `[project]` table",
        ),
        (
            "./bad",
            Editable::No,
            "pyproject.toml:6`: invalid requirement `not valid!`",
        ),
        (
            "./dist/foo-1.0-py3-none-any.whl",
            Editable::Yes,
            "an editable requirement must be a local project directory",
        ),
        (
            "https://h.example/foo-1.0.tar.gz",
            Editable::Yes,
            "an editable requirement must be a local project directory",
        ),
        (
            "git+https://h.example/foo.git",
            Editable::No,
            "needs `#egg=name`",
        ),
        (
            "hg+https://h.example/foo#egg=foo",
            Editable::No,
            "hg requirements are not supported (only git is)",
        ),
    ];
    for (text, editable, expected) in cases {
        let error = tree.parse(text, editable).unwrap_err().to_string();
        assert!(error.contains(expected), "{text}: {error} lacks {expected}");
    }
}

/// The project of a parsed local line, and the requirement's name.
fn project_of(tree: &Tree, text: &str, editable: Editable) -> (String, ProjectMetadata) {
    let (requirement, local) = tree
        .parse(text, editable)
        .unwrap_or_else(|error| panic!("{text}: {error}"));
    let project = local
        .and_then(|local| local.project_metadata().cloned())
        .unwrap_or_else(|| panic!("{text}: no project"));
    (requirement.name.to_string(), project)
}

#[test]
fn projects_only_a_build_can_tell_are_kept_as_needing_one() {
    let tree = Tree::new();
    tree.write(
        "reqs/dyn/pyproject.toml",
        "[project]\nname = \"dyn\"\nversion = \"1\"\ndynamic = [\"dependencies\"]\n",
    );
    tree.write(
        "reqs/scm/pyproject.toml",
        "[project]\nname = \"scm\"\ndynamic = [\"version\"]\n",
    );
    tree.write(
        "reqs/Legacy_Dir/setup.py",
        "from setuptools import setup\nsetup(name='legacy', install_requires=open('r.txt').read().split())\n",
    );
    // (line, the requirement's name, the name known without a build, reason)
    let cases = [
        (
            "./dyn",
            "dyn",
            Some("dyn"),
            "dyn/pyproject.toml`: `project.dependencies` is dynamic",
        ),
        (
            "./scm",
            "scm",
            Some("scm"),
            "scm/pyproject.toml`: `project.version` is dynamic",
        ),
        (
            "./Legacy_Dir",
            "legacy-dir",
            None,
            "the `install_requires` given to `setup()` is computed",
        ),
        (
            "legacy @ file:./Legacy_Dir",
            "legacy",
            Some("legacy"),
            "is computed",
        ),
    ];
    for (text, requirement_name, known, reason) in cases {
        let text = text.replace(
            "file:./",
            &format!("{}/", file_url(&tree.root().join("reqs"))),
        );
        let editable = if text.contains(" @ ") {
            Editable::No
        } else {
            Editable::Yes
        };
        let (name, project) = project_of(&tree, &text, editable);
        let ProjectMetadata::NeedsBuild {
            directory,
            reason: found,
            name: known_name,
        } = project
        else {
            panic!("{text}: read statically");
        };
        assert_eq!(name, requirement_name, "{text}");
        assert_eq!(
            known_name.as_ref().map(ToString::to_string).as_deref(),
            known,
            "{text}"
        );
        assert!(found.contains(reason), "{text}: {found} lacks {reason}");
        assert!(directory.starts_with(tree.root().join("reqs")), "{text}");
    }
}

#[test]
fn a_literal_setup_py_is_read_statically() {
    let tree = Tree::new();
    tree.write(
        "reqs/old/setup.py",
        "from setuptools import setup\nsetup(name='Old_Pkg', version='2.1', python_requires='>=3.8',\n      install_requires=['six>=1.16'], extras_require={'test': ['pytest']})\n",
    );
    let (name, project) = project_of(&tree, "./old", Editable::Yes);
    assert_eq!(name, "old-pkg");
    let project = project.known().cloned().expect("read statically");
    assert_eq!(project.version.to_string(), "2.1");
    assert_eq!(project.requires_python.unwrap().to_string(), ">=3.8");
    let dependencies: Vec<_> = project
        .requires_dist
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(dependencies, ["six>=1.16", "pytest ; extra == 'test'"]);
    assert!(project.metadata_file.ends_with("old/setup.py"));
}
