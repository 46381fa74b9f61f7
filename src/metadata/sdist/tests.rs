//! Tests for choosing an sdist's static metadata, on archives built with `tar`+`flate2` and
//! the `zip` crate.

use super::*;
use crate::metadata::test_support::{ZipMember, build_tar_gz, build_zip, extra_names};

fn filename(file: &str, project: &str) -> SdistFilename {
    SdistFilename::parse(file, &PackageName::from_str(project).unwrap()).unwrap()
}

fn rendered(metadata: &CoreMetadata) -> Vec<String> {
    crate::metadata::test_support::rendered(&metadata.requires_dist)
}

const PKG_INFO_22: &[u8] = b"Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nRequires-Python: >=3.8\n\
Dynamic: License\nProvides-Extra: fast\nRequires-Dist: attrs\nRequires-Dist: orjson; extra == \"fast\"\n\n\
Long description with Requires-Dist: nothing\n";

const PKG_INFO_21: &[u8] =
    b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Python: >=3.7\n";

const STATIC_PYPROJECT: &[u8] = b"[project]\nname = \"demo\"\ndynamic = [\"version\"]\n\
dependencies = [\"click>=8\"]\n[project.optional-dependencies]\ndev = [\"pytest\"]\n";

const DYNAMIC_PYPROJECT: &[u8] =
    b"[project]\nname = \"demo\"\nversion = \"1.0\"\ndynamic = [\"dependencies\"]\n";

#[test]
fn static_pkg_info_wins() {
    let archive = build_tar_gz(&[
        ("demo-1.0/pyproject.toml", STATIC_PYPROJECT),
        ("demo-1.0/PKG-INFO", PKG_INFO_22),
        ("demo-1.0/demo/__init__.py", b""),
    ]);
    let metadata = sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")).unwrap();
    assert_eq!(rendered(&metadata), ["attrs", "orjson ; extra == 'fast'"]);
    assert_eq!(metadata.provides_extra[0].as_ref(), "fast");
    assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.8");
    assert_eq!(metadata.metadata_version, "2.2");
    assert_eq!(metadata.dynamic, ["license"]);
}

#[test]
fn old_or_dynamic_pkg_info_falls_back_to_a_static_pyproject() {
    let dynamic_22 = b"Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nDynamic: Requires-Dist\n";
    for pkg_info in [PKG_INFO_21, &dynamic_22[..]] {
        let archive = build_tar_gz(&[
            ("./demo-1.0/PKG-INFO", pkg_info),
            ("./demo-1.0/pyproject.toml", STATIC_PYPROJECT),
        ]);
        let metadata =
            sdist_static_metadata(&archive, &filename("demo-1.0.post2.tar.gz", "demo")).unwrap();
        assert_eq!(rendered(&metadata), ["click>=8", "pytest ; extra == 'dev'"]);
        assert_eq!(
            metadata.version.to_string(),
            "1.0.post2",
            "a dynamic version comes from the file name"
        );
        assert_eq!(metadata.provides_extra[0].as_ref(), "dev");
        assert!(metadata.dynamic.is_empty());
    }
    // `Requires-Python` the pyproject lacks comes from PKG-INFO.
    let archive = build_tar_gz(&[
        ("demo-1.0/PKG-INFO", PKG_INFO_21),
        ("demo-1.0/pyproject.toml", STATIC_PYPROJECT),
    ]);
    let metadata = sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")).unwrap();
    assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.7");
    assert_eq!(metadata.metadata_version, "2.1");
}

#[test]
fn dynamic_dependencies_without_egg_info_are_refused() {
    let archive = build_tar_gz(&[
        ("demo-1.0/PKG-INFO", PKG_INFO_21),
        ("demo-1.0/pyproject.toml", DYNAMIC_PYPROJECT),
        (
            "demo-1.0/setup.py",
            b"from setuptools import setup; setup()",
        ),
    ]);
    let error = sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")).unwrap_err();
    assert!(matches!(error, MetadataError::Dynamic { .. }));
    assert_eq!(
        error.to_string(),
        "demo 1.0 has only a source distribution, and its dependencies are not declared \
         statically; pinwheel never runs builds, so pin demo to a version that has a wheel, \
         or pass `--only-binary demo`"
    );
    // No metadata files at all, or an empty archive.
    for members in [&[("demo-1.0/setup.py", &b"x"[..])][..], &[]] {
        let archive = build_tar_gz(members);
        let error =
            sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")).unwrap_err();
        assert!(matches!(error, MetadataError::Dynamic { .. }), "{error}");
    }
}

