//! A build environment made by pinwheel itself: wheels unpacked into a directory, as an
//! installer would, without pip or venv.
//!
//! An [`EnvLayout`] is `<root>/site` (purelib and platlib together) and `<root>/bin` (scripts).
//! The hook runner adds `site` with `site.addsitedir`, which also processes `.pth` files
//! (setuptools' `distutils-precedence.pth` needs that on 3.12), and puts `bin` first on `PATH`,
//! so console scripts such as `ninja`, `cmake` or `cython` can be run by the backend.
//!
//! [`install_wheel`] writes no `RECORD` or `INSTALLER` and compiles nothing: the environment is
//! thrown away or cached whole, never upgraded in place. It is blocking file IO; async callers
//! run it in `spawn_blocking`.

mod scripts;

use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};

use zip::ZipArchive;

use super::interpreter::Interpreter;

/// A directory holding unpacked wheels: `<root>/site` and `<root>/bin`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvLayout {
    root: PathBuf,
}

impl EnvLayout {
    /// The layout under `root` (nothing is created until a wheel is installed).
    #[must_use]
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// The environment's directory.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where importable code goes: purelib and platlib.
    #[must_use]
    pub fn site_dir(&self) -> PathBuf {
        self.root.join("site")
    }

    /// Where scripts and console-script wrappers go.
    #[must_use]
    pub fn scripts_dir(&self) -> PathBuf {
        self.root.join("bin")
    }

    /// Where a wheel's `.data/headers` go: `<root>/include/<distribution>`. Nothing reads them
    /// during a metadata build; they are kept so a backend that looks there finds them.
    #[must_use]
    pub fn headers_dir(&self) -> PathBuf {
        self.root.join("include")
    }

    /// Where a wheel's `.data/data` go: `<root>/data`, inside the environment rather than a
    /// prefix, so a wheel can never write outside it.
    #[must_use]
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }
}

/// A wheel that could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The file is not a readable zip archive.
    #[error("cannot read wheel `{wheel}`")]
    Open {
        /// The wheel file.
        wheel: PathBuf,
        /// The zip reader's error.
        #[source]
        source: zip::result::ZipError,
    },
    /// One member could not be read.
    #[error("cannot read `{member}` in wheel `{wheel}`")]
    Member {
        /// The wheel file.
        wheel: PathBuf,
        /// The member's name in the archive.
        member: String,
        /// The zip reader's error.
        #[source]
        source: zip::result::ZipError,
    },
    /// A member whose path is absolute or climbs out with `..`.
    #[error("wheel `{wheel}` has a member outside its root: `{member}`")]
    UnsafePath {
        /// The wheel file.
        wheel: PathBuf,
        /// The member's name in the archive.
        member: String,
    },
    /// The archive is not laid out as a wheel.
    #[error("`{wheel}` is not a wheel: {reason}")]
    NotAWheel {
        /// The wheel file.
        wheel: PathBuf,
        /// What is missing or wrong.
        reason: String,
    },
    /// A line of `entry_points.txt` that names no usable script or object.
    #[error("wheel `{wheel}`: bad entry point `{line}` in `entry_points.txt`: {reason}")]
    EntryPoint {
        /// The wheel file.
        wheel: PathBuf,
        /// The line as written.
        line: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Writing into the environment failed.
    #[error("cannot write `{path}`")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
}

