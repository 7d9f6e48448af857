//! Email addresses: trimmed and kept as written; a lowercase key for matching; obviously
//! malformed addresses flagged, never dropped.

use super::text::clean_one_line;

/// A normalized email field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The address as written after [`clean_one_line`] (trimmed; a leading `mailto:` kept).
    pub display: String,
    /// Lowercased `display`, with a leading `mailto:` removed: the form to match/dedupe on.
    pub key: String,
    /// False for obviously malformed addresses; see [`looks_like_email`].
    pub well_formed: bool,
}

/// A shape check, not RFC 5322: exactly one `@`, a non-empty local part, a domain with a dot
/// whose labels are non-empty, and no whitespace, `,`, `;`, `<` or `>` anywhere.
pub fn looks_like_email(s: &str) -> bool {
    if s.chars()
        .any(|c| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>'))
    {
        return false;
    }
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && domain.split('.').all(|l| !l.is_empty())
}

/// Normalizes an email field; `None` for empty input.
pub fn normalize_email(raw: &str) -> Option<Email> {
    let display = clean_one_line(raw)?;
    let lower = display.to_lowercase();
    let key = lower
        .strip_prefix("mailto:")
        .map(str::to_owned)
        .unwrap_or(lower);
    let well_formed = looks_like_email(&key);
    Some(Email {
        display,
        key,
        well_formed,
    })
}
