use std::fs;
use std::path::Path;

use super::*;
use crate::inputs::{InputErrorKind, LocalPaths, LocalTarget, OriginKind, ReadOptions, Variables};

fn read(path: &Path) -> Result<Manifest, InputError> {
    read_with(
        path,
        OriginKind::Requirement,
        &Variables::none(),
        LocalPaths::Read,
    )
}

fn read_with(
    path: &Path,
    kind: OriginKind,
    variables: &Variables,
    local_paths: LocalPaths,
) -> Result<Manifest, InputError> {
    let options = ReadOptions {
        variables,
        local_paths,
    };
    read_manifest(path, kind, options)
}

fn write(dir: &Path, name: &str, content: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, content).unwrap();
    path
}

fn names(requirements: &[crate::inputs::InputRequirement]) -> Vec<String> {
    requirements
        .iter()
        .map(|r| r.requirement.name.to_string())
        .collect()
}

#[test]
fn reads_requirements_comments_and_continuations() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "requirements.in",
        "# a comment\n\nrequests>=2 # trailing comment\nuvicorn[standard] \\\n  ; python_version >= \"3.8\"\nfoo @ https://example.com/foo-1.0.tar.gz#sha256=abc\n",
    );
    let manifest = read(&path).unwrap();
    assert_eq!(
        names(&manifest.requirements),
        ["requests", "uvicorn", "foo"]
    );
    let uvicorn = &manifest.requirements[1];
    assert_eq!(uvicorn.origin.line, 4);
    assert_eq!(uvicorn.marker_text(), Some("python_version >= \"3.8\""));
    assert_eq!(uvicorn.requirement.extras.len(), 1);
    assert!(manifest.requirements[2].text.ends_with("#sha256=abc"));
}

#[test]
fn follows_includes_relative_to_the_including_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "reqs/base.in", "attrs\n-c ../constraints.txt\n");
    write(dir.path(), "constraints.txt", "attrs<24\n-r more.txt\n");
    write(dir.path(), "more.txt", "six==1.16\n");
    let top = write(dir.path(), "reqs/dev.in", "-r base.in\npytest\n");
    let manifest = read(&top).unwrap();
    assert_eq!(names(&manifest.requirements), ["attrs", "pytest"]);
    // A `-r` inside a constraints file stays a constraint.
    assert_eq!(names(&manifest.constraints), ["attrs", "six"]);
    assert_eq!(
        manifest.requirements[0].origin.file,
        dir.path().join("reqs/base.in")
    );
    assert_eq!(
        manifest.constraints[0].origin.annotation(),
        format!(
            "-c {}",
            dir.path().join("reqs/../constraints.txt").display()
        )
    );
}

#[test]
fn reads_option_lines_in_every_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "r.in",
        "--index-url https://a.example/simple\n-ihttps://b.example/simple\n--extra-index-url=https://c.example/simple\n-f ./wheels\n--find-links https://d.example/links/\n--no-index\n--pre\n--only-binary :all:\n--trusted-host a.example\nsix --hash=sha256:0000\n",
    );
    let manifest = read(&path).unwrap();
    assert_eq!(
        manifest.index.index_url.as_deref(),
        Some("https://b.example/simple")
    );
    assert_eq!(
        manifest.index.extra_index_urls,
        ["https://c.example/simple"]
    );
    assert_eq!(
        manifest.index.find_links,
        [
            dir.path().join("./wheels").display().to_string(),
            "https://d.example/links/".to_string()
        ]
    );
    assert!(manifest.index.no_index);
    assert_eq!(manifest.index.trusted_hosts, ["a.example"]);
    assert!(manifest.resolver.pre);
    assert_eq!(manifest.resolver.only_binary, [":all:"]);
    assert_eq!(names(&manifest.requirements), ["six"]);
}

#[test]
fn errors_name_file_line_and_cause() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("requests==\n", 1, "invalid requirement `requests==`"),
        ("six\n--frobnicate\n", 2, "unknown option `--frobnicate`"),
        ("six\n\n-r\n", 3, "option `-r` needs a value"),
        ("foo; python_version ~= '3'\n", 1, "invalid requirement"),
        ("six --nothash=1\n", 1, "unknown option `--nothash=1`"),
        ("-e ./pkg\n", 1, "pkg` does not exist"),
        ("six\n-e\n", 2, "option `-e` needs a value"),
        ("six\n./missing[dev]\n", 2, "missing` does not exist"),
        // Published metadata with these mistakes is read repaired; the user's own file is not.
        (
            "six\nelasticsearch-dsl (>=7.0.0<8.0.0)\n",
            2,
            "invalid requirement `elasticsearch-dsl (>=7.0.0<8.0.0)`",
        ),
        ("foo>=1.0,\n", 1, "invalid requirement `foo>=1.0,`"),
        ("six\n\nfoo>=1.0.*\n", 3, "invalid requirement `foo>=1.0.*`"),
    ];
    for (content, line, expected) in cases {
        let path = write(dir.path(), "bad.in", content);
        let error = read(&path).unwrap_err();
        let message = error.to_string();
        assert_eq!(error.line, Some(line), "{message}");
        assert!(
            message.starts_with(&format!("{}:{line}: ", path.display())),
            "{message}"
        );
        assert!(message.contains(expected), "{message} lacks {expected}");
    }
}

