//! Turning a read of Bmby clients (an export file or a SOAP pull) into pending changes:
//! match, diff, and reconcile with the changes already stored, so that reading the same data
//! twice adds nothing and newer data replaces a still-pending change of the same client.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::diff::{field_changes, ClientView};
use super::mapping::Mapping;
use super::matching::{
    email_key, link_owners, phone_for_people, phone_key, ContactIndex, Match, SharedKey,
};
use crate::domain::{
    Change, ChangeKind, ChangeState, CustomFieldDef, FieldChange, Subject, Target,
};
use crate::store::{Store, StoreError};

/// How to treat a read.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The read holds every client (a full export, or a SOAP pull without `FromDate`): a linked
    /// client missing from it becomes a delete.
    pub full: bool,
    /// Compute and report, store nothing.
    pub dry_run: bool,
    /// Propose deletes even when a full read lacks many linked clients (see
    /// [`MASS_DELETE_MIN`]); without it such a read proposes no delete at all.
    pub allow_mass_delete: bool,
    /// Rows of the file skipped as broken whose client id could not be read: a full read with
    /// any is not complete and proposes no delete, whatever `allow_mass_delete` says.
    pub skipped_rows: usize,
    /// Client ids of rows skipped as broken (the row's own, and those a broken quote
    /// swallowed): present in the file, so never a delete, and their changes are left alone.
    pub skipped_clients: Vec<String>,
}

/// A full read that would delete more than this many contacts *and* more than a fifth of the
/// linked ones looks like a cut-off file, not a real snapshot: it proposes no deletes unless
/// [`ImportOptions::allow_mass_delete`] is set.
pub const MASS_DELETE_MIN: usize = 10;

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
    /// Notes that block nothing, once per file: each column of an export that feeds nothing
    /// (`column 5 "foo" is not used (known columns: …)`, see [`unused_column_notices`]).
    pub notices: Vec<String>,
    /// With `dry_run`: the changes that would be stored (empty for a real import).
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

/// What a proposal is, as a hash: kind, contact, each field's proposed value, the candidates.
/// Reading the same Bmby data again gives the same fingerprint.
pub(crate) fn fingerprint(
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

/// What one client proposes, computed without touching the store.
struct Proposal {
    client_id: String,
    change: Option<Change>,
    /// A link learnt from an email/phone match.
    new_link: Option<String>,
    /// Why nothing was proposed for a client that should have been.
    problem: Option<String>,
}

/// How one client was matched, decided for a whole chunk before the diffs (so two clients
/// never both become writes to one contact).
#[derive(Debug)]
struct Resolved {
    m: Match,
    /// Contacts left out because they are other clients' (they share an email or a phone).
    shared: Vec<SharedKey>,
    /// What else resolving found (a link set aside, a key shared with another new contact).
    notes: Vec<String>,
}

/// Rank of a match for choosing which of several clients gets a contact: email before phone,
/// then a client whose name is the contact's.
fn match_rank(by: &str, same_name: bool) -> (u8, u8) {
    let by = match by {
        "link" => 0,
        "email" => 1,
        _ => 2,
    };
    (by, u8::from(!same_name))
}

fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    !a.trim().is_empty() && norm(a) == norm(b)
}

