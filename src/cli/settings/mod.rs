//! Turning what the user typed (arguments, environment, configuration files, option lines of the
//! inputs) into the plain option values the library takes. This is the only place that reads
//! environment variables, merges configuration or applies defaults: [`Options::merge`] settles
//! each option once (command line > configuration > default), and the rest reads [`Options`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context as _, Result};
use jiff::Timestamp;
use url::Url;

use super::args::{IndexArgs, KeyringProviderArg, TargetArgs};
use super::config::{NamedIndex, Sources};
use super::shown_urls::hide_credentials;
use crate::index::{
    CacheMode, ClientOptions, FindLinks, IndexStrategy, KeyringProvider, PYPI_SIMPLE, TlsFiles,
};
use crate::inputs::{IndexOptions, Variables};
use crate::resolver::PackageSelector;
use crate::target::{Platform, PythonVersion, Target};
use crate::types::{PackageName, RedactedUrl};

mod cache;
mod check;
mod download;
mod existing;
mod header;
mod indexes;
mod resolve;
#[cfg(test)]
mod tests;

pub use cache::{package_names, prune_limits};
pub use check::{CheckSettings, check_settings};
pub use download::{DownloadSettings, download_settings};
pub(super) use existing::{existing_pins, existing_pins_on};
use indexes::{NamedUrls, index_strategy, named_urls};
pub use resolve::{
    Compilation, Options, OutputTarget, ResolveSettings, UpgradePackage, resolve_settings,
    settle_options, source_files,
};
pub(super) use resolve::{default_output, output_target};

/// The values of `${NAME}` references in requirements files: the process environment, as pip
/// uses it. Variables whose name or value is not UTF-8 cannot be referenced and are left out.
#[must_use]
pub fn environment_variables() -> Variables {
    std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
        .collect()
}

/// The Python version targeted when none is given (`resolve` and `check`).
pub const DEFAULT_PYTHON_VERSION: &str = DEFAULT_PYTHON;

/// A lock's relative `--find-links` directory, taken from the lock's directory when it exists
/// there (as pip reads requirements files), else as written (relative to the working directory).
fn relative_to_lock(link: &str, lock_dir: &Path) -> String {
    if link.contains("://") || Path::new(link).is_absolute() {
        return link.to_string();
    }
    let beside_lock = lock_dir.join(link);
    if beside_lock.exists() {
        beside_lock.display().to_string()
    } else {
        link.to_string()
    }
}

/// One target of `check` or `resolve`, with the names it is shown under.
#[derive(Clone, Debug)]
pub struct NamedTarget {
    /// The Python version as the user typed it (`3.12`).
    pub python: String,
    /// The platform as the user typed it (`linux`), or the host's full name.
    pub platform: String,
    /// The target.
    pub target: Target,
}

/// Every version of `versions` on every platform of `platforms` (the host's when none is
/// given), Python-major, without repeats: the targets of `check` and of `resolve`.
fn named_targets(versions: &[String], platforms: &[String]) -> Result<Vec<NamedTarget>> {
    let mut pythons: Vec<(&str, PythonVersion)> = Vec::new();
    for text in versions {
        let python = PythonVersion::from_str(text)
            .with_context(|| format!("invalid `--python-version {text}`"))?;
        if !pythons.iter().any(|(_, known)| *known == python) {
            pythons.push((text, python));
        }
    }
    let mut known_platforms: Vec<(String, Platform)> = Vec::new();
    if platforms.is_empty() {
        known_platforms.push((Platform::host().to_string(), Platform::host()));
    }
    for name in platforms {
        let platform = Platform::from_str(name)
            .with_context(|| format!("invalid `--python-platform {name}`"))?;
        if !known_platforms.iter().any(|(_, known)| *known == platform) {
            known_platforms.push((name.clone(), platform));
        }
    }
    Ok(pythons
        .iter()
        .flat_map(|(python_name, python)| {
            known_platforms
                .iter()
                .map(move |(platform_name, platform)| NamedTarget {
                    python: (*python_name).to_string(),
                    platform: platform_name.clone(),
                    target: Target::new(*python, *platform),
                })
        })
        .collect())
}

/// The target a command works for.
fn target(args: &TargetArgs) -> Result<Target> {
    let python = PythonVersion::from_str(&args.python_version)
        .with_context(|| format!("invalid `--python-version {}`", args.python_version))?;
    let platform = match &args.python_platform {
        Some(name) => Platform::from_str(name)
            .with_context(|| format!("invalid `--python-platform {name}`"))?,
        None => Platform::host(),
    };
    Ok(Target::new(python, platform))
}