#[test]
fn egg_info_requires_txt_with_sections() {
    let requires = b"six>=1.10\n\n[socks]\nPySocks>=1.5.6\n\n[:python_version < \"3.8\"]\nimportlib-metadata\n\n\
[windows:sys_platform == \"win32\"]\npywin32\n";
    let archive = build_tar_gz(&[
        ("demo-1.0/PKG-INFO", PKG_INFO_21),
        ("demo-1.0/pyproject.toml", DYNAMIC_PYPROJECT),
        ("demo-1.0/src/other.egg-info/requires.txt", b"wrong\n"),
        (
            "demo-1.0/src/demo.egg-info/PKG-INFO",
            b"Metadata-Version: 2.1\nName: Demo\nVersion: 1.0.0\nRequires-Python: >=3.6\n",
        ),
        ("demo-1.0/src/demo.egg-info/requires.txt", requires),
        ("demo-1.0/src/demo.egg-info/SOURCES.txt", b"setup.py\n"),
    ]);
    let metadata = sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")).unwrap();
    assert_eq!(
        rendered(&metadata),
        [
            "six>=1.10",
            "pysocks>=1.5.6 ; extra == 'socks'",
            "importlib-metadata ; python_full_version < '3.8'",
            "pywin32 ; sys_platform == 'win32' and extra == 'windows'",
        ]
    );
    assert_eq!(extra_names(&metadata.provides_extra), ["socks", "windows"]);
    assert_eq!(metadata.version.to_string(), "1.0.0");
    assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.6");
}

#[test]
fn egg_info_without_requires_txt_means_no_dependencies() {
    let archive = build_tar_gz(&[
        ("demo-1.0/setup.py", b"setup()"),
        ("demo-1.0/demo.egg-info/PKG-INFO", PKG_INFO_21),
    ]);
    let metadata = sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")).unwrap();
    assert!(metadata.requires_dist.is_empty());
    assert_eq!(metadata.name.as_ref(), "demo");
    // Two unrelated egg-info directories are ambiguous: refuse rather than guess.
    let archive = build_tar_gz(&[
        ("demo-1.0/a.egg-info/requires.txt", b"x\n"),
        ("demo-1.0/b.egg-info/requires.txt", b"y\n"),
    ]);
    assert!(matches!(
        sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")),
        Err(MetadataError::Dynamic { .. })
    ));
}

#[test]
fn zip_sdists_are_read_too() {
    let archive = build_zip(
        &[
            ZipMember::deflated("demo-1.0/setup.py", b"setup()".to_vec()),
            ZipMember::deflated("demo-1.0/PKG-INFO", PKG_INFO_22.to_vec()),
        ],
        "legacy zip sdist",
        false,
    );
    let metadata = sdist_static_metadata(&archive, &filename("demo-1.0.zip", "demo")).unwrap();
    assert_eq!(rendered(&metadata), ["attrs", "orjson ; extra == 'fast'"]);
    let archive = build_zip(
        &[
            ZipMember::stored("demo-1.0/PKG-INFO", PKG_INFO_21.to_vec()),
            ZipMember::deflated(
                "demo-1.0/demo.egg-info/requires.txt",
                b"[test]\npytest\n".to_vec(),
            ),
        ],
        "",
        false,
    );
    let metadata = sdist_static_metadata(&archive, &filename("demo-1.0.zip", "demo")).unwrap();
    assert_eq!(rendered(&metadata), ["pytest ; extra == 'test'"]);
    assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.7");
}

#[test]
fn broken_archives_and_members_are_errors() {
    let file = filename("demo-1.0.tar.gz", "demo");
    let error = sdist_static_metadata(b"not gzip at all", &file).unwrap_err();
    assert!(matches!(error, MetadataError::Archive { .. }), "{error}");
    let error = sdist_static_metadata(b"not a zip", &filename("demo-1.0.zip", "demo")).unwrap_err();
    assert!(
        matches!(error, MetadataError::Zip(ZipError::NoEndOfCentralDirectory)),
        "{error}"
    );

    let bad = b"Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nRequires-Dist: attrs >= >= 1\n";
    let archive = build_tar_gz(&[("demo-1.0/PKG-INFO", &bad[..])]);
    let error = sdist_static_metadata(&archive, &file).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid `demo-1.0/PKG-INFO` in the source distribution"
    );
    let MetadataError::InMember { source, .. } = error else {
        panic!()
    };
    assert_eq!(source.to_string(), "invalid requirement `attrs >= >= 1`");

    // Every truncation of a valid archive fails cleanly or still reads.
    let archive = build_tar_gz(&[("demo-1.0/PKG-INFO", PKG_INFO_22)]);
    for cut in 0..archive.len() {
        let _ = sdist_static_metadata(&archive[..cut], &file);
    }
}