fn propose(
    view: ClientView,
    resolved: Resolved,
    index: &ContactIndex,
    links: &HashMap<String, String>,
    mapping: &Mapping,
    defs_by_key: &HashMap<String, CustomFieldDef>,
    stamp: &str,
) -> Proposal {
    let link = links.get(&view.client_id).map(String::as_str);
    let mut warnings = view.warnings.clone();
    if let Some(l) = link {
        if index.get(l).is_none() {
            warnings.push(format!("linked GHL contact {l} is no longer in the cache"));
        }
    }
    warnings.extend(resolved.notes);
    warnings.extend(resolved.shared.iter().map(SharedKey::warning));
    let m = resolved.m;
    let mut new_link = None;
    let (kind, contact, candidates) = match &m {
        Match::One { index: i, by } => {
            let c = &index.contacts[*i];
            if *by != "link" {
                new_link = Some(c.id.clone());
            }
            warnings.extend(super::match_warnings::phone_only_warning(&view, c, by));
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
    let fields = field_changes(&view, contact, mapping, defs_by_key, &mut warnings);
    // A create needs something a person (or GHL's duplicate check) can recognize.
    let identifies = |f: &FieldChange| {
        matches!(
            f.field.as_str(),
            "firstName" | "lastName" | "email" | "phone"
        )
    };
    if kind == ChangeKind::Create && !fields.iter().any(identifies) {
        return Proposal {
            client_id: view.client_id.clone(),
            change: None,
            new_link,
            problem: Some(format!(
                "{}: Bmby client {} has no name, email or phone usable in GHL; not proposed as a new contact",
                view.origin, view.client_id
            )),
        };
    }
    if fields.is_empty() && kind != ChangeKind::Ambiguous {
        return Proposal {
            client_id: view.client_id,
            change: None,
            new_link,
            problem: None,
        };
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
        created_at: stamp.to_owned(),
        updated_at: stamp.to_owned(),
        subject: Subject::Contact,
        target: Target::Ghl,
        choice: None,
        matched: None,
        removable_tags: Vec::new(),
    };
    let change = Change {
        removable_tags: super::diff::removed_tags(&change.fields),
        ..change
    };
    Proposal {
        client_id: view.client_id,
        change: Some(change),
        new_link,
        problem: None,
    }
}

fn delete_change(
    client_id: &str,
    contact_id: &str,
    c: &crate::domain::Contact,
    stamp: &str,
) -> Change {
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
        value_json: None,
    })
    .collect();
    Change {
        id: 0,
        kind: ChangeKind::Delete,
        state: ChangeState::Pending,
        client_id: client_id.to_owned(),
        contact_id: Some(contact_id.to_owned()),
        display_name: c.display_name(),
        fingerprint: fingerprint(ChangeKind::Delete, Some(contact_id), &[], &[]),
        fields,
        base_date_updated: c.date_updated.clone(),
        origin: "full read (client absent)".into(),
        warnings: vec![format!(
            "Bmby client {client_id} is linked to this contact but absent from the full read"
        )],
        candidates: Vec::new(),
        created_at: stamp.to_owned(),
        updated_at: stamp.to_owned(),
        subject: Subject::Contact,
        target: Target::Ghl,
        choice: None,
        matched: None,
        removable_tags: Vec::new(),
    }
}

/// Newer Bmby data replaces a pending change, but never a person's edit: every edited field
/// of `old` is carried into `new` (kept edited), with a warning saying so.
fn keep_edits(old: &Change, new: &mut Change) {
    for f in old.fields.iter().filter(|f| f.edited) {
        match new.fields.iter_mut().find(|n| n.field == f.field) {
            Some(n) => {
                n.proposed = f.proposed.clone();
                n.edited = true;
            }
            None => new.fields.push(f.clone()),
        }
        new.warnings.push(format!(
            "newer Bmby data arrived; your edit of {} was kept ({})",
            f.label,
            f.proposed.as_deref().unwrap_or("(empty)")
        ));
    }
}

/// Drops the parts of a contact that matching and diffing never read (a bulk import holds
/// every cached contact at once).
fn keep_diffable(mut c: crate::domain::Contact) -> crate::domain::Contact {
    c.location_id = String::new();
    c.company_name = None;
    c.assigned_to = None;
    c.contact_type = None;
    c.date_added = None;
    c.dnd_settings = Vec::new();
    c.additional_emails = Vec::new();
    c
}

/// An import in progress: the read-only tables (contacts, links, latest changes) are loaded
/// once, then clients are fed in chunks — each chunk is matched and diffed on all cores,
/// reconciled with what is stored and written — so memory holds one chunk, not the whole read.
pub struct Importer<'a> {
    store: &'a Store,
    mapping: &'a Mapping,
    opts: ImportOptions,
    index: ContactIndex,
    defs_by_key: HashMap<String, CustomFieldDef>,
    links: HashMap<String, String>,
    /// GHL contact id → the Bmby clients linked to it.
    owners: HashMap<String, Vec<String>>,
    /// GHL contact id → the client matched to it by email or phone earlier in this read.
    claims: HashMap<String, String>,
    /// `email:<key>` / `phone:<key>` → the first client of this read proposed as a new contact
    /// with it.
    new_keys: HashMap<String, String>,
    heads: HashMap<String, crate::store::ChangeHead>,
    seen: HashSet<String>,
    new_links: Vec<(String, String)>,
    stamp: String,
    summary: ImportSummary,
    /// Writes changes on its own thread while the next chunk is matched and diffed.
    writer: Option<Writer>,
}

