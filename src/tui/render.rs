//! Drawing the whole screen from the state. Read-only.

use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::app::{App, Screen};
use super::changes;
use super::layer::Layer;
use super::{help, layout, panes, status};

/// Draws one frame. Reads `app`, never changes it. Sizes come from the frame, so a frame of
/// any size draws correctly even before [`App::resize`] ran.
pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    let (status_area, footer_area) = match app.screen {
        Screen::Contacts => {
            let a = layout::areas_zoomed(area, app.focus, app.zoom);
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
    // The layers bottom to top, as they have the keyboard: the last drawn is the one keys go
    // to (`App::layers`).
    let main = ratatui::layout::Rect {
        height: area.height.saturating_sub(2),
        ..area
    };
    let mut hand_edit_drawn = false;
    for layer in app.layers() {
        match layer {
            Layer::Journal => {
                if let Some(j) = &app.changes.journal {
                    // Draws its revert question too.
                    changes::journal::render(app, j, f, main);
                }
            }
            Layer::ApproveAllConfirm => {
                if let Some(c) = &app.changes.confirm {
                    changes::confirm::render(app, c, f, main);
                }
            }
            Layer::ChoiceConfirm => {
                if let Some(p) = &app.changes.choice_confirm {
                    changes::confirm::render_choice(app, p, f, main);
                }
            }
            Layer::SendConfirm => {
                if let Some(p) = &app.changes.send_confirm {
                    changes::confirm::render_send(app, p, f, main);
                }
            }
            Layer::HandEditLine | Layer::HandEditConfirm | Layer::HandEditFields => {
                if !hand_edit_drawn {
                    hand_edit_drawn = true;
                    super::edits::render::render(app, f, main);
                }
            }
            Layer::Setup => {
                if let Some(s) = &app.setup {
                    super::setup::setup_view::render(app, s, f, main);
                }
            }
            Layer::Recent => {
                if let Some(v) = &app.recent {
                    super::recent_view::render(app, v, f, main);
                }
            }
            Layer::BulkConfirm => {
                if let Some(q) = &app.bulk_confirm {
                    super::bulk_view::render(app, q, f, main);
                }
            }
            Layer::Palette => super::palette_view::render(app, f, area),
            Layer::Messages => render_messages(app, f, main, app.messages_open.unwrap_or(0)),
            Layer::LocationPicker => super::locations_view::render(app, f, area),
            Layer::Help => help::render(app, f, main),
            Layer::Notice => {
                if let Some(n) = &app.notice {
                    render_notice(app, n, f, area);
                }
            }
            // Drawn with their screen (panes, lists, inline editors and filters).
            Layer::JournalRevertAsk
            | Layer::ValueEdit
            | Layer::ChangesFilter
            | Layer::Diff
            | Layer::ChangesList
            | Layer::ContactsFilter
            | Layer::Contacts
            | Layer::Details
            | Layer::Activity => {}
        }
    }
}

fn render_notice(app: &App, n: &str, f: &mut Frame, area: ratatui::layout::Rect) {
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

pub use super::messages::messages_width;

/// The messages popup's lines (see [`super::messages::message_lines`]).
pub fn message_lines(app: &App, width: usize) -> Vec<super::messages::MessageLine> {
    super::messages::message_lines(&app.messages, width)
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
            if l.error {
                Line::styled(l.text, app.theme.error())
            } else {
                Line::raw(l.text)
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}
