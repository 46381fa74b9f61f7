//! Git requirements as written: `name @ git+https://host/repo@REF#subdirectory=DIR`,
//! `git+ssh://`, `git+file://`, `git+git://`, and `[-e] git+URL@REF#egg=name`.
//!
//! This module only reads the text: which repository, which ref, which subdirectory. Fetching
//! it is `crate::git`'s job (inputs never touch the network or run processes), which fills in
//! [`GitRequirement::checkout`] before the resolver sees the manifest. Other version control
//! systems (`hg+`, `svn+`, `bzr+`) are refused with a clear message.

use url::Url;

use super::InputErrorKind;
use super::local::ProjectMetadata;

/// A requirement on a git repository.
#[derive(Clone, Debug)]
pub struct GitRequirement {
    /// The repository as `git` is given it: the URL without `git+`, the ref and the fragment
    /// (`https://host/repo.git`, `file:///srv/repo`). It may carry credentials, so it is shown
    /// through `RedactedUrl` only.
    pub remote: Url,
    /// The ref after `@` (a tag, a branch or a commit); `None` means the remote's `HEAD`.
    pub rev: Option<String>,
    /// `#subdirectory=DIR`: where the project is inside the repository.
    pub subdirectory: Option<String>,
    /// Installed in editable mode (`-e git+…`).
    pub editable: bool,
    /// What `crate::git` fetched; `None` until it ran.
    pub checkout: Option<GitCheckout>,
}

/// A fetched git requirement: the commit its ref named and the project found there.
#[derive(Clone, Debug)]
pub struct GitCheckout {
    /// The full commit id (40 hex digits).
    pub commit: String,
    /// The project in the checkout (and subdirectory): read statically, or still to be built.
    pub project: ProjectMetadata,
    /// Without a cache (`--no-cache`) the checkout is a temporary directory: kept here, as long
    /// as the manifest lives, when its project still needs a build there; removed when the
    /// last clone of the checkout is dropped.
    pub scratch: Option<std::sync::Arc<tempfile::TempDir>>,
}

/// What a VCS URL's fragment and ref said.
pub(super) struct ParsedVcs {
    pub(super) git: GitRequirement,
    /// `#egg=name`, the name pip's unnamed form gives.
    pub(super) egg: Option<String>,
}

/// Whether `location` is a version-control URL (`git+…`, `hg+…`, `svn+…`, `bzr+…`).
pub(super) fn is_vcs(location: &str) -> bool {
    ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|prefix| location.starts_with(prefix))
}

/// Parses `git+SCHEME://…[@REF][#egg=name&subdirectory=DIR]`.
pub(super) fn parse_vcs(location: &str, editable: bool) -> Result<ParsedVcs, InputErrorKind> {
    let Some(rest) = location.strip_prefix("git+") else {
        let system = location.split('+').next().unwrap_or_default();
        return Err(InputErrorKind::Unsupported {
            option: location.to_string(),
            hint: format!(
                "{system} requirements are not supported (only git is); point at a wheel, an sdist or a local project"
            ),
        });
    };
    let invalid = |message: &str| InputErrorKind::InvalidRequirement {
        text: location.to_string(),
        message: message.to_string(),
    };
    let (address, fragment) = match rest.split_once('#') {
        Some((address, fragment)) => (address, Some(fragment)),
        None => (rest, None),
    };
    let mut remote = Url::parse(address).map_err(|error| invalid(&error.to_string()))?;
    if !["https", "http", "ssh", "git", "file"].contains(&remote.scheme()) {
        return Err(invalid(
            "a git URL must be git+https://, git+http://, git+ssh://, git+git:// or git+file://",
        ));
    }
    // The ref follows the last `@` of the path (`user@host` is in the authority, not the path).
    let path = remote.path().to_string();
    let rev = match path.rsplit_once('@') {
        Some((repository, rev)) => {
            if rev.is_empty() {
                return Err(invalid(
                    "`@` must be followed by a tag, a branch or a commit",
                ));
            }
            remote.set_path(repository);
            Some(rev.to_string())
        }
        None => None,
    };
    let mut egg = None;
    let mut subdirectory = None;
    for pair in fragment
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
    {
        match pair.split_once('=') {
            Some(("egg", value)) => egg = Some(value.to_string()),
            Some(("subdirectory", value)) => {
                let value = value.trim_matches('/');
                if value.split('/').any(|part| part == ".." || part.is_empty()) {
                    return Err(invalid(
                        "`subdirectory` must be a path inside the repository",
                    ));
                }
                subdirectory = Some(value.to_string());
            }
            // pip's `#sha256=…` and the like say nothing about which project this is.
            _ => {}
        }
    }
    Ok(ParsedVcs {
        git: GitRequirement {
            remote,
            rev,
            subdirectory,
            editable,
            checkout: None,
        },
        egg,
    })
}

/// The repository part of a `git+URL[@REF][#FRAGMENT]` location, as text: what
/// [`GitRequirement::remote`] holds, before parsing. It works on the text so that it also serves
/// the location as written, whose `${NAME}` references a URL parser would percent-encode; the
/// lock shows that text in place of the remote's (see `parser`'s `remember_written_url`).
pub(super) fn remote_text(location: &str) -> Option<&str> {
    let rest = location.strip_prefix("git+")?;
    let address = rest.split_once('#').map_or(rest, |(address, _)| address);
    let authority_start = address.find("://")? + 3;
    // As in `parse_vcs`, the ref follows the last `@` of the path, not the authority's.
    let path_start = address[authority_start..]
        .find('/')
        .map_or(address.len(), |slash| authority_start + slash);
    Some(
        address[path_start..]
            .rfind('@')
            .map_or(address, |at| &address[..path_start + at]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ref_subdirectory_and_egg() {
        let parsed = parse_vcs(
            "git+https://u:p@h.example/org/repo.git@v1.0#egg=foo&subdirectory=pkg/",
            false,
        )
        .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(
            parsed.git.remote.as_str(),
            "https://u:p@h.example/org/repo.git"
        );
        assert_eq!(parsed.git.rev.as_deref(), Some("v1.0"));
        assert_eq!(parsed.git.subdirectory.as_deref(), Some("pkg"));
        assert_eq!(parsed.egg.as_deref(), Some("foo"));
    }

    #[test]
    fn ssh_user_is_not_a_ref() {
        let parsed = parse_vcs("git+ssh://git@h.example/repo.git", false)
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(parsed.git.remote.as_str(), "ssh://git@h.example/repo.git");
        assert_eq!(parsed.git.rev, None);
    }

    #[test]
    fn remote_text_keeps_the_authority_and_drops_ref_and_fragment() {
        assert_eq!(
            remote_text("git+https://${U}:${T}@h.example/org/repo.git@v1#egg=foo"),
            Some("https://${U}:${T}@h.example/org/repo.git")
        );
        assert_eq!(
            remote_text("git+ssh://git@h.example/repo"),
            Some("ssh://git@h.example/repo")
        );
        assert_eq!(
            remote_text("git+https://h.example/repo#subdirectory=a"),
            Some("https://h.example/repo")
        );
        assert_eq!(remote_text("https://h.example/repo"), None);
    }

    #[test]
    fn other_systems_and_escapes_are_refused() {
        for text in [
            "hg+https://h.example/repo",
            "svn+https://h.example/repo",
            "git+https://h.example/repo#subdirectory=../up",
            "git+https://h.example/repo@",
            "git+ftp://h.example/repo",
        ] {
            assert!(parse_vcs(text, false).is_err(), "{text}");
        }
    }
}
