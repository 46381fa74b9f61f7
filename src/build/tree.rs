//! Building one source tree's metadata: `[build-system]`, its environment, the PEP 517 hooks.

use std::path::Path;
use std::str::FromStr as _;

use pep508_rs::Requirement;

use super::hooks::{Backend, HookRun};
use super::interpreter::Interpreter;
use super::{BuildError, Inner};
use crate::metadata::build_system;

impl Inner {
    /// The METADATA a build of the tree at `dir` produces; `package` (`name version`) names it
    /// in errors.
    pub(super) async fn build_tree(
        &self,
        dir: &Path,
        package: &str,
        interpreter: &Interpreter,
    ) -> Result<Vec<u8>, BuildError> {
        let pyproject_path = dir.join("pyproject.toml");
        let pyproject = match std::fs::read(&pyproject_path) {
            Ok(bytes) => Some(bytes),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(BuildError::Local {
                    package: package.to_string(),
                    path: pyproject_path.display().to_string(),
                    source,
                });
            }
        };
        let system =
            build_system(pyproject.as_deref()).map_err(|source| BuildError::BuildSystem {
                package: package.to_string(),
                source: Box::new(source),
            })?;
        let backend = Backend {
            name: system.backend.clone(),
            path: system.backend_path.clone(),
        };
        let mut environment = self
            .environment(&system.requires, package, &pyproject_path, interpreter)
            .await?;
        let path_var = self.options.path_var.as_deref();
        let hook_error = |source| BuildError::Hook {
            package: package.to_string(),
            source: Box::new(source),
        };
        let asked = HookRun {
            interpreter,
            envs: std::slice::from_ref(&environment.layout),
            source_dir: dir,
            backend: &backend,
            timeout: self.options.timeout,
            path_var,
            passed_env: &self.options.passed_env,
        }
        .get_requires_for_build_wheel()
        .await
        .map_err(hook_error)?;
        let asked = asked
            .iter()
            .map(|text| {
                let asked_for = |reason: String| BuildError::AskedFor {
                    package: package.to_string(),
                    requirement: text.clone(),
                    reason,
                };
                crate::types::check_requirement(text)
                    .map_err(|error| asked_for(error.to_string()))?;
                Requirement::from_str(text).map_err(|error| asked_for(error.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !environment.satisfies(&asked, interpreter) {
            let mut requirements = system.requires.clone();
            requirements.extend(asked);
            environment = self
                .environment(&requirements, package, &pyproject_path, interpreter)
                .await?;
        }
        HookRun {
            interpreter,
            envs: std::slice::from_ref(&environment.layout),
            source_dir: dir,
            backend: &backend,
            timeout: self.options.timeout,
            path_var,
            passed_env: &self.options.passed_env,
        }
        .wheel_metadata()
        .await
        .map_err(hook_error)
    }
}
