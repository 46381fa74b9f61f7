//! Crafted archives, built in each test: a normal sdist, and one for each refusal.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use tar::EntryType;

use super::*;
use crate::types::{PackageName, Version};

/// One member of a crafted tar: its raw path (unchecked, so that hostile ones can be made),
/// type, link target, contents and mode.
struct Member<'a> {
    path: &'a str,
    kind: EntryType,
    link: &'a str,
    data: &'a [u8],
    mode: u32,
}

fn file<'a>(path: &'a str, data: &'a [u8]) -> Member<'a> {
    Member {
        path,
        kind: EntryType::Regular,
        link: "",
        data,
        mode: 0o644,
    }
}

fn link<'a>(path: &'a str, kind: EntryType, target: &'a str) -> Member<'a> {
    Member {
        path,
        kind,
        link: target,
        data: b"",
        mode: 0o777,
    }
}

fn filename(format: SdistFormat) -> SdistFilename {
    SdistFilename {
        name: PackageName::new("demo".to_string()).unwrap(),
        version: Version::new([1, 0]),
        format,
    }
}

/// Writes `members` as `demo-1.0.tar.gz` in `dir`, headers written by hand so that the `tar`
/// crate's own path checks do not stop hostile names from being made.
fn tar_gz(dir: &Path, members: &[Member<'_>]) -> PathBuf {
    let path = dir.join("demo-1.0.tar.gz");
    let encoder = GzEncoder::new(std::fs::File::create(&path).unwrap(), Compression::fast());
    let mut builder = tar::Builder::new(encoder);
    for member in members {
        let mut header = tar::Header::new_gnu();
        let gnu = header.as_gnu_mut().unwrap();
        gnu.name[..member.path.len()].copy_from_slice(member.path.as_bytes());
        gnu.linkname[..member.link.len()].copy_from_slice(member.link.as_bytes());
        header.set_entry_type(member.kind);
        header.set_size(member.data.len() as u64);
        header.set_mode(member.mode);
        header.set_cksum();
        builder.append(&header, member.data).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap();
    path
}

fn unpack(archive: &Path, into: &Path) -> Result<PathBuf, UnpackError> {
    unpack_sdist(archive, &filename(SdistFormat::TarGz), into)
}

#[cfg(unix)]
fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn a_normal_sdist_unpacks_to_its_top_directory() {
    let dir = tempfile::tempdir().unwrap();
    let members = [
        Member {
            kind: EntryType::Directory,
            mode: 0o755,
            ..file("./demo-1.0/", b"")
        },
        file("demo-1.0/PKG-INFO", b"Metadata-Version: 2.1\nName: demo\n"),
        file("demo-1.0/src/demo/__init__.py", b"VALUE = 1\n"),
        Member {
            mode: 0o4775,
            ..file("demo-1.0/build.sh", b"#!/bin/sh\n")
        },
        link(
            "demo-1.0/docs/init.py",
            EntryType::Symlink,
            "../src/demo/__init__.py",
        ),
        link(
            "demo-1.0/copy.py",
            EntryType::Link,
            "demo-1.0/src/demo/__init__.py",
        ),
        link("demo-1.0/nowhere", EntryType::Symlink, "missing.txt"),
        Member {
            kind: EntryType::Fifo,
            ..file("demo-1.0/pipe", b"")
        },
        Member {
            kind: EntryType::XGlobalHeader,
            ..file("pax_global_header", b"")
        },
    ];
    let archive = tar_gz(dir.path(), &members);
    let into = dir.path().join("out");
    let root = unpack(&archive, &into).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(root, into.join("demo-1.0"));
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    assert_eq!(read("PKG-INFO"), "Metadata-Version: 2.1\nName: demo\n");
    assert_eq!(read("docs/init.py"), "VALUE = 1\n");
    assert_eq!(read("copy.py"), "VALUE = 1\n");
    assert!(
        !std::fs::symlink_metadata(root.join("copy.py"))
            .unwrap()
            .is_symlink()
    );
    assert!(!root.join("pipe").exists(), "special files are skipped");
    assert!(
        std::fs::symlink_metadata(root.join("nowhere")).is_err(),
        "a link to nothing is removed"
    );
    assert!(!into.join("pax_global_header").exists());
    #[cfg(unix)]
    {
        assert!(
            std::fs::symlink_metadata(root.join("docs/init.py"))
                .unwrap()
                .is_symlink()
        );
        assert_eq!(
            mode_of(&root.join("build.sh")),
            0o755,
            "no setuid, still executable"
        );
        assert_eq!(mode_of(&root.join("PKG-INFO")), 0o644);
    }
}

#[test]
fn members_not_under_one_directory_make_the_directory_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let archive = tar_gz(
        dir.path(),
        &[file("setup.py", b"x"), file("demo/__init__.py", b"")],
    );
    let into = dir.path().join("out");
    assert_eq!(unpack(&archive, &into).unwrap(), into);
    // A single top-level file is not a tree's root either.
    let dir = tempfile::tempdir().unwrap();
    let archive = tar_gz(dir.path(), &[file("setup.py", b"x")]);
    let into = dir.path().join("out");
    assert_eq!(unpack(&archive, &into).unwrap(), into);
}

#[test]
fn members_that_escape_the_tree_are_refused_by_name() {
    let cases: Vec<(Vec<Member<'_>>, &str, &str)> = vec![
        (
            vec![file("/tmp/evil", b"x")],
            "/tmp/evil",
            "has an absolute path",
        ),
        (
            vec![file("demo-1.0/../../evil", b"x")],
            "demo-1.0/../../evil",
            "contains `..`",
        ),
        (
            vec![link("demo-1.0/up", EntryType::Symlink, "../../etc")],
            "demo-1.0/up",
            "is a symbolic link to `../../etc`, outside the tree",
        ),
        (
            vec![link("demo-1.0/abs", EntryType::Symlink, "/etc/passwd")],
            "demo-1.0/abs",
            "is a symbolic link to `/etc/passwd`, outside the tree",
        ),
        (
            vec![link("demo-1.0/hard", EntryType::Link, "/etc/passwd")],
            "demo-1.0/hard",
            "is a hard link to `/etc/passwd`, outside the tree",
        ),
        (
            vec![link("demo-1.0/hard", EntryType::Link, "demo-1.0/../../x")],
            "demo-1.0/hard",
            "outside the tree",
        ),
        (
            vec![link("demo-1.0/hard", EntryType::Link, "demo-1.0/later")],
            "demo-1.0/hard",
            "which is not a file unpacked before it",
        ),
        (
            // Each link stays inside when read alone; together they lead out.
            vec![
                link("demo-1.0/here", EntryType::Symlink, "."),
                link("demo-1.0/out", EntryType::Symlink, "here/../.."),
            ],
            "demo-1.0/out",
            "which leads outside the tree",
        ),
    ];
    for (members, member, reason) in cases {
        let dir = tempfile::tempdir().unwrap();
        let archive = tar_gz(dir.path(), &members);
        let into = dir.path().join("out");
        let error = unpack(&archive, &into).expect_err(member);
        let message = error.to_string();
        assert!(
            message.starts_with(&format!(
                "refusing to unpack the source distribution `{}`: member `{member}` ",
                archive.display()
            )),
            "{message}"
        );
        assert!(message.contains(reason), "{member}: {message}");
        assert!(!dir.path().join("evil").exists());
    }
}

#[test]
fn caps_on_size_and_members_and_a_used_directory_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let archive = tar_gz(
        dir.path(),
        &[file("demo-1.0/a", b"12345"), file("demo-1.0/b", b"67890")],
    );
    let tar = filename(SdistFormat::TarGz);
    let small = Limits {
        bytes: 8,
        members: 10,
        ..Limits::DEFAULT
    };
    let error = unpack_with_limits(&archive, &tar, &dir.path().join("one"), small).unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("more than 8 bytes (the cap for any sdist)"),
        "{error}"
    );
    let few = Limits {
        bytes: 100,
        members: 1,
        ..Limits::DEFAULT
    };
    let error = unpack_with_limits(&archive, &tar, &dir.path().join("two"), few).unwrap_err();
    assert!(error.to_string().contains("more than 1 members"), "{error}");

    let used = dir.path().join("used");
    std::fs::create_dir(&used).unwrap();
    std::fs::write(used.join("x"), "").unwrap();
    assert!(matches!(
        unpack(&archive, &used),
        Err(UnpackError::NotEmpty(path)) if path == used
    ));
    let broken = dir.path().join("broken.tar.gz");
    std::fs::write(&broken, b"not gzip").unwrap();
    assert!(matches!(
        unpack(&broken, &dir.path().join("three")),
        Err(UnpackError::Read { .. })
    ));
}

