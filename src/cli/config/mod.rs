//! Configuration files: `[tool.pinwheel]` and pip-tools' `[tool.pip-tools]` tables, found and
//! parsed into typed [`ConfigOptions`].
//!
//! This module only reads and checks the files; it applies no defaults and does not look at the
//! command line. `settings/` merges the command line, these options and the defaults.
//!
//! Which files are read (unless `--no-config`):
//!
//! - `--config FILE`: its `[tool.pinwheel]` and `[tool.pip-tools]` tables, nothing else;
//! - otherwise the first directory, among those of the source files (the current directory when
//!   the input is stdin or none is named), that holds a `.pip-tools.toml` or a `pyproject.toml`:
//!   `[tool.pinwheel]` from its `pyproject.toml`, and `[tool.pip-tools]` from its
//!   `.pip-tools.toml` when there is one, else from its `pyproject.toml` (the file pip-compile
//!   7.6 would read).
//!
//! `[tool.pinwheel]` wins over `[tool.pip-tools]` key by key; `[tool.pip-tools.compile]` wins over
//! `[tool.pip-tools]`, and `[tool.pip-tools.sync]` is pip-sync's, so it is skipped (as pip-tools
//! does).
//!
//! Keys are long option names; `-` and `_` are interchangeable, and the `no-` form of a boolean
//! flag sets it to the opposite (`no-annotate = true` is `annotate = false`). Repeatable options
//! take arrays. A key nobody knows, or of the wrong type, is an error naming the file and the key.
//! What pinwheel does with each pip-tools key is `pip_compile::OPTIONS`, the table the command
//! line reads too: a key that means nothing to pinwheel (`resolver`, `pip-args`, …) is a warning
//! in `[tool.pip-tools]` and an error in `[tool.pinwheel]`; one that would change the lock in a
//! way pinwheel cannot honour (`all-build-deps = true`) is an error.

use std::fmt;
use std::path::{Path, PathBuf};

use super::args::{
    AnnotationStyleArg, IndexStrategyArg, KeyringProviderArg, NewlineArg, PrereleaseArg,
    RemoteCacheModeArg, ResolutionArg,
};

mod files;
mod indexes;
mod keys;
mod parse;
mod values;

use files::{ConfigFiles, discover, read_document, tool_table};
pub use indexes::{NamedIndex, Sources};
pub use keys::is_key;
pub use parse::Table;
pub(super) use parse::normalise;
use parse::{TableRef, parse_pip_tools, parse_table};
pub use values::Expected;

/// The names of the files pip-tools looks for, in its order.
pub const PIP_TOOLS_FILE: &str = ".pip-tools.toml";
/// The project file, which holds `[tool.pinwheel]` and may hold `[tool.pip-tools]`.
pub const PYPROJECT_FILE: &str = "pyproject.toml";