/// home_assistant_bluetooth 1.10.4 (abridged): poetry-core's sdist, whose generated setup.py
/// passes `**setup_kwargs`.
const POETRY_PYPROJECT: &[u8] = b"[tool.poetry]\nname = \"demo\"\nversion = \"1.0\"\n\n\
[tool.poetry.dependencies]\npython = \"^3.9\"\nattrs = \">=22\"\n\n[build-system]\n\
requires = ['setuptools>=65.4.1', 'wheel', 'Cython', \"poetry-core>=1.0.0\"]\n\
build-backend = \"poetry.core.masonry.api\"\n";

const POETRY_SETUP_PY: &[u8] = b"from setuptools import setup\n\nsetup_kwargs = {\n    'name': 'demo',\n    \
'install_requires': ['attrs>=22'],\n}\nfrom build_ext import *\nbuild(setup_kwargs)\n\nsetup(**setup_kwargs)\n";

#[test]
fn pkg_info_of_poetry_and_flit_builds_is_trusted() {
    let pkg_info = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Python: >=3.9,<4.0\n\
Provides-Extra: fast\nRequires-Dist: attrs (>=22)\nRequires-Dist: orjson ; extra == \"fast\"\n\n# Demo\n";
    let archive = build_tar_gz(&[
        ("demo-1.0/pyproject.toml", POETRY_PYPROJECT),
        ("demo-1.0/setup.py", POETRY_SETUP_PY),
        ("demo-1.0/PKG-INFO", pkg_info),
    ]);
    let metadata = sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")).unwrap();
    assert_eq!(
        rendered(&metadata),
        ["attrs>=22", "orjson ; extra == 'fast'"]
    );
    assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.9, <4.0");
    // No Requires-Dist in a poetry PKG-INFO means no dependencies (home_assistant_bluetooth).
    let archive = build_tar_gz(&[
        ("demo-1.0/pyproject.toml", POETRY_PYPROJECT),
        ("demo-1.0/PKG-INFO", PKG_INFO_21),
    ]);
    let metadata = sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")).unwrap();
    assert!(metadata.requires_dist.is_empty());
    // flit_core too; but not hatchling, whose metadata hooks may add dependencies, nor a
    // PKG-INFO older than 2.1.
    let flit =
        b"[build-system]\nrequires = [\"flit_core\"]\nbuild-backend = \"flit_core.buildapi\"\n";
    let archive = build_tar_gz(&[
        ("demo-1.0/pyproject.toml", flit),
        ("demo-1.0/PKG-INFO", pkg_info),
    ]);
    assert!(sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")).is_ok());
    let hatch =
        b"[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n";
    let pkg_info_12 = b"Metadata-Version: 1.2\nName: demo\nVersion: 1.0\n";
    for (pyproject, pkg_info) in [
        (&hatch[..], &pkg_info[..]),
        (POETRY_PYPROJECT, &pkg_info_12[..]),
    ] {
        let archive = build_tar_gz(&[
            ("demo-1.0/pyproject.toml", pyproject),
            ("demo-1.0/PKG-INFO", pkg_info),
            (
                "demo-1.0/setup.py",
                b"from setuptools import setup\nsetup()\n",
            ),
        ]);
        assert!(matches!(
            sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")),
            Err(MetadataError::Dynamic { .. })
        ));
    }
}

#[test]
fn literal_setup_py_and_setup_cfg_are_read_for_setuptools_builds() {
    // multi_key_dict 2.0.3: distutils' sdist (no egg-info), PKG-INFO 1.1, nothing required.
    let setup_py = b"from distutils.core import setup\n\nsetup(name='multi_key_dict',\n      \
version='2.0.3',\n      py_modules=['multi_key_dict'],\n      )\n";
    let pkg_info = b"Metadata-Version: 1.1\nName: multi_key_dict\nVersion: 2.0.3\n";
    let archive = build_tar_gz(&[
        ("multi_key_dict-2.0.3/multi_key_dict.py", b"x = 1\n"),
        ("multi_key_dict-2.0.3/setup.py", setup_py),
        ("multi_key_dict-2.0.3/PKG-INFO", pkg_info),
    ]);
    let metadata = sdist_static_metadata(
        &archive,
        &filename("multi_key_dict-2.0.3.tar.gz", "multi-key-dict"),
    )
    .unwrap();
    assert!(metadata.requires_dist.is_empty());
    assert_eq!(metadata.name.as_ref(), "multi-key-dict");
    assert_eq!(metadata.version.to_string(), "2.0.3");
    assert_eq!(metadata.metadata_version, "1.1");

    // setup.py's `install_requires` and setup.cfg's extras together; `Requires-Python` from
    // setup.cfg; a setuptools pyproject.toml without `[project]` changes nothing.
    let setup_py = b"from setuptools import setup\nsetup(install_requires=['requests>=2'])\n";
    let setup_cfg = b"[metadata]\nname = demo\n[options]\npython_requires = >=3.8\n\
[options.extras_require]\nsocks =\n    PySocks\n";
    let archive = build_tar_gz(&[
        ("demo-1.0/setup.py", setup_py),
        ("demo-1.0/setup.cfg", setup_cfg),
        (
            "demo-1.0/pyproject.toml",
            b"[build-system]\nrequires = [\"setuptools\"]\n",
        ),
        ("demo-1.0/PKG-INFO", PKG_INFO_21),
    ]);
    let metadata = sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")).unwrap();
    assert_eq!(
        rendered(&metadata),
        ["requests>=2", "pysocks ; extra == 'socks'"]
    );
    assert_eq!(metadata.provides_extra[0].as_ref(), "socks");
    assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.8");

    // A zip sdist with only setup.cfg (and a pyproject.toml asking for setuptools).
    let archive = build_zip(
        &[
            ZipMember::deflated(
                "demo-1.0/pyproject.toml",
                b"[build-system]\nbuild-backend = \"setuptools.build_meta\"\n".to_vec(),
            ),
            ZipMember::deflated(
                "demo-1.0/setup.cfg",
                b"[options]\ninstall_requires = six; attrs\n".to_vec(),
            ),
        ],
        "",
        false,
    );
    let metadata = sdist_static_metadata(&archive, &filename("demo-1.0.zip", "demo")).unwrap();
    assert_eq!(rendered(&metadata), ["six", "attrs"]);
}

#[test]
fn setup_files_that_need_running_are_refused() {
    let refused = |members: &[(&str, &[u8])]| {
        let archive = build_tar_gz(members);
        match sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")) {
            Err(MetadataError::Dynamic { .. }) => {}
            other => panic!("{other:?}"),
        }
    };
    // Computed `install_requires`.
    refused(&[(
        "demo-1.0/setup.py",
        b"from setuptools import setup\nsetup(install_requires=open('r.txt').read().split())\n",
    )]);
    // Declared twice.
    refused(&[
        (
            "demo-1.0/setup.py",
            b"from setuptools import setup\nsetup(install_requires=['a'])\n",
        ),
        ("demo-1.0/setup.cfg", b"[options]\ninstall_requires = b\n"),
    ]);
    // Another backend builds it: its setup.py is not what runs.
    refused(&[
        (
            "demo-1.0/pyproject.toml",
            b"[build-system]\nbuild-backend = \"hatchling.build\"\n",
        ),
        (
            "demo-1.0/setup.py",
            b"from setuptools import setup\nsetup()\n",
        ),
    ]);
    // A `[project]` table with dynamic dependencies.
    refused(&[
        ("demo-1.0/pyproject.toml", DYNAMIC_PYPROJECT),
        (
            "demo-1.0/setup.py",
            b"from setuptools import setup\nsetup()\n",
        ),
    ]);
    // setup.cfg alone, without a pyproject.toml to ask for setuptools: nothing can build it.
    refused(&[("demo-1.0/setup.cfg", b"[options]\ninstall_requires = b\n")]);
    // PKG-INFO lists other requirements than setup.py declares.
    refused(&[
        (
            "demo-1.0/PKG-INFO",
            b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: other\n",
        ),
        (
            "demo-1.0/setup.py",
            b"from setuptools import setup\nsetup(install_requires=['a'])\n",
        ),
    ]);
    // When they agree, PKG-INFO is no obstacle.
    let archive = build_tar_gz(&[
        (
            "demo-1.0/PKG-INFO",
            b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: a (>=1)\n",
        ),
        (
            "demo-1.0/setup.py",
            b"from setuptools import setup\nsetup(install_requires=['a>=1'])\n",
        ),
    ]);
    let metadata = sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")).unwrap();
    assert_eq!(rendered(&metadata), ["a>=1"]);
    // A literal but invalid requirement: the build would fail, so the version is unusable.
    let archive = build_tar_gz(&[(
        "demo-1.0/setup.py",
        b"from setuptools import setup\nsetup(install_requires=['a >= >= 1'])\n",
    )]);
    let error = sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid `demo-1.0/setup.py` in the source distribution"
    );
}

