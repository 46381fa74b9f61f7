//! PEP 740 attestations (#16, point 5), with real published files and the provenance PyPI
//! served for them: the test data of the `pypi-attestations` sdist (0.0.31, `test/assets/`),
//! which `.ci/run` downloads, checks against its sha256 and unpacks, and names in
//! `PINWHEEL_TEST_ATTESTATIONS`. The test index serves the files and links the provenance;
//! the Sigstore verification is real (production trust root, Rekor inclusion, Fulcio chain).
//!
//! This machine's PyPI serves no provenance, so only here does a file verify.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;

use crate::support::skips::skip;
use crate::support::{PageFormat, ServerOptions, TestFile, TestPackage};
use crate::{Project, index, pins};

const ASSETS: &str = "PINWHEEL_TEST_ATTESTATIONS";

/// A wheel built by CircleCI's trusted publishing.
const CIRCLECI_WHEEL: &str = "circleci_sign_publish_example-0.0.1.dev137-py3-none-any.whl";
/// An sdist built on Google Cloud Build (a Google service account publisher).
const GCB_SDIST: &str = "gcb_attestation_test-0.0.0.tar.gz";

const CIRCLECI_IDENTITY: &str = "kind=CircleCI pipeline_definition_id=8e4f8ab2-8d7c-4827-9f15-de076d6d647f project_id=fdd9283f-e619-46af-8f9c-851f7d3e8b2b vcs_origin=github.com/CircleCI-Public/sign-and-publish-examples vcs_ref=refs/heads/pypi";
const GCB_IDENTITY: &str = "kind=Google email=919436158236-compute@developer.gserviceaccount.com";

/// The assets directory, or `None` (after a skip, which fails in CI) when it is not given.
fn assets(test: &str) -> Option<PathBuf> {
    match std::env::var_os(ASSETS) {
        Some(dir) if PathBuf::from(&dir).join(CIRCLECI_WHEEL).is_file() => Some(dir.into()),
        _ => {
            skip(
                test,
                &format!("{ASSETS} does not name pypi-attestations' test/assets (see .ci/run)"),
            );
            None
        }
    }
}

