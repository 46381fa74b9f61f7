use std::fs;

use super::*;

/// A directory with the given files, and a source file `requirements.in` in it.
struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn with(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn discover(&self, sources: &[&str]) -> Result<Config, ConfigError> {
        let sources: Vec<PathBuf> = sources.iter().map(|name| self.path(name)).collect();
        load(Lookup::Discover(&sources))
    }
}

#[test]
fn pip_tools_keys_take_dashes_underscores_and_no_forms() {
    let dir = Dir::with(&[
        ("requirements.in", "a\n"),
        (
            ".pip-tools.toml",
            r#"
[tool.pip-tools]
generate_hashes = true
no-annotate = true
annotation-style = "line"
extra-index-url = ["https://one.example/simple/"]
upgrade-packages = ["a<2"]
newline = "LF"
"--allow-unsafe" = true
"#,
        ),
    ]);
    let config = dir.discover(&["requirements.in"]).unwrap();
    let options = config.options;
    assert_eq!(options.generate_hashes, Some(true));
    assert_eq!(options.annotate, Some(false));
    assert_eq!(options.annotation_style, Some(AnnotationStyleArg::Line));
    assert_eq!(
        options.extra_index_url,
        Some(vec!["https://one.example/simple/".to_string()])
    );
    assert_eq!(options.upgrade_package, Some(vec!["a<2".to_string()]));
    assert_eq!(options.newline, Some(NewlineArg::Lf));
    assert_eq!(options.allow_unsafe, Some(true));
    assert!(config.warnings.is_empty());
    assert_eq!(config.files, [dir.path(".pip-tools.toml")]);
}

#[test]
fn pinwheel_table_wins_over_pip_tools_and_pip_tools_toml_over_pyproject() {
    let dir = Dir::with(&[
        ("requirements.in", "a\n"),
        (
            "pyproject.toml",
            r#"
[tool.pinwheel]
annotation-style = "split"
python-version = "3.11"

[tool.pip-tools]
# Not read: .pip-tools.toml is there, and pip-compile reads only that one.
generate-hashes = true
"#,
        ),
        (
            ".pip-tools.toml",
            r#"
[tool.pip-tools]
annotation-style = "line"
allow-unsafe = true
"#,
        ),
    ]);
    let options = dir.discover(&["requirements.in"]).unwrap().options;
    assert_eq!(options.annotation_style, Some(AnnotationStyleArg::Split));
    assert_eq!(options.python_version, Some(vec!["3.11".to_string()]));
    assert_eq!(options.allow_unsafe, Some(true));
    assert_eq!(options.generate_hashes, None);
}

#[test]
fn pyproject_pip_tools_table_is_read_without_a_pip_tools_toml() {
    let dir = Dir::with(&[
        ("requirements.in", "a\n"),
        (
            "pyproject.toml",
            "[tool.pip-tools]\ngenerate-hashes = true\n[tool.pinwheel]\nno-header = true\n",
        ),
    ]);
    let options = dir.discover(&["requirements.in"]).unwrap().options;
    assert_eq!(options.generate_hashes, Some(true));
    assert_eq!(options.header, Some(false));
}

#[test]
fn compile_section_wins_and_sync_section_is_skipped() {
    let dir = Dir::with(&[(
        ".pip-tools.toml",
        r#"
[tool.pip-tools]
annotation-style = "line"
[tool.pip-tools.compile]
annotation-style = "split"
no-header = true
[tool.pip-tools.sync]
ask = true
python-executable = "python3"
"#,
    )]);
    let config = dir.discover(&["requirements.in"]).unwrap();
    assert_eq!(
        config.options.annotation_style,
        Some(AnnotationStyleArg::Split)
    );
    assert_eq!(config.options.header, Some(false));
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
}