#[test]
fn errors_in_included_files_name_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "inner.in", "ok\nnot a requirement!\n");
    let top = write(dir.path(), "top.in", "six\n-r inner.in\n");
    let error = read(&top).unwrap_err();
    assert_eq!(error.file, dir.path().join("inner.in"));
    assert_eq!(error.line, Some(2));
    assert_eq!(error.included_from, [(top.clone(), 2)]);
    assert!(
        error
            .to_string()
            .contains(&format!("(included from {}:2)", top.display()))
    );
}

#[test]
fn missing_files_and_cycles_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = read(&dir.path().join("nope.in")).unwrap_err();
    assert!(matches!(missing.kind, InputErrorKind::Read(_)));
    write(dir.path(), "a.in", "-r b.in\n");
    write(dir.path(), "b.in", "-r a.in\n");
    let cycle = read(&dir.path().join("a.in")).unwrap_err();
    assert!(
        matches!(cycle.kind, InputErrorKind::IncludeCycle(_)),
        "{cycle}"
    );
}

#[test]
fn splits_trailing_options_outside_quotes() {
    assert_eq!(
        split_trailing_options("six --hash=sha256:1"),
        ("six", vec!["--hash=sha256:1"])
    );
    assert_eq!(
        split_trailing_options("foo; platform_machine == \"a -b\""),
        ("foo; platform_machine == \"a -b\"", vec![])
    );
    assert_eq!(
        strip_comment("foo @ https://x/y#sha256=1 # note"),
        "foo @ https://x/y#sha256=1 "
    );
}

const PROJECT: &str = "[project]\nname = \"demo\"\nversion = \"1.0\"\ndependencies = [\"six\"]\n";

#[test]
fn expands_variables_in_every_kind_of_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pkg/pyproject.toml", PROJECT);
    let variables: Variables = [("INDEX", "https://mirror.example"), ("DIR", "pkg")]
        .into_iter()
        .collect();

    let path = write(
        dir.path(),
        "r.in",
        "-i ${INDEX}/simple\n--find-links ${INDEX}/links\n-e ./${DIR}\nfoo @ ${INDEX}/foo-1.0.tar.gz\n",
    );
    let manifest = read_with(&path, OriginKind::Requirement, &variables, LocalPaths::Read).unwrap();
    assert_eq!(
        manifest.index.index_url.as_deref(),
        Some("https://mirror.example/simple")
    );
    assert_eq!(manifest.index.find_links, ["https://mirror.example/links"]);
    assert_eq!(names(&manifest.requirements), ["demo", "foo"]);
    let editable = manifest.requirements[0].local.as_ref().unwrap();
    assert_eq!(editable.written, "./pkg");
    assert!(editable.is_editable());
    assert_eq!(
        manifest.requirements[1].requirement.to_string(),
        "foo @ https://mirror.example/foo-1.0.tar.gz"
    );
}

#[test]
fn index_urls_keep_how_they_were_written() {
    let dir = tempfile::tempdir().unwrap();
    let variables: Variables = [("TOKEN", "s3cr3t")].into_iter().collect();
    let path = write(
        dir.path(),
        "r.in",
        "--index-url https://u:${TOKEN}@host/simple\n--extra-index-url=https://${TOKEN}@x/\n\
         -f https://plain/links\n",
    );
    let manifest = read_with(&path, OriginKind::Requirement, &variables, LocalPaths::Read).unwrap();
    let written: Vec<(&str, &str)> = manifest
        .index
        .written
        .iter()
        .map(|(expanded, written)| (expanded.as_str(), written.as_str()))
        .collect();
    assert_eq!(
        written,
        [
            ("https://s3cr3t@x/", "https://${TOKEN}@x/"),
            (
                "https://u:s3cr3t@host/simple",
                "https://u:${TOKEN}@host/simple"
            ),
        ]
    );
}

