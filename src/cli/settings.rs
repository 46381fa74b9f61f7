//! Turning what the user typed (arguments, environment, configuration files, option lines of the
//! inputs) into the plain option values the library takes. This is the only place that reads
//! environment variables, merges configuration or applies defaults: [`Options::merge`] settles
//! each option once (command line > configuration > default), and the rest reads [`Options`].

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use clap::ValueEnum;
use jiff::Timestamp;
use pep508_rs::Requirement;
use url::Url;

use super::args::{
    AnnotationStyleArg, CheckArgs, DownloadArgs, FormatArg, IndexArgs, NewlineArg, PrereleaseArg,
    ResolutionArg, ResolveArgs, TargetArgs,
};
use super::config::{self, Config, ConfigOptions, Lookup};
use super::pip_compile::{Program, trusted_host_lines};
use super::pip_env::PipEnvironment;
use super::shown_urls::{ShownUrls, hide_credentials, lock_index_options, typed_urls};
use super::units::{parse_duration, parse_size};
use crate::cache::maintenance::PruneLimits;
use crate::download::DownloadOptions;
use crate::index::{CacheMode, ClientOptions, FindLinks, PYPI_SIMPLE, TlsFiles};
use crate::inputs::{
    IndexOptions, LocalPaths, Manifest, OriginKind, ReadOptions, Variables, read_manifest,
};
use crate::lockcheck::{CheckOptions, SdistPolicy};
use crate::lockfile::Lock;
use crate::resolver::{
    PackageSelector, PrereleaseMode, ResolutionStrategy, ResolveOptions, SelectionOptions,
};
use crate::target::{Platform, PythonVersion, Target};
use crate::types::{PackageName, RedactedUrl, Version};
use crate::writers::{AnnotationStyle, Header, WriteOptions};
use pep440_rs::Operator;
use pep508_rs::VersionOrUrl;

/// Where the lock goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputTarget {
    /// Standard output.
    Stdout,
    /// A file, written atomically.
    File(PathBuf),
}

/// Everything `resolve` needs, settled.
pub struct ResolveSettings {
    /// The target.
    pub target: Target,
    /// Resolver options.
    pub resolve: ResolveOptions,
    /// Index client options.
    pub client: ClientOptions,
    /// The cache directory, or none (`--no-cache`).
    pub cache_dir: Option<PathBuf>,
    /// Writer options.
    pub write: WriteOptions,
    /// Where to write.
    pub output: OutputTarget,
    /// Whether a password or token of an index URL is written as `****` (installing from the
    /// lock then needs the credentials from elsewhere: `resolve` warns).
    pub hid_credentials: bool,
}

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

/// One target of `check`, with the names its column is shown under.
pub struct NamedTarget {
    /// The Python version as the user typed it (`3.12`).
    pub python: String,
    /// The platform as the user typed it (`linux`), or the host's full name.
    pub platform: String,
    /// The target.
    pub target: Target,
}

/// Everything `check` needs, settled.
pub struct CheckSettings {
    /// Every `--python-version` on every `--python-platform`, Python-major, without repeats.
    pub targets: Vec<NamedTarget>,
    /// Index client options.
    pub client: ClientOptions,
    /// The cache directory, or none (`--no-cache`).
    pub cache_dir: Option<PathBuf>,
    /// How findings are judged.
    pub options: CheckOptions,
    /// How the report is printed.
    pub format: FormatArg,
}

/// Settles `check`'s settings from its arguments and the lock's own option lines: without
/// `--index-url`, the lock's `--index-url` is used (else PyPI), and its `--extra-index-url`,
/// `--find-links` and `--no-index` lines add to the command line's, as a `.in` file's do for
/// `resolve`.
pub fn check_settings(args: &CheckArgs, lock: &Lock, lock_path: &Path) -> Result<CheckSettings> {
    let default_python = [DEFAULT_PYTHON_VERSION.to_string()];
    let versions = if args.python_version.is_empty() {
        &default_python[..]
    } else {
        &args.python_version[..]
    };
    let mut pythons: Vec<(&str, PythonVersion)> = Vec::new();
    for text in versions {
        let python = PythonVersion::from_str(text)
            .with_context(|| format!("invalid `--python-version {text}`"))?;
        if !pythons.iter().any(|(_, known)| *known == python) {
            pythons.push((text, python));
        }
    }
    let mut platforms: Vec<(String, Platform)> = Vec::new();
    if args.python_platform.is_empty() {
        platforms.push((Platform::host().to_string(), Platform::host()));
    }
    for name in &args.python_platform {
        let platform = Platform::from_str(name)
            .with_context(|| format!("invalid `--python-platform {name}`"))?;
        if !platforms.iter().any(|(_, known)| *known == platform) {
            platforms.push((name.clone(), platform));
        }
    }
    let targets = pythons
        .iter()
        .flat_map(|(python_name, python)| {
            platforms
                .iter()
                .map(move |(platform_name, platform)| NamedTarget {
                    python: (*python_name).to_string(),
                    platform: platform_name.clone(),
                    target: Target::new(*python, *platform),
                })
        })
        .collect();

    let lock_dir = lock_path.parent().unwrap_or_else(|| Path::new(""));
    let from_lock = IndexOptions {
        find_links: lock
            .find_links
            .iter()
            .map(|link| relative_to_lock(link, lock_dir))
            .collect(),
        ..lock_index_options(lock, &environment_variables())
    };
    Ok(CheckSettings {
        targets,
        client: client_options(&(&args.index).into(), &from_lock)?,
        cache_dir: index_cache_dir(&args.index),
        options: CheckOptions {
            sdist: if args.require_wheels {
                SdistPolicy::Fail
            } else {
                SdistPolicy::Warn
            },
        },
        format: args.format,
    })
}

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

