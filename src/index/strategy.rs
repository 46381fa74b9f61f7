//! Which index a project's files come from when several are configured (`--index-strategy`),
//! and the named indexes a project can be pinned to (`[tool.pinwheel.sources]`).
//!
//! The default, [`IndexStrategy::FirstIndex`], takes a project from the first index that lists
//! it and never looks further: a public index cannot then shadow a private project by
//! publishing the same name with a higher version (dependency confusion). The two others merge
//! every index's files, as uv's options of the same names do, and are named `unsafe-` because
//! they give up that protection.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use crate::types::{PackError, PackageName, PackedProject, ProjectFiles, RedactedUrl, Version};

/// How the files of a project that several indexes list are chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IndexStrategy {
    /// Only the first index that lists the project.
    #[default]
    FirstIndex,
    /// Every index; the first index's versions are all tried before any of the next one's.
    UnsafeFirstMatch,
    /// Every index; the best version wins wherever it is.
    UnsafeBestMatch,
}

impl IndexStrategy {
    /// The spelling of `--index-strategy`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstIndex => "first-index",
            Self::UnsafeFirstMatch => "unsafe-first-match",
            Self::UnsafeBestMatch => "unsafe-best-match",
        }
    }
}

/// The indexes a project may come from, in priority order: every index but the explicit ones,
/// or the one index a source pins it to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexPins {
    /// Package → the only index asked for it.
    pub by_package: BTreeMap<PackageName, RedactedUrl>,
    /// Indexes asked only for the packages pinned to them (`explicit = true`), so that the
    /// shadow report can ask them too.
    pub explicit: Vec<RedactedUrl>,
}

/// One page per index, in index order, merged as `strategy` says (first-index never gets
/// here: it stops at the first index that lists the project).
///
/// A version several indexes list takes its files from the first of them, so a later index
/// cannot add a file (a wheel for another platform, say) to a release of an earlier one.
///
/// # Errors
/// When a page's records cannot be decoded.
pub(super) fn merge_pages(
    name: &PackageName,
    pages: Vec<PackedProject>,
    strategy: IndexStrategy,
) -> Result<PackedProject, PackError> {
    let mut listing: Vec<PackedProject> = pages
        .into_iter()
        .filter(|page| page.file_count() > 0)
        .collect();
    if listing.len() <= 1 {
        return Ok(listing
            .pop()
            .unwrap_or_else(|| PackedProject::empty(name.clone())));
    }
    let mut rank_of: BTreeMap<Version, u32> = BTreeMap::new();
    let mut files = Vec::new();
    for (rank, page) in (0u32..).zip(&listing) {
        for (index, text) in page.versions().enumerate() {
            let Ok(version) = Version::from_str(text) else {
                continue;
            };
            if rank_of.contains_key(&version) {
                continue;
            }
            files.extend(page.files_of(index)?);
            rank_of.insert(version, rank);
        }
    }
    let merged = ProjectFiles {
        name: name.clone(),
        files,
    };
    let packed = PackedProject::open(name.clone(), Arc::new(PackedProject::pack(&merged)))?;
    if strategy != IndexStrategy::UnsafeFirstMatch {
        return Ok(packed);
    }
    let ranks = (0..packed.versions().len())
        .map(|index| {
            packed
                .version(index)
                .and_then(|version| rank_of.get(&version).copied())
                .unwrap_or(0)
        })
        .collect();
    Ok(packed.with_index_ranks(ranks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::IndexFile;

    fn page(index: &str, versions: &[&str]) -> PackedProject {
        let name = PackageName::from_str("foo").unwrap();
        let files = versions
            .iter()
            .map(|version| {
                let filename = format!("foo-{version}-py3-none-any.whl");
                IndexFile::listed_for_tests(&name, &filename, index)
            })
            .collect();
        let files = ProjectFiles { name, files };
        PackedProject::open(files.name.clone(), Arc::new(PackedProject::pack(&files))).unwrap()
    }

    fn origins(packed: &PackedProject) -> Vec<(String, String)> {
        let files = packed.unpack().unwrap().files;
        files
            .iter()
            .map(|file| {
                (
                    file.dist.version().to_string(),
                    file.origin.listing().unwrap().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn a_version_on_two_indexes_keeps_the_first_indexs_files() {
        let name = PackageName::from_str("foo").unwrap();
        let pages = vec![
            page("https://a.example/", &["1.0"]),
            page("https://b.example/", &["1.0", "2.0"]),
        ];
        let merged = merge_pages(&name, pages, IndexStrategy::UnsafeBestMatch).unwrap();
        assert_eq!(
            origins(&merged),
            [
                ("1.0".to_string(), "https://a.example/".to_string()),
                ("2.0".to_string(), "https://b.example/".to_string())
            ]
        );
        assert!(!merged.is_ranked());
    }

    #[test]
    fn first_match_ranks_each_version_by_the_index_it_came_from() {
        let name = PackageName::from_str("foo").unwrap();
        let pages = vec![
            PackedProject::empty(name.clone()),
            page("https://a.example/", &["1.0", "1.5"]),
            page("https://b.example/", &["1.0", "2.0"]),
        ];
        let merged = merge_pages(&name, pages, IndexStrategy::UnsafeFirstMatch).unwrap();
        let ranks: Vec<(String, u32)> = merged
            .versions()
            .enumerate()
            .map(|(index, version)| (version.to_string(), merged.index_rank(index)))
            .collect();
        assert_eq!(
            ranks,
            [
                ("1.0".to_string(), 0),
                ("1.5".to_string(), 0),
                ("2.0".to_string(), 1)
            ]
        );
    }

    #[test]
    fn one_listing_index_is_returned_as_it_is() {
        let name = PackageName::from_str("foo").unwrap();
        let pages = vec![
            PackedProject::empty(name.clone()),
            page("https://b.example/", &["2.0"]),
        ];
        let merged = merge_pages(&name, pages, IndexStrategy::UnsafeFirstMatch).unwrap();
        assert!(!merged.is_ranked());
        assert_eq!(merged.file_count(), 1);
    }
}