/// Unpacks `wheel` into `env` as an installer would.
///
/// - Every member goes under `site/`; a member that is absolute or contains `..` is refused
///   before anything is written.
/// - `<name>.data/purelib` and `platlib` go into `site/`, `scripts` into `bin/` (a `#!python`
///   first line becomes the interpreter), `headers` into [`EnvLayout::headers_dir`] and `data`
///   into [`EnvLayout::data_dir`]; other `.data` directories are skipped.
/// - `console_scripts` and `gui_scripts` from `*.dist-info/entry_points.txt` become small Python
///   wrappers in `bin/` that run with `interpreter`.
/// - Members with an executable bit, scripts and wrappers get mode 0755.
///
/// # Errors
/// When the wheel cannot be read, is not laid out as a wheel, has an unsafe member path or a bad
/// entry point, or a file cannot be written.
pub fn install_wheel(
    wheel: &Path,
    env: &EnvLayout,
    interpreter: &Interpreter,
) -> Result<(), InstallError> {
    let file = File::open(wheel).map_err(|source| InstallError::Io {
        path: wheel.to_path_buf(),
        source,
    })?;
    let mut archive = ZipArchive::new(file).map_err(|source| InstallError::Open {
        wheel: wheel.to_path_buf(),
        source,
    })?;
    let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    // Every path is checked before the first write, so a refused wheel leaves nothing behind.
    let mut members = Vec::with_capacity(names.len());
    for name in &names {
        members.push(safe_relative(name).ok_or_else(|| InstallError::UnsafePath {
            wheel: wheel.to_path_buf(),
            member: name.clone(),
        })?);
    }
    let dist_info = dist_info_dir(&names).ok_or_else(|| InstallError::NotAWheel {
        wheel: wheel.to_path_buf(),
        reason: "no top-level `*.dist-info/METADATA`".to_owned(),
    })?;
    let distribution = dist_info
        .strip_suffix(".dist-info")
        .unwrap_or(&dist_info)
        .to_owned();
    let data_dir = format!("{distribution}.data");
    let project = distribution.split('-').next().unwrap_or(&distribution);

    let site = env.site_dir();
    let bin = env.scripts_dir();
    create_dir(&site)?;
    create_dir(&bin)?;
    for (index, relative) in members.iter().enumerate() {
        let Some(destination) = destination(relative, &data_dir, project, env) else {
            continue;
        };
        let mut member = archive
            .by_index(index)
            .map_err(|source| InstallError::Member {
                wheel: wheel.to_path_buf(),
                member: names[index].clone(),
                source,
            })?;
        if member.is_dir() {
            create_dir(&destination.path)?;
            continue;
        }
        if let Some(parent) = destination.path.parent() {
            create_dir(parent)?;
        }
        let write_error = |source| InstallError::Io {
            path: destination.path.clone(),
            source,
        };
        if destination.is_script {
            scripts::write_data_script(&mut member, &destination.path, interpreter)
                .map_err(write_error)?;
        } else {
            let executable = member.unix_mode().is_some_and(|mode| mode & 0o111 != 0);
            let mut out = File::create(&destination.path).map_err(write_error)?;
            io::copy(&mut member, &mut out).map_err(write_error)?;
            if executable {
                scripts::make_executable(&destination.path).map_err(write_error)?;
            }
        }
    }
    let entry_points = site.join(&dist_info).join("entry_points.txt");
    if entry_points.is_file() {
        let text = std::fs::read_to_string(&entry_points).map_err(|source| InstallError::Io {
            path: entry_points.clone(),
            source,
        })?;
        scripts::write_entry_points(&text, wheel, env, interpreter)?;
    }
    Ok(())
}

/// Where one member goes, and whether it is a `.data/scripts` file.
struct Destination {
    path: PathBuf,
    is_script: bool,
}

/// The destination of the member at `relative`, or `None` to skip it.
fn destination(
    relative: &Path,
    data_dir: &str,
    project: &str,
    env: &EnvLayout,
) -> Option<Destination> {
    let mut components = relative.components();
    let first = components.next()?;
    // Compared without case: some tools write `Foo-1.0.dist-info` beside `foo-1.0.data`.
    let is_data_dir = first
        .as_os_str()
        .to_str()
        .is_some_and(|first| first.eq_ignore_ascii_case(data_dir));
    if !is_data_dir {
        return Some(Destination {
            path: env.site_dir().join(relative),
            is_script: false,
        });
    }
    let key = components.next()?;
    let rest = components.as_path();
    let (base, is_script) = match key.as_os_str().to_str()? {
        "purelib" | "platlib" => (env.site_dir(), false),
        "scripts" => (env.scripts_dir(), true),
        "headers" => (env.headers_dir().join(project), false),
        "data" => (env.data_dir(), false),
        other => {
            tracing::debug!(
                "skipping `{}`: unknown wheel data directory `{other}`",
                relative.display()
            );
            return None;
        }
    };
    if rest.as_os_str().is_empty() {
        return None;
    }
    Some(Destination {
        path: base.join(rest),
        is_script,
    })
}

/// `name` as a relative path made only of normal components, or `None` when it is absolute,
/// has a drive or root, or climbs with `..`. Backslashes count as separators too: a wheel
/// built on Windows must not smuggle `..\` past the check.
fn safe_relative(name: &str) -> Option<PathBuf> {
    if name.starts_with('/') || name.starts_with('\\') || name.contains('\0') {
        return None;
    }
    let mut path = PathBuf::new();
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return None,
            part if part.contains(':') => return None,
            part => {
                let mut components = Path::new(part).components();
                if !matches!(
                    (components.next(), components.next()),
                    (Some(Component::Normal(_)), None)
                ) {
                    return None;
                }
                path.push(part);
            }
        }
    }
    if path.as_os_str().is_empty() {
        None
    } else {
        Some(path)
    }
}

/// The wheel's `<name>-<version>.dist-info` directory: the top-level one holding `METADATA`.
fn dist_info_dir(names: &[String]) -> Option<String> {
    names.iter().find_map(|name| {
        let (dir, file) = name.split_once('/')?;
        (dir.ends_with(".dist-info") && file == "METADATA").then(|| dir.to_owned())
    })
}

fn create_dir(path: &Path) -> Result<(), InstallError> {
    std::fs::create_dir_all(path).map_err(|source| InstallError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests;