/// Everything `download` needs, settled.
pub struct DownloadSettings {
    /// The target.
    pub target: Target,
    /// Index client options.
    pub client: ClientOptions,
    /// The cache directory, or none (`--no-cache`).
    pub cache_dir: Option<PathBuf>,
    /// What to download where.
    pub download: DownloadOptions,
}

/// Pins downloaded at once. Each streams one file to disk, so this bounds open files and
/// transfers rather than memory; the index client's own bound (50 requests) still applies.
const DOWNLOAD_JOBS: usize = 8;

/// Settles the settings of `download` from the arguments and the lock's option lines (read
/// from `lock_path`): `-i` and the other index flags win over the lock's, as in resolve.
pub fn download_settings(
    args: &DownloadArgs,
    lock: &Lock,
    lock_path: &Path,
) -> Result<DownloadSettings> {
    let lines = IndexOptions {
        find_links: lock
            .find_links
            .iter()
            .map(|link| relative_to_lock(link, lock_path.parent().unwrap_or_else(|| Path::new(""))))
            .collect(),
        ..lock_index_options(lock, &environment_variables())
    };
    Ok(DownloadSettings {
        target: target(&args.target)?,
        client: client_options(&(&args.index).into(), &lines)?,
        cache_dir: index_cache_dir(&args.index),
        download: DownloadOptions {
            dest: args.dest.clone(),
            require_hashes: args.require_hashes,
            jobs: DOWNLOAD_JOBS,
        },
    })
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

/// The cache directory: `--cache-dir` (or `PINWHEEL_CACHE_DIR`, which clap reads into it), else
/// the platform's cache directory (`~/.cache/pinwheel` on Linux), else `.pinwheel-cache`.
#[must_use]
pub fn cache_dir(explicit: Option<&Path>) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| dirs::cache_dir().map(|dir| dir.join("pinwheel")))
        .unwrap_or_else(|| PathBuf::from(".pinwheel-cache"))
}

/// `cache prune`'s limits, from `--max-size` and `--older-than`.
pub fn prune_limits(max_size: Option<&str>, older_than: Option<&str>) -> Result<PruneLimits> {
    Ok(PruneLimits {
        max_size: max_size
            .map(|text| parse_size(text).with_context(|| format!("invalid `--max-size {text}`")))
            .transpose()?,
        older_than: older_than
            .map(|text| {
                parse_duration(text).with_context(|| format!("invalid `--older-than {text}`"))
            })
            .transpose()?,
    })
}

/// Package names given on the command line, normalised.
pub fn package_names(names: &[String]) -> Result<Vec<PackageName>> {
    names
        .iter()
        .map(|name| {
            PackageName::from_str(name).with_context(|| format!("invalid package name `{name}`"))
        })
        .collect()
}

/// The source files to read: the ones given, else `requirements.in`.
pub fn source_files(args: &ResolveArgs) -> Result<Vec<PathBuf>> {
    if !args.src_files.is_empty() || !args.with.is_empty() {
        return Ok(args.src_files.clone());
    }
    for default in ["requirements.in", "pyproject.toml", "setup.cfg"] {
        let default = PathBuf::from(default);
        if default.exists() {
            return Ok(vec![default]);
        }
    }
    bail!(
        "no input files given, and no `requirements.in`, `pyproject.toml` or `setup.cfg` in the current directory"
    )
}

/// The target Python when none is given.
const DEFAULT_PYTHON: &str = "3.12";
/// How long a cached index page is fresh when not told: PyPI's own max-age.
const DEFAULT_CACHE_TTL: u64 = 600;

/// One `-P/--upgrade-package` value.
#[derive(Clone, Debug)]
pub struct UpgradePackage {
    /// The package freed from its existing pin.
    pub name: PackageName,
    /// The whole requirement when it says more than the name (`django<5`, a marker): it
    /// constrains the package as a `-c` line would.
    pub constraint: Option<Requirement>,
}

impl FromStr for UpgradePackage {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> Result<Self> {
        let requirement = Requirement::from_str(text.trim())
            .with_context(|| format!("invalid `--upgrade-package {text}`"))?;
        let constraint = match &requirement.version_or_url {
            Some(VersionOrUrl::Url(_)) => bail!(
                "invalid `--upgrade-package {text}`: expected a name with an optional version specifier, not a URL"
            ),
            Some(VersionOrUrl::VersionSpecifier(_)) => true,
            None => !requirement.marker.is_true(),
        };
        Ok(Self {
            name: requirement.name.clone(),
            constraint: constraint.then_some(requirement),
        })
    }
}

