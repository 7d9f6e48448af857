//! The one-line editor of a proposed value: text with a cursor (in characters), the field
//! it edits, and the validation error of the last save (shown in its title).

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthChar;

use crate::tui::app::App;
use crate::tui::text;

/// An open editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditState {
    pub change_id: u64,
    /// The field key (`email`, `customFields.<id>`).
    pub field: String,
    pub label: String,
    pub input: String,
    /// Cursor position in characters (0..=len).
    pub cursor: usize,
    /// Why the last save was refused.
    pub error: Option<String>,
    /// A save was sent and has not come back.
    pub saving: bool,
}

impl EditState {
    pub fn new(change_id: u64, field: &str, label: &str, value: &str) -> EditState {
        let input = text::clean(value);
        EditState {
            change_id,
            field: field.to_owned(),
            label: label.to_owned(),
            cursor: input.chars().count(),
            input,
            error: None,
            saving: false,
        }
    }

    fn byte_at(&self, char_pos: usize) -> usize {
        self.input
            .char_indices()
            .nth(char_pos)
            .map_or(self.input.len(), |(b, _)| b)
    }

    fn len(&self) -> usize {
        self.input.chars().count()
    }

    pub fn insert(&mut self, c: char) {
        if c.is_control() {
            return;
        }
        let b = self.byte_at(self.cursor);
        self.input.insert(b, c);
        self.cursor += 1;
    }

    pub fn delete_back(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            let b = self.byte_at(self.cursor);
            self.input.remove(b);
        }
    }

    pub fn delete_forward(&mut self) {
        if self.cursor < self.len() {
            let b = self.byte_at(self.cursor);
            self.input.remove(b);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.len();
    }

    pub fn clear(&mut self) {
        self.input.clear();
        self.cursor = 0;
    }
}

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

    #[test]
    fn editing_hebrew_by_characters() {
        let mut e = EditState::new(1, "lastName", "Last name", "כהן");
        assert_eq!(e.cursor, 3);
        e.insert('-');
        e.insert('ל');
        e.home();
        e.delete_forward();
        assert_eq!(e.input, "הן-ל");
        e.end();
        e.delete_back();
        assert_eq!(e.input, "הן-");
        e.insert('\u{1b}');
        assert_eq!(e.input, "הן-", "control characters are not typed");
    }

    #[test]
    fn scrolls_to_keep_cursor_visible() {
        let e = EditState::new(1, "email", "Email", "abcdefghijklmnopqrstuvwxyz");
        let spans = input_spans(&e, 10);
        let shown: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(shown, "rstuvwxyz ");
    }
}
