//! Renders project pages of the test index: PEP 691 JSON and PEP 503 HTML, honouring the
//! metadata mode (whether `.metadata` files are advertised).
//!
//! It must not decide status codes or content types; `index_server` does that.

use serde_json::{Value, json};

use super::catalog::{Artifact, Catalog, Project};
use super::dist_builder::sha256_hex;
use super::model::{HashMode, MetadataMode};

/// The PEP 691 JSON page of `project`; file URLs are `files_base` + filename.
pub fn json_page(
    catalog: &Catalog,
    project: &Project,
    files_base: &str,
    mode: MetadataMode,
    hashes: HashMode,
) -> String {
    let files: Vec<Value> = project
        .files
        .iter()
        .filter_map(|filename| catalog.artifacts.get(filename))
        .map(|artifact| {
            let package = &catalog.packages[artifact.package];
            let mut file = json!({
                "filename": artifact.filename,
                "url": format!("{files_base}{}", artifact.filename),
                "hashes": match listed_sha256(artifact, hashes) {
                    Some(sha256) => json!({ "sha256": sha256 }),
                    None => json!({}),
                },
                "yanked": match package.yanked.as_deref() {
                    None => json!(false),
                    Some("") => json!(true),
                    Some(reason) => json!(reason),
                },
                "size": artifact.bytes.len(),
            });
            if let Some(requires_python) = &package.requires_python {
                file["requires-python"] = json!(requires_python);
            }
            if let Some(upload_time) = &package.upload_time {
                file["upload-time"] = json!(upload_time);
            }
            let wrong = sha256_hex(format!("{}.metadata", artifact.filename).as_bytes());
            if let Some(sha) = artifact
                .metadata
                .as_ref()
                .and_then(|(_, sha)| mode.advertised(sha, &wrong))
            {
                // Both spellings: `dist-info-metadata` is the older name of the same key.
                file["core-metadata"] = json!({ "sha256": sha });
                file["dist-info-metadata"] = json!({ "sha256": sha });
            }
            file["provenance"] = match &artifact.provenance {
                Some(_) => json!(format!("{files_base}{}.provenance", artifact.filename)),
                None => Value::Null,
            };
            file
        })
        .collect();
    let mut versions: Vec<&str> = Vec::new();
    for &index in &project.packages {
        let version = catalog.packages[index].version.as_str();
        if !versions.contains(&version) {
            versions.push(version);
        }
    }
    json!({
        "meta": { "api-version": "1.1" },
        "name": project.name,
        "files": files,
        "versions": versions,
    })
    .to_string()
}

/// The PEP 503 HTML page of `project`; file URLs are `files_base` + filename.
pub fn html_page(
    catalog: &Catalog,
    project: &Project,
    files_base: &str,
    mode: MetadataMode,
    hashes: HashMode,
) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"1.1\">\n\
         <title>Links for {0}</title>\n</head>\n<body>\n<h1>Links for {0}</h1>\n",
        escape(&project.name)
    );
    for artifact in project
        .files
        .iter()
        .filter_map(|f| catalog.artifacts.get(f))
    {
        let package = &catalog.packages[artifact.package];
        let mut attributes = format!(
            "href=\"{}\"",
            escape(&match listed_sha256(artifact, hashes) {
                Some(sha256) => format!("{files_base}{}#sha256={sha256}", artifact.filename),
                None => format!("{files_base}{}", artifact.filename),
            })
        );
        if let Some(requires_python) = &package.requires_python {
            attributes.push_str(&format!(
                " data-requires-python=\"{}\"",
                escape(requires_python)
            ));
        }
        if let Some(reason) = &package.yanked {
            attributes.push_str(&format!(" data-yanked=\"{}\"", escape(reason)));
        }
        let wrong = sha256_hex(format!("{}.metadata", artifact.filename).as_bytes());
        if let Some(sha) = artifact
            .metadata
            .as_ref()
            .and_then(|(_, sha)| mode.advertised(sha, &wrong))
        {
            attributes.push_str(&format!(
                " data-core-metadata=\"sha256={sha}\" data-dist-info-metadata=\"sha256={sha}\""
            ));
        }
        if let Some(upload_time) = &package.upload_time {
            attributes.push_str(&format!(" data-upload-time=\"{}\"", escape(upload_time)));
        }
        if artifact.provenance.is_some() {
            attributes.push_str(&format!(
                " data-provenance=\"{}\"",
                escape(&format!("{files_base}{}.provenance", artifact.filename))
            ));
        }
        html.push_str(&format!(
            "<a {attributes}>{}</a><br/>\n",
            escape(&artifact.filename)
        ));
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// The PEP 691 JSON root listing every project.
pub fn json_root(catalog: &Catalog) -> String {
    let projects: Vec<Value> = catalog
        .projects
        .values()
        .map(|project| json!({ "name": project.name }))
        .collect();
    json!({ "meta": { "api-version": "1.1" }, "projects": projects }).to_string()
}

/// The PEP 503 HTML root listing every project, linking to `/simple/<normalised>/`.
pub fn html_root(catalog: &Catalog) -> String {
    let mut html = String::from("<!DOCTYPE html>\n<html>\n<body>\n");
    for (normalized, project) in &catalog.projects {
        html.push_str(&format!(
            "<a href=\"/simple/{}/\">{}</a><br/>\n",
            escape(normalized),
            escape(&project.name)
        ));
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// Escapes text for use in HTML content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// The sha256 a page lists for `artifact` under `hashes`, if any.
fn listed_sha256(artifact: &Artifact, hashes: HashMode) -> Option<String> {
    match hashes {
        HashMode::Listed => Some(artifact.sha256.clone()),
        HashMode::Omitted => None,
        HashMode::Wrong => Some(sha256_hex(artifact.filename.as_bytes())),
    }
}
