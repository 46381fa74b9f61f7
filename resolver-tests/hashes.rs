//! `--generate-hashes` against an index that lists no hashes: digests computed from the files,
//! remembered in the cache, and reused from the existing lock for unchanged pins.

use crate::support::{HashMode, SdistKind, ServerOptions, TestFile, TestPackage};
use crate::{Project, hashes_of, index};

const FILES: [&str; 4] = [
    "a-1.0-py3-none-any.whl",
    "a-1.0.tar.gz",
    "b-2.0-py3-none-any.whl",
    "b-2.0.tar.gz",
];

fn unhashed_index() -> crate::support::TestIndex {
    index(
        vec![
            TestPackage::new("a", "1.0")
                .with_files(wheel_and_sdist())
                .requires(&["b"]),
            TestPackage::new("b", "2.0").with_files(wheel_and_sdist()),
        ],
        ServerOptions {
            hashes: HashMode::Omitted,
            ..ServerOptions::default()
        },
    )
}

fn wheel_and_sdist() -> Vec<TestFile> {
    vec![
        TestFile::Wheel {
            tag: "py3-none-any".into(),
        },
        TestFile::Sdist(SdistKind::PkgInfo22),
    ]
}

/// Whole-file downloads in the server's log (not `.metadata` files, not range reads).
fn downloads(requests: &[String]) -> Vec<String> {
    requests
        .iter()
        .filter(|line| {
            line.starts_with("GET /files/")
                && !line.ends_with(".metadata")
                && line.split(' ').count() == 2
        })
        .cloned()
        .collect()
}

#[test]
fn hashes_missing_from_the_index_are_computed_from_the_files() {
    let server = unhashed_index();
    let project = Project::new();
    project.write("requirements.in", "a\n");
    project
        .resolve(&server, &["--generate-hashes", "requirements.in"])
        .expect_code(0);
    let lock = project.read("requirements.txt");
    for (pin, files) in [("a==1.0", &FILES[..2]), ("b==2.0", &FILES[2..])] {
        let mut expected: Vec<String> = files
            .iter()
            .map(|file| server.sha256_of(file).unwrap())
            .collect();
        expected.sort();
        assert_eq!(hashes_of(&lock, pin), expected, "{lock}");
    }
    let mut fetched = downloads(&server.requests());
    fetched.sort();
    assert_eq!(
        fetched,
        FILES.map(|file| format!("GET /files/{file}")),
        "each file is downloaded once to be hashed"
    );

    // The digests are cached by URL: a warm `--offline` run writes the same lock.
    server.clear_requests();
    project
        .resolve(
            &server,
            &["--generate-hashes", "--offline", "requirements.in"],
        )
        .expect_code(0);
    assert_eq!(project.read("requirements.txt"), lock);
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn an_existing_lock_supplies_the_hashes_of_unchanged_pins() {
    let server = unhashed_index();
    let first = Project::new();
    first.write("requirements.in", "a\n");
    first
        .resolve(&server, &["--generate-hashes", "requirements.in"])
        .expect_code(0);
    let lock = first.read("requirements.txt");

    // A colleague with an empty cache and the committed lock: no file is downloaded.
    let second = Project::new();
    second.write("requirements.in", "a\n");
    second.write("requirements.txt", &lock);
    server.clear_requests();
    second
        .resolve(&server, &["--generate-hashes", "requirements.in"])
        .expect_code(0);
    assert_eq!(second.read("requirements.txt"), lock);
    assert_eq!(downloads(&server.requests()), Vec::<String>::new());
}

#[test]
fn a_file_that_does_not_match_the_listed_sha256_fails_the_resolve() {
    // Sdists are always downloaded whole to read their metadata, and streamed to disk: what
    // arrived must still be checked against the page before it is read.
    let server = index(
        vec![TestPackage::new("a", "1.0").with_files(vec![TestFile::Sdist(SdistKind::PkgInfo22)])],
        ServerOptions {
            hashes: HashMode::Wrong,
            ..ServerOptions::default()
        },
    );
    let project = Project::new();
    project.write("requirements.in", "a\n");
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("a-1.0.tar.gz") && run.stderr.contains("but the index says"),
        "{}",
        run.stderr
    );
    assert!(!project.path().join("requirements.txt").exists());
}