fn read(dir: &std::path::Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// A published file with the provenance `provenance_of` names (`None`: none linked).
fn published(dir: &std::path::Path, file: &str, provenance_of: Option<&str>) -> TestFile {
    TestFile::Published {
        filename: file.to_string(),
        bytes: read(dir, file),
        provenance: provenance_of.map(|of| read(dir, &format!("{of}.provenance"))),
    }
}

fn packages(circleci: TestFile, gcb: TestFile) -> Vec<TestPackage> {
    vec![
        TestPackage::new("circleci-sign-publish-example", "0.0.1.dev137")
            .python(">=3.8")
            .with_files(vec![circleci]),
        TestPackage::new("gcb-attestation-test", "0.0.0").with_files(vec![gcb]),
    ]
}

/// Both files on JSON pages, with the provenance of the files named (`None`: none).
fn serve(
    dir: &std::path::Path,
    circleci: Option<&str>,
    gcb: Option<&str>,
) -> crate::support::TestIndex {
    index(
        packages(
            published(dir, CIRCLECI_WHEEL, circleci),
            published(dir, GCB_SDIST, gcb),
        ),
        ServerOptions::default(),
    )
}

/// Both files with their own provenance.
fn good_index(dir: &std::path::Path) -> crate::support::TestIndex {
    serve(dir, Some(CIRCLECI_WHEEL), Some(GCB_SDIST))
}

const INPUT: &str = "circleci-sign-publish-example\ngcb-attestation-test\n";

/// The `# attested:` identities under each pin of a requirements file.
fn attested(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("# attested: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn published_attestations_verify_and_are_recorded() {
    let Some(dir) = assets("published_attestations_verify_and_are_recorded") else {
        return;
    };
    for pages in [PageFormat::Json, PageFormat::Html] {
        let server = index(
            packages(
                published(&dir, CIRCLECI_WHEEL, Some(CIRCLECI_WHEEL)),
                published(&dir, GCB_SDIST, Some(GCB_SDIST)),
            ),
            ServerOptions {
                pages,
                ..ServerOptions::default()
            },
        );
        let project = Project::new();
        project.write("requirements.in", INPUT);
        let args = [
            "requirements.in",
            "--generate-hashes",
            "--verify-attestations",
        ];
        let run = project.resolve(&server, &args);
        run.expect_code(0);
        assert!(
            run.stderr
                .contains("attestations: 2 files of 2 packages verified; 0 locked files"),
            "{pages:?}: {}",
            run.stderr
        );
        let lock = project.read("requirements.txt");
        assert_eq!(attested(&lock), [CIRCLECI_IDENTITY, GCB_IDENTITY], "{lock}");
        // The record is what the next run is held to, and it reads back the same: `--check`
        // passes, online and from the cache alone.
        project
            .resolve(&server, &[&args[..], &["--check"]].concat())
            .expect_code(0);
        project
            .resolve(&server, &[&args[..], &["--check", "--offline"]].concat())
            .expect_code(0);
        // Without the flag the lock is pip-compile's: no such lines.
        project.resolve(&server, &args[..2]).expect_code(0);
        assert!(attested(&project.read("requirements.txt")).is_empty());
    }
}

#[test]
fn pylock_and_json_carry_the_publishers() {
    let Some(dir) = assets("pylock_and_json_carry_the_publishers") else {
        return;
    };
    let server = good_index(&dir);
    let project = Project::new();
    project.write("requirements.in", INPUT);
    project
        .resolve(
            &server,
            &[
                "requirements.in",
                "--verify-attestations",
                "-o",
                "pylock.toml",
            ],
        )
        .expect_code(0);
    let lock: toml::Table = toml::from_str(&project.read("pylock.toml")).unwrap();
    let packages = lock["packages"].as_array().unwrap();
    let gcb = packages
        .iter()
        .find(|package| package["name"].as_str() == Some("gcb-attestation-test"))
        .unwrap();
    let identities = gcb["attestation-identities"].as_array().unwrap();
    assert_eq!(identities.len(), 1);
    assert_eq!(identities[0]["kind"].as_str(), Some("Google"));
    assert_eq!(
        identities[0]["email"].as_str(),
        Some("919436158236-compute@developer.gserviceaccount.com")
    );
    let run = project.resolve(
        &server,
        &[
            "requirements.in",
            "--verify-attestations",
            "--format",
            "json",
            "-o",
            "-",
        ],
    );
    run.expect_code(0);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let kinds: Vec<&str> = document["pins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pin| pin["attestations"][0]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["CircleCI", "Google"]);
}

/// Runs a verifying resolve that must fail (exit 1) saying `reason` about `file`, and leave
/// the existing lock (`before`, if any) as it was.
fn assert_refused(
    server: &crate::support::TestIndex,
    before: Option<&str>,
    file: &str,
    reason: &str,
) {
    let project = Project::new();
    project.write("requirements.in", INPUT);
    if let Some(before) = before {
        project.write("requirements.txt", before);
    }
    let run = project.resolve(
        server,
        &[
            "requirements.in",
            "--generate-hashes",
            "--verify-attestations",
        ],
    );
    run.expect_code(1);
    assert!(
        run.stderr.contains(file) && run.stderr.contains(reason),
        "wanted `{file}` and `{reason}`: {}",
        run.stderr
    );
    match before {
        Some(before) => assert_eq!(project.read("requirements.txt"), before),
        None => assert!(!project.path().join("requirements.txt").exists()),
    }
}

#[test]
fn a_bundle_for_another_file_fails_naming_the_file() {
    let Some(dir) = assets("a_bundle_for_another_file_fails_naming_the_file") else {
        return;
    };
    // The sdist served with the wheel's (valid, verifiable) provenance.
    let server = serve(&dir, Some(CIRCLECI_WHEEL), Some(CIRCLECI_WHEEL));
    assert_refused(
        &server,
        None,
        GCB_SDIST,
        &format!("the attestation is for `{CIRCLECI_WHEEL}`, another file"),
    );
}

/// The same tar archive, compressed again: other bytes, still a valid sdist.
fn recompressed(bytes: &[u8]) -> Vec<u8> {
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut tar)
        .unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(1));
    encoder.write_all(&tar).unwrap();
    let again = encoder.finish().unwrap();
    assert_ne!(again, bytes);
    again
}

#[test]
fn a_tampered_file_fails_naming_the_file() {
    let Some(dir) = assets("a_tampered_file_fails_naming_the_file") else {
        return;
    };
    // The index lists the new bytes' own sha256: only the attestation can tell.
    let tampered = TestFile::Published {
        filename: GCB_SDIST.to_string(),
        bytes: recompressed(&read(&dir, GCB_SDIST)),
        provenance: Some(read(&dir, &format!("{GCB_SDIST}.provenance"))),
    };
    let server = index(
        packages(
            published(&dir, CIRCLECI_WHEEL, Some(CIRCLECI_WHEEL)),
            tampered,
        ),
        ServerOptions::default(),
    );
    assert_refused(
        &server,
        None,
        GCB_SDIST,
        "the attestation is for a file whose sha256 is",
    );
}

/// A lock written by a verifying run against the good index.
fn verified_lock(dir: &std::path::Path) -> String {
    let server = good_index(dir);
    let project = Project::new();
    project.write("requirements.in", INPUT);
    project
        .resolve(
            &server,
            &[
                "requirements.in",
                "--generate-hashes",
                "--verify-attestations",
            ],
        )
        .expect_code(0);
    project.read("requirements.txt")
}

#[test]
fn a_changed_publisher_fails_naming_the_file() {
    let Some(dir) = assets("a_changed_publisher_fails_naming_the_file") else {
        return;
    };
    let lock = verified_lock(&dir);
    // The lock says another service account published the sdist.
    let before = lock.replace(
        "email=919436158236-compute@developer.gserviceaccount.com",
        "email=release@example.iam.gserviceaccount.com",
    );
    assert_ne!(before, lock);
    let server = good_index(&dir);
    assert_refused(&server, Some(&before), GCB_SDIST, "the publisher changed");
}

#[test]
fn a_vanished_attestation_fails_naming_the_file() {
    let Some(dir) = assets("a_vanished_attestation_fails_naming_the_file") else {
        return;
    };
    let before = verified_lock(&dir);
    let server = serve(&dir, Some(CIRCLECI_WHEEL), None);
    assert_refused(
        &server,
        Some(&before),
        GCB_SDIST,
        "none of its files has an attestation now",
    );
}

#[test]
fn files_without_provenance_are_never_reported_verified() {
    let Some(dir) = assets("files_without_provenance_are_never_reported_verified") else {
        return;
    };
    let server = serve(&dir, None, None);
    let project = Project::new();
    project.write("requirements.in", INPUT);
    let run = project.resolve(&server, &["requirements.in", "--verify-attestations"]);
    run.expect_code(0);
    assert!(
        run.stderr.contains(
            "none of the 2 locked files has provenance on its index, so nothing was verified"
        ),
        "{}",
        run.stderr
    );
    let lock = project.read("requirements.txt");
    assert!(attested(&lock).is_empty(), "{lock}");
    assert_eq!(
        pins(&lock),
        [
            "circleci-sign-publish-example==0.0.1.dev137",
            "gcb-attestation-test==0.0.0"
        ]
    );
}

#[test]
fn a_publisher_the_certificate_does_not_name_fails() {
    let Some(dir) = assets("a_publisher_the_certificate_does_not_name_fails") else {
        return;
    };
    // The publisher is the index's word, not signed: an index that names another one than
    // the certificate's workload is caught by matching the two.
    let provenance = String::from_utf8(read(&dir, &format!("{GCB_SDIST}.provenance"))).unwrap();
    let lying = provenance.replace(
        "919436158236-compute@developer.gserviceaccount.com",
        "release@example.iam.gserviceaccount.com",
    );
    assert_ne!(lying, provenance);
    let gcb = TestFile::Published {
        filename: GCB_SDIST.to_string(),
        bytes: read(&dir, GCB_SDIST),
        provenance: Some(lying.into_bytes()),
    };
    let server = index(
        packages(published(&dir, CIRCLECI_WHEEL, Some(CIRCLECI_WHEEL)), gcb),
        ServerOptions::default(),
    );
    assert_refused(
        &server,
        None,
        GCB_SDIST,
        "the attestation is not by its publisher",
    );
}
