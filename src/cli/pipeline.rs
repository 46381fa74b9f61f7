//! The pipeline of one `resolve` compilation, from its settled [`Compilation`]: inputs →
//! resolver → writer. A plain run goes through it once; `--each` once per input file.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use anyhow::Context as _;

use super::args::{NewlineArg, OutputFormatArg};
use super::builds::builder;
use super::diagnostics::Failure;
use super::hashes::{
    KnownFileHashes, KnownHashes, complete_file_hashes, complete_hashes, known_file_hashes,
    known_hashes,
};
use super::output::{copy_atomically, write_atomically};
use super::preflight::{create_output_directory, refuse_output_among_inputs};
use super::progress::Progress;
use super::settings::{
    Compilation, Options, OutputTarget, default_output, environment_variables, existing_pins,
    output_target, resolve_settings,
};
use super::shadowed::{ShadowReport, Shadowed, find_shadowed, warnings};
use crate::build::Builder;
use crate::cache::Cache;
use crate::index::{ClientOptions, IndexClient, IndexError};
use crate::inputs::{
    LocalPaths, LocalRequirement, LocalTarget, Manifest, OriginKind, ProjectSelection, ReadOptions,
    Variables, command_line_manifest, is_project_file, read_manifest, read_project_file,
};
use crate::resolver::{PinSource, Resolution, ResolveError, ResolveOptions};
use crate::target::Target;
use crate::types::{PackageName, RedactedUrl, Version};
use crate::writers::{
    JsonContext, PylockOptions, is_git, keep_target_files, write_json, write_pylock,
    write_requirements_txt,
};

/// What the compilations of one run share: index clients, one per distinct set of client
/// options (input files may carry their own `--index-url` lines), all over one cache; and
/// whether the run has said that a URL of the lock lost its password (`--each` compiles many
/// files, and one warning is enough).
#[derive(Default)]
pub(super) struct RunState {
    clients: Mutex<Vec<(ClientOptions, IndexClient)>>,
    cache: Mutex<Option<(PathBuf, Cache)>>,
    warned_hidden_credentials: AtomicBool,
}

impl RunState {
    /// The client for `options` over the cache in `cache_dir`, created on first use.
    fn get(
        &self,
        options: &ClientOptions,
        cache_dir: Option<&Path>,
    ) -> anyhow::Result<IndexClient> {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, client)) = clients.iter().find(|(known, _)| known == options) {
            return Ok(client.clone());
        }
        let cache = match cache_dir {
            Some(dir) => Some(self.cache(dir)?),
            None => None,
        };
        let client = IndexClient::new(options.clone(), cache)?;
        clients.push((options.clone(), client.clone()));
        Ok(client)
    }

    fn cache(&self, dir: &Path) -> anyhow::Result<Cache> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((known, cache)) = cache.as_ref()
            && known == dir
        {
            return Ok(cache.clone());
        }
        let opened = Cache::open(dir)?;
        *cache = Some((dir.to_path_buf(), opened.clone()));
        Ok(opened)
    }

    /// Says, once per run, that a URL of the lock (an index's, or a direct URL pin's) lost its
    /// password.
    fn warn_hidden_credentials(&self) {
        if !self.warned_hidden_credentials.swap(true, Ordering::Relaxed) {
            eprintln!(
                "warning: the password of a URL is written as `****`, so that no secret reaches the lock; installing from it needs the credentials from netrc or a keyring (or write an index URL in the input with `${{NAME}}` references, which the lock keeps)"
            );
        }
    }
}

/// What one compilation produced.
pub(super) struct Compiled {
    /// Pins written.
    pub pins: usize,
    /// Bytes of output text.
    pub bytes: usize,
    /// The pins, for cross-file consistency checks.
    pub resolution: Resolution,
}

