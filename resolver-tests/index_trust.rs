//! Several indexes serving one name (#16, point 4): first-index by default, each
//! `--index-strategy`, a package pinned to a named index, the shadow report, credentials for a
//! named index from the environment, and an index that fails (its answer is never "no such
//! project").
//!
//! Every test runs two local indexes: `first` (asked first, as an `--extra-index-url`) with
//! `foo 1.0`, and `second` (the base index) with `foo 1.0` and `2.0` plus `bar`, which only
//! it serves.

use crate::support::{ServerOptions, TestIndex, TestPackage};
use crate::{Project, index, pins};

fn first_index(options: ServerOptions) -> TestIndex {
    index(vec![TestPackage::new("foo", "1.0")], options)
}

fn second_index() -> TestIndex {
    index(
        vec![
            TestPackage::new("foo", "1.0"),
            TestPackage::new("foo", "2.0"),
            TestPackage::new("bar", "3.0"),
        ],
        ServerOptions::default(),
    )
}

/// Whether `index` was asked for `name`'s page.
fn asked_for(index: &TestIndex, name: &str) -> bool {
    index
        .requests()
        .iter()
        .any(|request| request.contains(&format!("/simple/{name}/")))
}

/// Resolves `requirements` with `first` as the extra index and `second` as the base.
fn resolve(
    project: &Project,
    first: &TestIndex,
    second: &TestIndex,
    requirements: &str,
    args: &[&str],
) -> crate::Run {
    project.write("requirements.in", requirements);
    let url = first.index_url();
    let mut all = vec!["--extra-index-url", url.as_str()];
    all.extend_from_slice(args);
    all.push("requirements.in");
    project.resolve(second, &all)
}

#[test]
fn first_index_takes_a_name_from_the_first_index_that_has_it_and_asks_no_other() {
    let (first, second) = (first_index(ServerOptions::default()), second_index());
    let project = Project::new();
    resolve(&project, &first, &second, "foo\nbar\n", &[]).expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["bar==3.0", "foo==1.0"]
    );
    assert!(!asked_for(&second, "foo"), "{:#?}", second.requests());
    assert!(asked_for(&second, "bar"));
    // And a requirement the first index cannot meet fails rather than go to the second.
    let project = Project::new();
    let run = resolve(&project, &first, &second, "foo>=2\n", &[]);
    run.expect_code(1);
    assert!(!asked_for(&second, "foo"), "{:#?}", second.requests());
}

#[test]
fn unsafe_first_match_tries_the_first_index_then_the_next() {
    let (first, second) = (first_index(ServerOptions::default()), second_index());
    let strategy = ["--index-strategy", "unsafe-first-match"];
    let project = Project::new();
    resolve(&project, &first, &second, "foo\n", &strategy).expect_code(0);
    let lock = project.read("requirements.txt");
    assert_eq!(pins(&lock), ["foo==1.0"], "{lock}");
    assert!(
        lock.contains("--index-strategy=unsafe-first-match"),
        "{lock}"
    );
    let project = Project::new();
    resolve(&project, &first, &second, "foo>=2\n", &strategy).expect_code(0);
    assert_eq!(pins(&project.read("requirements.txt")), ["foo==2.0"]);
}

#[test]
fn unsafe_best_match_takes_the_best_version_of_any_index() {
    let (first, second) = (first_index(ServerOptions::default()), second_index());
    let project = Project::new();
    let run = resolve(
        &project,
        &first,
        &second,
        "foo\n",
        &[
            "--index-strategy",
            "unsafe-best-match",
            "--emit-index-annotation",
        ],
    );
    run.expect_code(0);
    let lock = project.read("requirements.txt");
    assert_eq!(pins(&lock), ["foo==2.0"], "{lock}");
    assert!(
        lock.contains(&format!("# from {}", second.index_url())),
        "{lock}"
    );
}

