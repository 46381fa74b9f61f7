//! A project's file list in a compact binary form, grouped by version, that opens without
//! parsing its files.
//!
//! An index page lists every file of every version (tornado: 766 files, 330 KB of JSON), while a
//! resolve looks at one or two versions of most projects. Parsing the whole page on every warm
//! run was most of a warm resolve (URL parsing, hex digests, file names). So the cache keeps
//! pages *packed*: a header with the sorted, distinct versions, each pointing at the byte range
//! of its files' records. [`PackedProject::open`] reads the header only; the records of a version
//! are decoded when someone asks for them ([`PackedProject::files_of`]).
//!
//! The format is private to this file and versioned by its magic bytes; the cache key carries a
//! version too. Every length is checked when the header is read, so decoding a record can only
//! fail on data that was never written by [`PackedProject::pack`] — such records are skipped.

use std::collections::BTreeMap;
use std::str::FromStr;

use jiff::Timestamp;
use url::Url;

use super::{
    DistFilename, FileOrigin, IndexFile, MetadataAvailability, PackageName, ProjectFiles,
    RedactedUrl, Sha256Digest, Version, VersionSpecifiers, Yanked,
};

/// Identifies the format: bump the last byte on any change.
const MAGIC: &[u8; 8] = b"PWPACK\x00\x01";

