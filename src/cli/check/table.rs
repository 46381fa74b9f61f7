//! The report for people: one row per pin, one column per target (headed by its Python version
//! over its platform), then each warning and failure explained, then a summary line.
//!
//! Cells hold only the status's name (`ok`, `sdist-only`, `yanked`, …) so that a matrix of many
//! targets stays narrow; the specifics (`no cp312 wheel`, the yank reason, the specifier) follow
//! below the table, once per distinct explanation, with the targets they apply to.

use std::fmt::Write as _;

use crate::cli::settings::NamedTarget;
use crate::lockcheck::{CheckReport, Outcome, Status};
use crate::lockfile::{LockedPin, LockedSource};

/// The whole table report, ending with a newline.
pub(super) fn render(report: &CheckReport, targets: &[NamedTarget]) -> String {
    let mut rows: Vec<Vec<String>> = vec![
        std::iter::once(String::new())
            .chain(targets.iter().map(|target| target.python.clone()))
            .collect(),
        std::iter::once(String::new())
            .chain(targets.iter().map(|target| target.platform.clone()))
            .collect(),
    ];
    for pin in report.pins() {
        rows.push(
            std::iter::once(pin_label(pin.pin()))
                .chain(
                    pin.statuses()
                        .iter()
                        .map(|status| cell(report, status).to_string()),
                )
                .collect(),
        );
    }
    let mut out = String::new();
    write_aligned(&mut out, &rows);
    write_problems(&mut out, report, targets);
    out.push('\n');
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

/// `ok` for a pass, else the status's name.
fn cell(report: &CheckReport, status: &Status) -> &'static str {
    match report.outcome(status) {
        Outcome::Pass => "ok",
        _ => status.code(),
    }
}

/// `name[extras]==version`, or `name @ …/file` for a URL (its last path segment is what tells
/// one URL from another in a narrow column).
pub(super) fn pin_label(pin: &LockedPin) -> String {
    let extras = if pin.extras.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = pin.extras.iter().map(AsRef::as_ref).collect();
        format!("[{}]", names.join(","))
    };
    match &pin.source {
        LockedSource::Version(version) => format!("{}{extras}=={version}", pin.name),
        LockedSource::Url(url) => {
            let last = url
                .path_segments()
                .and_then(|mut segments| segments.rfind(|segment| !segment.is_empty()))
                .unwrap_or_else(|| url.as_str());
            format!("{}{extras} @ …/{last}", pin.name)
        }
    }
}

/// Columns padded to their widest cell, two spaces apart, no trailing blanks.
fn write_aligned(out: &mut String, rows: &[Vec<String>]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|column| {
            rows.iter()
                .filter_map(|row| row.get(column))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(&widths) {
            let _ = write!(line, "{cell:<width$}  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// Every warning and failure, grouped by pin, one line per distinct explanation.
fn write_problems(out: &mut String, report: &CheckReport, targets: &[NamedTarget]) {
    for pin in report.pins() {
        // (status name, explanation) → targets, in first-seen order.
        let mut problems: Vec<((&str, String), Vec<String>)> = Vec::new();
        for (status, target) in pin.statuses().iter().zip(targets) {
            if !matches!(report.outcome(status), Outcome::Warning | Outcome::Failure) {
                continue;
            }
            let key = (status.code(), status.to_string());
            let label = format!("{} {}", target.python, target.platform);
            match problems.iter_mut().find(|(known, _)| *known == key) {
                Some((_, on)) => on.push(label),
                None => problems.push((key, vec![label])),
            }
        }
        if problems.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "\n{} (line {})\n",
            pin_label(pin.pin()),
            pin.pin().line
        );
        for ((code, detail), on) in problems {
            let on = if on.len() == targets.len() && targets.len() > 1 {
                "every target".to_string()
            } else {
                on.join(", ")
            };
            let _ = writeln!(out, "  {code} on {on}: {detail}");
        }
    }
}

/// `check passed: 3 pins on 2 targets: 5 ok, 1 warning, 0 failed, 0 not checked`.
fn summary_line(report: &CheckReport) -> String {
    let summary = report.summary();
    let plural = |count: usize, one: &str, many: &str| {
        format!("{count} {}", if count == 1 { one } else { many })
    };
    format!(
        "check {}: {} on {}: {} ok, {}, {} failed, {} not checked",
        if report.passed() { "passed" } else { "failed" },
        plural(report.pins().len(), "pin", "pins"),
        plural(report.targets().len(), "target", "targets"),
        summary.passed,
        plural(summary.warnings, "warning", "warnings"),
        summary.failures,
        summary.not_checked,
    )
}
