//! Finding and parsing a zip's central directory: the end-of-central-directory (EOCD) record
//! at the end of the file (after an optional comment of up to 64 KiB), the ZIP64 locator and
//! record that may precede it, and the central-directory records themselves.
//!
//! Offsets are taken as absolute file offsets: wheels are never self-extracting archives with
//! a prefix, so no prefix adjustment is attempted.

use super::{Chunks, Compression, Reader, ZipEntry};
use crate::metadata::ZipError;

const EOCD_SIGNATURE: u32 = 0x0605_4b50;
const EOCD_LEN: usize = 22;
const MAX_COMMENT_LEN: usize = u16::MAX as usize;
const ZIP64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const ZIP64_LOCATOR_LEN: u64 = 20;
const ZIP64_EOCD_SIGNATURE: u32 = 0x0606_4b50;
const ZIP64_EOCD_LEN: u64 = 56;
const CENTRAL_HEADER_SIGNATURE: u32 = 0x0201_4b50;
const ZIP64_EXTRA_ID: u16 = 0x0001;

/// The largest tail that can hold an EOCD record with the longest comment plus a ZIP64
/// locator: a tail this long always suffices to locate the central directory of a zip32 file.
pub(crate) const MAX_EOCD_SEARCH: u64 = (EOCD_LEN + MAX_COMMENT_LEN) as u64 + ZIP64_LOCATOR_LEN;

/// Where the central directory is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CentralDirectoryLocation {
    /// Offset of its first byte in the file.
    pub offset: u64,
    /// Its length in bytes.
    pub size: u64,
    /// How many entries the EOCD says it has.
    pub entries: u64,
}

impl CentralDirectoryLocation {
    /// One past its last byte.
    #[must_use]
    pub fn end(&self) -> u64 {
        self.offset.saturating_add(self.size)
    }
}

/// Finds the central directory from the last `tail.len()` bytes of a `file_len`-byte file.
///
/// # Errors
/// [`ZipError::NoEndOfCentralDirectory`] when the tail holds no EOCD record,
/// [`ZipError::Incomplete`] when the record (or a ZIP64 record it needs) lies before the tail
/// ([`crate::metadata::PartialWheel`] turns that into a range to fetch), and the corruption
/// errors of [`ZipError`].
pub fn locate_central_directory(
    tail: &[u8],
    file_len: u64,
) -> Result<CentralDirectoryLocation, ZipError> {
    locate(&Chunks::from_tail(tail, file_len)?)
}

/// [`locate_central_directory`] over any chunks; the EOCD must be in the chunk ending the file.
pub(crate) fn locate(chunks: &Chunks<'_>) -> Result<CentralDirectoryLocation, ZipError> {
    let file_len = chunks.file_len();
    let wanted_tail = file_len.saturating_sub(MAX_EOCD_SEARCH);
    let (tail_start, tail) = chunks.tail().ok_or(ZipError::Incomplete {
        start: wanted_tail,
        end: file_len,
    })?;
    let Some(position) = find_eocd(tail) else {
        // The record may sit before a short tail if the comment is long.
        if tail_start > wanted_tail {
            return Err(ZipError::Incomplete {
                start: wanted_tail,
                end: file_len,
            });
        }
        return Err(ZipError::NoEndOfCentralDirectory);
    };
    let eocd_offset = tail_start + position as u64;
    let mut reader = Reader::new(&tail[position + 4..], "end of central directory");
    let disk = reader.u16()?;
    let cd_disk = reader.u16()?;
    let _entries_on_disk = reader.u16()?;
    let entries = reader.u16()?;
    let size = reader.u32()?;
    let offset = reader.u32()?;
    if (disk != 0 && disk != u16::MAX) || (cd_disk != 0 && cd_disk != u16::MAX) {
        return Err(ZipError::MultiDisk);
    }
    let saturated = entries == u16::MAX || size == u32::MAX || offset == u32::MAX;
    let (location, records_start) = match zip64_location(chunks, eocd_offset, saturated)? {
        Some((location, record_offset)) => (location, record_offset),
        None => (
            CentralDirectoryLocation {
                offset: offset.into(),
                size: size.into(),
                entries: entries.into(),
            },
            eocd_offset,
        ),
    };
    if location
        .offset
        .checked_add(location.size)
        .is_none_or(|end| end > records_start)
    {
        return Err(ZipError::OutOfRange {
            what: "central directory",
            start: location.offset,
            end: location.end(),
            file_len,
        });
    }
    Ok(location)
}

