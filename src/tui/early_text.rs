//! The text of the early frame (issue 14): what a start shows before the cache is open, from
//! the head of the list snapshot ([`crate::store::list_snapshot::read_head`]): the location,
//! the first contacts by name, how many there are, and that the cache is opening. Drawn by
//! `early_view.rs`; the real first frame replaces it once the cache is open.

use super::look::{Look, TextLine};
use super::text::clean;
use crate::store::list_snapshot::SnapshotHead;

/// What the early frame says while a cache from an older bmby-ghl is migrated and compacted.
pub const UPGRADING: &str = "upgrading the cache once (about a minute a million)…";

/// The lines of the early frame for a screen of `height` rows: a title, the first rows of
/// the list (as many as fit), and a status line last: the cache is opening, or being upgraded
/// when `upgrading` ([`crate::store::upgrade_likely`]). Every value is sanitized.
pub fn early_lines(
    label: &str,
    head: &SnapshotHead,
    height: u16,
    upgrading: bool,
) -> Vec<TextLine> {
    let mut out = vec![TextLine::whole(
        format!("bmby-ghl · {}", clean(label)),
        Look::Header,
    )];
    let room = usize::from(height).saturating_sub(2);
    for r in head.rows.iter().take(room) {
        let name = if r.name.is_empty() {
            "(no name)".to_owned()
        } else {
            clean(r.name)
        };
        out.push(TextLine::Pieces(vec![
            (format!("  {name}"), Look::Plain),
            (format!("  {}", clean(r.email)), Look::Dim),
            (format!("  {}", clean(r.phone)), Look::Dim),
        ]));
    }
    while out.len() + 1 < usize::from(height) {
        out.push(TextLine::raw(""));
    }
    let n = head.count;
    out.push(TextLine::whole(
        format!(
            "{} contact{} · {}",
            crate::tui::panes::contacts::thousands(n as usize),
            if n == 1 { "" } else { "s" },
            if upgrading {
                UPGRADING
            } else {
                "opening the cache…"
            }
        ),
        Look::Dim,
    ));
    out
}
