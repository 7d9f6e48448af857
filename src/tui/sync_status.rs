//! What the status bar keeps of the pulls (update side): a failed pull's error and time (the
//! bar then says `last sync failed 12:03`, cleared by the next pull that succeeds, see
//! [`App::handle_event`]), and the users refreshed with each pull (names of owners, assignees
//! and followers).

use super::app::App;

impl App {
    /// A pull failed: its error goes to the status bar (before the counters) until a pull
    /// succeeds, and the sync segment says when it failed.
    pub(crate) fn pull_failed(&mut self, message: String) {
        // Short: the sync segment already says that the sync failed.
        let e = format!("pull: {message}");
        self.status.error = Some(e.clone());
        self.status.pull_error = Some(e);
        self.status.pull_failed_at = Some(self.now());
        // A failed pull sends no more progress; a running one re-reports it.
        self.status.pull = None;
        self.status.busy = false;
    }

    /// The users were refreshed after a pull: names are read afresh. A failure (a missing
    /// `users.readonly` scope) is said once in the status line and the message log, not on
    /// every pull; ids the cache cannot name show as `unknown user (id <id>)`.
    pub(crate) fn users_loaded(&mut self, count: Result<usize, String>) {
        match count {
            Ok(_) => {
                self.users = crate::sync::ops::cached_users(self.store());
                self.status.users_error = None;
            }
            Err(e) => {
                if self.status.users_error.as_deref() != Some(e.as_str()) {
                    self.background_news(format!("users not loaded (owners show as ids): {e}"));
                    self.status.users_error = Some(e);
                }
            }
        }
    }
}