#[test]
fn egg_info_one_level_down_only_when_named_after_the_package() {
    // matplotlib 3.6.1: `package_dir={'': 'lib'}` puts it in lib/.
    let archive = build_tar_gz(&[
        ("demo-1.0/PKG-INFO", PKG_INFO_21),
        ("demo-1.0/setup.py", b"import sys\nsetup(**kw)\n"),
        ("demo-1.0/lib/demo.egg-info/requires.txt", b"numpy>=1.19\n"),
        ("demo-1.0/lib/demo.egg-info/PKG-INFO", PKG_INFO_21),
    ]);
    let metadata = sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")).unwrap();
    assert_eq!(rendered(&metadata), ["numpy>=1.19"]);
    // A vendored project's egg-info is not the package's.
    let archive = build_tar_gz(&[
        ("demo-1.0/PKG-INFO", PKG_INFO_21),
        ("demo-1.0/setup.py", b"import sys\nsetup(**kw)\n"),
        ("demo-1.0/vendor/other.egg-info/requires.txt", b"wrong\n"),
    ]);
    assert!(matches!(
        sdist_static_metadata(&archive, &filename("demo-1.0.tar.gz", "demo")),
        Err(MetadataError::Dynamic { .. })
    ));
}

#[test]
fn a_literal_setup_py_wins_over_the_egg_info_it_would_regenerate() {
    let members: [(&str, &[u8]); 3] = [
        (
            "demo-1.0/setup.py",
            b"from setuptools import setup\nsetup(install_requires=['simplejson>=3'])\n",
        ),
        (
            "demo-1.0/demo.egg-info/requires.txt",
            b"simplejson>=2.0.9\n",
        ),
        ("demo-1.0/PKG-INFO", PKG_INFO_21),
    ];
    let metadata = sdist_static_metadata(
        &build_tar_gz(&members),
        &filename("demo-1.0.tar.gz", "demo"),
    )
    .unwrap();
    assert_eq!(rendered(&metadata), ["simplejson>=3"]);
    // When setup.py computes the list (datadog 0.15.0), the record is all there is.
    let computed: &[u8] = b"from setuptools import setup\nimport sys\nreqs = ['decorator']\n\
if sys.version_info[0] == 2:\n    reqs.append('simplejson>=2.0.9')\nsetup(install_requires=reqs)\n";
    let members = [(members[0].0, computed), members[1], members[2]];
    let metadata = sdist_static_metadata(
        &build_tar_gz(&members),
        &filename("demo-1.0.tar.gz", "demo"),
    )
    .unwrap();
    assert_eq!(rendered(&metadata), ["simplejson>=2.0.9"]);
}

