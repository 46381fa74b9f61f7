//! `pinwheel cache dir|info|clean|prune`: the cache maintenance commands. The work is done by
//! `cache::maintenance`; this module settles the arguments and prints. Data (`dir`, `info`)
//! goes to stdout, reports of what was removed to stderr.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};

use super::args::{CacheArgs, CacheCommand, CacheFormatArg};
use super::diagnostics::{Failure, report};
use super::settings::{cache_dir, package_names, prune_limits};
use super::units::format_size;
use crate::cache::maintenance::{
    self, CacheStats, CleanReport, EntryKind, PruneLimits, PruneReport, Usage,
};

/// Runs a cache command and returns its exit code (0, or 2 on any error).
pub fn run(args: &CacheArgs) -> ExitCode {
    match execute(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&Failure::Error(error)),
    }
}

fn execute(args: &CacheArgs) -> Result<()> {
    let dir = cache_dir(args.cache_dir.as_deref());
    match &args.command {
        CacheCommand::Dir => print_stdout(&format!("{}\n", dir.display())),
        CacheCommand::Info { format } => {
            let stats = maintenance::stats(&dir)
                .with_context(|| format!("cannot read the cache at `{}`", dir.display()))?;
            let text = match format {
                CacheFormatArg::Text => info_text(&dir, &stats, SystemTime::now()),
                CacheFormatArg::Json => format!("{:#}\n", info_json(&dir, &stats)),
            };
            print_stdout(&text)
        }
        CacheCommand::Clean { packages } if packages.is_empty() => {
            let report = maintenance::clean_all(&dir)
                .with_context(|| format!("cannot clean the cache at `{}`", dir.display()))?;
            eprint!("{}", clean_text(&dir, &report, None));
            Ok(())
        }
        CacheCommand::Clean { packages } => {
            let names = package_names(packages)?;
            let report = maintenance::clean_packages(&dir, &names)
                .with_context(|| format!("cannot clean the cache at `{}`", dir.display()))?;
            eprint!("{}", clean_text(&dir, &report, Some(packages)));
            Ok(())
        }
        CacheCommand::Prune {
            max_size,
            older_than,
        } => {
            let limits = prune_limits(max_size.as_deref(), older_than.as_deref())?;
            let report = maintenance::prune(&dir, limits)
                .with_context(|| format!("cannot prune the cache at `{}`", dir.display()))?;
            eprint!("{}", prune_text(&dir, &report, limits));
            Ok(())
        }
    }
}

fn print_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")
}

fn info_text(dir: &Path, stats: &CacheStats, now: SystemTime) -> String {
    use std::fmt::Write as _;
    let mut text = format!(
        "Cache directory: {}\nSize:            {} in {} files",
        dir.display(),
        format_size(stats.total.bytes),
        stats.total.files
    );
    if let Some(allocated) = stats.allocated {
        let _ = write!(text, " ({} allocated on disk)", format_size(allocated));
    }
    text.push_str("\n\n");
    let _ = writeln!(text, "{:<18} {:>8} {:>11}", "kind", "entries", "size");
    for kind in &stats.kinds {
        if kind.kind == EntryKind::Other && kind.entries == 0 {
            continue;
        }
        let _ = writeln!(
            text,
            "{:<18} {:>8} {:>11}",
            kind.kind.name(),
            kind.entries,
            format_size(kind.bytes)
        );
    }
    // Whole directory trees: the count is of trees, not of entries.
    for tree in &stats.trees {
        let _ = writeln!(
            text,
            "{:<18} {:>8} {:>11}",
            tree.kind.name(),
            tree.trees,
            format_size(tree.bytes)
        );
    }
    let _ = writeln!(
        text,
        "{:<18} {:>8} {:>11}  (no entry uses it: `pinwheel cache prune` removes it)",
        "unreferenced",
        stats.reclaimable.files,
        format_size(stats.reclaimable.bytes)
    );
    if stats.untouched.files > 0 {
        let _ = writeln!(
            text,
            "{:<18} {:>8} {:>11}  (writes in progress, files that are not the cache's)",
            "other files",
            stats.untouched.files,
            format_size(stats.untouched.bytes)
        );
    }
    match (stats.oldest, stats.newest) {
        (Some(oldest), Some(newest)) => {
            let _ = write!(
                text,
                "\nOldest entry:    {}\nNewest entry:    {}\n",
                when(oldest, now),
                when(newest, now)
            );
        }
        // Only trees: there is no entry to date.
        _ if stats.trees.iter().any(|tree| tree.trees > 0) => {}
        _ => text.push_str("\nThe cache is empty.\n"),
    }
    text
}

