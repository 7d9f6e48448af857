//! Turning a read of Bmby clients (an export file or a SOAP pull) into pending changes:
//! match, diff, and reconcile with the changes already stored, so that reading the same data
//! twice adds nothing and newer data replaces a still-pending change of the same client.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::diff::{field_changes, ClientView};
use super::mapping::Mapping;
use super::matching::{ContactIndex, Match};
use crate::domain::{Change, ChangeKind, ChangeState, CustomFieldDef, FieldChange};
use crate::store::{Store, StoreError};

/// How to treat a read.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The read holds every client (a full export, or a SOAP pull without `FromDate`): a linked
    /// client missing from it becomes a delete.
    pub full: bool,
    /// Compute and report, store nothing.
    pub dry_run: bool,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    /// Clients read.
    pub read: usize,
    /// New changes stored, by kind.
    pub new_changes: BTreeMap<String, usize>,
    /// Pending changes replaced by newer Bmby data.
    pub replaced: usize,
    /// Clients whose change was already stored unchanged (nothing added).
    pub unchanged: usize,
    /// Clients already equal to their GHL contact (stale pending changes removed).
    pub in_sync: usize,
    /// Links Bmby `client_id` ⇄ GHL contact learnt from email/phone matches.
    pub links_added: usize,
    /// Problems that did not stop the import (duplicate client ids …).
    pub problems: Vec<String>,
    /// The changes this import stored or, with `dry_run`, would store.
    pub changes: Vec<Change>,
}