#[test]
fn a_package_pinned_to_an_explicit_index_comes_from_it_alone() {
    let (first, second) = (first_index(ServerOptions::default()), second_index());
    let project = Project::new();
    project.write(
        "pyproject.toml",
        &format!(
            "[[tool.pinwheel.index]]\nname = \"corp\"\nurl = \"{}\"\nexplicit = true\n\n\
             [tool.pinwheel.sources]\nfoo = {{ index = \"corp\" }}\n",
            second.index_url()
        ),
    );
    project.write("requirements.in", "foo\n");
    // The base index is `first`; `second` is only reachable through the pin.
    project.resolve(&first, &["requirements.in"]).expect_code(0);
    let lock = project.read("requirements.txt");
    assert_eq!(pins(&lock), ["foo==2.0"], "{lock}");
    assert!(!asked_for(&first, "foo"), "{:#?}", first.requests());
    // The explicit index is written for pip, which has no per-package index.
    assert!(
        lock.contains(&format!("--extra-index-url {}", second.index_url())),
        "{lock}"
    );
    // An explicit index is asked for nothing else: `bar` exists only there.
    let project = Project::new();
    project.write(
        "pyproject.toml",
        &format!(
            "[[tool.pinwheel.index]]\nname = \"corp\"\nurl = \"{}\"\nexplicit = true\n",
            second.index_url()
        ),
    );
    project.write("requirements.in", "bar\n");
    second.clear_requests();
    project.resolve(&first, &["requirements.in"]).expect_code(1);
    assert!(!asked_for(&second, "bar"), "{:#?}", second.requests());
}

#[test]
fn a_source_naming_an_unknown_index_is_an_error_naming_the_file() {
    let first = first_index(ServerOptions::default());
    let project = Project::new();
    project.write(
        "pyproject.toml",
        "[[tool.pinwheel.index]]\nname = \"corp\"\nurl = \"https://corp.example/simple\"\n\n\
         [tool.pinwheel.sources]\nfoo = { index = \"crop\" }\n",
    );
    project.write("requirements.in", "foo\n");
    let run = project.resolve(&first, &["requirements.in"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("pyproject.toml") && run.stderr.contains("`crop`"),
        "{}",
        run.stderr
    );
    assert!(first.requests().is_empty(), "{:#?}", first.requests());
}

#[test]
fn the_shadow_report_names_every_index_that_serves_a_locked_name() {
    let (first, second) = (first_index(ServerOptions::default()), second_index());
    let project = Project::new();
    let run = resolve(
        &project,
        &first,
        &second,
        "foo\nbar\n",
        &["--report-shadowed", "--format", "json", "-o", "lock.json"],
    );
    run.expect_code(0);
    let warning = format!(
        "warning: `foo` is served by 2 indexes: {} (locked from), {}",
        first.index_url(),
        second.index_url()
    );
    assert!(run.stderr.contains(&warning), "{}", run.stderr);
    assert!(!run.stderr.contains("`bar`"), "{}", run.stderr);
    let document: serde_json::Value = serde_json::from_str(&project.read("lock.json")).unwrap();
    let schema = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/resolve.schema.json"),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&serde_json::from_str(&schema).unwrap()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|error| error.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{document}");
    assert_eq!(
        document["shadowed"],
        serde_json::json!([{
            "name": "foo",
            "used": first.index_url(),
            "indexes": [first.index_url(), second.index_url()],
        }])
    );
    // Without the flag nobody asks the second index about `foo`, and the document says nothing.
    let (first, second) = (first_index(ServerOptions::default()), second_index());
    let project = Project::new();
    resolve(
        &project,
        &first,
        &second,
        "foo\n",
        &["--format", "json", "-o", "lock.json"],
    )
    .expect_code(0);
    let document: serde_json::Value = serde_json::from_str(&project.read("lock.json")).unwrap();
    assert!(document.get("shadowed").is_none(), "{document}");
    assert!(!asked_for(&second, "foo"), "{:#?}", second.requests());
}

