//! A project's file list in a compact binary form, grouped by version, that opens without
//! parsing its files.
//!
//! An index page lists every file of every version (rpds-py: thousands of files), while a resolve
//! looks at one or two versions of most projects. Parsing or even reading the whole page on every
//! warm run was most of a warm resolve (URL parsing, hex digests, file names, then copying
//! megabytes). So the cache keeps pages *packed*: a header with the sorted, distinct versions,
//! each pointing at the byte range of its files' records. [`PackedProject::open`] reads the
//! header only; a version's records are read and decoded when someone asks for them
//! ([`PackedProject::files_of`]), through a [`BlockSource`] — memory, or positioned reads of the
//! cache's file, so that untouched versions are never read from disk at all.
//!
//! Layout: records, header, header length (u32), xxh3 of the header (u64), magic (8 bytes). The
//! header goes last so that packing appends it to the records without copying them; one read
//! of the file's tail usually gets all of it. The header and every version's records carry
//! their own xxh3, so damage is caught at the granularity that is read, without reading
//! everything. The format is private to this file and
//! versioned by its magic bytes; the cache key carries a version too.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use jiff::Timestamp;
use url::Url;
use xxhash_rust::xxh3::xxh3_64;

use super::{
    DistFilename, FileOrigin, FileUrl, IndexFile, MetadataAvailability, PackageName, ProjectFiles,
    RedactedUrl, Sha256Digest, Version, VersionSpecifiers, Yanked,
};

/// Identifies the format: bump the last byte on any change.
const MAGIC: &[u8; 8] = b"PWPACK\x00\x04";

/// Header length, header checksum, magic.
const TRAILER: usize = 4 + 8 + MAGIC.len();

/// How much of the tail [`PackedProject::open`] reads first: most headers fit, so one read
/// usually does.
const FIRST_READ: usize = 16 * 1024;

/// Why packed bytes could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// The bytes are not a packed page of this format, or are damaged.
    #[error("packed project page is unreadable: {0}")]
    Format(&'static str),
    /// The bytes could not be read.
    #[error("packed project page could not be read")]
    Io(#[from] std::io::Error),
}

/// Where a packed page's bytes are: memory, or a file read piece by piece.
pub trait BlockSource: Send + Sync + fmt::Debug {
    /// The total length in bytes.
    fn len(&self) -> u64;

    /// Whether there are no bytes at all.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `len` bytes from `offset`.
    ///
    /// # Errors
    /// When they cannot be read (the file vanished, or is shorter than it claimed).
    fn read_at(&self, offset: u64, len: usize) -> std::io::Result<Vec<u8>>;
}

impl BlockSource for Vec<u8> {
    fn len(&self) -> u64 {
        self.len() as u64
    }

    fn read_at(&self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        usize::try_from(offset)
            .ok()
            .and_then(|start| self.get(start..start.checked_add(len)?))
            .map(<[u8]>::to_vec)
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))
    }
}

/// One version's slice of the records.
#[derive(Clone, Debug)]
struct VersionSlot {
    /// Where its version's text is in `versions_text`.
    text: (u32, u32),
    /// Offset of its records in the source.
    offset: u64,
    len: usize,
    count: usize,
    checksum: u64,
}

/// A project's files, packed. Cheap to open, decoded a version at a time.
#[derive(Clone, Debug)]
pub struct PackedProject {
    name: PackageName,
    source: Option<Arc<dyn BlockSource>>,
    versions: Vec<VersionSlot>,
    /// Every version's text, back to back: parsing hundreds of versions per project on every
    /// warm run cost 9% of it, and the solver compares a handful of them.
    versions_text: Arc<str>,
    origins: Vec<FileOrigin>,
    requires_python: Vec<Option<VersionSpecifiers>>,
    /// Per version, in [`Self::versions`] order, the rank of the index it came from, when the
    /// page merges several indexes under `--index-strategy unsafe-first-match`: the resolver
    /// then tries every version of a lower rank before any of a higher one. Kept in memory only,
    /// never packed: each index's page is cached on its own.
    index_ranks: Option<Arc<[u32]>>,
}

