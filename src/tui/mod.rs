//! Terminal UI (stub until the tui branch lands).
use std::path::PathBuf;

/// What the TUI needs to run.
pub struct TuiContext {
    pub store: crate::store::Store,
    pub jobs: Option<tokio::sync::mpsc::Sender<crate::sync::Job>>,
    pub events: tokio::sync::mpsc::UnboundedReceiver<crate::sync::SyncEvent>,
    pub location_label: String,
    pub user_keymap: Option<PathBuf>,
    pub log_path: PathBuf,
}

/// Runs the TUI until the user quits.
pub async fn run(_ctx: TuiContext) -> color_eyre::Result<()> {
    Ok(())
}

/// The effective keymap as text, or the diagnostics of a user keymap.
pub fn keymap_dump(_user: Option<&std::path::Path>) -> Result<String, String> {
    Ok(String::new())
}
