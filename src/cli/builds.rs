//! What `resolve` says about metadata builds: the notes on the interpreter (stderr), each build
//! at `-v`, and the builds running in the progress line.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::build::interpreter::Interpreter;
use crate::build::{BuildReporter, Builder};
use crate::cli::settings::ResolveSettings;
use crate::index::IndexClient;
use crate::registry::Registry;
use crate::target::Target;

/// The reporter of one compilation's builds.
pub struct BuildNotes {
    quiet: bool,
    running: Mutex<Vec<String>>,
}

impl BuildNotes {
    /// What the progress line adds while builds run: `building numpy 1.25.2 (+1)`.
    pub fn status(&self) -> Option<String> {
        let running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        let first = running.first()?;
        Some(match running.len() {
            1 => format!("building {first}"),
            more => format!("building {first} (+{})", more - 1),
        })
    }
}

impl BuildReporter for BuildNotes {
    fn interpreter(&self, interpreter: &Interpreter, target: &Target) {
        tracing::info!(
            "building with {} (Python {})",
            interpreter.path().display(),
            interpreter.version()
        );
        if self.quiet {
            return;
        }
        let (built, wanted) = (interpreter.version(), target.python());
        if (built.major(), built.minor()) != (wanted.major(), wanted.minor()) {
            eprintln!(
                "note: sdists are built with Python {built} ({}) for a Python {}.{} target: a build's metadata can depend on the interpreter (`--python` picks another)",
                interpreter.path().display(),
                wanted.major(),
                wanted.minor(),
            );
        }
        // The libc version hardly matters to metadata; the operating system and the CPU may.
        let (host, wanted) = (interpreter.platform(), target.platform());
        if std::mem::discriminant(host.os()) != std::mem::discriminant(wanted.os())
            || host.arch() != wanted.arch()
        {
            eprintln!(
                "note: sdists are built on {} for a {} target: a build's metadata can depend on the platform",
                interpreter.platform(),
                target.platform(),
            );
        }
    }

    fn started(&self, what: &str) {
        tracing::info!("building {what}");
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(what.to_string());
    }

    fn finished(&self, what: &str, elapsed: Duration) {
        tracing::info!("built {what} in {} ms", elapsed.as_millis());
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(position) = running.iter().position(|name| name == what) {
            running.remove(position);
        }
    }
}

/// The resolver's source for one compilation, and its reporter.
pub fn builder(
    settings: &ResolveSettings,
    client: &IndexClient,
    quiet: bool,
) -> (Builder, Arc<BuildNotes>) {
    let notes = Arc::new(BuildNotes {
        quiet,
        running: Mutex::new(Vec::new()),
    });
    let builder = target_builder(settings, client, &settings.target, &notes);
    (builder, notes)
}

/// The resolver's source for `target`, one of a compilation's targets, reporting to `notes`.
pub fn target_builder(
    settings: &ResolveSettings,
    client: &IndexClient,
    target: &Target,
    notes: &Arc<BuildNotes>,
) -> Builder {
    Builder::new(
        Registry::new(client.clone()),
        settings.build.clone(),
        target.clone(),
        &settings.resolve.selection,
        Arc::clone(notes) as Arc<dyn BuildReporter>,
    )
}
