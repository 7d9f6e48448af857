//! The one-line editor of a proposed value: text with a cursor (in characters), the field
//! it edits, and the validation error of the last save (shown in its title). Drawn by
//! [`super::edit_view`].

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
}