fn zip_archive(dir: &Path, members: &[(&str, &[u8])]) -> PathBuf {
    let path = dir.join("demo-1.0.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        if name.ends_with('/') {
            writer.add_directory(*name, options).unwrap();
        } else {
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
    }
    writer.finish().unwrap();
    path
}

#[test]
fn zip_sdists_unpack_and_refuse_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let archive = zip_archive(
        dir.path(),
        &[
            ("demo-1.0/", b""),
            ("demo-1.0/setup.py", b"from setuptools import setup\n"),
            ("demo-1.0/demo/__init__.py", b""),
        ],
    );
    let into = dir.path().join("out");
    let root = unpack_sdist(&archive, &filename(SdistFormat::Zip), &into)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(root, into.join("demo-1.0"));
    assert_eq!(
        std::fs::read_to_string(root.join("setup.py")).unwrap(),
        "from setuptools import setup\n"
    );
    assert!(root.join("demo/__init__.py").is_file());

    let dir = tempfile::tempdir().unwrap();
    let archive = zip_archive(dir.path(), &[("demo-1.0/../../evil", b"x")]);
    let error = unpack_sdist(
        &archive,
        &filename(SdistFormat::Zip),
        &dir.path().join("out"),
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("member `demo-1.0/../../evil` contains `..`"),
        "{error}"
    );
}

/// A bomb: an archive whose contents are thousands of times its size is refused once it has
/// unpacked past the ratio (here 2x with no floor), naming the archive, the limit and the rule;
/// a tree of ordinary compression passes.
#[test]
fn an_archive_that_expands_past_the_ratio_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let zeros = vec![0u8; 256 * 1024];
    let bomb = tar_gz(dir.path(), &[file("demo-1.0/zeros", &zeros)]);
    let compressed = std::fs::metadata(&bomb).unwrap().len();
    assert!(compressed * 2 < zeros.len() as u64, "{compressed}");
    let tar = filename(SdistFormat::TarGz);
    let tight = Limits {
        ratio: 2,
        ratio_floor: 0,
        ..Limits::DEFAULT
    };
    let error = unpack_with_limits(&bomb, &tar, &dir.path().join("bomb"), tight).unwrap_err();
    let message = error.to_string();
    assert!(message.contains(&bomb.display().to_string()), "{message}");
    assert!(
        message.contains(&format!(
            "more than {} bytes (2 times its {compressed} bytes",
            compressed * 2
        )),
        "{message}"
    );
    // The same archive under the real rule (20x, or 512 MiB for any sdist) unpacks.
    let fine = unpack_with_limits(&bomb, &tar, &dir.path().join("fine"), Limits::DEFAULT);
    assert!(fine.is_ok(), "{fine:?}");
}