impl PackedProject {
    /// Packs `project`'s files, grouped by version (oldest first); files keep their relative
    /// order within a version. Returns the bytes to store ([`PackedProject::open`] reads them).
    #[must_use]
    pub fn pack(project: &ProjectFiles) -> Vec<u8> {
        let mut origins: Vec<FileOrigin> = Vec::new();
        let mut requires_python: Vec<String> = Vec::new();
        let mut by_version: BTreeMap<&Version, Vec<&IndexFile>> = BTreeMap::new();
        for file in &project.files {
            by_version
                .entry(file.dist.version())
                .or_default()
                .push(file);
        }
        // Sized up front: a page of thousands of files would otherwise be copied as it grows.
        let estimate: usize = project
            .files
            .iter()
            .map(|file| file.filename.len() + file.url.as_str().len() + 80)
            .sum();
        let mut records = Writer(Vec::with_capacity(estimate));
        let mut table = Vec::with_capacity(by_version.len());
        for (version, files) in &by_version {
            let start = records.0.len();
            for file in files {
                let origin = index_of(&mut origins, &file.origin, Clone::clone);
                let python = file.requires_python.as_ref().map(|specifiers| {
                    index_of(&mut requires_python, &specifiers.to_string(), Clone::clone)
                });
                records.file(file, origin, python);
            }
            let block = &records.0[start..];
            table.push((
                version.to_string(),
                start,
                block.len(),
                files.len(),
                xxh3_64(block),
            ));
        }
        let mut header = Writer::default();
        header.len(origins.len());
        for origin in &origins {
            let (kind, url) = match origin {
                FileOrigin::Index(url) => (0, url.expose().as_str()),
                FileOrigin::FindLinks(url) => (1, url.expose().as_str()),
                FileOrigin::DirectUrl => (2, ""),
            };
            header.u8(kind);
            header.str(url);
        }
        header.len(requires_python.len());
        for specifiers in &requires_python {
            header.str(specifiers);
        }
        header.len(table.len());
        for (version, start, len, count, checksum) in &table {
            header.str(version);
            header.len(*start);
            header.len(*len);
            header.len(*count);
            header.0.extend_from_slice(&checksum.to_le_bytes());
        }
        let mut out = records.0;
        out.extend_from_slice(&header.0);
        out.extend_from_slice(
            &u32::try_from(header.0.len())
                .unwrap_or(u32::MAX)
                .to_le_bytes(),
        );
        out.extend_from_slice(&xxh3_64(&header.0).to_le_bytes());
        out.extend_from_slice(MAGIC);
        out
    }

    /// A project with no files.
    #[must_use]
    pub fn empty(name: PackageName) -> Self {
        Self {
            name,
            source: None,
            versions: Vec::new(),
            versions_text: Arc::from(""),
            origins: Vec::new(),
            requires_python: Vec::new(),
            index_ranks: None,
        }
    }

