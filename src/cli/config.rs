//! Configuration files: `[tool.pinwheel]` and pip-tools' `[tool.pip-tools]` tables, found and
//! parsed into typed [`ConfigOptions`].
//!
//! This module only reads and checks the files; it applies no defaults and does not look at the
//! command line. `settings.rs` merges the command line, these options and the defaults.
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

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use toml::Value;

use super::args::{AnnotationStyleArg, NewlineArg, PrereleaseArg, ResolutionArg};
use super::pip_compile::{Treatment, config_treatment};

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
    pub python_version: Option<String>,
    /// `--python-platform`.
    pub python_platform: Option<String>,
    /// `--index-url`.
    pub index_url: Option<String>,
    /// `--extra-index-url`.
    pub extra_index_url: Option<Vec<String>>,
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
    /// `--cache-ttl`.
    pub cache_ttl: Option<u64>,
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
            cache_ttl: self.cache_ttl.or(lower.cache_ttl),
            no_cache: self.no_cache.or(lower.no_cache),
            offline: self.offline.or(lower.offline),
            reuse_hashes: self.reuse_hashes.or(lower.reuse_hashes),
            cert: self.cert.or(lower.cert),
            client_cert: self.client_cert.or(lower.client_cert),
            trusted_host: self.trusted_host.or(lower.trusted_host),
            emit_trusted_host: self.emit_trusted_host.or(lower.emit_trusted_host),
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

/// The files a run reads its tables from.
struct ConfigFiles {
    /// Where `[tool.pinwheel]` is read from.
    pinwheel: Option<PathBuf>,
    /// Where `[tool.pip-tools]` is read from.
    pip_tools: Option<PathBuf>,
}

impl ConfigFiles {
    fn into_list(self) -> Vec<PathBuf> {
        let mut list: Vec<PathBuf> = self.pinwheel.into_iter().collect();
        list.extend(self.pip_tools.filter(|path| !list.contains(path)));
        list
    }
}

