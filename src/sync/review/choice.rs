//! Settling an ambiguous change: the preview of a choice (the candidate, what it matched on,
//! the Bmby links it moves), the choice itself (the link moves at once; what it replaced is
//! kept on the change as an [`AmbiguousChoice`]), and putting the links back when the choice is
//! undone ([`reset`](super::reset)).

use super::{approve, load, refuse_if_sent, save, ReviewError};
use crate::domain::{AmbiguousChoice, Candidate, Change, ChangeKind, ChangeState};
use crate::store::Store;
use crate::sync::diff::{ghl_value, same};

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

/// Puts back the links a choice moved: this client's own link as it was, and the links of the
/// other clients it took the chosen contact from.
pub(super) fn undo_links(
    store: &Store,
    client_id: &str,
    choice: &AmbiguousChoice,
) -> Result<(), ReviewError> {
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
    /// Another Bmby client id the chosen contact carries in its Bmby client id custom field
    /// (cached), with no link record: the choice's update writes this client's id over it.
    pub carries_client: Option<String>,
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
        if let Some(other) = &self.carries_client {
            out.push(format!(
                "GHL contact {} carries Bmby client id {other} in its custom field — {replaces} it with {}",
                c.contact_id, self.client_id
            ));
        }
        out
    }
}

/// The change, checked to be an ambiguous one a person may still settle.
fn load_ambiguous(store: &Store, id: u64) -> Result<Change, ReviewError> {
    let c = load(store, id)?;
    can_resolve(&c)?;
    Ok(c)
}

/// Whether a contact (or a new one) can be chosen for `c` now (pure; [`resolve`]'s rules): not
/// once sent, not when settled already ([`ReviewError::AlreadyChosen`]), only for an ambiguous
/// change ([`ReviewError::NotAmbiguous`]).
pub fn can_resolve(c: &Change) -> Result<(), ReviewError> {
    let id = c.id;
    refuse_if_sent(c, "settled")?;
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
    Ok(())
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
        carries_client: None,
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
        // The contact may name a Bmby client in its client id custom field without a link
        // record (ids typed in GHL, or written by another tool): the choice overwrites it.
        let field = c
            .fields
            .iter()
            .find(|f| f.source_field == "client_id")
            .and_then(|f| f.field.strip_prefix("customFields."));
        if let (Some(field), Some(contact)) = (field, store.contact(cid)?) {
            p.carries_client = contact
                .custom_fields
                .iter()
                .find(|v| v.id == field)
                .map(|v| crate::sanitize::clean_line(&v.display()).trim().to_owned())
                .filter(|v| !v.is_empty() && *v != c.client_id && !p.linked_clients.contains(v));
        }
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
                crate::sync::import::fingerprint(ChangeKind::Update, Some(cid), &c.fields, &[]);
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
            matched: None,
            removable_tags: Vec::new(),
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
        review_again_after_move(store, cid, &c, &preview.linked_clients)?;
        store.flush()?;
    }
    Ok(c)
}

/// A choice moved contact `cid`'s link from the clients in `moved_from` to `chosen`'s client:
/// their changes still queued to write to `cid` (pending or approved, not yet sent) were made
/// when the contact was theirs. An approved one goes back to pending, and each says why, so a
/// person reviews it again before one client's data is written over the other's.
fn review_again_after_move(
    store: &Store,
    cid: &str,
    chosen: &Change,
    moved_from: &[String],
) -> Result<(), ReviewError> {
    for other in moved_from {
        let Some(mut o) = store.change_for_client(other)? else {
            continue;
        };
        let queued = matches!(o.state, ChangeState::Pending | ChangeState::Approved);
        if !queued || o.contact_id.as_deref() != Some(cid) || o.id == chosen.id {
            continue;
        }
        o.state = ChangeState::Pending;
        o.warnings.push(format!(
            "GHL contact {cid} is now linked to Bmby client {} (change #{}): review this change \
             again before it writes Bmby client {other}'s data to that contact",
            chosen.client_id, chosen.id
        ));
        o.updated_at = jiff::Timestamp::now().to_string();
        store.put_change(&o)?;
    }
    Ok(())
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
