//! Writing outputs atomically: a temporary file in the target's directory, then a rename, so a
//! reader never sees half a file and a failed run leaves the old file untouched.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result};

/// Replaces `path` with `content` atomically.
pub fn write_atomically(path: &Path, content: &[u8]) -> Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".pinwheel-")
        .tempfile_in(directory)
        .with_context(|| {
            format!(
                "cannot create a temporary file in `{}`",
                directory.display()
            )
        })?;
    temporary
        .write_all(content)
        .with_context(|| format!("cannot write `{}`", temporary.path().display()))?;
    temporary
        .as_file()
        .sync_all()
        .with_context(|| format!("cannot write `{}`", temporary.path().display()))?;
    temporary
        .persist(path)
        .with_context(|| format!("cannot replace `{}`", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let error = write_atomically(&dir.path().join("missing/out.txt"), b"x").unwrap_err();
        assert!(error.to_string().contains("missing"), "{error}");
    }
}
