//! Looking after the cache directory: what is in it ([`stats`]), removing all of it or one
//! project's entries ([`clean_all`], [`clean_packages`]), and shrinking it by age and size
//! ([`prune`]). The store's entries and the whole trees beside it (git checkouts, build
//! environments: see `trees`) are both covered.
//!
//! Sizes are the real files on disk (their lengths, so a filesystem's block rounding makes `du`
//! report somewhat more), never cacache's recorded sizes. Everything here is safe while other
//! pinwheel processes use the cache: see `sweep` for why.

use std::collections::{HashMap, HashSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::CacheKey;
use super::inventory::{IndexedEntry, Inventory, allocated_bytes};
use super::layout::{self, CONTENT_DIR, INDEX_DIR, TEMP_DIR};
use super::ownership::{Ownership, ownership};
use super::selection::{Candidate, select};
use super::sweep::{ContentScope, Sweep};
use super::trees::{self, TreeDir};
use crate::types::PackageName;

pub use super::selection::PruneLimits;
pub use super::trees::TreeKind;

/// Temporary files older than this are left by a crashed writer (a live write takes
/// milliseconds); prune deletes them.
const STALE_TEMP_AGE: Duration = Duration::from_secs(3600);

/// Metadata bodies read to attribute old entries are small; anything larger is not one.
const MAX_METADATA_BODY: u64 = 1024 * 1024;

/// A failure to read or change the cache directory.
#[derive(Debug, thiserror::Error)]
pub enum MaintenanceError {
    /// A directory or file cannot be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file cannot be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file cannot be deleted.
    #[error("cannot remove `{}`", path.display())]
    Remove {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// What kind of thing an entry holds, from its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntryKind {
    /// Project pages (`simple-packed-v1:`, and `simple-v1:` for `--find-links` pages).
    Page,
    /// Core metadata by distribution digest (`metadata-v1:`).
    Metadata,
    /// Metadata of direct URL requirements (`url-metadata-v1:`).
    UrlMetadata,
    /// A walked project's metadata in one entry (`metadata-bundle-v1:`).
    MetadataBundle,
    /// Metadata built from sdists (`built-metadata-v1:`).
    BuiltMetadata,
    /// Digests of files an index listed without one (`url-sha256-v1:`).
    Digest,
    /// Whole distribution files (`dist-v1:`).
    Distribution,
    /// PEP 740 provenance objects by file digest (`provenance-v1:`).
    Provenance,
    /// Keys pinwheel does not write (another format version, another program).
    Other,
}

impl EntryKind {
    /// Every kind, in report order.
    pub const ALL: [Self; 9] = [
        Self::Page,
        Self::Metadata,
        Self::UrlMetadata,
        Self::MetadataBundle,
        Self::BuiltMetadata,
        Self::Digest,
        Self::Distribution,
        Self::Provenance,
        Self::Other,
    ];

    /// The kind's name in reports.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Page => "pages",
            Self::Metadata => "metadata",
            Self::UrlMetadata => "url-metadata",
            Self::MetadataBundle => "metadata-bundles",
            Self::BuiltMetadata => "built-metadata",
            Self::Digest => "digests",
            Self::Distribution => "distributions",
            Self::Provenance => "provenance",
            Self::Other => "other",
        }
    }
}

impl From<&CacheKey> for EntryKind {
    fn from(key: &CacheKey) -> Self {
        match key {
            CacheKey::Page { .. } | CacheKey::PackedPage { .. } => Self::Page,
            CacheKey::Metadata(_) => Self::Metadata,
            CacheKey::UrlMetadata(_) => Self::UrlMetadata,
            CacheKey::MetadataBundle(_) => Self::MetadataBundle,
            CacheKey::BuiltMetadata { .. } => Self::BuiltMetadata,
            CacheKey::Distribution(_) => Self::Distribution,
            CacheKey::UrlDigest(_) => Self::Digest,
            CacheKey::Provenance(_) => Self::Provenance,
        }
    }
}