struct Writer {
    tx: std::sync::mpsc::SyncSender<Vec<Change>>,
    handle: std::thread::JoinHandle<Result<(), StoreError>>,
}

impl Writer {
    fn start(store: Store) -> Writer {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Change>>(2);
        let handle = std::thread::Builder::new()
            .name("import-writer".into())
            .spawn(move || {
                for batch in rx {
                    store.put_changes(&batch)?;
                }
                Ok(())
            })
            .expect("spawn the import writer thread");
        Writer { tx, handle }
    }

    /// Waits for every change to be written; the first store error, if any.
    fn finish(self) -> Result<(), StoreError> {
        drop(self.tx);
        self.handle.join().expect("import writer panicked")
    }
}

impl<'a> Importer<'a> {
    /// Loads the cached contacts (without raw JSON), custom field definitions, links and the
    /// latest change of every client.
    pub fn new(
        store: &'a Store,
        mapping: &'a Mapping,
        opts: ImportOptions,
    ) -> Result<Self, StoreError> {
        let links = store.link_map()?;
        Ok(Importer {
            index: ContactIndex::new(
                store
                    .contacts_without_raw()?
                    .into_iter()
                    .map(keep_diffable)
                    .collect(),
            ),
            defs_by_key: store
                .custom_fields()?
                .into_values()
                .map(|d| (d.field_key.clone(), d))
                .collect(),
            owners: link_owners(&links),
            links,
            claims: HashMap::new(),
            new_keys: HashMap::new(),
            heads: store.change_heads()?,
            seen: HashSet::new(),
            new_links: Vec::new(),
            stamp: now(),
            summary: ImportSummary::default(),
            writer: (!opts.dry_run).then(|| Writer::start(store.clone())),
            store,
            mapping,
            opts,
        })
    }

