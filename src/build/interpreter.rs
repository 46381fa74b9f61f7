//! (stub until the build-core branch lands)
#![allow(missing_docs, clippy::missing_errors_doc, clippy::unused_async)]
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::target::{Platform, PythonVersion, Target};

#[derive(Clone, Debug)]
pub struct Interpreter {
    path: PathBuf,
    version: PythonVersion,
    platform: Platform,
}

#[derive(Debug, thiserror::Error)]
pub enum InterpreterError {
    #[error("no Python interpreter found")]
    NotFound,
}

impl Interpreter {
    pub fn probe(path: &Path) -> Result<Interpreter, InterpreterError> {
        let _ = path;
        Err(InterpreterError::NotFound)
    }
    pub fn find(
        explicit: Option<&Path>,
        wanted: &PythonVersion,
        path_var: Option<&OsStr>,
    ) -> Result<Interpreter, InterpreterError> {
        let _ = (explicit, wanted, path_var);
        Err(InterpreterError::NotFound)
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn version(&self) -> &PythonVersion {
        &self.version
    }
    pub fn platform(&self) -> &Platform {
        &self.platform
    }
    pub fn target(&self) -> Target {
        Target::new(self.version, self.platform)
    }
    pub fn cache_tag(&self) -> String {
        String::new()
    }
}
