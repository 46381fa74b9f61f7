//! (stub until the build-core branch lands)
#![allow(missing_docs, clippy::missing_errors_doc)]
use std::path::{Path, PathBuf};

use super::interpreter::Interpreter;

#[derive(Clone, Debug)]
pub struct EnvLayout {
    root: PathBuf,
}

impl EnvLayout {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn site_dir(&self) -> PathBuf {
        self.root.join("site")
    }
    pub fn scripts_dir(&self) -> PathBuf {
        self.root.join("bin")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot install")]
pub struct InstallError;

pub fn install_wheel(
    wheel: &Path,
    env: &EnvLayout,
    interpreter: &Interpreter,
) -> Result<(), InstallError> {
    let _ = (wheel, env, interpreter);
    Err(InstallError)
}
