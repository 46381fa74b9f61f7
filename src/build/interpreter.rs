//! The Python interpreter a metadata build runs with: finding it, and asking it once what it is.
//!
//! A build runs the backend's code, so what it produces can depend on the interpreter that runs
//! it. The build requirements are therefore resolved for the interpreter's own version and
//! platform ([`Interpreter::target`]), never for the lock's target, and the interpreter's
//! [`Interpreter::cache_tag`] goes into the keys of built metadata.
//!
//! The platform comes from a probe (`python -I -S -c …`), not from `cfg!`: the machine's glibc
//! or musl version, or macOS version, decides which wheels of the build requirements it can load.
//! Only CPython is accepted: pinwheel's [`Target`] always describes a stock CPython, so a PyPy
//! would be handed `cp3XX` wheels it cannot import.
//!
//! This module reads no environment variables: `find` takes the `PATH` to search as a value.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde::Deserialize;

use crate::target::{Arch, Os, Platform, PythonVersion, Target};

/// How long the probe may take. A healthy interpreter answers in tens of milliseconds; a hung
/// one (a network file system, a shim waiting for input) must not hang the resolve.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The probe: one JSON object on stdout. It runs with `-I -S`, so nothing but this script can
/// print, and it imports only the standard library.
const PROBE: &str = r#"
import glob, json, os, platform, struct, subprocess, sys

def libc():
    try:
        glibc = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):
        glibc = None
    if glibc:
        return ["glibc", glibc.split()[-1]]
    # musl has no confstr for its version; its dynamic loader prints it when run bare.
    for loader in sorted(glob.glob("/lib/ld-musl-*.so.1")):
        try:
            out = subprocess.run([loader], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, timeout=5).stdout.decode("utf-8", "replace")
        except (OSError, subprocess.SubprocessError):
            continue
        for line in out.splitlines():
            if line.startswith("Version "):
                return ["musl", line.split()[1]]
    return None

info = {
    "implementation": sys.implementation.name,
    "version": list(sys.version_info[:3]),
    "system": sys.platform,
    "machine": platform.machine(),
    "bits": struct.calcsize("P") * 8,
    "libc": libc() if sys.platform.startswith("linux") else None,
    "macos": platform.mac_ver()[0] if sys.platform == "darwin" else "",
    "executable": sys.executable or "",
}
sys.stdout.write(json.dumps(info))
"#;

/// A Python interpreter that was found and probed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpreter {
    path: PathBuf,
    version: PythonVersion,
    platform: Platform,
}

/// Why no usable interpreter could be had.
#[derive(Debug, thiserror::Error)]
pub enum InterpreterError {
    /// Nothing by the names looked for exists.
    #[error("no python interpreter found: {looked_for}")]
    NotFound {
        /// What was looked for, and where, in words.
        looked_for: String,
    },
    /// The interpreter could not be run or its answer not read.
    #[error("cannot probe python interpreter `{path}`: {reason}")]
    Probe {
        /// The interpreter.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The interpreter is not CPython.
    #[error(
        "python interpreter `{path}` is {implementation}, not CPython; pinwheel builds with CPython only"
    )]
    NotCPython {
        /// The interpreter.
        path: PathBuf,
        /// `sys.implementation.name` (`pypy`, `graalpy`, …).
        implementation: String,
    },
    /// CPython, but on a platform pinwheel has no wheel tags for.
    #[error("python interpreter `{path}` runs on a platform pinwheel does not support: {reason}")]
    Platform {
        /// The interpreter.
        path: PathBuf,
        /// The platform, and what is wrong with it.
        reason: String,
    },
}

/// What the probe prints.
#[derive(Deserialize)]
struct ProbeAnswer {
    implementation: String,
    version: (u8, u8, u8),
    system: String,
    machine: String,
    bits: u32,
    libc: Option<(String, String)>,
    macos: String,
    executable: String,
}

impl Interpreter {
    /// Runs `path -I -S -c <probe>` (at most 10 s, stdin closed, an empty environment) and reads
    /// the interpreter's version, implementation, CPU and C library (or macOS version).
    ///
    /// The path kept is the interpreter's own `sys.executable` when it reports an existing
    /// absolute one, so a shim (pyenv) is resolved once here rather than at every build.
    /// Blocking: async callers run it (and [`Interpreter::find`]) in `spawn_blocking`.
    ///
    /// # Errors
    /// When it cannot be run, does not answer in time, is not CPython, or runs on a platform
    /// pinwheel has no wheel tags for.
    pub fn probe(path: &Path) -> Result<Interpreter, InterpreterError> {
        Self::probe_with_path(path, None)
    }