/// Why packed bytes could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("packed project page is unreadable: {0}")]
pub struct PackError(&'static str);

/// One version's slice of the records.
#[derive(Clone, Debug)]
struct VersionSlot {
    version: Version,
    /// Byte range of its records in `bytes`.
    start: usize,
    end: usize,
    count: usize,
}

/// A project's files, packed. Cheap to open, decoded a version at a time.
#[derive(Clone, Debug)]
pub struct PackedProject {
    name: PackageName,
    bytes: Vec<u8>,
    versions: Vec<VersionSlot>,
    origins: Vec<FileOrigin>,
    requires_python: Vec<Option<VersionSpecifiers>>,
}

impl PackedProject {
    /// Packs `project`'s files, grouped by version (oldest first); files keep their relative
    /// order within a version.
    #[must_use]
    pub fn pack(project: &ProjectFiles) -> Self {
        let mut origins: Vec<FileOrigin> = Vec::new();
        let mut requires_python: Vec<String> = Vec::new();
        let mut by_version: BTreeMap<&Version, Vec<&IndexFile>> = BTreeMap::new();
        for file in &project.files {
            by_version
                .entry(file.dist.version())
                .or_default()
                .push(file);
        }
        let mut records = Writer::default();
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
            table.push((version.to_string(), start, records.0.len(), files.len()));
        }
        let mut out = Writer::default();
        out.0.extend_from_slice(MAGIC);
        out.len(origins.len());
        for origin in &origins {
            let (kind, url) = match origin {
                FileOrigin::Index(url) => (0, url.expose().as_str()),
                FileOrigin::FindLinks(url) => (1, url.expose().as_str()),
                FileOrigin::DirectUrl => (2, ""),
            };
            out.u8(kind);
            out.str(url);
        }
        out.len(requires_python.len());
        for specifiers in &requires_python {
            out.str(specifiers);
        }
        out.len(table.len());
        for (version, start, end, count) in &table {
            out.str(version);
            out.len(*start);
            out.len(*end);
            out.len(*count);
        }
        out.0.extend_from_slice(&records.0);
        let bytes = out.0;
        // Reading back what was just written cannot fail; the fallback keeps `pack` total.
        Self::open(project.name.clone(), bytes)
            .unwrap_or_else(|_| Self::empty(project.name.clone()))
    }

    /// A project with no files.
    #[must_use]
    pub fn empty(name: PackageName) -> Self {
        Self {
            name,
            bytes: Vec::new(),
            versions: Vec::new(),
            origins: Vec::new(),
            requires_python: Vec::new(),
        }
    }

    /// Reads the header of bytes written by [`PackedProject::pack`] (see [`Self::as_bytes`]).
    ///
    /// # Errors
    /// When the bytes are not a packed page of this format.
    pub fn open(name: PackageName, bytes: Vec<u8>) -> Result<Self, PackError> {
        let mut reader = Reader::new(&bytes);
        if reader.take(MAGIC.len())? != MAGIC {
            return Err(PackError("unknown format"));
        }
        let mut origins = Vec::new();
        for _ in 0..reader.len()? {
            let kind = reader.u8()?;
            let url = reader.str()?;
            let parse = || {
                Url::parse(url)
                    .map(RedactedUrl::new)
                    .map_err(|_| PackError("bad origin URL"))
            };
            origins.push(match kind {
                0 => FileOrigin::Index(parse()?),
                1 => FileOrigin::FindLinks(parse()?),
                2 => FileOrigin::DirectUrl,
                _ => return Err(PackError("bad origin kind")),
            });
        }
        let mut requires_python = Vec::new();
        for _ in 0..reader.len()? {
            // Unparseable text was never written (it came from parsed specifiers).
            requires_python.push(VersionSpecifiers::from_str(reader.str()?).ok());
        }
        let count = reader.len()?;
        let mut slots = Vec::with_capacity(count.min(bytes.len()));
        for _ in 0..count {
            let version = Version::from_str(reader.str()?).map_err(|_| PackError("bad version"))?;
            let (start, end, count) = (reader.len()?, reader.len()?, reader.len()?);
            slots.push(VersionSlot {
                version,
                start,
                end,
                count,
            });
        }
        let base = reader.position;
        for slot in &mut slots {
            slot.start += base;
            slot.end += base;
            if slot.start > slot.end || slot.end > bytes.len() {
                return Err(PackError("record range out of bounds"));
            }
        }
        if slots
            .windows(2)
            .any(|pair| pair[0].version >= pair[1].version)
        {
            return Err(PackError("versions out of order"));
        }
        Ok(Self {
            name,
            bytes,
            versions: slots,
            origins,
            requires_python,
        })
    }

    /// The bytes to store; [`PackedProject::open`] reads them back.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The project.
    #[must_use]
    pub fn name(&self) -> &PackageName {
        &self.name
    }

    /// Every version with at least one file, oldest first.
    pub fn versions(&self) -> impl DoubleEndedIterator<Item = &Version> + ExactSizeIterator {
        self.versions.iter().map(|slot| &slot.version)
    }

    /// How many files the page lists.
    #[must_use]
    pub fn file_count(&self) -> usize {
        self.versions.iter().map(|slot| slot.count).sum()
    }

    /// The files of the `index`-th version (in [`Self::versions`] order), in listing order.
    #[must_use]
    pub fn files_of(&self, index: usize) -> Vec<IndexFile> {
        let Some(slot) = self.versions.get(index) else {
            return Vec::new();
        };
        let mut reader = Reader::new(&self.bytes[slot.start..slot.end]);
        let mut files = Vec::with_capacity(slot.count);
        for _ in 0..slot.count {
            match self.read_file(&mut reader) {
                Ok(Some(file)) => files.push(file),
                Ok(None) => {}
                Err(error) => {
                    tracing::debug!("{}: {error}", self.name);
                    break;
                }
            }
        }
        files
    }

    /// Every file, grouped by version.
    #[must_use]
    pub fn unpack(&self) -> ProjectFiles {
        ProjectFiles {
            name: self.name.clone(),
            files: (0..self.versions.len())
                .flat_map(|index| self.files_of(index))
                .collect(),
        }
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
        let origin = self
            .origins
            .get(reader.len()?)
            .cloned()
            .ok_or(PackError("bad origin index"))?;
        let (Ok(dist), Ok(url)) = (DistFilename::parse(filename, &self.name), Url::parse(url))
        else {
            return Ok(None);
        };
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
            .ok_or(PackError("truncated"))?;
        let taken = &self.bytes[self.position..end];
        self.position = end;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], PackError> {
        self.take(N)?.try_into().map_err(|_| PackError("truncated"))
    }

    fn u8(&mut self) -> Result<u8, PackError> {
        Ok(self.array::<1>()?[0])
    }

    fn len(&mut self) -> Result<usize, PackError> {
        let value = u32::from_le_bytes(self.array()?);
        usize::try_from(value).map_err(|_| PackError("length overflows"))
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
        std::str::from_utf8(self.take(len)?).map_err(|_| PackError("invalid UTF-8"))
    }

    fn digest(&mut self) -> Result<Sha256Digest, PackError> {
        Ok(Sha256Digest::from_bytes(self.array()?))
    }
}

#[cfg(test)]
mod tests;