/// The position of the EOCD record in `tail`, searching from the end so that a signature
/// inside the comment is not mistaken for it. A record whose comment length reaches exactly to
/// the end wins; failing that (some tools append junk), the last one that fits.
fn find_eocd(tail: &[u8]) -> Option<usize> {
    let last = tail.len().checked_sub(EOCD_LEN)?;
    let first = last.saturating_sub(MAX_COMMENT_LEN);
    let mut fallback = None;
    for position in (first..=last).rev() {
        if tail[position..position + 4] != EOCD_SIGNATURE.to_le_bytes() {
            continue;
        }
        let comment_len = usize::from(u16::from_le_bytes([
            tail[position + 20],
            tail[position + 21],
        ]));
        let end = position + EOCD_LEN + comment_len;
        if end == tail.len() {
            return Some(position);
        }
        if end < tail.len() && fallback.is_none() {
            fallback = Some(position);
        }
    }
    fallback
}

/// Reads the ZIP64 locator before the EOCD and the record it points to, returning the
/// location and the record's offset. Without a locator, `Ok(None)`, unless the EOCD's
/// saturated fields say one is required.
fn zip64_location(
    chunks: &Chunks<'_>,
    eocd_offset: u64,
    required: bool,
) -> Result<Option<(CentralDirectoryLocation, u64)>, ZipError> {
    let Some(locator_offset) = eocd_offset.checked_sub(ZIP64_LOCATOR_LEN) else {
        return if required {
            Err(ZipError::Truncated {
                what: "zip64 end of central directory locator",
            })
        } else {
            Ok(None)
        };
    };
    let locator = match chunks.get("zip64 locator", locator_offset, eocd_offset) {
        Ok(locator) => locator,
        // The record normally sits right before the locator: ask for both at once.
        Err(ZipError::Incomplete { .. }) if required => {
            return Err(ZipError::Incomplete {
                start: locator_offset.saturating_sub(ZIP64_EOCD_LEN),
                end: eocd_offset,
            });
        }
        Err(error) if required => return Err(error),
        Err(_) => return Ok(None),
    };
    let mut reader = Reader::new(locator, "zip64 end of central directory locator");
    if reader.u32()? != ZIP64_LOCATOR_SIGNATURE {
        return if required {
            Err(ZipError::BadSignature {
                what: "zip64 end of central directory locator",
                offset: locator_offset,
            })
        } else {
            Ok(None)
        };
    }
    let _record_disk = reader.u32()?;
    let record_offset = reader.u64()?;
    let disks = reader.u32()?;
    if disks > 1 {
        return Err(ZipError::MultiDisk);
    }
    let record_end = record_offset
        .checked_add(ZIP64_EOCD_LEN)
        .filter(|end| *end <= locator_offset)
        .ok_or(ZipError::OutOfRange {
            what: "zip64 end of central directory",
            start: record_offset,
            end: record_offset.saturating_add(ZIP64_EOCD_LEN),
            file_len: chunks.file_len(),
        })?;
    let record = chunks.get("zip64 end of central directory", record_offset, record_end)?;
    let mut reader = Reader::new(record, "zip64 end of central directory");
    if reader.u32()? != ZIP64_EOCD_SIGNATURE {
        return Err(ZipError::BadSignature {
            what: "zip64 end of central directory",
            offset: record_offset,
        });
    }
    let _record_size = reader.u64()?;
    let _made_by = reader.u16()?;
    let _needed = reader.u16()?;
    let disk = reader.u32()?;
    let cd_disk = reader.u32()?;
    if disk != 0 || cd_disk != 0 {
        return Err(ZipError::MultiDisk);
    }
    let _entries_on_disk = reader.u64()?;
    let entries = reader.u64()?;
    let size = reader.u64()?;
    let offset = reader.u64()?;
    Ok(Some((
        CentralDirectoryLocation {
            offset,
            size,
            entries,
        },
        record_offset,
    )))
}

