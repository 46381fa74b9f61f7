//! Tests for reading METADATA from whole and partial wheels built with the `zip` crate.

use super::*;
use crate::metadata::test_support::{ZipMember, build_zip, noise};
use crate::metadata::zipfile::Compression;

const METADATA: &[u8] = b"Metadata-Version: 2.1\nName: Foo.Bar\nVersion: 1.0\nRequires-Dist: six\n";

fn name(text: &str) -> PackageName {
    PackageName::from_str(text).unwrap()
}

fn version(text: &str) -> Version {
    Version::from_str(text).unwrap()
}

/// Plays the HTTP client: fetch the tail, then whatever is asked, up to five requests.
/// Returns the metadata and the ranges requested after the tail.
fn fetch(bytes: &[u8]) -> (Vec<u8>, Vec<(u64, u64)>) {
    let len = bytes.len() as u64;
    let mut wheel = PartialWheel::new(len);
    let tail_start = len.saturating_sub(TAIL_REQUEST_SIZE);
    wheel
        .add_range(tail_start, bytes[tail_start as usize..].to_vec())
        .unwrap();
    let mut requests = Vec::new();
    for _ in 0..5 {
        match wheel.metadata(&name("foo-bar"), &version("1.0")).unwrap() {
            TailRead::Metadata(metadata) => return (metadata, requests),
            TailRead::NeedRange { start, end } => {
                assert!(start < end && end <= len, "{start}..{end} of {len}");
                requests.push((start, end));
                wheel
                    .add_range(start, bytes[start as usize..end as usize].to_vec())
                    .unwrap();
            }
        }
    }
    panic!("no metadata after {requests:?}");
}

fn small_wheel() -> Vec<u8> {
    build_zip(
        &[
            ZipMember::deflated("foo_bar/__init__.py", b"VALUE = 1\n".repeat(20)),
            ZipMember::stored(
                "foo_bar/_vendor/dep-1.0.dist-info/METADATA",
                b"nested, ignored".to_vec(),
            ),
            ZipMember::deflated("Foo.Bar-1.0.0.dist-info/METADATA", METADATA.to_vec()),
            ZipMember::deflated(
                "Foo.Bar-1.0.0.dist-info/RECORD",
                b"foo_bar/__init__.py,,\n".to_vec(),
            ),
        ],
        "",
        false,
    )
}

#[test]
fn reads_metadata_from_a_whole_wheel_with_a_normalised_dist_info_name() {
    assert_eq!(
        metadata_from_wheel(&small_wheel(), &name("foo-bar"), &version("1.0")).unwrap(),
        METADATA
    );
}

#[test]
fn chooses_the_dist_info_directory() {
    let entry = |path: &str| ZipEntry {
        name: path.to_string(),
        compression: Compression::Stored,
        compressed_size: 0,
        uncompressed_size: 0,
        local_header_offset: 0,
        crc32: 0,
        encrypted: false,
    };
    let cases: [(&[&str], Option<&str>); 7] = [
        (&["x-9.dist-info/METADATA"], Some("x-9.dist-info/METADATA")),
        (
            &[
                "foo_bar-2.0.dist-info/METADATA",
                "FOO.BAR-1.0.0.dist-info/METADATA",
            ],
            Some("FOO.BAR-1.0.0.dist-info/METADATA"),
        ),
        (
            &["a-1.0.dist-info/METADATA", "foo_bar-2.0.dist-info/METADATA"],
            Some("foo_bar-2.0.dist-info/METADATA"),
        ),
        (
            &["foo-bar-1.0.DIST-INFO/METADATA"],
            Some("foo-bar-1.0.DIST-INFO/METADATA"),
        ),
        (
            &["a-1.0.dist-info/METADATA", "b-1.0.dist-info/METADATA"],
            None,
        ),
        (
            &[
                "foo_bar-1.0.dist-info/RECORD",
                "sub/foo_bar-1.0.dist-info/METADATA",
                ".dist-info/METADATA",
            ],
            None,
        ),
        (&[], None),
    ];
    for (paths, expected) in cases {
        let entries: Vec<ZipEntry> = paths.iter().map(|path| entry(path)).collect();
        let found = find_metadata_entry(&entries, &name("foo-bar"), &version("1.0"));
        assert_eq!(
            found.ok().map(|entry| entry.name.as_str()),
            expected,
            "{paths:?}"
        );
    }
    let ambiguous = [
        entry("a-1.0.dist-info/METADATA"),
        entry("b-1.0.dist-info/METADATA"),
    ];
    let error = find_metadata_entry(&ambiguous, &name("foo-bar"), &version("1.0")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the wheel of foo-bar 1.0 has several `.dist-info` directories: a-1.0.dist-info, b-1.0.dist-info"
    );
    let error = find_metadata_entry(&[], &name("foo-bar"), &version("1.0")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the wheel of foo-bar 1.0 has no `.dist-info/METADATA` file"
    );
}

