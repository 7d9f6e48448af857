//! Review actions on stored changes: approve, reject, back to pending, edit a proposed value,
//! settle an ambiguous match. Each writes the change and flushes before returning.
//!
//! Settling an ambiguous change ([`resolve`]) is a person's choice among its candidates (or a
//! new contact), previewed first ([`choice_preview`]: the candidate, what it matched on, and
//! any Bmby client already linked to it). The link of the Bmby client moves when the choice is
//! made, so the next import matches the client to the chosen contact instead of asking again;
//! what the choice replaced is kept on the change
//! ([`AmbiguousChoice`](crate::domain::AmbiguousChoice)) until it is sent, and [`reset`] (back
//! to pending) makes the change ambiguous again and puts every link back (`review/choice.rs`).
//!
//! A withdrawn hand edit ([`Change::is_withdrawn`]) has nothing to write: it can be neither
//! approved nor put back to pending.

mod choice;

use super::diff::{ghl_value, same};
use crate::domain::{Change, ChangeKind, ChangeState};
use crate::store::{Store, StoreError};

pub use choice::{
    approve_choice, can_resolve, choice_preview, list_candidates, resolve, ChoicePreview,
};

/// Why a review action was refused. Messages name the change and the field.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("change {0} does not exist")]
    NoSuchChange(u64),
    /// An ambiguous change cannot be approved before a person chooses; `candidates` lists
    /// them (`1. name (id, by email); 2. …`).
    #[error("change {id} ({name}) matches several GHL contacts ({candidates}); choose one (or a new contact) before approving")]
    Ambiguous {
        id: u64,
        name: String,
        candidates: String,
    },
    /// Choosing a contact (or a new one) for a change that is not ambiguous.
    #[error("change {id} is {kind}, not ambiguous: there is nothing to choose")]
    NotAmbiguous { id: u64, kind: &'static str },
    /// Choosing again for an ambiguous change already settled (`on` names the choice).
    #[error("change {id} was settled already ({on}); put it back to pending first (u, or `bmby-ghl reset {id}`) to choose again")]
    AlreadyChosen { id: u64, on: String },
    /// A hand edit set back to GHL's values: nothing is left to write.
    #[error("change {id} was withdrawn (every field was set back to GHL's value): nothing to {action}; edit the contact again to propose a new change")]
    Withdrawn { id: u64, action: &'static str },
    #[error("change {id} is {state}; it cannot be {action} (only changes not yet sent can)")]
    WrongState {
        id: u64,
        state: &'static str,
        action: &'static str,
    },
    #[error("change {id} has no field {field}")]
    NoSuchField { id: u64, field: String },
    #[error("change {id}, field {field}: {message}")]
    Invalid {
        id: u64,
        field: String,
        message: String,
    },
    /// A value typed for a hand edit was refused (no change exists yet).
    #[error("{field}: {message}")]
    Value { field: String, message: String },
    /// `candidates` lists the ones there are (`1. name (id, by email); 2. …`).
    #[error("change {id}: {contact} is not one of its candidates ({candidates})")]
    NotACandidate {
        id: u64,
        contact: String,
        candidates: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn load(store: &Store, id: u64) -> Result<Change, ReviewError> {
    store.change(id)?.ok_or(ReviewError::NoSuchChange(id))
}

fn save(store: &Store, mut c: Change) -> Result<Change, ReviewError> {
    c.updated_at = jiff::Timestamp::now().to_string();
    store.put_change(&c)?;
    store.flush()?;
    Ok(c)
}

/// Whether [`approve`] would take `c` as it is (pure: reads nothing else). Errors as
/// [`approve`]'s: ambiguous, withdrawn, or a state that cannot be approved (applied, in
/// flight, cancelled).
pub fn can_approve(c: &Change) -> Result<(), ReviewError> {
    let id = c.id;
    if c.kind == ChangeKind::Ambiguous {
        return Err(ReviewError::Ambiguous {
            id,
            candidates: list_candidates(c),
            name: crate::sanitize::clean_line(&c.display_name),
        });
    }
    if c.is_withdrawn() {
        return Err(ReviewError::Withdrawn {
            id,
            action: "approve",
        });
    }
    match c.state {
        ChangeState::Pending
        | ChangeState::Approved
        | ChangeState::Rejected
        | ChangeState::Failed
        | ChangeState::Conflict => Ok(()),
        other => Err(ReviewError::WrongState {
            id,
            state: other.label(),
            action: "approved",
        }),
    }
}

/// Approves a pending change (an ambiguous one must be settled first:
/// [`ReviewError::Ambiguous`]; a withdrawn one has nothing to write:
/// [`ReviewError::Withdrawn`]). The rules are [`can_approve`]'s.
pub fn approve(store: &Store, id: u64) -> Result<Change, ReviewError> {
    let mut c = load(store, id)?;
    can_approve(&c)?;
    match c.state {
        ChangeState::Pending
        | ChangeState::Approved
        | ChangeState::Rejected
        | ChangeState::Failed => {}
        ChangeState::Conflict if c.subject != crate::domain::Subject::Contact => {
            // A task or note: rebase each field on its value in GHL when the conflict was seen.
            let info = store.outbox_info(id)?;
            for f in &mut c.fields {
                if let Some((_, v)) = info.ghl_now.iter().find(|(k, _)| *k == f.field) {
                    f.ghl_now = v.clone();
                }
            }
        }
        ChangeState::Conflict => {
            // Approving a conflict means "write it over what GHL has now": the diff is rebased
            // on the contact as last read, so the next dispatch compares against that.
            if let Some(contact) = c
                .contact_id
                .as_deref()
                .map(|i| store.contact(i))
                .transpose()?
                .flatten()
            {
                c.base_date_updated = contact.date_updated.clone();
                for f in &mut c.fields {
                    f.ghl_now = ghl_value(&contact, &f.field);
                }
                let kind = c.kind;
                c.fields.retain(|f| {
                    kind == ChangeKind::Delete
                        || !same(&f.field, f.ghl_now.as_deref(), f.proposed.as_deref())
                });
            }
        }
        other => {
            return Err(ReviewError::WrongState {
                id,
                state: other.label(),
                action: "approved",
            })
        }
    }
    c.state = ChangeState::Approved;
    save(store, c)
}

/// Refuses review actions on a change that was (or may have been) written: applied, in flight
/// or cancelled mid-send. Its history stays as it is, and it can never be sent twice.
fn refuse_if_sent(c: &Change, action: &'static str) -> Result<(), ReviewError> {
    if matches!(
        c.state,
        ChangeState::Applied | ChangeState::InFlight | ChangeState::Cancelled
    ) {
        return Err(ReviewError::WrongState {
            id: c.id,
            state: c.state.label(),
            action,
        });
    }
    Ok(())
}

/// Whether [`reject`] would take `c` (pure): not once it was (or may have been) sent.
pub fn can_reject(c: &Change) -> Result<(), ReviewError> {
    refuse_if_sent(c, "rejected")
}

/// Rejects a change: it will not be written, and the same Bmby data will not bring it back.
/// Errors: an applied or in-flight change ([`ReviewError::WrongState`]).
pub fn reject(store: &Store, id: u64) -> Result<Change, ReviewError> {
    let mut c = load(store, id)?;
    can_reject(&c)?;
    c.state = ChangeState::Rejected;
    save(store, c)
}

/// Whether [`reset`] would take `c` (pure): not once sent, not a withdrawn hand edit.
pub fn can_reset(c: &Change) -> Result<(), ReviewError> {
    refuse_if_sent(c, "put back to pending")?;
    if c.is_withdrawn() {
        return Err(ReviewError::Withdrawn {
            id: c.id,
            action: "put back to pending",
        });
    }
    Ok(())
}

/// Puts a change back to pending. A settled ambiguous change becomes ambiguous again, with
/// its candidates, and the links its choice moved are put back
/// ([`AmbiguousChoice`](crate::domain::AmbiguousChoice)).
/// Errors: an applied or in-flight change; a withdrawn one ([`ReviewError::Withdrawn`]).
pub fn reset(store: &Store, id: u64) -> Result<Change, ReviewError> {
    let mut c = load(store, id)?;
    can_reset(&c)?;
    if let Some(choice) = c.choice.take() {
        let mut before = (*choice.before).clone();
        before.id = c.id;
        before.choice = None;
        before.state = ChangeState::Pending;
        before.created_at = c.created_at;
        // Written first: a crash before the links are back leaves an ambiguous change, which
        // the next import (or choice) settles again.
        let before = save(store, before)?;
        choice::undo_links(store, &before.client_id, &choice)?;
        store.flush()?;
        return Ok(before);
    }
    c.state = ChangeState::Pending;
    save(store, c)
}

/// Whether [`edit`] would take a value for `field` of `c` on its kind and state (pure; the
/// field and the value are checked by [`edit`]): a delete writes no values, and only changes
/// pending, approved or rejected are edited.
pub fn can_edit(c: &Change, field: &str) -> Result<(), ReviewError> {
    if c.kind == ChangeKind::Delete {
        return Err(ReviewError::Invalid {
            id: c.id,
            field: field.to_owned(),
            message: "a delete writes no values; approve or reject it".into(),
        });
    }
    if !matches!(
        c.state,
        ChangeState::Pending | ChangeState::Approved | ChangeState::Rejected
    ) {
        return Err(ReviewError::WrongState {
            id: c.id,
            state: c.state.label(),
            action: "edited",
        });
    }
    Ok(())
}

/// Checks a value a person typed for a GHL field. Returns the value to store: emails as typed,
/// phones in E.164, dates of birth `YYYY-MM-DD`, a task's `dueDate` as an RFC 3339 UTC instant
/// (typed as Israel local `YYYY-MM-DD HH:MM`, a bare date meaning 09:00, or an instant),
/// `completed` as `yes`/`no`, a note's or task's `body` with its line breaks.
pub fn validate_value(field: &str, value: &str) -> Result<Option<String>, String> {
    if field == "body" {
        let v = crate::sanitize::clean_text(value).trim().to_owned();
        return Ok(Some(v).filter(|v| !v.is_empty()));
    }
    let v = crate::sanitize::clean_line(value).trim().to_owned();
    if v.is_empty() {
        return Ok(None);
    }
    match field {
        "dueDate" => parse_due(&v).map(Some),
        "completed" => match v.to_lowercase().as_str() {
            "yes" | "y" | "true" | "done" | "כן" => Ok(Some("yes".into())),
            "no" | "n" | "false" | "open" | "לא" => Ok(Some("no".into())),
            _ => Err(format!("`{v}` is not yes or no")),
        },
        "email" => {
            // One address, a dot-separated domain, nothing quoted: what GHL stores and sends to.
            let ok = v.split_once('@').is_some_and(|(a, d)| {
                !a.is_empty()
                    && d.contains('.')
                    && !d.starts_with('.')
                    && !d.ends_with('.')
                    && !d.contains("..")
                    && !a.contains("..")
                    && !d.contains('@')
            }) && !v.contains(|c: char| c.is_whitespace() || ",;\"<>()[]\\".contains(c));
            if ok {
                Ok(Some(v))
            } else {
                Err(format!(
                    "`{v}` is not an email address (one address, like name@example.com)"
                ))
            }
        }
        // The one phone rule (`bmby::normalize::phone_check`): `+972…` and local forms of a
        // number get the same answer.
        "phone" => crate::bmby::normalize::check_phone(&v)
            .map(Some)
            .map_err(|e| e.to_string()),
        "dnd" => match v.to_lowercase().as_str() {
            "on" | "yes" | "true" | "1" => Ok(Some("on".into())),
            "off" | "no" | "false" | "0" => Ok(Some("off".into())),
            _ => Err(format!("`{v}` is not on or off")),
        },
        f if f.starts_with("dndSettings.") => match v.to_lowercase().as_str() {
            "on" | "active" | "yes" | "true" => Ok(Some("active".into())),
            "off" | "inactive" | "no" | "false" => Ok(Some("inactive".into())),
            _ => Err(format!("`{v}` is not on or off")),
        },
        // Neither `UpdateContactDto` nor `UpsertContactDto` has `type` (apps/contacts.json).
        "type" => Err(
            "GHL's API has no way to change a contact's type (the update takes no `type`); change it in GHL".into(),
        ),
        "dateOfBirth" => match jiff::civil::Date::strptime("%Y-%m-%d", &v) {
            Ok(d) => Ok(Some(d.to_string())),
            Err(_) => Err(format!("`{v}` is not a date (YYYY-MM-DD)")),
        },
        _ => Ok(Some(v)),
    }
}

/// A due date as typed: an RFC 3339 instant, or Israel local `YYYY-MM-DD HH:MM` (a bare
/// `YYYY-MM-DD` is 09:00 that day); returns RFC 3339 UTC with milliseconds, as GHL writes them.
pub fn parse_due(v: &str) -> Result<String, String> {
    crate::clock::parse_typed(v).map(crate::clock::iso_utc)
}

/// Replaces the proposed value of one field (validated: email shape, phone in E.164, date).
/// An empty value clears the proposal for that field.
pub fn edit(store: &Store, id: u64, field: &str, value: &str) -> Result<Change, ReviewError> {
    let mut c = load(store, id)?;
    can_edit(&c, field)?;
    let f = c
        .fields
        .iter_mut()
        .find(|f| f.field == field || f.label == field)
        .ok_or_else(|| ReviewError::NoSuchField {
            id,
            field: field.to_owned(),
        })?;
    let v = validate_value(&f.field, value).map_err(|message| ReviewError::Invalid {
        id,
        field: f.field.clone(),
        message,
    })?;
    f.proposed = v;
    f.edited = true;
    c.state = ChangeState::Pending;
    save(store, c)
}

#[cfg(test)]
mod value_tests {
    use super::validate_value;

    #[test]
    fn phones_typed_by_hand_must_be_real_numbers() {
        for (typed, want) in [
            ("050-765-4321", "+972507654321"),
            ("04-855 1234", "+97248551234"),
            ("+972 (0)50-765-4321", "+972507654321"),
            ("+1 310 563 9317", "+13105639317"),
            // An Israeli toll-free number.
            ("1-800-222-333", "+9721800222333"),
            // Local and `+972` forms of one number: the same answer.
            ("054-1234567", "+972541234567"),
            ("+972541234567", "+972541234567"),
            ("050-1234567", "+972501234567"),
            ("+972501234567", "+972501234567"),
        ] {
            assert_eq!(
                validate_value("phone", typed).unwrap().as_deref(),
                Some(want)
            );
        }
        for bad in [
            "050-123",
            "*2345",
            "(310) 563-9317",
            "050 1234567 ext 5",
            "12",
            "+972123",
            "+1234",
            "123",
            "12345678901234567",
        ] {
            assert!(validate_value("phone", bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn emails_typed_by_hand_are_one_plain_address() {
        assert!(validate_value("email", "dana.levi@example.co.il").is_ok());
        for bad in [
            "x@y.com,z@w.com",
            "user@domain..com",
            "\"quoted\"@ex.com",
            "a@b",
            "a b@c.com",
        ] {
            assert!(validate_value("email", bad).is_err(), "{bad} accepted");
        }
    }
}