    /// Matches, diffs and stores one chunk of clients.
    pub fn feed(&mut self, views: Vec<ClientView>) -> Result<(), StoreError> {
        self.summary.read += views.len();
        let mut unique = Vec::with_capacity(views.len());
        for view in views {
            if self.seen.insert(view.client_id.clone()) {
                unique.push(view);
            } else {
                self.summary.problems.push(format!(
                    "{}: client_id {} appears again; the first one was used",
                    view.origin, view.client_id
                ));
            }
        }
        let resolved = self.resolve(&unique);
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let per = unique.len().div_ceil(threads).max(1);
        let mut parts: Vec<Vec<(ClientView, Resolved)>> = Vec::new();
        let mut it = unique.into_iter().zip(resolved).peekable();
        while it.peek().is_some() {
            parts.push(it.by_ref().take(per).collect());
        }
        let proposals: Vec<Proposal> = std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .into_iter()
                .map(|part| {
                    let this = &*self;
                    scope.spawn(move || {
                        part.into_iter()
                            .map(|(v, r)| {
                                propose(
                                    v,
                                    r,
                                    &this.index,
                                    &this.links,
                                    this.mapping,
                                    &this.defs_by_key,
                                    &this.stamp,
                                )
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("import worker panicked"))
                .collect()
        });
        self.reconcile(proposals)
    }

    /// The other client a contact belongs to, seen from `client_id`: linked to it, or matched
    /// to it earlier in this read.
    fn owner_for(&self, client_id: &str, contact_id: &str) -> Option<String> {
        self.owners
            .get(contact_id)
            .and_then(|v| v.iter().find(|o| o.as_str() != client_id))
            .or_else(|| {
                self.claims
                    .get(contact_id)
                    .filter(|o| o.as_str() != client_id)
            })
            .cloned()
    }

    /// Matches one chunk, in read order, so that no two clients become writes to one contact
    /// (unless a person linked both to it): a contact linked to another client is not matched
    /// by email or phone; when several
    /// clients of the read match one contact, the best match gets it (email before phone, then
    /// the same name, then the first read) and the others are matched again without it — most
    /// often as new contacts, warned that they share a key with it. New contacts that share a
    /// key with another new contact of the read are warned too.
    fn resolve(&mut self, views: &[ClientView]) -> Vec<Resolved> {
        let find = |this: &Self, v: &ClientView, link: Option<&str>| {
            this.index
                .find_among(link, v.email.as_deref(), &v.phones_e164, &|cid| {
                    this.owner_for(&v.client_id, cid)
                })
        };
        // 1. Each client on its own, against the links and earlier chunks' claims.
        let mut out: Vec<Resolved> = Vec::with_capacity(views.len());
        for v in views {
            let mut notes = Vec::new();
            let link = self.links.get(&v.client_id).map(String::as_str);
            // A link is a person's decision (or an applied create) and is followed; when
            // another client is linked to the same contact too, the change says so.
            if let Some(l) = link {
                if let Some(other) = self.owner_for(&v.client_id, l) {
                    notes.push(format!(
                        "GHL contact {l} is also linked to Bmby client {other}; both write to it"
                    ));
                }
            }
            let (m, shared) = find(self, v, link);
            out.push(Resolved { m, shared, notes });
        }
        // 2. Several clients matching one contact by email or phone: the best one claims it.
        let mut best: HashMap<usize, usize> = HashMap::new();
        for (vi, r) in out.iter().enumerate() {
            let Match::One { index, by } = r.m else {
                continue;
            };
            if by == "link" {
                continue;
            }
            let rank = |vi: usize, by: &str| {
                let name = self.index.contacts[index].display_name();
                match_rank(by, same_name(&views[vi].display_name, &name))
            };
            match best.get(&index) {
                Some(&cur) => {
                    let Match::One { by: cur_by, .. } = out[cur].m else {
                        continue;
                    };
                    if rank(vi, by) < rank(cur, cur_by) {
                        best.insert(index, vi);
                    }
                }
                None => {
                    best.insert(index, vi);
                }
            }
        }
        for (index, vi) in &best {
            self.claims.insert(
                self.index.contacts[*index].id.clone(),
                views[*vi].client_id.clone(),
            );
        }
        // 3. The others are matched again, without the contacts now claimed.
        for (vi, v) in views.iter().enumerate() {
            let again = match &out[vi].m {
                Match::One { index, by } if *by != "link" => best.get(index) != Some(&vi),
                Match::Ambiguous(cands) => cands
                    .iter()
                    .any(|c| self.owner_for(&v.client_id, &c.contact_id).is_some()),
                _ => false,
            };
            if !again {
                continue;
            }
            let (m, shared) = find(self, v, None);
            if let Match::One { index, .. } = m {
                self.claims
                    .insert(self.index.contacts[index].id.clone(), v.client_id.clone());
            }
            let r = &mut out[vi];
            for s in shared {
                if !r.shared.iter().any(|x| x.contact_id == s.contact_id) {
                    r.shared.push(s);
                }
            }
            r.m = m;
        }
        // 4. New contacts sharing a key with another new contact of this read.
        for (vi, v) in views.iter().enumerate() {
            if out[vi].m != Match::None {
                continue;
            }
            let keys = v
                .email
                .iter()
                .map(|e| {
                    (
                        format!("email:{}", email_key(e)),
                        "email",
                        e.trim().to_owned(),
                    )
                })
                .chain(v.phones_e164.iter().map(|p| {
                    (
                        format!("phone:{}", phone_key(p)),
                        "phone",
                        phone_for_people(p),
                    )
                }));
            let mut notes = Vec::new();
            for (key, on, value) in keys {
                match self.new_keys.get(&key) {
                    Some(other) if *other != v.client_id => {
                        let note = format!(
                            "shares {on} {value} with Bmby client {other} (also a new contact in this read); proposed as a separate contact"
                        );
                        if !notes.contains(&note) {
                            notes.push(note);
                        }
                    }
                    Some(_) => {}
                    None => {
                        self.new_keys.insert(key, v.client_id.clone());
                    }
                }
            }
            out[vi].notes.extend(notes);
        }
        out
    }

    fn reconcile(&mut self, proposals: Vec<Proposal>) -> Result<(), StoreError> {
        let mut to_put: Vec<Change> = Vec::new();
        for p in proposals {
            if let Some(problem) = p.problem {
                self.summary.problems.push(problem);
                continue;
            }
            if let Some(contact_id) = p.new_link {
                self.new_links.push((p.client_id.clone(), contact_id));
            }
            match (self.heads.get(&p.client_id), p.change) {
                (Some(e), None) => {
                    // Bmby now agrees with GHL: a pending change is moot — unless a person
                    // edited it, in which case it stays for them to decide.
                    if e.state == ChangeState::Pending && !self.opts.dry_run {
                        let edited = self
                            .store
                            .change(e.id)?
                            .is_some_and(|c| c.fields.iter().any(|f| f.edited));
                        if !edited {
                            self.store.remove_change(e.id)?;
                        }
                    }
                    self.summary.in_sync += 1;
                }
                (None, None) => self.summary.in_sync += 1,
                (Some(e), Some(n)) if e.fingerprint == n.fingerprint => self.summary.unchanged += 1,
                (Some(e), Some(mut n)) if e.state == ChangeState::Pending => {
                    n.id = e.id;
                    n.created_at = e.created_at.clone();
                    if let Some(old) = self.store.change(e.id)? {
                        keep_edits(&old, &mut n);
                        // A person's choice among ambiguous candidates stays undoable.
                        if n.kind != ChangeKind::Ambiguous {
                            n.choice = old.choice;
                        }
                    }
                    self.summary.replaced += 1;
                    to_put.push(n);
                }
                (_, Some(mut n)) => {
                    n.id = if self.opts.dry_run {
                        0
                    } else {
                        self.store.next_seq("change")?
                    };
                    *self
                        .summary
                        .new_changes
                        .entry(n.kind.label().to_owned())
                        .or_default() += 1;
                    to_put.push(n);
                }
            }
        }
        match &self.writer {
            None => self.summary.changes.extend(to_put),
            Some(w) => {
                if w.tx.send(to_put).is_err() {
                    // The writer stopped on an error: finish() reports it.
                    return self.writer.take().map_or(Ok(()), Writer::finish);
                }
            }
        }
        Ok(())
    }

    /// Ends the import: a full read turns linked clients it lacked into deletes; links learnt
    /// are stored; everything is flushed.
    pub fn finish(mut self) -> Result<ImportSummary, StoreError> {
        if self.opts.full {
            let mut deletes = Vec::new();
            for (client_id, contact_id) in &self.links {
                if self.seen.contains(client_id) || self.opts.skipped_clients.contains(client_id) {
                    continue;
                }
                // A contact another client is linked to too is not this client's to delete.
                if self.owner_for(client_id, contact_id).is_some() {
                    continue;
                }
                if let Some(c) = self.index.get(contact_id) {
                    deletes.push(Proposal {
                        client_id: client_id.clone(),
                        change: Some(delete_change(client_id, contact_id, c, &self.stamp)),
                        new_link: None,
                        problem: None,
                    });
                }
            }
            deletes.sort_by(|a, b| a.client_id.cmp(&b.client_id));
            let suspicious =
                deletes.len() > MASS_DELETE_MIN && deletes.len() * 5 > self.links.len();
            if self.opts.skipped_rows > 0 && !deletes.is_empty() {
                self.summary.problems.push(format!(
                    "not proposing {} deletes: {} broken row(s) of this file were skipped without \
                     a readable client id, so it is not a complete read (a skipped client would \
                     look deleted). Fix the rows named above and import the file again.",
                    deletes.len(),
                    self.opts.skipped_rows
                ));
            } else if suspicious && !self.opts.allow_mass_delete {
                self.summary.problems.push(format!(
                    "not proposing {} deletes: this full read lacks {} of the {} Bmby clients linked to GHL \
                     contacts, which looks like a cut-off or filtered export. If the file really is \
                     complete, import it again with --allow-mass-delete.",
                    deletes.len(),
                    deletes.len(),
                    self.links.len()
                ));
            } else {
                self.reconcile(deletes)?;
            }
        }
        self.summary.links_added = self.new_links.len();
        if let Some(w) = self.writer.take() {
            w.finish()?;
        }
        if !self.opts.dry_run {
            self.store.put_links(&self.new_links)?;
            self.store.flush()?;
        }
        Ok(self.summary)
    }
}

/// Imports already-normalized clients in one go (see [`Importer`] for large reads).
///
/// Errors: only store errors; problems with single clients are reported in the summary.
pub fn import_clients(
    store: &Store,
    views: Vec<ClientView>,
    mapping: &Mapping,
    opts: &ImportOptions,
) -> Result<ImportSummary, StoreError> {
    let mut imp = Importer::new(store, mapping, opts.clone())?;
    imp.feed(views)?;
    imp.finish()
}

/// Normalizes and imports raw Bmby clients in chunks of 4096, consuming them as it goes:
/// the path for export files and SOAP reads.
pub fn import_bmby_clients(
    store: &Store,
    clients: Vec<crate::bmby::BmbyClient>,
    mapping: &Mapping,
    opts: &ImportOptions,
) -> Result<ImportSummary, StoreError> {
    feed_in_chunks(Importer::new(store, mapping, opts.clone())?, clients)
}

/// Reads a Bmby export file and imports it (see [`import_bmby_clients`]). Returns the summary,
/// the file's name and the read's row problems (`row 12, column "phone_mobile": …`), which never
/// stop it; a skipped row proposes nothing. Unless `dry_run`, the problems are also stored
/// for the TUI ([`super::import_problems`]).
///
/// Errors: the file cannot be read or lacks a required column ([`crate::bmby::export::ExportError`],
/// naming the file), or the store fails.
pub fn import_export_file(
    store: &Store,
    path: &std::path::Path,
    export: &crate::bmby::export::ExportOptions,
    mapping: &Mapping,
    opts: &ImportOptions,
) -> Result<(ImportSummary, String, Vec<crate::bmby::export::RowProblem>), ImportFileError> {
    // Reading the file and loading the cached contacts are independent: do them at once.
    let opts = ImportOptions {
        full: export.full,
        ..opts.clone()
    };
    let (read, importer) = std::thread::scope(|s| {
        let reader = s.spawn(|| crate::bmby::export::read_export(path, export));
        let importer = Importer::new(store, mapping, opts.clone());
        (reader.join().expect("export reader panicked"), importer)
    });
    let read = read?;
    let mut importer = importer?;
    importer.opts.skipped_rows = read
        .problems
        .iter()
        .map(crate::bmby::export::RowProblem::unknown_skipped)
        .sum();
    importer.opts.skipped_clients = read
        .problems
        .iter()
        .filter(|p| p.rows_skipped() > 0)
        .flat_map(|p| p.client_ids.iter().cloned())
        .collect();
    release_free_memory();
    let notices = unused_column_notices(&read.custom_columns, mapping);
    let mut summary = feed_in_chunks(importer, read.clients)?;
    summary.notices = notices;
    if !opts.dry_run {
        super::import_problems::save_with_notices(
            store,
            &read.source,
            &read.problems,
            &summary.notices,
        )?;
    }
    Ok((summary, read.source, read.problems))
}

/// One notice per export column that feeds nothing: its header names no Bmby field
/// (`custom_columns`, see [`crate::bmby::export::ExportRead::custom_columns`]) and no
/// `[mapping]` entry sends a custom field of that title anywhere. Text:
/// `column 5 "foo" is not used (known columns: client_id, fname, …; their spellings: bmby-ghl mapping)`;
/// the column number counts from 1, as a spreadsheet person does.
pub fn unused_column_notices(custom_columns: &[(usize, String)], mapping: &Mapping) -> Vec<String> {
    let known = crate::bmby::export::Field::ALL
        .iter()
        .map(|f| f.bmby_name())
        .collect::<Vec<_>>()
        .join(", ");
    custom_columns
        .iter()
        .filter(|(_, name)| !mapping.fields.contains_key(name))
        .map(|(i, name)| {
            format!(
                "column {} {:?} is not used (known columns: {known}; their spellings: bmby-ghl mapping)",
                i + 1,
                crate::sanitize::clean_line(name)
            )
        })
        .collect()
}

/// Hands memory freed by the read (the raw cells of a large file) back to the system before
/// the matching starts, so a 100k-row import peaks lower (glibc keeps freed heap otherwise).
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused heap pages to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Normalizes and feeds clients in chunks of 4096, consuming them as it goes, then finishes.
fn feed_in_chunks(
    mut imp: Importer<'_>,
    clients: Vec<crate::bmby::BmbyClient>,
) -> Result<ImportSummary, StoreError> {
    const CHUNK: usize = 4096;
    let mut it = clients.into_iter();
    for n in 0.. {
        let chunk: Vec<_> = it.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        imp.feed(super::client_view::into_views(chunk))?;
        if n % 4 == 3 {
            release_free_memory();
        }
    }
    imp.finish()
}

/// Why an export file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportFileError {
    #[error(transparent)]
    Export(#[from] crate::bmby::export::ExportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}
