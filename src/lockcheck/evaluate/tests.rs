use std::path::Path;
use std::str::FromStr as _;

use url::Url;

use super::*;
use crate::lockcheck::Outcome;
use crate::lockcheck::status::SdistPolicy;
use crate::lockfile::parse_lock;
use crate::types::{MetadataAvailability, Sha256Digest, VersionSpecifiers, Yanked};

/// A file of project `demo` whose sha256 is the digest of its own name.
fn file(filename: &str) -> IndexFile {
    let name = PackageName::from_str("demo").unwrap();
    IndexFile {
        filename: filename.to_string(),
        dist: DistFilename::parse(filename, &name).unwrap(),
        url: Url::parse(&format!("https://files.example/{filename}"))
            .unwrap()
            .into(),
        sha256: Some(digest(filename)),
        requires_python: None,
        yanked: Yanked::No,
        upload_time: None,
        metadata: MetadataAvailability::NotAdvertised,
        size: None,
        provenance: None,
        origin: crate::types::FileOrigin::Index(crate::types::RedactedUrl::new(
            Url::parse("https://index.example/simple/").unwrap(),
        )),
    }
}

fn digest(filename: &str) -> Sha256Digest {
    Sha256Digest::of(filename.as_bytes())
}

fn project(files: Vec<IndexFile>) -> ProjectFiles {
    ProjectFiles {
        name: PackageName::from_str("demo").unwrap(),
        files,
    }
}

fn pin(line: &str) -> LockedPin {
    parse_lock(line, Path::new("requirements.txt"))
        .unwrap()
        .pins
        .remove(0)
}

fn target(python: &str, platform: &str) -> Target {
    Target::new(python.parse().unwrap(), platform.parse().unwrap())
}

const CP311_LINUX: &str = "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
const CP312_LINUX: &str = "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
const CP312_WINDOWS: &str = "demo-1.0-cp312-cp312-win_amd64.whl";
const SDIST: &str = "demo-1.0.tar.gz";

fn check(pin_line: &str, files: Vec<IndexFile>, python: &str, platform: &str) -> Status {
    evaluate(
        &pin(pin_line),
        Some(&project(files)),
        &target(python, platform),
    )
}

#[test]
fn a_wheel_for_the_target_passes() {
    assert_eq!(
        check(
            "demo==1.0",
            vec![file(CP312_LINUX), file(SDIST)],
            "3.12",
            "linux"
        ),
        Status::Wheel {
            file: CP312_LINUX.to_string()
        }
    );
}

#[test]
fn wheels_for_older_pythons_only_leave_the_sdist() {
    // numpy 1.24.4's situation: cp311 wheels and an sdist, checked on 3.11 and 3.12.
    let files = || vec![file(CP311_LINUX), file(SDIST)];
    assert!(matches!(
        check("demo==1.0", files(), "3.11", "linux"),
        Status::Wheel { .. }
    ));
    let status = check("demo==1.0", files(), "3.12", "linux");
    assert_eq!(
        status,
        Status::SdistOnly {
            file: SDIST.to_string(),
            missing_wheel: MissingWheel::ForPython {
                interpreter: "cp312".to_string()
            }
        }
    );
    assert_eq!(
        status.to_string(),
        "no cp312 wheel: pip would build demo-1.0.tar.gz"
    );
    assert_eq!(status.outcome(SdistPolicy::Warn), Outcome::Warning);
    assert_eq!(status.outcome(SdistPolicy::Fail), Outcome::Failure);
}

#[test]
fn wheels_for_another_platform_are_named_as_such() {
    assert_eq!(
        check(
            "demo==1.0",
            vec![file(CP312_WINDOWS), file(SDIST)],
            "3.12",
            "linux"
        ),
        Status::SdistOnly {
            file: SDIST.to_string(),
            missing_wheel: MissingWheel::ForPlatform {
                platform: "linux".parse().unwrap()
            }
        }
    );
    assert_eq!(
        check("demo==1.0", vec![file(SDIST)], "3.12", "linux"),
        Status::SdistOnly {
            file: SDIST.to_string(),
            missing_wheel: MissingWheel::NoWheels
        }
    );
}

#[test]
fn no_wheel_and_no_sdist_fails() {
    let status = check("demo==1.0", vec![file(CP311_LINUX)], "3.12", "linux");
    assert_eq!(
        status,
        Status::NoFile {
            missing_wheel: MissingWheel::ForPython {
                interpreter: "cp312".to_string()
            }
        }
    );
    assert_eq!(status.outcome(SdistPolicy::Warn), Outcome::Failure);
}

