//! `resolve`'s settings: [`Options`] merged from the command line, the configuration and the
//! defaults, then [`ResolveSettings`] from them and the inputs' option lines.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use pep508_rs::Requirement;

use super::existing::{existing_marked_pins, existing_pins, universal};
use super::header::{header_command, option_lines};
use super::{
    DEFAULT_CACHE_TTL, DEFAULT_PYTHON, NamedTarget, cache_dir, client_options,
    environment_variables, named_targets, parse_timestamp, selector,
};
use crate::build::BuildOptions;
use crate::cli::args::{
    AnnotationStyleArg, KeyringProviderArg, NewlineArg, OutputFormatArg, PrereleaseArg,
    RemoteCacheModeArg, ResolutionArg, ResolveArgs,
};
use crate::cli::config::{self, Config, ConfigOptions, Lookup, NamedIndex, Sources};
use crate::cli::pip_compile::{Program, trusted_host_lines};
use crate::cli::pip_env::PipEnvironment;
use crate::cli::shadowed::ShadowReport;
use crate::cli::shown_urls::{ShownUrls, hide_credentials, typed_urls, written_urls};
use crate::index::{ClientOptions, IndexStrategy, KeyringProvider};
use crate::inputs::{Manifest, Variables};
use crate::remote::{RemoteMode, RemoteSpec};
use crate::resolver::{PrereleaseMode, ResolutionStrategy, ResolveOptions, SelectionOptions};
use crate::target::Target;
use crate::types::PackageName;
use crate::writers::{AnnotationStyle, Header, WriteOptions};
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
    /// The target: the first of `targets`.
    pub target: Target,
    /// Every target (every `--python-version` on every `--python-platform`), Python-major,
    /// without repeats; one for a plain run.
    pub targets: Vec<NamedTarget>,
    /// `--universal`: the Pythons the lock covers (on every platform).
    pub universal: Option<crate::resolver::Universal>,
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
    /// How metadata builds run.
    pub build: BuildOptions,
    /// Whether a password or token of an index URL is written as `****` (installing from the
    /// lock then needs the credentials from elsewhere: `resolve` warns).
    pub hid_credentials: bool,
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
    /// `--python-version`: one or more, never none (the default fills in).
    pub python_version: Vec<String>,
    /// `--python-platform`: none means the host's.
    pub python_platform: Vec<String>,
    /// `--index-url`.
    pub index_url: Option<String>,
    /// `--extra-index-url`.
    pub extra_index_url: Vec<String>,
    /// `--index-strategy`.
    pub index_strategy: IndexStrategy,
    /// `[[tool.pinwheel.index]]`.
    pub named_indexes: Vec<NamedIndex>,
    /// `[tool.pinwheel.sources]`.
    pub sources: Sources,
    /// `--report-shadowed`, `--fail-on-shadowed`.
    pub shadowed: ShadowReport,
    /// `--verify-attestations`.
    pub verify_attestations: bool,
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
    /// `--remote-cache`, `--remote-cache-mode` (its `Debug` hides a password).
    pub remote_cache: Option<RemoteSpec>,
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--offline`.
    pub offline: bool,
    /// `--refresh`.
    pub refresh: bool,
    /// `--probe-metadata`.
    pub probe_metadata: bool,
    /// `--python`.
    pub python: Option<PathBuf>,
    /// `--no-build`.
    pub no_build: bool,
    /// `--universal`.
    pub universal: bool,
    /// `--required-platform`.
    pub required_platform: Vec<String>,
    /// `--build-timeout`, in seconds.
    pub build_timeout: u64,
    /// `--build-jobs`.
    pub build_jobs: usize,
    /// `--config FILE` as typed: the header names it, as pip-compile does.
    pub config: Option<PathBuf>,
    /// `--reuse-hashes`.
    pub reuse_hashes: bool,
    /// `--cert`.
    pub cert: Option<PathBuf>,
    /// `--client-cert`.
    pub client_cert: Option<PathBuf>,
    /// `--keyring-provider` (or the configuration's, else `PIP_KEYRING_PROVIDER`).
    pub keyring_provider: KeyringProvider,
    /// `--keyring-provider` as the command line or the configuration gave it, for the header
    /// (which, as pip-compile's, leaves out what pip's variables set).
    pub keyring_provider_given: Option<KeyringProviderArg>,
    /// `--trusted-host`.
    pub trusted_host: Vec<String>,
    /// `--emit-trusted-host`.
    pub emit_trusted_host: bool,
    /// The command the header names (`pinwheel resolve` or `pip-compile`).
    pub program: Program,
    /// pip's environment variables: they add to the index options, not to the header.
    pub pip_environment: PipEnvironment,
}

/// `resolve`'s settings for one compilation, settled before any input is read: the command
/// line, the environment and the configuration found next to the sources. `--each` settles one
/// per input file, since each may have its own configuration.
pub struct Compilation {
    /// The source files (`requirements.in` when none was given).
    pub sources: Vec<PathBuf>,
    /// The merged options.
    pub options: Options,
    /// The values of `${NAME}` references.
    pub variables: Variables,
    /// `--with` requirements.
    pub with: Vec<String>,
    /// `--format`, or pylock.toml when the output file has a PEP 751 name.
    pub format: OutputFormatArg,
    /// `--target-files-only` (pylock.toml output only).
    pub target_files_only: bool,
    /// `--check`.
    pub check: bool,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--consistent` without `--each`: with several targets, one version per package across
    /// them wherever every target allows it.
    pub consistent_targets: bool,
    /// `--backup`.
    pub backup: bool,
    /// `--quiet`.
    pub quiet: bool,
    /// Whether this compilation shows its own progress bar (not under `--each`, which shows one
    /// line per file).
    pub progress: bool,
}

