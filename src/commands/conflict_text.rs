//! `bmby-ghl changes` in text: a conflict shown three ways, as the TUI's diff shows it (the
//! value when the diff was made, the value GHL holds now, the proposed value), so a person
//! over SSH can decide between approving again and rejecting.

use std::io::Write;

use crate::domain::{Change, ChangeKind, OutboxInfo};
use crate::sanitize::clean_line;

/// Writes the conflict of `c` (its outbox details in `info`, whose `ghl_now` holds GHL's
/// current values by field) under the change's heading line: GHL's reason, then per field
/// `base (when diffed)`, `GHL now` and `proposed` on their own lines (edited values marked),
/// then what approving again would do. Errors: the writer's.
pub(super) fn write_conflict(
    out: &mut impl Write,
    c: &Change,
    info: &OutboxInfo,
) -> std::io::Result<()> {
    if let Some(why) = &info.last_error {
        writeln!(out, "    ⚠ conflict: {}", clean_line(why))?;
    }
    let shown = |v: Option<&str>| {
        v.map(|s| crate::clock::value(&clean_line(s)).into_owned())
            .unwrap_or_else(|| "(empty)".to_owned())
    };
    for f in &c.fields {
        let now = info
            .ghl_now
            .iter()
            .find(|(k, _)| *k == f.field)
            .map(|(_, v)| v.as_deref());
        writeln!(out, "    {}", clean_line(&f.label))?;
        writeln!(
            out,
            "      base (when diffed): {}",
            shown(f.ghl_now.as_deref())
        )?;
        match now {
            Some(v) => writeln!(out, "      GHL now:            {}", shown(v))?,
            None => writeln!(out, "      GHL now:            (not read)")?,
        }
        writeln!(
            out,
            "      proposed:           {}{}",
            shown(f.proposed.as_deref()),
            if f.edited { " (edited)" } else { "" }
        )?;
    }
    let what = if c.kind == ChangeKind::Delete {
        "deletes the contact as GHL has it now"
    } else {
        "writes the proposed values over GHL's current ones"
    };
    writeln!(
        out,
        "    approving again (`bmby-ghl approve {}`) {what}; `bmby-ghl reject {}` keeps GHL's",
        c.id, c.id
    )?;
    Ok(())
}
