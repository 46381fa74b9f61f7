//! Getting `*.dist-info/METADATA` out of a wheel, from the whole file or from a few byte
//! ranges of it.
//!
//! # Reading a remote wheel with range requests
//!
//! A zip keeps its table of contents (the central directory) at the end, so METADATA can be
//! read without downloading the wheel:
//!
//! 1. Fetch the last [`TAIL_REQUEST_SIZE`] bytes (`Range: bytes=-65536`; the `Content-Range`
//!    answer also gives the file's length). Call [`metadata_from_tail`].
//! 2. On [`TailRead::NeedRange`], fetch exactly `start..end`, add it to a [`PartialWheel`]
//!    (which holds every range fetched so far) and ask again.
//!
//! The end-of-central-directory record and, for all but very large wheels, the whole central
//! directory lie in the first tail. Wheel builders write `.dist-info` last, so METADATA is
//! usually in that tail too and no further request is needed. Otherwise one request fetches
//! the central directory (only when it is longer than the tail, and then the stretch before it
//! where METADATA usually is, too) and one fetches METADATA's local header and data, with slack for the local extra field, whose length only the local
//! header itself gives. A third request happens only when that slack was too small. Each
//! `NeedRange` asks for bytes not held before, so the loop always ends; callers should still
//! cap it (say, at four requests) and fall back to downloading the wheel.
//!
//! Nothing here does IO: the caller fetches, this module plans and parses.

use std::cmp::Reverse;
use std::str::FromStr;

use super::ZipError;
use super::zipfile::{
    Chunks, MAX_ENTRY_SIZE, ZipEntry, local_entry_end, locate, parse_central_directory, read_entry,
};
use crate::types::{PackageName, Version};

/// Recommended length of the first range request, from the end of the file.
pub const TAIL_REQUEST_SIZE: u64 = 64 * 1024;

/// Extra bytes requested past METADATA's data to cover a local extra field longer than the
/// name (which is all that is known of the local header before reading it).
const LOCAL_HEADER_SLACK: u64 = 1024;

/// Bytes asked for before the central directory, beyond half its length, when the directory is
/// fetched on its own: room for METADATA (with a long description) and the small `.dist-info`
/// files written after it. Measured on litellm and apache-beam wheels, whose directories are
/// 150–330 KiB: METADATA starts 40–47% of the directory's length before it.
const METADATA_BEFORE_DIRECTORY: u64 = 32 * 1024;

/// The outcome of looking for METADATA in part of a wheel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TailRead {
    /// The METADATA file's contents.
    Metadata(Vec<u8>),
    /// Fetch bytes `start..end` of the wheel, add them, and ask again.
    NeedRange {
        /// First byte to fetch.
        start: u64,
        /// One past the last byte to fetch.
        end: u64,
    },
}

/// Reads METADATA from a whole wheel in memory.
///
/// # Errors
/// When the wheel is not a readable zip, or has no top-level `.dist-info/METADATA`.
pub fn metadata_from_wheel(
    bytes: &[u8],
    name: &PackageName,
    version: &Version,
) -> Result<Vec<u8>, ZipError> {
    metadata_in(&Chunks::whole(bytes), name, version)
}

/// Reads METADATA from the last `tail.len()` bytes of a `file_len`-byte wheel, or says which
/// range to fetch next (see the module docs).
///
/// # Errors
/// As [`metadata_from_wheel`], for the parts that are present.
pub fn metadata_from_tail(
    tail: &[u8],
    file_len: u64,
    name: &PackageName,
    version: &Version,
) -> Result<TailRead, ZipError> {
    plan(&Chunks::from_tail(tail, file_len)?, name, version)
}

/// The byte ranges of one wheel fetched so far.
#[derive(Clone, Debug)]
pub struct PartialWheel {
    file_len: u64,
    ranges: Vec<(u64, Vec<u8>)>,
}

impl PartialWheel {
    /// A wheel of `file_len` bytes of which nothing is known yet.
    #[must_use]
    pub fn new(file_len: u64) -> Self {
        Self {
            file_len,
            ranges: Vec::new(),
        }
    }

    /// Records that the wheel's bytes from `start` on are `bytes`.
    ///
    /// # Errors
    /// When the range does not fit in the file.
    pub fn add_range(&mut self, start: u64, bytes: Vec<u8>) -> Result<(), ZipError> {
        let end = start
            .checked_add(bytes.len() as u64)
            .filter(|end| *end <= self.file_len);
        let Some(end) = end else {
            return Err(ZipError::OutOfRange {
                what: "fetched range",
                start,
                end: start.saturating_add(bytes.len() as u64),
                file_len: self.file_len,
            });
        };
        tracing::debug!("wheel range {start}..{end} added");
        self.ranges.push((start, bytes));
        Ok(())
    }

    /// Reads METADATA from the ranges held, or says which range to fetch next.
    ///
    /// # Errors
    /// As [`metadata_from_wheel`], for the parts that are present.
    pub fn metadata(&self, name: &PackageName, version: &Version) -> Result<TailRead, ZipError> {
        let views = self
            .ranges
            .iter()
            .map(|(start, bytes)| (*start, bytes.as_slice()))
            .collect();
        plan(&Chunks::new(self.file_len, views), name, version)
    }
}