#[test]
fn fail_on_shadowed_exits_1_and_leaves_the_lock_as_it_was() {
    let (first, second) = (first_index(ServerOptions::default()), second_index());
    let project = Project::new();
    // An old lock, which the failed run must leave as it is.
    project.write("requirements.txt", "foo==1.0\n");
    let run = resolve(
        &project,
        &first,
        &second,
        "foo\nbar\n",
        &["--fail-on-shadowed"],
    );
    run.expect_code(1);
    assert!(
        run.stderr
            .contains("1 locked name is served by more than one index")
            && run.stderr.contains("`foo`"),
        "{}",
        run.stderr
    );
    assert_eq!(project.read("requirements.txt"), "foo==1.0\n");
    // Names only one index serves pass.
    let project = Project::new();
    resolve(&project, &first, &second, "bar\n", &["--fail-on-shadowed"]).expect_code(0);
}

#[test]
fn an_index_answering_503_fails_the_run_and_the_name_is_not_taken_from_the_next() {
    let failing = first_index(ServerOptions {
        page_status: Some(503),
        ..ServerOptions::default()
    });
    let second = second_index();
    for strategy in ["first-index", "unsafe-best-match"] {
        let project = Project::new();
        let run = resolve(
            &project,
            &failing,
            &second,
            "foo\n",
            &["--index-strategy", strategy],
        );
        run.expect_code(2);
        assert!(
            run.stderr.contains("503") && run.stderr.contains(&failing.index_url()),
            "{strategy}: {}",
            run.stderr
        );
        assert!(!project.path().join("requirements.txt").exists());
    }
    // first-index never got as far as the second index.
    assert!(
        !second
            .requests()
            .iter()
            .any(|request| request.contains("/files/foo")),
        "{:#?}",
        second.requests()
    );
}

#[test]
fn a_named_index_takes_its_credentials_from_the_environment_and_never_writes_them() {
    let private = TestIndex::start_with_basic_auth(
        vec![TestPackage::new("foo", "1.0")],
        ServerOptions::default(),
        "ci",
        "s3cret-token",
    );
    let public = second_index();
    let project = Project::new();
    project.write(
        "pyproject.toml",
        &format!(
            "[[tool.pinwheel.index]]\nname = \"corp-pypi\"\nurl = \"{}\"\n",
            private.index_url()
        ),
    );
    project.write("requirements.in", "foo\nbar\n");
    let env = [
        ("PINWHEEL_INDEX_CORP_PYPI_USERNAME", "ci"),
        ("PINWHEEL_INDEX_CORP_PYPI_PASSWORD", "s3cret-token"),
    ];
    let run = project.resolve_with_env(&public, &["requirements.in"], &env);
    run.expect_code(0);
    let lock = project.read("requirements.txt");
    // The named index comes before the base index, so `foo` is its 1.0.
    assert_eq!(pins(&lock), ["bar==3.0", "foo==1.0"], "{lock}");
    assert!(
        lock.contains(&format!("--extra-index-url {}", private.index_url())),
        "{lock}"
    );
    assert!(
        !lock.contains("s3cret") && !run.stderr.contains("s3cret"),
        "{lock}"
    );
    let holding = files_holding(project.path(), b"s3cret-token");
    assert!(
        holding.is_empty(),
        "the password was written to {holding:#?}"
    );
    // Without the variables the index answers 401, which is an error naming it.
    let project = Project::new();
    project.write(
        "pyproject.toml",
        &format!(
            "[[tool.pinwheel.index]]\nname = \"corp-pypi\"\nurl = \"{}\"\n",
            private.index_url()
        ),
    );
    project.write("requirements.in", "foo\n");
    let run = project.resolve(&public, &["requirements.in"]);
    run.expect_code(2);
    assert!(run.stderr.contains("401"), "{}", run.stderr);
}

/// The files under `dir` (the project: inputs, lock and cache) whose bytes contain `needle`.
fn files_holding(dir: &std::path::Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    crate::files_under(dir)
        .into_iter()
        .filter(|path| {
            std::fs::read(path)
                .unwrap()
                .windows(needle.len())
                .any(|window| window == needle)
        })
        .collect()
}
