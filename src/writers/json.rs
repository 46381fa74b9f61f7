//! The `--format json` document: pins, hashes, the dependency edges with the requirement that
//! made each, and the timing — for services that call pinwheel instead of parsing a
//! requirements file. The shape is versioned (`"format": 1`) and described by
//! `schemas/resolve.schema.json`.

use serde::Serialize;

use crate::inputs::{LocalRequirement, LocalTarget};
use crate::resolver::{EdgeFrom, PinSource, Resolution};
use crate::types::RedactedUrl;

/// What the document says besides the resolution.
#[derive(Clone, Debug)]
pub struct JsonContext {
    /// The target Python version, e.g. `3.12`.
    pub python_version: String,
    /// The target platform, e.g. `x86_64-manylinux_2_28`.
    pub python_platform: String,
    /// Wall time of the whole run so far, in milliseconds.
    pub elapsed_ms: u128,
    /// HTTP requests sent.
    pub requests: usize,
    /// With several targets, every one as (Python version, platform), the first being
    /// `python_version` and `python_platform`; empty for one target.
    pub targets: Vec<(String, String)>,
    /// With several targets, for each pin in order the indexes into `targets` of the targets
    /// that pin it; empty for one target.
    pub pin_targets: Vec<Vec<usize>>,
    /// For a universal lock, its `requires-python` (then `python_version` and
    /// `python_platform` only name the default target, which the lock does not depend on).
    pub universal: Option<String>,
    /// With `--report-shadowed`, the locked names more than one index serves (maybe none);
    /// `None` when nobody asked.
    pub shadowed: Option<Vec<ShadowedName>>,
}

/// A locked name more than one index serves.
#[derive(Clone, Debug, Serialize)]
pub struct ShadowedName {
    /// The package.
    pub name: String,
    /// The index its locked file was listed by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used: Option<String>,
    /// Every index that lists it, in priority order, credentials hidden.
    pub indexes: Vec<String>,
}

#[derive(Serialize)]
struct Document<'a> {
    format: u32,
    target: Target<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    targets: Vec<Target<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    universal: Option<Universal<'a>>,
    pins: Vec<JsonPin<'a>>,
    edges: Vec<JsonEdge<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shadowed: Option<&'a [ShadowedName]>,
    timing: Timing,
}

#[derive(Serialize)]
struct Universal<'a> {
    requires_python: &'a str,
    /// The forks the lock was resolved in.
    forks: &'a [String],
}

#[derive(Clone, Copy, Serialize)]
struct Target<'a> {
    python_version: &'a str,
    python_platform: &'a str,
}

#[derive(Serialize)]
struct JsonPin<'a> {
    name: &'a str,
    version: String,
    /// A direct URL, credentials hidden.
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    /// A local project or file, as the user wrote its path.
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    editable: bool,
    extras: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    markers: Vec<&'a str>,
    /// With several targets, the targets that pin this version (its marker holds on exactly
    /// those).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    targets: Vec<Target<'a>>,
    hashes: Vec<String>,
    /// With `--verify-attestations`: the Trusted Publishers whose attestations verified.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attestations: Vec<JsonPublisher<'a>>,
}

/// A publisher: `kind` and its claims, flat, as pylock.toml's `attestation-identities`.
#[derive(Serialize)]
struct JsonPublisher<'a> {
    kind: &'a str,
    #[serde(flatten)]
    claims: &'a std::collections::BTreeMap<String, String>,
}

#[derive(Serialize)]
struct JsonEdge<'a> {
    from: JsonFrom<'a>,
    to: &'a str,
    requirement: String,
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum JsonFrom<'a> {
    /// The input line, as pip-compile annotates it (`-r requirements.in`).
    Input {
        source: String,
        line: usize,
    },
    Package {
        name: &'a str,
        version: String,
    },
}

#[derive(Serialize)]
struct Timing {
    total_ms: u128,
    requests: usize,
}

/// Renders `resolution` as the JSON document (pretty-printed, with a final newline).
#[must_use]
pub fn write_json(resolution: &Resolution, context: &JsonContext) -> String {
    let target = |index: &usize| {
        context
            .targets
            .get(*index)
            .map(|(python, platform)| Target {
                python_version: python,
                python_platform: platform,
            })
    };
    let pins = resolution
        .pins
        .iter()
        .enumerate()
        .map(|(index, pin)| JsonPin {
            name: pin.name.as_ref(),
            version: pin.version.to_string(),
            url: match &pin.source {
                PinSource::Registry { .. } => None,
                PinSource::Url(url) | PinSource::Local { url, .. } => {
                    Some(RedactedUrl::new(url.clone()).to_string())
                }
            },
            path: match &pin.source {
                // A git URL as written may hold credentials, and is no path.
                PinSource::Local {
                    local:
                        LocalRequirement {
                            target: LocalTarget::Git(_),
                            ..
                        },
                    ..
                } => None,
                PinSource::Local { local, .. } => Some(local.written.as_str()),
                PinSource::Registry { .. } | PinSource::Url(_) => None,
            },
            editable: matches!(
                &pin.source,
                PinSource::Local {
                    local: LocalRequirement {
                        target: LocalTarget::Directory { editable: true, .. },
                        ..
                    },
                    ..
                }
            ),
            extras: pin.extras.iter().map(AsRef::as_ref).collect(),
            markers: pin.markers.iter().map(String::as_str).collect(),
            targets: context
                .pin_targets
                .get(index)
                .map(|on| on.iter().filter_map(target).collect())
                .unwrap_or_default(),
            hashes: pin
                .hashes
                .iter()
                .map(|hash| format!("sha256:{hash}"))
                .collect(),
            attestations: pin
                .attestations
                .iter()
                .map(|publisher| JsonPublisher {
                    kind: &publisher.kind,
                    claims: &publisher.claims,
                })
                .collect(),
        })
        .collect();
    let edges = resolution
        .edges
        .iter()
        .map(|edge| JsonEdge {
            from: match &edge.from {
                EdgeFrom::Input(origin) => JsonFrom::Input {
                    source: origin.annotation(),
                    line: origin.line,
                },
                EdgeFrom::Package { name, version } => JsonFrom::Package {
                    name: name.as_ref(),
                    version: version.to_string(),
                },
            },
            to: edge.to.as_ref(),
            requirement: edge.requirement.to_string(),
        })
        .collect();
    let document = Document {
        format: 1,
        target: Target {
            python_version: &context.python_version,
            python_platform: &context.python_platform,
        },
        targets: context
            .targets
            .iter()
            .enumerate()
            .filter_map(|(index, _)| target(&index))
            .collect(),
        universal: context
            .universal
            .as_deref()
            .map(|requires_python| Universal {
                requires_python,
                forks: &resolution.forks,
            }),
        pins,
        edges,
        shadowed: context.shadowed.as_deref(),
        timing: Timing {
            total_ms: context.elapsed_ms,
            requests: context.requests,
        },
    };
    // Serialising plain structs of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
