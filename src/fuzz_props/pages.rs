//! Index pages: PEP 691 JSON and PEP 503 HTML (simple and find-links pages).

use proptest::collection::vec;
use proptest::prelude::*;

use super::seeds::seeds;
use super::{check, no_panic_and_bounded};
use crate::types::Sha256Digest;

const CASES: u32 = 256;

#[test]
fn json_pages_never_panic() {
    no_panic_and_bounded("simple_json", CASES, seeds("simple_json"));
}

#[test]
fn html_pages_never_panic() {
    // HTML parsing (html5ever, then selectors) is the slowest parser per byte.
    no_panic_and_bounded("simple_html", CASES / 2, seeds("simple_html"));
}

/// A file of `demo` an index could list: its name and the content its digest is of.
fn listed_file() -> impl Strategy<Value = (String, String)> {
    let name = prop_oneof![
        "[0-9]{1,2}\\.[0-9]{1,2}".prop_map(|version| format!("demo-{version}-py3-none-any.whl")),
        "[0-9]{1,2}\\.[0-9]{1,2}(\\.post[0-9])?"
            .prop_map(|version| format!("demo-{version}.tar.gz")),
    ];
    (name, "[a-z]{0,8}")
}

fn digest(content: &str) -> Sha256Digest {
    Sha256Digest::of(content.as_bytes())
}

#[test]
fn a_json_page_reads_back_every_file_it_lists() {
    check(
        "JSON page round trip",
        CASES / 2,
        vec(listed_file(), 0..12),
        |files| {
            let entries: Vec<serde_json::Value> = files
                .iter()
                .map(|(name, content)| {
                    serde_json::json!({
                        "filename": name,
                        "url": format!("../../files/{name}"),
                        "hashes": { "sha256": digest(content).to_string() },
                    })
                })
                .collect();
            let page = serde_json::json!({ "meta": { "api-version": "1.0" }, "files": entries });
            let body = serde_json::to_vec(&page).unwrap();
            let data = crate::fuzzing::simple_json_files(&body);
            let read: Vec<(String, Option<Sha256Digest>)> = data
                .into_iter()
                .map(|file| (file.filename, file.sha256))
                .collect();
            let listed: Vec<(String, Option<Sha256Digest>)> = files
                .iter()
                .map(|(name, content)| (name.clone(), Some(digest(content))))
                .collect();
            prop_assert_eq!(read, listed);
            Ok(())
        },
    );
}

#[test]
fn an_html_page_reads_back_every_file_it_links() {
    check(
        "HTML page round trip",
        CASES / 4,
        vec(listed_file(), 0..12),
        |files| {
            let mut body = String::from("<!DOCTYPE html>\n<html><body>\n");
            for (name, content) in &files {
                body.push_str(&format!(
                    "<a href=\"../../files/{name}#sha256={}\">{name}</a><br/>\n",
                    digest(content)
                ));
            }
            body.push_str("</body></html>\n");
            let read: Vec<(String, Option<Sha256Digest>)> =
                crate::fuzzing::simple_html_files(&body)
                    .into_iter()
                    .map(|file| (file.filename, file.sha256))
                    .collect();
            let listed: Vec<(String, Option<Sha256Digest>)> = files
                .iter()
                .map(|(name, content)| (name.clone(), Some(digest(content))))
                .collect();
            prop_assert_eq!(read, listed);
            Ok(())
        },
    );
}
