//! The help screen, generated from the effective keymap, and the footer's key hints.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::action::Action;
use super::app::{App, Pane};
use super::keymap::{Context, KeyCombo, Keymap};
use super::theme::Theme;

fn keys_text(keys: &[KeyCombo]) -> String {
    keys.iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join(", ")
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
            let mut spans = vec![
                Span::styled(format!("  {:<18}", keys_text(&keys)), theme.key()),
                Span::raw(format!(" {}", action.description())),
            ];
            let used = 21 + action.description().len() + 2 + action.name().len();
            if used + 2 <= width as usize {
                spans.push(Span::styled(format!("  {}", action.name()), theme.dim()));
            }
            out.push(Line::from(spans));
        }
    }
    out
}

/// How many lines the help has (scroll limit).
pub fn line_count(keymap: &Keymap) -> usize {
    lines(keymap, &Theme::no_color(), 0).len()
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
    } else if app.help.is_some() {
        (
            vec![Context::Help],
            &[(Action::NavDown, "scroll"), (Action::HelpClose, "close")],
        )
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
        let wanted: &[(Action, &'static str)] = match app.focus {
            Pane::Contacts => &[
                (Action::NavDown, "move"),
                (Action::OpenContact, "open"),
                (Action::FilterOpen, "filter"),
                (Action::CycleSort, "sort"),
                (Action::SyncPull, "sync"),
                (Action::PaneNext, "pane"),
                (Action::HelpToggle, "help"),
                (Action::Quit, "quit"),
            ],
            Pane::Details => &[
                (Action::NavDown, "scroll"),
                (Action::ToggleRaw, "raw JSON"),
                (Action::RefreshContact, "refresh"),
                (Action::Back, "back"),
                (Action::PaneNext, "pane"),
                (Action::HelpToggle, "help"),
                (Action::Quit, "quit"),
            ],
            Pane::Activity => &[
                (Action::TabNext, "tab"),
                (Action::NavDown, "scroll"),
                (Action::Back, "back"),
                (Action::PaneNext, "pane"),
                (Action::HelpToggle, "help"),
                (Action::Quit, "quit"),
            ],
        };
        (chain, wanted)
    };
    let mut out = Vec::new();
    if app.filter.editing {
        out.push(("type".to_owned(), "to filter"));
    }
    for (action, label) in wanted {
        let keys = km.keys_for(&chain, *action);
        let Some(first) = keys.first() else { continue };
        let mut k = first.to_string();
        if *action == Action::NavDown {
            if let Some(up) = km.keys_for(&chain, Action::NavUp).first() {
                k = format!("{k}/{up}");
            }
        }
        out.push((k, *label));
    }
    out
}

/// Draws the hint line.
pub fn render_footer(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut spans = Vec::new();
    for (i, (k, label)) in hints(app).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(k, t.key()));
        spans.push(Span::raw(format!(" {label}")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
