//! Digest checks on every path a file's bytes take into a lock. A page that lists a wrong
//! sha256 for a wheel fails the resolve wherever the whole wheel is read (a server that ignores
//! `Range`, one that rejects it); an advertised `.metadata` file that does not match its
//! digest is refused; a direct URL whose `#sha256=` does not match is refused; and the index's
//! digest wins over the one an old lock lists.

use crate::support::{HashMode, MetadataMode, RangeMode, ServerOptions, TestFile, TestPackage};
use crate::{Project, hashes_of, index};

fn wheel_only(name: &str) -> TestPackage {
    TestPackage::new(name, "1.0").with_files(vec![TestFile::Wheel {
        tag: "py3-none-any".into(),
    }])
}

/// A resolve against `options` that must fail naming `what`, writing nothing.
fn assert_refused(options: ServerOptions, what: &str) {
    let server = index(vec![wheel_only("a")], options);
    let project = Project::new();
    project.write("requirements.in", "a\n");
    let run = project.resolve(&server, &["--generate-hashes", "requirements.in"]);
    run.expect_code(2);
    assert!(run.stderr.contains(what), "{options:?}: {}", run.stderr);
    assert!(
        !project.path().join("requirements.txt").exists(),
        "{options:?}"
    );
}

#[test]
fn a_whole_wheel_that_does_not_match_the_listed_sha256_is_refused() {
    // No `.metadata`, so METADATA comes out of the wheel: a server that ignores `Range` sends
    // the whole file at once, one that rejects it gets a whole download. Either way the bytes
    // read are the whole wheel, and must be the one the page lists.
    for ranges in [RangeMode::Refused, RangeMode::Rejected] {
        assert_refused(
            ServerOptions {
                metadata: MetadataMode::Absent,
                ranges,
                hashes: HashMode::Wrong,
                ..ServerOptions::default()
            },
            "a-1.0-py3-none-any.whl",
        );
    }
}

#[test]
fn an_advertised_metadata_file_that_does_not_match_its_digest_is_refused() {
    assert_refused(
        ServerOptions {
            metadata: MetadataMode::WrongDigest,
            ..ServerOptions::default()
        },
        "a-1.0-py3-none-any.whl.metadata",
    );
}

#[test]
fn a_direct_url_whose_fragment_does_not_match_is_refused() {
    let server = index(vec![wheel_only("a")], ServerOptions::default());
    let url = format!("{}a-1.0-py3-none-any.whl", server.files_dir_url());
    let wrong = "0".repeat(64);
    let project = Project::new();
    project.write("requirements.in", &format!("a @ {url}#sha256={wrong}\n"));
    let run = project.resolve(&server, &["--generate-hashes", "requirements.in"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("a-1.0-py3-none-any.whl"),
        "{}",
        run.stderr
    );
    assert!(!project.path().join("requirements.txt").exists());
}

#[test]
fn the_index_digest_wins_over_an_old_lock() {
    let server = index(vec![wheel_only("a")], ServerOptions::default());
    let real = server.sha256_of("a-1.0-py3-none-any.whl").unwrap();
    let stale = "1".repeat(64);
    let project = Project::new();
    project.write("requirements.in", "a\n");
    project.write(
        "requirements.txt",
        &format!("a==1.0 \\\n    --hash=sha256:{stale}\n    # via -r requirements.in\n"),
    );
    project
        .resolve(&server, &["--generate-hashes", "requirements.in"])
        .expect_code(0);
    let lock = project.read("requirements.txt");
    assert_eq!(hashes_of(&lock, "a==1.0"), vec![real], "{lock}");
}
