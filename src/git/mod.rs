//! Git requirements fetched before resolving: each `git+…` line's ref is resolved to a commit
//! (`git ls-remote`; an abbreviated commit by `git rev-parse` in a scratch fetch), that commit is checked out once into `<cache-dir>/git-v1/<commit>/`, and
//! the project there is read statically, as a local project directory is. The resolver then
//! sees a local project whose source is the repository at that commit, and the lock names the
//! full commit, so re-locking the same ref gives the same bytes until the ref moves.
//!
//! This shells out to the `git` command instead of speaking git's protocols itself: a user's
//! credential helpers, `~/.ssh/config`, `insteadOf` rewrites and proxies are configuration of
//! that command, and a reimplementation would silently ignore them (pip, uv and cargo make the
//! same choice). Prompts are switched off (`GIT_TERMINAL_PROMPT=0`) and every command has a
//! time limit, so a host that asks for a password fails instead of hanging.
//!
//! The inputs layer parses the lines (`inputs::GitRequirement`); this module is the one place
//! that runs processes for them, and is called by `cli` only. A checkout whose project only a
//! build can tell is kept as `inputs::ProjectMetadata::NeedsBuild`, for the CLI to build.

mod command;
mod error;

use std::path::{Path, PathBuf};

pub use error::{GitError, GitErrorKind};

use crate::inputs::{
    GitCheckout, GitRequirement, InputRequirement, LocalTarget, Manifest, ProjectMetadata,
    read_local_project,
};
use command::{Git, run_git};

/// The cache's directory of checkouts, one per commit.
const CHECKOUTS: &str = "git-v1";

/// Fetches every git requirement and constraint of `manifest` and fills in its checkout.
///
/// `cache_dir` holds the checkouts, reused by later runs; without one (`--no-cache`) each is
/// made in a temporary directory that is gone when this returns (its metadata has been read).
///
/// # Errors
///
/// A [`GitError`] naming the line: `git` missing, a host that refuses, a ref that does not
/// exist, a checkout without a statically readable project.
pub async fn fetch_requirements(
    manifest: &mut Manifest,
    cache_dir: Option<&Path>,
) -> Result<(), GitError> {
    let entries = manifest
        .requirements
        .iter_mut()
        .chain(manifest.constraints.iter_mut());
    for entry in entries {
        let Some(local) = &mut entry.local else {
            continue;
        };
        let LocalTarget::Git(git) = &mut local.target else {
            continue;
        };
        let checkout = fetch_one(git, cache_dir)
            .await
            .and_then(|checkout| name_matches(&entry.requirement.name, checkout));
        match checkout {
            Ok(checkout) => git.checkout = Some(checkout),
            Err(kind) => return Err(line_error(entry, kind)),
        }
    }
    Ok(())
}

fn line_error(entry: &InputRequirement, kind: GitErrorKind) -> GitError {
    GitError {
        file: entry.origin.file.clone(),
        line: entry.origin.line,
        text: entry.text.clone(),
        kind,
    }
}

/// Checks the project's name against the line's; a project still to be built takes the
/// line's, which `Manifest::set_built` checks against the build's.
fn name_matches(
    written: &crate::types::PackageName,
    mut checkout: GitCheckout,
) -> Result<GitCheckout, GitErrorKind> {
    match &mut checkout.project {
        ProjectMetadata::NeedsBuild {
            name: name @ None, ..
        } => {
            *name = Some(written.clone());
            Ok(checkout)
        }
        project => match project.name() {
            Some(found) if found != written => Err(GitErrorKind::NameMismatch {
                written: written.to_string(),
                found: found.to_string(),
            }),
            _ => Ok(checkout),
        },
    }
}