    /// [`Interpreter::probe`] with `PATH` set to `path_var` for the probe, for interpreters that
    /// are scripts needing it (pyenv shims).
    ///
    /// # Errors
    /// As [`Interpreter::probe`].
    pub fn probe_with_path(
        path: &Path,
        path_var: Option<&OsStr>,
    ) -> Result<Interpreter, InterpreterError> {
        let probe_error = |reason: String| InterpreterError::Probe {
            path: path.to_path_buf(),
            reason,
        };
        let stdout = run_probe(path, path_var).map_err(probe_error)?;
        let answer: ProbeAnswer = serde_json::from_slice(&stdout)
            .map_err(|error| probe_error(format!("unexpected answer ({error})")))?;
        Self::from_answer(path, answer)
    }

    fn from_answer(path: &Path, answer: ProbeAnswer) -> Result<Interpreter, InterpreterError> {
        if answer.implementation != "cpython" {
            return Err(InterpreterError::NotCPython {
                path: path.to_path_buf(),
                implementation: answer.implementation,
            });
        }
        let (major, minor, patch) = answer.version;
        let version = PythonVersion::new(major, minor, Some(patch)).map_err(|error| {
            InterpreterError::Probe {
                path: path.to_path_buf(),
                reason: error.to_string(),
            }
        })?;
        let platform = platform_of(&answer).map_err(|reason| InterpreterError::Platform {
            path: path.to_path_buf(),
            reason,
        })?;
        let executable = PathBuf::from(&answer.executable);
        let path = if executable.is_absolute() && executable.is_file() {
            executable
        } else {
            path.to_path_buf()
        };
        Ok(Interpreter {
            path,
            version,
            platform,
        })
    }

    /// Finds the interpreter to build with.
    ///
    /// `explicit` (from `--python`, `PINWHEEL_PYTHON` or the configuration) wins: a path is
    /// probed as it is, a bare name is looked up in `path_var`. Otherwise the first
    /// `python3.X` on `path_var` whose `3.X` is `wanted`'s, else the first `python3`, else the
    /// first `python`. A `None` `path_var` searches nothing (this module reads no environment).
    ///
    /// # Errors
    /// [`InterpreterError::NotFound`] when nothing by those names exists; the probe's error
    /// when the interpreter found cannot be used.
    pub fn find(
        explicit: Option<&Path>,
        wanted: &PythonVersion,
        path_var: Option<&OsStr>,
    ) -> Result<Interpreter, InterpreterError> {
        if let Some(explicit) = explicit {
            if explicit.components().count() > 1 || explicit.is_absolute() {
                if !explicit.exists() {
                    return Err(InterpreterError::NotFound {
                        looked_for: format!("`{}` does not exist", explicit.display()),
                    });
                }
                return Self::probe_with_path(explicit, path_var);
            }
            let found = lookup(explicit.as_os_str(), path_var).ok_or_else(|| {
                InterpreterError::NotFound {
                    looked_for: format!("`{}` is not on PATH", explicit.display()),
                }
            })?;
            return Self::probe_with_path(&found, path_var);
        }
        let names = [
            format!("python{}.{}", wanted.major(), wanted.minor()),
            "python3".to_owned(),
            "python".to_owned(),
        ];
        for name in &names {
            if let Some(found) = lookup(OsStr::new(name), path_var) {
                return Self::probe_with_path(&found, path_var);
            }
        }
        Err(InterpreterError::NotFound {
            looked_for: format!(
                "none of `{}`, `{}`, `{}` is on PATH",
                names[0], names[1], names[2]
            ),
        })
    }

    /// An interpreter that was never probed, for tests that need one but do not run it.
    #[cfg(test)]
    pub(crate) fn unprobed(path: PathBuf) -> Interpreter {
        Interpreter {
            path,
            version: PythonVersion::new(3, 11, Some(2)).expect("3 is Python 3"),
            platform: Platform::new(
                Os::Manylinux {
                    major: 2,
                    minor: 36,
                },
                Arch::X86_64,
            )
            .expect("glibc on x86_64 exists"),
        }
    }

    /// The interpreter's executable.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its version, with the patch release.
    #[must_use]
    pub fn version(&self) -> &PythonVersion {
        &self.version
    }

    /// The platform it runs on (the host's, as the interpreter sees it).
    #[must_use]
    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    /// The target build requirements are resolved for: this interpreter on its platform.
    #[must_use]
    pub fn target(&self) -> Target {
        Target::new(self.version, self.platform)
    }

    /// Short, stable text for cache keys: `cp311-manylinux_2_36_x86_64`. The patch release is
    /// left out: metadata does not change between patch releases of one interpreter.
    #[must_use]
    pub fn cache_tag(&self) -> String {
        let arch = self.platform.arch();
        let platform = match *self.platform.os() {
            Os::Manylinux { major, minor } => format!("manylinux_{major}_{minor}_{arch}"),
            Os::Musllinux { major, minor } => format!("musllinux_{major}_{minor}_{arch}"),
            Os::Macos { major, minor } => {
                let arch = if arch == Arch::Aarch64 {
                    "arm64"
                } else {
                    "x86_64"
                };
                format!("macosx_{major}_{minor}_{arch}")
            }
            Os::Windows => match arch {
                Arch::Aarch64 => "win_arm64".to_owned(),
                Arch::X86 => "win32".to_owned(),
                _ => "win_amd64".to_owned(),
            },
        };
        format!(
            "cp{}{}-{platform}",
            self.version.major(),
            self.version.minor()
        )
    }
}

