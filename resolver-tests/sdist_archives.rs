//! Hostile sdists, through the binary (#16, point 3): a source distribution that a build must
//! unpack is refused — exit 2, no lock, the error naming the file and the rule — when a member
//! would land outside the unpacking directory (`..`, an absolute path, a symbolic link that
//! points out) or when the members declare more bytes than the expansion limit allows. The
//! same sdist without the planted member builds, so each refusal is the planted member's.
//!
//! The archives are the test index's own in-tree-backend sdist, unpacked and written again
//! with one raw member added: a tar writer refuses to write such paths, so the name bytes are
//! set in the header directly.

use std::io::Read as _;

use crate::builds::python;
use crate::support::dist_builder::build_sdist;
use crate::support::{SdistKind, ServerOptions, TestFile, TestPackage};
use crate::{Project, index, pins};

const SDIST: &str = "built-1.0.tar.gz";

/// A member to plant: its raw name, its type, a link target, and its size, in bytes that
/// follow it (`data`, or that many zeros when `data` is empty).
struct Planted {
    name: &'static [u8],
    kind: tar::EntryType,
    link: &'static [u8],
    size: u64,
    data: &'static [u8],
}

fn file(name: &'static [u8]) -> Planted {
    Planted {
        name,
        kind: tar::EntryType::Regular,
        link: b"",
        size: 6,
        data: b"owned\n",
    }
}

fn package() -> TestPackage {
    TestPackage::new("built", "1.0").requires(&["leaf>=1"])
}

/// The in-tree-backend sdist of `built 1.0`, with `planted` appended.
fn sdist(planted: Option<&Planted>) -> Vec<u8> {
    let original = build_sdist(&package(), SdistKind::InTreeBackend);
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(original.as_slice())
        .read_to_end(&mut tar)
        .unwrap();
    // Streamed into the compressor: a planted member can be hundreds of MiB of zeros.
    let gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut builder = tar::Builder::new(gzip);
    let mut archive = tar::Archive::new(tar.as_slice());
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let header = entry.header().clone();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        builder.append(&header, data.as_slice()).unwrap();
    }
    if let Some(planted) = planted {
        let mut header = tar::Header::new_old();
        let raw = header.as_old_mut();
        raw.name[..planted.name.len()].copy_from_slice(planted.name);
        raw.linkname[..planted.link.len()].copy_from_slice(planted.link);
        header.set_entry_type(planted.kind);
        header.set_mode(0o644);
        header.set_size(planted.size);
        header.set_cksum();
        if planted.data.is_empty() {
            builder
                .append(&header, std::io::repeat(0).take(planted.size))
                .unwrap();
        } else {
            builder.append(&header, planted.data).unwrap();
        }
    }
    builder.into_inner().unwrap().finish().unwrap()
}

/// Resolves `built` (whose dependencies only a build tells) from an index whose sdist of it
/// is `bytes`: the exit code, stderr, and the project.
fn resolve(bytes: Vec<u8>, python: &std::path::Path) -> (crate::Run, Project) {
    let server = index(
        vec![
            package().with_files(vec![TestFile::Published {
                filename: SDIST.to_string(),
                bytes,
                provenance: None,
            }]),
            TestPackage::new("leaf", "1.0"),
        ],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.write("requirements.in", "built\n");
    let python = python.display().to_string();
    let run = project.resolve(&server, &["--python", &python, "requirements.in"]);
    (run, project)
}

fn assert_refused(test: &str, planted: &Planted, rule: &str) {
    let Some(python) = python(test) else {
        return;
    };
    let (run, project) = resolve(sdist(Some(planted)), &python);
    run.expect_code(2);
    assert!(
        run.stderr.contains(SDIST) && run.stderr.contains(rule),
        "wanted `{SDIST}` and `{rule}`: {}",
        run.stderr
    );
    assert!(!project.path().join("requirements.txt").exists());
    // Nothing was written outside the directory it was unpacked into.
    assert!(!project.path().join("owned").exists());
}

#[test]
fn the_crafted_sdist_builds_without_its_planted_member() {
    let Some(python) = python("the_crafted_sdist_builds_without_its_planted_member") else {
        return;
    };
    let (run, project) = resolve(sdist(None), &python);
    run.expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["built==1.0", "leaf==1.0"],
        "{}",
        run.stderr
    );
}

#[test]
fn a_member_with_dot_dot_is_refused() {
    assert_refused(
        "a_member_with_dot_dot_is_refused",
        &file(b"built-1.0/../../owned"),
        "member `built-1.0/../../owned` contains `..`",
    );
}

#[test]
fn a_member_with_an_absolute_path_is_refused() {
    assert_refused(
        "a_member_with_an_absolute_path_is_refused",
        &file(b"/tmp/pinwheel-owned"),
        "member `/tmp/pinwheel-owned` has an absolute path",
    );
}

#[test]
fn a_symbolic_link_out_of_the_tree_is_refused() {
    assert_refused(
        "a_symbolic_link_out_of_the_tree_is_refused",
        &Planted {
            name: b"built-1.0/escape",
            kind: tar::EntryType::Symlink,
            link: b"../../..",
            size: 0,
            data: b"",
        },
        "is a symbolic link to `../../..`, outside the tree",
    );
}

#[test]
fn members_declaring_more_than_the_expansion_limit_are_refused() {
    // 513 MiB of zeros, in an archive of well under a MiB: over the 512 MiB floor of the 20×
    // rule. The limit is checked on the header, before any of it is written. (The member is
    // real, not only declared: an archive cut short is refused earlier, unread.)
    assert_refused(
        "members_declaring_more_than_the_expansion_limit_are_refused",
        &Planted {
            name: b"built-1.0/huge.bin",
            kind: tar::EntryType::Regular,
            link: b"",
            size: 513 * 1024 * 1024,
            data: b"",
        },
        "it has more than 536870912 bytes",
    );
}
