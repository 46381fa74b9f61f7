//! What indexes publish wrong, or take back: requirements read repaired (with one warning per
//! project), and a file that vanishes from a page pinwheel has cached.

use crate::support::{ServerOptions, TestPackage};
use crate::{Project, index, pins};

/// The lines of stderr that warn about repaired metadata.
fn repair_warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.contains("publishes invalid requirements"))
        .collect()
}

#[test]
fn published_requirements_with_known_mistakes_are_read_repaired_with_one_warning() {
    // As django-elasticsearch-dsl 7.1–7.2: every release declares `(>=7.0.0<8.0.0)`. The newest
    // one cannot be used, so the metadata of two releases is read.
    let server = index(
        vec![
            TestPackage::new("dsl-app", "7.1.0").requires(&[
                "es-dsl (>=7.0.0<8.0.0)",
                "six>=1.9,",
                "attrs>=19.*",
            ]),
            TestPackage::new("dsl-app", "7.1.1")
                .requires(&["es-dsl (>=7.0.0<8.0.0)", "not-on-the-index"]),
            TestPackage::new("es-dsl", "7.4.0"),
            TestPackage::new("es-dsl", "8.0.0"),
            TestPackage::new("six", "1.16.0"),
            TestPackage::new("attrs", "19.3.0"),
            TestPackage::new("attrs", "18.0.0"),
        ],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.write("requirements.in", "dsl-app\n");
    for run in ["cold", "warm"] {
        let output = format!("{run}.txt");
        let resolved = project.resolve(&server, &["-o", &output, "requirements.in"]);
        resolved.expect_code(0);
        assert_eq!(
            pins(&project.read(&output)),
            [
                "attrs==19.3.0",
                "dsl-app==7.1.0",
                "es-dsl==7.4.0",
                "six==1.16.0"
            ],
            "{run}"
        );
        // One warning for the project, however many of its releases were read, on a warm run
        // (metadata from the cache) as on a cold one.
        let warnings = repair_warnings(&resolved.stderr);
        assert_eq!(warnings.len(), 1, "{run}: {}", resolved.stderr);
        assert!(warnings[0].contains("dsl-app 7.1."), "{}", warnings[0]);
        assert!(
            warnings[0].contains("`es-dsl (>=7.0.0<8.0.0)` read as `es-dsl>=7.0.0,<8.0.0`"),
            "{}",
            warnings[0]
        );
    }
}

#[test]
fn a_file_gone_from_a_cached_page_drops_the_page_and_resolves_again() {
    let server = index(
        vec![
            TestPackage::new("a", "1.0"),
            TestPackage::new("a", "2.0"),
            TestPackage::new("a", "3.0"),
        ],
        ServerOptions::default(),
    );
    let project = Project::new();
    project.write("all.in", "a\n");
    project.write("old.in", "a<3\n");
    // The first run caches the page, which lists 2.0.
    project
        .resolve(&server, &["-o", "all.txt", "all.in"])
        .expect_code(0);
    // The index pulls 2.0 while the cached page is still fresh.
    server.remove_file("a-2.0-py3-none-any.whl");
    server.clear_requests();

    let resolved = project.resolve(&server, &["-o", "old.txt", "old.in"]);
    resolved.expect_code(0);
    assert_eq!(pins(&project.read("old.txt")), ["a==1.0"]);
    assert!(
        resolved
            .stderr
            .contains("a-2.0-py3-none-any.whl` answered HTTP 404")
            && resolved.stderr.contains("resolving again"),
        "{}",
        resolved.stderr
    );
    // The run asked for the file the cached page listed, then for the page once: the page
    // was dropped and read again from the index.
    let requests = server.requests();
    let page_fetches = requests
        .iter()
        .filter(|line| line.as_str() == "GET /simple/a/")
        .count();
    assert_eq!(page_fetches, 1, "{requests:#?}");
    let first_page = requests
        .iter()
        .position(|line| line == "GET /simple/a/")
        .unwrap_or(usize::MAX);
    let gone_file = requests
        .iter()
        .position(|line| line.starts_with("GET /files/a-2.0-py3-none-any.whl"))
        .unwrap_or(usize::MAX);
    assert!(gone_file < first_page, "{requests:#?}");

    // The page cached now is the index's current one: a rerun asks for nothing.
    server.clear_requests();
    project
        .resolve(&server, &["-o", "again.txt", "old.in"])
        .expect_code(0);
    assert_eq!(pins(&project.read("again.txt")), ["a==1.0"]);
    assert_eq!(server.requests(), Vec::<String>::new());
}

#[test]
fn a_listed_file_the_index_does_not_serve_is_an_error_without_a_second_attempt() {
    let server = index(
        vec![TestPackage::new("a", "1.0"), TestPackage::new("a", "2.0")],
        ServerOptions::default(),
    );
    // The page lists 2.0, fetched in this very run: nothing cached is out of date, so asking
    // the index again would not help.
    server.stop_serving("a-2.0-py3-none-any.whl");
    let project = Project::new();
    project.write("requirements.in", "a\n");
    let resolved = project.resolve(&server, &["requirements.in"]);
    resolved.expect_code(2);
    assert!(
        resolved.stderr.contains(
            "a-2.0-py3-none-any.whl` answered HTTP 404, although the index's page of `a` lists it"
        ),
        "{}",
        resolved.stderr
    );
    assert!(
        !resolved.stderr.contains("resolving again"),
        "{}",
        resolved.stderr
    );
    let requests = server.requests();
    let page_fetches = requests
        .iter()
        .filter(|line| line.as_str() == "GET /simple/a/")
        .count();
    assert_eq!(page_fetches, 1, "{requests:#?}");
}
