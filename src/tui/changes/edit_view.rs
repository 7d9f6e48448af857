//! Draws the one-line editor of a proposed value ([`super::edit::EditState`]): a 3-line box,
//! the input scrolled so the cursor shows, the validation error or a live date hint in its
//! border.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthChar;

use super::edit::EditState;
use crate::tui::app::App;
use crate::tui::text;

/// The input's spans for `width` cells: scrolled so the cursor is visible, the cursor cell
/// reversed. Text stays in logical order (no bidi reordering).
fn input_spans(e: &EditState, width: usize) -> Vec<Span<'static>> {
    let chars: Vec<char> = e.input.chars().collect();
    let cw = |c: char| UnicodeWidthChar::width(c).unwrap_or(0);
    // Start so that the text before the cursor plus the cursor cell fits.
    let mut start = e.cursor;
    let mut used = 1; // the cursor cell
    while start > 0 && used + cw(chars[start - 1]) <= width {
        start -= 1;
        used += cw(chars[start]);
    }
    let before: String = chars[start..e.cursor].iter().collect();
    let at: String = chars
        .get(e.cursor)
        .map_or(" ".to_owned(), |c| c.to_string());
    let mut rest = String::new();
    let mut w = used - 1 + text::width(&at);
    for &c in chars.iter().skip(e.cursor + 1) {
        if w + cw(c) > width {
            break;
        }
        w += cw(c);
        rest.push(c);
    }
    vec![
        Span::raw(before),
        Span::styled(at, Style::new().add_modifier(Modifier::REVERSED)),
        Span::raw(rest),
    ]
}

/// Draws the editor as a 3-line box at the bottom of `area` (the diff pane).
pub fn render(app: &App, e: &EditState, f: &mut Frame, area: Rect) {
    if area.height < 3 || area.width < 8 {
        return;
    }
    let r = Rect {
        y: area.y + area.height - 3,
        height: 3,
        ..area
    };
    let t = &app.theme;
    let title = match (&e.error, e.saving) {
        (Some(err), _) => format!("! {}", text::clean(err)),
        (None, true) => format!("Edit {} · saving…", text::clean(&e.label)),
        (None, false) => format!("Edit {} · enter save · esc cancel", text::clean(&e.label)),
    };
    let inner_w = r.width.saturating_sub(2) as usize;
    let title = text::truncate(&title, inner_w.saturating_sub(3));
    let mut block = crate::tui::panes::block(title, true, t);
    if e.error.is_some() {
        block = block.border_style(t.error());
    } else if e.field == "dueDate" {
        // Which instant the typed text means, live, before it is saved.
        let (hint, style) = match crate::clock::typed_hint(&e.input) {
            Some(h) => (h, t.ok()),
            None => (
                format!("not a date yet: YYYY-MM-DD HH:MM, {}", crate::clock::ISRAEL),
                t.warn(),
            ),
        };
        let hint = text::truncate(&format!(" {hint} "), inner_w);
        block = block.title_bottom(Line::styled(hint, style).right_aligned());
    }
    f.render_widget(Clear, r);
    let inner = block.inner(r);
    f.render_widget(block, r);
    f.render_widget(
        Paragraph::new(Line::from(input_spans(e, inner.width as usize))),
        inner,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::changes::EditState;

    #[test]
    fn scrolls_to_keep_cursor_visible() {
        let e = EditState::new(1, "email", "Email", "abcdefghijklmnopqrstuvwxyz");
        let spans = input_spans(&e, 10);
        let shown: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(shown, "rstuvwxyz ");
    }
}