/// A number of files and their bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Files (or entries, where said).
    pub files: u64,
    /// Bytes.
    pub bytes: u64,
}

impl Usage {
    pub(crate) fn add(&mut self, bytes: u64) {
        self.files += 1;
        self.bytes += bytes;
    }

    pub(crate) fn include(&mut self, other: Self) {
        self.files += other.files;
        self.bytes += other.bytes;
    }
}

/// The entries of one kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindStats {
    /// The kind.
    pub kind: EntryKind,
    /// How many entries.
    pub entries: u64,
    /// Their index lines and content; content shared by several entries counts once.
    pub bytes: u64,
}

/// The trees of one kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeStats {
    /// The kind.
    pub kind: TreeKind,
    /// How many finished trees.
    pub trees: u64,
    /// Their files' bytes.
    pub bytes: u64,
}

/// What is in a cache directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheStats {
    /// Every file under the directory.
    pub total: Usage,
    /// What the filesystem allocated for the directory, directories and block rounding
    /// included (what `du` shows), where the platform says.
    pub allocated: Option<u64>,
    /// Entries by kind, in [`EntryKind::ALL`] order.
    pub kinds: Vec<KindStats>,
    /// Finished trees by kind, in [`TreeKind::ALL`] order.
    pub trees: Vec<TreeStats>,
    /// What `prune` collects even without limits: content no entry refers to, superseded index
    /// lines, entries whose content is gone, temporary files and directories left by crashed
    /// writers. `files` counts whole files.
    pub reclaimable: Usage,
    /// Files maintenance never touches: temporary files of writes in progress and files that
    /// are not the cache's.
    pub untouched: Usage,
    /// When the oldest entry was written.
    pub oldest: Option<SystemTime>,
    /// When the newest entry was written.
    pub newest: Option<SystemTime>,
}

/// What a clean removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CleanReport {
    /// Entries removed.
    pub entries: u64,
    /// Files deleted.
    pub files: u64,
    /// Bytes freed.
    pub bytes: u64,
    /// Entries kept because another process wrote to them during the clean.
    pub busy: u64,
    /// Entries whose project cannot be told (written by an older pinwheel, or not by
    /// pinwheel): only a full clean removes them.
    pub unattributed: u64,
    /// Trees (git checkouts, build environments) removed.
    pub trees: u64,
    /// Trees kept because they are no one package's (a clean of some packages keeps them all).
    pub trees_kept: u64,
}

/// What a prune removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// The cache's size before.
    pub before: u64,
    /// The cache's size after, measured on disk (other processes may have written meanwhile).
    pub after: u64,
    /// Entries removed for their age.
    pub expired: u64,
    /// Entries removed to fit the size cap.
    pub evicted: u64,
    /// Entries removed because their content was gone.
    pub dangling: u64,
    /// Files deleted.
    pub files: u64,
    /// Bytes freed.
    pub bytes: u64,
    /// Entries kept because another process wrote to them during the prune.
    pub busy: u64,
    /// Trees removed because they were not used for longer than the age limit.
    pub trees_expired: u64,
    /// Trees removed, least recently used first, because the store alone did not fit the cap.
    pub trees_evicted: u64,
    /// Trees kept because a resolve used them during the prune.
    pub trees_busy: u64,
}

