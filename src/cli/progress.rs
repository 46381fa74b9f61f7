//! Progress on stderr while resolving or checking: a spinner with the number of requests sent, shown only
//! when stderr is a terminal, `CI` is unset and `--quiet` was not given.

use std::io::IsTerminal as _;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::builds::BuildNotes;
use crate::index::IndexClient;

/// A running spinner; finishes (and disappears) when dropped.
pub struct Progress {
    bar: Option<ProgressBar>,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl Progress {
    /// Starts a spinner that shows `activity` (`Resolving`), `client`'s request count and the
    /// builds running, if the terminal wants one.
    pub fn start(
        client: &IndexClient,
        quiet: bool,
        activity: &'static str,
        builds: Option<Arc<BuildNotes>>,
    ) -> Self {
        let wanted = !quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        if !wanted {
            return Self {
                bar: None,
                ticker: None,
            };
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(80));
        let (ticking_bar, client) = (bar.clone(), client.clone());
        let ticker = tokio::spawn(async move {
            loop {
                let building = builds
                    .as_ref()
                    .and_then(|builds| builds.status())
                    .map(|status| format!(", {status}"))
                    .unwrap_or_default();
                ticking_bar.set_message(format!(
                    "{activity}… {} requests{building}",
                    client.requests_sent()
                ));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        Self {
            bar: Some(bar),
            ticker: Some(ticker),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(ticker) = self.ticker.take() {
            ticker.abort();
        }
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
