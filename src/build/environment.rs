//! Build environments: `[build-system] requires` resolved by pinwheel's own resolver for the
//! building interpreter (its version and platform, wheels only), those wheels fetched through
//! the cache and unpacked into a directory, as an installer would.
//!
//! An environment is kept in `<cache-dir>/build-env-v1/<digest>/`, the digest naming the
//! interpreter's tag and every pinned file's sha256, so another sdist with the same build
//! requirements reuses it. It is made in a temporary directory beside it and renamed into
//! place, so an environment directory is always complete; two runs racing to make the same one
//! keep the first. Without a cache (`--no-cache`) it lives in a temporary directory for the run.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pep508_rs::Requirement;

use super::install::{EnvLayout, install_wheel};
use super::interpreter::Interpreter;
use super::{BuildError, Inner, fetch};
use crate::inputs::{InputRequirement, Manifest, Origin, OriginKind};
use crate::resolver::{ResolveOptions, resolve};
use crate::types::{IndexFile, PackageName, Sha256Hasher, Version};

/// The directory of build environments inside the cache directory (`cache::trees` maintains it).
const ENVIRONMENTS_DIR: &str = crate::cache::BUILD_ENVIRONMENTS_DIR;

/// An unpacked set of build requirements.
pub(super) struct Environment {
    /// Where it is.
    pub(super) layout: EnvLayout,
    /// What is in it.
    pub(super) pins: Vec<(PackageName, Version)>,
    /// The directory when it is not in the cache: removed with the environment.
    _temporary: Option<tempfile::TempDir>,
}

impl Environment {
    /// Whether every one of `requirements` (that applies to `interpreter`) is met by a pin.
    pub(super) fn satisfies(
        &self,
        requirements: &[Requirement],
        interpreter: &Interpreter,
    ) -> bool {
        let target = interpreter.target();
        requirements
            .iter()
            .filter(|requirement| requirement.evaluate_markers(target.markers(), &[]))
            .all(|requirement| {
                self.pins.iter().any(|(name, version)| {
                    *name == requirement.name
                        && match &requirement.version_or_url {
                            None => true,
                            Some(pep508_rs::VersionOrUrl::VersionSpecifier(specifiers)) => {
                                specifiers.contains(version)
                            }
                            Some(pep508_rs::VersionOrUrl::Url(_)) => false,
                        }
                })
            })
    }
}

impl Inner {
    /// The environment holding `requirements` for `interpreter`, made if needed. `package`
    /// (`name version`) is what it is for, named in errors; `from` names where the
    /// requirements were read (`<sdist>/pyproject.toml`).
    pub(super) async fn environment(
        &self,
        requirements: &[Requirement],
        package: &str,
        from: &Path,
        interpreter: &Interpreter,
    ) -> Result<Arc<Environment>, BuildError> {
        let files = self
            .resolve_requirements(requirements, package, from, interpreter)
            .await?;
        let key = environment_key(&interpreter.cache_tag(), &files);
        let mut environments = self.environments.lock().await;
        if let Some(environment) = environments.get(&key) {
            return Ok(Arc::clone(environment));
        }
        let environment = Arc::new(
            self.make_environment(&key, files, package, interpreter)
                .await?,
        );
        environments.insert(key, Arc::clone(&environment));
        Ok(environment)
    }

    /// The pinned wheel of every build requirement.
    async fn resolve_requirements(
        &self,
        requirements: &[Requirement],
        package: &str,
        from: &Path,
        interpreter: &Interpreter,
    ) -> Result<Vec<(PackageName, Version, IndexFile)>, BuildError> {
        let mut manifest = Manifest::default();
        for requirement in requirements {
            manifest.requirements.push(InputRequirement {
                requirement: requirement.clone(),
                text: requirement.to_string(),
                origin: Origin {
                    kind: OriginKind::Requirement,
                    file: from.to_path_buf(),
                    line: 0,
                    project: None,
                },
                local: None,
            });
        }
        let options = ResolveOptions {
            selection: self.selection.clone(),
            ..ResolveOptions::default()
        };
        let resolution = resolve(
            &manifest,
            &interpreter.target(),
            &options,
            Arc::new(self.registry.clone()),
        )
        .await
        .map_err(|source| BuildError::Requirements {
            package: package.to_string(),
            source: Box::new(source),
        })?;
        resolution
            .pins
            .into_iter()
            .map(|pin| match pin.file {
                Some(file) if file.dist.is_wheel() => Ok((pin.name, pin.version, file)),
                _ => Err(BuildError::NotAWheel {
                    package: package.to_string(),
                    requirement: format!("{}=={}", pin.name, pin.version),
                }),
            })
            .collect()
    }