impl std::fmt::Display for Interpreter {
    /// `CPython 3.11.2 at /usr/bin/python3`, for notes and errors.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CPython {} at {}", self.version, self.path.display())
    }
}

/// Runs the probe and returns its stdout, or why it failed.
fn run_probe(path: &Path, path_var: Option<&OsStr>) -> Result<Vec<u8>, String> {
    let mut command = Command::new(path);
    command
        .args(["-I", "-S", "-c", PROBE])
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(path_var) = path_var {
        command.env("PATH", path_var);
    }
    // Before 3.11, `-c` puts the working directory first on `sys.path`: a `json.py` in the
    // user's project must not stand in for the standard library's.
    #[cfg(unix)]
    command.current_dir("/");
    let mut child = command.spawn().map_err(|error| error.to_string())?;
    let (Some(mut stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err("its output could not be captured".to_owned());
    };
    // The pipes are read on threads so that the wait below can have a time limit; they end
    // when the child (and anything it started) closes them.
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let result = stdout.read_to_end(&mut bytes).map(|_| bytes);
        let _ = sender.send(result);
    });
    let stderr_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.take(64 * 1024).read_to_end(&mut bytes);
        bytes
    });
    let stdout = match receiver.recv_timeout(PROBE_TIMEOUT) {
        Ok(result) => result.map_err(|error| error.to_string()),
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "no answer within {} seconds",
                PROBE_TIMEOUT.as_secs()
            ));
        }
    };
    let status = child.wait().map_err(|error| error.to_string())?;
    let stderr = stderr_reader.join().unwrap_or_default();
    if !status.success() {
        let stderr = String::from_utf8_lossy(&stderr);
        let last = stderr.lines().last().unwrap_or("").trim();
        return Err(format!("it exited with {status}: {last}"));
    }
    stdout
}

/// The platform in a probe's answer.
fn platform_of(answer: &ProbeAnswer) -> Result<Platform, String> {
    let machine = answer.machine.to_ascii_lowercase();
    let bits64 = answer.bits == 64;
    // A 32-bit Python on a 64-bit kernel reports the kernel's machine; its wheels are 32-bit.
    let arch = match machine.as_str() {
        "x86_64" | "amd64" if bits64 => Arch::X86_64,
        "x86_64" | "amd64" | "i386" | "i486" | "i586" | "i686" | "x86" => Arch::X86,
        "aarch64" | "arm64" if bits64 => Arch::Aarch64,
        "aarch64" | "arm64" | "armv7l" | "armv8l" => Arch::Armv7l,
        "ppc64le" => Arch::Ppc64le,
        "s390x" => Arch::S390x,
        _ => return Err(format!("CPU `{}`", answer.machine)),
    };
    let os = if answer.system.starts_with("linux") {
        match &answer.libc {
            Some((kind, version)) if kind == "glibc" => {
                let (major, minor) =
                    two_numbers(version).ok_or_else(|| format!("glibc version `{version}`"))?;
                Os::Manylinux { major, minor }
            }
            Some((kind, version)) if kind == "musl" => {
                let (major, minor) =
                    two_numbers(version).ok_or_else(|| format!("musl version `{version}`"))?;
                Os::Musllinux { major, minor }
            }
            _ => return Err("Linux with a C library that is neither glibc nor musl".to_owned()),
        }
    } else if answer.system == "darwin" {
        let (major, minor) = two_numbers(&answer.macos)
            .ok_or_else(|| format!("macOS version `{}`", answer.macos))?;
        // From macOS 11 on, wheels are tagged by the major version alone (`macosx_14_0`).
        let minor = if major >= 11 { 0 } else { minor };
        Os::Macos { major, minor }
    } else if answer.system == "win32" {
        Os::Windows
    } else {
        return Err(format!("operating system `{}`", answer.system));
    };
    Platform::new(os, arch).map_err(|error| error.to_string())
}

/// `2.36` → (2, 36); `14` → (14, 0); `1.2.4` → (1, 2).
fn two_numbers(text: &str) -> Option<(u16, u16)> {
    let mut parts = text.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = match parts.next() {
        Some(minor) => minor.parse().ok()?,
        None => 0,
    };
    Some((major, minor))
}

/// The first executable file called `name` in the directories of `path_var`.
fn lookup(name: &OsStr, path_var: Option<&OsStr>) -> Option<PathBuf> {
    let mut file_name = OsString::from(name);
    if !std::env::consts::EXE_SUFFIX.is_empty()
        && Path::new(name).extension().is_none_or(|ext| ext != "exe")
    {
        file_name.push(std::env::consts::EXE_SUFFIX);
    }
    std::env::split_paths(path_var?)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(&file_name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
pub(crate) mod tests;
