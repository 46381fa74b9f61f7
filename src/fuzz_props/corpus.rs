//! Replays the cargo-fuzz corpus (`fuzz/corpus/<target>/`) on stable: every committed input,
//! seeds and crashes alike, must still parse or be refused without a panic, within its bound.

use super::seeds::{corpus_files, corpus_root};
use crate::fuzzing::TARGETS;

#[test]
fn every_corpus_input_replays_without_a_panic() {
    let mut replayed = 0;
    for target in TARGETS {
        let files = corpus_files(target.name);
        assert!(
            !files.is_empty(),
            "fuzz/corpus/{} has no inputs",
            target.name
        );
        for (name, data) in files {
            let items = (target.run)(&data);
            assert!(
                items <= target.max_items(data.len()),
                "{}/{name}: {items} items out of {} bytes",
                target.name,
                data.len()
            );
            replayed += 1;
        }
    }
    assert!(replayed >= TARGETS.len());
}

#[test]
fn every_corpus_directory_is_a_target() {
    for entry in std::fs::read_dir(corpus_root()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            crate::fuzzing::target(&name).is_some(),
            "fuzz/corpus/{name} belongs to no target in src/fuzzing.rs"
        );
    }
}

#[test]
fn every_target_has_a_cargo_fuzz_target() {
    let fuzz = corpus_root().join("..");
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
    for target in TARGETS {
        let source = format!("fuzz_targets/{}.rs", target.name);
        assert!(fuzz.join(&source).is_file(), "fuzz/{source} is missing");
        assert!(
            manifest.contains(&format!("path = \"{source}\"")),
            "fuzz/Cargo.toml does not list {source}"
        );
    }
}
