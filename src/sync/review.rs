//! Review actions on stored changes: approve, reject, back to pending, edit a proposed value,
//! settle an ambiguous match. Each writes the change and flushes before returning.
//!
//! Settling an ambiguous change ([`resolve`]) is a person's choice among its candidates (or a
//! new contact), previewed first ([`choice_preview`]: the candidate, what it matched on, and
//! any Bmby client already linked to it). The link of the Bmby client moves when the choice is
//! made, so the next import matches the client to the chosen contact instead of asking again;
//! what the choice replaced is kept on the change ([`AmbiguousChoice`]) until it is sent, and
//! [`reset`] (back to pending) makes the change ambiguous again and puts every link back.
//!
//! A withdrawn hand edit ([`Change::is_withdrawn`]) has nothing to write: it can be neither
//! approved nor put back to pending.

use super::diff::{ghl_value, same};
use crate::domain::{AmbiguousChoice, Candidate, Change, ChangeKind, ChangeState};
use crate::store::{Store, StoreError};

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

/// The candidates of a change as one line: `1. Dana Levi (c00dana…, by phone); 2. …`.
pub fn list_candidates(c: &Change) -> String {
    if c.candidates.is_empty() {
        return "no candidates".into();
    }
    c.candidates
        .iter()
        .enumerate()
        .map(|(i, x)| {
            format!(
                "{}. {} ({}, by {})",
                i + 1,
                crate::sanitize::clean_line(&x.name),
                x.contact_id,
                x.matched_on
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Approves a pending change (an ambiguous one must be settled first:
/// [`ReviewError::Ambiguous`]; a withdrawn one has nothing to write:
/// [`ReviewError::Withdrawn`]).
pub fn approve(store: &Store, id: u64) -> Result<Change, ReviewError> {
    let mut c = load(store, id)?;
    if c.kind == ChangeKind::Ambiguous {
        return Err(ReviewError::Ambiguous {
            id,
            candidates: list_candidates(&c),
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

/// Rejects a change: it will not be written, and the same Bmby data will not bring it back.
/// Errors: an applied or in-flight change ([`ReviewError::WrongState`]).
pub fn reject(store: &Store, id: u64) -> Result<Change, ReviewError> {
    let mut c = load(store, id)?;
    refuse_if_sent(&c, "rejected")?;
    c.state = ChangeState::Rejected;
    save(store, c)
}

/// Puts a change back to pending. A settled ambiguous change becomes ambiguous again, with
/// its candidates, and the links its choice moved are put back ([`AmbiguousChoice`]).
/// Errors: an applied or in-flight change; a withdrawn one ([`ReviewError::Withdrawn`]).
pub fn reset(store: &Store, id: u64) -> Result<Change, ReviewError> {
    let mut c = load(store, id)?;
    refuse_if_sent(&c, "put back to pending")?;
    if c.is_withdrawn() {
        return Err(ReviewError::Withdrawn {
            id,
            action: "put back to pending",
        });
    }
    if let Some(choice) = c.choice.take() {
        let mut before = (*choice.before).clone();
        before.id = c.id;
        before.choice = None;
        before.state = ChangeState::Pending;
        before.created_at = c.created_at;
        // Written first: a crash before the links are back leaves an ambiguous change, which
        // the next import (or choice) settles again.
        let before = save(store, before)?;
        undo_links(store, &before.client_id, &choice)?;
        store.flush()?;
        return Ok(before);
    }
    c.state = ChangeState::Pending;
    save(store, c)
}

/// Puts back the links a choice moved: this client's own link as it was, and the links of the
/// other clients it took the chosen contact from.
fn undo_links(store: &Store, client_id: &str, choice: &AmbiguousChoice) -> Result<(), ReviewError> {
    let Some(chosen) = choice.contact_id.as_deref() else {
        // A new contact moved no link.
        return Ok(());
    };
    let links = store.link_map()?;
    let mut put: Vec<(String, String)> = choice
        .unlinked
        .iter()
        // Only where nothing linked that client elsewhere since.
        .filter(|other| !links.contains_key(*other))
        .map(|other| (other.clone(), chosen.to_owned()))
        .collect();
    let mut remove = Vec::new();
    // This client's link, only if it still is the one the choice made.
    if links.get(client_id).map(String::as_str) == Some(chosen) {
        match &choice.link_before {
            Some(l) => put.push((client_id.to_owned(), l.clone())),
            None => remove.push(client_id.to_owned()),
        }
    }
    store.relink(&put, &remove)?;
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
        "phone" => {
            use crate::bmby::normalize::phone::PhoneStatus;
            if v.chars().any(|c| c.is_alphabetic() || c == '*' || c == '#') {
                return Err(format!(
                    "`{v}` is not a plain phone number (extensions and codes like * or # are not kept)"
                ));
            }
            let p = crate::bmby::normalize::normalize_phone(&v);
            match (p.status, p.e164) {
                (PhoneStatus::Valid, Some(e)) => Ok(Some(e)),
                // An international number the metadata does not know yet is taken as typed.
                (PhoneStatus::ParsedButInvalid, Some(e)) if v.starts_with('+') => Ok(Some(e)),
                (PhoneStatus::ParsedButInvalid, Some(_)) => Err(format!(
                    "`{v}` is not a valid Israeli number; a number abroad needs its country code (+1 310 555 0100)"
                )),
                _ => Err(format!(
                    "`{v}` is not a phone number (e.g. 050-7654321 or +972507654321)"
                )),
            }
        }
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
    use crate::bmby::normalize::time::{jerusalem, parse_local};
    let ts = if let Ok(t) = v.parse::<jiff::Timestamp>() {
        Some(t)
    } else if let Ok(d) = jiff::civil::Date::strptime("%Y-%m-%d", v) {
        d.at(9, 0, 0, 0)
            .to_zoned(jerusalem().clone())
            .ok()
            .map(|z| z.timestamp())
    } else {
        parse_local(v).and_then(|dt| dt.to_zoned(jerusalem().clone()).ok().map(|z| z.timestamp()))
    };
    ts.map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .ok_or_else(|| format!("`{v}` is not a date (YYYY-MM-DD HH:MM, Israel time)"))
}

/// Replaces the proposed value of one field (validated: email shape, phone in E.164, date).
/// An empty value clears the proposal for that field.
pub fn edit(store: &Store, id: u64, field: &str, value: &str) -> Result<Change, ReviewError> {
    let mut c = load(store, id)?;
    if c.kind == ChangeKind::Delete {
        return Err(ReviewError::Invalid {
            id,
            field: field.to_owned(),
            message: "a delete writes no values; approve or reject it".into(),
        });
    }
    if !matches!(
        c.state,
        ChangeState::Pending | ChangeState::Approved | ChangeState::Rejected
    ) {
        return Err(ReviewError::WrongState {
            id,
            state: c.state.label(),
            action: "edited",
        });
    }
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

/// What choosing `contact_id` (or a new contact, `None`) for an ambiguous change would do, for
/// the question asked before it is done (TUI) and the lines printed after (CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoicePreview {
    pub change_id: u64,
    /// The Bmby client of the change.
    pub client_id: String,
    /// The change's name (the Bmby client's), sanitized.
    pub name: String,
    /// The candidate chosen (name, id, what it matched on); `None` = a new contact.
    pub candidate: Option<Candidate>,
    /// Other Bmby clients linked to the chosen contact now: the choice moves the link from
    /// them (sorted).
    pub linked_clients: Vec<String>,
    /// The contact this Bmby client is linked to now, when the choice replaces that link
    /// (a link to a contact no longer in the cache).
    pub replaces_link: Option<String>,
}

impl ChoicePreview {
    /// The question: `Choose מיכל לוי (c00…, matched on email) for Bmby client 10412 (…)?`.
    pub fn question(&self) -> String {
        match &self.candidate {
            Some(c) => format!(
                "Choose {} ({}, matched on {}) for #{} Bmby client {} ({})? The change becomes an update of that contact.",
                crate::sanitize::clean_line(&c.name),
                c.contact_id,
                c.matched_on,
                self.change_id,
                self.client_id,
                self.name
            ),
            None => format!(
                "Make #{} (Bmby client {}, {}) a new GHL contact instead of any candidate?",
                self.change_id, self.client_id, self.name
            ),
        }
    }

    /// What the choice does to links, one line each (empty when it moves none):
    /// `GHL contact X is linked to Bmby client 1234 — choosing it moves the link to Bmby
    /// client 10412`.
    pub fn link_warnings(&self) -> Vec<String> {
        self.link_lines(false)
    }

    /// [`link_warnings`](Self::link_warnings) told after the choice was made (`— the choice
    /// moved the link to …`), as kept in the change's warnings and printed by the CLI.
    pub fn link_notes(&self) -> Vec<String> {
        self.link_lines(true)
    }

    fn link_lines(&self, done: bool) -> Vec<String> {
        let (moves, replaces) = if done {
            ("the choice moved", "the choice replaced")
        } else {
            ("choosing it moves", "choosing it replaces")
        };
        let Some(c) = &self.candidate else {
            return Vec::new();
        };
        let mut out: Vec<String> = self
            .linked_clients
            .iter()
            .map(|other| {
                format!(
                    "GHL contact {} is linked to Bmby client {other} — {moves} the link to Bmby client {}",
                    c.contact_id, self.client_id
                )
            })
            .collect();
        if let Some(l) = &self.replaces_link {
            out.push(format!(
                "Bmby client {} is linked to GHL contact {l} (no longer in the cache) — {replaces} that link",
                self.client_id
            ));
        }
        out
    }
}

/// The change, checked to be an ambiguous one a person may still settle.
fn load_ambiguous(store: &Store, id: u64) -> Result<Change, ReviewError> {
    let c = load(store, id)?;
    refuse_if_sent(&c, "settled")?;
    if let Some(choice) = c
        .choice
        .as_ref()
        .filter(|_| c.kind != ChangeKind::Ambiguous)
    {
        return Err(ReviewError::AlreadyChosen {
            id,
            on: match &choice.contact_id {
                Some(cid) => format!("on GHL contact {cid}"),
                None => "as a new contact".into(),
            },
        });
    }
    if c.kind != ChangeKind::Ambiguous {
        return Err(ReviewError::NotAmbiguous {
            id,
            kind: c.kind.label(),
        });
    }
    Ok(c)
}

fn candidate(c: &Change, contact_id: &str) -> Result<Candidate, ReviewError> {
    c.candidates
        .iter()
        .find(|x| x.contact_id == contact_id)
        .cloned()
        .ok_or_else(|| ReviewError::NotACandidate {
            id: c.id,
            contact: contact_id.to_owned(),
            candidates: list_candidates(c),
        })
}

/// Previews choosing `contact_id` (one of the candidates) or a new contact (`None`) for the
/// ambiguous change `id`, changing nothing. Errors: no such change, a change that is not
/// ambiguous ([`ReviewError::NotAmbiguous`]) or already sent, a contact that is not a
/// candidate ([`ReviewError::NotACandidate`], listing them).
pub fn choice_preview(
    store: &Store,
    id: u64,
    contact_id: Option<&str>,
) -> Result<ChoicePreview, ReviewError> {
    let c = load_ambiguous(store, id)?;
    let mut p = ChoicePreview {
        change_id: id,
        client_id: c.client_id.clone(),
        name: crate::sanitize::clean_line(&c.display_name),
        candidate: None,
        linked_clients: Vec::new(),
        replaces_link: None,
    };
    if let Some(cid) = contact_id {
        p.candidate = Some(candidate(&c, cid)?);
        let links = store.link_map()?;
        p.linked_clients = links
            .iter()
            .filter(|(client, contact)| *contact == cid && **client != c.client_id)
            .map(|(client, _)| client.clone())
            .collect();
        p.linked_clients.sort();
        p.replaces_link = links
            .get(&c.client_id)
            .filter(|l| *l != cid && !c.client_id.is_empty())
            .cloned();
    }
    Ok(p)
}

/// Settles an ambiguous change: `Some(contact_id)` (one of its candidates) makes it a pending
/// update of that contact with only the differing fields (tags: the contact's own are kept, the
/// Bmby ones added); `None` makes it a pending create. Choosing a contact links the Bmby client
/// to it and unlinks any other client linked to it (see [`choice_preview`]); the change keeps
/// what the choice replaced ([`AmbiguousChoice`]) so [`reset`] can undo it.
///
/// Errors: as [`choice_preview`].
pub fn resolve(store: &Store, id: u64, contact_id: Option<&str>) -> Result<Change, ReviewError> {
    let preview = choice_preview(store, id, contact_id)?;
    let before = load_ambiguous(store, id)?;
    let mut c = before.clone();
    let link_before = if c.client_id.is_empty() {
        None
    } else {
        store.link(&c.client_id)?
    };
    match contact_id {
        None => {
            c.kind = ChangeKind::Create;
            c.contact_id = None;
        }
        Some(cid) => {
            let contact = store.contact(cid)?;
            c.kind = ChangeKind::Update;
            c.contact_id = Some(cid.to_owned());
            if let Some(contact) = contact {
                c.display_name = contact.display_name();
                c.base_date_updated = contact.date_updated.clone();
                for f in &mut c.fields {
                    if f.field == "tags" {
                        f.proposed = keep_their_tags(&contact.tags, f.proposed.as_deref());
                    }
                    f.ghl_now = ghl_value(&contact, &f.field);
                }
                c.fields
                    .retain(|f| !same(&f.field, f.ghl_now.as_deref(), f.proposed.as_deref()));
            }
            // What the next import proposes for this client through its new link: the same
            // fingerprint, so reading the same data again adds nothing.
            c.fingerprint =
                super::import::fingerprint(ChangeKind::Update, Some(cid), &c.fields, &[]);
            c.warnings.extend(preview.link_notes());
        }
    }
    c.warnings
        .retain(|w| !w.starts_with("matches several GHL contacts"));
    c.state = ChangeState::Pending;
    c.choice = Some(AmbiguousChoice {
        contact_id: contact_id.map(str::to_owned),
        before: Box::new(Change {
            choice: None,
            ..before
        }),
        link_before,
        unlinked: preview.linked_clients.clone(),
    });
    // The change first (it holds what is needed to undo), then the links.
    let c = save(store, c)?;
    if let Some(cid) = contact_id.filter(|_| !c.client_id.is_empty()) {
        store.relink(
            &[(c.client_id.clone(), cid.to_owned())],
            &preview.linked_clients,
        )?;
        store.flush()?;
    }
    Ok(c)
}

/// The tags a Bmby change proposes for an existing contact: the contact's own tags, then each
/// proposed one it lacks (a Bmby change never removes a tag it did not add). `None` when the
/// contact has them all.
fn keep_their_tags(theirs: &[String], proposed: Option<&str>) -> Option<String> {
    let mut out: Vec<String> = theirs.to_vec();
    let mut added = false;
    for t in proposed
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if !out.iter().any(|x| same("tag", Some(x), Some(t))) {
            out.push(t.to_owned());
            added = true;
        }
    }
    added.then(|| out.join(", "))
}

/// Settles an ambiguous change and approves it (`bmby-ghl approve ID --contact GHL_ID` /
/// `--new`). Returns the approved change and the preview of what the choice did to links.
/// Errors: as [`resolve`]; the change is left as it was when the choice is refused.
pub fn approve_choice(
    store: &Store,
    id: u64,
    contact_id: Option<&str>,
) -> Result<(Change, ChoicePreview), ReviewError> {
    let preview = choice_preview(store, id, contact_id)?;
    resolve(store, id, contact_id)?;
    Ok((approve(store, id)?, preview))
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
