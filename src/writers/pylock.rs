//! The PEP 751 `pylock.toml` writer: a [`Resolution`] for one exact target in, TOML text out.
//!
//! The TOML is written by hand rather than through the `toml` crate's serializer, because the
//! layout is part of the contract: keys in the order the specification's example uses, one
//! `[[packages]]` table per pin sorted by name, each file an inline table on its own line, and
//! `upload-time` as a TOML datetime. Writing it ourselves keeps that order and that layout fixed
//! from one run to the next (a re-lock must give the same bytes) and keeps the file readable in a
//! review diff. Only strings need escaping, and [`quoted`] does that.
//!
//! Like every writer it does no IO: file digests that the index did not list must already have
//! been filled in (the CLI hashes the files for pylock output), and a file still without a
//! sha256 is left out, because a pylock file entry needs at least one hash.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use url::Url;

use crate::inputs::{GitRequirement, LocalRequirement, LocalTarget};
use crate::resolver::{EdgeFrom, Pin, PinSource, Resolution};
use crate::target::Target;
use crate::types::{DistFilename, FileOrigin, FileUrl, IndexFile, SdistFormat};

/// What the pylock writer needs besides the resolution.
#[derive(Clone, Debug)]
pub struct PylockOptions {
    /// The exact targets the resolution is for (at least one): their markers give
    /// `environments`, one entry each, their Pythons the tightest `requires-python`, and both go
    /// into `[tool.pinwheel]`.
    pub targets: Vec<Target>,
    /// For a universal lock, its `requires-python`: then `environments` is left out (the lock
    /// is for every platform), `targets` is not used, and `[tool.pinwheel]` names the forks.
    pub universal: Option<String>,
}

/// Whether `path` has a name PEP 751 gives lock files: `pylock.toml`, or `pylock.NAME.toml`
/// where the name has no dots.
#[must_use]
pub fn is_pylock_path(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
        return false;
    };
    if name == "pylock.toml" {
        return true;
    }
    name.strip_prefix("pylock.")
        .and_then(|rest| rest.strip_suffix(".toml"))
        .is_some_and(|middle| !middle.is_empty() && !middle.contains('.'))
}

/// Keeps, of every pin's files, the wheels `target` can install and the sdist: what
/// `--target-files-only` writes. Which wheels fit is the target's tag priority's answer, the
/// same one the resolver uses to choose the file it installs.
pub fn keep_target_files(resolution: &mut Resolution, targets: &[Target]) {
    for pin in &mut resolution.pins {
        pin.files.retain(|file| match &file.dist {
            DistFilename::Wheel(wheel) => targets
                .iter()
                .any(|target| target.wheel_priority(&wheel.tag).is_some()),
            DistFilename::Sdist(_) => true,
        });
    }
}

/// Renders `resolution` as a `pylock.toml` document.
#[must_use]
pub fn write_pylock(resolution: &Resolution, options: &PylockOptions) -> String {
    let targets = &options.targets;
    let mut out = String::new();
    out.push_str("lock-version = \"1.0\"\n");
    if options.universal.is_none() {
        let environments: Vec<String> = targets
            .iter()
            .map(|target| quoted(&environment_marker(target)))
            .collect();
        let _ = writeln!(out, "environments = [{}]", environments.join(", "));
    }
    let requires_python = match &options.universal {
        Some(requires_python) => requires_python.clone(),
        None => requires_python(targets),
    };
    let _ = writeln!(out, "requires-python = {}", quoted(&requires_python));
    out.push_str("created-by = \"pinwheel\"\n");
    for pin in &resolution.pins {
        out.push('\n');
        write_package(&mut out, pin, resolution);
    }
    out.push_str("\n[tool.pinwheel]\n");
    if options.universal.is_some() {
        out.push_str("universal = true\n");
        let forks: Vec<String> = resolution.forks.iter().map(|fork| quoted(fork)).collect();
        if !forks.is_empty() {
            let _ = writeln!(out, "forks = [{}]", forks.join(", "));
        }
        return out;
    }
    let entries: Vec<String> = targets
        .iter()
        .map(|target| {
            format!(
                "{{ python-version = {}, python-platform = {} }}",
                quoted(&target.python().to_string()),
                quoted(&target.platform().to_string())
            )
        })
        .collect();
    let _ = writeln!(out, "targets = [{}]", entries.join(", "));
    out
}

/// The tightest `requires-python` covering every target's Python: `==3.12.*` for one minor
/// version, `>=3.11,<3.13` for several (`environments` says which exactly).
fn requires_python(targets: &[Target]) -> String {
    let minors = targets
        .iter()
        .map(|target| (target.python().major(), target.python().minor()));
    let (Some(low), Some(high)) = (minors.clone().min(), minors.max()) else {
        return String::new();
    };
    if low == high {
        format!("=={}.{}.*", low.0, low.1)
    } else {
        format!(">={}.{},<{}.{}", low.0, low.1, high.0, high.1 + 1)
    }
}

