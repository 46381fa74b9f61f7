//! What names a compilation's resolution manifest in the remote cache (`remote/manifest.rs`):
//! the text of everything that decides what the resolve reads. Only what a fleet's runners
//! share goes in (requirements, targets, indexes, the selection options), never a local path
//! of the runner's own or a credential (index URLs are shown redacted). A manifest only chooses
//! what to fetch early, so an option left out costs a runner time, never an answer.

use std::fmt::Write as _;

use super::settings::ResolveSettings;
use crate::inputs::Manifest;
use crate::remote::ManifestDigest;

/// The manifest digest of resolving `inputs` with `settings`.
pub(super) fn manifest_digest(inputs: &Manifest, settings: &ResolveSettings) -> ManifestDigest {
    let mut text = String::from("pinwheel resolve v1\n");
    for (kind, requirements) in [
        ("requirement", &inputs.requirements),
        ("constraint", &inputs.constraints),
        ("override", &inputs.overrides),
    ] {
        for input in requirements {
            let _ = writeln!(text, "{kind} {}", input.requirement);
        }
    }
    for named in &settings.targets {
        let _ = writeln!(
            text,
            "target {} {}",
            named.target.python(),
            named.target.platform()
        );
    }
    if let Some(universal) = &settings.universal {
        let _ = writeln!(text, "universal {}", universal.requires_python);
    }
    let client = &settings.client;
    for index in &client.indexes {
        let _ = writeln!(text, "index {index}");
    }
    let _ = writeln!(text, "strategy {:?}", client.strategy);
    let selection = &settings.resolve.selection;
    let _ = writeln!(
        text,
        "selection {:?} {:?} {:?}",
        selection.prerelease, selection.exclude_newer, settings.resolve.strategy
    );
    ManifestDigest::of(&text)
}