async fn fetch_one(
    git: &GitRequirement,
    cache_dir: Option<&Path>,
) -> Result<GitCheckout, GitErrorKind> {
    let commit = resolve_rev(git).await?;
    let project_dir = |checkout: &Path| match &git.subdirectory {
        Some(subdirectory) => checkout.join(subdirectory),
        None => checkout.to_path_buf(),
    };
    let read = |checkout: &Path| {
        read_local_project(&project_dir(checkout)).map_err(|cause| GitErrorKind::Project {
            commit: commit.clone(),
            cause,
        })
    };
    let Some(cache_dir) = cache_dir else {
        let temporary = tempfile::tempdir().map_err(|source| GitErrorKind::Io {
            path: std::env::temp_dir(),
            source,
        })?;
        check_out(git, &commit, temporary.path()).await?;
        let project = read(temporary.path())?;
        // A build will run in the checkout, so it must outlive this call.
        let scratch = matches!(project, ProjectMetadata::NeedsBuild { .. })
            .then(|| std::sync::Arc::new(temporary));
        return Ok(GitCheckout {
            commit,
            project,
            scratch,
        });
    };
    let checkouts = cache_dir.join(CHECKOUTS);
    let done = checkouts.join(&commit);
    if !done.is_dir() {
        make_checkout(git, &commit, &checkouts, &done).await?;
    }
    let project = read(&done)?;
    Ok(GitCheckout {
        commit,
        project,
        scratch: None,
    })
}

/// Checks `commit` out into a temporary directory beside `done` and renames it into place, so
/// that a directory named by a commit is always a finished checkout (another run may finish
/// the same one first: then its copy stands).
async fn make_checkout(
    git: &GitRequirement,
    commit: &str,
    checkouts: &Path,
    done: &Path,
) -> Result<(), GitErrorKind> {
    let io = |path: &Path| {
        let path: PathBuf = path.to_path_buf();
        move |source| GitErrorKind::Io { path, source }
    };
    std::fs::create_dir_all(checkouts).map_err(io(checkouts))?;
    let temporary = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempdir_in(checkouts)
        .map_err(io(checkouts))?;
    check_out(git, commit, temporary.path()).await?;
    match std::fs::rename(temporary.path(), done) {
        Ok(()) => {
            // Renamed away: nothing is left for the guard to remove.
            let _ = temporary.keep();
            Ok(())
        }
        Err(_) if done.is_dir() => Ok(()),
        Err(source) => Err(GitErrorKind::Io {
            path: done.to_path_buf(),
            source,
        }),
    }
}

/// The commit `git.rev` names on the remote: a full commit id as given, else the tag (peeled
/// to its commit), the branch, or the exact ref (`HEAD` when no ref is given), else, for 7 to
/// 39 hex digits, the commit they abbreviate.
async fn resolve_rev(git: &GitRequirement) -> Result<String, GitErrorKind> {
    match (resolve_ref(git).await, git.rev.as_deref()) {
        (Err(GitErrorKind::MissingRef(_)), Some(rev)) if is_abbreviated_commit(rev) => {
            expand_commit(git, rev).await
        }
        (resolved, _) => resolved,
    }
}

/// The commit the ref `git.rev` names, as `git ls-remote` lists it.
async fn resolve_ref(git: &GitRequirement) -> Result<String, GitErrorKind> {
    if let Some(rev) = &git.rev
        && is_full_commit(rev)
    {
        return Ok(rev.to_ascii_lowercase());
    }
    let pattern = git.rev.as_deref().unwrap_or("HEAD");
    // An annotated tag's ref names the tag object; only the peeled `TAG^{}` line, which
    // ls-remote lists only when asked for, names its commit.
    let peeled = format!("{pattern}^{{}}");
    let listing = run_git(
        Git::LsRemote,
        None,
        &["ls-remote", "--", git.remote.as_str(), pattern, &peeled],
    )
    .await?;
    let refs: Vec<(&str, &str)> = listing
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .collect();
    let preferred = [
        format!("refs/tags/{pattern}^{{}}"),
        format!("refs/tags/{pattern}"),
        format!("refs/heads/{pattern}"),
        pattern.to_string(),
    ];
    preferred
        .iter()
        .find_map(|wanted| {
            refs.iter()
                .find(|(_, name)| name == wanted)
                .map(|(commit, _)| (*commit).to_string())
        })
        .ok_or_else(|| GitErrorKind::MissingRef(pattern.to_string()))
}

