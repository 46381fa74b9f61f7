//! Reading one table's keys into [`ConfigOptions`], with pip-tools' treatment of its own keys
//! and the checks that a key is known, in the right table, set once and of the right type.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::keys::{KEYS, Key, Scope};
use super::values::describe;
use super::{Config, ConfigError, ConfigOptions, ConfigWarning};
use crate::cli::pip_compile::{Treatment, config_treatment};

/// `[tool.pip-tools]` with its `compile` sub-table over it (pip-compile's view of it).
pub(super) fn parse_pip_tools(
    table: &toml::Table,
    path: &Path,
    config: &mut Config,
) -> Result<ConfigOptions, ConfigError> {
    let mut base = table.clone();
    let compile = base.remove("compile");
    // pip-sync's own section: nothing in it concerns a lock.
    base.remove("sync");
    let base = parse_table(&base, &TableRef::new(path, Table::PipTools), config)?;
    let Some(compile) = compile else {
        return Ok(base);
    };
    let compile = compile.as_table().ok_or_else(|| ConfigError::NotATable {
        path: path.to_path_buf(),
        table: "tool.pip-tools.compile".to_string(),
    })?;
    let compile = parse_table(
        compile,
        &TableRef::new(path, Table::PipToolsCompile),
        config,
    )?;
    Ok(compile.or(base))
}

/// Which table a key is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// `[tool.pinwheel]`.
    Pinwheel,
    /// `[tool.pip-tools]`.
    PipTools,
    /// `[tool.pip-tools.compile]`.
    PipToolsCompile,
}

impl Table {
    pub(super) fn is_pip_tools(self) -> bool {
        matches!(self, Self::PipTools | Self::PipToolsCompile)
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pinwheel => "[tool.pinwheel]",
            Self::PipTools => "[tool.pip-tools]",
            Self::PipToolsCompile => "[tool.pip-tools.compile]",
        })
    }
}

/// A table of a file, for messages.
pub(super) struct TableRef {
    pub(super) path: PathBuf,
    pub(super) table: Table,
}

impl TableRef {
    pub(super) fn new(path: &Path, table: Table) -> Self {
        Self {
            path: path.to_path_buf(),
            table,
        }
    }
}

/// Reads one table's keys into options.
pub(super) fn parse_table(
    table: &toml::Table,
    at: &TableRef,
    config: &mut Config,
) -> Result<ConfigOptions, ConfigError> {
    let mut options = ConfigOptions::default();
    // Which key set each option, to reject `annotate` and `no-annotate` side by side.
    let mut set_by: HashMap<&'static str, &str> = HashMap::new();
    for (key, value) in table {
        let normalised = normalise(key);
        let spec = KEYS
            .iter()
            .find(|spec| spec.names.contains(&normalised.as_str()));
        // In a pip-tools table, pip-tools' meaning of a key comes first: its `cache-dir` is
        // pip-tools' cache, not pinwheel's.
        match (
            at.table.is_pip_tools(),
            config_treatment(&normalised, value),
            spec,
        ) {
            (true, Some(Treatment::Refused(reason)), _) => {
                return Err(ConfigError::Refused {
                    path: at.path.clone(),
                    table: at.table,
                    key: key.clone(),
                    reason,
                });
            }
            (true, Some(Treatment::Ignored(reason)), _) => config.warnings.push(ConfigWarning {
                path: at.path.clone(),
                table: at.table,
                key: key.clone(),
                reason,
            }),
            (_, _, Some(spec)) => {
                check_scope(spec, key, at)?;
                if let Some(first) = set_by.insert(spec.option, key) {
                    return Err(ConfigError::Duplicate {
                        path: at.path.clone(),
                        table: at.table,
                        first: first.to_string(),
                        second: key.clone(),
                    });
                }
                (spec.set)(&mut options, value).map_err(|expected| ConfigError::WrongType {
                    path: at.path.clone(),
                    table: at.table,
                    key: key.clone(),
                    expected,
                    found: describe(value),
                })?;
            }
            (false, Some(Treatment::Ignored(reason) | Treatment::Refused(reason)), None) => {
                return Err(ConfigError::PipToolsOnly {
                    path: at.path.clone(),
                    key: key.clone(),
                    reason,
                });
            }
            (_, _, None) => {
                return Err(ConfigError::UnknownKey {
                    path: at.path.clone(),
                    table: at.table,
                    key: key.clone(),
                });
            }
        }
    }
    Ok(options)
}

/// pip-tools' normalisation: leading dashes dropped, lowercase, `_` for `-`.
pub(in crate::cli) fn normalise(key: &str) -> String {
    key.trim_start_matches('-').to_lowercase().replace('-', "_")
}

/// A pinwheel-only key in `[tool.pip-tools]` (which pip-compile would reject), or the other way.
pub(super) fn check_scope(spec: &Key, key: &str, at: &TableRef) -> Result<(), ConfigError> {
    let allowed = match spec.scope {
        Scope::Both => true,
        Scope::Pinwheel => !at.table.is_pip_tools(),
        Scope::PipTools => at.table.is_pip_tools(),
    };
    if allowed {
        return Ok(());
    }
    Err(ConfigError::WrongTable {
        path: at.path.clone(),
        table: at.table,
        key: key.to_string(),
        belongs: if at.table.is_pip_tools() {
            Table::Pinwheel
        } else {
            Table::PipTools
        },
    })
}