#[test]
fn missing_projects_and_versions() {
    assert_eq!(
        check("demo==2.0", vec![file(SDIST)], "3.12", "linux"),
        Status::Missing(Missing::Version)
    );
    assert_eq!(
        check("demo==1.0", Vec::new(), "3.12", "linux"),
        Status::Missing(Missing::Project)
    );
    assert_eq!(
        evaluate(&pin("demo==1.0"), None, &target("3.12", "linux")),
        Status::Missing(Missing::Project)
    );
}

#[test]
fn a_release_whose_every_file_is_yanked_fails_with_the_reason() {
    let yanked = |name: &str, reason: &str| IndexFile {
        yanked: Yanked::Yes(reason.to_string()),
        ..file(name)
    };
    assert_eq!(
        check(
            "demo==1.0",
            vec![yanked(CP312_LINUX, ""), yanked(SDIST, "broken build")],
            "3.12",
            "linux"
        ),
        Status::Yanked {
            reason: Some("broken build".to_string())
        }
    );
    // One yanked file among good ones is simply not used.
    assert_eq!(
        check(
            "demo==1.0",
            vec![yanked(CP312_LINUX, "bad wheel"), file(SDIST)],
            "3.12",
            "linux"
        ),
        Status::SdistOnly {
            file: SDIST.to_string(),
            missing_wheel: MissingWheel::NoWheels
        }
    );
}

#[test]
fn requires_python_shows_the_specifier() {
    let specifiers = VersionSpecifiers::from_str(">=3.13").unwrap();
    let newer = |name: &str| IndexFile {
        requires_python: Some(specifiers.clone()),
        ..file(name)
    };
    let status = check(
        "demo==1.0",
        vec![newer("demo-1.0-py3-none-any.whl"), newer(SDIST)],
        "3.12",
        "linux",
    );
    assert_eq!(status.to_string(), "requires Python >=3.13");
    assert_eq!(status, Status::RequiresPython { specifiers });
}

#[test]
fn a_false_marker_skips_the_pin_and_a_url_is_not_checked() {
    let line = "demo==1.0 ; sys_platform == \"win32\"";
    assert_eq!(
        check(line, Vec::new(), "3.12", "linux"),
        Status::SkippedByMarker
    );
    assert_eq!(
        check(line, vec![file(CP312_WINDOWS)], "3.12", "windows"),
        Status::Wheel {
            file: CP312_WINDOWS.to_string()
        }
    );
    assert_eq!(
        evaluate(
            &pin("demo @ https://files.example/demo-1.0.tar.gz"),
            None,
            &target("3.12", "linux")
        ),
        Status::DirectUrl
    );
}

#[test]
fn every_locked_hash_must_be_a_file_of_the_version() {
    let unknown = Sha256Digest::of(b"something else");
    let line = format!(
        "demo==1.0 --hash=sha256:{} --hash=sha256:{unknown}",
        digest(CP312_LINUX)
    );
    assert_eq!(
        check(&line, vec![file(CP312_LINUX), file(SDIST)], "3.12", "linux"),
        Status::HashMismatch(HashMismatch::Unknown(vec![unknown]))
    );
    let good = format!(
        "demo==1.0 --hash=sha256:{} --hash=sha256:{}",
        digest(CP312_LINUX),
        digest(SDIST)
    );
    assert_eq!(
        check(&good, vec![file(CP312_LINUX), file(SDIST)], "3.12", "linux"),
        Status::Wheel {
            file: CP312_LINUX.to_string()
        }
    );
}

#[test]
fn only_files_with_locked_hashes_are_installable() {
    let files = || vec![file(CP312_LINUX), file(CP312_WINDOWS), file(SDIST)];
    // Only the sdist is locked: pip builds it although a wheel exists.
    let sdist_only = format!("demo==1.0 --hash=sha256:{}", digest(SDIST));
    assert_eq!(
        check(&sdist_only, files(), "3.12", "linux"),
        Status::SdistOnly {
            file: SDIST.to_string(),
            missing_wheel: MissingWheel::NotLocked {
                wheel: CP312_LINUX.to_string()
            }
        }
    );
    // Only the Windows wheel is locked: nothing usable on Linux may be installed.
    let windows_only = format!("demo==1.0 --hash=sha256:{}", digest(CP312_WINDOWS));
    assert_eq!(
        check(&windows_only, files(), "3.12", "linux"),
        Status::HashMismatch(HashMismatch::TargetFileNotLocked {
            file: CP312_LINUX.to_string()
        })
    );
    assert!(matches!(
        check(&windows_only, files(), "3.12", "windows"),
        Status::Wheel { .. }
    ));
}