impl Compilation {
    /// Settles the compilation of `sources`: refuses flags that cannot go together, then reads
    /// the configuration (printing its warnings) and merges it under the command line.
    ///
    /// # Errors
    /// When the flags cannot go together, or the configuration or an option is unusable.
    pub fn settle(args: &ResolveArgs, sources: &[PathBuf]) -> Result<Self> {
        if args.check && args.format == OutputFormatArg::Json {
            bail!("`--check` compares requirements files; it cannot be used with `--format json`");
        }
        let options = settle_options(args, sources)?;
        // PEP 751 file names say what the file is, as uv infers it from `-o pylock.toml`.
        let format = match &options.output_file {
            Some(path)
                if args.format == OutputFormatArg::RequirementsTxt
                    && crate::writers::is_pylock_path(path) =>
            {
                OutputFormatArg::PylockToml
            }
            _ => args.format,
        };
        if args.target_files_only && options.universal {
            bail!(
                "`--target-files-only` keeps the files of exact targets; a `--universal` lock is for every platform"
            );
        }
        if args.target_files_only && format != OutputFormatArg::PylockToml {
            bail!("`--target-files-only` applies to pylock.toml output (`--format pylock-toml`)");
        }
        let several_targets =
            options.python_version.len() * options.python_platform.len().max(1) > 1;
        if args.consistent && !args.each && !several_targets {
            bail!(
                "`--consistent` needs `--each` (one version across the outputs) or several targets (`--python-version`/`--python-platform` repeated: one version across the targets)"
            );
        }
        Ok(Self {
            sources: sources.to_vec(),
            options,
            consistent_targets: args.consistent && !args.each,
            variables: environment_variables(),
            with: args.with.clone(),
            format,
            target_files_only: args.target_files_only,
            check: args.check,
            dry_run: args.dry_run,
            backup: args.backup,
            quiet: args.quiet,
            progress: !args.each,
        })
    }
}

