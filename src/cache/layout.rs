//! cacache 13's files on disk, which maintenance reads and rewrites directly: cacache has
//! neither listing with sizes, nor garbage collection, nor index compaction.
//!
//! - `index-v5/<aa>/<bb>/<rest of sha1(key)>`: a *bucket*, appended to on every write of its
//!   key(s). Each line is `\n<sha256 of json>\t<json>`; the last valid line of a key wins and a
//!   line whose `integrity` is null deletes the key. Lines whose hash does not match (a torn
//!   append) are ignored, as cacache ignores them.
//! - `content-v2/<algorithm>/<aa>/<bb>/<rest of hex digest>`: bodies, addressed by their
//!   integrity and shared by every key with the same body.
//! - `tmp/`: files being written (`.tmp*`), renamed into `content-v2` when complete.
//!
//! The tests at the bottom write through cacache and read back through this module (and the
//! other way round), so a cacache upgrade that changes the format fails them.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Deserialize;

use crate::types::Sha256Digest;

/// The index directory.
pub(crate) const INDEX_DIR: &str = "index-v5";
/// The content directory.
pub(crate) const CONTENT_DIR: &str = "content-v2";
/// Where cacache (and compaction) write files before renaming them into place.
pub(crate) const TEMP_DIR: &str = "tmp";
/// The prefix of every temporary file name cacache (through `tempfile`) and we create; other
/// files found in `tmp/` are not ours and are left alone.
pub(crate) const TEMP_PREFIX: &str = ".tmp";

/// One valid line of a bucket.
#[derive(Clone, Debug)]
pub(crate) struct IndexLine {
    /// The line as stored, without its leading newline: rewriting a bucket copies it verbatim.
    pub(crate) text: String,
    /// The key.
    pub(crate) key: String,
    /// The content's integrity (`sha256-<base64>`); `None` marks a deletion.
    pub(crate) integrity: Option<String>,
    /// When the line was written, in milliseconds since the Unix epoch.
    pub(crate) time_ms: u64,
    /// The entry's metadata JSON (pinwheel's `EntryInfo`).
    pub(crate) metadata: serde_json::Value,
}

impl IndexLine {
    /// Bytes this line takes in a bucket (its newline included).
    pub(crate) fn stored_len(&self) -> u64 {
        self.text.len() as u64 + 1
    }
}

#[derive(Deserialize)]
struct RawLine {
    key: String,
    integrity: Option<String>,
    #[serde(default)]
    time: u64,
    #[serde(default)]
    metadata: serde_json::Value,
}

/// The valid lines of a bucket, in file order.
pub(crate) fn parse_bucket(text: &str) -> Vec<IndexLine> {
    text.split('\n')
        .filter_map(|line| {
            let (hash, json) = line.split_once('\t')?;
            if json.contains('\t') || Sha256Digest::of(json.as_bytes()).to_hex() != hash {
                return None;
            }
            let raw: RawLine = serde_json::from_str(json).ok()?;
            Some(IndexLine {
                text: line.to_string(),
                key: raw.key,
                integrity: raw.integrity,
                time_ms: raw.time,
                metadata: raw.metadata,
            })
        })
        .collect()
}

/// The lines that are in effect: the last line of each key, unless it is a deletion. File order
/// is kept, so that a rewritten bucket reads the same as the original.
pub(crate) fn live_lines(lines: &[IndexLine]) -> Vec<&IndexLine> {
    lines
        .iter()
        .enumerate()
        .filter(|(position, line)| {
            line.integrity.is_some()
                && !lines[position + 1..]
                    .iter()
                    .any(|later| later.key == line.key)
        })
        .map(|(_, line)| line)
        .collect()
}

/// A bucket holding exactly `lines`, as cacache writes it.
pub(crate) fn bucket_text<'a>(lines: impl IntoIterator<Item = &'a IndexLine>) -> String {
    lines
        .into_iter()
        .map(|line| format!("\n{}", line.text))
        .collect()
}

/// Where cacache stores the content with this integrity; `None` when the text is not an
/// integrity cacache could have written (cacache itself would panic on it).
pub(crate) fn content_path(dir: &Path, integrity: &str) -> Option<PathBuf> {
    content_path_of(dir, &integrity.parse().ok()?)
}

