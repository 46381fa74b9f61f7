//! Turning what the user typed (arguments, environment, option lines of the inputs) into the
//! plain option values the library takes. This is the only place that reads environment
//! variables or applies defaults.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use jiff::Timestamp;
use url::Url;

use super::args::{AnnotationStyleArg, PrereleaseArg, ResolutionArg, ResolveArgs};
use super::units::{parse_duration, parse_size};
use crate::cache::maintenance::PruneLimits;
use crate::index::{CacheMode, ClientOptions, FindLinks, PYPI_SIMPLE};
use crate::inputs::{Manifest, OriginKind, read_manifest};
use crate::resolver::{
    PackageSelector, PrereleaseMode, ResolutionStrategy, ResolveOptions, SelectionOptions,
};
use crate::target::{Platform, PythonVersion, Target};
use crate::types::{PackageName, Version};
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
}

/// The source files to read: the ones given, else `requirements.in`.
pub fn source_files(args: &ResolveArgs) -> Result<Vec<PathBuf>> {
    if !args.src_files.is_empty() {
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

/// Settles the settings of one run from the arguments and the inputs' option lines.
pub fn resolve_settings(
    args: &ResolveArgs,
    sources: &[PathBuf],
    manifest: &Manifest,
) -> Result<ResolveSettings> {
    let python = PythonVersion::from_str(&args.python_version)
        .with_context(|| format!("invalid `--python-version {}`", args.python_version))?;
    let platform = match &args.python_platform {
        Some(name) => Platform::from_str(name)
            .with_context(|| format!("invalid `--python-platform {name}`"))?,
        None => Platform::host(),
    };
    let target = Target::new(python, platform);

    let prerelease = match (args.pre || manifest.resolver.pre, args.prerelease) {
        (_, Some(mode)) => prerelease_mode(mode),
        (true, None) => PrereleaseMode::Allow,
        (false, None) => PrereleaseMode::default(),
    };
    let exclude_newer = args
        .exclude_newer
        .as_deref()
        .map(parse_timestamp)
        .transpose()?;
    let only_binary = selector(
        args.only_binary
            .iter()
            .chain(&manifest.resolver.only_binary),
    )?;
    let no_binary = selector(args.no_binary.iter().chain(&manifest.resolver.no_binary))?;
    let output = output_target(args, sources)?;
    let preferences = existing_pins(args, &output)?;
    let resolve = ResolveOptions {
        preferences,
        strategy: match args.resolution {
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

    let client = client_options(args, manifest)?;
    let cache_dir = (!args.no_cache).then(|| cache_dir(args.cache_dir.as_deref()));

    let write = WriteOptions {
        header: (!args.no_header).then(|| Header {
            python_version: format!("{}.{}", target.python().major(), target.python().minor()),
            command: header_command(args, sources),
        }),
        option_lines: if args.no_emit_options {
            Vec::new()
        } else {
            option_lines(&client, !args.no_emit_index_url, !args.no_emit_find_links)
        },
        hashes: args.generate_hashes,
        annotations: (!args.no_annotate).then_some(match args.annotation_style {
            AnnotationStyleArg::Split => AnnotationStyle::Split,
            AnnotationStyleArg::Line => AnnotationStyle::Line,
        }),
        allow_unsafe: args.allow_unsafe,
        unsafe_packages: unsafe_packages(args)?,
        strip_extras: args.strip_extras,
    };
    Ok(ResolveSettings {
        target,
        resolve,
        client,
        cache_dir,
        write,
        output,
    })
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

/// The `name==version` pins of the existing output file: what pip-compile keeps unless told to
/// upgrade (`-U` ignores them all, `-P NAME` frees one). A missing file means no pins.
fn existing_pins(
    args: &ResolveArgs,
    output: &OutputTarget,
) -> Result<HashMap<PackageName, Version>> {
    let OutputTarget::File(path) = output else {
        return Ok(HashMap::new());
    };
    if args.upgrade || !path.exists() {
        return Ok(HashMap::new());
    }
    let freed: HashSet<PackageName> = args
        .upgrade_package
        .iter()
        .map(|name| {
            PackageName::from_str(name.trim())
                .with_context(|| format!("invalid `--upgrade-package {name}`"))
        })
        .collect::<Result<_>>()?;
    let lock = read_manifest(path, OriginKind::Requirement)
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
fn unsafe_packages(args: &ResolveArgs) -> Result<Vec<PackageName>> {
    if args.unsafe_package.is_empty() {
        return Ok(["pip", "setuptools"]
            .iter()
            .filter_map(|name| PackageName::from_str(name).ok())
            .collect());
    }
    args.unsafe_package
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

/// `2026-11-01T00:00:00Z`, or a date meaning its midnight UTC.
fn parse_timestamp(text: &str) -> Result<Timestamp> {
    if let Ok(timestamp) = Timestamp::from_str(text) {
        return Ok(timestamp);
    }
    let date = jiff::civil::Date::from_str(text).with_context(|| {
        format!(
            "invalid `--exclude-newer {text}`: expected an RFC 3339 timestamp or a YYYY-MM-DD date"
        )
    })?;
    Ok(date.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp())
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

fn client_options(args: &ResolveArgs, manifest: &Manifest) -> Result<ClientOptions> {
    let parse =
        |text: &str| Url::parse(text).with_context(|| format!("invalid index URL `{text}`"));
    let mut indexes = Vec::new();
    if !(args.no_index || manifest.index.no_index) {
        // uv's order: extra indexes first, then the base index.
        for extra in args
            .extra_index_url
            .iter()
            .chain(&manifest.index.extra_index_urls)
        {
            indexes.push(parse(extra)?);
        }
        let base = args
            .index_url
            .as_deref()
            .or(manifest.index.index_url.as_deref())
            .unwrap_or(PYPI_SIMPLE);
        indexes.push(parse(base)?);
    }
    let mut find_links = Vec::new();
    for link in args.find_links.iter().chain(&manifest.index.find_links) {
        find_links.push(if link.contains("://") && !link.starts_with("file://") {
            FindLinks::Page(parse(link)?)
        } else {
            FindLinks::Directory(PathBuf::from(link.trim_start_matches("file://")))
        });
    }
    Ok(ClientOptions {
        indexes,
        find_links,
        cache_mode: if args.offline {
            CacheMode::Offline
        } else if args.refresh {
            CacheMode::Refresh
        } else {
            CacheMode::Normal
        },
        page_ttl: Duration::from_secs(args.cache_ttl),
        probe_unadvertised_metadata: args.probe_metadata,
        ..ClientOptions::default()
    })
}

/// The options block pip-compile writes after the header.
fn option_lines(client: &ClientOptions, index_urls: bool, find_links: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let pypi = Url::parse(PYPI_SIMPLE).ok();
    if !index_urls {
        // Nothing about indexes, not even `--no-index`.
    } else if let Some((base, extras)) = client.indexes.split_last() {
        if Some(base) != pypi.as_ref() {
            lines.push(format!("--index-url {base}"));
        }
        lines.extend(
            extras
                .iter()
                .map(|extra| format!("--extra-index-url {extra}")),
        );
    } else {
        lines.push("--no-index".to_string());
    }
    for link in client.find_links.iter().filter(|_| find_links) {
        lines.push(match link {
            FindLinks::Page(url) => format!("--find-links {url}"),
            FindLinks::Directory(path) => format!("--find-links {}", path.display()),
        });
    }
    lines
}

fn output_target(args: &ResolveArgs, sources: &[PathBuf]) -> Result<OutputTarget> {
    match &args.output_file {
        Some(path) if path == Path::new("-") => Ok(OutputTarget::Stdout),
        Some(path) => Ok(OutputTarget::File(path.clone())),
        None => match sources {
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
fn default_output(source: &Path) -> PathBuf {
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
/// sorted, `--opt=value`, sources last; cache and verbosity options left out.
/// `CUSTOM_COMPILE_COMMAND` replaces it.
fn header_command(args: &ResolveArgs, sources: &[PathBuf]) -> String {
    if let Ok(custom) = std::env::var("CUSTOM_COMPILE_COMMAND") {
        return custom;
    }
    let mut options = Vec::new();
    let mut flag = |condition: bool, text: &str| {
        if condition {
            options.push(text.to_string());
        }
    };
    flag(args.all_extras, "--all-extras");
    flag(args.allow_unsafe, "--allow-unsafe");
    flag(args.generate_hashes, "--generate-hashes");
    flag(args.no_annotate, "--no-annotate");
    flag(args.no_index, "--no-index");
    flag(args.pre, "--pre");
    flag(args.strip_extras, "--strip-extras");
    flag(
        args.annotation_style == AnnotationStyleArg::Line,
        "--annotation-style=line",
    );
    let mut valued = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            options.push(format!("--{name}={value}"));
        }
    };
    valued("exclude-newer", args.exclude_newer.clone());
    valued(
        "resolution",
        match args.resolution {
            ResolutionArg::Highest => None,
            ResolutionArg::Lowest => Some("lowest".to_string()),
            ResolutionArg::LowestDirect => Some("lowest-direct".to_string()),
        },
    );
    valued("index-url", args.index_url.clone());
    valued(
        "output-file",
        args.output_file
            .as_ref()
            .map(|path| path.display().to_string()),
    );
    valued("python-platform", args.python_platform.clone());
    valued(
        "python-version",
        (args.python_version != "3.12").then(|| args.python_version.clone()),
    );
    for extra in &args.extra {
        options.push(format!("--extra={extra}"));
    }
    for constraint in &args.constraint {
        options.push(format!("--constraint={}", constraint.display()));
    }
    for group in &args.group {
        options.push(format!("--group={group}"));
    }
    for extra in &args.extra_index_url {
        options.push(format!("--extra-index-url={extra}"));
    }
    for link in &args.find_links {
        options.push(format!("--find-links={link}"));
    }
    for value in &args.only_binary {
        options.push(format!("--only-binary={value}"));
    }
    for value in &args.no_binary {
        options.push(format!("--no-binary={value}"));
    }
    options.sort();
    // pip-compile sorts the sources too.
    let mut sources: Vec<String> = sources
        .iter()
        .map(|source| source.display().to_string())
        .collect();
    sources.sort();
    std::iter::once("pinwheel resolve".to_string())
        .chain(options)
        .chain(sources)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_accept_rfc3339_and_dates() {
        assert_eq!(
            parse_timestamp("2026-11-01T00:00:00Z").unwrap(),
            parse_timestamp("2026-11-01").unwrap()
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
