//! The command palette: the `:` line (typed arguments, completion) and the `ctrl-p` fuzzy list
//! of every action that applies where it was opened.

use ratatui::layout::Rect;
use ratatui::Frame;

use super::app::{App, Effect};
use super::keymap::KeyCombo;

/// The open palette.
#[derive(Debug, Clone, Default)]
pub struct PaletteState {}

impl App {
    /// Keys while the palette is open.
    pub(crate) fn handle_palette_key(&mut self, _key: KeyCombo) -> Vec<Effect> {
        self.palette = None;
        Vec::new()
    }
}

/// Draws the palette.
pub fn render(_app: &App, _f: &mut Frame, _area: Rect) {}