/// What configuration files may set. Every field is `None` when no file sets it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigOptions {
    /// `--output-file`.
    pub output_file: Option<PathBuf>,
    /// `--extra`.
    pub extra: Option<Vec<String>>,
    /// `--all-extras`.
    pub all_extras: Option<bool>,
    /// `--group`.
    pub group: Option<Vec<String>>,
    /// `--python-version`.
    pub python_version: Option<Vec<String>>,
    /// `--python-platform`.
    pub python_platform: Option<Vec<String>>,
    /// `--index-url`.
    pub index_url: Option<String>,
    /// `--extra-index-url`.
    pub extra_index_url: Option<Vec<String>>,
    /// `--index-strategy`.
    pub index_strategy: Option<IndexStrategyArg>,
    /// `[[tool.pinwheel.index]]`.
    pub index: Option<Vec<NamedIndex>>,
    /// `[tool.pinwheel.sources]`.
    pub sources: Option<Sources>,
    /// `--report-shadowed`.
    pub report_shadowed: Option<bool>,
    /// `--fail-on-shadowed`.
    pub fail_on_shadowed: Option<bool>,
    /// `--verify-attestations`.
    pub verify_attestations: Option<bool>,
    /// `--find-links`.
    pub find_links: Option<Vec<String>>,
    /// `--no-index`.
    pub no_index: Option<bool>,
    /// `--generate-hashes`.
    pub generate_hashes: Option<bool>,
    /// `--annotate`.
    pub annotate: Option<bool>,
    /// `--annotation-style`.
    pub annotation_style: Option<AnnotationStyleArg>,
    /// `--header`.
    pub header: Option<bool>,
    /// `--allow-unsafe`.
    pub allow_unsafe: Option<bool>,
    /// `--strip-extras`.
    pub strip_extras: Option<bool>,
    /// `--constraint`.
    pub constraint: Option<Vec<PathBuf>>,
    /// `--overrides`.
    pub overrides: Option<Vec<PathBuf>>,
    /// `--newline`.
    pub newline: Option<NewlineArg>,
    /// `--emit-index-url`.
    pub emit_index_url: Option<bool>,
    /// `--emit-find-links`.
    pub emit_find_links: Option<bool>,
    /// `--emit-options`.
    pub emit_options: Option<bool>,
    /// `--emit-index-annotation`.
    pub emit_index_annotation: Option<bool>,
    /// `--pre`.
    pub pre: Option<bool>,
    /// `--prerelease`.
    pub prerelease: Option<PrereleaseArg>,
    /// `--resolution`.
    pub resolution: Option<ResolutionArg>,
    /// `--exclude-newer`.
    pub exclude_newer: Option<String>,
    /// `--only-binary`.
    pub only_binary: Option<Vec<String>>,
    /// `--no-binary`.
    pub no_binary: Option<Vec<String>>,
    /// `--unsafe-package`.
    pub unsafe_package: Option<Vec<String>>,
    /// `--upgrade`.
    pub upgrade: Option<bool>,
    /// `--upgrade-package`.
    pub upgrade_package: Option<Vec<String>>,
    /// `--cache-dir`.
    pub cache_dir: Option<PathBuf>,
    /// `--remote-cache`.
    pub remote_cache: Option<String>,
    /// `--remote-cache-mode`.
    pub remote_cache_mode: Option<RemoteCacheModeArg>,
    /// `--remote-cache-pages`.
    pub remote_cache_pages: Option<bool>,
    /// `--cache-ttl`.
    pub cache_ttl: Option<u64>,
    /// `--python`.
    pub python: Option<PathBuf>,
    /// `--no-build`.
    pub no_build: Option<bool>,
    /// `--universal`.
    pub universal: Option<bool>,
    /// `--required-platform`.
    pub required_platform: Option<Vec<String>>,
    /// `--build-timeout`.
    pub build_timeout: Option<u64>,
    /// `--build-jobs`.
    pub build_jobs: Option<u64>,
    /// `--no-cache`.
    pub no_cache: Option<bool>,
    /// `--offline`.
    pub offline: Option<bool>,
    /// `--reuse-hashes`.
    pub reuse_hashes: Option<bool>,
    /// `--cert`.
    pub cert: Option<PathBuf>,
    /// `--client-cert`.
    pub client_cert: Option<PathBuf>,
    /// `--trusted-host`.
    pub trusted_host: Option<Vec<String>>,
    /// `--emit-trusted-host`.
    pub emit_trusted_host: Option<bool>,
    /// `--keyring-provider`.
    pub keyring_provider: Option<KeyringProviderArg>,
}