/// Parses central-directory records until the bytes run out (or stop being records).
///
/// # Errors
/// When the first record's signature is wrong or a record is cut short.
pub fn parse_central_directory(bytes: &[u8]) -> Result<Vec<ZipEntry>, ZipError> {
    let mut entries: Vec<ZipEntry> = Vec::new();
    let mut names = std::collections::HashSet::new();
    let mut rest = bytes;
    while rest.len() >= 4 {
        if rest[..4] != CENTRAL_HEADER_SIGNATURE.to_le_bytes() {
            if entries.is_empty() {
                return Err(ZipError::BadSignature {
                    what: "central directory header",
                    offset: 0,
                });
            }
            break;
        }
        let (entry, used) = parse_record(rest)?;
        // Which of two same-named members a reader takes differs between readers (uv
        // refuses such archives for that reason, #15136).
        if !names.insert(entry.name.clone()) {
            return Err(ZipError::DuplicateName { name: entry.name });
        }
        entries.push(entry);
        rest = &rest[used..];
    }
    Ok(entries)
}

/// One record and its length.
fn parse_record(bytes: &[u8]) -> Result<(ZipEntry, usize), ZipError> {
    let mut reader = Reader::new(bytes, "central directory header");
    let _signature = reader.u32()?;
    let _made_by = reader.u16()?;
    let _needed = reader.u16()?;
    let flags = reader.u16()?;
    let method = reader.u16()?;
    let _time = reader.u16()?;
    let _date = reader.u16()?;
    let crc32 = reader.u32()?;
    let mut compressed_size = u64::from(reader.u32()?);
    let mut uncompressed_size = u64::from(reader.u32()?);
    let name_len = usize::from(reader.u16()?);
    let extra_len = usize::from(reader.u16()?);
    let comment_len = usize::from(reader.u16()?);
    let _disk_start = reader.u16()?;
    let _internal = reader.u16()?;
    let _external = reader.u32()?;
    let mut local_header_offset = u64::from(reader.u32()?);
    // Names are UTF-8 when flag bit 11 is set and CP437 otherwise; wheel member names are
    // ASCII in practice, so a lossy UTF-8 decode serves both.
    let name = String::from_utf8_lossy(reader.take(name_len)?).into_owned();
    let extra = reader.take(extra_len)?;
    reader.take(comment_len)?;

    // The ZIP64 extra field holds, in this order, only the values saturated above.
    let mut fields = extra_fields(extra);
    if let Some(mut zip64) = fields
        .find(|(id, _)| *id == ZIP64_EXTRA_ID)
        .map(|(_, data)| Reader::new(data, "zip64 extra field"))
    {
        for value in [
            &mut uncompressed_size,
            &mut compressed_size,
            &mut local_header_offset,
        ] {
            if *value == u64::from(u32::MAX) {
                *value = zip64.u64()?;
            }
        }
    }
    let entry = ZipEntry {
        name,
        compression: Compression::from_method(method),
        compressed_size,
        uncompressed_size,
        local_header_offset,
        crc32,
        encrypted: flags & 1 != 0,
    };
    Ok((entry, reader.position()))
}

