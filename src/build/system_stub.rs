//! (stub until the source-trees branch lands `metadata::build_system`)
#![allow(missing_docs, clippy::missing_errors_doc, clippy::unnecessary_wraps)]

use crate::metadata::MetadataError;

pub struct BuildSystem {
    pub requires: Vec<pep508_rs::Requirement>,
    pub backend: String,
    pub backend_path: Vec<String>,
}

pub fn build_system(pyproject: Option<&[u8]>) -> Result<BuildSystem, MetadataError> {
    let _ = pyproject;
    Ok(BuildSystem {
        requires: Vec::new(),
        backend: "setuptools.build_meta:__legacy__".to_string(),
        backend_path: Vec::new(),
    })
}
