//! Drawing the whole screen from the state. Read-only.

use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::app::{App, Screen};
use super::changes;
use super::{help, layout, panes, status};

/// Draws one frame. Reads `app`, never changes it. Sizes come from the frame, so a frame of
/// any size draws correctly even before [`App::resize`] ran.
pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    let (status_area, footer_area) = match app.screen {
        Screen::Contacts => {
            let a = layout::areas(area, app.focus);
            if let Some(r) = a.contacts {
                panes::contacts::render(app, f, r);
            }
            if let Some(r) = a.details {
                panes::details::render(app, f, r);
            }
            if let Some(r) = a.activity {
                panes::activity::render(app, f, r);
            }
            (a.status, a.footer)
        }
        Screen::Changes => {
            let a = app.changes_areas(area);
            if let Some(r) = a.list {
                changes::list::render(app, f, r);
            }
            if let Some(r) = a.diff {
                changes::diff::render(app, f, r);
            }
            (a.status, a.footer)
        }
    };
    status::render(app, f, status_area);
    help::render_footer(app, f, footer_area);
    if app.screen == Screen::Changes {
        let main = ratatui::layout::Rect {
            height: area.height.saturating_sub(2),
            ..area
        };
        if let Some(j) = &app.changes.journal {
            changes::journal::render(app, j, f, main);
        }
        if let Some(c) = &app.changes.confirm {
            changes::confirm::render(app, c, f, main);
        }
        if let Some(p) = &app.changes.choice_confirm {
            changes::confirm::render_choice(app, p, f, main);
        }
        if let Some(p) = &app.changes.send_confirm {
            changes::confirm::render_send(app, p, f, main);
        }
    }
    if app.screen == Screen::Contacts && app.hand_edit.is_some() {
        let main = ratatui::layout::Rect {
            height: area.height.saturating_sub(2),
            ..area
        };
        super::edits::render(app, f, main);
    }
    if let Some(q) = &app.bulk_confirm {
        let main = ratatui::layout::Rect {
            height: area.height.saturating_sub(2),
            ..area
        };
        super::bulk::render(app, q, f, main);
    }
    if let Some(scroll) = app.messages_open {
        let r = ratatui::layout::Rect {
            height: area.height.saturating_sub(2),
            ..area
        };
        render_messages(app, f, r, scroll);
    }
    if app.locations.picker.is_some() {
        super::locations::render_picker(app, f, area);
    }
    if app.help.is_some() {
        let r = ratatui::layout::Rect {
            height: area.height.saturating_sub(2),
            ..area
        };
        help::render(app, f, r);
    }
    if let Some(n) = &app.notice {
        let w = area.width.saturating_sub(4).min(76);
        let lines: Vec<Line> = n
            .split('\n')
            .map(|l| Line::raw(super::text::clean(l)))
            .collect();
        let inner_w = w.saturating_sub(2).max(1) as usize;
        let h: usize = lines
            .iter()
            .map(|l| l.width().max(1).div_ceil(inner_w))
            .sum::<usize>()
            + 2;
        let r = layout::centered(area, w, h.min(u16::MAX as usize) as u16);
        f.render_widget(Clear, r);
        let block = panes::block("Notice".into(), true, &app.theme).border_style(app.theme.error());
        f.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false }),
            r,
        );
    }
}

/// The text width inside the messages popup for a terminal `cols` wide.
pub fn messages_width(cols: u16) -> usize {
    (cols.saturating_sub(2) as usize).max(1)
}

/// The messages popup's lines: every recent message, newest first, sanitized and wrapped to
/// `width`, a blank line between messages.
pub fn message_lines(app: &App, width: usize) -> Vec<String> {
    if app.messages.is_empty() {
        return vec!["No messages yet.".into()];
    }
    let mut out = Vec::new();
    for (i, m) in app.messages.iter().enumerate() {
        if i > 0 {
            out.push(String::new());
        }
        for l in super::text::clean_lines(m) {
            out.extend(super::text::wrap(&l, width));
        }
    }
    out
}

fn render_messages(app: &App, f: &mut Frame, area: ratatui::layout::Rect, scroll: u16) {
    f.render_widget(Clear, area);
    let block = panes::block(
        "Messages, newest first (esc to close)".into(),
        true,
        &app.theme,
    );
    let lines: Vec<Line> = message_lines(app, messages_width(area.width))
        .into_iter()
        .map(|l| {
            if l.starts_with("! ") {
                Line::styled(l, app.theme.error())
            } else {
                Line::raw(l)
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}