impl ConfigOptions {
    /// These options, with the ones left unset taken from `lower`.
    #[must_use]
    pub fn or(self, lower: Self) -> Self {
        Self {
            output_file: self.output_file.or(lower.output_file),
            extra: self.extra.or(lower.extra),
            all_extras: self.all_extras.or(lower.all_extras),
            group: self.group.or(lower.group),
            python_version: self.python_version.or(lower.python_version),
            python_platform: self.python_platform.or(lower.python_platform),
            index_url: self.index_url.or(lower.index_url),
            extra_index_url: self.extra_index_url.or(lower.extra_index_url),
            index_strategy: self.index_strategy.or(lower.index_strategy),
            index: self.index.or(lower.index),
            sources: self.sources.or(lower.sources),
            report_shadowed: self.report_shadowed.or(lower.report_shadowed),
            fail_on_shadowed: self.fail_on_shadowed.or(lower.fail_on_shadowed),
            verify_attestations: self.verify_attestations.or(lower.verify_attestations),
            find_links: self.find_links.or(lower.find_links),
            no_index: self.no_index.or(lower.no_index),
            generate_hashes: self.generate_hashes.or(lower.generate_hashes),
            annotate: self.annotate.or(lower.annotate),
            annotation_style: self.annotation_style.or(lower.annotation_style),
            header: self.header.or(lower.header),
            allow_unsafe: self.allow_unsafe.or(lower.allow_unsafe),
            strip_extras: self.strip_extras.or(lower.strip_extras),
            constraint: self.constraint.or(lower.constraint),
            overrides: self.overrides.or(lower.overrides),
            newline: self.newline.or(lower.newline),
            emit_index_url: self.emit_index_url.or(lower.emit_index_url),
            emit_find_links: self.emit_find_links.or(lower.emit_find_links),
            emit_options: self.emit_options.or(lower.emit_options),
            emit_index_annotation: self.emit_index_annotation.or(lower.emit_index_annotation),
            pre: self.pre.or(lower.pre),
            prerelease: self.prerelease.or(lower.prerelease),
            resolution: self.resolution.or(lower.resolution),
            exclude_newer: self.exclude_newer.or(lower.exclude_newer),
            only_binary: self.only_binary.or(lower.only_binary),
            no_binary: self.no_binary.or(lower.no_binary),
            unsafe_package: self.unsafe_package.or(lower.unsafe_package),
            upgrade: self.upgrade.or(lower.upgrade),
            upgrade_package: self.upgrade_package.or(lower.upgrade_package),
            cache_dir: self.cache_dir.or(lower.cache_dir),
            remote_cache: self.remote_cache.or(lower.remote_cache),
            remote_cache_mode: self.remote_cache_mode.or(lower.remote_cache_mode),
            remote_cache_pages: self.remote_cache_pages.or(lower.remote_cache_pages),
            cache_ttl: self.cache_ttl.or(lower.cache_ttl),
            python: self.python.or(lower.python),
            no_build: self.no_build.or(lower.no_build),
            universal: self.universal.or(lower.universal),
            required_platform: self.required_platform.or(lower.required_platform),
            build_timeout: self.build_timeout.or(lower.build_timeout),
            build_jobs: self.build_jobs.or(lower.build_jobs),
            no_cache: self.no_cache.or(lower.no_cache),
            offline: self.offline.or(lower.offline),
            reuse_hashes: self.reuse_hashes.or(lower.reuse_hashes),
            cert: self.cert.or(lower.cert),
            client_cert: self.client_cert.or(lower.client_cert),
            trusted_host: self.trusted_host.or(lower.trusted_host),
            emit_trusted_host: self.emit_trusted_host.or(lower.emit_trusted_host),
            keyring_provider: self.keyring_provider.or(lower.keyring_provider),
        }
    }
}

/// How the configuration of a run is found.
#[derive(Clone, Copy, Debug)]
pub enum Lookup<'a> {
    /// `--no-config`: none.
    Disabled,
    /// `--config FILE`: only this file.
    Explicit(&'a Path),
    /// Next to the source files.
    Discover(&'a [PathBuf]),
}

/// The configuration of one run.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The merged options of the tables read.
    pub options: ConfigOptions,
    /// The files read, for `-v` logging.
    pub files: Vec<PathBuf>,
    /// Keys that were read and ignored.
    pub warnings: Vec<ConfigWarning>,
}