/// Turns "bytes missing" into a request; everything else passes through.
fn plan(chunks: &Chunks<'_>, name: &PackageName, version: &Version) -> Result<TailRead, ZipError> {
    match metadata_in(chunks, name, version) {
        Ok(metadata) => Ok(TailRead::Metadata(metadata)),
        Err(ZipError::Incomplete { start, end }) => Ok(TailRead::NeedRange { start, end }),
        Err(error) => Err(error),
    }
}

/// The whole read, failing with [`ZipError::Incomplete`] at the first missing range.
fn metadata_in(
    chunks: &Chunks<'_>,
    name: &PackageName,
    version: &Version,
) -> Result<Vec<u8>, ZipError> {
    let location = locate(chunks)?;
    if location.size > MAX_ENTRY_SIZE {
        return Err(ZipError::TooLarge {
            name: "central directory".into(),
            size: location.size,
            limit: MAX_ENTRY_SIZE,
        });
    }
    let directory = match chunks.get("central directory", location.offset, location.end()) {
        Err(ZipError::Incomplete { start, end }) => {
            // Wheel builders write `.dist-info` last, and its RECORD (deflated, about half the
            // directory's length) last of all: asking for that much more before the
            // directory usually brings METADATA in the same request.
            let before = (location.size / 2).saturating_add(METADATA_BEFORE_DIRECTORY);
            return Err(ZipError::Incomplete {
                start: start.saturating_sub(before),
                end,
            });
        }
        other => other?,
    };
    let entries = parse_central_directory(directory)?;
    let entry = find_metadata_entry(&entries, name, version)?;
    if entry.compressed_size > MAX_ENTRY_SIZE || entry.uncompressed_size > MAX_ENTRY_SIZE {
        let size = entry.compressed_size.max(entry.uncompressed_size);
        return Err(ZipError::TooLarge {
            name: entry.name.clone(),
            size,
            limit: MAX_ENTRY_SIZE,
        });
    }
    let offset = entry.local_header_offset;
    let header_end = offset.saturating_add(super::zipfile::LOCAL_HEADER_LEN);
    let header = match chunks.get("local file header", offset, header_end) {
        Err(ZipError::Incomplete { .. }) => {
            // Guess the local header's length from the central directory's name: one request
            // then usually brings header and data together.
            let guess = header_end
                .saturating_add(entry.name.len() as u64)
                .saturating_add(entry.compressed_size)
                .saturating_add(LOCAL_HEADER_SLACK)
                .min(chunks.file_len());
            return Err(ZipError::Incomplete {
                start: offset,
                end: guess.max(header_end),
            });
        }
        other => other?,
    };
    let (_, data_end) = local_entry_end(header, entry)?;
    let local = chunks.get("entry data", offset, data_end)?;
    read_entry(local, entry)
}

/// Finds the top-level `<dir>.dist-info/METADATA`, preferring a directory named after `name`
/// and `version` (compared after normalisation, so `Foo_Bar-1.0.0.dist-info` matches
/// `foo-bar` 1.0), then one named after `name`, then the only one there is.
///
/// # Errors
/// [`ZipError::NoMetadata`] when there is none, [`ZipError::AmbiguousMetadata`] when there are
/// several and none is named after the package.
pub fn find_metadata_entry<'a>(
    entries: &'a [ZipEntry],
    name: &PackageName,
    version: &Version,
) -> Result<&'a ZipEntry, ZipError> {
    let candidates: Vec<(&ZipEntry, &str)> = entries
        .iter()
        .filter_map(|entry| {
            let directory = entry.name.strip_suffix("/METADATA")?;
            let stem_len = directory.len().checked_sub(".dist-info".len())?;
            let (stem, suffix) = (directory.get(..stem_len)?, directory.get(stem_len..)?);
            let top_level = !stem.is_empty() && !stem.contains('/');
            (top_level && suffix.eq_ignore_ascii_case(".dist-info")).then_some((entry, stem))
        })
        .collect();
    // `min_by_key` keeps the first of equals: archive order breaks ties.
    let best = candidates
        .iter()
        .min_by_key(|(_, stem)| Reverse(stem_score(stem, name, version)));
    match best {
        None => Err(ZipError::NoMetadata {
            name: name.clone(),
            version: version.clone(),
        }),
        Some((entry, stem)) if candidates.len() == 1 || stem_score(stem, name, version) > 0 => {
            Ok(entry)
        }
        Some(_) => Err(ZipError::AmbiguousMetadata {
            name: name.clone(),
            version: version.clone(),
            candidates: candidates
                .iter()
                .map(|(_, stem)| format!("{stem}.dist-info"))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// 2 when `stem` is `name-version`, 1 when it starts with `name-`, else 0. Names may contain
/// dashes in old wheels, so every dash is tried as the separator.
fn stem_score(stem: &str, name: &PackageName, version: &Version) -> u8 {
    stem.match_indices('-')
        .filter(|(index, _)| {
            PackageName::from_str(&stem[..*index]).is_ok_and(|candidate| &candidate == name)
        })
        .map(|(index, _)| {
            if Version::from_str(&stem[index + 1..]).is_ok_and(|candidate| &candidate == version) {
                2
            } else {
                1
            }
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