/// Reports on the cache at `dir` (a missing directory is an empty cache).
///
/// # Errors
/// When the directory cannot be read.
pub fn stats(dir: &Path) -> Result<CacheStats, MaintenanceError> {
    let started = SystemTime::now();
    let inventory = Inventory::scan(dir)?;
    let mut kinds: Vec<KindStats> = EntryKind::ALL
        .iter()
        .map(|&kind| KindStats {
            kind,
            entries: 0,
            bytes: 0,
        })
        .collect();
    let mut counted = HashSet::new();
    let mut oldest: Option<SystemTime> = None;
    let mut newest: Option<SystemTime> = None;
    for entry in usable(&inventory) {
        let Some(stats) = kinds.iter_mut().find(|stats| stats.kind == entry.kind) else {
            continue;
        };
        stats.entries += 1;
        stats.bytes += entry.line.stored_len();
        if let Some((path, stat)) = &entry.content
            && counted.insert(path)
        {
            stats.bytes += stat.len;
        }
        let written = entry.written();
        oldest = Some(oldest.map_or(written, |oldest| oldest.min(written)));
        newest = Some(newest.map_or(written, |newest| newest.max(written)));
    }
    let trees: Vec<TreeStats> = TreeKind::ALL
        .iter()
        .map(|&kind| {
            let of_kind = inventory
                .trees
                .trees
                .iter()
                .filter(|tree| tree.kind == kind);
            TreeStats {
                kind,
                trees: of_kind.clone().count() as u64,
                bytes: of_kind.map(|tree| tree.usage.bytes).sum(),
            }
        })
        .collect();
    let mut untouched = inventory.foreign;
    let stale_before = started.checked_sub(STALE_TEMP_AGE);
    let mut reclaimable = Usage::default();
    for (_, stat) in &inventory.temp_files {
        if stale_before.is_some_and(|before| stat.modified < before) {
            reclaimable.add(stat.len);
        } else {
            untouched.add(stat.len);
        }
    }
    for temporary in &inventory.trees.temporaries {
        if is_stale(temporary, stale_before) {
            reclaimable.include(temporary.usage);
        } else {
            untouched.include(temporary.usage);
        }
    }
    for (path, stat) in &inventory.contents {
        if !counted.contains(path) {
            reclaimable.add(stat.len);
        }
    }
    for bucket in &inventory.buckets {
        if layout::live_lines(&bucket.lines).is_empty() {
            reclaimable.add(bucket.stat.len);
        }
    }
    let entries_bytes: u64 = kinds.iter().map(|stats| stats.bytes).sum();
    // Superseded lines and dangling entries are parts of files: count their bytes only.
    reclaimable.bytes = inventory
        .total
        .bytes
        .saturating_sub(entries_bytes + untouched.bytes + inventory.trees.tree_bytes());
    Ok(CacheStats {
        total: inventory.total,
        allocated: allocated_bytes(dir).filter(|_| dir.exists()),
        kinds,
        trees,
        reclaimable,
        untouched,
        oldest,
        newest,
    })
}

/// Removes every entry, all content and every tree (files that are not the cache's stay, and
/// so do the temporary directories of checkouts and builds in progress).
///
/// # Errors
/// When a file cannot be read or deleted.
pub fn clean_all(dir: &Path) -> Result<CleanReport, MaintenanceError> {
    let started = SystemTime::now();
    let inventory = Inventory::scan(dir)?;
    let sweep = Sweep {
        remove: (0..inventory.entries.len()).collect(),
        compact: true,
        content: ContentScope::All,
        temp_before: Some(started),
        started,
    };
    let swept = sweep.run(dir, &inventory)?;
    remove_empty_directories(dir);
    let trees = trees::remove(
        &inventory.trees.trees.iter().collect::<Vec<_>>(),
        &stale_temporaries(&inventory, started.checked_sub(STALE_TEMP_AGE)),
        false,
    )?;
    Ok(CleanReport {
        entries: swept.entries,
        files: swept.files + trees.files,
        bytes: swept.bytes + trees.bytes,
        busy: swept.busy,
        unattributed: 0,
        trees: trees.trees,
        trees_kept: 0,
    })
}

