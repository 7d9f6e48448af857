//! Turning a read of Bmby clients (an export file or a SOAP pull) into pending changes:
//! match, diff, and reconcile with the changes already stored, so that reading the same data
//! twice adds nothing and newer data replaces a still-pending change of the same client.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::diff::{field_changes, ClientView};
use super::mapping::Mapping;
use super::matching::{ContactIndex, Match};
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

/// What one client proposes, computed without touching the store.
struct Proposal {
    client_id: String,
    change: Option<Change>,
    /// A link learnt from an email/phone match.
    new_link: Option<String>,
    /// Why nothing was proposed for a client that should have been.
    problem: Option<String>,
}

fn propose(
    view: ClientView,
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
    let m = index.find(link, view.email.as_deref(), &view.phones_e164);
    let mut new_link = None;
    let (kind, contact, candidates) = match &m {
        Match::One { index: i, by } => {
            let c = &index.contacts[*i];
            if *by != "link" {
                new_link = Some(c.id.clone());
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
        origin: "absent from a full read".into(),
        warnings: vec![format!(
            "Bmby client {client_id} is linked to this contact but absent from the full read"
        )],
        candidates: Vec::new(),
        created_at: stamp.to_owned(),
        updated_at: stamp.to_owned(),
        subject: Subject::Contact,
        target: Target::Ghl,
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
            links: store.link_map()?,
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
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let per = unique.len().div_ceil(threads).max(1);
        let mut parts: Vec<Vec<ClientView>> = Vec::new();
        let mut it = unique.into_iter().peekable();
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
                            .map(|v| {
                                propose(
                                    v,
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
                if self.seen.contains(client_id) {
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
            if suspicious && !self.opts.allow_mass_delete {
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
/// stop it.
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
    release_free_memory();
    let summary = feed_in_chunks(importer?, read.clients)?;
    Ok((summary, read.source, read.problems))
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