/// The marker that holds exactly where the lock applies: the target's Python version,
/// operating system, machine and implementation (`packaging` evaluates all four).
fn environment_marker(target: &Target) -> String {
    let markers = target.markers();
    format!(
        "python_version == '{}' and sys_platform == '{}' and platform_machine == '{}' and implementation_name == '{}'",
        markers.python_version().string,
        markers.sys_platform(),
        markers.platform_machine(),
        markers.implementation_name()
    )
}

/// One `[[packages]]` table, its keys in the specification's order.
fn write_package(out: &mut String, pin: &Pin, resolution: &Resolution) {
    out.push_str("[[packages]]\n");
    let _ = writeln!(out, "name = {}", quoted(pin.name.as_ref()));
    // A source tree's version is whatever its code says when installed, so PEP 751 forbids
    // writing one for a directory or a repository.
    if !is_source_tree(pin) {
        let _ = writeln!(out, "version = {}", quoted(&pin.version.to_string()));
    }
    if let Some(marker) = combined_marker(&pin.markers) {
        let _ = writeln!(out, "marker = {}", quoted(&marker));
    }
    if let Some(requires_python) = pin
        .file
        .as_ref()
        .and_then(|file| file.requires_python.as_ref())
    {
        let _ = writeln!(
            out,
            "requires-python = {}",
            quoted(&requires_python.to_string())
        );
    }
    let dependencies = dependencies(pin, resolution);
    if !dependencies.is_empty() {
        let listed: Vec<String> = dependencies
            .iter()
            .map(|name| format!("{{ name = {} }}", quoted(name)))
            .collect();
        let _ = writeln!(out, "dependencies = [{}]", listed.join(", "));
    }
    match &pin.source {
        PinSource::Registry { .. } => write_index_files(out, pin),
        PinSource::Url(url) => {
            let _ = writeln!(
                out,
                "archive = {{ url = {}{} }}",
                quoted(&without_credentials(url)),
                archive_facts(pin)
            );
        }
        PinSource::Local { url, local } => write_local(out, pin, url, local),
    }
    // PEP 751: the publishers of any of the package's files, `kind` first and the
    // publisher's other keys as they are. Tables, so after every key of the package.
    for publisher in &pin.attestations {
        out.push_str("\n[[packages.attestation-identities]]\n");
        let _ = writeln!(out, "kind = {}", quoted(&publisher.kind));
        for (key, value) in &publisher.claims {
            let _ = writeln!(out, "{} = {}", quoted(key), quoted(value));
        }
    }
}

/// `index`, `sdist` and `wheels` of an index pin. `index` is written only when an index (not a
/// find-links location) listed the files: PEP 751 defines it as a simple-API base URL.
fn write_index_files(out: &mut String, pin: &Pin) {
    let index = pin
        .file
        .as_ref()
        .or_else(|| pin.files.first())
        .and_then(|file| match &file.origin {
            FileOrigin::Index(url) => Some(without_credentials(url.expose())),
            FileOrigin::FindLinks(_) | FileOrigin::DirectUrl => None,
        });
    if let Some(index) = index {
        let _ = writeln!(out, "index = {}", quoted(&index));
    }
    let hashed = || pin.files.iter().filter(|file| file.sha256.is_some());
    if let Some(sdist) = chosen_sdist(hashed()) {
        let _ = writeln!(out, "sdist = {}", file_table(sdist));
    }
    let mut wheels: Vec<&IndexFile> = hashed().filter(|file| file.dist.is_wheel()).collect();
    wheels.sort_by(|a, b| a.filename.cmp(&b.filename));
    wheels.dedup_by(|a, b| a.filename == b.filename);
    if !wheels.is_empty() {
        out.push_str("wheels = [\n");
        for wheel in wheels {
            let _ = writeln!(out, "    {},", file_table(wheel));
        }
        out.push_str("]\n");
    }
}

/// The one sdist a pylock entry may name: a `.tar.gz` (the format PEP 625 standardised) when
/// the version has one, else the first by name.
fn chosen_sdist<'a>(files: impl Iterator<Item = &'a IndexFile>) -> Option<&'a IndexFile> {
    let mut sdists: Vec<&IndexFile> = files
        .filter(|file| matches!(file.dist, DistFilename::Sdist(_)))
        .collect();
    sdists.sort_by_key(|file| {
        let tar_gz =
            matches!(&file.dist, DistFilename::Sdist(sdist) if sdist.format == SdistFormat::TarGz);
        (!tar_gz, file.filename.clone())
    });
    sdists.into_iter().next()
}

/// `{ name, upload-time, url, size, hashes }` of one file (the keys the index gave).
fn file_table(file: &IndexFile) -> String {
    let mut fields = vec![format!("name = {}", quoted(&file.filename))];
    if let Some(uploaded) = file.upload_time {
        // A TOML offset datetime, as PEP 751 asks; jiff prints RFC 3339 in UTC (`Z`).
        fields.push(format!("upload-time = {uploaded}"));
    }
    fields.push(format!("url = {}", quoted(&file_url(&file.url))));
    if let Some(size) = file.size {
        fields.push(format!("size = {size}"));
    }
    if let Some(sha256) = file.sha256 {
        fields.push(format!(
            "hashes = {{ sha256 = {} }}",
            quoted(&sha256.to_string())
        ));
    }
    format!("{{ {} }}", fields.join(", "))
}