/// The options of one `resolve` run: the command line (environment variables included) over the
/// configuration files over the defaults. Everything after this point reads these, never
/// [`ResolveArgs`] directly, so a value means the same wherever it came from.
#[derive(Clone, Debug)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "one field per option, as in ResolveArgs"
)]
pub struct Options {
    /// `--output-file`.
    pub output_file: Option<PathBuf>,
    /// `--extra`.
    pub extra: Vec<String>,
    /// `--all-extras`.
    pub all_extras: bool,
    /// `--group`.
    pub group: Vec<String>,
    /// `--python-version`.
    pub python_version: String,
    /// `--python-platform`.
    pub python_platform: Option<String>,
    /// `--index-url`.
    pub index_url: Option<String>,
    /// `--extra-index-url`.
    pub extra_index_url: Vec<String>,
    /// `--find-links`.
    pub find_links: Vec<String>,
    /// `--no-index`.
    pub no_index: bool,
    /// `--generate-hashes`.
    pub generate_hashes: bool,
    /// `--annotate`.
    pub annotate: bool,
    /// `--annotation-style`.
    pub annotation_style: AnnotationStyleArg,
    /// `--header`.
    pub header: bool,
    /// `--allow-unsafe`.
    pub allow_unsafe: bool,
    /// `--strip-extras`.
    pub strip_extras: bool,
    /// `--constraint`.
    pub constraint: Vec<PathBuf>,
    /// `--overrides`.
    pub overrides: Vec<PathBuf>,
    /// `--newline`.
    pub newline: NewlineArg,
    /// `--emit-index-url`.
    pub emit_index_url: bool,
    /// `--emit-find-links`.
    pub emit_find_links: bool,
    /// `--emit-options`.
    pub emit_options: bool,
    /// `--emit-index-annotation`.
    pub emit_index_annotation: bool,
    /// `--pre`.
    pub pre: bool,
    /// `--prerelease`.
    pub prerelease: Option<PrereleaseArg>,
    /// `--resolution`.
    pub resolution: ResolutionArg,
    /// `--exclude-newer`.
    pub exclude_newer: Option<String>,
    /// `--only-binary`.
    pub only_binary: Vec<String>,
    /// `--no-binary`.
    pub no_binary: Vec<String>,
    /// `--unsafe-package`.
    pub unsafe_package: Vec<String>,
    /// `--upgrade`.
    pub upgrade: bool,
    /// `--upgrade-package`.
    pub upgrade_package: Vec<UpgradePackage>,
    /// `--cache-dir`.
    pub cache_dir: Option<PathBuf>,
    /// `--cache-ttl`.
    pub cache_ttl: u64,
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--offline`.
    pub offline: bool,
    /// `--refresh`.
    pub refresh: bool,
    /// `--probe-metadata`.
    pub probe_metadata: bool,
    /// `--config FILE` as typed: the header names it, as pip-compile does.
    pub config: Option<PathBuf>,
    /// `--reuse-hashes`.
    pub reuse_hashes: bool,
    /// `--cert`.
    pub cert: Option<PathBuf>,
    /// `--client-cert`.
    pub client_cert: Option<PathBuf>,
    /// `--trusted-host`.
    pub trusted_host: Vec<String>,
    /// `--emit-trusted-host`.
    pub emit_trusted_host: bool,
    /// The command the header names (`pinwheel resolve` or `pip-compile`).
    pub program: Program,
    /// pip's environment variables: they add to the index options, not to the header.
    pub pip_environment: PipEnvironment,
}

/// The configuration files `args` ask for, next to `sources`.
///
/// # Errors
/// When a configuration file cannot be read or has unknown keys or values of the wrong type.
pub fn load_config(args: &ResolveArgs, sources: &[PathBuf]) -> Result<Config> {
    let lookup = if args.no_config {
        Lookup::Disabled
    } else if let Some(path) = &args.config {
        Lookup::Explicit(path)
    } else {
        Lookup::Discover(sources)
    };
    Ok(config::load(lookup)?)
}

/// `--flag`/`--no-flag` as typed: `None` when neither was.
fn typed(yes: bool, no: bool) -> Option<bool> {
    match (yes, no) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

/// A repeatable option: the command line's values replace the configuration's (as pip-compile's
/// configuration only sets defaults).
fn list<T: Clone>(typed: &[T], configured: Option<Vec<T>>) -> Vec<T> {
    if typed.is_empty() {
        configured.unwrap_or_default()
    } else {
        typed.to_vec()
    }
}

impl Options {
    /// Merges the command line over `config` over the defaults.
    ///
    /// # Errors
    /// When a `-P` value is not a requirement.
    pub fn merge(args: &ResolveArgs, config: ConfigOptions) -> Result<Self> {
        let upgrade_package = list(&args.upgrade_package, config.upgrade_package)
            .iter()
            .map(|text| UpgradePackage::from_str(text))
            .collect::<Result<_>>()?;
        Ok(Self {
            output_file: args.output_file.clone().or(config.output_file),
            extra: list(&args.extra, config.extra),
            all_extras: args.all_extras || config.all_extras.unwrap_or(false),
            group: list(&args.group, config.group),
            python_version: args
                .python_version
                .clone()
                .or(config.python_version)
                .unwrap_or_else(|| DEFAULT_PYTHON.to_string()),
            python_platform: args.python_platform.clone().or(config.python_platform),
            index_url: args.index_url.clone().or(config.index_url),
            extra_index_url: list(&args.extra_index_url, config.extra_index_url),
            find_links: list(&args.find_links, config.find_links),
            no_index: args.no_index || config.no_index.unwrap_or(false),
            generate_hashes: typed(args.generate_hashes, args.no_generate_hashes)
                .or(config.generate_hashes)
                .unwrap_or(false),
            annotate: typed(args.annotate, args.no_annotate)
                .or(config.annotate)
                .unwrap_or(true),
            annotation_style: args
                .annotation_style
                .or(config.annotation_style)
                .unwrap_or(AnnotationStyleArg::Split),
            header: typed(args.header, args.no_header)
                .or(config.header)
                .unwrap_or(true),
            allow_unsafe: typed(args.allow_unsafe, args.no_allow_unsafe)
                .or(config.allow_unsafe)
                .unwrap_or(false),
            strip_extras: typed(args.strip_extras, args.no_strip_extras)
                .or(config.strip_extras)
                .unwrap_or(false),
            constraint: list(&args.constraint, config.constraint),
            overrides: list(&args.overrides, config.overrides),
            newline: args
                .newline
                .or(config.newline)
                .unwrap_or(NewlineArg::Preserve),
            emit_index_url: typed(args.emit_index_url, args.no_emit_index_url)
                .or(config.emit_index_url)
                .unwrap_or(true),
            emit_find_links: typed(args.emit_find_links, args.no_emit_find_links)
                .or(config.emit_find_links)
                .unwrap_or(true),
            emit_options: typed(args.emit_options, args.no_emit_options)
                .or(config.emit_options)
                .unwrap_or(true),
            emit_index_annotation: typed(args.emit_index_annotation, args.no_emit_index_annotation)
                .or(config.emit_index_annotation)
                .unwrap_or(false),
            pre: args.pre || config.pre.unwrap_or(false),
            prerelease: args.prerelease.or(config.prerelease),
            resolution: args
                .resolution
                .or(config.resolution)
                .unwrap_or(ResolutionArg::Highest),
            exclude_newer: args.exclude_newer.clone().or(config.exclude_newer),
            only_binary: list(&args.only_binary, config.only_binary),
            no_binary: list(&args.no_binary, config.no_binary),
            unsafe_package: list(&args.unsafe_package, config.unsafe_package),
            upgrade: typed(args.upgrade, args.no_upgrade)
                .or(config.upgrade)
                .unwrap_or(false),
            upgrade_package,
            cache_dir: args.cache_dir.clone().or(config.cache_dir),
            cache_ttl: args
                .cache_ttl
                .or(config.cache_ttl)
                .unwrap_or(DEFAULT_CACHE_TTL),
            no_cache: args.no_cache || config.no_cache.unwrap_or(false),
            offline: args.offline || config.offline.unwrap_or(false),
            refresh: args.refresh,
            probe_metadata: args.probe_metadata,
            config: args.config.clone(),
            reuse_hashes: typed(args.reuse_hashes, args.no_reuse_hashes)
                .or(config.reuse_hashes)
                .unwrap_or(true),
            cert: args.cert.clone().or(config.cert),
            client_cert: args.client_cert.clone().or(config.client_cert),
            trusted_host: list(&args.trusted_host, config.trusted_host),
            emit_trusted_host: typed(args.emit_trusted_host, args.no_emit_trusted_host)
                .or(config.emit_trusted_host)
                .unwrap_or(true),
            program: args.program,
            pip_environment: args.pip_environment.clone(),
        })
    }
}

/// Settles the settings of one run from the options and the inputs' option lines.
pub fn resolve_settings(
    options: &Options,
    sources: &[PathBuf],
    manifest: &Manifest,
    variables: &Variables,
) -> Result<ResolveSettings> {
    let python = PythonVersion::from_str(&options.python_version)
        .with_context(|| format!("invalid `--python-version {}`", options.python_version))?;
    let platform = match &options.python_platform {
        Some(name) => Platform::from_str(name)
            .with_context(|| format!("invalid `--python-platform {name}`"))?,
        None => Platform::host(),
    };
    let target = Target::new(python, platform);

    let pre = options.pre || options.pip_environment.pre || manifest.resolver.pre;
    let prerelease = match (pre, options.prerelease) {
        (_, Some(mode)) => prerelease_mode(mode),
        (true, None) => PrereleaseMode::Allow,
        (false, None) => PrereleaseMode::default(),
    };
    let exclude_newer = options
        .exclude_newer
        .as_deref()
        .map(parse_timestamp)
        .transpose()?;
    let only_binary = selector(
        options
            .only_binary
            .iter()
            .chain(&manifest.resolver.only_binary),
    )?;
    let no_binary = selector(options.no_binary.iter().chain(&manifest.resolver.no_binary))?;
    let output = output_target(options, sources)?;
    let preferences = existing_pins(options, &output, variables)?;
    let resolve = ResolveOptions {
        preferences,
        upgrade_constraints: options
            .upgrade_package
            .iter()
            .filter_map(|package| package.constraint.clone())
            .collect(),
        strategy: match options.resolution {
            ResolutionArg::Highest => ResolutionStrategy::Highest,
            ResolutionArg::Lowest => ResolutionStrategy::Lowest,
            ResolutionArg::LowestDirect => ResolutionStrategy::LowestDirect,
        },
        selection: SelectionOptions {
            prerelease,
            exclude_newer,
            only_binary,
            no_binary,
        },
    };

    let client = client_options(&options.into(), &manifest.index)?;
    let typed = typed_urls(options);
    let shown = ShownUrls::new(&typed, &manifest.index);
    let header_hides = options.header && typed.iter().any(|text| hide_credentials(text).1);
    let cache_dir = (!options.no_cache).then(|| cache_dir(options.cache_dir.as_deref()));

    let write = WriteOptions {
        header: options.header.then(|| Header {
            python_version: format!("{}.{}", target.python().major(), target.python().minor()),
            command: header_command(options, sources),
        }),
        option_lines: if options.emit_options {
            let mut lines = option_lines(
                &client,
                &shown,
                options.emit_index_url,
                options.emit_find_links,
            );
            lines.extend(trusted_host_lines(
                options.emit_trusted_host,
                &options.trusted_host,
            ));
            lines
        } else {
            Vec::new()
        },
        hashes: options.generate_hashes,
        annotations: options.annotate.then_some(match options.annotation_style {
            AnnotationStyleArg::Split => AnnotationStyle::Split,
            AnnotationStyleArg::Line => AnnotationStyle::Line,
        }),
        index_annotations: options.emit_index_annotation,
        allow_unsafe: options.allow_unsafe,
        unsafe_packages: unsafe_packages(options)?,
        strip_extras: options.strip_extras,
    };
    Ok(ResolveSettings {
        target,
        resolve,
        client,
        cache_dir,
        write,
        output,
        hid_credentials: header_hides || shown.hid_secret(),
    })
}

/// The `name==version` pins of the existing output file: what pip-compile keeps unless told to
/// upgrade (`-U` ignores them all, `-P NAME` frees one). A missing file means no pins.
pub(super) fn existing_pins(
    options: &Options,
    output: &OutputTarget,
    variables: &Variables,
) -> Result<HashMap<PackageName, Version>> {
    let OutputTarget::File(path) = output else {
        return Ok(HashMap::new());
    };
    if options.upgrade || !path.exists() {
        return Ok(HashMap::new());
    }
    let freed: HashSet<&PackageName> = options
        .upgrade_package
        .iter()
        .map(|package| &package.name)
        .collect();
    let read_options = ReadOptions {
        variables,
        // Local and editable lines are not `==` pins.
        local_paths: LocalPaths::Skip,
    };
    let lock = read_manifest(path, OriginKind::Requirement, read_options)
        .with_context(|| format!("cannot read the existing pins in `{}`", path.display()))?;
    Ok(lock
        .requirements
        .into_iter()
        .filter(|entry| !freed.contains(&entry.requirement.name))
        .filter_map(|entry| {
            let Some(VersionOrUrl::VersionSpecifier(specifiers)) =
                &entry.requirement.version_or_url
            else {
                return None;
            };
            let [pin] = specifiers.iter().collect::<Vec<_>>()[..] else {
                return None;
            };
            (*pin.operator() == Operator::Equal)
                .then(|| (entry.requirement.name.clone(), pin.version().clone()))
        })
        .collect())
}

/// `--unsafe-package` names, or pip-compile's default list.
fn unsafe_packages(options: &Options) -> Result<Vec<PackageName>> {
    if options.unsafe_package.is_empty() {
        return Ok(["pip", "setuptools"]
            .iter()
            .filter_map(|name| PackageName::from_str(name).ok())
            .collect());
    }
    options
        .unsafe_package
        .iter()
        .map(|name| {
            PackageName::from_str(name)
                .with_context(|| format!("invalid `--unsafe-package {name}`"))
        })
        .collect()
}

fn prerelease_mode(arg: PrereleaseArg) -> PrereleaseMode {
    match arg {
        PrereleaseArg::Disallow => PrereleaseMode::Disallow,
        PrereleaseArg::Allow => PrereleaseMode::Allow,
        PrereleaseArg::IfNecessary => PrereleaseMode::IfNecessary,
        PrereleaseArg::Explicit => PrereleaseMode::Explicit,
        PrereleaseArg::IfNecessaryOrExplicit => PrereleaseMode::IfNecessaryOrExplicit,
    }
}

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
        PackageSelector::Some(names)
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
    find_links: Vec<&'a String>,
    no_index: bool,
    offline: bool,
    refresh: bool,
    cache_ttl: u64,
    probe_metadata: bool,
    tls: TlsFiles,
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
        }
    }
}

impl<'a> From<&'a IndexArgs> for IndexChoice<'a> {
    fn from(args: &'a IndexArgs) -> Self {
        Self {
            index_url: args.index_url.as_deref(),
            fallback_index_url: None,
            extra_index_url: args.extra_index_url.iter().collect(),
            find_links: args.find_links.iter().collect(),
            no_index: args.no_index,
            offline: args.offline,
            refresh: args.refresh,
            cache_ttl: args.cache_ttl,
            probe_metadata: false,
            tls: TlsFiles::default(),
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
    if !(choice.no_index || from_files.no_index) {
        // uv's order: extra indexes first, then the base index.
        for extra in choice
            .extra_index_url
            .iter()
            .copied()
            .chain(&from_files.extra_index_urls)
        {
            indexes.push(parse(extra)?);
        }
        let base = choice
            .index_url
            .or(from_files.index_url.as_deref())
            .or(choice.fallback_index_url)
            .unwrap_or(PYPI_SIMPLE);
        indexes.push(parse(base)?);
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
        ..ClientOptions::default()
    })
}

/// The cache directory: `--cache-dir` (or `PINWHEEL_CACHE_DIR`), else the user's cache
/// directory; none with `--no-cache`.
fn index_cache_dir(args: &IndexArgs) -> Option<PathBuf> {
    (!args.no_cache).then(|| cache_dir(args.cache_dir.as_deref()))
}

/// The options block pip-compile writes after the header, its URLs as `shown` shows them.
fn option_lines(
    client: &ClientOptions,
    shown: &ShownUrls,
    index_urls: bool,
    find_links: bool,
) -> Vec<String> {
    let mut lines = Vec::new();
    let pypi = Url::parse(PYPI_SIMPLE).ok().map(RedactedUrl::new);
    if !index_urls {
        // Nothing about indexes, not even `--no-index`.
    } else if let Some((base, extras)) = client.indexes.split_last() {
        if Some(base) != pypi.as_ref() {
            lines.push(format!("--index-url {}", shown.show(base)));
        }
        lines.extend(
            extras
                .iter()
                .map(|extra| format!("--extra-index-url {}", shown.show(extra))),
        );
    } else {
        lines.push("--no-index".to_string());
    }
    for link in client.find_links.iter().filter(|_| find_links) {
        lines.push(match link {
            FindLinks::Page(url) => format!("--find-links {}", shown.show(url)),
            FindLinks::Directory(path) => format!("--find-links {}", path.display()),
        });
    }
    lines
}

pub(super) fn output_target(options: &Options, sources: &[PathBuf]) -> Result<OutputTarget> {
    match &options.output_file {
        Some(path) if path == Path::new("-") => Ok(OutputTarget::Stdout),
        Some(path) => Ok(OutputTarget::File(path.clone())),
        None => match sources {
            // Only `--with` requirements: there is no file to name the output after.
            [] => Ok(OutputTarget::Stdout),
            [source] if source == Path::new("-") => {
                bail!("`--output-file` is required when the input is read from stdin")
            }
            [source] => Ok(OutputTarget::File(default_output(source))),
            _ => bail!("`--output-file` is required when two or more input files are given"),
        },
    }
}

/// `requirements.in` → `requirements.txt`; `foo` → `foo.txt`; a project file →
/// `requirements.txt` beside it (as pip-compile).
pub(super) fn default_output(source: &Path) -> PathBuf {
    if crate::inputs::is_project_file(source) {
        return source.with_file_name("requirements.txt");
    }
    if source
        .extension()
        .is_some_and(|extension| extension == "txt")
    {
        // Never overwrite an input.
        return source.with_extension("lock.txt");
    }
    source.with_extension("txt")
}

/// The command line shown in the header, re-synthesised as pip-compile does: long options,
/// sorted, `--opt=value`, sources last; options that do not change the result (cache,
/// verbosity, `-U`, `-P`) left out. Like pip-compile's, it shows the options in effect, those set
/// by a configuration file included, so that the header alone reproduces the lock; `--config
/// FILE` is shown unless FILE is one of the names looked for anyway. `CUSTOM_COMPILE_COMMAND`
/// replaces it.
fn header_command(options: &Options, sources: &[PathBuf]) -> String {
    if let Ok(custom) = std::env::var("CUSTOM_COMPILE_COMMAND") {
        return custom;
    }
    let mut words = Vec::new();
    let flags = [
        (options.all_extras, "--all-extras"),
        (options.allow_unsafe, "--allow-unsafe"),
        (options.generate_hashes, "--generate-hashes"),
        (!options.annotate, "--no-annotate"),
        (options.no_index, "--no-index"),
        (options.pre, "--pre"),
        (options.strip_extras, "--strip-extras"),
        (!options.emit_index_url, "--no-emit-index-url"),
        (!options.emit_find_links, "--no-emit-find-links"),
        (!options.emit_options, "--no-emit-options"),
        (options.emit_index_annotation, "--emit-index-annotation"),
        (!options.emit_trusted_host, "--no-emit-trusted-host"),
    ];
    words.extend(
        flags
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, flag)| (*flag).to_string()),
    );
    let display = |path: &PathBuf| path.display().to_string();
    // No literal password in the header.
    let hide = |url: &String| hide_credentials(url).0;
    let valued = [
        (
            "annotation-style",
            (options.annotation_style == AnnotationStyleArg::Line).then(|| "line".to_string()),
        ),
        ("exclude-newer", options.exclude_newer.clone()),
        ("cert", options.cert.as_ref().map(display)),
        ("client-cert", options.client_cert.as_ref().map(display)),
        (
            "resolution",
            value_name(options.resolution, ResolutionArg::Highest),
        ),
        (
            "prerelease",
            options.prerelease.and_then(|mode| value_name(mode, None)),
        ),
        ("newline", value_name(options.newline, NewlineArg::Preserve)),
        ("index-url", options.index_url.as_ref().map(hide)),
        ("output-file", options.output_file.as_ref().map(display)),
        ("python-platform", options.python_platform.clone()),
        (
            "python-version",
            (options.python_version != DEFAULT_PYTHON).then(|| options.python_version.clone()),
        ),
        (
            "config",
            options
                .config
                .as_ref()
                .filter(|path| !is_default_config_name(path))
                .map(display),
        ),
    ];
    for (name, value) in valued {
        if let Some(value) = value {
            words.push(format!("--{name}={value}"));
        }
    }
    let repeated = [
        ("extra", options.extra.clone()),
        (
            "constraint",
            options.constraint.iter().map(display).collect(),
        ),
        ("overrides", options.overrides.iter().map(display).collect()),
        ("group", options.group.clone()),
        (
            "extra-index-url",
            options.extra_index_url.iter().map(hide).collect(),
        ),
        ("find-links", options.find_links.iter().map(hide).collect()),
        ("only-binary", options.only_binary.clone()),
        ("no-binary", options.no_binary.clone()),
        ("unsafe-package", options.unsafe_package.clone()),
        ("trusted-host", options.trusted_host.clone()),
    ];
    for (name, values) in repeated {
        words.extend(values.iter().map(|value| format!("--{name}={value}")));
    }
    words.sort();
    // pip-compile sorts the sources too.
    let mut sources: Vec<String> = sources
        .iter()
        .map(|source| source.display().to_string())
        .collect();
    sources.sort();
    std::iter::once(options.program.command().to_string())
        .chain(words)
        .chain(sources)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The name clap knows `value` by, unless it is `default`.
