//! Reading one member: its local header (whose name and extra lengths may differ from the
//! central directory's), then its data, stored or inflated, checked against the central
//! directory's size and CRC-32.
//!
//! Sizes always come from the central directory: local headers of streamed members (flag bit
//! 3) carry zeros and put the real values in a data descriptor after the data.

use std::io::Read;

use flate2::Crc;
use flate2::read::DeflateDecoder;

use super::{Compression, Reader, ZipEntry};
use crate::metadata::ZipError;

const LOCAL_HEADER_SIGNATURE: u32 = 0x0403_4b50;
/// Length of the fixed part of a local header.
pub(crate) const LOCAL_HEADER_LEN: u64 = 30;

/// The most one member may inflate to (64 MiB): far more than any `METADATA`, and a bound on
/// what a zip bomb can make pinwheel allocate.
pub const MAX_ENTRY_SIZE: u64 = 64 * 1024 * 1024;

/// Where `entry`'s data starts and ends in the file, given at least the first
/// [`LOCAL_HEADER_LEN`] bytes of its local header.
pub(crate) fn local_entry_end(header: &[u8], entry: &ZipEntry) -> Result<(u64, u64), ZipError> {
    let data_offset = data_offset(header, entry)?;
    let start = entry.local_header_offset.saturating_add(data_offset as u64);
    Ok((start, start.saturating_add(entry.compressed_size)))
}

/// A local header's fixed part.
struct LocalHeader {
    flags: u16,
    method: u16,
    crc32: u32,
    compressed_size: u32,
    uncompressed_size: u32,
    name_len: usize,
    extra_len: usize,
}

impl LocalHeader {
    /// Flag bit 3: CRC and sizes follow the data in a descriptor; the header has zeros.
    const DATA_DESCRIPTOR: u16 = 1 << 3;

    /// Reads the fixed part, checking the signature.
    fn parse(header: &[u8], entry: &ZipEntry) -> Result<Self, ZipError> {
        let mut reader = Reader::new(header, "local file header");
        if reader.u32()? != LOCAL_HEADER_SIGNATURE {
            return Err(ZipError::BadSignature {
                what: "local file header",
                offset: entry.local_header_offset,
            });
        }
        let _needed = reader.u16()?;
        let flags = reader.u16()?;
        let method = reader.u16()?;
        let _time = reader.u16()?;
        let _date = reader.u16()?;
        Ok(Self {
            flags,
            method,
            crc32: reader.u32()?,
            compressed_size: reader.u32()?,
            uncompressed_size: reader.u32()?,
            name_len: usize::from(reader.u16()?),
            extra_len: usize::from(reader.u16()?),
        })
    }

    /// Where the data starts, from the start of the header.
    fn data_offset(&self) -> usize {
        LOCAL_HEADER_LEN as usize + self.name_len + self.extra_len
    }

    /// Checks that the header (whose name follows it in `local`) says what the central
    /// directory says of `entry`: a reader that streams local headers would otherwise see
    /// another file than one that reads the directory (uv refuses these too, #15136).
    fn check_against(&self, local: &[u8], entry: &ZipEntry) -> Result<(), ZipError> {
        let mismatch = |field| ZipError::LocalHeaderMismatch {
            name: entry.name.clone(),
            field,
        };
        let name = local
            .get(LOCAL_HEADER_LEN as usize..LOCAL_HEADER_LEN as usize + self.name_len)
            .ok_or(ZipError::Truncated {
                what: "local file header",
            })?;
        if String::from_utf8_lossy(name) != entry.name {
            return Err(mismatch("name"));
        }
        if self.method != entry.compression.method() {
            return Err(mismatch("compression method"));
        }
        if self.flags & Self::DATA_DESCRIPTOR == 0 {
            if self.crc32 != entry.crc32 {
                return Err(mismatch("CRC-32"));
            }
            // ZIP64 members carry 0xFFFFFFFF here and their sizes in an extra field.
            let differs =
                |local: u32, central: u64| local != u32::MAX && u64::from(local) != central;
            if differs(self.compressed_size, entry.compressed_size)
                || differs(self.uncompressed_size, entry.uncompressed_size)
            {
                return Err(mismatch("size"));
            }
        }
        Ok(())
    }
}

/// Checks the local header's signature and returns the offset of the data from its start.
fn data_offset(header: &[u8], entry: &ZipEntry) -> Result<usize, ZipError> {
    Ok(LocalHeader::parse(header, entry)?.data_offset())
}

