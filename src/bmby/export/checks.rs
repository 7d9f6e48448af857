//! Per-cell checks shared by the csv and xlsx readers: client ids, emails and dates. Each
//! returns why a value is unusable (a sentence fragment for a [`super::RowProblem`]), or
//! `None` when it is fine.

use crate::bmby::normalize::{normalize_email, parse_date};

/// Bmby client ids are whole numbers (`300003`; an xlsx number cell reads as digits too).
/// `None` when `id` is one; otherwise why not.
pub fn client_id_problem(id: &str) -> Option<String> {
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) {
        None
    } else {
        Some(format!("client id {id:?} is not a number"))
    }
}

/// `None` for a well-formed address (see [`crate::bmby::normalize::email::looks_like_email`]);
/// otherwise why it is not.
pub fn email_problem(email: &str) -> Option<String> {
    match normalize_email(email) {
        Some(e) if !e.well_formed => Some(format!("malformed email address {:?}", e.display)),
        _ => None,
    }
}

/// The date shapes whose day/month/year can be read even when the date does not exist.
const DATE_SHAPES: &[&str] = &["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"];

/// `None` for a date (or date and time) that [`parse_date`] reads; otherwise why not: a date
/// that does not exist (`31/02/2026`: "no such date") or text in no known date shape.
pub fn date_problem(value: &str) -> Option<String> {
    if parse_date(value).is_some() {
        return None;
    }
    let head = value.trim().split([' ', 'T']).next().unwrap_or_default();
    let impossible = DATE_SHAPES
        .iter()
        .any(|f| jiff::fmt::strtime::parse(f, head).is_ok_and(|tm| tm.to_date().is_err()));
    Some(if impossible {
        format!("no such date: {value:?}")
    } else {
        format!("not a date: {value:?} (expected YYYY-MM-DD or DD/MM/YYYY, with an optional time)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_emails_and_dates() {
        assert_eq!(client_id_problem("300003"), None);
        assert!(client_id_problem("30a0").is_some());
        assert!(client_id_problem("1.5").is_some());
        assert_eq!(email_problem("a@b.co"), None);
        assert!(email_problem("a@b").is_some());
        assert_eq!(date_problem("28/02/2026"), None);
        assert_eq!(date_problem("2026-02-28 10:00:00"), None);
        assert!(date_problem("31/02/2026")
            .unwrap()
            .starts_with("no such date"));
        assert!(date_problem("2026-02-30 10:00")
            .unwrap()
            .starts_with("no such date"));
        assert!(date_problem("next week").unwrap().starts_with("not a date"));
    }
}
