//! Test-only builders for zip and tar.gz archives, written with the `zip`, `tar` and `flate2`
//! crates so that pinwheel's own reader is checked against independent writers; and the text
//! forms the metadata readers' tests compare with.

use std::io::{Cursor, Write};

use ::zip::CompressionMethod;
use ::zip::write::SimpleFileOptions;

/// One member of a zip to build.
#[derive(Debug)]
pub(crate) struct ZipMember {
    pub(crate) name: String,
    pub(crate) data: Vec<u8>,
    pub(crate) method: CompressionMethod,
}

impl ZipMember {
    pub(crate) fn stored(name: &str, data: Vec<u8>) -> Self {
        Self {
            name: name.to_string(),
            data,
            method: CompressionMethod::Stored,
        }
    }

    pub(crate) fn deflated(name: &str, data: Vec<u8>) -> Self {
        Self {
            name: name.to_string(),
            data,
            method: CompressionMethod::Deflated,
        }
    }
}

/// A zip of `members` with an archive comment; `zip64` marks every member as large (ZIP64
/// extra fields) and forces ZIP64 end records.
pub(crate) fn build_zip(members: &[ZipMember], comment: &str, zip64: bool) -> Vec<u8> {
    let mut writer = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
    for member in members {
        let options = SimpleFileOptions::default()
            .compression_method(member.method)
            .large_file(zip64);
        writer.start_file(member.name.as_str(), options).unwrap();
        writer.write_all(&member.data).unwrap();
    }
    writer.set_comment(comment);
    if zip64 {
        writer.set_zip64_comment(Some(""));
    }
    writer.finish().unwrap().into_inner()
}

/// A gzipped tar of `(path, contents)` regular files.
pub(crate) fn build_tar_gz(members: &[(&str, &[u8])]) -> Vec<u8> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(encoder);
    for (path, data) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, path, *data).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

/// `len` bytes that deflate cannot shrink (xorshift), to make archives of a chosen size.
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// Requirements as PEP 508 text, in order: what a reader's tests compare with expected lines.
pub(crate) fn rendered<T: ToString>(requirements: &[T]) -> Vec<String> {
    requirements.iter().map(ToString::to_string).collect()
}

/// Extra names as text, in order.
pub(crate) fn extra_names(extras: &[crate::types::ExtraName]) -> Vec<&str> {
    extras.iter().map(AsRef::as_ref).collect()
}