/// Reads `entry` from `local`, which starts at the entry's local header and holds at least its
/// data.
///
/// # Errors
/// When the header or data is cut short or corrupt, the member is encrypted, uses another
/// compression method, is larger than [`MAX_ENTRY_SIZE`], or does not match its size or CRC.
pub fn read_entry(local: &[u8], entry: &ZipEntry) -> Result<Vec<u8>, ZipError> {
    let name = || entry.name.clone();
    if entry.encrypted {
        return Err(ZipError::Encrypted { name: name() });
    }
    if entry.uncompressed_size > MAX_ENTRY_SIZE {
        return Err(ZipError::TooLarge {
            name: name(),
            size: entry.uncompressed_size,
            limit: MAX_ENTRY_SIZE,
        });
    }
    let header = LocalHeader::parse(local, entry)?;
    header.check_against(local, entry)?;
    let data_offset = header.data_offset();
    let compressed_size = usize::try_from(entry.compressed_size)
        .map_err(|_| ZipError::Truncated { what: "entry data" })?;
    let data = local
        .get(data_offset..)
        .and_then(|rest| rest.get(..compressed_size))
        .ok_or(ZipError::Truncated { what: "entry data" })?;
    // Deflate cannot expand data more than about 1032:1, so a size declared beyond that is a
    // lie, and need not be allocated up front; the size check above bounds the rest.
    let plausible = entry
        .uncompressed_size
        .min(entry.compressed_size.saturating_mul(1032));
    let expected = usize::try_from(plausible).unwrap_or(0);
    let contents = match entry.compression {
        Compression::Stored => data.to_vec(),
        Compression::Deflated => {
            let mut contents = Vec::with_capacity(expected);
            // Reading one byte past the declared size is enough to detect a lie without
            // letting a bomb inflate further.
            DeflateDecoder::new(data)
                .take(entry.uncompressed_size + 1)
                .read_to_end(&mut contents)
                .map_err(|source| ZipError::Inflate {
                    name: name(),
                    source,
                })?;
            contents
        }
        Compression::Other(method) => {
            return Err(ZipError::UnsupportedCompression {
                name: name(),
                method,
            });
        }
    };
    if contents.len() as u64 != entry.uncompressed_size {
        return Err(ZipError::SizeMismatch {
            name: name(),
            expected: entry.uncompressed_size,
            actual: contents.len() as u64,
        });
    }
    let mut crc = Crc::new();
    crc.update(&contents);
    if crc.sum() != entry.crc32 {
        return Err(ZipError::CrcMismatch { name: name() });
    }
    Ok(contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::test_support::{ZipMember, build_zip};
    use crate::metadata::zipfile::{locate_central_directory, parse_central_directory};

    fn entries(bytes: &[u8]) -> Vec<ZipEntry> {
        let location = locate_central_directory(bytes, bytes.len() as u64).unwrap();
        parse_central_directory(&bytes[location.offset as usize..location.end() as usize]).unwrap()
    }

    #[test]
    fn reads_stored_and_deflated_members() {
        let text = b"Requires-Dist: six\n".repeat(100);
        for (member, zip64) in [
            (ZipMember::stored("a/METADATA", text.clone()), false),
            (ZipMember::deflated("a/METADATA", text.clone()), false),
            (ZipMember::deflated("a/METADATA", text.clone()), true),
        ] {
            let bytes = build_zip(
                &[ZipMember::stored("first.txt", b"x".to_vec()), member],
                "",
                zip64,
            );
            let entries = entries(&bytes);
            let entry = &entries[1];
            let local = &bytes[entry.local_header_offset as usize..];
            assert_eq!(read_entry(local, entry).unwrap(), text);
            let (start, end) = local_entry_end(local, entry).unwrap();
            assert_eq!(end - start, entry.compressed_size);
            assert!(start > entry.local_header_offset + LOCAL_HEADER_LEN);
        }
    }

    /// `bytes` with the first occurrence of `from` (at or after `start`) replaced by `to`.
    fn patched(bytes: &[u8], start: usize, from: &[u8], to: &[u8]) -> Vec<u8> {
        let at = start
            + bytes[start..]
                .windows(from.len())
                .position(|window| window == from)
                .unwrap();
        let mut out = bytes.to_vec();
        out[at..at + to.len()].copy_from_slice(to);
        out
    }

    /// A member two readers would see differently is refused, naming it and what differs:
    /// the local header's name, compression method, CRC-32 or size against the directory's.
    #[test]
    fn a_local_header_that_contradicts_the_directory_is_refused() {
        let bytes = build_zip(&[ZipMember::stored("m1", b"contents".to_vec())], "", false);
        let entry = entries(&bytes).remove(0);
        assert_eq!(read_entry(&bytes, &entry).unwrap(), b"contents");
        let method = {
            let mut out = bytes.clone();
            out[8..10].copy_from_slice(&8u16.to_le_bytes());
            out
        };
        let crc = {
            let mut out = bytes.clone();
            out[14] ^= 1;
            out
        };
        let size = {
            let mut out = bytes.clone();
            out[22] ^= 1;
            out
        };
        for (damaged, field) in [
            (patched(&bytes, 0, b"m1", b"m2"), "name"),
            (method, "compression method"),
            (crc, "CRC-32"),
            (size, "size"),
        ] {
            let error = read_entry(&damaged, &entry).unwrap_err();
            assert!(
                matches!(&error, ZipError::LocalHeaderMismatch { name, field: found }
                    if name == "m1" && *found == field),
                "{field}: {error}"
            );
            assert!(error.to_string().contains("`m1`"), "{error}");
        }
    }

    /// Two members of one name: which one counts depends on the reader.
    #[test]
    fn duplicate_names_are_refused() {
        let bytes = build_zip(
            &[
                ZipMember::stored("dup1", b"one".to_vec()),
                ZipMember::stored("dup2", b"two".to_vec()),
            ],
            "",
            false,
        );
        // Rename the second member to the first's name, in its local header and its
        // directory record.
        let second_local = patched(&bytes, 40, b"dup2", b"dup1");
        let location = locate_central_directory(&bytes, bytes.len() as u64).unwrap();
        let both = patched(&second_local, location.offset as usize, b"dup2", b"dup1");
        let directory = &both[location.offset as usize..location.end() as usize];
        let error = parse_central_directory(directory).unwrap_err();
        assert!(
            matches!(&error, ZipError::DuplicateName { name } if name == "dup1"),
            "{error}"
        );
        assert!(
            error.to_string().contains("two members named `dup1`"),
            "{error}"
        );
    }

    #[test]
    fn rejects_lies_and_damage() {
        let text = b"hello hello hello hello".to_vec();
        let bytes = build_zip(&[ZipMember::deflated("m", text)], "", false);
        let entry = entries(&bytes).remove(0);
        // With a data descriptor (flag bit 3) the local header carries no CRC or sizes, so
        // only the data itself can contradict the directory: these cases test those checks.
        let mut streamed = bytes.clone();
        streamed[6] |= 1 << 3;
        let local = &streamed[..];
        let cases: Vec<(ZipEntry, &str)> = vec![
            (
                ZipEntry {
                    uncompressed_size: 5,
                    ..entry.clone()
                },
                "is 6 bytes uncompressed but declares 5",
            ),
            (
                ZipEntry {
                    crc32: entry.crc32 ^ 1,
                    ..entry.clone()
                },
                "fails its CRC-32 check",
            ),
            (
                ZipEntry {
                    encrypted: true,
                    ..entry.clone()
                },
                "is encrypted",
            ),
            (
                ZipEntry {
                    compression: Compression::Other(12),
                    ..entry.clone()
                },
                "gives another compression method",
            ),
            (
                ZipEntry {
                    uncompressed_size: MAX_ENTRY_SIZE + 1,
                    ..entry.clone()
                },
                "limit",
            ),
            (
                ZipEntry {
                    compressed_size: 10_000,
                    ..entry.clone()
                },
                "truncated zip entry data",
            ),
            (
                ZipEntry {
                    local_header_offset: 1,
                    ..entry.clone()
                },
                "bad zip local file header signature at byte 1",
            ),
        ];
        for (bad, message) in cases {
            let local = if bad.local_header_offset == 1 {
                &local[1..]
            } else {
                local
            };
            let error = read_entry(local, &bad).unwrap_err().to_string();
            assert!(error.contains(message), "{error} should contain {message}");
        }
        // A method both the header and the directory give, that pinwheel cannot read.
        let mut method_12 = streamed.clone();
        method_12[8..10].copy_from_slice(&12u16.to_le_bytes());
        let other = ZipEntry {
            compression: Compression::Other(12),
            ..entry.clone()
        };
        let error = read_entry(&method_12, &other).unwrap_err().to_string();
        assert!(
            error.contains("unsupported compression method 12"),
            "{error}"
        );
        // Garbage where deflate data should be.
        let mut corrupt = bytes.clone();
        let (start, _) = local_entry_end(&bytes, &entry).unwrap();
        corrupt[start as usize] = 0xff;
        assert!(read_entry(&corrupt, &entry).is_err());
    }
}