/// `(header id, data)` pairs of an extra field; a malformed tail is ignored, since only the
/// ZIP64 field matters and writers put it first.
fn extra_fields(mut extra: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let mut reader = Reader::new(extra, "extra field");
        let id = reader.u16().ok()?;
        let len = usize::from(reader.u16().ok()?);
        let data = reader.take(len).ok()?;
        extra = &extra[reader.position()..];
        Some((id, data))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::test_support::{ZipMember, build_zip};

    fn members() -> Vec<ZipMember> {
        vec![
            ZipMember::deflated("pkg/__init__.py", b"print('hello')\n".repeat(50)),
            ZipMember::stored(
                "pkg-1.0.dist-info/METADATA",
                b"Metadata-Version: 2.1\n".to_vec(),
            ),
        ]
    }

    #[test]
    fn locates_and_parses_with_and_without_comment() {
        for comment in ["", "a comment with PK\u{5}\u{6} inside it"] {
            let bytes = build_zip(&members(), comment, false);
            let location = locate_central_directory(&bytes, bytes.len() as u64).unwrap();
            assert_eq!(location.entries, 2);
            let cd = &bytes[location.offset as usize..location.end() as usize];
            let entries = parse_central_directory(cd).unwrap();
            let names: Vec<&str> = entries.iter().map(|entry| entry.name.as_str()).collect();
            assert_eq!(names, ["pkg/__init__.py", "pkg-1.0.dist-info/METADATA"]);
            assert_eq!(entries[0].compression, Compression::Deflated);
            assert_eq!(entries[0].uncompressed_size, 750);
            assert!(entries[0].compressed_size < 750);
            assert_eq!(entries[1].compression, Compression::Stored);
            assert_eq!(entries[1].compressed_size, 22);
            assert_eq!(entries[0].local_header_offset, 0);
            assert!(entries[1].local_header_offset > entries[0].compressed_size);
        }
    }

    #[test]
    fn reads_zip64_records_and_extra_fields() {
        let bytes = build_zip(&members(), "zip64 archive", true);
        let location = locate_central_directory(&bytes, bytes.len() as u64).unwrap();
        let cd = &bytes[location.offset as usize..location.end() as usize];
        // The writer really used ZIP64: saturated sizes in the records, a locator before the EOCD.
        assert_eq!(cd[20..28], [0xff; 8]);
        let locator = bytes.len() - 22 - "zip64 archive".len() - 20;
        assert_eq!(
            bytes[locator..locator + 4],
            ZIP64_LOCATOR_SIGNATURE.to_le_bytes()
        );
        let entries = parse_central_directory(cd).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].uncompressed_size, 22);
        assert_eq!(entries[0].uncompressed_size, 750);
    }

    #[test]
    fn a_short_tail_asks_for_more_or_fails() {
        let bytes = build_zip(&members(), &"c".repeat(300), false);
        let len = bytes.len() as u64;
        // The EOCD is 322 bytes from the end; a 100-byte tail cannot hold it.
        let error = locate_central_directory(&bytes[bytes.len() - 100..], len).unwrap_err();
        assert!(
            matches!(error, ZipError::Incomplete { start: 0, end } if end == len),
            "{error:?}"
        );
        // A whole file with no EOCD is not a zip.
        let error = locate_central_directory(b"definitely not a zip file at all", 32).unwrap_err();
        assert!(matches!(error, ZipError::NoEndOfCentralDirectory));
    }

    #[test]
    fn corrupt_directories_are_errors_not_panics() {
        let bytes = build_zip(&members(), "", false);
        let location = locate_central_directory(&bytes, bytes.len() as u64).unwrap();
        let cd = &bytes[location.offset as usize..location.end() as usize];
        for cut in 0..cd.len() {
            // Any prefix parses to fewer entries or fails cleanly.
            let _ = parse_central_directory(&cd[..cut]);
        }
        assert!(matches!(
            parse_central_directory(b"garbage!"),
            Err(ZipError::BadSignature { .. })
        ));
        // An EOCD pointing past itself.
        let mut broken = bytes.clone();
        let eocd = broken.len() - 22;
        broken[eocd + 16..eocd + 20].copy_from_slice(&u32::MAX.wrapping_sub(5).to_le_bytes());
        assert!(matches!(
            locate_central_directory(&broken, broken.len() as u64),
            Err(ZipError::OutOfRange { .. })
        ));
        // A tail longer than the file.
        assert!(locate_central_directory(&bytes, 3).is_err());
        // Every truncation of the file fails or succeeds without panicking.
        for cut in 0..bytes.len() {
            let _ = locate_central_directory(&bytes[cut..], bytes.len() as u64);
            let _ = locate_central_directory(&bytes[..cut], cut as u64);
        }
    }
}
