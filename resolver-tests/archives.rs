//! Crafted wheels served by the test index (#16, point 3): a zip that two readers would read
//! differently, or whose entry is larger than pinwheel reads, fails the resolve with an error
//! naming the file and the rule, instead of a quiet answer taken from one reading of it.
//!
//! The archives are written by hand here (stored members, no compression), because a zip
//! library refuses to write what these tests need: two members of one name, a local header
//! that disagrees with the central directory, a size that lies.

use crate::support::{ServerOptions, TestFile, TestPackage};
use crate::{Project, index};

/// One member of a hand-made zip.
struct Member {
    /// The name in the central directory.
    name: String,
    /// The name in the local header (the same, unless a test makes them disagree).
    local_name: String,
    data: Vec<u8>,
    /// The uncompressed size the central directory declares (the real one, unless a test lies).
    declared_size: u32,
}

fn member(name: &str, data: &str) -> Member {
    Member {
        name: name.to_string(),
        local_name: name.to_string(),
        data: data.as_bytes().to_vec(),
        declared_size: u32::try_from(data.len()).unwrap(),
    }
}

/// CRC-32 (IEEE), bit by bit: a few members of a few bytes.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zip of stored members: local headers and data, the central directory, its end record.
fn zip(members: &[Member]) -> Vec<u8> {
    let u16le = |out: &mut Vec<u8>, value: usize| {
        out.extend_from_slice(&u16::try_from(value).unwrap().to_le_bytes());
    };
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    for member in members {
        offsets.push(u32::try_from(out.len()).unwrap());
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        u16le(&mut out, 20); // version needed
        u16le(&mut out, 0); // flags
        u16le(&mut out, 0); // stored
        u16le(&mut out, 0); // time
        u16le(&mut out, 0x21); // date
        out.extend_from_slice(&crc32(&member.data).to_le_bytes());
        let size = u32::try_from(member.data.len()).unwrap();
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        u16le(&mut out, member.local_name.len());
        u16le(&mut out, 0);
        out.extend_from_slice(member.local_name.as_bytes());
        out.extend_from_slice(&member.data);
    }
    let directory_start = u32::try_from(out.len()).unwrap();
    for (member, offset) in members.iter().zip(&offsets) {
        out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        u16le(&mut out, 20); // made by
        u16le(&mut out, 20); // needed
        u16le(&mut out, 0);
        u16le(&mut out, 0);
        u16le(&mut out, 0);
        u16le(&mut out, 0x21);
        out.extend_from_slice(&crc32(&member.data).to_le_bytes());
        let size = u32::try_from(member.data.len()).unwrap();
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&member.declared_size.to_le_bytes());
        u16le(&mut out, member.name.len());
        u16le(&mut out, 0); // extra
        u16le(&mut out, 0); // comment
        u16le(&mut out, 0); // disk
        u16le(&mut out, 0); // internal attributes
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(member.name.as_bytes());
    }
    let directory_len = u32::try_from(out.len()).unwrap() - directory_start;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, members.len());
    u16le(&mut out, members.len());
    out.extend_from_slice(&directory_len.to_le_bytes());
    out.extend_from_slice(&directory_start.to_le_bytes());
    u16le(&mut out, 0);
    out
}

const METADATA: &str = "foo-1.0.dist-info/METADATA";

fn metadata(requires: &str) -> String {
    format!("Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n{requires}")
}

/// The members every wheel has besides its METADATA.
fn rest() -> Vec<Member> {
    vec![
        member("foo/__init__.py", ""),
        member(
            "foo-1.0.dist-info/WHEEL",
            "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        ),
        member("foo-1.0.dist-info/RECORD", ""),
    ]
}

/// Resolves `foo` from an index whose only wheel of it is `wheel`, and checks that the run
/// fails (exit 2, no lock) with an error naming the file and saying `rule`.
fn assert_refused(wheel: &[u8], rule: &str) {
    let server = index(
        vec![
            TestPackage::new("foo", "1.0").with_files(vec![TestFile::Crafted {
                tag: "py3-none-any".into(),
                bytes: wheel.to_vec(),
            }]),
            TestPackage::new("bar", "1.0"),
        ],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.write("requirements.in", "foo\n");
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("foo-1.0-py3-none-any.whl") && run.stderr.contains(rule),
        "{}",
        run.stderr
    );
    assert!(!project.path().join("requirements.txt").exists());
}

#[test]
fn a_well_formed_crafted_wheel_resolves() {
    // The writer above makes wheels pinwheel reads: the refusals below are the crafting's.
    let mut members = rest();
    members.push(member(METADATA, &metadata("Requires-Dist: bar\n")));
    let server = index(
        vec![
            TestPackage::new("foo", "1.0").with_files(vec![TestFile::Crafted {
                tag: "py3-none-any".into(),
                bytes: zip(&members),
            }]),
            TestPackage::new("bar", "1.0"),
        ],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.write("requirements.in", "foo\n");
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    assert_eq!(
        crate::pins(&project.read("requirements.txt")),
        ["bar==1.0", "foo==1.0"]
    );
}

#[test]
fn a_wheel_with_two_metadata_members_is_refused_naming_the_file() {
    let mut members = rest();
    members.push(member(METADATA, &metadata("")));
    members.push(member(METADATA, &metadata("Requires-Dist: bar\n")));
    assert_refused(&zip(&members), &format!("two members named `{METADATA}`"));
}

#[test]
fn a_wheel_whose_local_header_names_another_member_is_refused() {
    let mut members = rest();
    let mut disguised = member(METADATA, &metadata("Requires-Dist: bar\n"));
    disguised.local_name = "foo-1.0.dist-info/METADATX".to_string();
    members.push(disguised);
    assert_refused(
        &zip(&members),
        "its local header gives another name than the central directory",
    );
}

#[test]
fn a_wheel_whose_metadata_declares_more_than_the_limit_is_refused() {
    let mut members = rest();
    let mut huge = member(METADATA, &metadata(""));
    huge.declared_size = 100 * 1024 * 1024;
    members.push(huge);
    assert_refused(
        &zip(&members),
        "is 104857600 bytes, more than the 67108864-byte limit",
    );
}
