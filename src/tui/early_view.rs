//! The early frame (issue 14): drawn before the cache is open, so a start with a million
//! cached contacts shows the location, the first contacts and their count at once instead of
//! after sled's open (about half a second at a million). Lines from `early_text.rs`.

use std::io;
use std::path::Path;

use ratatui::backend::CrosstermBackend;
use ratatui::widgets::Paragraph;
use ratatui::{Frame, Terminal};

use super::early_text::early_lines;
use super::terminal::TerminalGuard;
use super::Theme;
use crate::store::list_snapshot::{read_head, SnapshotHead};

/// Draws the early frame of `head` into `f`; `upgrading`: the cache is being migrated
/// ([`crate::store::upgrade_likely`]).
pub fn render_early(
    label: &str,
    head: &SnapshotHead,
    upgrading: bool,
    theme: &Theme,
    f: &mut Frame,
) {
    let area = f.area();
    let lines: Vec<_> = early_lines(label, head, area.height, upgrading)
        .iter()
        .map(|l| l.to_line(theme))
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}

/// Enters TUI mode and draws the early frame from the list snapshot beside the cache at
/// `cache` (`…/cache.sled`), when there is a readable one and stdout is a terminal. The guard
/// keeps TUI mode on until the UI proper has entered it too (entering again is harmless);
/// `None` when nothing was drawn. Never an error: the early frame is a nicety.
pub fn show(cache: &Path, label: &str) -> Option<TerminalGuard> {
    use std::io::IsTerminal;
    if !io::stdout().is_terminal() {
        return None;
    }
    let head = read_head(&cache.with_extension("list")).ok()?;
    let upgrading = crate::store::upgrade_likely(cache);
    let guard = TerminalGuard::enter().ok()?;
    let mut term = Terminal::new(CrosstermBackend::new(io::stdout())).ok()?;
    let theme = Theme::from_env();
    term.draw(|f| render_early(label, &head, upgrading, &theme, f))
        .ok()?;
    Some(guard)
}
