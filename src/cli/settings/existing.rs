//! What the existing output says: its pins (the versions pip-compile keeps unless told to
//! upgrade) and, for a universal lock, the forks it was resolved in; and the universe a
//! `--universal` run covers.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use anyhow::{Context as _, Result, bail};
use pep440_rs::Operator;
use pep508_rs::{MarkerTree, VersionOrUrl};

use super::DEFAULT_PYTHON;
use super::resolve::{Options, OutputTarget};
use crate::inputs::{LocalPaths, Manifest, OriginKind, ReadOptions, Variables, read_manifest};
use crate::target::Target;
use crate::types::{PackageName, Version};

/// What `--universal` covers: every Python from `--python-version` on when it is given, else
/// the inputs' `requires-python`, else the default Python on.
pub(super) fn universal(
    options: &Options,
    manifest: &Manifest,
    output: &OutputTarget,
) -> Result<crate::resolver::Universal> {
    if !options.python_platform.is_empty() {
        bail!("`--universal` locks for every platform; it cannot be used with `--python-platform`");
    }
    let at_least = |version: &str| {
        crate::types::VersionSpecifiers::from_str(&format!(">={version}"))
            .with_context(|| format!("invalid `--python-version {version}`"))
    };
    let requires_python = match options.python_version.as_slice() {
        [only] if only == DEFAULT_PYTHON => match &manifest.requires_python {
            Some(requires_python) => requires_python.clone(),
            None => at_least(only)?,
        },
        [only] => at_least(only)?,
        _ => bail!("`--universal` takes one `--python-version`: the oldest Python the lock covers"),
    };
    let mut universal = crate::resolver::Universal::new(requires_python);
    universal.forks = existing_forks(options, output)?;
    for name in &options.required_platform {
        universal.required_platforms.push(
            crate::target::Platform::from_str(name)
                .with_context(|| format!("invalid `--required-platform {name}`"))?,
        );
    }
    Ok(universal)
}

/// The forks the existing output was resolved in (its `# pinwheel: fork` header lines, or a
/// pylock's `[tool.pinwheel] forks`), unless `--upgrade` starts afresh.
fn existing_forks(options: &Options, output: &OutputTarget) -> Result<Vec<MarkerTree>> {
    let OutputTarget::File(path) = output else {
        return Ok(Vec::new());
    };
    if options.upgrade || !path.exists() {
        return Ok(Vec::new());
    }
    if crate::writers::is_pylock_path(path) || path.extension().is_some_and(|ext| ext == "toml") {
        let lock = crate::lockfile::read_pylock(path)
            .with_context(|| format!("cannot read the existing forks in `{}`", path.display()))?;
        return Ok(lock.forks);
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the existing forks in `{}`", path.display()))?;
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| Some((index, line.strip_prefix(crate::writers::FORK_PREFIX)?)))
        .map(|(index, marker)| {
            crate::types::check_marker(marker)
                .map_err(anyhow::Error::from)
                .and_then(|()| MarkerTree::from_str(marker.trim()).map_err(anyhow::Error::from))
                .map_err(|error| {
                    anyhow::anyhow!(
                        "{}:{}: invalid fork marker `{}`: {error}",
                        path.display(),
                        index + 1,
                        marker.trim()
                    )
                })
        })
        .collect()
}

/// The `name==version` pins of the existing output file: what pip-compile keeps unless told to
/// upgrade (`-U` ignores them all, `-P NAME` frees one). A missing file means no pins.
pub(in crate::cli) fn existing_pins(
    options: &Options,
    output: &OutputTarget,
    variables: &Variables,
) -> Result<HashMap<PackageName, Version>> {
    existing_pins_on(options, output, variables, None)
}

/// [`existing_pins`], for one of several targets when `target` is given: only the pins whose
/// marker holds there, so that a merged lock's per-target versions are each target's
/// preferences.
pub(in crate::cli) fn existing_pins_on(
    options: &Options,
    output: &OutputTarget,
    variables: &Variables,
    target: Option<&Target>,
) -> Result<HashMap<PackageName, Version>> {
    Ok(existing_marked_pins(options, output, variables)?
        .into_iter()
        .filter(|(_, _, marker)| target.is_none_or(|target| marker.evaluate(target.markers(), &[])))
        .map(|(name, version, _)| (name, version))
        .collect())
}

/// The `name==version` pins of the existing output file with the marker of each (true when
/// it has none): a universal lock pins a package once per marker region.
pub(in crate::cli) fn existing_marked_pins(
    options: &Options,
    output: &OutputTarget,
    variables: &Variables,
) -> Result<Vec<(PackageName, Version, MarkerTree)>> {
    let OutputTarget::File(path) = output else {
        return Ok(Vec::new());
    };
    if options.upgrade || !path.exists() {
        return Ok(Vec::new());
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
    // A pylock: a PEP 751 name, or any `.toml` output (`--format pylock-toml -o lock.toml`);
    // no requirements file is a TOML file.
    if crate::writers::is_pylock_path(path) || path.extension().is_some_and(|ext| ext == "toml") {
        let lock = crate::lockfile::read_pylock(path)
            .with_context(|| format!("cannot read the existing pins in `{}`", path.display()))?;
        return Ok(lock
            .pins
            .into_iter()
            .filter(|pin| !freed.contains(&pin.name))
            .filter_map(|pin| {
                let version = pin.version()?.clone();
                Some((pin.name, version, pin.marker.unwrap_or(MarkerTree::TRUE)))
            })
            .collect());
    }
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
            (*pin.operator() == Operator::Equal).then(|| {
                (
                    entry.requirement.name.clone(),
                    pin.version().clone(),
                    entry.requirement.marker.clone(),
                )
            })
        })
        .collect())
}