#[test]
fn the_first_source_directory_with_a_config_file_is_used() {
    let dir = Dir::with(&[
        ("plain/requirements.in", "a\n"),
        ("app/requirements.in", "a\n"),
        ("app/.pip-tools.toml", "[tool.pip-tools]\npre = true\n"),
        (
            "other/pyproject.toml",
            "[tool.pinwheel]\nno-header = true\n",
        ),
    ]);
    let options = dir
        .discover(&["plain/requirements.in", "app/requirements.in", "other/x.in"])
        .unwrap()
        .options;
    assert_eq!(options.pre, Some(true));
    assert_eq!(options.header, None);
    assert_eq!(
        dir.discover(&["plain/requirements.in"]).unwrap().options,
        ConfigOptions::default()
    );
}

#[test]
fn explicit_file_reads_both_tables_and_disabled_reads_nothing() {
    let dir = Dir::with(&[
        (
            "ci.toml",
            "[tool.pinwheel]\nemit-index-annotation = true\n[tool.pip-tools]\nallow-unsafe = true\n",
        ),
        (".pip-tools.toml", "[tool.pip-tools]\npre = true\n"),
    ]);
    let path = dir.path("ci.toml");
    let options = load(Lookup::Explicit(&path)).unwrap().options;
    assert_eq!(options.emit_index_annotation, Some(true));
    assert_eq!(options.allow_unsafe, Some(true));
    assert_eq!(options.pre, None, "discovery is off with --config");
    assert_eq!(
        load(Lookup::Disabled).unwrap().options,
        ConfigOptions::default()
    );
    let missing = dir.path("missing.toml");
    let error = load(Lookup::Explicit(&missing)).unwrap_err();
    assert!(matches!(error, ConfigError::Read { .. }), "{error}");
}

#[test]
fn unknown_keys_are_errors_naming_the_file_and_key() {
    let dir = Dir::with(&[("pyproject.toml", "[tool.pinwheel]\ngenerate-hashs = true\n")]);
    let error = dir.discover(&["requirements.in"]).unwrap_err().to_string();
    assert!(error.contains("pyproject.toml"), "{error}");
    assert!(error.contains("[tool.pinwheel]"), "{error}");
    assert!(error.contains("`generate-hashs`"), "{error}");

    let dir = Dir::with(&[(".pip-tools.toml", "[tool.pip-tools]\nbogus = 1\n")]);
    let error = dir.discover(&["requirements.in"]).unwrap_err().to_string();
    assert!(
        error.contains(".pip-tools.toml") && error.contains("`bogus`"),
        "{error}"
    );
}

#[test]
fn wrong_types_name_the_file_the_key_and_the_expected_type() {
    let cases = [
        (
            "generate-hashes = \"yes\"",
            "a boolean",
            "the string \"yes\"",
        ),
        (
            "extra-index-url = \"https://one.example/\"",
            "an array of strings",
            "the string",
        ),
        (
            "annotation-style = \"fancy\"",
            "one of \"split\", \"line\"",
            "fancy",
        ),
        ("index-url = 3", "a string", "the integer 3"),
    ];
    for (line, expected, found) in cases {
        let dir = Dir::with(&[(".pip-tools.toml", &format!("[tool.pip-tools]\n{line}\n"))]);
        let error = dir.discover(&["requirements.in"]).unwrap_err().to_string();
        let key = line.split(' ').next().unwrap();
        assert!(error.contains(".pip-tools.toml"), "{error}");
        assert!(error.contains(&format!("`{key}`")), "{error}");
        assert!(error.contains(expected), "{line}: {error}");
        assert!(error.contains(found), "{line}: {error}");
    }
    let dir = Dir::with(&[("pyproject.toml", "[tool.pinwheel]\ncache-ttl = -1\n")]);
    let error = dir.discover(&["requirements.in"]).unwrap_err().to_string();
    assert!(error.contains("a non-negative integer"), "{error}");
}