    /// Makes the environment `key` of `files`: found in the cache, or fetched and unpacked.
    async fn make_environment(
        &self,
        key: &str,
        files: Vec<(PackageName, Version, IndexFile)>,
        package: &str,
        interpreter: &Interpreter,
    ) -> Result<Environment, BuildError> {
        let pins = files
            .iter()
            .map(|(name, version, _)| (name.clone(), version.clone()))
            .collect();
        let local = |path: &Path| {
            let (package, path) = (package.to_string(), path.display().to_string());
            move |source| BuildError::Local {
                package,
                path,
                source,
            }
        };
        let cached = self
            .registry
            .client()
            .cache()
            .map(|cache| cache.dir().join(ENVIRONMENTS_DIR));
        if let Some(parent) = &cached {
            let done = parent.join(key);
            if done.is_dir() {
                tracing::debug!("build environment {key} is cached");
                crate::cache::touch_tree(&done);
                return Ok(Environment {
                    layout: EnvLayout::new(done),
                    pins,
                    _temporary: None,
                });
            }
            std::fs::create_dir_all(parent).map_err(local(parent))?;
        }
        let temporary = match &cached {
            Some(parent) => tempfile::Builder::new().prefix(".tmp-").tempdir_in(parent),
            None => tempfile::tempdir(),
        }
        .map_err(local(
            cached
                .as_deref()
                .unwrap_or(Path::new("a temporary directory")),
        ))?;
        let root = temporary.path().join("env");
        let layout = EnvLayout::new(root.clone());
        // Made even when there is nothing to unpack (an in-tree backend needs no requirements).
        for dir in [layout.site_dir(), layout.scripts_dir()] {
            std::fs::create_dir_all(&dir).map_err(local(&dir))?;
        }
        let downloads = temporary.path().join("wheels");
        std::fs::create_dir_all(&downloads).map_err(local(&downloads))?;
        let client = self.registry.client();
        let fetched = futures::future::try_join_all(files.iter().map(|(_, _, file)| {
            let path = downloads.join(&file.filename);
            async move {
                fetch::distribution(client, file, &path).await?;
                Ok::<PathBuf, crate::index::IndexError>(path)
            }
        }))
        .await
        .map_err(|source| BuildError::Fetch {
            package: package.to_string(),
            source: Box::new(source),
        })?;
        let install = {
            let (layout, interpreter) = (layout.clone(), interpreter.clone());
            tokio::task::spawn_blocking(move || {
                fetched
                    .iter()
                    .try_for_each(|wheel| install_wheel(wheel, &layout, &interpreter))
            })
        };
        install
            .await
            .map_err(|error| local(&root)(std::io::Error::other(error)))?
            .map_err(|source| BuildError::Install {
                package: package.to_string(),
                source: Box::new(source),
            })?;
        tracing::info!("made build environment {key} for {package}");
        let Some(parent) = cached else {
            return Ok(Environment {
                layout,
                pins,
                _temporary: Some(temporary),
            });
        };
        let done = parent.join(key);
        // Another run may have finished the same environment meanwhile: either is complete.
        if let Err(error) = std::fs::rename(&root, &done)
            && !done.is_dir()
        {
            return Err(local(&done)(error));
        }
        Ok(Environment {
            layout: EnvLayout::new(done),
            pins,
            _temporary: None,
        })
    }
}

/// The digest naming an environment: the interpreter's tag and every pinned file, in any order.
fn environment_key(interpreter_tag: &str, files: &[(PackageName, Version, IndexFile)]) -> String {
    let mut lines: Vec<String> = files
        .iter()
        .map(|(name, version, file)| {
            let digest = file
                .sha256
                .map_or_else(|| file.url.as_str().to_owned(), |digest| digest.to_hex());
            format!("{name}=={version} {digest}")
        })
        .collect();
    lines.sort();
    let mut hasher = Sha256Hasher::new();
    hasher.update(interpreter_tag.as_bytes());
    for line in &lines {
        hasher.update(b"\n");
        hasher.update(line.as_bytes());
    }
    let (digest, _) = hasher.finish();
    digest.to_hex()[..32].to_string()
}

#[cfg(test)]
mod tests {
    use std::str::FromStr as _;

    use url::Url;

    use super::*;
    use crate::types::{
        DistFilename, FileOrigin, MetadataAvailability, RedactedUrl, Sha256Digest, Yanked,
    };

    fn pinned(name: &str, version: &str) -> (PackageName, Version, IndexFile) {
        let package = PackageName::from_str(name).unwrap();
        let filename = format!("{name}-{version}-py3-none-any.whl");
        let file = IndexFile {
            dist: DistFilename::parse(&filename, &package).unwrap(),
            url: Url::parse(&format!("https://files.example/{filename}"))
                .unwrap()
                .into(),
            sha256: Some(Sha256Digest::of(filename.as_bytes())),
            filename,
            requires_python: None,
            yanked: Yanked::No,
            upload_time: None,
            metadata: MetadataAvailability::NotAdvertised,
            size: None,
            provenance: None,
            origin: FileOrigin::Index(RedactedUrl::new(
                Url::parse("https://index.example/simple/").unwrap(),
            )),
        };
        (package, Version::from_str(version).unwrap(), file)
    }

    #[test]
    fn an_environment_is_named_by_its_interpreter_and_pins_in_any_order() {
        let tag = "cp311-manylinux_2_36_x86_64";
        let (a, b) = (pinned("setuptools", "70.0"), pinned("wheel", "0.45.1"));
        let key = environment_key(tag, &[a.clone(), b.clone()]);
        assert_eq!(key.len(), 32);
        assert_eq!(key, environment_key(tag, &[b.clone(), a.clone()]));
        assert_ne!(
            key,
            environment_key("cp312-manylinux_2_36_x86_64", &[a.clone(), b])
        );
        assert_ne!(key, environment_key(tag, &[a, pinned("wheel", "0.45.0")]));
    }
}