/// `, size = …, hashes = { sha256 = … }` of a direct URL or local archive: its one file's.
fn archive_facts(pin: &Pin) -> String {
    let mut facts = String::new();
    if let Some(file) = pin.files.iter().find(|file| file.sha256.is_some()) {
        if let Some(size) = file.size {
            let _ = write!(facts, ", size = {size}");
        }
        if let Some(sha256) = file.sha256 {
            let _ = write!(
                facts,
                ", hashes = {{ sha256 = {} }}",
                quoted(&sha256.to_string())
            );
        }
    } else if let Some(sha256) = pin.hashes.first() {
        let _ = write!(
            facts,
            ", hashes = {{ sha256 = {} }}",
            quoted(&sha256.to_string())
        );
    }
    facts
}

/// `directory`, `archive` or `vcs` of a local project, a local file or a git pin.
fn write_local(out: &mut String, pin: &Pin, url: &Url, local: &LocalRequirement) {
    match &local.target {
        LocalTarget::Directory { editable, .. } => {
            let _ = writeln!(
                out,
                "directory = {{ path = {}, editable = {editable} }}",
                quoted(&local_path(url, local))
            );
        }
        LocalTarget::Archive => {
            let _ = writeln!(
                out,
                "archive = {{ path = {}{} }}",
                quoted(&local_path(url, local)),
                archive_facts(pin)
            );
        }
        LocalTarget::Git(git) => write_vcs(out, git),
    }
}

/// A git pin at the commit its ref named.
fn write_vcs(out: &mut String, git: &GitRequirement) {
    let mut fields = vec![
        "type = \"git\"".to_string(),
        format!("url = {}", quoted(&without_credentials(&git.remote))),
    ];
    if let Some(rev) = &git.rev {
        fields.push(format!("requested-revision = {}", quoted(rev)));
    }
    let commit = git
        .checkout
        .as_ref()
        .map(|checkout| checkout.commit.as_str())
        .or(git.rev.as_deref())
        .unwrap_or_default();
    fields.push(format!("commit-id = {}", quoted(commit)));
    if let Some(subdirectory) = &git.subdirectory {
        fields.push(format!("subdirectory = {}", quoted(subdirectory)));
    }
    let _ = writeln!(out, "vcs = {{ {} }}", fields.join(", "));
}

/// A local path as the requirements writer keeps it: relative as the user wrote it (so a lock
/// committed to a repository does not name one machine's checkout), else absolute.
fn local_path(url: &Url, local: &LocalRequirement) -> String {
    if local.is_relative() {
        return local.written.clone();
    }
    url.to_file_path().map_or_else(
        |()| local.written.clone(),
        |path| path.display().to_string(),
    )
}

/// Whether the pin installs from a source tree (a directory or a repository).
fn is_source_tree(pin: &Pin) -> bool {
    matches!(
        &pin.source,
        PinSource::Local {
            local: LocalRequirement {
                target: LocalTarget::Directory { .. } | LocalTarget::Git(_),
                ..
            },
            ..
        }
    )
}

/// The names `pin`'s metadata required that the resolution pinned, sorted: PEP 751's
/// `dependencies`, there for auditing only.
fn dependencies<'a>(pin: &Pin, resolution: &'a Resolution) -> BTreeSet<&'a str> {
    resolution
        .edges
        .iter()
        .filter(|edge| matches!(&edge.from, EdgeFrom::Package { name, .. } if *name == pin.name))
        .map(|edge| edge.to.as_ref())
        .collect()
}

/// The markers of the top-level lines; several are joined with `or`, each parenthesised.
fn combined_marker(markers: &[String]) -> Option<String> {
    match markers {
        [] => None,
        [only] => Some(only.clone()),
        many => Some(
            many.iter()
                .map(|marker| format!("({marker})"))
                .collect::<Vec<_>>()
                .join(" or "),
        ),
    }
}

/// `url` without its user name and password. A pylock file is committed to a repository, and
/// installers do not expand `${NAME}` references in it, so no form of a credential belongs
/// there: whoever installs supplies it through netrc or a keyring, which look the host up.
fn without_credentials(url: &Url) -> String {
    let mut shown = url.clone();
    // Clearing credentials only fails on URLs that cannot have them, which have none.
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.to_string()
}

/// A listed file's URL, [`without_credentials`]. Only a URL from a damaged cache does not
/// parse; it is written as it stands (listed file URLs carry no credentials of their own:
/// those of an index live in the HTTP client).
fn file_url(url: &FileUrl) -> String {
    url.parse()
        .map_or_else(|_| url.as_str().to_owned(), |url| without_credentials(&url))
}

/// `text` as a TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;
