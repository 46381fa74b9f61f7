//! The keys configuration files may use: their spellings, the tables they belong to and the
//! [`ConfigOptions`] field each one sets.

use toml::Value;

use super::ConfigOptions;
use super::indexes::{named_indexes, sources};
use super::values::{
    Expected, boolean, choice, integer, path, paths, string, string_or_strings, strings,
};

/// Which tables a key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scope {
    /// A pip-compile option that pinwheel reads too.
    Both,
    /// A pinwheel option pip-compile does not have.
    Pinwheel,
    /// A pip-tools spelling of a pinwheel option (`uploaded-prior-to`).
    PipTools,
}

/// Stores a value into the options, or says what was expected instead.
pub(super) type Setter = fn(&mut ConfigOptions, &Value) -> Result<(), Expected>;

/// One key that configuration files may use.
pub(super) struct Key {
    /// Spellings, normalised (lowercase, `_` for `-`).
    pub(super) names: &'static [&'static str],
    /// The option it sets: two keys with the same option in one table conflict.
    pub(super) option: &'static str,
    pub(super) scope: Scope,
    pub(super) set: Setter,
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

pub(super) const KEYS: &[Key] = &[
    key!(Both, ["output_file"], output_file, path),
    key!(Both, ["extra", "extras"], extra, strings),
    key!(Both, ["all_extras"], all_extras, boolean),
    key!(Pinwheel, ["group"], group, strings),
    key!(
        Pinwheel,
        ["python_version"],
        python_version,
        string_or_strings
    ),
    key!(
        Pinwheel,
        ["python_platform"],
        python_platform,
        string_or_strings
    ),
    key!(Both, ["index_url"], index_url, string),
    key!(Both, ["extra_index_url"], extra_index_url, strings),
    key!(Pinwheel, ["index_strategy"], index_strategy, choice),
    key!(Pinwheel, ["index"], index, named_indexes),
    key!(Pinwheel, ["sources"], sources, sources),
    key!(Pinwheel, ["report_shadowed"], report_shadowed, boolean),
    key!(Pinwheel, ["fail_on_shadowed"], fail_on_shadowed, boolean),
    key!(
        Pinwheel,
        ["verify_attestations"],
        verify_attestations,
        boolean
    ),
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
    key!(Pinwheel, ["remote_cache"], remote_cache, string),
    key!(Pinwheel, ["remote_cache_mode"], remote_cache_mode, choice),
    key!(
        Pinwheel,
        ["remote_cache_pages"],
        remote_cache_pages,
        boolean
    ),
    key!(Pinwheel, ["cache_ttl"], cache_ttl, integer),
    key!(Pinwheel, ["no_cache"], no_cache, boolean),
    key!(Pinwheel, ["offline"], offline, boolean),
    key!(Pinwheel, ["python"], python, path),
    key!(Pinwheel, ["no_build"], no_build, boolean),
    key!(Pinwheel, ["universal"], universal, boolean),
    key!(Pinwheel, ["required_platform"], required_platform, strings),
    key!(Pinwheel, ["build_timeout"], build_timeout, integer),
    key!(Pinwheel, ["build_jobs"], build_jobs, integer),
    key!(Both, ["reuse_hashes"], reuse_hashes, boolean),
    negated!(Both, ["no_reuse_hashes"], reuse_hashes),
    key!(Both, ["cert"], cert, path),
    key!(Both, ["client_cert"], client_cert, path),
    key!(Both, ["trusted_host"], trusted_host, strings),
    key!(Both, ["emit_trusted_host"], emit_trusted_host, boolean),
    negated!(Both, ["no_emit_trusted_host"], emit_trusted_host),
    // pip's option, which pip-compile users give pip through `PIP_KEYRING_PROVIDER`.
    key!(Both, ["keyring_provider"], keyring_provider, choice),
];

/// Whether a configuration file may set the option of this key (normalised, `_` for `-`).
#[must_use]
pub fn is_key(normalised: &str) -> bool {
    KEYS.iter().any(|spec| spec.names.contains(&normalised))
}