fn info_json(dir: &Path, stats: &CacheStats) -> serde_json::Value {
    let usage = |usage: Usage| serde_json::json!({"files": usage.files, "bytes": usage.bytes});
    let kinds: serde_json::Map<String, serde_json::Value> = stats
        .kinds
        .iter()
        .map(|kind| {
            (
                kind.kind.name().to_string(),
                serde_json::json!({"entries": kind.entries, "bytes": kind.bytes}),
            )
        })
        .collect();
    let trees: serde_json::Map<String, serde_json::Value> = stats
        .trees
        .iter()
        .map(|tree| {
            (
                tree.kind.key().to_string(),
                serde_json::json!({"trees": tree.trees, "bytes": tree.bytes}),
            )
        })
        .collect();
    serde_json::json!({
        "directory": dir.display().to_string(),
        "total": usage(stats.total),
        "allocated_bytes": stats.allocated,
        "entries": kinds,
        "trees": trees,
        "unreferenced": usage(stats.reclaimable),
        "other_files": usage(stats.untouched),
        "oldest": stats.oldest.map(rfc3339),
        "newest": stats.newest.map(rfc3339),
    })
}

fn clean_text(dir: &Path, report: &CleanReport, packages: Option<&[String]>) -> String {
    let mut text = match packages {
        None => format!(
            "Removed {}{} from {}: {} files, {}\n",
            plural(report.entries, "entry", "entries"),
            trees_phrase(report.trees),
            dir.display(),
            report.files,
            format_size(report.bytes)
        ),
        Some(packages) => format!(
            "Removed {} of {}: {} files, {}\n",
            plural(report.entries, "entry", "entries"),
            packages.join(", "),
            report.files,
            format_size(report.bytes)
        ),
    };
    if report.unattributed > 0 {
        text.push_str(&format!(
            "note: {} do not record their package (written by an older pinwheel) and were kept; \
             `pinwheel cache clean` without names removes everything\n",
            plural(report.unattributed, "entry", "entries")
        ));
    }
    if report.trees_kept > 0 {
        text.push_str(&format!(
            "note: kept {} (git checkouts, build environments): they are no one package's; \
             `pinwheel cache clean` without names removes them\n",
            plural(report.trees_kept, "tree", "trees")
        ));
    }
    text.push_str(&busy_note(report.busy));
    text
}

/// ` and 2 trees (git checkouts, build environments)`, or nothing when none.
fn trees_phrase(trees: u64) -> String {
    if trees == 0 {
        return String::new();
    }
    format!(
        " and {} (git checkouts, build environments)",
        plural(trees, "tree", "trees")
    )
}

fn prune_text(dir: &Path, report: &PruneReport, limits: PruneLimits) -> String {
    let removed = report.expired + report.evicted + report.dangling;
    let mut text = format!(
        "Pruned {}: removed {} ({} older than the limit, {} least recently used, {} without content) \
         and {} files; freed {}, {} left\n",
        dir.display(),
        plural(removed, "entry", "entries"),
        report.expired,
        report.evicted,
        report.dangling,
        report.files,
        format_size(report.bytes),
        format_size(report.after),
    );
    if report.trees_expired + report.trees_evicted > 0 {
        text.push_str(&format!(
            "Removed {} (git checkouts, build environments): {} unused for longer than the limit, \
             {} least recently used\n",
            plural(report.trees_expired + report.trees_evicted, "tree", "trees"),
            report.trees_expired,
            report.trees_evicted,
        ));
    }
    if report.trees_busy > 0 {
        text.push_str(&format!(
            "note: {} used by a resolve during the prune {} kept\n",
            plural(report.trees_busy, "tree", "trees"),
            if report.trees_busy == 1 {
                "was"
            } else {
                "were"
            }
        ));
    }
    if let Some(cap) = limits.max_size
        && report.after > cap
    {
        text.push_str(&format!(
            "note: the cache is still above {}: other pinwheel processes wrote to it meanwhile, \
             or it holds files that are not the cache's\n",
            format_size(cap)
        ));
    }
    text.push_str(&busy_note(report.busy));
    text
}

fn busy_note(busy: u64) -> String {
    if busy == 0 {
        return String::new();
    }
    format!(
        "note: {} being written by another pinwheel process were kept\n",
        plural(busy, "entry", "entries")
    )
}

fn plural(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// A time as RFC 3339 (UTC, to the second).
fn rfc3339(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |elapsed| {
        i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
    });
    jiff::Timestamp::from_second(seconds).map_or_else(|_| seconds.to_string(), |ts| ts.to_string())
}

/// `2026-11-21T10:00:00Z (3 days ago)`.
fn when(time: SystemTime, now: SystemTime) -> String {
    let age = now.duration_since(time).unwrap_or_default().as_secs();
    let ago = match age {
        0..60 => "just now".to_string(),
        60..3_600 => format!("{} min ago", age / 60),
        3_600..86_400 => format!("{} h ago", age / 3_600),
        _ => plural(age / 86_400, "day ago", "days ago"),
    };
    format!("{} ({ago})", rfc3339(time))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn ages_read_naturally() {
        let now = UNIX_EPOCH + Duration::from_secs(10 * 86_400);
        assert_eq!(when(now, now), "1970-01-11T00:00:00Z (just now)");
        assert!(when(now - Duration::from_secs(90 * 60), now).ends_with("(1 h ago)"));
        assert!(when(now - Duration::from_secs(86_400), now).ends_with("(1 day ago)"));
        assert!(when(UNIX_EPOCH, now).ends_with("(10 days ago)"));
    }
}
