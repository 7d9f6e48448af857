//! Status-bar messages and their priority (update side).
//!
//! Four kinds of message share the status bar, each with a [`Priority`]: an error (a failed
//! action or read), the news of the user's own action (`Status::info`: `sorted by name`,
//! `pull requested`), a pinned notice the user must read (`Status::pinned`: the last import's
//! problems) and routine news from background work (`Status::news`: a pull's summary, another
//! session's action). When the bar is too narrow for all of them, the fitting rule
//! (`status::fitted_segments`) lets the least important give way first: routine news, then
//! a retry notice, the cache's age, a pinned notice, the user's own news; the most important
//! message present is never dropped, only cut (`… (m)`, the whole text is in the messages).
//!
//! An error does not stay for ever: it clears when the user's next action succeeds (says
//! something that is not an error, see `App::note_messages`) or after
//! [`ERROR_SHOWN_FOR`] (`App::expire_messages`, called on the session's periodic tick).

use super::app::App;

/// How much a status message matters; higher outranks lower when the bar is too narrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// Background news: a pull's summary, another session's or command's action.
    Routine,
    /// A retry in progress (`retrying … in 2.0s`).
    Retry,
    /// A notice to read (the last import's problems), kept until the messages are opened.
    Pinned,
    /// The result of the user's own action.
    Own,
    /// Something failed.
    Error,
}

/// How long the news of the user's own action is kept from routine news (OUR CHOICE: long
/// enough to read a short answer; a newer action of the user's replaces it at once).
pub const OWN_NEWS_KEPT: jiff::SignedDuration = jiff::SignedDuration::from_secs(5);

/// How long an error stays in the status bar when nothing replaces it (OUR CHOICE: long
/// enough to read, short enough that a session left open does not show an old failure as
/// current; the message log `m` keeps it).
pub const ERROR_SHOWN_FOR: jiff::SignedDuration = jiff::SignedDuration::from_secs(60);

impl App {
    /// Clears an error shown for [`ERROR_SHOWN_FOR`] or longer (by the app's clock). Returns
    /// whether the bar changed (the caller redraws). A pull's error goes too; the sync
    /// segment keeps saying `last sync failed HH:MM` until a pull succeeds.
    pub fn expire_messages(&mut self) -> bool {
        let Some(at) = self.status.error_at else {
            return false;
        };
        if self.status.error.is_none() {
            self.status.error_at = None;
            return false;
        }
        if self.now().duration_since(at) < ERROR_SHOWN_FOR {
            return false;
        }
        self.status.error = None;
        self.status.error_at = None;
        self.dirty = true;
        true
    }
}