    /// Reads the header of a page written by [`PackedProject::pack`]; the records stay in
    /// `source` until a version is asked for.
    ///
    /// # Errors
    /// When the header cannot be read, is not of this format, or is damaged.
    pub fn open(name: PackageName, source: Arc<dyn BlockSource>) -> Result<Self, PackError> {
        let total = source.len();
        let tail_len = total.min(FIRST_READ as u64);
        let tail = source.read_at(total - tail_len, usize::try_from(tail_len).unwrap_or(0))?;
        let trailer_start = tail
            .len()
            .checked_sub(TRAILER)
            .ok_or(PackError::Format("truncated"))?;
        let mut trailer = Reader::new(&tail[trailer_start..]);
        let header_len = trailer.len()?;
        let checksum = trailer.u64()?;
        if trailer.take(MAGIC.len())? != MAGIC {
            return Err(PackError::Format("unknown format"));
        }
        let records_len = (total - TRAILER as u64)
            .checked_sub(header_len as u64)
            .ok_or(PackError::Format("header length out of bounds"))?;
        let rest;
        let header = if let Some(start) = trailer_start.checked_sub(header_len) {
            &tail[start..trailer_start]
        } else {
            rest = source.read_at(records_len, header_len)?;
            &rest[..]
        };
        if xxh3_64(header) != checksum {
            return Err(PackError::Format("header checksum mismatch"));
        }
        let mut reader = Reader::new(header);
        let mut origins = Vec::new();
        for _ in 0..reader.len()? {
            let kind = reader.u8()?;
            let url = reader.str()?;
            let parse = || {
                Url::parse(url)
                    .map(RedactedUrl::new)
                    .map_err(|_| PackError::Format("bad origin URL"))
            };
            origins.push(match kind {
                0 => FileOrigin::Index(parse()?),
                1 => FileOrigin::FindLinks(parse()?),
                2 => FileOrigin::DirectUrl,
                _ => return Err(PackError::Format("bad origin kind")),
            });
        }
        let mut requires_python = Vec::new();
        for _ in 0..reader.len()? {
            // Unparseable text was never written (it came from parsed specifiers).
            requires_python.push(VersionSpecifiers::from_str(reader.str()?).ok());
        }
        let count = reader.len()?;
        let mut slots = Vec::with_capacity(count.min(header.len()));
        let mut versions_text = String::new();
        for _ in 0..count {
            let version = reader.str()?;
            let text = (
                u32::try_from(versions_text.len()).map_err(|_| PackError::Format("too long"))?,
                u32::try_from(version.len()).map_err(|_| PackError::Format("too long"))?,
            );
            versions_text.push_str(version);
            let (start, len, count) = (reader.len()?, reader.len()?, reader.len()?);
            let checksum = reader.u64()?;
            let offset = start as u64;
            if offset + len as u64 > records_len {
                return Err(PackError::Format("record range out of bounds"));
            }
            slots.push(VersionSlot {
                text,
                offset,
                len,
                count,
                checksum,
            });
        }
        Ok(Self {
            name,
            source: Some(source),
            versions: slots,
            versions_text: Arc::from(versions_text),
            origins,
            requires_python,
            index_ranks: None,
        })
    }

    /// This page with a rank per version (see [`PackedProject::index_rank`]); `ranks` is in
    /// [`Self::versions`] order, and a version it leaves out has rank 0.
    #[must_use]
    pub fn with_index_ranks(mut self, ranks: Vec<u32>) -> Self {
        self.index_ranks = Some(Arc::from(ranks));
        self
    }

    /// Whether versions are ranked by index (`unsafe-first-match`).
    #[must_use]
    pub fn is_ranked(&self) -> bool {
        self.index_ranks.is_some()
    }

    /// The rank of the index the `index`-th version came from: 0 for the first index, and for
    /// every version of a page that is not ranked.
    #[must_use]
    pub fn index_rank(&self, index: usize) -> u32 {
        self.index_ranks
            .as_ref()
            .and_then(|ranks| ranks.get(index).copied())
            .unwrap_or(0)
    }

    /// The project.
    #[must_use]
    pub fn name(&self) -> &PackageName {
        &self.name
    }

    /// Every version with at least one file, oldest first, as written (not parsed: see
    /// [`PackedProject::version`]).
    pub fn versions(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.versions.iter().map(|slot| self.version_text(slot))
    }

    /// The `index`-th version, parsed; `None` when out of range or unparseable (never written
    /// by `pack`, which wrote parsed versions).
    #[must_use]
    pub fn version(&self, index: usize) -> Option<Version> {
        let slot = self.versions.get(index)?;
        Version::from_str(self.version_text(slot)).ok()
    }

    fn version_text(&self, slot: &VersionSlot) -> &str {
        let (start, len) = (slot.text.0 as usize, slot.text.1 as usize);
        self.versions_text
            .get(start..start + len)
            .unwrap_or_default()
    }

    /// How many files the page lists.
    #[must_use]
    pub fn file_count(&self) -> usize {
        self.versions.iter().map(|slot| slot.count).sum()
    }

