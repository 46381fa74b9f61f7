//! The report for programs: one JSON document, described by `schemas/check.schema.json` (a
//! test validates real output against it, so the two cannot drift apart silently).
//!
//! The document is built from these private types rather than by serialising the library's,
//! so that the JSON contract changes only when this file does.

use std::path::Path;

use anyhow::Context as _;
use serde::Serialize;

use crate::cli::settings::NamedTarget;
use crate::lockcheck::{
    CheckReport, HashMismatch, Missing, MissingWheel, Outcome, SdistPolicy, Status,
};
use crate::lockfile::LockedSource;

/// Bumped when a field changes meaning or disappears (adding one is compatible).
const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document {
    format_version: u32,
    lock_file: String,
    passed: bool,
    require_wheels: bool,
    targets: Vec<JsonTarget>,
    pins: Vec<JsonPin>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonTarget {
    /// As typed (`3.12`).
    python: String,
    /// As typed (`linux`), or the host's full name.
    platform: String,
    /// The platform's full name (`x86_64-manylinux_2_28`).
    platform_full: String,
}

#[derive(Serialize)]
struct JsonPin {
    name: String,
    version: Option<String>,
    url: Option<String>,
    extras: Vec<String>,
    marker: Option<String>,
    line: usize,
    hashes: usize,
    /// One per target, in the order of `targets`.
    results: Vec<JsonResult>,
}

#[derive(Serialize)]
struct JsonResult {
    /// Index into `targets`.
    target: usize,
    outcome: &'static str,
    detail: String,
    #[serde(flatten)]
    status: JsonStatus,
}

#[derive(Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
enum JsonStatus {
    Skipped,
    DirectUrl,
    Vcs,
    Wheel {
        file: String,
    },
    SdistOnly {
        file: String,
        missing_wheel: JsonMissingWheel,
    },
    Missing {
        missing: &'static str,
    },
    Yanked {
        reason: Option<String>,
    },
    RequiresPython {
        requires_python: String,
    },
    NoFile {
        missing_wheel: JsonMissingWheel,
    },
    HashMismatch {
        mismatch: JsonHashMismatch,
    },
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum JsonMissingWheel {
    NoWheels,
    Python { interpreter: String },
    Platform { platform: String },
    NotLocked { wheel: String },
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum JsonHashMismatch {
    UnknownHashes { hashes: Vec<String> },
    TargetFileNotLocked { file: String },
}

#[derive(Serialize)]
struct JsonSummary {
    pins: usize,
    targets: usize,
    passed: usize,
    warnings: usize,
    failures: usize,
    not_checked: usize,
}

/// The JSON document, pretty-printed, ending with a newline.
pub(super) fn render(
    report: &CheckReport,
    targets: &[NamedTarget],
    lock_file: &Path,
) -> anyhow::Result<String> {
    let summary = report.summary();
    let document = Document {
        format_version: FORMAT_VERSION,
        lock_file: lock_file.display().to_string(),
        passed: report.passed(),
        require_wheels: report.options().sdist == SdistPolicy::Fail,
        targets: targets
            .iter()
            .map(|named| JsonTarget {
                python: named.python.clone(),
                platform: named.platform.clone(),
                platform_full: named.target.platform().to_string(),
            })
            .collect(),
        pins: report
            .pins()
            .iter()
            .map(|pin_report| {
                let pin = pin_report.pin();
                let (version, url) = match &pin.source {
                    LockedSource::Version(version) => (Some(version.to_string()), None),
                    LockedSource::Url(url) => (None, Some(url.to_string())),
                };
                JsonPin {
                    name: pin.name.to_string(),
                    version,
                    url,
                    extras: pin.extras.iter().map(ToString::to_string).collect(),
                    marker: pin
                        .marker
                        .as_ref()
                        .and_then(|marker| marker.try_to_string()),
                    line: pin.line,
                    hashes: pin.hashes.len(),
                    results: pin_report
                        .statuses()
                        .iter()
                        .enumerate()
                        .map(|(target, status)| JsonResult {
                            target,
                            outcome: outcome_name(report.outcome(status)),
                            detail: status.to_string(),
                            status: json_status(status),
                        })
                        .collect(),
                }
            })
            .collect(),
        summary: JsonSummary {
            pins: report.pins().len(),
            targets: report.targets().len(),
            passed: summary.passed,
            warnings: summary.warnings,
            failures: summary.failures,
            not_checked: summary.not_checked,
        },
    };
    let mut text =
        serde_json::to_string_pretty(&document).context("cannot serialise the report")?;
    text.push('\n');
    Ok(text)
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "pass",
        Outcome::Warning => "warning",
        Outcome::Failure => "failure",
        Outcome::NotChecked => "not-checked",
    }
}

fn json_status(status: &Status) -> JsonStatus {
    match status {
        Status::SkippedByMarker => JsonStatus::Skipped,
        Status::DirectUrl => JsonStatus::DirectUrl,
        Status::Vcs => JsonStatus::Vcs,
        Status::Wheel { file } => JsonStatus::Wheel { file: file.clone() },
        Status::SdistOnly {
            file,
            missing_wheel,
        } => JsonStatus::SdistOnly {
            file: file.clone(),
            missing_wheel: json_missing_wheel(missing_wheel),
        },
        Status::Missing(missing) => JsonStatus::Missing {
            missing: match missing {
                Missing::Project => "project",
                Missing::Version => "version",
            },
        },
        Status::Yanked { reason } => JsonStatus::Yanked {
            reason: reason.clone(),
        },
        Status::RequiresPython { specifiers } => JsonStatus::RequiresPython {
            requires_python: specifiers.to_string(),
        },
        Status::NoFile { missing_wheel } => JsonStatus::NoFile {
            missing_wheel: json_missing_wheel(missing_wheel),
        },
        Status::HashMismatch(HashMismatch::Unknown(digests)) => JsonStatus::HashMismatch {
            mismatch: JsonHashMismatch::UnknownHashes {
                hashes: digests
                    .iter()
                    .map(|digest| format!("sha256:{digest}"))
                    .collect(),
            },
        },
        Status::HashMismatch(HashMismatch::TargetFileNotLocked { file }) => {
            JsonStatus::HashMismatch {
                mismatch: JsonHashMismatch::TargetFileNotLocked { file: file.clone() },
            }
        }
    }
}

fn json_missing_wheel(missing: &MissingWheel) -> JsonMissingWheel {
    match missing {
        MissingWheel::NoWheels => JsonMissingWheel::NoWheels,
        MissingWheel::ForPython { interpreter } => JsonMissingWheel::Python {
            interpreter: interpreter.clone(),
        },
        MissingWheel::ForPlatform { platform } => JsonMissingWheel::Platform {
            platform: platform.to_string(),
        },
        MissingWheel::NotLocked { wheel } => JsonMissingWheel::NotLocked {
            wheel: wheel.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Sha256Digest, VersionSpecifiers};
    use std::str::FromStr as _;

    /// The JSON `status` of every variant is the name tables use.
    #[test]
    fn status_names_agree_with_the_library() {
        for status in [
            Status::SkippedByMarker,
            Status::DirectUrl,
            Status::Vcs,
            Status::Wheel {
                file: "a.whl".into(),
            },
            Status::SdistOnly {
                file: "a.tar.gz".into(),
                missing_wheel: MissingWheel::NoWheels,
            },
            Status::Missing(Missing::Version),
            Status::Yanked { reason: None },
            Status::RequiresPython {
                specifiers: VersionSpecifiers::from_str(">=3.13").unwrap(),
            },
            Status::NoFile {
                missing_wheel: MissingWheel::NoWheels,
            },
            Status::HashMismatch(HashMismatch::Unknown(vec![Sha256Digest::of(b"x")])),
        ] {
            let value = serde_json::to_value(json_status(&status)).unwrap();
            assert_eq!(value["status"], status.code(), "{value}");
        }
    }
}