#[test]
fn a_small_wheel_needs_only_the_tail() {
    let bytes = small_wheel();
    let (metadata, requests) = fetch(&bytes);
    assert_eq!(metadata, METADATA);
    assert!(requests.is_empty());
    let direct = metadata_from_tail(
        &bytes,
        bytes.len() as u64,
        &name("foo-bar"),
        &version("1.0"),
    )
    .unwrap();
    assert_eq!(direct, TailRead::Metadata(METADATA.to_vec()));
}

#[test]
fn metadata_before_the_tail_costs_one_small_request() {
    let bytes = build_zip(
        &[
            ZipMember::deflated("foo_bar-1.0.dist-info/METADATA", METADATA.to_vec()),
            ZipMember::stored("foo_bar/big.so", noise(300_000, 1)),
            ZipMember::deflated("foo_bar-1.0.dist-info/RECORD", b"x".to_vec()),
        ],
        "",
        false,
    );
    let (metadata, requests) = fetch(&bytes);
    assert_eq!(metadata, METADATA);
    assert_eq!(requests.len(), 1);
    let (start, end) = requests[0];
    assert_eq!(start, 0);
    assert!(end < 2048, "requested {start}..{end}");
}

#[test]
fn a_central_directory_longer_than_the_tail_costs_two_requests() {
    let mut members = vec![ZipMember::stored(
        "foo_bar-1.0.dist-info/METADATA",
        METADATA.to_vec(),
    )];
    for index in 0..2500 {
        members.push(ZipMember::stored(
            &format!("foo_bar/a/rather/long/module/path/number_{index:05}.py"),
            Vec::new(),
        ));
    }
    let bytes = build_zip(&members, "", false);
    let (metadata, requests) = fetch(&bytes);
    assert_eq!(metadata, METADATA);
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(
        requests[0].1 - requests[0].0 > TAIL_REQUEST_SIZE,
        "the whole central directory at once"
    );
    assert_eq!(requests[1].0, 0);
}

#[test]
fn a_long_central_directory_after_the_dist_info_costs_one_request() {
    // As wheel builders lay them out: modules, then `.dist-info` with METADATA, RECORD last.
    let mut members = Vec::new();
    let mut record = String::new();
    for index in 0..2500 {
        let path = format!("foo_bar/a/rather/long/module/path/number_{index:05}.py");
        record.push_str(&format!("{path},sha256={},120\n", "x".repeat(43)));
        members.push(ZipMember::stored(&path, Vec::new()));
    }
    members.push(ZipMember::deflated(
        "foo_bar-1.0.dist-info/METADATA",
        METADATA.to_vec(),
    ));
    members.push(ZipMember::deflated(
        "foo_bar-1.0.dist-info/RECORD",
        record.into_bytes(),
    ));
    let bytes = build_zip(&members, "", false);
    let (metadata, requests) = fetch(&bytes);
    assert_eq!(metadata, METADATA);
    assert_eq!(requests.len(), 1, "{requests:?}");
}

