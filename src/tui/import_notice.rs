//! The last Bmby file import's problems, kept current while the TUI runs (update side): an
//! `import` run from the CLI beside the TUI (through the owner's socket, or by a process that
//! held the cache for a moment and is heard of as a client command) replaces the stored
//! problems; the TUI reads them again when it hears of a command and, when they belong to a
//! newer import, shows those instead (or clears the notice when the new import had none).

use super::app::App;

impl App {
    /// Reads the stored import problems again; when they are not the ones shown (a newer
    /// import ran), the notice and the message log follow: the new problems are logged and
    /// pinned as at start, or the notice goes when the newer import had none.
    pub(crate) fn refresh_import_problems(&mut self) {
        let stored = crate::sync::import_problems::load(self.store());
        let at = stored.as_ref().map(|p| p.at.clone());
        if at == self.import_problems_at {
            return;
        }
        let old_note = self.import_problems_note.take();
        if old_note.is_some() && self.status.pinned == old_note {
            self.status.pinned = None;
        }
        // With none stored, the newer import read every row: the notice just goes.
        self.import_problems_at = None;
        if stored.is_some() {
            self.note_import_problems();
        }
        self.dirty = true;
    }
}
