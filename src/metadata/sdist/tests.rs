//! Tests for choosing an sdist's static metadata, on archives built with `tar`+`flate2` and
//! the `zip` crate.

use super::*;
use crate::metadata::test_support::{ZipMember, build_tar_gz, build_zip};

fn filename(file: &str, project: &str) -> SdistFilename {
    SdistFilename::parse(file, &PackageName::from_str(project).unwrap()).unwrap()
}

fn rendered(metadata: &CoreMetadata) -> Vec<String> {
    metadata
        .requires_dist
        .iter()
        .map(ToString::to_string)
        .collect()
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
    let extras: Vec<&str> = metadata.provides_extra.iter().map(AsRef::as_ref).collect();
    assert_eq!(extras, ["socks", "windows"]);
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
