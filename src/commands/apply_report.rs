//! What `bmby-ghl apply` prints while it sends: one line per change as it lands (stdout), a
//! progress line redrawn in place on stderr when stderr is a terminal, and the closing summary
//! (what was sent, what failed, what still waits).

use std::io::Write;

use crate::domain::{Change, ChangeState, OutboxInfo};
use crate::sanitize::clean_line;

/// The word a change's state after a send is reported with.
pub(super) fn outcome_word(s: ChangeState) -> &'static str {
    match s {
        ChangeState::Applied => "applied",
        ChangeState::Failed => "failed",
        ChangeState::Conflict => "conflict",
        ChangeState::InFlight => "in_flight",
        // Approved after a send: trouble on the way, or a write-back without a login.
        ChangeState::Approved => "waiting",
        other => other.label(),
    }
}

/// The line for one change that landed: `#id outcome what name (contact) — details`, e.g.
/// `#12 applied update Dana Cohen (abc123)` or `#13 failed create Avi Levi — GHL said: …`.
/// Untrusted text (names, GHL's words) is cleaned to one line.
pub(super) fn change_line(c: &Change, state: ChangeState, info: &OutboxInfo) -> String {
    let mut line = format!(
        "#{} {} {} {}",
        c.id,
        outcome_word(state),
        c.describe(),
        clean_line(&c.display_name)
    );
    if let Some(cid) = info.contact_id.as_ref().or(c.contact_id.as_ref()) {
        line.push_str(&format!(" ({})", clean_line(cid)));
    }
    if state == ChangeState::Applied && !info.dropped_fields.is_empty() {
        line.push_str(&format!(
            " — GHL did not store: {}",
            info.dropped_fields.join(", ")
        ));
    }
    let err = info.last_error.as_deref().map(clean_line);
    match (state, err) {
        (ChangeState::Failed, Some(e)) => line.push_str(&format!(" — GHL said: {e}")),
        (ChangeState::Conflict, Some(e)) => line.push_str(&format!(
            " — {e} (see it three ways: bmby-ghl changes --state conflict)"
        )),
        (ChangeState::InFlight, e) => line.push_str(&format!(
            " — outcome unknown{}; the next apply looks it up before sending anything",
            e.map(|e| format!(" ({e})")).unwrap_or_default()
        )),
        (ChangeState::Approved, Some(e)) => line.push_str(&format!(" — still waits: {e}")),
        _ => {}
    }
    // A create held back because it matches an existing contact: back in review, say why.
    if let (ChangeState::Pending, Some(m)) = (state, &c.matched) {
        line.push_str(&format!(
            " — held for review: {}",
            clean_line(&m.describe())
        ));
    }
    line
}

/// The progress line on stderr, drawn only when stderr is a terminal.
pub(super) struct Progress {
    tty: bool,
    total: usize,
    sent: usize,
    failed: usize,
    conflicts: usize,
    stopping: Option<&'static str>,
}

impl Progress {
    /// A progress line over `total` changes (silent when stderr is not a terminal).
    pub(super) fn new(total: usize) -> Progress {
        Progress {
            tty: super::out::stderr_is_terminal(),
            total,
            sent: 0,
            failed: 0,
            conflicts: 0,
            stopping: None,
        }
    }

    fn text(&self) -> String {
        let mut s = format!("sent {}/{}", self.sent, self.total);
        if self.failed > 0 {
            s.push_str(&format!(", {} failed", self.failed));
        }
        if self.conflicts > 0 {
            s.push_str(&format!(
                ", {} conflict{}",
                self.conflicts,
                if self.conflicts == 1 { "" } else { "s" }
            ));
        }
        if let Some(why) = self.stopping {
            s.push_str(&format!(" — {why}: stopping after the change in flight"));
        }
        s
    }

    /// Clears the progress line (before a line is printed on stdout, or at the end).
    pub(super) fn clear(&self) {
        if self.tty {
            let mut e = super::out::stderr();
            let _ = write!(e, "\r\x1b[2K");
            let _ = e.flush();
        }
    }

    /// Draws the progress line again, in place.
    pub(super) fn draw(&self) {
        if self.tty {
            let mut e = super::out::stderr();
            let _ = write!(e, "\r\x1b[2K{}", self.text());
            let _ = e.flush();
        }
    }

    /// Counts a change that landed in state `s`.
    pub(super) fn landed(&mut self, s: ChangeState) {
        self.sent += 1;
        match s {
            ChangeState::Failed => self.failed += 1,
            ChangeState::Conflict => self.conflicts += 1,
            _ => {}
        }
    }

    /// Notes that a stop was asked for (`why`: `Ctrl-C`, `SIGTERM`).
    pub(super) fn stopping(&mut self, why: &'static str) {
        self.stopping = Some(why);
    }
}

/// `#1, #2, #3` (at most `max` ids, then `…`).
pub(super) fn id_list(ids: &[u64], max: usize) -> String {
    let mut s = ids
        .iter()
        .take(max)
        .map(|i| format!("#{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > max {
        s.push_str(&format!(", … ({} more)", ids.len() - max));
    }
    s
}