/// The files to read in the first source directory that has any.
fn discover(sources: &[PathBuf]) -> Option<ConfigFiles> {
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
fn config_directories(sources: &[PathBuf]) -> Vec<PathBuf> {
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

fn read_document(path: &Path) -> Result<toml::Table, ConfigError> {
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
fn tool_table<'a>(
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

/// `[tool.pip-tools]` with its `compile` sub-table over it (pip-compile's view of it).
fn parse_pip_tools(
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
    fn is_pip_tools(self) -> bool {
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
struct TableRef {
    path: PathBuf,
    table: Table,
}

impl TableRef {
    fn new(path: &Path, table: Table) -> Self {
        Self {
            path: path.to_path_buf(),
            table,
        }
    }
}

/// Which tables a key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// A pip-compile option that pinwheel reads too.
    Both,
    /// A pinwheel option pip-compile does not have.
    Pinwheel,
    /// A pip-tools spelling of a pinwheel option (`uploaded-prior-to`).
    PipTools,
}

/// Stores a value into the options, or says what was expected instead.
type Setter = fn(&mut ConfigOptions, &Value) -> Result<(), Expected>;

/// One key that configuration files may use.
struct Key {
    /// Spellings, normalised (lowercase, `_` for `-`).
    names: &'static [&'static str],
    /// The option it sets: two keys with the same option in one table conflict.
    option: &'static str,
    scope: Scope,
    set: Setter,
}

/// Defines a key whose value is stored by `$parse` into `$field`.
macro_rules! key {
    ($scope:ident, [$($name:literal),+], $field:ident, $parse:expr) => {
        Key {
            names: &[$($name),+],
            option: stringify!($field),
            scope: Scope::$scope,
            set: |options, value| {
                options.$field = Some($parse(value)?);
                Ok(())
            },
        }
    };
}

/// Defines the `no-` form of a boolean key.
macro_rules! negated {
    ($scope:ident, [$($name:literal),+], $field:ident) => {
        Key {
            names: &[$($name),+],
            option: stringify!($field),
            scope: Scope::$scope,
            set: |options, value| {
                options.$field = Some(!boolean(value)?);
                Ok(())
            },
        }
    };
}

const KEYS: &[Key] = &[
    key!(Both, ["output_file"], output_file, path),
    key!(Both, ["extra", "extras"], extra, strings),
    key!(Both, ["all_extras"], all_extras, boolean),
    key!(Pinwheel, ["group"], group, strings),
    key!(Pinwheel, ["python_version"], python_version, string),
    key!(Pinwheel, ["python_platform"], python_platform, string),
    key!(Both, ["index_url"], index_url, string),
    key!(Both, ["extra_index_url"], extra_index_url, strings),
    key!(Both, ["find_links"], find_links, strings),
    key!(Both, ["no_index"], no_index, boolean),
    key!(Both, ["generate_hashes"], generate_hashes, boolean),
    negated!(Pinwheel, ["no_generate_hashes"], generate_hashes),
    key!(Both, ["annotate"], annotate, boolean),
    negated!(Both, ["no_annotate"], annotate),
    key!(Both, ["annotation_style"], annotation_style, choice),
    key!(Both, ["header"], header, boolean),
    negated!(Both, ["no_header"], header),
    key!(Both, ["allow_unsafe"], allow_unsafe, boolean),
    negated!(Both, ["no_allow_unsafe"], allow_unsafe),
    key!(Both, ["strip_extras"], strip_extras, boolean),
    negated!(Both, ["no_strip_extras"], strip_extras),
    key!(Both, ["constraint"], constraint, paths),
    key!(Pinwheel, ["overrides"], overrides, paths),
    key!(Both, ["newline"], newline, choice),
    key!(Both, ["emit_index_url"], emit_index_url, boolean),
    negated!(Both, ["no_emit_index_url"], emit_index_url),
    key!(Both, ["emit_find_links"], emit_find_links, boolean),
    negated!(Both, ["no_emit_find_links"], emit_find_links),
    key!(Both, ["emit_options"], emit_options, boolean),
    negated!(Both, ["no_emit_options"], emit_options),
    key!(
        Pinwheel,
        ["emit_index_annotation"],
        emit_index_annotation,
        boolean
    ),
    negated!(
        Pinwheel,
        ["no_emit_index_annotation"],
        emit_index_annotation
    ),
    key!(Both, ["pre"], pre, boolean),
    key!(Pinwheel, ["prerelease"], prerelease, choice),
    key!(Pinwheel, ["resolution"], resolution, choice),
    key!(Pinwheel, ["exclude_newer"], exclude_newer, string),
    key!(PipTools, ["uploaded_prior_to"], exclude_newer, string),
    key!(Pinwheel, ["only_binary"], only_binary, strings),
    key!(Pinwheel, ["no_binary"], no_binary, strings),
    key!(Both, ["unsafe_package"], unsafe_package, strings),
    key!(Both, ["upgrade"], upgrade, boolean),
    negated!(Both, ["no_upgrade"], upgrade),
    key!(
        Both,
        ["upgrade_package", "upgrade_packages"],
        upgrade_package,
        strings
    ),
    key!(Pinwheel, ["cache_dir"], cache_dir, path),
    key!(Pinwheel, ["cache_ttl"], cache_ttl, integer),
    key!(Pinwheel, ["no_cache"], no_cache, boolean),
    key!(Pinwheel, ["offline"], offline, boolean),
    key!(Both, ["reuse_hashes"], reuse_hashes, boolean),
    negated!(Both, ["no_reuse_hashes"], reuse_hashes),
    key!(Both, ["cert"], cert, path),
    key!(Both, ["client_cert"], client_cert, path),
    key!(Both, ["trusted_host"], trusted_host, strings),
    key!(Both, ["emit_trusted_host"], emit_trusted_host, boolean),
    negated!(Both, ["no_emit_trusted_host"], emit_trusted_host),
];

/// Whether a configuration file may set the option of this key (normalised, `_` for `-`).
#[must_use]
pub fn is_key(normalised: &str) -> bool {
    KEYS.iter().any(|spec| spec.names.contains(&normalised))
}

/// Reads one table's keys into options.
fn parse_table(
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
pub(super) fn normalise(key: &str) -> String {
    key.trim_start_matches('-').to_lowercase().replace('-', "_")
}

/// A pinwheel-only key in `[tool.pip-tools]` (which pip-compile would reject), or the other way.
fn check_scope(spec: &Key, key: &str, at: &TableRef) -> Result<(), ConfigError> {
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

/// What a key's value should have been.
#[derive(Debug)]
pub enum Expected {
    /// `true` or `false`.
    Boolean,
    /// A string.
    String,
    /// An array of strings.
    Strings,
    /// A non-negative integer.
    Integer,
    /// One of these strings.
    OneOf(Vec<String>),
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Boolean => f.write_str("a boolean (`true` or `false`)"),
            Self::String => f.write_str("a string"),
            Self::Strings => f.write_str("an array of strings"),
            Self::Integer => f.write_str("a non-negative integer"),
            Self::OneOf(choices) => {
                let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
                write!(f, "one of {}", quoted.join(", "))
            }
        }
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => format!("the string \"{text}\""),
        Value::Integer(number) => format!("the integer {number}"),
        Value::Boolean(flag) => format!("the boolean {flag}"),
        other => format!("a{} {}", article_n(other.type_str()), other.type_str()),
    }
}

fn article_n(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "n"
    } else {
        ""
    }
}

fn boolean(value: &Value) -> Result<bool, Expected> {
    value.as_bool().ok_or(Expected::Boolean)
}

fn string(value: &Value) -> Result<String, Expected> {
    value.as_str().map(str::to_string).ok_or(Expected::String)
}

fn path(value: &Value) -> Result<PathBuf, Expected> {
    string(value).map(PathBuf::from)
}

fn strings(value: &Value) -> Result<Vec<String>, Expected> {
    // pip-tools wants an array for a repeatable option even when there is one value.
    value
        .as_array()
        .ok_or(Expected::Strings)?
        .iter()
        .map(|item| item.as_str().map(str::to_string).ok_or(Expected::Strings))
        .collect()
}

fn paths(value: &Value) -> Result<Vec<PathBuf>, Expected> {
    strings(value).map(|items| items.into_iter().map(PathBuf::from).collect())
}

fn integer(value: &Value) -> Result<u64, Expected> {
    value
        .as_integer()
        .and_then(|number| u64::try_from(number).ok())
        .ok_or(Expected::Integer)
}

/// A value of a `--flag {a,b}` option, matched without regard to case (pip-tools writes `LF`).
fn choice<T: ValueEnum>(value: &Value) -> Result<T, Expected> {
    let names = || {
        T::value_variants()
            .iter()
            .filter_map(ValueEnum::to_possible_value)
            .map(|possible| possible.get_name().to_string())
            .collect()
    };
    let text = value.as_str().ok_or_else(|| Expected::OneOf(names()))?;
    T::from_str(text, true).map_err(|_| Expected::OneOf(names()))
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
