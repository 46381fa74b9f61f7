//! Checks on the output made before resolving, so that a run that cannot write its lock fails
//! at once instead of after a resolve that may take seconds, and never writes over its inputs.

use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};

use super::settings::OutputTarget;

/// Refuses an output file that is one of `inputs` (the sources and every file they include, as
/// pip-compile refuses one named on its command line): the lock would replace the user's `.in`.
/// Files are compared as the file system sees them, so `./a.in` and `a.in` are one file.
pub fn refuse_output_among_inputs(output: &OutputTarget, inputs: &[PathBuf]) -> Result<()> {
    let OutputTarget::File(path) = output else {
        return Ok(());
    };
    // An output that does not exist yet cannot be an input, which was read.
    let Ok(output) = std::fs::canonicalize(path) else {
        return Ok(());
    };
    for input in inputs.iter().filter(|input| input.as_os_str() != "-") {
        if std::fs::canonicalize(input).is_ok_and(|input| input == output) {
            bail!(
                "the output file `{}` is also an input (`{}`): writing the lock would replace it; \
                 name another output with `-o`",
                path.display(),
                input.display()
            );
        }
    }
    Ok(())
}

/// Creates the directory the output goes in when it does not exist yet (as uv does), so that a
/// missing one is neither an error after the resolve nor a message about temporary files.
pub fn create_output_directory(output: &OutputTarget) -> Result<()> {
    let OutputTarget::File(path) = output else {
        return Ok(());
    };
    let Some(directory) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    else {
        return Ok(());
    };
    if directory.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(directory).with_context(|| {
        format!(
            "cannot create the directory of the output file `{}`",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_file_under_another_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("a.in");
        std::fs::write(&input, "x\n").unwrap();
        let output = OutputTarget::File(dir.path().join(".").join("a.in"));
        let error = refuse_output_among_inputs(&output, &[input]).unwrap_err();
        assert!(error.to_string().contains("also an input"), "{error}");
    }

    #[test]
    fn a_new_output_and_stdout_pass() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("a.in");
        std::fs::write(&input, "x\n").unwrap();
        let inputs = [input];
        refuse_output_among_inputs(&OutputTarget::File(dir.path().join("a.txt")), &inputs).unwrap();
        refuse_output_among_inputs(&OutputTarget::Stdout, &inputs).unwrap();
    }

    #[test]
    fn a_missing_directory_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let output = OutputTarget::File(dir.path().join("locks/linux/a.txt"));
        create_output_directory(&output).unwrap();
        assert!(dir.path().join("locks/linux").is_dir());
    }
}
