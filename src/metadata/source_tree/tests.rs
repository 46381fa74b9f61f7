//! Source trees on disk: each static source, and each way of needing a build.

use std::path::Path;

use super::*;
use crate::metadata::test_support::rendered;

/// A tree's files, as `(path, content)`.
type Files<'a> = &'a [(&'a str, &'a str)];

fn tree(files: Files<'_>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

fn read(dir: &Path) -> CoreMetadata {
    source_tree_metadata(dir).unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn static_sources_of_a_tree() {
    // (files, name, version, requirements)
    let cases: [(Files<'_>, &str, &str, &[&str]); 4] = [
        (
            &[(
                "pyproject.toml",
                "[project]\nname = \"Demo\"\nversion = \"1.0\"\ndependencies = [\"six\"]\n\
                 [project.optional-dependencies]\nx = [\"attrs\"]\n",
            )],
            "demo",
            "1.0",
            &["six", "attrs ; extra == 'x'"],
        ),
        (
            &[(
                "setup.py",
                "from setuptools import setup\nsetup(name='old', version='0.3', install_requires=['six'])\n",
            )],
            "old",
            "0.3",
            &["six"],
        ),
        (
            // setup.cfg alone: what `pip install ./tree` builds through setuptools.
            &[(
                "setup.cfg",
                "[metadata]\nname = cfg\nversion = 2\n[options]\ninstall_requires =\n    attrs\n",
            )],
            "cfg",
            "2",
            &["attrs"],
        ),
        (
            // An unpacked sdist: its PKG-INFO (2.2, nothing dynamic) is the answer.
            &[
                (
                    "PKG-INFO",
                    "Metadata-Version: 2.2\nName: unpacked\nVersion: 5\nRequires-Dist: idna\n",
                ),
                ("setup.py", "import os\nos.system('anything')\n"),
            ],
            "unpacked",
            "5",
            &["idna"],
        ),
    ];
    for (files, name, version, requirements) in cases {
        let dir = tree(files);
        let metadata = read(dir.path());
        assert_eq!(metadata.name.as_ref(), name, "{files:?}");
        assert_eq!(metadata.version.to_string(), version, "{files:?}");
        assert_eq!(rendered(&metadata.requires_dist), requirements, "{files:?}");
    }
}

#[test]
fn trees_only_a_build_can_tell_say_why() {
    // (files, the name known without a build, the cause)
    let cases: [(Files<'_>, Option<&str>, &str); 5] = [
        (
            &[(
                "pyproject.toml",
                "[project]\nname = \"dyn\"\nversion = \"1\"\ndynamic = [\"dependencies\"]\n",
            )],
            Some("dyn"),
            "pyproject.toml` is dynamic",
        ),
        (
            &[(
                "pyproject.toml",
                "[project]\nname = \"scm\"\ndynamic = [\"version\"]\n",
            )],
            Some("scm"),
            "`project.version` in",
        ),
        (
            &[(
                "setup.py",
                "from setuptools import setup\nsetup(name='v', version=open('VERSION').read())\n",
            )],
            Some("v"),
            "`setup(version=…)` in",
        ),
        (
            &[(
                "setup.py",
                "from setuptools import setup\nsetup(name='c', install_requires=[r for r in 'ab'])\n",
            )],
            None,
            "the `install_requires` given to `setup()` is computed",
        ),
        (
            // A stale egg-info of an earlier build is no record of the tree as it is.
            &[
                (
                    "setup.py",
                    "from setuptools import setup\nsetup(**CONFIG)\n",
                ),
                (
                    "stale.egg-info/PKG-INFO",
                    "Metadata-Version: 1.0\nName: stale\n",
                ),
                ("stale.egg-info/requires.txt", "six\n"),
            ],
            None,
            "`setup()` is given `**CONFIG`",
        ),
    ];
    for (files, known, cause) in cases {
        let dir = tree(files);
        match source_tree_metadata(dir.path()) {
            Err(MetadataError::NeedsBuild {
                directory,
                name,
                cause: found,
            }) => {
                assert_eq!(directory, dir.path(), "{files:?}");
                assert_eq!(name.as_ref().map(AsRef::as_ref), known, "{files:?}");
                assert!(found.to_string().contains(cause), "{files:?}: {found}");
            }
            other => panic!("{files:?}: {other:?}"),
        }
    }
}

#[test]
fn invalid_or_missing_values_are_errors_naming_the_file() {
    let cases = [
        (
            "pyproject.toml",
            "[project]\nversion = \"1\"\n",
            "the metadata has no `project.name` field",
        ),
        (
            "pyproject.toml",
            "[project]\nname = \"a\"\n",
            "no `project.version` field",
        ),
        (
            "pyproject.toml",
            "[project]\nname = \"a\"\nversion = 1\n",
            "`project.version` must be a string",
        ),
        ("pyproject.toml", "[project\n", "invalid `pyproject.toml`"),
        (
            "setup.cfg",
            "[metadata]\nname = a\n",
            "no `metadata.version` field",
        ),
    ];
    for (file, content, expected) in cases {
        let dir = tree(&[(file, content)]);
        let error = source_tree_metadata(dir.path()).unwrap_err();
        let MetadataError::InMember { member, source } = &error else {
            panic!("{content}: {error:?}");
        };
        assert_eq!(Path::new(member), dir.path().join(file), "{content}");
        assert!(source.to_string().contains(expected), "{content}: {source}");
    }
    let empty = tree(&[("README", "nothing to build")]);
    assert!(matches!(
        source_tree_metadata(empty.path()),
        Err(MetadataError::NotASourceTree { .. })
    ));
}