#[test]
fn git_repositories_keep_how_they_were_written() {
    let dir = tempfile::tempdir().unwrap();
    let variables: Variables = [("U", "me"), ("T", "s3cr3t")].into_iter().collect();
    let path = write(
        dir.path(),
        "r.in",
        "pkg @ git+https://${U}:${T}@host/org/repo@v1#subdirectory=sub\n\
         -e git+https://${T}@host/edit.git@main#egg=edit\n\
         plain @ git+https://host/plain@v2\n",
    );
    let manifest = read_with(&path, OriginKind::Requirement, &variables, LocalPaths::Read).unwrap();
    let written: Vec<(&str, &str)> = manifest
        .index
        .written
        .iter()
        .map(|(expanded, written)| (expanded.as_str(), written.as_str()))
        .collect();
    // Only the repository: the writer puts the commit after it in place of the ref.
    assert_eq!(
        written,
        [
            (
                "https://me:s3cr3t@host/org/repo",
                "https://${U}:${T}@host/org/repo"
            ),
            ("https://s3cr3t@host/edit.git", "https://${T}@host/edit.git"),
        ]
    );
    // Each key is the text of the remote the fetcher and the writer see.
    for requirement in &manifest.requirements[..2] {
        let Some(LocalTarget::Git(git)) = requirement.local.as_ref().map(|local| &local.target)
        else {
            panic!("{} is not a git requirement", requirement.text);
        };
        assert!(manifest.index.written.contains_key(git.remote.as_str()));
    }
}

#[test]
fn unset_variables_stay_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "r.in", "-i ${NOT_SET_ANYWHERE}\n");
    let manifest = read(&path).unwrap();
    assert_eq!(
        manifest.index.index_url.as_deref(),
        Some("${NOT_SET_ANYWHERE}")
    );
    // In a requirement, the reference left as written is an error naming it.
    let path = write(dir.path(), "r.in", "six\nbar==${UNSET}\n");
    let error = read(&path).unwrap_err();
    assert_eq!(error.line, Some(2), "{error}");
    assert!(error.to_string().contains("`bar==${UNSET}`"), "{error}");
}

#[test]
fn local_requirements_keep_their_line_and_text() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pkg/pyproject.toml", PROJECT);
    let path = write(
        dir.path(),
        "reqs/r.in",
        "six\n../pkg[extra] ; python_version >= \"3.8\" --hash=sha256:00\n",
    );
    let manifest = read(&path).unwrap();
    let entry = &manifest.requirements[1];
    assert_eq!(entry.origin.line, 2);
    assert_eq!(entry.requirement.name.as_ref(), "demo");
    assert_eq!(entry.marker_text(), Some("python_version >= \"3.8\""));
    assert_eq!(entry.local.as_ref().unwrap().written, "../pkg");
}

#[test]
fn constraints_must_be_named() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pkg/pyproject.toml", PROJECT);
    for line in ["-e ./pkg", "./pkg", "https://h.example/foo-1.0.tar.gz"] {
        let path = write(dir.path(), "c.txt", &format!("six\n{line}\n"));
        let error = read_with(
            &path,
            OriginKind::Constraint,
            &Variables::none(),
            LocalPaths::Read,
        )
        .unwrap_err();
        assert_eq!(error.line, Some(2));
        assert!(
            error.to_string().contains("not allowed as constraints"),
            "{error}"
        );
    }
}

#[test]
fn skipping_local_paths_never_looks_at_them() {
    let dir = tempfile::tempdir().unwrap();
    // An old lock whose projects are gone: its `==` pins are still readable.
    let path = write(
        dir.path(),
        "requirements.txt",
        "-e ./gone\n./also-gone[x]\ngone @ file:///nowhere/gone\nsix==1.16.0\n",
    );
    let manifest = read_with(
        &path,
        OriginKind::Requirement,
        &Variables::none(),
        LocalPaths::Skip,
    )
    .unwrap();
    assert_eq!(names(&manifest.requirements), ["gone", "six"]);
    assert!(
        manifest
            .requirements
            .iter()
            .all(|entry| entry.local.is_none())
    );
}

/// Found by the property tests (issue 16): pep508_rs recurses once per `(` of a marker, so a
/// line of 100,000 of them overflowed the stack and aborted the process.
#[test]
fn a_marker_nested_too_deep_is_an_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let marker = format!(
        "{}python_version >= '3'{}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let path = write(dir.path(), "requirements.in", &format!("a\nb ; {marker}\n"));
    let error = read(&path).unwrap_err();
    assert_eq!(error.line, Some(2));
    assert!(
        error.to_string().contains("nest more than 64 deep"),
        "{error}"
    );
}

/// Found by the property tests (issue 16): pep508_rs 0.9.2 panics on `foo- >=1`.
#[test]
fn a_name_ending_in_a_separator_is_an_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "requirements.in", "foo- >=1\n");
    let error = read(&path).unwrap_err();
    assert_eq!(error.line, Some(1));
    assert!(
        error.to_string().contains("must end with an alphanumeric"),
        "{error}"
    );
}
