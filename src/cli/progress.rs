//! Progress on stderr while resolving or downloading: a spinner with the number of requests sent, shown only
//! when stderr is a terminal, `CI` is unset and `--quiet` was not given.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::index::IndexClient;

/// A running spinner; finishes (and disappears) when dropped.
pub struct Progress {
    bar: Option<ProgressBar>,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl Progress {
    /// Starts a spinner that reports `client`'s request count after `doing` ("Resolving"), if
    /// the terminal wants one.
    pub fn start(client: &IndexClient, quiet: bool, doing: &'static str) -> Self {
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
                ticking_bar.set_message(format!("{doing}… {} requests", client.requests_sent()));
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
