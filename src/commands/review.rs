//! `bmby-ghl approve ID… [--contact GHL_ID | --new]`, `reject ID…`, `reset ID…`: review from
//! the command line, as the TUI's `a`, `x`, `u` and its choice among the candidates of an
//! ambiguous change (`1`–`9`, `n`).

use color_eyre::eyre::Result;

use super::{location, open_store};
use crate::config::{Paths, Settings};
use crate::domain::{Change, ChangeKind};
use crate::store::Store;
use crate::sync::review::{self, ReviewError};

/// What to do to each change named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verb {
    /// Approve. `Some(choice)` settles an ambiguous change first: `Some(GHL id)` one of its
    /// candidates (`--contact`), `None` a new contact (`--new`).
    Approve(Option<Option<String>>),
    Reject,
    /// Back to pending; a settled ambiguous change becomes ambiguous again.
    Reset,
}

/// Runs `verb` on every id; each line says what became of it, refusals go to stderr with what
/// to do instead (for an ambiguous change: how to choose). Exit 1 when any was refused.
pub(super) fn review_cmd(
    paths: &Paths,
    settings: &Settings,
    ids: &[u64],
    verb: Verb,
) -> Result<i32> {
    let loc = location(settings)?;
    let store = open_store(paths, &loc)?;
    if let Verb::Approve(Some(choice)) = &verb {
        let [id] = ids else {
            errln!("--contact and --new settle one ambiguous change: name exactly one change id");
            return Ok(1);
        };
        return choose(&store, *id, choice.as_deref());
    }
    let mut refused = 0;
    for &id in ids {
        let before = store.change(id)?;
        let r = match verb {
            Verb::Approve(_) => review::approve(&store, id),
            Verb::Reject => review::reject(&store, id),
            Verb::Reset => review::reset(&store, id),
        };
        match r {
            Ok(c) => {
                outln!("{}", line(&c));
                if c.kind == ChangeKind::Ambiguous {
                    if before.is_some_and(|b| b.choice.is_some()) {
                        outln!("  the choice is undone: ambiguous again, and any link it moved is back");
                    } else if verb == Verb::Reject {
                        outln!("  it was ambiguous: nothing will be written for it. To choose instead:");
                    }
                    if c.state == crate::domain::ChangeState::Pending || verb == Verb::Reject {
                        for l in how_to_choose(&c) {
                            outln!("  {l}");
                        }
                    }
                }
            }
            Err(e) => {
                refused += 1;
                refusal(&store, id, &e)?;
            }
        }
    }
    if matches!(verb, Verb::Approve(_)) && refused < ids.len() {
        outln!("send them with `bmby-ghl apply`");
    }
    Ok(if refused > 0 { 1 } else { 0 })
}

/// `approve ID --contact GHL_ID` / `--new`: settles the ambiguous change and approves it,
/// telling which links moved.
fn choose(store: &Store, id: u64, contact: Option<&str>) -> Result<i32> {
    match review::approve_choice(store, id, contact) {
        Ok((c, preview)) => {
            outln!("{}", line(&c));
            for n in preview.link_notes() {
                outln!("  warning: {n}");
            }
            outln!(
                "undo the choice with `bmby-ghl reset {id}`; send it with `bmby-ghl apply {id}`"
            );
            Ok(0)
        }
        Err(e) => {
            refusal(store, id, &e)?;
            Ok(1)
        }
    }
}

/// `#4 approved Dana Levi (update)`.
fn line(c: &Change) -> String {
    format!(
        "#{} {} {} ({})",
        c.id,
        c.state_label(),
        crate::sanitize::clean_line(&c.display_name),
        c.describe()
    )
}

/// A refusal on stderr; for an ambiguous change, how to choose.
fn refusal(store: &Store, id: u64, e: &ReviewError) -> Result<()> {
    errln!("#{id}: {e}");
    if matches!(
        e,
        ReviewError::Ambiguous { .. } | ReviewError::NotACandidate { .. }
    ) {
        if let Some(c) = store.change(id)? {
            for l in how_to_choose(&c) {
                errln!("  {l}");
            }
        }
    }
    Ok(())
}

/// The commands that settle an ambiguous change, one per candidate, then `--new`.
fn how_to_choose(c: &Change) -> Vec<String> {
    let mut out: Vec<String> = c
        .candidates
        .iter()
        .map(|x| {
            format!(
                "bmby-ghl approve {} --contact {}   ({}, matched on {})",
                c.id,
                x.contact_id,
                crate::sanitize::clean_line(&x.name),
                x.matched_on
            )
        })
        .collect();
    out.push(format!(
        "bmby-ghl approve {} --new   (a new GHL contact)",
        c.id
    ));
    out
}
