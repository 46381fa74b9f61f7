//! (stub until the source-trees branch lands)
#![allow(missing_docs, clippy::missing_errors_doc)]
use std::path::{Path, PathBuf};

use crate::types::SdistFilename;

#[derive(Debug, thiserror::Error)]
#[error("cannot unpack")]
pub struct UnpackError;

pub fn unpack_sdist(
    archive: &Path,
    filename: &SdistFilename,
    into: &Path,
) -> Result<PathBuf, UnpackError> {
    let _ = (archive, filename, into);
    Err(UnpackError)
}