    /// The files of the `index`-th version (in [`Self::versions`] order), in listing order.
    ///
    /// # Errors
    /// When the records cannot be read or are damaged (their checksum does not match).
    pub fn files_of(&self, index: usize) -> Result<Vec<IndexFile>, PackError> {
        let (Some(slot), Some(source)) = (self.versions.get(index), &self.source) else {
            return Ok(Vec::new());
        };
        let block = source.read_at(slot.offset, slot.len)?;
        if xxh3_64(&block) != slot.checksum {
            return Err(PackError::Format("records checksum mismatch"));
        }
        let mut reader = Reader::new(&block);
        let mut files = Vec::with_capacity(slot.count);
        for _ in 0..slot.count {
            if let Some(file) = self.read_file(&mut reader)? {
                files.push(file);
            }
        }
        Ok(files)
    }

    /// Every file, grouped by version.
    ///
    /// # Errors
    /// As [`PackedProject::files_of`].
    pub fn unpack(&self) -> Result<ProjectFiles, PackError> {
        let mut files = Vec::with_capacity(self.file_count());
        for index in 0..self.versions.len() {
            files.extend(self.files_of(index)?);
        }
        Ok(ProjectFiles {
            name: self.name.clone(),
            files,
        })
    }

    /// One record; `None` when its contents do not parse (never written by `pack`).
    fn read_file(&self, reader: &mut Reader<'_>) -> Result<Option<IndexFile>, PackError> {
        let filename = reader.str()?;
        let url = reader.str()?;
        let flags = reader.u8()?;
        let sha256 = if flags & HAS_SHA256 != 0 {
            Some(reader.digest()?)
        } else {
            None
        };
        let requires_python = if flags & HAS_REQUIRES_PYTHON != 0 {
            let index = reader.len()?;
            self.requires_python.get(index).cloned().flatten()
        } else {
            None
        };
        let yanked = if flags & YANKED != 0 {
            Yanked::Yes(reader.str()?.to_string())
        } else {
            Yanked::No
        };
        let upload_time = if flags & HAS_UPLOAD_TIME != 0 {
            let seconds = reader.i64()?;
            let nanoseconds = reader.i32()?;
            Timestamp::new(seconds, nanoseconds).ok()
        } else {
            None
        };
        let metadata = if flags & METADATA_ADVERTISED != 0 {
            MetadataAvailability::Advertised(if flags & HAS_METADATA_SHA256 != 0 {
                Some(reader.digest()?)
            } else {
                None
            })
        } else {
            MetadataAvailability::NotAdvertised
        };
        let size = if flags & HAS_SIZE != 0 {
            Some(reader.u64()?)
        } else {
            None
        };
        let provenance = if flags & HAS_PROVENANCE != 0 {
            Some(FileUrl::from_serialized(reader.str()?))
        } else {
            None
        };
        let origin = self
            .origins
            .get(reader.len()?)
            .cloned()
            .ok_or(PackError::Format("bad origin index"))?;
        let Ok(dist) = DistFilename::parse(filename, &self.name) else {
            return Ok(None);
        };
        // Written from a parsed URL; parsed again only if the file is fetched.
        let url = FileUrl::from_serialized(url);
        Ok(Some(IndexFile {
            filename: filename.to_string(),
            dist,
            url,
            sha256,
            requires_python,
            yanked,
            upload_time,
            metadata,
            size,
            origin,
            provenance,
        }))
    }
}

const HAS_SHA256: u8 = 1;
const HAS_REQUIRES_PYTHON: u8 = 1 << 1;
const YANKED: u8 = 1 << 2;
const HAS_UPLOAD_TIME: u8 = 1 << 3;
const METADATA_ADVERTISED: u8 = 1 << 4;
const HAS_METADATA_SHA256: u8 = 1 << 5;
const HAS_SIZE: u8 = 1 << 6;
const HAS_PROVENANCE: u8 = 1 << 7;