/// Loads the configuration that `lookup` names.
///
/// # Errors
/// When a file cannot be read or parsed, or a table has an unknown key or a value of the wrong
/// type.
pub fn load(lookup: Lookup<'_>) -> Result<Config, ConfigError> {
    let files = match lookup {
        Lookup::Disabled => return Ok(Config::default()),
        Lookup::Explicit(path) => ConfigFiles {
            pinwheel: Some(path.to_path_buf()),
            pip_tools: Some(path.to_path_buf()),
        },
        Lookup::Discover(sources) => match discover(sources) {
            Some(files) => files,
            None => return Ok(Config::default()),
        },
    };
    let mut config = Config::default();
    let pinwheel_document = files.pinwheel.as_deref().map(read_document).transpose()?;
    // Usually both tables are in one file: read it once.
    let pip_tools_document = match &files.pip_tools {
        Some(path) if files.pinwheel.as_ref() == Some(path) => pinwheel_document.clone(),
        Some(path) => Some(read_document(path)?),
        None => None,
    };
    let mut pinwheel = ConfigOptions::default();
    if let (Some(path), Some(document)) = (&files.pinwheel, &pinwheel_document)
        && let Some(table) = tool_table(document, path, "pinwheel")?
    {
        pinwheel = parse_table(table, &TableRef::new(path, Table::Pinwheel), &mut config)?;
        indexes::check(
            pinwheel.index.as_deref().unwrap_or_default(),
            pinwheel.sources.as_ref().unwrap_or(&Sources::new()),
            path,
        )?;
    }
    let mut pip_tools = ConfigOptions::default();
    if let (Some(path), Some(document)) = (&files.pip_tools, &pip_tools_document)
        && let Some(table) = tool_table(document, path, "pip-tools")?
    {
        pip_tools = parse_pip_tools(table, path, &mut config)?;
    }
    config.options = pinwheel.or(pip_tools);
    config.files = files.into_list();
    Ok(config)
}

/// A key that was read and ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The file.
    pub path: PathBuf,
    /// The table.
    pub table: Table,
    /// The key as written.
    pub key: String,
    /// Why it is ignored.
    pub reason: &'static str,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}`: {} key `{}` is ignored: {}",
            self.path.display(),
            self.table,
            self.key,
            self.reason
        )
    }
}

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read the configuration file `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not TOML.
    #[error("the configuration file `{}` is not valid TOML", path.display())]
    Toml {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        source: Box<toml::de::Error>,
    },
    /// `tool.pinwheel` or `tool.pip-tools` is not a table.
    #[error("`{}`: `{table}` must be a table", path.display())]
    NotATable {
        /// The file.
        path: PathBuf,
        /// The dotted key.
        table: String,
    },
    /// A key no table knows.
    #[error("`{}`: {table} has no key `{key}` (keys are long option names, such as `generate-hashes`)", path.display())]
    UnknownKey {
        /// The file.
        path: PathBuf,
        /// The table.
        table: Table,
        /// The key as written.
        key: String,
    },
    /// A key of the other table.
    #[error("`{}`: `{key}` belongs in {belongs}, not in {table}", path.display())]
    WrongTable {
        /// The file.
        path: PathBuf,
        /// The table it was found in.
        table: Table,
        /// The key as written.
        key: String,
        /// Where it belongs.
        belongs: Table,
    },
    /// A pip-tools option pinwheel does not use, in `[tool.pinwheel]`.
    #[error("`{}`: [tool.pinwheel] key `{key}` is a pip-tools option pinwheel does not use: {reason}", path.display())]
    PipToolsOnly {
        /// The file.
        path: PathBuf,
        /// The key as written.
        key: String,
        /// Why pinwheel does not use it.
        reason: &'static str,
    },
    /// A pip-tools option that would change the lock in a way pinwheel cannot honour.
    #[error("`{}`: {table} key `{key}` is not supported: {reason}", path.display())]
    Refused {
        /// The file.
        path: PathBuf,
        /// The table.
        table: Table,
        /// The key as written.
        key: String,
        /// Why.
        reason: &'static str,
    },
    /// A value of the wrong type.
    #[error("`{}`: {table} key `{key}` must be {expected}, not {found}", path.display())]
    WrongType {
        /// The file.
        path: PathBuf,
        /// The table.
        table: Table,
        /// The key as written.
        key: String,
        /// What it must be.
        expected: Expected,
        /// What it is.
        found: String,
    },
    /// Named indexes and sources that do not fit together.
    #[error("`{}`: {message}", path.display())]
    Indexes {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Two keys set the same option (`annotate` and `no-annotate`, `extra` and `extras`).
    #[error("`{}`: {table} keys `{first}` and `{second}` set the same option", path.display())]
    Duplicate {
        /// The file.
        path: PathBuf,
        /// The table.
        table: Table,
        /// One key.
        first: String,
        /// The other.
        second: String,
    },
}

#[cfg(test)]
mod tests;
