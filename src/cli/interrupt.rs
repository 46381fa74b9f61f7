//! Ctrl-C for the commands whose work must be undone when stopped: `download` (its partial
//! files) and `resolve` (the build backends it runs, which live in process groups of their own
//! and so do not get the terminal's SIGINT).

/// The exit code of a run stopped by Ctrl-C: 128 + SIGINT, as a shell reports it.
pub(super) const INTERRUPTED: u8 = 130;

/// Completes on Ctrl-C. Never, when the handler cannot be installed: the default one then ends
/// the process as it always did.
pub(super) async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
