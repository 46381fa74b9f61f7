//! Does a verified certificate belong to the Trusted Publisher the index names? PEP 740 asks the
//! verifier to match the publisher against the certificate's identity; this is that match, per
//! publisher kind, over the certificate's claims (Fulcio's OIDC extensions).

use crate::types::Publisher;

/// The claims of a verified signing certificate that a publisher is matched against.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertificateClaims {
    /// The subject alternative name (a URI or an email address).
    pub identity: Option<String>,
    /// The OIDC issuer.
    pub issuer: Option<String>,
    /// Fulcio's Source Repository URI (`1.3.6.1.4.1.57264.1.12`).
    pub source_repository_uri: Option<String>,
    /// Fulcio's Build Config URI (`1.3.6.1.4.1.57264.1.18`): the workflow that ran, with its ref.
    pub build_config_uri: Option<String>,
}

const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
const GITLAB_ISSUER: &str = "https://gitlab.com";
const GOOGLE_ISSUER: &str = "https://accounts.google.com";
const CIRCLECI_ISSUER: &str = "https://oidc.circleci.com";

/// Checks that `claims` are those of `publisher`'s workload. The reason names what differs.
///
/// # Errors
/// When a claim differs, is missing, or the publisher's kind is not one pinwheel knows how to
/// match (never taken as a match).
pub fn check(publisher: &Publisher, claims: &CertificateClaims) -> Result<(), String> {
    let claim = |key: &str| {
        publisher
            .claims
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| format!("the {} publisher names no `{key}`", publisher.kind))
    };
    match publisher.kind.as_str() {
        // Both forges: the certificate's repository (case-insensitive, as their names are)
        // and the workflow file that ran, at any ref.
        "GitHub" => {
            expect_issuer(claims, GITHUB_ISSUER)?;
            let repository = format!("https://github.com/{}", claim("repository")?);
            let workflow = format!("{repository}/.github/workflows/{}@", claim("workflow")?);
            expect_build(claims, &repository, &workflow)
        }
        "GitLab" => {
            expect_issuer(claims, GITLAB_ISSUER)?;
            let repository = format!("https://gitlab.com/{}", claim("repository")?);
            let workflow = format!("{repository}//{}@", claim("workflow_filepath")?);
            expect_build(claims, &repository, &workflow)
        }
        "Google" => {
            expect_issuer(claims, GOOGLE_ISSUER)?;
            expect(
                "identity",
                claims.identity.as_deref(),
                claim("email")?,
                |found, wanted| found == wanted,
            )
        }
        "CircleCI" => {
            expect_issuer(claims, CIRCLECI_ISSUER)?;
            let identity = format!(
                "https://circleci.com/api/v2/projects/{}/pipeline-definitions/{}",
                claim("project_id")?,
                claim("pipeline_definition_id")?
            );
            expect(
                "identity",
                claims.identity.as_deref(),
                &identity,
                |found, wanted| found == wanted,
            )?;
            match publisher.claims.get("vcs_origin") {
                Some(origin) => expect(
                    "source repository",
                    claims.source_repository_uri.as_deref(),
                    origin,
                    |found, wanted| found == wanted,
                ),
                None => Ok(()),
            }
        }
        other => Err(format!(
            "the publisher kind `{other}` is not one pinwheel can match against a certificate"
        )),
    }
}

fn expect_issuer(claims: &CertificateClaims, issuer: &str) -> Result<(), String> {
    expect(
        "OIDC issuer",
        claims.issuer.as_deref(),
        issuer,
        |found, wanted| found == wanted,
    )
}

/// The certificate's source repository is `repository`, and its build config starts with
/// `workflow_prefix` (the workflow file and `@`; the ref follows).
fn expect_build(
    claims: &CertificateClaims,
    repository: &str,
    workflow_prefix: &str,
) -> Result<(), String> {
    expect(
        "source repository",
        claims.source_repository_uri.as_deref(),
        repository,
        |found, wanted| found.eq_ignore_ascii_case(wanted),
    )?;
    expect(
        "build config",
        claims.build_config_uri.as_deref(),
        &format!("{workflow_prefix}…"),
        |found, _| starts_with_ignore_case(found, workflow_prefix),
    )
}

fn expect(
    what: &str,
    found: Option<&str>,
    wanted: &str,
    matches: impl Fn(&str, &str) -> bool,
) -> Result<(), String> {
    match found {
        Some(found) if matches(found, wanted) => Ok(()),
        Some(found) => Err(format!(
            "the certificate's {what} is `{found}`, and the publisher's is `{wanted}`"
        )),
        None => Err(format!(
            "the certificate names no {what} (the publisher's is `{wanted}`)"
        )),
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn github(repository: &str, workflow: &str) -> Publisher {
        Publisher {
            kind: "GitHub".into(),
            claims: BTreeMap::from([
                ("repository".into(), repository.into()),
                ("workflow".into(), workflow.into()),
            ]),
        }
    }

    fn actions(repository: &str, workflow: &str) -> CertificateClaims {
        CertificateClaims {
            identity: Some(format!(
                "https://github.com/{repository}/.github/workflows/{workflow}@refs/tags/v1"
            )),
            issuer: Some(GITHUB_ISSUER.into()),
            source_repository_uri: Some(format!("https://github.com/{repository}")),
            build_config_uri: Some(format!(
                "https://github.com/{repository}/.github/workflows/{workflow}@refs/tags/v1"
            )),
        }
    }

    #[test]
    fn a_github_publisher_matches_its_own_workflow_only() {
        let claims = actions("Owner/Repo", "release.yml");
        assert_eq!(check(&github("owner/repo", "release.yml"), &claims), Ok(()));
        let other_repository = check(&github("owner/fork", "release.yml"), &claims).unwrap_err();
        assert!(
            other_repository.contains("source repository"),
            "{other_repository}"
        );
        let other_workflow = check(&github("owner/repo", "release.y"), &claims).unwrap_err();
        assert!(other_workflow.contains("build config"), "{other_workflow}");
        let mut gitlab_issuer = claims.clone();
        gitlab_issuer.issuer = Some(GITLAB_ISSUER.into());
        assert!(check(&github("owner/repo", "release.yml"), &gitlab_issuer).is_err());
    }

    #[test]
    fn unknown_kinds_and_missing_claims_never_match() {
        let claims = actions("o/r", "w.yml");
        let unknown = Publisher {
            kind: "Jenkins".into(),
            claims: BTreeMap::new(),
        };
        assert!(check(&unknown, &claims).is_err());
        let mut no_workflow = github("o/r", "w.yml");
        no_workflow.claims.remove("workflow");
        assert!(check(&no_workflow, &claims).is_err());
        assert!(check(&github("o/r", "w.yml"), &CertificateClaims::default()).is_err());
    }
}
