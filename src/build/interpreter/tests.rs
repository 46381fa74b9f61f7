use super::*;

/// The interpreter the build tests run with: `/usr/bin/python3`, else the first `python3` on
/// `PATH`. `None` (the test then returns, saying why) when there is none, except under
/// `CI=true`, where one is required: a CI without Python must not pass by skipping.
pub(crate) fn python_or_skip(test: &str) -> Option<Interpreter> {
    let found = Interpreter::probe(Path::new("/usr/bin/python3")).or_else(|_| {
        Interpreter::find(
            Some(Path::new("python3")),
            &version("3.11"),
            std::env::var_os("PATH").as_deref(),
        )
    });
    match found {
        Ok(interpreter) => Some(interpreter),
        Err(error) if std::env::var_os("CI").is_some_and(|ci| ci == "true") => {
            panic!("{test}: CI=true requires a python3 ({error})")
        }
        Err(error) => {
            eprintln!("skipping {test}: no python3 here ({error})");
            None
        }
    }
}

fn version(text: &str) -> PythonVersion {
    text.parse().unwrap()
}

fn answer(
    system: &str,
    machine: &str,
    bits: u32,
    libc: Option<(&str, &str)>,
    macos: &str,
) -> ProbeAnswer {
    ProbeAnswer {
        implementation: "cpython".to_owned(),
        version: (3, 12, 4),
        system: system.to_owned(),
        machine: machine.to_owned(),
        bits,
        libc: libc.map(|(kind, version)| (kind.to_owned(), version.to_owned())),
        macos: macos.to_owned(),
        executable: String::new(),
    }
}

fn tag(answer: ProbeAnswer) -> Result<String, String> {
    Interpreter::from_answer(Path::new("python"), answer)
        .map(|interpreter| interpreter.cache_tag())
        .map_err(|error| error.to_string())
}

#[test]
fn platforms_from_probe_answers() {
    let glibc = Some(("glibc", "2.36"));
    for (answer, expected) in [
        (
            answer("linux", "x86_64", 64, glibc, ""),
            "cp312-manylinux_2_36_x86_64",
        ),
        (
            answer("linux", "x86_64", 32, glibc, ""),
            "cp312-manylinux_2_36_i686",
        ),
        (
            answer("linux", "aarch64", 64, Some(("musl", "1.2.4")), ""),
            "cp312-musllinux_1_2_aarch64",
        ),
        (
            answer("linux", "armv7l", 32, glibc, ""),
            "cp312-manylinux_2_36_armv7l",
        ),
        (
            answer("darwin", "arm64", 64, None, "14.5"),
            "cp312-macosx_14_0_arm64",
        ),
        (
            answer("darwin", "x86_64", 64, None, "10.15.7"),
            "cp312-macosx_10_15_x86_64",
        ),
        (answer("win32", "AMD64", 64, None, ""), "cp312-win_amd64"),
    ] {
        assert_eq!(tag(answer).as_deref(), Ok(expected));
    }
    let unknown_libc = tag(answer("linux", "x86_64", 64, None, "")).unwrap_err();
    assert!(
        unknown_libc.contains("neither glibc nor musl"),
        "{unknown_libc}"
    );
    let cpu = tag(answer("linux", "riscv64", 64, glibc, "")).unwrap_err();
    assert!(cpu.contains("CPU `riscv64`"), "{cpu}");
    let mut pypy = answer("linux", "x86_64", 64, glibc, "");
    pypy.implementation = "pypy".to_owned();
    let pypy = tag(pypy).unwrap_err();
    assert!(pypy.contains("is pypy, not CPython"), "{pypy}");
}

#[test]
fn probe_reads_the_system_python() {
    let Some(python) = python_or_skip("probe_reads_the_system_python") else {
        return;
    };
    assert_eq!(python.version().major(), 3);
    assert!(python.version().patch().is_some(), "{:?}", python.version());
    assert!(
        matches!(
            python.platform().os(),
            Os::Manylinux { .. } | Os::Musllinux { .. }
        ),
        "{}",
        python.platform()
    );
    let tag = python.cache_tag();
    let expected_start = format!("cp3{}-", python.version().minor());
    assert!(tag.starts_with(&expected_start), "{tag}");
    assert!(
        tag.ends_with(python.platform().arch().linux_name()),
        "{tag}"
    );
    assert_eq!(python.target().python(), python.version());
    let shown = python.to_string();
    assert!(shown.starts_with("CPython 3."), "{shown}");
    assert!(
        shown.ends_with(&python.path().display().to_string()),
        "{shown}"
    );
    if Path::new("/usr/bin/python3").exists() {
        // The machine this suite was written for (and CI) has CPython 3.11 there.
        assert_eq!(python.version().minor(), 11, "{:?}", python.version());
    }
}

#[cfg(unix)]
#[test]
fn find_looks_on_the_given_path_only() {
    let Some(python) = python_or_skip("find_looks_on_the_given_path_only") else {
        return;
    };
    let minor = python.version().minor();
    let exact = format!("python3.{minor}");
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(python.path(), dir.path().join(&exact)).unwrap();
    std::os::unix::fs::symlink(python.path(), dir.path().join("python3")).unwrap();
    // Not executable: never chosen, even though its name fits.
    std::fs::write(empty.path().join("python3"), "not a program").unwrap();
    let path_var = std::env::join_paths([empty.path(), dir.path()]).unwrap();

    let wanted = version(&format!("3.{minor}"));
    let found = Interpreter::find(None, &wanted, Some(&path_var)).unwrap();
    assert_eq!(found.path(), dir.path().join(&exact));
    assert_eq!(found.version(), python.version());

    // Another minor: no `python3.X` of it, so `python3`.
    let other = version(&format!("3.{}", minor + 1));
    let found = Interpreter::find(None, &other, Some(&path_var)).unwrap();
    assert_eq!(found.path(), dir.path().join("python3"));

    // A bare explicit name is looked up; a path is taken as it is.
    let found = Interpreter::find(Some(Path::new("python3")), &other, Some(&path_var)).unwrap();
    assert_eq!(found.path(), dir.path().join("python3"));
    let found = Interpreter::find(Some(&dir.path().join(&exact)), &other, None).unwrap();
    assert_eq!(found.version(), python.version());

    for (explicit, path_var, message) in [
        (None, Some(empty.path().as_os_str()), "none of `python3."),
        (None, None, "none of `python3."),
        (
            Some(Path::new("python9")),
            Some(path_var.as_os_str()),
            "`python9` is not on PATH",
        ),
        (
            Some(Path::new("/nonexistent/python3")),
            None,
            "`/nonexistent/python3` does not exist",
        ),
    ] {
        let error = Interpreter::find(explicit, &wanted, path_var).unwrap_err();
        assert!(
            matches!(error, InterpreterError::NotFound { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains(message), "{error}");
    }
}

#[test]
fn a_program_that_is_not_python_is_a_probe_error() {
    let error = Interpreter::probe(Path::new("/bin/false")).unwrap_err();
    assert!(matches!(error, InterpreterError::Probe { .. }), "{error:?}");
    assert!(error.to_string().contains("/bin/false"), "{error}");
}