/// [`content_path`] for a parsed integrity: the first hash, as cacache's `to_hex` takes it,
/// decoded without panicking.
pub(crate) fn content_path_of(dir: &Path, integrity: &cacache::Integrity) -> Option<PathBuf> {
    let hash = integrity.hashes.first()?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&hash.digest)
        .ok()?;
    if bytes.len() < 3 {
        return None;
    }
    // Not a `format!` per byte: that was 9% of a warm resolve's allocations (two lookups per
    // project).
    let hex = crate::types::encode_hex(&bytes);
    Some(
        dir.join(CONTENT_DIR)
            .join(hash.algorithm.to_string())
            .join(&hex[0..2])
            .join(&hex[2..4])
            .join(&hex[4..]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket_files(dir: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut pending = vec![dir.join(INDEX_DIR)];
        while let Some(next) = pending.pop() {
            for entry in std::fs::read_dir(next).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    found.push(path);
                }
            }
        }
        found
    }

    #[test]
    fn reads_what_cacache_writes() {
        let dir = tempfile::tempdir().unwrap();
        let integrity = cacache::WriteOpts::new()
            .algorithm(cacache::Algorithm::Sha256)
            .metadata(serde_json::json!({"fetched_at": 7}))
            .open_sync(dir.path(), "k1")
            .and_then(|mut writer| {
                std::io::Write::write_all(&mut writer, b"body").unwrap();
                writer.commit()
            })
            .unwrap();
        cacache::write_sync(dir.path(), "k1", b"newer").unwrap();
        let [bucket] = &bucket_files(dir.path())[..] else {
            panic!("one bucket expected")
        };
        let lines = parse_bucket(&std::fs::read_to_string(bucket).unwrap());
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].key, "k1");
        assert_eq!(lines[0].integrity.as_deref(), Some(&*integrity.to_string()));
        assert_eq!(lines[0].metadata["fetched_at"], 7);
        assert!(lines[0].time_ms > 1_600_000_000_000);
        let live = live_lines(&lines);
        assert_eq!(live.len(), 1);
        let path = content_path(dir.path(), live[0].integrity.as_deref().unwrap()).unwrap();
        assert_eq!(std::fs::read(path).unwrap(), b"newer");
        assert_eq!(
            content_path(dir.path(), &integrity.to_string()).unwrap(),
            content_path_of(dir.path(), &integrity).unwrap()
        );

        cacache::remove_sync(dir.path(), "k1").unwrap();
        let lines = parse_bucket(&std::fs::read_to_string(bucket).unwrap());
        assert_eq!(lines.len(), 3);
        assert!(live_lines(&lines).is_empty(), "a null integrity deletes");
    }

    #[test]
    fn cacache_reads_a_rewritten_bucket() {
        let dir = tempfile::tempdir().unwrap();
        cacache::write_sync(dir.path(), "k", b"one").unwrap();
        cacache::write_sync(dir.path(), "k", b"two").unwrap();
        let [bucket] = &bucket_files(dir.path())[..] else {
            panic!("one bucket expected")
        };
        let lines = parse_bucket(&std::fs::read_to_string(bucket).unwrap());
        let compacted = bucket_text(live_lines(&lines));
        assert!(compacted.len() < std::fs::metadata(bucket).unwrap().len() as usize);
        std::fs::write(bucket, &compacted).unwrap();
        assert_eq!(cacache::read_sync(dir.path(), "k").unwrap(), b"two");
        assert_eq!(cacache::list_sync(dir.path()).count(), 1);
    }

    #[test]
    fn torn_and_foreign_lines_are_ignored() {
        let good = parse_bucket(&bucket_text(&[]));
        assert!(good.is_empty());
        let json = r#"{"key":"k","integrity":"sha256-AAAA","time":1,"size":0,"metadata":null}"#;
        let line = format!("{}\t{json}", Sha256Digest::of(json.as_bytes()).to_hex());
        let text = format!("\n{line}\n{}\n0000\t{json}\nnot a line", &line[..20]);
        let lines = parse_bucket(&text);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text, line);
    }

    #[test]
    fn unusable_integrities_have_no_path() {
        let dir = Path::new("/cache");
        assert_eq!(content_path(dir, ""), None);
        assert_eq!(content_path(dir, "sha256-!!!!"), None);
        assert_eq!(content_path(dir, "sha256-"), None);
        let path = content_path(dir, &cacache::Integrity::from(b"hello world").to_string());
        assert_eq!(
            path.unwrap(),
            Path::new(
                "/cache/content-v2/sha256/b9/4d/27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
            )
        );
    }
}
