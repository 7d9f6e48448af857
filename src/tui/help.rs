//! The help screen, generated from the effective keymap, and the footer's key hints.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::action::Action;
use super::app::{App, Pane, Screen};
use super::changes::ChangesFocus;
use super::keymap::{Context, KeyCombo, Keymap};
use super::theme::Theme;
use crate::domain::ChangeKind;

fn digit(k: KeyCombo) -> Option<u32> {
    k.printable().and_then(|c| c.to_digit(10))
}

/// Keys as text, `, `-separated; a run of three or more consecutive digits is `1-9`.
pub fn keys_text(keys: &[KeyCombo]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < keys.len() {
        if let Some(first) = digit(keys[i]) {
            let mut j = i;
            while j + 1 < keys.len() && digit(keys[j + 1]) == digit(keys[j]).map(|d| d + 1) {
                j += 1;
            }
            if j - i >= 2 {
                parts.push(format!("{first}-{}", first + (j - i) as u32));
                i = j + 1;
                continue;
            }
        }
        parts.push(keys[i].to_string());
        i += 1;
    }
    parts.join(", ")
}

/// Every line of the help screen.
pub fn lines(keymap: &Keymap, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let mut out = vec![
        Line::styled("ctrl-c        Quit (always)", theme.dim()),
        Line::styled(
            "Keys are looked up in the focused pane's table, then Lists, then Everywhere.",
            theme.dim(),
        ),
    ];
    for ctx in Context::ALL {
        let groups = keymap.grouped(*ctx);
        if groups.is_empty() {
            continue;
        }
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!("{} [keys.{}]", ctx.title(), ctx.name()),
            theme.header(),
        ));
        for (action, keys) in groups {
            let desc = action.description();
            let used = 21 + super::text::width(desc) + 2 + action.name().len();
            let room = (width as usize).saturating_sub(21 + 2);
            // A description wider than the screen goes on under itself (0 = no limit).
            let parts = if width == 0 || super::text::width(desc) <= room {
                vec![desc.to_owned()]
            } else {
                super::text::wrap(desc, room.max(10))
            };
            let mut spans = vec![
                Span::styled(format!("  {:<18}", keys_text(&keys)), theme.key()),
                Span::raw(format!(" {}", parts[0])),
            ];
            if parts.len() == 1 && used + 2 <= width as usize {
                spans.push(Span::styled(format!("  {}", action.name()), theme.dim()));
            }
            out.push(Line::from(spans));
            for p in &parts[1..] {
                out.push(Line::raw(format!("{:21}{p}", "")));
            }
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled("Status bar", theme.header()));
    for l in [
        "  12 pending · 3 ✓ · 1 ✗   changes to review · approved · rejected",
        "  · 2 !  · 1 ⚠  · 5 ●      failed · conflict (changed in GHL) · applied",
        "  sending 3/10             a send in progress (ctrl-x stops it)",
        "  API 76/100               requests left in GHL's rate-limit window",
        "  … (m)                    a message cut short: m shows them in full",
        "  Times are Israel time (Asia/Jerusalem).",
    ] {
        out.push(Line::raw(l));
    }
    out
}

/// How many lines the help has at `width` columns (scroll limit).
pub fn line_count(keymap: &Keymap, width: u16) -> usize {
    lines(keymap, &Theme::no_color(), width).len()
}

/// The help overlay over `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let scroll = app.help.unwrap_or(0);
    f.render_widget(Clear, area);
    let block = super::panes::block("Help: keys (esc to close)".into(), true, &app.theme);
    let p = Paragraph::new(lines(&app.keymap, &app.theme, area.width))
        .block(block)
        .scroll((scroll, 0));
    f.render_widget(p, area);
}