/// The position of `value` in `table`, appending it when new. Tables are tiny (a page has one
/// origin and a handful of `Requires-Python` values), so a linear search is the fast choice.
fn index_of<T: PartialEq>(table: &mut Vec<T>, value: &T, clone: impl Fn(&T) -> T) -> usize {
    if let Some(position) = table.iter().position(|known| known == value) {
        return position;
    }
    table.push(clone(value));
    table.len() - 1
}

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, value: u8) {
        self.0.push(value);
    }

    fn len(&mut self, value: usize) {
        // Lengths above 4 GiB cannot occur in a page; saturating keeps the writer total.
        self.0
            .extend_from_slice(&u32::try_from(value).unwrap_or(u32::MAX).to_le_bytes());
    }

    fn str(&mut self, value: &str) {
        self.len(value.len());
        self.0.extend_from_slice(value.as_bytes());
    }

    fn file(&mut self, file: &IndexFile, origin: usize, requires_python: Option<usize>) {
        let mut flags = 0;
        let mut set = |bit, on: bool| {
            if on {
                flags |= bit;
            }
        };
        set(HAS_SHA256, file.sha256.is_some());
        set(HAS_REQUIRES_PYTHON, requires_python.is_some());
        set(YANKED, file.yanked.is_yanked());
        set(HAS_UPLOAD_TIME, file.upload_time.is_some());
        set(
            METADATA_ADVERTISED,
            matches!(file.metadata, MetadataAvailability::Advertised(_)),
        );
        set(
            HAS_METADATA_SHA256,
            matches!(file.metadata, MetadataAvailability::Advertised(Some(_))),
        );
        set(HAS_SIZE, file.size.is_some());
        set(HAS_PROVENANCE, file.provenance.is_some());
        self.str(&file.filename);
        self.str(file.url.as_str());
        self.u8(flags);
        if let Some(digest) = &file.sha256 {
            self.0.extend_from_slice(digest.as_bytes());
        }
        if let Some(index) = requires_python {
            self.len(index);
        }
        if let Yanked::Yes(reason) = &file.yanked {
            self.str(reason);
        }
        if let Some(time) = file.upload_time {
            self.0.extend_from_slice(&time.as_second().to_le_bytes());
            self.0
                .extend_from_slice(&time.subsec_nanosecond().to_le_bytes());
        }
        if let MetadataAvailability::Advertised(Some(digest)) = &file.metadata {
            self.0.extend_from_slice(digest.as_bytes());
        }
        if let Some(size) = file.size {
            self.0.extend_from_slice(&size.to_le_bytes());
        }
        if let Some(provenance) = &file.provenance {
            self.str(provenance.as_str());
        }
        self.len(origin);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, position: 0 }
    }

    fn take(&mut self, count: usize) -> Result<&'a [u8], PackError> {
        let end = self
            .position
            .checked_add(count)
            .filter(|end| *end <= self.bytes.len())
            .ok_or(PackError::Format("truncated"))?;
        let taken = &self.bytes[self.position..end];
        self.position = end;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], PackError> {
        self.take(N)?
            .try_into()
            .map_err(|_| PackError::Format("truncated"))
    }

    fn u8(&mut self) -> Result<u8, PackError> {
        Ok(self.array::<1>()?[0])
    }

    fn len(&mut self) -> Result<usize, PackError> {
        let value = u32::from_le_bytes(self.array()?);
        usize::try_from(value).map_err(|_| PackError::Format("length overflows"))
    }

    fn i32(&mut self) -> Result<i32, PackError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    fn i64(&mut self) -> Result<i64, PackError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, PackError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn str(&mut self) -> Result<&'a str, PackError> {
        let len = self.len()?;
        std::str::from_utf8(self.take(len)?).map_err(|_| PackError::Format("invalid UTF-8"))
    }

    fn digest(&mut self) -> Result<Sha256Digest, PackError> {
        Ok(Sha256Digest::from_bytes(self.array()?))
    }
}

#[cfg(test)]
mod tests;