/// FNV-1a, 64 bit: a stable hash for fingerprints (no security role).
fn fnv1a(s: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

fn fingerprint(
    kind: ChangeKind,
    contact_id: Option<&str>,
    fields: &[FieldChange],
    candidates: &[String],
) -> String {
    let mut s = format!("{}|{}|", kind.label(), contact_id.unwrap_or(""));
    for f in fields {
        s.push_str(&format!(
            "{}={};",
            f.field,
            f.proposed.as_deref().unwrap_or("")
        ));
    }
    s.push_str(&candidates.join(","));
    fnv1a(&s)
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// Imports clients into `store` as changes. See the module docs for the rules.
///
/// Errors: only store errors; problems with single clients are reported in the summary.
pub fn import_clients(
    store: &Store,
    views: Vec<ClientView>,
    mapping: &Mapping,
    opts: &ImportOptions,
) -> Result<ImportSummary, StoreError> {
    let index = ContactIndex::new(store.contacts()?);
    let defs_by_key: HashMap<String, CustomFieldDef> = store
        .custom_fields()?
        .into_values()
        .map(|d| (d.field_key.clone(), d))
        .collect();
    let links: HashMap<String, String> = store.links()?.into_iter().collect();
    let mut summary = ImportSummary {
        read: views.len(),
        ..Default::default()
    };
    let mut seen: HashSet<String> = HashSet::with_capacity(views.len());
    let mut proposed: Vec<(Option<Change>, String)> = Vec::with_capacity(views.len());
    let stamp = now();

    for view in views {
        if !seen.insert(view.client_id.clone()) {
            summary.problems.push(format!(
                "{}: client_id {} appears again; the first one was used",
                view.origin, view.client_id
            ));
            continue;
        }
        let link = links.get(&view.client_id).map(String::as_str);
        let mut warnings = view.warnings.clone();
        if let Some(l) = link {
            if index.get(l).is_none() {
                warnings.push(format!("linked GHL contact {l} is no longer in the cache"));
            }
        }
        let m = index.find(link, view.email.as_deref(), &view.phones_e164);
        let (kind, contact, candidates) = match &m {
            Match::One { index: i, by } => {
                let c = &index.contacts[*i];
                if *by != "link" && !opts.dry_run {
                    store.put_link(&view.client_id, &c.id)?;
                    summary.links_added += 1;
                }
                (ChangeKind::Update, Some(c), Vec::new())
            }
            Match::None => (ChangeKind::Create, None, Vec::new()),
            Match::Ambiguous(c) => {
                warnings.push(format!(
                    "matches several GHL contacts: {}; choose one before approving",
                    c.iter()
                        .map(|c| format!("{} ({}, by {})", c.name, c.contact_id, c.matched_on))
                        .collect::<Vec<_>>()
                        .join(" and ")
                ));
                (ChangeKind::Ambiguous, None, c.clone())
            }
        };
        let fields = field_changes(&view, contact, mapping, &defs_by_key, &mut warnings);
        if fields.is_empty() && kind != ChangeKind::Ambiguous {
            proposed.push((None, view.client_id.clone()));
            continue;
        }
        let cand_ids: Vec<String> = candidates.iter().map(|c| c.contact_id.clone()).collect();
        let change = Change {
            id: 0,
            kind,
            state: ChangeState::Pending,
            client_id: view.client_id.clone(),
            contact_id: contact.map(|c| c.id.clone()),
            display_name: contact
                .map(|c| c.display_name())
                .unwrap_or_else(|| view.display_name.clone()),
            fingerprint: fingerprint(kind, contact.map(|c| c.id.as_str()), &fields, &cand_ids),
            fields,
            base_date_updated: contact.and_then(|c| c.date_updated.clone()),
            origin: view.origin.clone(),
            warnings,
            candidates,
            created_at: stamp.clone(),
            updated_at: stamp.clone(),
        };
        proposed.push((Some(change), view.client_id));
    }

    if opts.full {
        for (client_id, contact_id) in &links {
            if seen.contains(client_id) {
                continue;
            }
            let Some(c) = index.get(contact_id) else {
                continue;
            };
            let fields: Vec<FieldChange> = [
                ("firstName", c.first_name.clone()),
                ("lastName", c.last_name.clone()),
                ("email", c.email.clone()),
                ("phone", c.phone.clone()),
            ]
            .into_iter()
            .filter(|(_, v)| v.is_some())
            .map(|(f, v)| FieldChange {
                field: f.into(),
                label: super::diff::field_label(f).into(),
                source_field: String::new(),
                ghl_now: v,
                proposed: None,
                edited: false,
            })
            .collect();
            let change = Change {
                id: 0,
                kind: ChangeKind::Delete,
                state: ChangeState::Pending,
                client_id: client_id.clone(),
                contact_id: Some(contact_id.clone()),
                display_name: c.display_name(),
                fingerprint: fingerprint(ChangeKind::Delete, Some(contact_id), &[], &[]),
                fields,
                base_date_updated: c.date_updated.clone(),
                origin: "missing from a full read".into(),
                warnings: vec![format!("Bmby client {client_id} is linked to this contact but absent from the full read")],
                candidates: Vec::new(),
                created_at: stamp.clone(),
                updated_at: stamp.clone(),
            };
            proposed.push((Some(change), client_id.clone()));
        }
    }

    for (change, client_id) in proposed {
        let existing = store.change_for_client(&client_id)?;
        match (existing, change) {
            (Some(e), None) => {
                if e.state == ChangeState::Pending && !opts.dry_run {
                    store.remove_change(e.id)?;
                }
                summary.in_sync += 1;
            }
            (None, None) => summary.in_sync += 1,
            (Some(e), Some(n)) if e.fingerprint == n.fingerprint => summary.unchanged += 1,
            (Some(e), Some(mut n)) if e.state == ChangeState::Pending => {
                n.id = e.id;
                n.created_at = e.created_at;
                if !opts.dry_run {
                    store.put_change(&n)?;
                }
                summary.replaced += 1;
                summary.changes.push(n);
            }
            (_, Some(mut n)) => {
                n.id = if opts.dry_run {
                    0
                } else {
                    store.next_id()? + 1
                };
                if !opts.dry_run {
                    store.put_change(&n)?;
                }
                *summary
                    .new_changes
                    .entry(n.kind.label().to_owned())
                    .or_default() += 1;
                summary.changes.push(n);
            }
        }
    }
    if !opts.dry_run {
        store.flush()?;
    }
    Ok(summary)
}
