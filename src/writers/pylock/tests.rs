use std::collections::BTreeSet;
use std::str::FromStr;

use super::*;
use crate::resolver::{Edge, EdgeRequirement};
use crate::target::{Platform, PythonVersion};
use crate::types::{MetadataAvailability, PackageName, RedactedUrl, Sha256Digest, Version, Yanked};

fn file(project: &str, filename: &str, index: &str) -> IndexFile {
    let name = PackageName::from_str(project).unwrap();
    IndexFile {
        filename: filename.to_string(),
        dist: DistFilename::parse(filename, &name).unwrap(),
        url: Url::parse(&format!("https://user:secret@files.example/{filename}"))
            .unwrap()
            .into(),
        sha256: Some(Sha256Digest::of(filename.as_bytes())),
        requires_python: None,
        yanked: Yanked::No,
        upload_time: Some("2024-05-01T12:00:00Z".parse().unwrap()),
        metadata: MetadataAvailability::NotAdvertised,
        size: Some(42),
        provenance: None,
        origin: FileOrigin::Index(RedactedUrl::new(Url::parse(index).unwrap())),
    }
}

fn pin(name: &str, version: &str, files: Vec<IndexFile>) -> Pin {
    Pin {
        name: PackageName::from_str(name).unwrap(),
        version: Version::from_str(version).unwrap(),
        extras: BTreeSet::new(),
        source: PinSource::Registry { listed_by: None },
        hashes: Vec::new(),
        unhashed_files: Vec::new(),
        file: files.first().cloned(),
        files,
        dependents: BTreeSet::new(),
        origins: BTreeSet::new(),
        markers: Vec::new(),
        attestations: Vec::new(),
    }
}

fn options() -> PylockOptions {
    PylockOptions {
        targets: vec![Target::new(
            PythonVersion::from_str("3.12").unwrap(),
            Platform::from_str("x86_64-manylinux_2_28").unwrap(),
        )],
        universal: None,
    }
}

fn sample() -> Resolution {
    let index = "https://user:secret@pypi.example/simple/";
    let wheels_in_index_order = vec![
        file("a", "a-1.0-py3-none-win_amd64.whl", index),
        file("a", "a-1.0.zip", index),
        file("a", "a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", index),
        file("a", "a-1.0.tar.gz", index),
        file("a", "a-1.0-py3-none-any.whl", index),
    ];
    let mut a = pin("a", "1.0", wheels_in_index_order);
    a.markers.push("python_version >= \"3.8\"".to_string());
    let b = pin("b", "2.0", vec![file("b", "b-2.0-py3-none-any.whl", index)]);
    let dependency = |to: &str| Edge {
        from: EdgeFrom::Package {
            name: a.name.clone(),
            version: a.version.clone(),
        },
        to: PackageName::from_str(to).unwrap(),
        requirement: EdgeRequirement::Written(to.to_string()),
    };
    Resolution {
        edges: vec![dependency("b"), dependency("b")],
        pins: vec![a, b],
        forks: Vec::new(),
    }
}

#[test]
fn keys_packages_and_files_come_in_a_stable_order() {
    let text = write_pylock(&sample(), &options());
    let expected = r#"lock-version = "1.0"
environments = ["python_version == '3.12' and sys_platform == 'linux' and platform_machine == 'x86_64' and implementation_name == 'cpython'"]
requires-python = "==3.12.*"
created-by = "pinwheel"

[[packages]]
name = "a"
version = "1.0"
marker = "python_version >= \"3.8\""
dependencies = [{ name = "b" }]
index = "https://pypi.example/simple/"
sdist = { name = "a-1.0.tar.gz", upload-time = 2024-05-01T12:00:00Z, url = "https://files.example/a-1.0.tar.gz", size = 42, hashes = { sha256 = "SDIST" } }
wheels = [
    { name = "a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", upload-time = 2024-05-01T12:00:00Z, url = "https://files.example/a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", size = 42, hashes = { sha256 = "LINUX" } },
    { name = "a-1.0-py3-none-any.whl", upload-time = 2024-05-01T12:00:00Z, url = "https://files.example/a-1.0-py3-none-any.whl", size = 42, hashes = { sha256 = "ANY" } },
    { name = "a-1.0-py3-none-win_amd64.whl", upload-time = 2024-05-01T12:00:00Z, url = "https://files.example/a-1.0-py3-none-win_amd64.whl", size = 42, hashes = { sha256 = "WINDOWS" } },
]

[[packages]]
name = "b"
version = "2.0"
index = "https://pypi.example/simple/"
wheels = [
    { name = "b-2.0-py3-none-any.whl", upload-time = 2024-05-01T12:00:00Z, url = "https://files.example/b-2.0-py3-none-any.whl", size = 42, hashes = { sha256 = "B" } },
]

[tool.pinwheel]
targets = [{ python-version = "3.12", python-platform = "x86_64-manylinux_2_28" }]
"#;
    let digest = |name: &str| Sha256Digest::of(name.as_bytes()).to_string();
    let expected = expected
        .replace("SDIST", &digest("a-1.0.tar.gz"))
        .replace(
            "LINUX",
            &digest("a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
        )
        .replace("ANY", &digest("a-1.0-py3-none-any.whl"))
        .replace("WINDOWS", &digest("a-1.0-py3-none-win_amd64.whl"))
        .replace(
            "\"B\"",
            &format!("\"{}\"", digest("b-2.0-py3-none-any.whl")),
        );
    assert_eq!(text, expected);
    let parsed: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(parsed["packages"].as_array().unwrap().len(), 2);
    assert!(!text.contains("secret"), "{text}");
}

#[test]
fn target_files_only_keeps_the_targets_wheels_and_the_sdists() {
    let mut resolution = sample();
    keep_target_files(&mut resolution, &options().targets);
    let names: Vec<&str> = resolution.pins[0]
        .files
        .iter()
        .map(|file| file.filename.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "a-1.0.zip",
            "a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            "a-1.0.tar.gz",
            "a-1.0-py3-none-any.whl"
        ]
    );
}

#[test]
fn pylock_file_names_follow_pep_751() {
    for (name, is) in [
        ("pylock.toml", true),
        ("dir/pylock.dev.toml", true),
        ("pylock.a.b.toml", false),
        ("pylock..toml", false),
        ("requirements.txt", false),
        ("my-pylock.toml", false),
    ] {
        assert_eq!(is_pylock_path(Path::new(name)), is, "{name}");
    }
}

#[test]
fn strings_are_escaped_for_toml() {
    assert_eq!(quoted("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
}

#[test]
fn several_targets_give_one_environment_each_and_the_tightest_requires_python() {
    let target = |python: &str, platform: &str| {
        Target::new(
            PythonVersion::from_str(python).unwrap(),
            Platform::from_str(platform).unwrap(),
        )
    };
    let options = PylockOptions {
        targets: vec![
            target("3.11", "x86_64-manylinux_2_28"),
            target("3.12", "x86_64-manylinux_2_28"),
            target("3.12", "x86_64-pc-windows-msvc"),
        ],
        universal: None,
    };
    let text = write_pylock(&sample(), &options);
    let environments = text
        .lines()
        .find(|line| line.starts_with("environments = "))
        .unwrap();
    assert_eq!(
        environments.matches("python_version").count(),
        3,
        "{environments}"
    );
    assert!(
        environments.contains("sys_platform == 'win32'"),
        "{environments}"
    );
    assert!(
        text.contains("requires-python = \">=3.11,<3.13\"\n"),
        "{text}"
    );
    assert!(
        text.contains("python-platform = \"x86_64-pc-windows-msvc\""),
        "{text}"
    );
}