/// `--keyring-provider`: pip's `auto` and `import` run the `keyring` command too, as there is
/// no Python here to import keyring into (pip's `auto` falls back to the command as well);
/// none given is `disabled`, as in uv, so that no URL with a user name runs a command unasked.
pub(super) fn keyring_provider(arg: Option<KeyringProviderArg>) -> KeyringProvider {
    match arg {
        None | Some(KeyringProviderArg::Disabled) => KeyringProvider::Disabled,
        Some(
            KeyringProviderArg::Auto | KeyringProviderArg::Import | KeyringProviderArg::Subprocess,
        ) => KeyringProvider::Subprocess,
    }
}

/// The netrc file pip reads: the one `NETRC` names, else `~/.netrc`.
fn netrc_path() -> Option<PathBuf> {
    std::env::var_os("NETRC")
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|home| home.join(".netrc")))
}

/// The cache directory: `--cache-dir` (or `PINWHEEL_CACHE_DIR`, which clap reads into it), else
/// the platform's cache directory (`~/.cache/pinwheel` on Linux), else `.pinwheel-cache`.
#[must_use]
pub fn cache_dir(explicit: Option<&Path>) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| dirs::cache_dir().map(|dir| dir.join("pinwheel")))
        .unwrap_or_else(|| PathBuf::from(".pinwheel-cache"))
}

/// The target Python when none is given.
const DEFAULT_PYTHON: &str = "3.12";
/// How long a cached index page is fresh when not told: PyPI's own max-age.
const DEFAULT_CACHE_TTL: u64 = 600;

/// `2026-11-01T00:00:00Z`, or a date meaning the whole of that day in the local time zone, as uv
/// reads it: the cutoff is the next day's midnight there. (A date that stopped at its first
/// midnight left out files uploaded that afternoon, and locks made with uv and with pinwheel
/// for the same date differed.) When the local time zone cannot be determined, UTC.
fn parse_timestamp(text: &str) -> Result<Timestamp> {
    parse_timestamp_in(text, || {
        jiff::tz::TimeZone::try_system().unwrap_or_else(|error| {
            tracing::warn!(
                "cannot tell the local time zone ({error}): `--exclude-newer {text}` is read in UTC"
            );
            jiff::tz::TimeZone::UTC
        })
    })
}

/// [`parse_timestamp`] with the local time zone from `local`, asked only for a date.
fn parse_timestamp_in(text: &str, local: impl FnOnce() -> jiff::tz::TimeZone) -> Result<Timestamp> {
    if let Ok(timestamp) = Timestamp::from_str(text) {
        return Ok(timestamp);
    }
    let date = jiff::civil::Date::from_str(text).with_context(|| {
        format!(
            "invalid `--exclude-newer {text}`: expected an RFC 3339 timestamp or a YYYY-MM-DD date"
        )
    })?;
    Ok(date.tomorrow()?.to_zoned(local())?.timestamp())
}

/// `:all:`, `:none:` (resets) or comma-separated names, as pip reads `--only-binary`.
fn selector<'a>(values: impl Iterator<Item = &'a String>) -> Result<PackageSelector> {
    let mut all = false;
    let mut names = HashSet::new();
    for value in values {
        for part in value
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
        {
            match part {
                ":all:" => all = true,
                ":none:" => {
                    all = false;
                    names.clear();
                }
                name => {
                    names.insert(
                        PackageName::from_str(name)
                            .with_context(|| format!("invalid package name `{name}`"))?,
                    );
                }
            }
        }
    }
    Ok(if all {
        PackageSelector::All
    } else if names.is_empty() {
        PackageSelector::None
    } else {
        PackageSelector::Some(names.into_iter().collect())
    })
}

/// What the index client needs from the command line: `resolve`'s merged [`Options`] or the
/// [`IndexArgs`] of `check` and `download`.
struct IndexChoice<'a> {
    index_url: Option<&'a str>,
    /// Used when neither `index_url` nor the files name an index (`PIP_INDEX_URL`).
    fallback_index_url: Option<&'a str>,
    /// pip's environment's first, then the command line's (as pip appends them).
    extra_index_url: Vec<&'a String>,
    /// `[[tool.pinwheel.index]]`.
    named: &'a [NamedIndex],
    /// `[tool.pinwheel.sources]`.
    sources: Option<&'a Sources>,
    strategy: IndexStrategy,
    find_links: Vec<&'a String>,
    no_index: bool,
    offline: bool,
    refresh: bool,
    cache_ttl: u64,
    probe_metadata: bool,
    tls: TlsFiles,
    keyring: KeyringProvider,
    /// pip's environment's first, then the command line's (as pip appends them).
    trusted_hosts: Vec<&'a String>,
}

