//! The messages popup's text, measured without drawing: every recent status message, newest
//! first, each with when it was said (Israel time, `HH:MM:SS`), sanitized and wrapped (a long
//! URL is broken across lines, never cut). The same message said again (a pull's summary
//! every 10 s in the demo) is one line, moved to the top, counted `×12`, so an import problem
//! is not buried under them. The renderer draws these lines; the update code counts them (the
//! scroll limit).

use std::collections::VecDeque;

/// One message in the log: its text, when it was last said and how many times in a row of
/// the log it was said (see [`log`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedMessage {
    /// What was said (raw: sanitized when shown). An error starts with `! `.
    pub text: String,
    /// When it was (last) said.
    pub at: jiff::Timestamp,
    /// How many times it was said while in the log (1 the first time).
    pub times: u32,
}

impl std::ops::Deref for LoggedMessage {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl PartialEq<str> for LoggedMessage {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for LoggedMessage {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl PartialEq<String> for LoggedMessage {
    fn eq(&self, other: &String) -> bool {
        self.text == *other
    }
}

/// Adds `text` said `at` to the front of `log` (newest first), keeping at most `keep`: the
/// same text already in the log is taken out and counted (OUR CHOICE: identical messages
/// collapse wherever they are, so repeated routine news never pushes an older, different
/// message out of sight).
pub fn log(log: &mut VecDeque<LoggedMessage>, text: String, at: jiff::Timestamp, keep: usize) {
    // A pull's summary differs from the last one by its counts: the latest stands for all of
    // them, counted, so a pull every few seconds does not bury an import's problems.
    let same = |m: &LoggedMessage| m.text == text || (pull_summary(&m.text) && pull_summary(&text));
    let times = match log.iter().position(same) {
        Some(i) => log.remove(i).map_or(1, |m| m.times + 1),
        None => 1,
    };
    log.push_front(LoggedMessage { text, at, times });
    log.truncate(keep);
}

/// A pull's one-line summary (`crate::sync::PullSummary::describe`: `incremental pull: 2
/// contacts in 1 page…`, `full pull: …`).
fn pull_summary(text: &str) -> bool {
    text.starts_with("incremental pull: ") || text.starts_with("full pull: ")
}

/// The text width inside the messages popup for a terminal `cols` wide.
pub fn messages_width(cols: u16) -> usize {
    (cols.saturating_sub(2) as usize).max(1)
}

/// The columns of the time before each message (`14:00:05 `).
const TIME_COLS: usize = 9;

/// `14:00:05` (Israel time).
fn time_text(at: jiff::Timestamp) -> String {
    at.to_zoned(crate::clock::israel().clone())
        .strftime("%H:%M:%S")
        .to_string()
}

/// One line of the popup: its text, and whether it belongs to an error (drawn in the error
/// colour).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageLine {
    pub text: String,
    pub error: bool,
}

/// The popup's lines: every message of `messages` (newest first), each starting with its time
/// and ending with `×N` when said N > 1 times, sanitized and wrapped to `width` (continuation
/// lines indented under the text), a blank line between messages.
pub fn message_lines(messages: &VecDeque<LoggedMessage>, width: usize) -> Vec<MessageLine> {
    if messages.is_empty() {
        return vec![MessageLine {
            text: "No messages yet.".into(),
            error: false,
        }];
    }
    let indent = if width > TIME_COLS + 10 { TIME_COLS } else { 0 };
    let mut out = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            out.push(MessageLine {
                text: String::new(),
                error: false,
            });
        }
        let error = m.text.starts_with("! ");
        let mut body = Vec::new();
        let cleaned = super::text::clean_lines(&m.text);
        let n = cleaned.len();
        for (j, mut l) in cleaned.into_iter().enumerate() {
            if j + 1 == n && m.times > 1 {
                l.push_str(&format!("  ×{}", m.times));
            }
            body.extend(super::text::wrap(&l, width - indent));
        }
        let time = time_text(m.at);
        for (j, l) in body.into_iter().enumerate() {
            let text = match (j, indent) {
                (0, 0) => {
                    out.push(MessageLine {
                        text: time.clone(),
                        error,
                    });
                    l
                }
                (0, _) => format!("{time} {l}"),
                _ => format!("{}{l}", " ".repeat(indent)),
            };
            out.push(MessageLine { text, error });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_repeated_message_is_one_line_counted_and_moved_to_the_top() {
        let mut l = VecDeque::new();
        log(
            &mut l,
            "! import: row 7".into(),
            at("2025-01-01T12:00:00Z"),
            50,
        );
        for s in 10..13 {
            let t = at("2025-01-01T12:00:00Z") + jiff::SignedDuration::from_secs(s);
            log(&mut l, "incremental pull: 0 contacts".into(), t, 50);
        }
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].times, 3);
        assert_eq!(l[0], "incremental pull: 0 contacts");
        let lines = message_lines(&l, 60);
        // Israel time (UTC+2 in January), the count at the end, the error's lines marked.
        assert_eq!(lines[0].text, "14:00:12 incremental pull: 0 contacts  ×3");
        assert!(!lines[0].error);
        assert_eq!(lines[2].text, "14:00:00 ! import: row 7");
        assert!(lines[2].error);
    }

    /// Pull summaries with different counts are one line, the latest text, counted; other
    /// messages stay (found by a newcomer: the import's problems were pushed out of `m`).
    #[test]
    fn pull_summaries_with_different_counts_are_one_line() {
        let mut l = VecDeque::new();
        let t = at("2025-01-01T12:00:00Z");
        log(&mut l, "! import: row 7".into(), t, 3);
        for n in 0..10 {
            let text = format!("incremental pull: {n} contacts in 1 page, 17 already up to date");
            log(&mut l, text, t, 3);
        }
        log(&mut l, "full pull: 540 contacts in 2 pages".into(), t, 3);
        assert_eq!(l.len(), 2, "{l:?}");
        assert_eq!(l[0], "full pull: 540 contacts in 2 pages");
        assert_eq!(l[0].times, 11);
        assert_eq!(l[1], "! import: row 7");
    }

    #[test]
    fn a_long_word_wraps_under_the_text_and_nothing_is_cut() {
        let mut l = VecDeque::new();
        let url = format!("https://app.example/{}", "x".repeat(120));
        log(
            &mut l,
            format!("copied {url}"),
            at("2025-07-01T09:00:00Z"),
            50,
        );
        let lines = message_lines(&l, 40);
        assert!(lines
            .iter()
            .all(|m| super::super::text::width(&m.text) <= 40));
        let joined: String = lines.iter().map(|m| m.text.trim_start()).collect();
        assert!(joined.contains(&url), "{lines:?}");
        assert!(lines[1].text.starts_with("         "), "{lines:?}");
    }

    #[test]
    fn the_log_keeps_at_most_keep() {
        let mut l = VecDeque::new();
        for i in 0..10 {
            log(&mut l, format!("m{i}"), at("2025-01-01T12:00:00Z"), 5);
        }
        assert_eq!(l.len(), 5);
        assert_eq!(l[0], "m9");
    }
}