/// The one-line key hints for what has the keyboard now.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    let km = &app.keymap;
    let (chain, wanted): (Vec<Context>, &[(Action, &'static str)]) = if app.notice.is_some() {
        return vec![("any key".into(), "continue")];
    } else if app.help.is_some() || app.messages_open.is_some() {
        (
            vec![Context::Help],
            &[(Action::NavDown, "scroll"), (Action::HelpClose, "close")],
        )
    } else if let Some(he) = &app.hand_edit {
        use crate::tui::edits::HandEdit;
        match he {
            HandEdit::Line { .. } => {
                let mut out = vec![("type".to_owned(), "to edit")];
                out.extend(hint_keys(
                    km,
                    &[Context::Edit],
                    &[
                        (Action::EditSave, "save"),
                        (Action::EditCancel, "cancel"),
                        (Action::EditClear, "clear"),
                    ],
                ));
                return out;
            }
            HandEdit::Confirm { .. } => (
                vec![Context::Confirm],
                &[
                    (Action::ConfirmYes, "propose delete"),
                    (Action::ConfirmNo, "cancel"),
                ],
            ),
            HandEdit::Fields { .. } => (
                vec![Context::Contacts, Context::List, Context::Global],
                &[
                    (Action::NavDown, "move"),
                    (Action::OpenContact, "edit"),
                    (Action::Back, "cancel"),
                ],
            ),
        }
    } else if app.bulk_confirm.is_some() {
        (
            vec![Context::Confirm],
            &[
                (Action::ConfirmYes, "propose"),
                (Action::ConfirmNo, "cancel"),
            ],
        )
    } else if app.screen == Screen::Changes {
        return changes_hints(app);
    } else if app.filter.editing {
        (
            vec![Context::Filter, Context::Global],
            &[
                (Action::FilterAccept, "keep"),
                (Action::FilterCancel, "cancel"),
                (Action::FilterDeleteChar, "delete"),
                (Action::FilterClear, "clear"),
            ],
        )
    } else {
        let chain = vec![app.focus.context(), Context::List, Context::Global];
        if app.focus == Pane::Activity {
            return hint_keys(km, &chain, &activity_hints(app.tab));
        }
        let wanted: &[(Action, &'static str)] = match app.focus {
            Pane::Contacts => &[
                (Action::NavDown, "move"),
                (Action::OpenContact, "open"),
                (Action::FilterOpen, "filter"),
                (Action::CycleSort, "sort"),
                (Action::SyncPull, "sync"),
                (Action::ScreenToggle, "changes"),
                (Action::PaneNext, "pane"),
                (Action::ContactEditField, "edit"),
                (Action::HelpToggle, "help"),
                (Action::Quit, "quit"),
            ],
            Pane::Details => &[
                (Action::NavDown, "scroll"),
                (Action::ContactEditField, "edit"),
                (Action::ToggleRaw, "raw JSON"),
                (Action::RefreshContact, "refresh"),
                (Action::Back, "back"),
                (Action::ScreenToggle, "changes"),
                (Action::PaneNext, "pane"),
                (Action::HelpToggle, "help"),
                (Action::Quit, "quit"),
            ],
            // Returned above.
            Pane::Activity => &[],
        };
        (chain, wanted)
    };
    let mut out = Vec::new();
    if app.filter.editing {
        out.push(("type".to_owned(), "to filter"));
    }
    out.extend(hint_keys(km, &chain, wanted));
    out
}

/// The activity pane's hints: the edit keys only where they do something (tasks and notes;
/// completing on the Tasks tab only).
fn activity_hints(tab: crate::tui::app::ActivityTab) -> Vec<(Action, &'static str)> {
    use crate::tui::app::ActivityTab;
    let items = tab != ActivityTab::Appointments;
    [
        (Action::TabNext, "tab", true),
        (
            Action::NavDown,
            if items { "select" } else { "scroll" },
            true,
        ),
        (Action::ActivityNew, "new", items),
        (Action::ActivityEdit, "edit", items),
        (Action::TaskToggleDone, "done", tab == ActivityTab::Tasks),
        (Action::ActivityDelete, "delete", items),
        (Action::Back, "back", true),
        (Action::ScreenToggle, "changes", true),
        (Action::PaneNext, "pane", true),
        (Action::HelpToggle, "help", true),
        (Action::Quit, "quit", true),
    ]
    .into_iter()
    .filter(|(_, _, shown)| *shown)
    .map(|(a, l, _)| (a, l))
    .collect()
}

fn hint_keys(
    km: &Keymap,
    chain: &[Context],
    wanted: &[(Action, &'static str)],
) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (action, label) in wanted {
        let mut keys = km.keys_for(chain, *action);
        // "back" is named by its everywhere key (esc) in every pane, so the panes agree.
        if *action == Action::Back {
            let global = km.keys_for(&[Context::Global], Action::Back);
            if global
                .iter()
                .any(|g| km.lookup(chain, *g) == Some(Action::Back))
            {
                keys = global;
            }
        }
        let Some(first) = keys.first() else { continue };
        let mut k = first.to_string();
        if *action == Action::NavDown {
            if let Some(up) = km.keys_for(chain, Action::NavUp).first() {
                k = format!("{k}/{up}");
            }
        }
        if *action == Action::ChangeResolve {
            k = keys_text(&keys);
        }
        out.push((k, *label));
    }
    out
}

/// The hints of the changes screen, by what has the keyboard and what is selected.
fn changes_hints(app: &App) -> Vec<(String, &'static str)> {
    let cs = &app.changes;
    let chain = app.changes_chain();
    let mut out = Vec::new();
    let sending = app.status.dispatch.is_some();
    let wanted: &[(Action, &'static str)] = if cs.send_confirm.is_some() {
        &[(Action::ConfirmYes, "send"), (Action::ConfirmNo, "cancel")]
    } else if cs.choice_confirm.is_some() {
        // Any other key cancels too.
        &[
            (Action::ConfirmYes, "choose"),
            (Action::ConfirmNo, "cancel"),
        ]
    } else if cs.confirm.is_some() {
        &[
            (Action::ConfirmYes, "approve"),
            (Action::ConfirmNo, "cancel"),
        ]
    } else if cs.journal.as_ref().is_some_and(|j| j.revert_ask.is_some()) {
        &[
            (Action::ConfirmYes, "revert"),
            (Action::ConfirmNo, "cancel"),
        ]
    } else if cs.journal.is_some() {
        if sending {
            out.extend(hint_keys(
                &app.keymap,
                &chain,
                &[(Action::ChangesCancelSend, "stop sending")],
            ));
        }
        &[
            (Action::NavDown, "scroll"),
            (Action::NavPageDown, "page"),
            (Action::JournalRevert, "revert"),
            (Action::JournalClose, "close"),
            (Action::HelpToggle, "help"),
        ]
    } else if cs.edit.is_some() {
        out.push(("type".to_owned(), "to edit"));
        &[
            (Action::EditSave, "save"),
            (Action::EditCancel, "cancel"),
            (Action::EditClear, "clear"),
            (Action::EditHome, "start"),
            (Action::EditEnd, "end"),
        ]
    } else if cs.query_editing {
        out.push(("type".to_owned(), "to filter"));
        &[
            (Action::FilterAccept, "keep"),
            (Action::FilterCancel, "cancel"),
            (Action::FilterDeleteChar, "delete"),
            (Action::FilterClear, "clear"),
        ]
    } else {
        let ambiguous = cs
            .selected_change()
            .is_some_and(|c| c.kind == ChangeKind::Ambiguous);
        if sending {
            out.extend(hint_keys(
                &app.keymap,
                &chain,
                &[(Action::ChangesCancelSend, "stop sending")],
            ));
        }
        match (cs.focus, ambiguous) {
            (ChangesFocus::List, false) => &[
                (Action::NavDown, "move"),
                (Action::ChangeApprove, "approve"),
                (Action::ChangeReject, "reject"),
                (Action::ChangeEdit, "edit"),
                (Action::ChangeApproveAllShown, "all"),
                (Action::ScreenToggle, "contacts"),
                (Action::ChangesCycleState, "show"),
                (Action::ChangeReset, "pending"),
                (Action::FilterOpen, "filter"),
                (Action::PaneNext, "diff"),
                (Action::ChangesSend, "send"),
                (Action::JournalOpen, "journal"),
                (Action::HelpToggle, "help"),
                (Action::Quit, "quit"),
            ],
            (ChangesFocus::Diff, false) => &[
                (Action::NavDown, "field"),
                (Action::ChangeEdit, "edit"),
                (Action::ChangeApprove, "approve"),
                (Action::ChangeReject, "reject"),
                (Action::Back, "list"),
                (Action::ScreenToggle, "contacts"),
                (Action::ChangeReset, "pending"),
                (Action::HelpToggle, "help"),
                (Action::Quit, "quit"),
            ],
            (_, true) => &[
                (Action::ChangeResolve, "choose"),
                (Action::ChangeResolveNew, "new contact"),
                (Action::ChangeReject, "reject"),
                (Action::NavDown, "move"),
                (Action::ScreenToggle, "contacts"),
                (Action::ChangesCycleState, "show"),
                (Action::HelpToggle, "help"),
                (Action::Quit, "quit"),
            ],
        }
    };
    out.extend(hint_keys(&app.keymap, &chain, wanted));
    out
}

fn hints_width(h: &[(String, &str)]) -> usize {
    h.iter()
        .map(|(k, l)| super::text::width(k) + 1 + super::text::width(l))
        .sum::<usize>()
        + 2 * h.len().saturating_sub(1)
}

/// The hints that fit in `width` cells: the least important (just before help and quit)
/// are dropped first.
pub fn fitted_hints(app: &App, width: usize) -> Vec<(String, &'static str)> {
    let mut h = hints(app);
    while hints_width(&h) > width && h.len() > 1 {
        let keep_tail = h
            .iter()
            .rev()
            .take_while(|(_, l)| *l == "help" || *l == "quit")
            .count();
        if h.len() > keep_tail {
            h.remove(h.len() - keep_tail - 1);
        } else {
            h.pop();
        }
    }
    h
}

/// Draws the hint line.
pub fn render_footer(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut spans = Vec::new();
    for (i, (k, label)) in fitted_hints(app, area.width as usize)
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(k, t.key()));
        spans.push(Span::raw(format!(" {label}")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