#[test]
fn a_tail_shorter_than_the_end_record_asks_for_a_longer_tail() {
    let bytes = build_zip(
        &[ZipMember::stored(
            "foo_bar-1.0.dist-info/METADATA",
            METADATA.to_vec(),
        )],
        &"#".repeat(500),
        false,
    );
    let len = bytes.len() as u64;
    let read = metadata_from_tail(
        &bytes[bytes.len() - 100..],
        len,
        &name("foo-bar"),
        &version("1.0"),
    )
    .unwrap();
    assert_eq!(read, TailRead::NeedRange { start: 0, end: len });
}

#[test]
fn reads_zip64_wheels_even_when_the_end_record_is_saturated() {
    let members = [
        ZipMember::deflated("foo_bar/__init__.py", b"pass\n".to_vec()),
        ZipMember::deflated("foo_bar-1.0.dist-info/METADATA", METADATA.to_vec()),
    ];
    let mut bytes = build_zip(&members, "", true);
    // Force readers to take the ZIP64 record's values: saturate the classic EOCD's fields.
    let eocd = bytes.len() - 22;
    bytes[eocd + 8..eocd + 20].copy_from_slice(&[0xff; 12]);
    assert_eq!(
        metadata_from_wheel(&bytes, &name("foo-bar"), &version("1.0")).unwrap(),
        METADATA
    );
    // A tail holding only the EOCD asks for the ZIP64 locator and record in one go.
    let len = bytes.len() as u64;
    let read = metadata_from_tail(&bytes[eocd..], len, &name("foo-bar"), &version("1.0")).unwrap();
    let TailRead::NeedRange { start, end } = read else {
        panic!("{read:?}")
    };
    assert_eq!((start, end), (len - 22 - 20 - 56, len - 22));
    let mut wheel = PartialWheel::new(len);
    wheel
        .add_range(eocd as u64, bytes[eocd..].to_vec())
        .unwrap();
    wheel
        .add_range(start, bytes[start as usize..end as usize].to_vec())
        .unwrap();
    assert!(matches!(
        wheel.metadata(&name("foo-bar"), &version("1.0")),
        Ok(TailRead::NeedRange { .. })
    ));
    // Once saturated, a missing ZIP64 locator is an error, not a guess.
    let mut broken = bytes.clone();
    broken[eocd - 20] = 0;
    assert!(metadata_from_wheel(&broken, &name("foo-bar"), &version("1.0")).is_err());
}

#[test]
fn truncated_and_garbage_input_fails_without_panicking() {
    let bytes = small_wheel();
    let len = bytes.len() as u64;
    for cut in 0..bytes.len() {
        assert!(
            metadata_from_wheel(&bytes[..cut], &name("foo-bar"), &version("1.0")).is_err(),
            "prefix {cut}"
        );
        match metadata_from_tail(&bytes[cut..], len, &name("foo-bar"), &version("1.0")) {
            Ok(TailRead::Metadata(metadata)) => assert_eq!(metadata, METADATA),
            Ok(TailRead::NeedRange { start, end }) => assert!(start < end && end <= len),
            Err(error) => panic!("a clean suffix must not fail: {error}"),
        }
    }
    for seed in 1..50 {
        let garbage = noise(2000, seed);
        assert!(metadata_from_wheel(&garbage, &name("foo-bar"), &version("1.0")).is_err());
    }
    // Flipping any byte gives an error or the right answer (CRC checks catch data damage).
    for index in 0..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[index] ^= 0x55;
        if let Ok(metadata) = metadata_from_wheel(&damaged, &name("foo-bar"), &version("1.0")) {
            assert_eq!(metadata, METADATA, "byte {index}");
        }
    }
}

#[test]
fn ranges_outside_the_file_are_refused() {
    let mut wheel = PartialWheel::new(10);
    assert!(wheel.add_range(8, vec![0; 3]).is_err());
    assert!(wheel.add_range(u64::MAX, vec![0; 3]).is_err());
    assert!(wheel.add_range(7, vec![0; 3]).is_ok());
    assert!(metadata_from_tail(&[0; 20], 10, &name("foo-bar"), &version("1.0")).is_err());
}
