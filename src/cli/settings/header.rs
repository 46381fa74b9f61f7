//! The header of a lock: the command line that reproduces it and the options block after it.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use url::Url;

use super::DEFAULT_PYTHON;
use super::resolve::Options;
use crate::cli::args::{AnnotationStyleArg, NewlineArg, ResolutionArg};
use crate::cli::config;
use crate::cli::shown_urls::{ShownUrls, hide_credentials};
use crate::index::{ClientOptions, FindLinks, IndexStrategy, PYPI_SIMPLE};
use crate::types::RedactedUrl;

/// The options block pip-compile writes after the header, its URLs as `shown` shows them.
pub(super) fn option_lines(
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
        // Explicit indexes too: pip has no per-package index, and the packages pinned to one
        // install from nowhere else (the lock's hashes keep other indexes' files out).
        let mut extras: Vec<&RedactedUrl> = extras.iter().collect();
        for explicit in &client.pins.explicit {
            if !extras.contains(&explicit) && explicit != base {
                extras.push(explicit);
            }
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

/// The command line shown in the header, re-synthesised as pip-compile does: long options,
/// sorted, `--opt=value`, sources last; options that do not change the result (cache,
/// verbosity, `-U`, `-P`) left out. Like pip-compile's, it shows the options in effect, those set
/// by a configuration file included, so that the header alone reproduces the lock; `--config
/// FILE` is shown unless FILE is one of the names looked for anyway. `CUSTOM_COMPILE_COMMAND`
/// replaces it.
pub(super) fn header_command(options: &Options, sources: &[PathBuf]) -> String {
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
        (options.no_build, "--no-build"),
        (options.universal, "--universal"),
        (options.verify_attestations, "--verify-attestations"),
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
            "keyring-provider",
            options
                .keyring_provider_given
                .and_then(|provider| value_name(provider, None)),
        ),
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
        (
            "index-strategy",
            (options.index_strategy != IndexStrategy::FirstIndex)
                .then(|| options.index_strategy.as_str().to_string()),
        ),
        ("output-file", options.output_file.as_ref().map(display)),
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
        ("python-platform", options.python_platform.clone()),
        ("required-platform", options.required_platform.clone()),
        (
            "python-version",
            if options.python_version == [DEFAULT_PYTHON] {
                Vec::new()
            } else {
                options.python_version.clone()
            },
        ),
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
pub(super) fn value_name<T: ValueEnum + PartialEq>(
    value: T,
    default: impl Into<Option<T>>,
) -> Option<String> {
    if Some(&value) == default.into().as_ref() {
        return None;
    }
    value
        .to_possible_value()
        .map(|possible| possible.get_name().to_string())
}

/// `.pip-tools.toml` and `pyproject.toml`, as typed: pip-compile leaves `--config` out of the
/// header for those names.
pub(super) fn is_default_config_name(path: &Path) -> bool {
    path == Path::new(config::PIP_TOOLS_FILE) || path == Path::new(config::PYPROJECT_FILE)
}
