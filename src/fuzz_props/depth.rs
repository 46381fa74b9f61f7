//! Deep nesting must be refused (or read) without overflowing the stack: brackets in markers,
//! JSON, TOML, `setup.py` literals and HTML inline elements, 100,000 levels deep.
//!
//! Each parser runs on a thread with 2 MiB of stack, what tokio's workers and Rust's spawned
//! threads get, since that is where pinwheel parses pages and metadata.

use crate::fuzzing;

const DEPTH: usize = 100_000;

const STACK: usize = 2 * 1024 * 1024;

/// Runs `parse` on `input` on a 2 MiB thread; a stack overflow aborts the test binary, which
/// is the failure these tests guard against.
fn on_worker_stack(input: Vec<u8>, parse: fn(&[u8]) -> usize) -> usize {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || parse(&input))
        .unwrap()
        .join()
        .unwrap()
}

fn nested(open: &str, middle: &str, close: &str) -> String {
    format!("{}{middle}{}", open.repeat(DEPTH), close.repeat(DEPTH))
}

#[test]
fn deeply_nested_marker_parentheses_are_refused_without_overflow() {
    let marker = nested("(", "python_version >= '3'", ")");
    let line = format!("demo ; {marker}\n");
    assert_eq!(
        on_worker_stack(line.clone().into_bytes(), fuzzing::requirements_file),
        0
    );
    assert_eq!(on_worker_stack(line.clone().into_bytes(), fuzzing::lock), 0);
    let metadata =
        format!("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: {line}");
    assert_eq!(
        on_worker_stack(metadata.into_bytes(), fuzzing::core_metadata),
        0
    );
}

#[test]
fn deeply_nested_json_is_refused_without_overflow() {
    let page = format!("{{\"files\": {}}}", nested("[", "", "]"));
    assert_eq!(on_worker_stack(page.into_bytes(), fuzzing::simple_json), 0);
}

#[test]
fn deeply_nested_toml_is_refused_without_overflow() {
    let arrays = format!("x = {}\n", nested("[", "", "]"));
    let tables = format!("x = {}\n", nested("{a = ", "1", "}"));
    for text in [arrays, tables] {
        assert_eq!(
            on_worker_stack(text.clone().into_bytes(), fuzzing::pylock),
            0
        );
        assert_eq!(
            on_worker_stack(text.into_bytes(), fuzzing::project_files),
            0
        );
    }
}

#[test]
fn deeply_nested_setup_py_literals_are_refused_without_overflow() {
    for (open, close) in [("[", "]"), ("(", ")"), ("{", "}"), ("{'a': ", "}")] {
        let source = format!(
            "from setuptools import setup\nsetup(install_requires={})\n",
            nested(open, "'a'", close)
        );
        assert_eq!(on_worker_stack(source.into_bytes(), fuzzing::setup_py), 0);
    }
}

#[test]
fn deeply_nested_html_is_read_without_overflow() {
    let link = "<a href=\"demo-1.0.tar.gz\">demo-1.0.tar.gz</a>";
    for (open, close) in [("<b>", "</b>"), ("<a>", "")] {
        let page = format!("<html><body>{}</body></html>", nested(open, link, close));
        assert!(on_worker_stack(page.into_bytes(), fuzzing::simple_html) <= 1);
    }
}

/// Nested block elements cost html5ever time quadratic in the depth (each start tag scans the
/// stack of open elements): 16,000 `<div>`s take half a minute in a debug build, so 100,000 are
/// not run here. This keeps the depth that is cheap, as a guard that it stays so; the
/// quadratic cost itself is open (see the issue 16 note).
#[test]
fn nested_block_elements_are_read_without_overflow() {
    let link = "<a href=\"demo-1.0.tar.gz\">demo-1.0.tar.gz</a>";
    let depth = 1_000;
    let page = format!(
        "<html><body>{}{link}{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    assert_eq!(on_worker_stack(page.into_bytes(), fuzzing::simple_html), 1);
}