/// Removes the entries of `names`: their pages, and the metadata, digests and distributions
/// recorded as theirs (or recognisable as theirs, for entries written by older versions), with
/// the content only they used.
///
/// # Errors
/// When a file cannot be read or deleted.
pub fn clean_packages(dir: &Path, names: &[PackageName]) -> Result<CleanReport, MaintenanceError> {
    let started = SystemTime::now();
    let names: HashSet<PackageName> = names.iter().cloned().collect();
    let inventory = Inventory::scan(dir)?;
    let mut remove = HashSet::new();
    let mut content = HashSet::new();
    let mut unattributed = 0;
    for (position, entry) in inventory.entries.iter().enumerate() {
        let info = entry.info();
        let body = || read_small(entry.content.as_ref().map(|(path, _)| path.as_path())?);
        match ownership(&entry.line.key, info.as_ref(), body, &names) {
            Ownership::Belongs => {
                remove.insert(position);
                if let Some((path, _)) = &entry.content {
                    content.insert(path.clone());
                }
            }
            Ownership::Other => {}
            Ownership::Unknown => unattributed += 1,
        }
    }
    let sweep = Sweep {
        remove,
        compact: false,
        content: ContentScope::Only(content),
        temp_before: None,
        started,
    };
    let swept = sweep.run(dir, &inventory)?;
    Ok(CleanReport {
        entries: swept.entries,
        files: swept.files,
        bytes: swept.bytes,
        busy: swept.busy,
        unattributed,
        trees: 0,
        trees_kept: inventory.trees.trees.len() as u64,
    })
}

/// Removes entries older than `limits.older_than` and trees not used for that long, then least
/// recently used entries until the cache fits in `limits.max_size`, then least recently used
/// trees if it still does not; and collects garbage (unreferenced content, superseded index
/// lines, entries whose content is gone, stale temporary files and directories) whatever the
/// limits.
///
/// # Errors
/// When a file cannot be read, written or deleted.
pub fn prune(dir: &Path, limits: PruneLimits) -> Result<PruneReport, MaintenanceError> {
    prune_at(dir, limits, SystemTime::now())
}

/// [`prune`] as if it were `now` (for ages; the sweep's own safety uses the real clock).
pub(crate) fn prune_at(
    dir: &Path,
    limits: PruneLimits,
    now: SystemTime,
) -> Result<PruneReport, MaintenanceError> {
    let started = SystemTime::now();
    let inventory = Inventory::scan(dir)?;

    // Content ids, and what the cache will weigh once garbage is gone with every entry kept.
    let mut content_ids: HashMap<&Path, usize> = HashMap::new();
    let mut content_bytes = Vec::new();
    let mut candidates = Vec::new();
    let mut positions = Vec::new();
    let mut dangling = HashSet::new();
    for (position, entry) in inventory.entries.iter().enumerate() {
        let Some((path, stat)) = &entry.content else {
            dangling.insert(position);
            continue;
        };
        let content = *content_ids.entry(path.as_path()).or_insert_with(|| {
            content_bytes.push(stat.len);
            content_bytes.len() - 1
        });
        candidates.push(Candidate {
            written: entry.written(),
            last_used: entry.last_used(),
            index_bytes: entry.line.stored_len(),
            content,
        });
        positions.push(position);
    }
    let stale_before = started.checked_sub(STALE_TEMP_AGE);
    let kept_temp: u64 = inventory
        .temp_files
        .iter()
        .filter(|(_, stat)| stale_before.is_none_or(|before| stat.modified >= before))
        .map(|(_, stat)| stat.len)
        .sum::<u64>()
        + inventory
            .trees
            .temporaries
            .iter()
            .filter(|temporary| !is_stale(temporary, stale_before))
            .map(|temporary| temporary.usage.bytes)
            .sum::<u64>();
    let tree_list = &inventory.trees.trees;
    let trees_expired = trees::expired(tree_list, limits.older_than, now);
    let kept_trees: u64 = (0..tree_list.len())
        .filter(|position| !trees_expired.contains(position))
        .map(|position| tree_list[position].usage.bytes)
        .sum();
    let baseline = candidates.iter().map(|c| c.index_bytes).sum::<u64>()
        + content_bytes.iter().sum::<u64>()
        + kept_temp
        + kept_trees
        + inventory.foreign.bytes;
    let selection = select(&candidates, &content_bytes, baseline, limits, now);
    // Trees go only when the store's entries alone do not make the cap: one tree is worth
    // many entries' refetches (a checkout, or an environment's downloads and install).
    let trees_evicted = trees::evicted(
        tree_list,
        &trees_expired,
        selection.projected,
        limits.max_size,
    );

    let mut remove = dangling.clone();
    remove.extend(
        selection
            .expired
            .iter()
            .chain(&selection.evicted)
            .map(|&candidate| positions[candidate]),
    );
    let sweep = Sweep {
        remove,
        compact: true,
        content: ContentScope::All,
        temp_before: stale_before,
        started,
    };
    let swept = sweep.run(dir, &inventory)?;
    let trees_of = |positions: &[usize]| -> Vec<&TreeDir> {
        positions
            .iter()
            .map(|&position| &tree_list[position])
            .collect()
    };
    let expired_trees = trees::remove(&trees_of(&trees_expired), &[], true)?;
    let evicted_trees = trees::remove(
        &trees_of(&trees_evicted),
        &stale_temporaries(&inventory, stale_before),
        true,
    )?;
    // Measured, not projected: another process may have written meanwhile.
    let after = Inventory::scan(dir)?.total.bytes;
    Ok(PruneReport {
        before: inventory.total.bytes,
        after,
        expired: selection.expired.len() as u64,
        evicted: selection.evicted.len() as u64,
        dangling: dangling.len() as u64,
        files: swept.files + expired_trees.files + evicted_trees.files,
        bytes: swept.bytes + expired_trees.bytes + evicted_trees.bytes,
        busy: swept.busy,
        trees_expired: expired_trees.trees,
        trees_evicted: evicted_trees.trees,
        trees_busy: expired_trees.busy + evicted_trees.busy,
    })
}