/// `--remote-cache` and its mode, from the command line (or environment), else the
/// configuration; an unusable URL is an error naming it (without its password).
fn remote_cache(args: &ResolveArgs, config: &ConfigOptions) -> Result<Option<RemoteSpec>> {
    let mode = match args.remote_cache_mode.or(config.remote_cache_mode) {
        Some(RemoteCacheModeArg::ReadOnly) => RemoteMode::ReadOnly,
        Some(RemoteCacheModeArg::ReadWrite) | None => RemoteMode::ReadWrite,
    };
    args.remote_cache
        .as_deref()
        .or(config.remote_cache.as_deref())
        .filter(|text| !text.is_empty())
        .map(|text| RemoteSpec::parse(text, mode))
        .transpose()
        .map(|spec| {
            spec.map(|spec| RemoteSpec {
                pages: args
                    .remote_cache_pages
                    .or(config.remote_cache_pages)
                    .unwrap_or(true),
                ..spec
            })
        })
        .map_err(anyhow::Error::new)
}

/// The options of a compilation of `sources`: the command line over their configuration files
/// over the defaults. Configuration warnings are printed here, once per compilation.
///
/// # Errors
/// When the configuration or an option is unusable.
pub fn settle_options(args: &ResolveArgs, sources: &[PathBuf]) -> Result<Options> {
    let config = load_config(args, sources)?;
    for file in &config.files {
        tracing::info!("configuration read from `{}`", file.display());
    }
    if !args.quiet {
        for warning in &config.warnings {
            eprintln!("warning: {warning}");
        }
    }
    Options::merge(args, config.options)
}

