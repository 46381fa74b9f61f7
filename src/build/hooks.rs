//! (stub until the build-core branch lands)
#![allow(missing_docs, clippy::missing_errors_doc, clippy::unused_async)]
use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use super::install::EnvLayout;
use super::interpreter::Interpreter;

#[derive(Clone, Debug)]
pub struct Backend {
    pub name: String,
    pub path: Vec<String>,
}

pub struct HookRun<'a> {
    pub interpreter: &'a Interpreter,
    pub envs: &'a [EnvLayout],
    pub source_dir: &'a Path,
    pub backend: &'a Backend,
    pub timeout: Duration,
    pub path_var: Option<&'a OsStr>,
}

#[derive(Debug, thiserror::Error)]
#[error("hook failed")]
pub struct HookError;

impl HookRun<'_> {
    pub async fn get_requires_for_build_wheel(&self) -> Result<Vec<String>, HookError> {
        Err(HookError)
    }
    pub async fn wheel_metadata(&self) -> Result<Vec<u8>, HookError> {
        Err(HookError)
    }
}