/// Whether a temporary directory beside the trees was last written before `stale_before`.
fn is_stale(temporary: &TreeDir, stale_before: Option<SystemTime>) -> bool {
    stale_before.is_some_and(|before| temporary.modified < before)
}

/// The temporary directories beside the trees that crashed runs left.
fn stale_temporaries(inventory: &Inventory, stale_before: Option<SystemTime>) -> Vec<&TreeDir> {
    inventory
        .trees
        .temporaries
        .iter()
        .filter(|temporary| is_stale(temporary, stale_before))
        .collect()
}

/// The entries whose content exists.
fn usable(inventory: &Inventory) -> impl Iterator<Item = &IndexedEntry> {
    inventory
        .entries
        .iter()
        .filter(|entry| !entry.is_dangling())
}

/// A content file's bytes, when it is small enough to be a metadata body.
fn read_small(path: &Path) -> Option<Vec<u8>> {
    let file = std::fs::File::open(path).ok()?;
    let mut body = Vec::new();
    file.take(MAX_METADATA_BODY + 1)
        .read_to_end(&mut body)
        .ok()?;
    (body.len() as u64 <= MAX_METADATA_BODY).then_some(body)
}

/// Removes the now empty directories of the cache's layout, deepest first. Best effort: a
/// directory another process just wrote into is not empty and stays.
fn remove_empty_directories(dir: &Path) {
    for top in [INDEX_DIR, CONTENT_DIR, TEMP_DIR] {
        remove_empty_below(&dir.join(top));
    }
}

fn remove_empty_below(dir: &Path) {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    for item in listing.flatten() {
        if item.file_type().is_ok_and(|kind| kind.is_dir()) {
            remove_empty_below(&item.path());
        }
    }
    // Fails, harmlessly, when something is left inside.
    let _ = std::fs::remove_dir(dir);
}

#[cfg(test)]
mod tests;
