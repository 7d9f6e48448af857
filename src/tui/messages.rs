//! The messages popup's text, measured without drawing: every recent status message, newest
//! first, sanitized and wrapped. The renderer draws these lines; the update code counts them
//! (the scroll limit).

/// The text width inside the messages popup for a terminal `cols` wide.
pub fn messages_width(cols: u16) -> usize {
    (cols.saturating_sub(2) as usize).max(1)
}

/// The popup's lines: every message of `messages` (newest first), sanitized and wrapped to
/// `width`, a blank line between messages.
pub fn message_lines(messages: &std::collections::VecDeque<String>, width: usize) -> Vec<String> {
    if messages.is_empty() {
        return vec!["No messages yet.".into()];
    }
    let mut out = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            out.push(String::new());
        }
        for l in super::text::clean_lines(m) {
            out.extend(super::text::wrap(&l, width));
        }
    }
    out
}