impl<'a> From<&'a Options> for IndexChoice<'a> {
    fn from(options: &'a Options) -> Self {
        let environment = &options.pip_environment;
        Self {
            index_url: options.index_url.as_deref(),
            fallback_index_url: environment.index_url.as_deref(),
            extra_index_url: environment
                .extra_index_urls
                .iter()
                .chain(&options.extra_index_url)
                .collect(),
            named: &options.named_indexes,
            sources: Some(&options.sources),
            strategy: options.index_strategy,
            find_links: environment
                .find_links
                .iter()
                .chain(&options.find_links)
                .collect(),
            no_index: options.no_index || environment.no_index,
            offline: options.offline,
            refresh: options.refresh,
            cache_ttl: options.cache_ttl,
            probe_metadata: options.probe_metadata,
            tls: TlsFiles {
                ca_bundle: options.cert.clone(),
                client_identity: options.client_cert.clone(),
            },
            keyring: options.keyring_provider,
            trusted_hosts: environment
                .trusted_hosts
                .iter()
                .chain(&options.trusted_host)
                .collect(),
        }
    }
}

impl<'a> From<&'a IndexArgs> for IndexChoice<'a> {
    fn from(args: &'a IndexArgs) -> Self {
        Self {
            index_url: args.index_url.as_deref(),
            fallback_index_url: None,
            extra_index_url: args.extra_index_url.iter().collect(),
            named: &[],
            sources: None,
            strategy: IndexStrategy::FirstIndex,
            find_links: args.find_links.iter().collect(),
            no_index: args.no_index,
            offline: args.offline,
            refresh: args.refresh,
            cache_ttl: args.cache_ttl,
            probe_metadata: false,
            tls: TlsFiles::default(),
            keyring: keyring_provider(args.keyring_provider),
            trusted_hosts: args
                .trusted_host
                .iter()
                .filter(|host| !host.is_empty())
                .collect(),
        }
    }
}

/// The index client's options: the command line first, then the option lines of the files
/// read (`from_files`: a `.in` file's or a lock's), then PyPI.
fn client_options(choice: &IndexChoice<'_>, from_files: &IndexOptions) -> Result<ClientOptions> {
    let parse = |text: &str| {
        Url::parse(text)
            .map(RedactedUrl::new)
            .with_context(|| format!("invalid index URL `{}`", hide_credentials(text).0))
    };
    let mut indexes = Vec::new();
    let mut named = NamedUrls::default();
    if !(choice.no_index || from_files.no_index) {
        named = named_urls(choice.named, choice.sources)?;
        // uv's order: extra indexes first, then the named ones, then the base index.
        for extra in choice
            .extra_index_url
            .iter()
            .copied()
            .chain(&from_files.extra_index_urls)
        {
            indexes.push(parse(extra)?);
        }
        indexes.append(&mut named.searched);
        match choice
            .index_url
            .or(from_files.index_url.as_deref())
            .or(choice.fallback_index_url)
        {
            Some(base) => indexes.push(parse(base)?),
            None => indexes.push(named.default.map_or_else(|| parse(PYPI_SIMPLE), Ok)?),
        }
    }
    let mut find_links = Vec::new();
    for link in choice
        .find_links
        .iter()
        .copied()
        .chain(&from_files.find_links)
    {
        find_links.push(if link.contains("://") && !link.starts_with("file://") {
            FindLinks::Page(parse(link)?)
        } else {
            FindLinks::Directory(PathBuf::from(link.trim_start_matches("file://")))
        });
    }
    Ok(ClientOptions {
        indexes,
        strategy: choice.strategy,
        pins: named.pins,
        credentials: named.credentials,
        find_links,
        cache_mode: if choice.offline {
            CacheMode::Offline
        } else if choice.refresh {
            CacheMode::Refresh
        } else {
            CacheMode::Normal
        },
        page_ttl: Duration::from_secs(choice.cache_ttl),
        probe_unadvertised_metadata: choice.probe_metadata,
        tls: choice.tls.clone(),
        netrc: netrc_path(),
        keyring: choice.keyring,
        trusted_hosts: trusted_hosts(&choice.trusted_hosts, from_files),
        ..ClientOptions::default()
    })
}

/// The `--trusted-host`s in effect: `choice`'s, then the files' lines, once each (the order
/// pip-compile writes them in).
fn trusted_hosts(choice: &[&String], from_files: &IndexOptions) -> Vec<String> {
    let mut hosts: Vec<String> = Vec::new();
    for host in choice.iter().copied().chain(&from_files.trusted_hosts) {
        if !hosts.contains(host) {
            hosts.push(host.clone());
        }
    }
    hosts
}

/// The cache directory: `--cache-dir` (or `PINWHEEL_CACHE_DIR`), else the user's cache
/// directory; none with `--no-cache`.
fn index_cache_dir(args: &IndexArgs) -> Option<PathBuf> {
    (!args.no_cache).then(|| cache_dir(args.cache_dir.as_deref()))
}