#[test]
fn sdists_on_disk_read_as_they_do_in_memory() {
    let tar_gz = build_tar_gz(&[
        ("demo-1.0/PKG-INFO", PKG_INFO_21),
        ("demo-1.0/pyproject.toml", STATIC_PYPROJECT),
        ("demo-1.0/demo/__init__.py", b""),
    ]);
    let zip = build_zip(
        &[ZipMember::deflated(
            "demo-1.0/PKG-INFO",
            PKG_INFO_22.to_vec(),
        )],
        "",
        false,
    );
    for (archive, name, expected) in [
        (
            tar_gz,
            "demo-1.0.tar.gz",
            ["click>=8", "pytest ; extra == 'dev'"],
        ),
        (zip, "demo-1.0.zip", ["attrs", "orjson ; extra == 'fast'"]),
    ] {
        let stored = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(stored.path(), &archive).unwrap();
        let metadata = sdist_static_metadata_at(stored.path(), &filename(name, "demo")).unwrap();
        assert_eq!(rendered(&metadata), expected, "{name}");
    }
    let missing = sdist_static_metadata_at(
        Path::new("/nonexistent/demo-1.0.tar.gz"),
        &filename("demo-1.0.tar.gz", "demo"),
    );
    assert!(
        matches!(missing, Err(MetadataError::Archive { .. })),
        "{missing:?}"
    );
}