/// The pipeline of one compilation, from its settled [`Compilation`]: reads its sources (plus
/// `--with` and `-c` inputs), resolves, and writes (or checks) the output. `preferences`
/// replaces the existing output's pins as preferred versions (`--consistent`).
pub(super) async fn compile(
    compilation: &Compilation,
    state: &RunState,
    preferences: Option<&HashMap<PackageName, Version>>,
    started: Instant,
) -> Result<Compiled, Failure> {
    let Compilation {
        sources,
        options,
        variables,
        ..
    } = compilation;
    let mut manifest = read_inputs(options, &compilation.with, sources, variables)?;
    let output = output_target(options, sources)?;
    let inputs: Vec<PathBuf> = sources.iter().chain(&manifest.files).cloned().collect();
    refuse_output_among_inputs(&output, &inputs)?;
    if !compilation.check && !compilation.dry_run {
        create_output_directory(&output)?;
    }
    let mut settings = resolve_settings(options, sources, &manifest, variables, output)?;
    crate::git::fetch_requirements(&mut manifest, settings.cache_dir.as_deref())
        .await
        .map_err(anyhow::Error::new)?;
    if let Some(preferences) = preferences {
        settings.resolve.preferences.clone_from(preferences);
    }
    let client = state.get(&settings.client, settings.cache_dir.as_deref())?;
    let (builder, builds) = builder(&settings, &client, compilation.quiet);
    build_local_projects(&mut manifest, &builder, settings.cache_dir.as_deref()).await?;
    // A fleet's runners fetch what the last resolve of these inputs read, in one burst.
    let fleet = if client.has_remote() {
        let digest = super::fleet::manifest_digest(&manifest, &settings);
        Some((digest, client.prefetch(&digest).await))
    } else {
        None
    };
    let progress = compilation.progress.then(|| {
        Progress::start(
            &client,
            compilation.quiet,
            "Resolving",
            Some(Arc::clone(&builds)),
        )
    });
    let (mut resolution, pin_targets) = if settings.targets.len() > 1 {
        let merged = super::targets::resolve_targets(
            &manifest,
            &settings,
            compilation,
            preferences,
            &client,
            &builds,
        )
        .await?;
        (merged.resolution, merged.targets)
    } else {
        let resolution = resolve_current_in(
            &manifest,
            &settings.target,
            settings.universal.as_ref(),
            &settings.resolve,
            &builder,
            compilation.quiet,
        )
        .await?;
        (resolution, Vec::new())
    };
    if settings.write.hashes {
        let known = match &settings.output {
            OutputTarget::File(path) if options.reuse_hashes => known_hashes(path),
            _ => KnownHashes::default(),
        };
        complete_hashes(&mut resolution, &known, &client).await?;
    }
    if compilation.format == OutputFormatArg::PylockToml {
        if compilation.target_files_only {
            keep_target_files(&mut resolution, &pylock_targets(&settings));
        }
        let known = match &settings.output {
            OutputTarget::File(path) if options.reuse_hashes => known_file_hashes(path),
            _ => KnownFileHashes::default(),
        };
        complete_file_hashes(&mut resolution, &known, &client).await?;
    }
    let shadowed = match options.shadowed {
        ShadowReport::Off => None,
        ShadowReport::Report | ShadowReport::Fail => Some(
            find_shadowed(&resolution, &client)
                .await
                .map_err(anyhow::Error::new)?,
        ),
    };
    let attested = if options.verify_attestations {
        let output = match &settings.output {
            OutputTarget::File(path) => Some(path.as_path()),
            OutputTarget::Stdout => None,
        };
        let recorded = super::attestations::recorded(
            output,
            compilation.format == OutputFormatArg::PylockToml,
        )?;
        Some(super::attestations::verify(&mut resolution, &client, &recorded).await?)
    } else {
        None
    };
    drop(progress);
    if let Some(verified) = attested
        && !compilation.quiet
    {
        eprintln!("{}", verified.summary());
    }
    if let Some(found) = &shadowed {
        for line in warnings(found) {
            eprintln!("{line}");
        }
        if options.shadowed == ShadowReport::Fail && !found.is_empty() {
            return Err(Failure::Shadowed(
                found.iter().map(|found| found.name.to_string()).collect(),
            ));
        }
    }
    // Several targets said so per target, while resolving.
    for pin in resolution
        .pins
        .iter()
        .filter(|_| settings.targets.len() == 1)
    {
        if let Some(kept) = settings.resolve.preferences.get(&pin.name)
            && *kept != pin.version
            && !compilation.quiet
            && preferences.is_none()
        {
            eprintln!(
                "note: `{}` moved from {kept} to {}: the existing pin does not fit the requirements",
                pin.name, pin.version
            );
        }
    }
    // A direct URL written with `${NAME}` references is shown as written; any other one with
    // credentials loses them.
    let direct_credentials = resolution.pins.iter().any(|pin| {
        let url = match &pin.source {
            PinSource::Url(url) => url,
            PinSource::Local {
                local:
                    LocalRequirement {
                        target: LocalTarget::Git(git),
                        ..
                    },
                ..
            } => &git.remote,
            PinSource::Registry { .. } | PinSource::Local { .. } => return false,
        };
        RedactedUrl::has_secret(url) && !settings.write.direct_urls.contains_key(url)
    });
    if (settings.hid_credentials || direct_credentials)
        && compilation.format == OutputFormatArg::RequirementsTxt
        && !compilation.quiet
    {
        state.warn_hidden_credentials();
    }
    if settings.write.hashes && !compilation.quiet {
        for pin in resolution.pins.iter().filter(|pin| is_git(pin)) {
            eprintln!(
                "warning: `{}` is a git requirement: pip refuses VCS requirements in hash-checking mode, so a lock with hashes cannot install it",
                pin.name
            );
        }
    }
    tracing::info!("{} HTTP requests sent", client.requests_sent());
    let text = match compilation.format {
        OutputFormatArg::RequirementsTxt => with_newlines(
            &write_requirements_txt(&resolution, &settings.write),
            newline(options.newline, &settings.output, sources),
        ),
        OutputFormatArg::Json => write_json(
            &resolution,
            &JsonContext {
                python_version: settings.target.python().to_string(),
                python_platform: settings.target.platform().to_string(),
                elapsed_ms: started.elapsed().as_millis(),
                requests: client.requests_sent(),
                targets: if settings.targets.len() > 1 {
                    settings
                        .targets
                        .iter()
                        .map(|named| {
                            (
                                named.target.python().to_string(),
                                named.target.platform().to_string(),
                            )
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                pin_targets,
                universal: settings
                    .universal
                    .as_ref()
                    .map(|universal| universal.requires_python.to_string()),
                shadowed: shadowed
                    .as_ref()
                    .map(|found| found.iter().map(Shadowed::to_json).collect()),
            },
        ),
        OutputFormatArg::PylockToml => write_pylock(
            &resolution,
            &PylockOptions {
                targets: pylock_targets(&settings),
                universal: settings
                    .universal
                    .as_ref()
                    .map(|universal| universal.requires_python.to_string()),
            },
        ),
    };
    if let Some((digest, found)) = &fleet {
        client.leave_manifest(digest, found.as_ref());
    }
    client.finish_remote().await;
    client.write_bundles().await;
    let compiled = Compiled {
        pins: resolution.pins.len(),
        bytes: text.len(),
        resolution,
    };
    if compilation.check {
        return check(&settings.output, &text).map(|()| compiled);
    }
    let destination = if compilation.dry_run {
        &OutputTarget::Stdout
    } else {
        &settings.output
    };
    match destination {
        OutputTarget::Stdout => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .context("cannot write to stdout")?;
        }
        OutputTarget::File(path) => {
            if compilation.backup {
                keep_backup(path)?;
            }
            write_atomically(path, text.as_bytes())?;
        }
    }
    if compilation.dry_run && !compilation.quiet {
        eprintln!("Dry-run, so nothing updated.");
    }
    Ok(compiled)
}

/// `--consistent`: resolves the union of every input (the existing outputs' pins preferred, as
/// in a normal run) and returns its versions, to be every file's preferred versions. `options`
/// are those settled for the first source, whose configuration the union follows.
pub(super) async fn resolve_union(
    options: &Options,
    sources: &[PathBuf],
    state: &RunState,
    quiet: bool,
) -> Result<HashMap<PackageName, Version>, Failure> {
    let first = sources.get(..1).unwrap_or_default();
    let variables = environment_variables();
    let mut manifest = Manifest::default();
    let mut preferences = HashMap::new();
    for source in sources {
        // A file that cannot be read yet (its `-c` output does not exist) is left out of the
        // union; its own compilation reports the problem.
        let Ok(read) = read_inputs(options, &[], std::slice::from_ref(source), &variables) else {
            continue;
        };
        manifest.extend(read);
        let output = OutputTarget::File(default_output(source));
        for (name, version) in existing_pins(options, &output, &variables)? {
            preferences.entry(name).or_insert(version);
        }
    }
    let output = output_target(options, first)?;
    let mut settings = resolve_settings(options, first, &manifest, &variables, output)?;
    settings.resolve.preferences = preferences;
    let client = state.get(&settings.client, settings.cache_dir.as_deref())?;
    let (builder, _) = builder(&settings, &client, quiet);
    build_local_projects(&mut manifest, &builder, settings.cache_dir.as_deref()).await?;
    let resolution = resolve_current(
        &manifest,
        &settings.target,
        &settings.resolve,
        &builder,
        quiet,
    )
    .await?;
    Ok(resolution
        .pins
        .into_iter()
        .map(|pin| (pin.name, pin.version))
        .collect())
}

/// The targets a pylock is written for: every target of the run.
fn pylock_targets(settings: &super::settings::ResolveSettings) -> Vec<crate::target::Target> {
    settings
        .targets
        .iter()
        .map(|named| named.target.clone())
        .collect()
}

/// Builds the local projects (directories, git checkouts) whose metadata only a build can
/// tell, and fills them in; with `--no-build` they are refused, naming the line. A checkout in
/// the cache cannot change, so its build is cached by commit; a directory is built every run.
async fn build_local_projects(
    manifest: &mut Manifest,
    builder: &Builder,
    cache_dir: Option<&Path>,
) -> Result<(), Failure> {
    if !builder.enabled() {
        return match manifest.unbuilt_error() {
            Some(error) => Err(anyhow::Error::new(error).into()),
            None => Ok(()),
        };
    }
    let checkouts = cache_dir.map(|dir| dir.join(crate::cache::GIT_CHECKOUTS_DIR));
    let mut built: HashMap<PathBuf, crate::metadata::CoreMetadata> = HashMap::new();
    for project in manifest.projects_to_build() {
        let metadata = match built.get(&project.directory) {
            Some(metadata) => metadata.clone(),
            None => {
                let label = project.name.as_ref().map_or_else(
                    || project.directory.display().to_string(),
                    ToString::to_string,
                );
                let immutable = checkouts
                    .as_deref()
                    .and_then(|checkouts| project.directory.strip_prefix(checkouts).ok())
                    .map(|commit| format!("git:{}", commit.display()));
                let metadata = builder
                    .build_local_tree(&project.directory, &label, immutable.as_deref())
                    .await
                    .map_err(anyhow::Error::new)?;
                built.insert(project.directory.clone(), metadata.clone());
                metadata
            }
        };
        manifest
            .set_built(project.id, &metadata)
            .map_err(anyhow::Error::new)?;
    }
    Ok(())
}

/// Resolves `manifest`, and once more when a file a cached page listed turned out to be gone
/// from the index: that page has been dropped then, so the second resolution reads the index
/// as it is now instead of failing on what the cache remembered.
pub(super) async fn resolve_current(
    manifest: &Manifest,
    target: &Target,
    options: &ResolveOptions,
    builder: &Builder,
    quiet: bool,
) -> Result<Resolution, ResolveError> {
    resolve_current_in(manifest, target, None, options, builder, quiet).await
}

/// [`resolve_current`] for `target`, or for every environment of `universal` when given.
pub(super) async fn resolve_current_in(
    manifest: &Manifest,
    target: &Target,
    universal: Option<&crate::resolver::Universal>,
    options: &ResolveOptions,
    builder: &Builder,
    quiet: bool,
) -> Result<Resolution, ResolveError> {
    let resolve = || async {
        let source = Arc::new(builder.clone());
        match universal {
            Some(universal) => {
                crate::resolver::resolve_universal(manifest, universal, options, source).await
            }
            None => crate::resolver::resolve(manifest, target, options, source).await,
        }
    };
    match resolve().await {
        Err(error) if is_stale_listing(&error) => {
            if !quiet {
                let cause = match &error {
                    ResolveError::Fetch { source, .. } => source.to_string(),
                    other => other.to_string(),
                };
                eprintln!("warning: {cause}; resolving again");
            }
            resolve().await
        }
        outcome => outcome,
    }
}

/// Whether the resolution failed on a listed file that is gone from a cached page.
fn is_stale_listing(error: &ResolveError) -> bool {
    match error {
        ResolveError::Fetch { source, .. } => source
            .inner()
            .downcast_ref::<IndexError>()
            .is_some_and(IndexError::is_stale_listing),
        _ => false,
    }
}

/// Every input of one compilation as one manifest: the sources, `--with` requirements, `-c`
/// files and `--overrides` files.
fn read_inputs(
    options: &Options,
    with: &[String],
    sources: &[PathBuf],
    variables: &Variables,
) -> Result<Manifest, Failure> {
    let mut manifest = Manifest::default();
    let read_options = ReadOptions {
        variables,
        local_paths: LocalPaths::Read,
    };
    let selection = ProjectSelection {
        extras: options.extra.clone(),
        all_extras: options.all_extras,
        groups: options.group.clone(),
    };
    for source in sources {
        let read = if is_project_file(source) {
            read_project_file(source, &selection)
        } else {
            read_manifest(source, OriginKind::Requirement, read_options)
        };
        manifest.extend(read.map_err(anyhow::Error::new)?);
    }
    manifest.extend(command_line_manifest(with).map_err(anyhow::Error::new)?);
    for constraints in &options.constraint {
        manifest.extend(
            read_manifest(constraints, OriginKind::Constraint, read_options)
                .map_err(anyhow::Error::new)?,
        );
    }
    for overrides in &options.overrides {
        manifest.extend(
            read_manifest(overrides, OriginKind::Override, read_options)
                .map_err(anyhow::Error::new)?,
        );
    }
    Ok(manifest)
}

/// `--backup`: copy the current output to `<output>.bak` before it is replaced.
fn keep_backup(path: &Path) -> anyhow::Result<()> {
    if !path.exists() {
        return Ok(());
    }
    let mut backup = path.as_os_str().to_owned();
    backup.push(".bak");
    copy_atomically(path, &PathBuf::from(backup))
}

/// The line ending `--newline` asks for.
fn newline(
    newline: NewlineArg,
    output: &OutputTarget,
    sources: &[std::path::PathBuf],
) -> &'static str {
    let crlf_in = |path: &std::path::Path| {
        std::fs::read(path).ok().and_then(|bytes| {
            bytes
                .windows(2)
                .find(|pair| pair[1] == b'\n')
                .map(|pair| pair[0] == b'\r')
        })
    };
    match newline {
        NewlineArg::Lf => "\n",
        NewlineArg::Crlf => "\r\n",
        NewlineArg::Native if cfg!(windows) => "\r\n",
        NewlineArg::Native => "\n",
        NewlineArg::Preserve => {
            let existing = match output {
                OutputTarget::File(path) => crlf_in(path),
                OutputTarget::Stdout => None,
            };
            let first_input = sources
                .first()
                .filter(|path| path.as_os_str() != "-")
                .and_then(|path| crlf_in(path));
            if existing.or(first_input).unwrap_or(false) {
                "\r\n"
            } else {
                "\n"
            }
        }
    }
}

/// `text` (written with `\n`) with `newline` line endings.
fn with_newlines(text: &str, newline: &str) -> String {
    if newline == "\n" {
        text.to_string()
    } else {
        text.replace('\n', newline)
    }
}

/// `--check`: compare `text` with the existing output; a stale or missing file is a failure
/// whose diff goes to stdout.
fn check(output: &OutputTarget, text: &str) -> Result<(), Failure> {
    let OutputTarget::File(path) = output else {
        return Err(anyhow::anyhow!("`--check` needs an output file to compare with").into());
    };
    let (existing, missing) = match std::fs::read_to_string(path) {
        Ok(existing) => (existing, false),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => (String::new(), true),
        Err(error) => {
            return Err(anyhow::Error::new(error)
                .context(format!("cannot read `{}`", path.display()))
                .into());
        }
    };
    if existing == text {
        return Ok(());
    }
    let shown = path.display().to_string();
    let diff = similar::TextDiff::from_lines(existing.as_str(), text)
        .unified_diff()
        .header(&shown, &format!("{shown} (resolved now)"))
        .to_string();
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(diff.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")?;
    if missing {
        return Err(Failure::Missing(path.clone()));
    }
    Err(Failure::Stale(path.clone()))
}