fn value_name<T: ValueEnum + PartialEq>(value: T, default: impl Into<Option<T>>) -> Option<String> {
    if Some(&value) == default.into().as_ref() {
        return None;
    }
    value
        .to_possible_value()
        .map(|possible| possible.get_name().to_string())
}

/// `.pip-tools.toml` and `pyproject.toml`, as typed: pip-compile leaves `--config` out of the
/// header for those names.
fn is_default_config_name(path: &Path) -> bool {
    path == Path::new(config::PIP_TOOLS_FILE) || path == Path::new(config::PYPROJECT_FILE)
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    fn check_args(args: &[&str]) -> CheckArgs {
        use clap::Parser as _;
        let line = ["pinwheel", "check"].iter().chain(args);
        match super::super::args::Cli::try_parse_from(line)
            .unwrap()
            .command
        {
            super::super::args::Command::Check(args) => args,
            _ => panic!("parsed as another command"),
        }
    }

    #[test]
    fn check_targets_are_every_python_on_every_platform_once() {
        let args = check_args(&[
            "--python-version",
            "3.11",
            "--python-version",
            "3.12",
            "--python-version",
            "3.11",
            "--python-platform",
            "linux",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--python-platform",
            "windows",
            "lock.txt",
        ]);
        let settings = check_settings(&args, &Lock::default(), Path::new("lock.txt")).unwrap();
        let labels: Vec<String> = settings
            .targets
            .iter()
            .map(|named| format!("{} {} = {}", named.python, named.platform, named.target))
            .collect();
        // `linux` and `x86_64-manylinux_2_28` are one platform: it is checked once.
        assert_eq!(
            labels,
            [
                "3.11 linux = CPython 3.11 on x86_64-manylinux_2_28",
                "3.11 windows = CPython 3.11 on x86_64-pc-windows-msvc",
                "3.12 linux = CPython 3.12 on x86_64-manylinux_2_28",
                "3.12 windows = CPython 3.12 on x86_64-pc-windows-msvc",
            ]
        );
        let defaults = check_settings(
            &check_args(&["lock.txt"]),
            &Lock::default(),
            Path::new("lock.txt"),
        )
        .unwrap();
        assert_eq!(defaults.targets.len(), 1);
        assert_eq!(defaults.targets[0].python, DEFAULT_PYTHON_VERSION);
        assert_eq!(*defaults.targets[0].target.platform(), Platform::host());
    }

    #[test]
    fn a_locks_relative_find_links_are_read_beside_it_when_they_exist() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("wheels")).unwrap();
        let beside = dir.path().join("wheels").display().to_string();
        assert_eq!(relative_to_lock("wheels", dir.path()), beside);
        assert_eq!(relative_to_lock("elsewhere", dir.path()), "elsewhere");
        assert_eq!(
            relative_to_lock("https://host.example/links/", dir.path()),
            "https://host.example/links/"
        );
    }

    use crate::cli::args::{Cli, Command};

    fn args(line: &[&str]) -> ResolveArgs {
        let cli = Cli::try_parse_from(
            ["pinwheel", "resolve"]
                .iter()
                .chain(line)
                .copied()
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let Command::Resolve(args) = cli.command else {
            panic!("parsed as another command");
        };
        *args
    }

    fn configured() -> ConfigOptions {
        ConfigOptions {
            generate_hashes: Some(true),
            annotate: Some(false),
            annotation_style: Some(AnnotationStyleArg::Line),
            python_version: Some("3.11".into()),
            extra_index_url: Some(vec!["https://config.example/simple/".into()]),
            upgrade_package: Some(vec!["a".into()]),
            cache_ttl: Some(5),
            ..ConfigOptions::default()
        }
    }

    #[test]
    fn command_line_beats_config_beats_defaults() {
        let defaults = Options::merge(&args(&[]), ConfigOptions::default()).unwrap();
        assert!(!defaults.generate_hashes && defaults.annotate && defaults.header);
        assert_eq!(defaults.python_version, DEFAULT_PYTHON);
        assert_eq!(defaults.cache_ttl, DEFAULT_CACHE_TTL);
        assert_eq!(defaults.newline, NewlineArg::Preserve);

        let from_config = Options::merge(&args(&[]), configured()).unwrap();
        assert!(from_config.generate_hashes && !from_config.annotate);
        assert_eq!(from_config.annotation_style, AnnotationStyleArg::Line);
        assert_eq!(from_config.python_version, "3.11");
        assert_eq!(
            from_config.extra_index_url,
            ["https://config.example/simple/"]
        );
        assert_eq!(from_config.cache_ttl, 5);

        let typed = args(&[
            "--no-generate-hashes",
            "--annotate",
            "--annotation-style",
            "split",
            "--python-version",
            "3.13",
            "--extra-index-url",
            "https://cli.example/simple/",
            "--cache-ttl",
            "7",
        ]);
        let from_cli = Options::merge(&typed, configured()).unwrap();
        assert!(!from_cli.generate_hashes && from_cli.annotate);
        assert_eq!(from_cli.annotation_style, AnnotationStyleArg::Split);
        assert_eq!(from_cli.python_version, "3.13");
        // A repeatable option given on the command line replaces the configured list.
        assert_eq!(from_cli.extra_index_url, ["https://cli.example/simple/"]);
        assert_eq!(from_cli.cache_ttl, 7);
    }

    #[test]
    fn the_last_of_a_flag_and_its_no_form_wins() {
        let options = Options::merge(
            &args(&[
                "--no-header",
                "--header",
                "--allow-unsafe",
                "--no-allow-unsafe",
            ]),
            ConfigOptions {
                header: Some(false),
                allow_unsafe: Some(true),
                ..ConfigOptions::default()
            },
        )
        .unwrap();
        assert!(options.header);
        assert!(!options.allow_unsafe);
    }

    #[test]
    fn upgrade_packages_are_names_with_optional_constraints() {
        let plain = UpgradePackage::from_str("Django").unwrap();
        assert_eq!(plain.name, PackageName::from_str("django").unwrap());
        assert!(plain.constraint.is_none());
        let constrained = UpgradePackage::from_str("django<5").unwrap();
        assert_eq!(constrained.name, PackageName::from_str("django").unwrap());
        assert_eq!(
            constrained.constraint.unwrap().to_string(),
            "django<5",
            "the whole requirement is the constraint"
        );
        let marked = UpgradePackage::from_str("six ; python_version < '3'").unwrap();
        assert!(marked.constraint.is_some());
        for bad in ["django<<5", "", "django @ https://example.com/django.whl"] {
            let error = UpgradePackage::from_str(bad).unwrap_err();
            assert!(
                format!("{error:#}").contains("invalid `--upgrade-package"),
                "{bad}: {error:#}"
            );
        }
        let options = Options::merge(&args(&["-P", "b>=2", "-P", "c"]), configured()).unwrap();
        let names: Vec<String> = options
            .upgrade_package
            .iter()
            .map(|package| package.name.to_string())
            .collect();
        assert_eq!(
            names,
            ["b", "c"],
            "-P on the command line replaces the config's"
        );
    }

    #[test]
    fn the_header_shows_the_options_in_effect_including_configured_ones() {
        let sources = [PathBuf::from("requirements.in")];
        let options = Options::merge(&args(&["--pre"]), configured()).unwrap();
        assert_eq!(
            header_command(&options, &sources),
            "pinwheel resolve --annotation-style=line --extra-index-url=https://config.example/simple/ --generate-hashes --no-annotate --pre --python-version=3.11 requirements.in"
        );
        let explicit = Options::merge(
            &args(&[
                "--config",
                "ci/pinwheel.toml",
                "--emit-index-annotation",
                "-P",
                "a<2",
            ]),
            ConfigOptions::default(),
        )
        .unwrap();
        assert_eq!(
            header_command(&explicit, &sources),
            "pinwheel resolve --config=ci/pinwheel.toml --emit-index-annotation requirements.in"
        );
        let default_name = Options::merge(
            &args(&["--config", "pyproject.toml"]),
            ConfigOptions::default(),
        )
        .unwrap();
        assert_eq!(
            header_command(&default_name, &sources),
            "pinwheel resolve requirements.in"
        );
    }

    #[test]
    fn timestamps_accept_rfc3339_and_dates_meaning_the_whole_day() {
        let utc = || jiff::tz::TimeZone::UTC;
        assert_eq!(
            parse_timestamp_in("2026-11-02T00:00:00Z", utc).unwrap(),
            parse_timestamp_in("2026-11-01", utc).unwrap()
        );
        let hawaii = || jiff::tz::TimeZone::fixed(jiff::tz::offset(-10));
        assert_eq!(
            parse_timestamp_in("2026-11-02T10:00:00Z", utc).unwrap(),
            parse_timestamp_in("2026-11-01", hawaii).unwrap()
        );
        assert!(parse_timestamp("yesterday").is_err());
    }

    #[test]
    fn default_output_replaces_the_extension() {
        assert_eq!(
            default_output(Path::new("reqs/api.in")),
            PathBuf::from("reqs/api.txt")
        );
        assert_eq!(
            default_output(Path::new("requirements.txt")),
            PathBuf::from("requirements.lock.txt")
        );
        assert_eq!(
            default_output(Path::new("app/pyproject.toml")),
            PathBuf::from("app/requirements.txt")
        );
    }

    #[test]
    fn selectors_read_all_none_and_names() {
        let values = [":all:".to_string()];
        assert_eq!(selector(values.iter()).unwrap(), PackageSelector::All);
        let values = [
            ":all:".to_string(),
            ":none:".to_string(),
            "Foo_Bar,baz".to_string(),
        ];
        let PackageSelector::Some(names) = selector(values.iter()).unwrap() else {
            panic!("expected names")
        };
        assert!(names.contains(&PackageName::from_str("foo-bar").unwrap()));
    }
}
