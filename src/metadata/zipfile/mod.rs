//! A minimal, read-only zip reader: enough to find one member of a wheel or zip sdist and
//! inflate it, working from *parts* of the file so that HTTP range requests can fetch only the
//! end-of-central-directory, the central directory and one member.
//!
//! It supports stored and deflated members and ZIP64, and rejects multi-disk and encrypted
//! archives. It never writes archives, never touches the file system and never allocates more
//! than [`MAX_ENTRY_SIZE`] for one member, whatever the archive claims.

mod directory;
mod entry;

pub use directory::{CentralDirectoryLocation, locate_central_directory, parse_central_directory};
pub use entry::{MAX_ENTRY_SIZE, read_entry};

pub(crate) use directory::locate;
pub(crate) use entry::{LOCAL_HEADER_LEN, local_entry_end};

use super::ZipError;

/// How a member's data is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Method 0: the bytes as they are.
    Stored,
    /// Method 8: raw deflate.
    Deflated,
    /// Any other method (bzip2, lzma, zstd, …): listed, but not readable.
    Other(u16),
}

impl Compression {
    /// The method number the zip format stores.
    fn method(self) -> u16 {
        match self {
            Self::Stored => 0,
            Self::Deflated => 8,
            Self::Other(method) => method,
        }
    }

    fn from_method(method: u16) -> Self {
        match method {
            0 => Self::Stored,
            8 => Self::Deflated,
            other => Self::Other(other),
        }
    }
}

/// One central-directory record: what is needed to find and read a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipEntry {
    /// The member's path inside the archive (UTF-8, invalid bytes replaced).
    pub name: String,
    /// How the data is compressed.
    pub compression: Compression,
    /// Size of the stored data.
    pub compressed_size: u64,
    /// Size once decompressed.
    pub uncompressed_size: u64,
    /// Offset of the member's local header from the start of the file.
    pub local_header_offset: u64,
    /// CRC-32 of the uncompressed data.
    pub crc32: u32,
    /// Whether general-purpose flag bit 0 (encryption) is set.
    pub encrypted: bool,
}

/// Some byte ranges of a file of known length, e.g. its tail plus whatever range requests
/// fetched since. Lookups must fall inside a single chunk; a missing range is reported as
/// [`ZipError::Incomplete`] naming exactly what to fetch.
#[derive(Debug)]
pub(crate) struct Chunks<'a> {
    file_len: u64,
    chunks: Vec<(u64, &'a [u8])>,
}

impl<'a> Chunks<'a> {
    /// Chunks as `(offset in the file, bytes)` pairs.
    pub(crate) fn new(file_len: u64, chunks: Vec<(u64, &'a [u8])>) -> Self {
        Self { file_len, chunks }
    }

    /// The last `tail.len()` bytes of a file of `file_len` bytes.
    ///
    /// # Errors
    /// When the tail is longer than the file.
    pub(crate) fn from_tail(tail: &'a [u8], file_len: u64) -> Result<Self, ZipError> {
        let start = file_len
            .checked_sub(tail.len() as u64)
            .ok_or(ZipError::OutOfRange {
                what: "tail",
                start: 0,
                end: tail.len() as u64,
                file_len,
            })?;
        Ok(Self::new(file_len, vec![(start, tail)]))
    }

    /// The whole file.
    pub(crate) fn whole(bytes: &'a [u8]) -> Self {
        Self::new(bytes.len() as u64, vec![(0, bytes)])
    }

    /// The file's length.
    pub(crate) fn file_len(&self) -> u64 {
        self.file_len
    }

    /// The longest chunk that ends at the end of the file, with its offset.
    pub(crate) fn tail(&self) -> Option<(u64, &'a [u8])> {
        self.chunks
            .iter()
            .filter(|(start, bytes)| start.checked_add(bytes.len() as u64) == Some(self.file_len))
            .min_by_key(|(start, _)| *start)
            .copied()
    }

    /// Bytes `start..end` of the file.
    ///
    /// # Errors
    /// [`ZipError::OutOfRange`] when the range is not inside the file (so a corrupt offset
    /// never turns into a request for nonsense), [`ZipError::Incomplete`] when no chunk holds
    /// all of it.
    pub(crate) fn get(
        &self,
        what: &'static str,
        start: u64,
        end: u64,
    ) -> Result<&'a [u8], ZipError> {
        if start > end || end > self.file_len {
            return Err(ZipError::OutOfRange {
                what,
                start,
                end,
                file_len: self.file_len,
            });
        }
        for (chunk_start, bytes) in &self.chunks {
            let chunk_end = chunk_start.saturating_add(bytes.len() as u64);
            if *chunk_start <= start && end <= chunk_end {
                let from = usize::try_from(start - chunk_start)
                    .map_err(|_| ZipError::Truncated { what })?;
                let to =
                    usize::try_from(end - chunk_start).map_err(|_| ZipError::Truncated { what })?;
                return bytes.get(from..to).ok_or(ZipError::Truncated { what });
            }
        }
        Err(ZipError::Incomplete { start, end })
    }
}

/// Little-endian field reader over one record; running off the end is [`ZipError::Truncated`].
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Self {
            bytes,
            position: 0,
            what,
        }
    }

    pub(crate) fn position(&self) -> usize {
        self.position
    }

    pub(crate) fn take(&mut self, len: usize) -> Result<&'a [u8], ZipError> {
        let end = self
            .position
            .checked_add(len)
            .ok_or(ZipError::Truncated { what: self.what })?;
        let slice = self
            .bytes
            .get(self.position..end)
            .ok_or(ZipError::Truncated { what: self.what })?;
        self.position = end;
        Ok(slice)
    }

    pub(crate) fn u16(&mut self) -> Result<u16, ZipError> {
        let bytes = self.take(2)?;
        Ok(u16::from_le_bytes([bytes[0], bytes[1]]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, ZipError> {
        let bytes = self.take(4)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, ZipError> {
        let mut array = [0; 8];
        array.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(array))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_report_missing_and_out_of_range_bytes() {
        let head = [1u8, 2, 3, 4];
        let tail = [7u8, 8, 9, 10];
        let chunks = Chunks::new(10, vec![(0, &head[..]), (6, &tail[..])]);
        assert_eq!(chunks.get("x", 1, 3).unwrap(), &[2, 3]);
        assert_eq!(chunks.get("x", 6, 10).unwrap(), &tail);
        assert!(matches!(
            chunks.get("x", 3, 7),
            Err(ZipError::Incomplete { start: 3, end: 7 })
        ));
        assert!(matches!(
            chunks.get("x", 8, 11),
            Err(ZipError::OutOfRange { .. })
        ));
        assert_eq!(chunks.tail(), Some((6, &tail[..])));
        assert_eq!(Chunks::new(10, vec![(0, &head[..])]).tail(), None);
    }

    #[test]
    fn reader_reads_little_endian_and_stops_at_the_end() {
        let bytes = [0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 1];
        let mut reader = Reader::new(&bytes, "test record");
        assert_eq!(reader.u16().unwrap(), 0x1234);
        assert_eq!(reader.u32().unwrap(), 0x1234_5678);
        assert_eq!(reader.position(), 6);
        assert_eq!(
            reader.u16().unwrap_err().to_string(),
            "truncated zip test record"
        );
    }
}
