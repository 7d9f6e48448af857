//! Warnings a match itself deserves, put on the proposed change so a reviewer sees them.
//!
//! A Bmby client matched to a GHL contact *only by phone*, whose name and email both differ
//! from the contact's, is proposed as an update of that contact — which renames it. That is
//! what matching by phone means (one person's number, written differently), but it is also
//! what a shared phone (family, an office line) looks like, and approving it by mistake
//! overwrites another person. Such a change carries a warning naming both sides.

use super::diff::ClientView;
use super::matching::{phone_for_people, phone_key};
use crate::domain::Contact;

/// The warning for a match found only by phone (`by == "phone"`) when the client's name and
/// email both differ from the contact's (each present on both sides; names compared ignoring
/// case and spacing, emails case-folded); `None` otherwise. Text:
/// `matched to GHL contact X (Dana Cohen, dana@x.com) only by phone 050-1234567; the name
/// (Avi Levi) and the email (avi@y.com) differ: check it is the same person before approving`.
pub fn phone_only_warning(view: &ClientView, contact: &Contact, by: &str) -> Option<String> {
    if by != "phone" {
        return None;
    }
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let contact_name = contact.display_name();
    let names_differ = !view.display_name.trim().is_empty()
        && !contact_name.trim().is_empty()
        && norm(&view.display_name) != norm(&contact_name);
    let contact_email = contact.email.as_deref().map(str::trim).unwrap_or("");
    let client_email = view.email.as_deref().map(str::trim).unwrap_or("");
    let emails_differ = !contact_email.is_empty()
        && !client_email.is_empty()
        && contact_email.to_lowercase() != client_email.to_lowercase();
    if !(names_differ && emails_differ) {
        return None;
    }
    let contact_phone = contact.phone.as_deref().map(phone_key);
    let phone = view
        .phones_e164
        .iter()
        .find(|p| contact_phone.as_deref() == Some(phone_key(p).as_str()))
        .or(view.phones_e164.first())
        .map(|p| format!(" {}", phone_for_people(p)))
        .unwrap_or_default();
    let clean = crate::sanitize::clean_line;
    Some(format!(
        "matched to GHL contact {} ({}, {}) only by phone{phone}; the name ({}) and the email ({}) differ: check it is the same person before approving",
        clean(&contact.id),
        clean(&contact_name),
        clean(contact_email),
        clean(&view.display_name),
        clean(client_email),
    ))
}