/// The configuration files `args` ask for, next to `sources`.
///
/// # Errors
/// When a configuration file cannot be read or has unknown keys or values of the wrong type.
fn load_config(args: &ResolveArgs, sources: &[PathBuf]) -> Result<Config> {
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
pub(super) fn typed(yes: bool, no: bool) -> Option<bool> {
    match (yes, no) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

/// A repeatable option: the command line's values replace the configuration's (as pip-compile's
/// configuration only sets defaults).
pub(super) fn list<T: Clone>(typed: &[T], configured: Option<Vec<T>>) -> Vec<T> {
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
        let remote_cache = remote_cache(args, &config)?;
        let upgrade_package = list(&args.upgrade_package, config.upgrade_package)
            .iter()
            .map(|text| UpgradePackage::from_str(text))
            .collect::<Result<_>>()?;
        Ok(Self {
            output_file: args.output_file.clone().or(config.output_file),
            extra: list(&args.extra, config.extra),
            all_extras: args.all_extras || config.all_extras.unwrap_or(false),
            group: list(&args.group, config.group),
            python_version: Some(list(&args.python_version, config.python_version))
                .filter(|versions| !versions.is_empty())
                .unwrap_or_else(|| vec![DEFAULT_PYTHON.to_string()]),
            python_platform: list(&args.python_platform, config.python_platform),
            index_url: args.index_url.clone().or(config.index_url),
            extra_index_url: list(&args.extra_index_url, config.extra_index_url),
            index_strategy: super::index_strategy(args.index_strategy.or(config.index_strategy)),
            named_indexes: config.index.unwrap_or_default(),
            sources: config.sources.unwrap_or_default(),
            shadowed: if args.fail_on_shadowed || config.fail_on_shadowed.unwrap_or(false) {
                ShadowReport::Fail
            } else if args.report_shadowed || config.report_shadowed.unwrap_or(false) {
                ShadowReport::Report
            } else {
                ShadowReport::Off
            },
            verify_attestations: args.verify_attestations
                || config.verify_attestations.unwrap_or(false),
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
            remote_cache,
            offline: args.offline || config.offline.unwrap_or(false),
            refresh: args.refresh,
            probe_metadata: args.probe_metadata,
            python: args.python.clone().or(config.python),
            no_build: args.no_build || config.no_build.unwrap_or(false),
            universal: args.universal || config.universal.unwrap_or(false),
            required_platform: list(&args.required_platform, config.required_platform),
            build_timeout: args
                .build_timeout
                .or(config.build_timeout)
                .unwrap_or(crate::build::DEFAULT_TIMEOUT.as_secs()),
            build_jobs: args
                .build_jobs
                .or_else(|| {
                    config
                        .build_jobs
                        .and_then(|jobs| usize::try_from(jobs).ok())
                })
                .unwrap_or(crate::build::DEFAULT_JOBS),
            config: args.config.clone(),
            reuse_hashes: typed(args.reuse_hashes, args.no_reuse_hashes)
                .or(config.reuse_hashes)
                .unwrap_or(true),
            cert: args.cert.clone().or(config.cert),
            client_cert: args.client_cert.clone().or(config.client_cert),
            keyring_provider: super::keyring_provider(
                args.keyring_provider
                    .or(config.keyring_provider)
                    .or(args.pip_environment.keyring_provider),
            ),
            keyring_provider_given: args.keyring_provider.or(config.keyring_provider),
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
///
/// `output` is where the lock goes ([`output_target`]), settled by the caller once the inputs
/// have been read.
pub fn resolve_settings(
    options: &Options,
    sources: &[PathBuf],
    manifest: &Manifest,
    variables: &Variables,
    output: OutputTarget,
) -> Result<ResolveSettings> {
    let targets = named_targets(&options.python_version, &options.python_platform)?;
    let target = targets
        .first()
        .map(|named| named.target.clone())
        .context("no target to resolve for")?;
    if !options.universal && !options.required_platform.is_empty() {
        bail!("`--required-platform` applies to `--universal` locks (`universal = true`)");
    }
    let universal = options
        .universal
        .then(|| universal(options, manifest, &output))
        .transpose()?;

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
    let (preferences, preferences_where) = if options.universal {
        (
            HashMap::new(),
            existing_marked_pins(options, &output, variables)?,
        )
    } else {
        (existing_pins(options, &output, variables)?, Vec::new())
    };
    let resolve = ResolveOptions {
        preferences,
        preferences_where,
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

    let mut client = client_options(&options.into(), &manifest.index)?;
    client.remote.clone_from(&options.remote_cache);
    let typed = typed_urls(options);
    let shown = ShownUrls::new(&typed, &manifest.index);
    let header_hides = options.header && typed.iter().any(|text| hide_credentials(text).1);
    let cache_dir = (!options.no_cache).then(|| cache_dir(options.cache_dir.as_deref()));

    let write = WriteOptions {
        header: options.header.then(|| Header {
            python_version: match &universal {
                Some(universal) => universal.requires_python.to_string(),
                None => header_pythons(&targets),
            },
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
                &client.trusted_hosts,
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
        direct_urls: written_urls(&manifest.index),
    };
    let build = BuildOptions {
        enabled: !options.no_build,
        python: options.python.clone(),
        path_var: std::env::var_os("PATH"),
        passed_env: crate::build::hooks::passed_through(std::env::vars_os()),
        timeout: Duration::from_secs(options.build_timeout),
        jobs: options.build_jobs.max(1),
    };
    Ok(ResolveSettings {
        target,
        targets,
        universal,
        resolve,
        client,
        cache_dir,
        write,
        output,
        build,
        hid_credentials: header_hides || shown.hid_secret(),
    })
}

/// The Python versions the header names (`3.12`, or `3.11, 3.12` for several targets).
fn header_pythons(targets: &[NamedTarget]) -> String {
    let mut shown: Vec<String> = Vec::new();
    for named in targets {
        let python = format!(
            "{}.{}",
            named.target.python().major(),
            named.target.python().minor()
        );
        if !shown.contains(&python) {
            shown.push(python);
        }
    }
    shown.join(", ")
}

/// `--unsafe-package` names, or pip-compile's default list.
pub(super) fn unsafe_packages(options: &Options) -> Result<Vec<PackageName>> {
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

pub(super) fn prerelease_mode(arg: PrereleaseArg) -> PrereleaseMode {
    match arg {
        PrereleaseArg::Disallow => PrereleaseMode::Disallow,
        PrereleaseArg::Allow => PrereleaseMode::Allow,
        PrereleaseArg::IfNecessary => PrereleaseMode::IfNecessary,
        PrereleaseArg::Explicit => PrereleaseMode::Explicit,
        PrereleaseArg::IfNecessaryOrExplicit => PrereleaseMode::IfNecessaryOrExplicit,
    }
}

pub(in crate::cli) fn output_target(
    options: &Options,
    sources: &[PathBuf],
) -> Result<OutputTarget> {
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
pub(in crate::cli) fn default_output(source: &Path) -> PathBuf {
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
