//! Lock files: the requirements format and `pylock.toml`, read back from what pinwheel's
//! writers wrote.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr as _;

use pep508_rs::MarkerTree;
use proptest::collection::{btree_map, btree_set, vec};
use proptest::prelude::*;
use url::Url;

use super::seeds::seeds;
use super::{check, no_panic_and_bounded};
use crate::lockfile::{LockedSource, parse_lock, parse_pylock};
use crate::resolver::{Pin, PinSource, Resolution};
use crate::target::{Platform, PythonVersion, Target};
use crate::types::{
    DistFilename, ExtraName, FileOrigin, IndexFile, MetadataAvailability, PackageName, RedactedUrl,
    Sha256Digest, Version, Yanked,
};
use crate::writers::{PylockOptions, WriteOptions, write_pylock, write_requirements_txt};

const CASES: u32 = 256;

#[test]
fn requirements_locks_never_panic() {
    no_panic_and_bounded("lock", CASES, seeds("lock"));
}

#[test]
fn pylocks_never_panic() {
    no_panic_and_bounded("pylock", CASES, seeds("pylock"));
}

/// What a generated pin fixes, and what reading it back must give.
#[derive(Clone, Debug)]
struct Generated {
    version: Version,
    extras: BTreeSet<ExtraName>,
    marker: Option<String>,
    /// The contents whose digests are the pin's files' (or its `--hash` values).
    contents: Vec<String>,
}

fn generated() -> impl Strategy<Value = Generated> {
    let marker = prop_oneof![
        "python_version (<|>=) \"3\\.[0-9]{1,2}\"",
        "sys_platform == \"(linux|win32)\"",
        "python_version < \"3\\.1[0-2]\" and platform_machine == \"x86_64\"",
    ];
    (
        "[0-9]{1,3}(\\.[0-9]{1,3}){0,2}(rc[0-9])?(\\.post[0-9])?",
        btree_set("[a-z]{1,6}", 0..3),
        proptest::option::of(marker),
        vec("[a-z]{0,6}", 0..4),
    )
        .prop_map(|(version, extras, marker, contents)| Generated {
            version: Version::from_str(&version).unwrap(),
            extras: extras
                .iter()
                .map(|extra| ExtraName::from_str(extra).unwrap())
                .collect(),
            marker,
            contents,
        })
}

fn pins() -> impl Strategy<Value = BTreeMap<String, Generated>> {
    btree_map("[a-z][a-z0-9]{0,6}", generated(), 0..10)
}

fn digests(contents: &[String]) -> Vec<Sha256Digest> {
    let mut digests: Vec<Sha256Digest> = contents
        .iter()
        .map(|content| Sha256Digest::of(content.as_bytes()))
        .collect();
    digests.sort_unstable();
    digests.dedup();
    digests
}

fn pin(name: &str, generated: &Generated, files: Vec<IndexFile>) -> Pin {
    Pin {
        name: PackageName::from_str(name).unwrap(),
        version: generated.version.clone(),
        extras: generated.extras.clone(),
        source: PinSource::Registry { listed_by: None },
        hashes: digests(&generated.contents),
        unhashed_files: Vec::new(),
        file: files.first().cloned(),
        files,
        dependents: BTreeSet::new(),
        origins: BTreeSet::new(),
        markers: generated.marker.iter().cloned().collect(),
        attestations: Vec::new(),
    }
}

fn marker(generated: &Generated) -> Option<MarkerTree> {
    generated
        .marker
        .as_deref()
        .map(|marker| MarkerTree::from_str(marker).unwrap())
}

#[test]
fn a_requirements_lock_reads_back_what_was_written() {
    check("requirements lock round trip", CASES, pins(), |generated| {
        let resolution = Resolution {
            pins: generated
                .iter()
                .map(|(name, pin_of)| pin(name, pin_of, Vec::new()))
                .collect(),
            edges: Vec::new(),
            forks: Vec::new(),
        };
        let options = WriteOptions {
            hashes: true,
            ..WriteOptions::default()
        };
        let text = write_requirements_txt(&resolution, &options);
        let lock = parse_lock(&text, Path::new("requirements.txt"))
            .map_err(|error| TestCaseError::fail(format!("{error}\n{text}")))?;
        prop_assert_eq!(lock.pins.len(), generated.len(), "{}", text);
        for (read, (name, written)) in lock.pins.iter().zip(&generated) {
            prop_assert_eq!(read.name.as_ref(), name.as_str());
            prop_assert_eq!(
                &read.source,
                &LockedSource::Version(written.version.clone())
            );
            let extras: BTreeSet<ExtraName> = read.extras.iter().cloned().collect();
            prop_assert_eq!(&extras, &written.extras);
            prop_assert_eq!(&read.marker, &marker(written));
            prop_assert_eq!(&read.hashes, &digests(&written.contents));
        }
        Ok(())
    });
}

/// A wheel of `name` whose digest is of `content`.
fn wheel(name: &str, version: &Version, content: &str, index: usize) -> IndexFile {
    let project = PackageName::from_str(name).unwrap();
    // Distinct build tags, so that every file is a wheel of its own.
    let filename = format!("{name}-{version}-{index}-py3-none-any.whl");
    IndexFile {
        dist: DistFilename::parse(&filename, &project).unwrap(),
        url: Url::parse(&format!("https://files.example/{filename}"))
            .unwrap()
            .into(),
        filename,
        sha256: Some(Sha256Digest::of(content.as_bytes())),
        requires_python: None,
        yanked: Yanked::No,
        upload_time: None,
        metadata: MetadataAvailability::NotAdvertised,
        size: Some(content.len() as u64),
        provenance: None,
        origin: FileOrigin::Index(RedactedUrl::new(
            Url::parse("https://pypi.example/simple/").unwrap(),
        )),
    }
}

#[test]
fn a_pylock_reads_back_what_was_written() {
    check("pylock round trip", CASES, pins(), |generated| {
        let pins = generated
            .iter()
            .map(|(name, written)| {
                let files = written
                    .contents
                    .iter()
                    .enumerate()
                    .map(|(index, content)| wheel(name, &written.version, content, index))
                    .collect();
                pin(name, written, files)
            })
            .collect();
        let resolution = Resolution {
            pins,
            edges: Vec::new(),
            forks: Vec::new(),
        };
        let options = PylockOptions {
            targets: vec![Target::new(
                PythonVersion::from_str("3.12").unwrap(),
                Platform::from_str("x86_64-manylinux_2_28").unwrap(),
            )],
            universal: None,
        };
        let text = write_pylock(&resolution, &options);
        let lock = parse_pylock(&text, Path::new("pylock.toml"))
            .map_err(|error| TestCaseError::fail(format!("{error}\n{text}")))?;
        prop_assert_eq!(lock.pins.len(), generated.len(), "{}", text);
        for (read, (name, written)) in lock.pins.iter().zip(&generated) {
            prop_assert_eq!(read.name.as_ref(), name.as_str());
            prop_assert_eq!(
                &read.source,
                &LockedSource::Version(written.version.clone())
            );
            prop_assert_eq!(&read.marker, &marker(written));
            prop_assert_eq!(&read.hashes, &digests(&written.contents), "{}", text);
        }
        Ok(())
    });
}
