//! The executables of a build environment: `.data/scripts` files with their `#!python` line
//! pointed at the interpreter, and wrappers for `console_scripts` and `gui_scripts` entry points.
//!
//! A wrapper is a Python file that imports the entry point's object and calls it. It runs with
//! the build's interpreter through its first line, and puts its environment's `site` directory
//! in front of `sys.path` when it is not there yet, so it works whether or not the backend that
//! runs it passed `PYTHONPATH` on.

use std::io::{self, Read, Write};
use std::path::Path;

use super::{EnvLayout, InstallError};
use crate::build::interpreter::Interpreter;

/// Linux reads at most this many bytes of a `#!` line (older kernels 127); longer interpreter
/// paths, and paths with spaces, go through `/bin/sh` instead.
const SHEBANG_MAX: usize = 127;

/// The first line(s) that make a script run with `python`.
pub(super) fn shebang(python: &Path) -> String {
    let text = python.to_string_lossy();
    if text.len() + 3 <= SHEBANG_MAX && !text.contains(char::is_whitespace) {
        return format!("#!{text}\n");
    }
    // sh reads `'''exec' …` as `exec …`; Python reads the two lines as one string literal.
    let quoted = text.replace('\'', r"'\''");
    format!("#!/bin/sh\n'''exec' '{quoted}' \"$0\" \"$@\"\n' '''\n")
}

/// Copies a `.data/scripts` member to `path`, replacing a `#!python` (or `#!pythonw`) first
/// line with the interpreter, and makes it executable. Other files (binaries, shell scripts)
/// are copied as they are.
pub(super) fn write_data_script(
    member: &mut impl Read,
    path: &Path,
    interpreter: &Interpreter,
) -> io::Result<()> {
    let mut bytes = Vec::new();
    member.read_to_end(&mut bytes)?;
    let mut out = std::fs::File::create(path)?;
    if bytes.starts_with(b"#!python") {
        let rest = bytes
            .iter()
            .position(|&byte| byte == b'\n')
            .map_or(&[][..], |end| &bytes[end + 1..]);
        out.write_all(shebang(interpreter.path()).as_bytes())?;
        out.write_all(rest)?;
    } else {
        out.write_all(&bytes)?;
    }
    drop(out);
    make_executable(path)
}

/// Writes a wrapper in `bin/` for every `console_scripts` and `gui_scripts` entry of
/// `entry_points.txt` (an INI file: `name = module:object.attr [extras]`; extras are ignored,
/// as installers do).
pub(super) fn write_entry_points(
    text: &str,
    wheel: &Path,
    env: &EnvLayout,
    interpreter: &Interpreter,
) -> Result<(), InstallError> {
    let bad = |line: &str, reason: &str| InstallError::EntryPoint {
        wheel: wheel.to_path_buf(),
        line: line.to_owned(),
        reason: reason.to_owned(),
    };
    let mut in_scripts = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(section) = trimmed.strip_prefix('[') {
            let section = section.strip_suffix(']').unwrap_or(section).trim();
            in_scripts = matches!(section, "console_scripts" | "gui_scripts");
            continue;
        }
        if !in_scripts {
            continue;
        }
        let (name, value) = trimmed
            .split_once('=')
            .ok_or_else(|| bad(line, "expected `name = module:object`"))?;
        let name = name.trim();
        if name.is_empty() || name.contains(['/', '\\', '\0']) || name == "." || name == ".." {
            return Err(bad(line, "the script name is not a file name"));
        }
        let value = value.split('[').next().unwrap_or(value).trim();
        let (module, object) = value.split_once(':').unwrap_or((value, ""));
        let (module, object) = (module.trim(), object.trim());
        if !is_dotted_name(module) || !(object.is_empty() || is_dotted_name(object)) {
            return Err(bad(line, "the object reference is not `module:object`"));
        }
        let path = env.scripts_dir().join(name);
        let wrapper = wrapper(interpreter, &env.site_dir(), module, object);
        std::fs::write(&path, wrapper)
            .and_then(|()| make_executable(&path))
            .map_err(|source| InstallError::Io { path, source })?;
    }
    Ok(())
}

/// The text of one entry-point wrapper. Names are passed as string literals (JSON strings are
/// valid Python ones), so nothing from the wheel becomes code.
fn wrapper(interpreter: &Interpreter, site: &Path, module: &str, object: &str) -> String {
    let literal = |text: &str| serde_json::Value::from(text).to_string();
    format!(
        "{shebang}# A console script of a pinwheel build environment: runs `{module}:{object}`.\n\
         import sys\n\
         SITE = {site}\n\
         if SITE not in sys.path:\n    sys.path.insert(0, SITE)\n\
         from importlib import import_module\n\
         target = import_module({module_literal})\n\
         for attribute in [name for name in {object_literal}.split(\".\") if name]:\n    \
         target = getattr(target, attribute)\n\
         if __name__ == \"__main__\":\n    sys.exit(target())\n",
        shebang = shebang(interpreter.path()),
        site = literal(&site.to_string_lossy()),
        module_literal = literal(module),
        object_literal = literal(object),
    )
}

/// `a`, `a.b_c`, `A1.b`: what a Python import or attribute path can be.
fn is_dotted_name(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .is_some_and(|first| first.is_alphabetic() || first == '_')
                && chars.all(|c| c.is_alphanumeric() || c == '_')
        })
}

/// Sets mode 0755 (on Unix; elsewhere files are executable by their name).
pub(super) fn make_executable(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
