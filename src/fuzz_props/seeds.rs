//! The realistic inputs mutations start from: the committed corpus of the cargo-fuzz target of
//! the same name (`fuzz/corpus/<target>/`), so the fuzzer and the properties share one set.

use std::path::PathBuf;

/// `fuzz/corpus/` in the source tree.
pub(super) fn corpus_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus")
}

/// Every file of `target`'s corpus, sorted by name, with its contents.
pub(super) fn corpus_files(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_root().join(target);
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()));
    let mut files: Vec<(String, Vec<u8>)> = entries
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// The contents of `target`'s corpus files.
pub(super) fn seeds(target: &str) -> Vec<Vec<u8>> {
    corpus_files(target)
        .into_iter()
        .map(|(_, data)| data)
        .collect()
}