fn is_full_commit(rev: &str) -> bool {
    rev.len() == 40 && rev.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// 7 to 39 hex digits: what `git log --oneline` and pip users write for a commit. git's own
/// shortest abbreviation is 7 digits; fewer would too often name several commits.
fn is_abbreviated_commit(rev: &str) -> bool {
    (7..40).contains(&rev.len()) && rev.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// The full commit `abbreviated` names. A server lists refs, not commits, and will not fetch
/// by a prefix, so the repository's branches and tags are fetched into a scratch repository
/// and `git rev-parse` expands the prefix there (a commit no branch or tag reaches cannot be
/// found, as with pip, which clones the same way).
async fn expand_commit(git: &GitRequirement, abbreviated: &str) -> Result<String, GitErrorKind> {
    let scratch = tempfile::tempdir().map_err(|source| GitErrorKind::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let dir = scratch.path();
    run_git(Git::Init, Some(dir), &["init", "--quiet", "--bare"]).await?;
    run_git(
        Git::Fetch,
        Some(dir),
        &[
            "fetch",
            "--quiet",
            "--",
            git.remote.as_str(),
            "+refs/heads/*:refs/remotes/origin/*",
            "+refs/tags/*:refs/tags/*",
        ],
    )
    .await?;
    let wanted = format!("{abbreviated}^{{commit}}");
    match run_git(
        Git::RevParse,
        Some(dir),
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &wanted,
        ],
    )
    .await
    {
        Ok(full) if is_full_commit(full.trim()) => Ok(full.trim().to_ascii_lowercase()),
        // Not a commit there, or a prefix of several.
        Ok(_) | Err(GitErrorKind::Failed { .. }) => {
            Err(GitErrorKind::MissingRef(abbreviated.to_string()))
        }
        Err(other) => Err(other),
    }
}

/// `git init`, fetch `commit` alone and shallow, else everything (a server may refuse a fetch
/// by commit id), then check it out.
async fn check_out(git: &GitRequirement, commit: &str, dir: &Path) -> Result<(), GitErrorKind> {
    let remote = git.remote.as_str();
    run_git(Git::Init, Some(dir), &["init", "--quiet"]).await?;
    let shallow = run_git(
        Git::Fetch,
        Some(dir),
        &["fetch", "--quiet", "--depth", "1", "--", remote, commit],
    )
    .await;
    if let Err(error) = shallow {
        if matches!(
            error,
            GitErrorKind::NotFound(_) | GitErrorKind::TimedOut { .. }
        ) {
            return Err(error);
        }
        // git's message may quote the URL, credentials and all: it is not logged.
        tracing::debug!("shallow fetch of {commit} refused; fetching every ref");
        run_git(
            Git::Fetch,
            Some(dir),
            &[
                "fetch",
                "--quiet",
                "--",
                remote,
                "+refs/heads/*:refs/remotes/origin/*",
                "+refs/tags/*:refs/tags/*",
            ],
        )
        .await?;
    }
    run_git(
        Git::Checkout,
        Some(dir),
        &[
            "-c",
            "advice.detachedHead=false",
            "checkout",
            "--quiet",
            "--detach",
            commit,
        ],
    )
    .await
    .map_err(|error| match error {
        GitErrorKind::Failed { .. } => GitErrorKind::MissingCommit(commit.to_string()),
        other => other,
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{is_abbreviated_commit, is_full_commit};

    #[test]
    fn full_commits_are_forty_hex_digits() {
        assert!(is_full_commit("0123456789abcdef0123456789ABCDEF01234567"));
        assert!(!is_full_commit("0123456"));
        assert!(!is_full_commit("v1"));
    }

    #[test]
    fn abbreviated_commits_are_seven_to_thirty_nine_hex_digits() {
        assert!(is_abbreviated_commit("0123abc"));
        assert!(is_abbreviated_commit(
            "0123456789abcdef0123456789ABCDEF0123456"
        ));
        assert!(!is_abbreviated_commit("0123ab"));
        assert!(!is_abbreviated_commit(
            "0123456789abcdef0123456789ABCDEF01234567"
        ));
        assert!(!is_abbreviated_commit("release"));
    }
}
