//! Finding the configuration files of a run and reading their `[tool.*]` tables.

use std::path::{Path, PathBuf};

use super::{ConfigError, PIP_TOOLS_FILE, PYPROJECT_FILE};

/// The files a run reads its tables from.
pub(super) struct ConfigFiles {
    /// Where `[tool.pinwheel]` is read from.
    pub(super) pinwheel: Option<PathBuf>,
    /// Where `[tool.pip-tools]` is read from.
    pub(super) pip_tools: Option<PathBuf>,
}

impl ConfigFiles {
    pub(super) fn into_list(self) -> Vec<PathBuf> {
        let mut list: Vec<PathBuf> = self.pinwheel.into_iter().collect();
        list.extend(self.pip_tools.filter(|path| !list.contains(path)));
        list
    }
}

/// The files to read in the first source directory that has any.
pub(super) fn discover(sources: &[PathBuf]) -> Option<ConfigFiles> {
    config_directories(sources)
        .into_iter()
        .find_map(|directory| {
            let pyproject = Some(directory.join(PYPROJECT_FILE)).filter(|path| path.is_file());
            let pip_tools = Some(directory.join(PIP_TOOLS_FILE))
                .filter(|path| path.is_file())
                .or_else(|| pyproject.clone());
            pip_tools.is_some().then_some(ConfigFiles {
                pinwheel: pyproject,
                pip_tools,
            })
        })
}

/// Where configuration is looked for, in order: the directory of each source file (a directory
/// given as a source is its own); the current directory (the empty path) for stdin or when no
/// source is named, as pip-tools does.
pub(super) fn config_directories(sources: &[PathBuf]) -> Vec<PathBuf> {
    if sources.is_empty() {
        return vec![PathBuf::new()];
    }
    sources
        .iter()
        .map(|source| {
            if source.as_os_str() == "-" {
                PathBuf::new()
            } else if source.is_dir() {
                source.clone()
            } else {
                source.parent().map(Path::to_path_buf).unwrap_or_default()
            }
        })
        .collect()
}

pub(super) fn read_document(path: &Path) -> Result<toml::Table, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    text.parse().map_err(|source| ConfigError::Toml {
        path: path.to_path_buf(),
        source: Box::new(source),
    })
}

/// `[tool.<name>]` of a document, if present.
pub(super) fn tool_table<'a>(
    root: &'a toml::Table,
    path: &Path,
    name: &'static str,
) -> Result<Option<&'a toml::Table>, ConfigError> {
    let Some(tool) = root.get("tool") else {
        return Ok(None);
    };
    let Some(value) = tool.get(name) else {
        return Ok(None);
    };
    value
        .as_table()
        .map(Some)
        .ok_or_else(|| ConfigError::NotATable {
            path: path.to_path_buf(),
            table: format!("tool.{name}"),
        })
}
