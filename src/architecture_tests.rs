//! Tidy checks: the invariants of ARCHITECTURE.md that a grep can verify.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files
}

fn source_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Lines of `file` outside `#[cfg(test)]` modules (tests may do what the code must not).
fn code_lines(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    text.split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn offenders(under: &str, needle: &str, except: &[&str]) -> Vec<String> {
    let root = source_root();
    let mut found = Vec::new();
    for file in rust_files(&root.join(under)) {
        let relative = file.strip_prefix(&root).unwrap().display().to_string();
        if except.iter().any(|prefix| relative.starts_with(prefix)) || relative.contains("tests") {
            continue;
        }
        for (number, line) in code_lines(&file).iter().enumerate() {
            if line.contains(needle) && !line.trim_start().starts_with("//") {
                found.push(format!("src/{relative}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn the_solver_side_never_touches_tokio() {
    assert_eq!(
        offenders("resolver", "tokio", &["resolver/seam.rs"]),
        Vec::<String>::new()
    );
}

#[test]
fn the_resolver_reaches_the_index_only_through_its_source_trait() {
    for needle in ["crate::index", "crate::cache", "reqwest"] {
        assert_eq!(
            offenders("resolver", needle, &[]),
            Vec::<String>::new(),
            "{needle}"
        );
    }
}

#[test]
fn the_index_knows_no_solver() {
    for needle in ["pubgrub", "crate::resolver"] {
        assert_eq!(
            offenders("index", needle, &[]),
            Vec::<String>::new(),
            "{needle}"
        );
        assert_eq!(
            offenders("cache", needle, &[]),
            Vec::<String>::new(),
            "{needle}"
        );
    }
}

#[test]
fn only_the_cli_prints_or_parses_arguments() {
    for needle in ["println!", "eprintln!", "print!(", "clap::", "indicatif"] {
        assert_eq!(
            offenders("", needle, &["cli/", "architecture_tests.rs"]),
            Vec::<String>::new(),
            "{needle}"
        );
    }
}

#[test]
fn the_target_never_reads_the_environment() {
    assert_eq!(offenders("target", "std::env", &[]), Vec::<String>::new());
}

#[test]
fn the_inputs_take_variables_from_their_caller() {
    // `${NAME}` values are passed in (`cli/settings/` reads the environment), so the parser
    // stays testable with any map.
    assert_eq!(offenders("inputs", "std::env", &[]), Vec::<String>::new());
}

#[test]
fn the_lock_check_chooses_files_only_through_the_resolvers_version_map() {
    // Ranking wheels or reading `Requires-Python` in `lockcheck` would be a second copy of
    // `resolver::candidates`, free to disagree with what `resolve` locks.
    for needle in ["wheel_priority", "python_allows", "allows_python"] {
        assert_eq!(
            offenders("lockcheck", needle, &[]),
            Vec::<String>::new(),
            "{needle}"
        );
    }
}

#[test]
fn the_target_holds_no_global_state() {
    // ARCHITECTURE.md, "The target is a value": no global or `static` state describes the
    // Python or platform, so that one process resolves for several targets, or for forks of a
    // universal lock, without one's state leaking into another's.
    let holders = [
        "Mutex", "RwLock", "OnceLock", "OnceCell", "LazyLock", "Lazy<", "Atomic", "Cell<",
    ];
    let root = source_root();
    let mut found = Vec::new();
    for file in rust_files(&root.join("target")) {
        let relative = file.strip_prefix(&root).unwrap().display().to_string();
        for (number, line) in code_lines(&file).iter().enumerate() {
            let item = line.trim_start();
            let item = item
                .strip_prefix("pub(crate) ")
                .or_else(|| item.strip_prefix("pub(super) "))
                .or_else(|| item.strip_prefix("pub "))
                .unwrap_or(item);
            let stateful_static = item.starts_with("static ")
                && (item.starts_with("static mut ")
                    || holders.iter().any(|holder| item.contains(holder)));
            if stateful_static || item.contains("thread_local!") {
                found.push(format!("src/{relative}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    assert_eq!(found, Vec::<String>::new());
}