#[test]
fn pip_tools_keys_pinwheel_ignores_warn_in_pip_tools_and_fail_in_pinwheel() {
    let dir = Dir::with(&[(
        ".pip-tools.toml",
        "[tool.pip-tools]\nresolver = \"backtracking\"\npip-args = \"--no-cache-dir\"\nreuse-hashes = false\ncache-dir = \"/tmp/c\"\nbuild-isolation = false\nall-build-deps = false\ngenerate-hashes = true\n",
    )]);
    let config = dir.discover(&["requirements.in"]).unwrap();
    let mut keys: Vec<&str> = config
        .warnings
        .iter()
        .map(|warning| warning.key.as_str())
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "all-build-deps",
            "build-isolation",
            "cache-dir",
            "pip-args",
            "resolver",
        ]
    );
    assert_eq!(config.options.generate_hashes, Some(true));
    assert_eq!(config.options.reuse_hashes, Some(false));
    assert_eq!(
        config.options.cache_dir, None,
        "pip-tools' cache dir is not pinwheel's"
    );
    let shown = config.warnings[0].to_string();
    assert!(
        shown.contains(".pip-tools.toml") && shown.contains("ignored"),
        "{shown}"
    );

    let dir = Dir::with(&[("pyproject.toml", "[tool.pinwheel]\nresolver = \"legacy\"\n")]);
    let error = dir.discover(&["requirements.in"]).unwrap_err().to_string();
    assert!(
        error.contains("`resolver`") && error.contains("pinwheel does not use"),
        "{error}"
    );
}

#[test]
fn pip_tools_keys_that_would_change_the_lock_are_errors() {
    for (line, shown) in [
        ("all-build-deps = true", "does not lock build dependencies"),
        (
            "build-deps-for = [\"wheel\"]",
            "does not lock build dependencies",
        ),
        ("pip-args = \"--no-deps\"", "change the resolution"),
    ] {
        let dir = Dir::with(&[(".pip-tools.toml", &format!("[tool.pip-tools]\n{line}\n"))]);
        let error = dir.discover(&["requirements.in"]).unwrap_err().to_string();
        let key = line.split(' ').next().unwrap();
        assert!(
            error.contains(&format!("key `{key}` is not supported")) && error.contains(shown),
            "{line}: {error}"
        );
    }
}

#[test]
fn keys_of_the_other_table_are_errors() {
    let dir = Dir::with(&[(
        ".pip-tools.toml",
        "[tool.pip-tools]\npython-version = \"3.11\"\n",
    )]);
    let error = dir.discover(&["requirements.in"]).unwrap_err().to_string();
    assert!(
        error.contains("`python-version` belongs in [tool.pinwheel]"),
        "{error}"
    );
    let dir = Dir::with(&[(
        "pyproject.toml",
        "[tool.pinwheel]\nuploaded-prior-to = \"2026-01-01\"\n",
    )]);
    let error = dir.discover(&["requirements.in"]).unwrap_err().to_string();
    assert!(error.contains("belongs in [tool.pip-tools]"), "{error}");
}

#[test]
fn two_spellings_of_one_option_conflict() {
    let dir = Dir::with(&[(
        "pyproject.toml",
        "[tool.pinwheel]\nannotate = true\nno-annotate = true\n",
    )]);
    let error = dir.discover(&["requirements.in"]).unwrap_err().to_string();
    assert!(
        error.contains("`annotate`") && error.contains("`no-annotate`"),
        "{error}"
    );
}

#[test]
fn invalid_toml_and_non_table_sections_are_errors() {
    let dir = Dir::with(&[("pyproject.toml", "[tool.pinwheel\n")]);
    let error = dir.discover(&["requirements.in"]).unwrap_err();
    assert!(matches!(error, ConfigError::Toml { .. }), "{error}");
    let dir = Dir::with(&[("pyproject.toml", "[tool]\npinwheel = 1\n")]);
    let error = dir.discover(&["requirements.in"]).unwrap_err().to_string();
    assert!(error.contains("`tool.pinwheel` must be a table"), "{error}");
}
