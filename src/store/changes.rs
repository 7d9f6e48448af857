//! Persistence of changes and of the Bmby `client_id` ⇄ GHL contact links.
//!
//! Changes are one record each (their state moves one at a time). Links are read and written as
//! a whole (matching needs all of them at once), so they live in one record: a bulk import
//! writes one value instead of one per client.

use std::collections::HashMap;

use super::{Store, StoreError};
use crate::domain::{Change, ChangeState, JournalEntry, OutboxInfo};

type Result<T> = std::result::Result<T, StoreError>;

/// First byte of every stored change and of the links record: the record format. Changes and
/// links cannot be fetched again from anywhere, so a future format gets a new number and a
/// migration, never a silent rebuild.
const FORMAT: u8 = 1;

/// Record format of changes: 2 added `subject` and `target` (tasks, notes, Bmby write-back);
/// 3 is JSON (self-describing), so a field added later only needs `#[serde(default)]` and no
/// new format. Format-1 changes are read as contact changes to GHL, format 2 as written.
const CHANGE_FORMAT_V2: u8 = 2;

/// The self-describing record format (JSON) of changes, outbox details and journal entries.
/// Every field added to [`Change`], [`OutboxInfo`] or [`JournalEntry`] after it must carry
/// `#[serde(default)]`, so records written before still read.
const JSON_FORMAT: u8 = 3;

/// Key of the links record in the `links` tree.
const LINKS_KEY: &[u8] = b"client_to_contact";

fn encode<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let mut out = vec![FORMAT];
    bincode::serialize_into(&mut out, v).expect("bincode encoding of plain data cannot fail");
    out
}

/// A record in the self-describing [`JSON_FORMAT`].
fn encode_json<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let mut out = vec![JSON_FORMAT];
    serde_json::to_writer(&mut out, v).expect("JSON encoding of plain data cannot fail");
    out
}

#[cfg(test)]
fn encode_as<T: serde::Serialize>(format: u8, v: &T) -> Vec<u8> {
    let mut out = vec![format];
    bincode::serialize_into(&mut out, v).expect("bincode encoding of plain data cannot fail");
    out
}

/// What an import needs to know of a client's latest change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeHead {
    pub id: u64,
    pub state: ChangeState,
    pub fingerprint: String,
    pub created_at: String,
}

impl Store {
    fn decode_versioned<T: serde::de::DeserializeOwned>(
        &self,
        tree: &'static str,
        key: &[u8],
        v: &[u8],
    ) -> Result<T> {
        let corrupt = |message: String| StoreError::Corrupt {
            path: self.path().to_path_buf(),
            tree,
            key: String::from_utf8_lossy(key).into_owned(),
            message,
        };
        match v.split_first() {
            Some((&FORMAT, rest)) => bincode::deserialize(rest).map_err(|e| corrupt(e.to_string())),
            Some((other, _)) => Err(corrupt(format!(
                "unknown record format {other} (written by a newer bmby-ghl?)"
            ))),
            None => Err(corrupt("empty record".into())),
        }
    }

    /// Reads a record of `tree` written as JSON (format 3), or in the older bincode layout
    /// `Old` (format 1) converted to `T`.
    fn decode_evolving<T, Old>(&self, tree: &'static str, key: &[u8], v: &[u8]) -> Result<T>
    where
        T: serde::de::DeserializeOwned,
        Old: serde::de::DeserializeOwned + Into<T>,
    {
        match v.split_first() {
            Some((&JSON_FORMAT, rest)) => {
                serde_json::from_slice(rest).map_err(|e| StoreError::Corrupt {
                    path: self.path().to_path_buf(),
                    tree,
                    key: String::from_utf8_lossy(key).into_owned(),
                    message: e.to_string(),
                })
            }
            _ => self.decode_versioned::<Old>(tree, key, v).map(Into::into),
        }
    }

    /// Reads a stored change of any format.
    fn decode_change(&self, key: &[u8], v: &[u8]) -> Result<Change> {
        match v.split_first() {
            Some((&CHANGE_FORMAT_V2, rest)) => bincode::deserialize::<ChangeV2>(rest)
                .map(Change::from)
                .map_err(|e| StoreError::Corrupt {
                    path: self.path().to_path_buf(),
                    tree: "changes",
                    key: String::from_utf8_lossy(key).into_owned(),
                    message: e.to_string(),
                }),
            _ => self.decode_evolving::<Change, ChangeV1>("changes", key, v),
        }
    }

    /// Saves (inserts or replaces) a change.
    pub fn put_change(&self, c: &Change) -> Result<()> {
        self.changes
            .insert(c.id.to_be_bytes(), encode_json(c))
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Saves many changes (an import's worth).
    pub fn put_changes(&self, changes: &[Change]) -> Result<()> {
        for c in changes {
            self.put_change(c)?;
        }
        Ok(())
    }

    /// Removes a change (a superseded pending one).
    pub fn remove_change(&self, id: u64) -> Result<()> {
        self.changes
            .remove(id.to_be_bytes())
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// One change by id.
    pub fn change(&self, id: u64) -> Result<Option<Change>> {
        match self
            .changes
            .get(id.to_be_bytes())
            .map_err(|e| self.err(e))?
        {
            Some(v) => Ok(Some(self.decode_change(&id.to_be_bytes(), &v)?)),
            None => Ok(None),
        }
    }

    /// Every change, oldest first.
    pub fn changes(&self) -> Result<Vec<Change>> {
        let mut out = Vec::with_capacity(self.changes.len());
        for kv in self.changes.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            out.push(self.decode_change(&k, &v)?);
        }
        Ok(out)
    }

    /// The latest change an import made for every client (one pass over the changes; hand
    /// edits and write-backs to Bmby are left out).
    pub fn change_heads(&self) -> Result<HashMap<String, ChangeHead>> {
        let mut out: HashMap<String, ChangeHead> = HashMap::new();
        for kv in self.changes.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            let c: HeadView = match v.split_first() {
                // Only the fields a head needs (a full change holds its fields and history).
                Some((&JSON_FORMAT, rest)) => {
                    serde_json::from_slice(rest).map_err(|e| StoreError::Corrupt {
                        path: self.path().to_path_buf(),
                        tree: "changes",
                        key: String::from_utf8_lossy(&k).into_owned(),
                        message: e.to_string(),
                    })?
                }
                _ => HeadView::from(self.decode_change(&k, &v)?),
            };
            // Only changes an import made: hand edits, reverts and write-backs are never
            // superseded by Bmby data.
            if !crate::domain::change::is_import(&c.origin, &c.fingerprint, c.target, &c.subject) {
                continue;
            }
            // Keys are ids in increasing order, so a later one replaces an earlier one.
            out.insert(
                c.client_id,
                ChangeHead {
                    id: c.id,
                    state: c.state,
                    fingerprint: c.fingerprint,
                    created_at: c.created_at,
                },
            );
        }
        Ok(out)
    }

    /// The latest change of one Bmby client (scans the changes; for single look-ups).
    pub fn change_for_client(&self, client_id: &str) -> Result<Option<Change>> {
        match self.change_heads()?.get(client_id) {
            Some(h) => self.change(h.id),
            None => Ok(None),
        }
    }

    /// Every link: Bmby `client_id` → GHL contact id.
    pub fn link_map(&self) -> Result<HashMap<String, String>> {
        match self.links.get(LINKS_KEY).map_err(|e| self.err(e))? {
            Some(v) => self.decode_versioned("links", LINKS_KEY, &v),
            None => Ok(HashMap::new()),
        }
    }

    /// Adds or replaces links (one write for all of them).
    pub fn put_links(&self, links: &[(String, String)]) -> Result<()> {
        if links.is_empty() {
            return Ok(());
        }
        let mut map = self.link_map()?;
        for (client, contact) in links {
            map.insert(client.clone(), contact.clone());
        }
        self.links
            .insert(LINKS_KEY, encode(&map))
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Unlinks the Bmby clients in `remove`, then adds or replaces the links in `put`, in one
    /// write (settling an ambiguous change, and undoing that).
    pub fn relink(&self, put: &[(String, String)], remove: &[String]) -> Result<()> {
        let mut map = self.link_map()?;
        for client in remove {
            map.remove(client);
        }
        for (client, contact) in put {
            map.insert(client.clone(), contact.clone());
        }
        self.links
            .insert(LINKS_KEY, encode(&map))
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Links a Bmby client to a GHL contact.
    pub fn put_link(&self, client_id: &str, contact_id: &str) -> Result<()> {
        self.put_links(&[(client_id.to_owned(), contact_id.to_owned())])
    }

    /// The GHL contact linked to a Bmby client.
    pub fn link(&self, client_id: &str) -> Result<Option<String>> {
        Ok(self.link_map()?.remove(client_id))
    }

    /// Every link as (Bmby `client_id`, GHL contact id), sorted by client id.
    pub fn links(&self) -> Result<Vec<(String, String)>> {
        let mut v: Vec<_> = self.link_map()?.into_iter().collect();
        v.sort();
        Ok(v)
    }

    /// Dispatch details of a change (default when none yet).
    pub fn outbox_info(&self, id: u64) -> Result<OutboxInfo> {
        match self.outbox.get(id.to_be_bytes()).map_err(|e| self.err(e))? {
            Some(v) => {
                self.decode_evolving::<OutboxInfo, OutboxInfoV1>("outbox", &id.to_be_bytes(), &v)
            }
            None => Ok(OutboxInfo::default()),
        }
    }

    /// Saves a change and its dispatch details together, then flushes: a state written here
    /// survives a crash right after.
    pub fn put_dispatch(&self, c: &Change, info: &OutboxInfo) -> Result<()> {
        self.put_change(c)?;
        self.outbox
            .insert(c.id.to_be_bytes(), encode_json(info))
            .map_err(|e| self.err(e))?;
        self.flush()
    }

    /// Appends to the journal and flushes. Returns the entry's sequence number.
    pub fn append_journal(&self, mut e: JournalEntry) -> Result<u64> {
        e.seq = self.next_seq("journal")?;
        self.journal
            .insert(e.seq.to_be_bytes(), encode_json(&e))
            .map_err(|e| self.err(e))?;
        self.flush()?;
        Ok(e.seq)
    }

    /// The journal, oldest first.
    pub fn journal(&self) -> Result<Vec<JournalEntry>> {
        let mut out = Vec::new();
        for kv in self.journal.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            out.push(self.decode_evolving::<JournalEntry, JournalEntryV1>("journal", &k, &v)?);
        }
        Ok(out)
    }
}

/// A change as format 1 stored it (before tasks, notes and Bmby write-back).
#[derive(serde::Deserialize)]
struct ChangeV1 {
    id: u64,
    kind: crate::domain::ChangeKind,
    state: ChangeState,
    client_id: String,
    contact_id: Option<String>,
    display_name: String,
    fields: Vec<crate::domain::FieldChange>,
    base_date_updated: Option<String>,
    origin: String,
    warnings: Vec<String>,
    candidates: Vec<crate::domain::Candidate>,
    fingerprint: String,
    created_at: String,
    updated_at: String,
}

impl From<ChangeV1> for Change {
    fn from(c: ChangeV1) -> Change {
        // Built from JSON so fields added after format 1 take their serde defaults.
        serde_json::from_value(serde_json::json!({
            "id": c.id,
            "kind": c.kind,
            "state": c.state,
            "client_id": c.client_id,
            "contact_id": c.contact_id,
            "display_name": c.display_name,
            "fields": c.fields,
            "base_date_updated": c.base_date_updated,
            "origin": c.origin,
            "warnings": c.warnings,
            "candidates": c.candidates,
            "fingerprint": c.fingerprint,
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "subject": crate::domain::Subject::Contact,
            "target": crate::domain::Target::Ghl,
        }))
        .expect("format-1 change fields are a subset of Change")
    }
}

/// The fields of a stored change that [`Store::change_heads`] needs.
#[derive(serde::Deserialize)]
struct HeadView {
    id: u64,
    state: ChangeState,
    client_id: String,
    origin: String,
    fingerprint: String,
    created_at: String,
    #[serde(default)]
    subject: crate::domain::Subject,
    #[serde(default)]
    target: crate::domain::Target,
}

impl From<Change> for HeadView {
    fn from(c: Change) -> HeadView {
        HeadView {
            id: c.id,
            state: c.state,
            client_id: c.client_id,
            origin: c.origin,
            fingerprint: c.fingerprint,
            created_at: c.created_at,
            subject: c.subject,
            target: c.target,
        }
    }
}

/// A change as format 2 stored it (bincode; the layout of `Change` before format 3).
#[derive(serde::Deserialize)]
struct ChangeV2 {
    id: u64,
    kind: crate::domain::ChangeKind,
    state: ChangeState,
    client_id: String,
    contact_id: Option<String>,
    display_name: String,
    fields: Vec<crate::domain::FieldChange>,
    base_date_updated: Option<String>,
    origin: String,
    warnings: Vec<String>,
    candidates: Vec<crate::domain::Candidate>,
    fingerprint: String,
    created_at: String,
    updated_at: String,
    subject: crate::domain::Subject,
    target: crate::domain::Target,
}

impl From<ChangeV2> for Change {
    fn from(c: ChangeV2) -> Change {
        let mut out = Change::from(ChangeV1 {
            id: c.id,
            kind: c.kind,
            state: c.state,
            client_id: c.client_id,
            contact_id: c.contact_id,
            display_name: c.display_name,
            fields: c.fields,
            base_date_updated: c.base_date_updated,
            origin: c.origin,
            warnings: c.warnings,
            candidates: c.candidates,
            fingerprint: c.fingerprint,
            created_at: c.created_at,
            updated_at: c.updated_at,
        });
        out.subject = c.subject;
        out.target = c.target;
        out
    }
}

/// Outbox details as format 1 stored them (bincode).
#[derive(serde::Deserialize)]
struct OutboxInfoV1 {
    attempts: u32,
    last_error: Option<String>,
    ghl_now: Vec<(String, Option<String>)>,
    dropped_fields: Vec<String>,
    contact_id: Option<String>,
}

impl From<OutboxInfoV1> for OutboxInfo {
    fn from(o: OutboxInfoV1) -> OutboxInfo {
        // Built from JSON so fields added after format 1 take their serde defaults.
        serde_json::from_value(serde_json::json!({
            "attempts": o.attempts,
            "last_error": o.last_error,
            "ghl_now": o.ghl_now,
            "dropped_fields": o.dropped_fields,
            "contact_id": o.contact_id,
        }))
        .expect("format-1 outbox fields are a subset of OutboxInfo")
    }
}

/// A journal entry as format 1 stored it (bincode).
#[derive(serde::Deserialize)]
struct JournalEntryV1 {
    seq: u64,
    change_id: u64,
    request: String,
    fields_sent: Vec<String>,
    status: Option<u16>,
    trace_id: Option<String>,
    outcome: String,
    at: String,
}

impl From<JournalEntryV1> for JournalEntry {
    fn from(e: JournalEntryV1) -> JournalEntry {
        // Built from JSON so fields added after format 1 take their serde defaults.
        serde_json::from_value(serde_json::json!({
            "seq": e.seq,
            "change_id": e.change_id,
            "request": e.request,
            "fields_sent": e.fields_sent,
            "status": e.status,
            "trace_id": e.trace_id,
            "outcome": e.outcome,
            "at": e.at,
        }))
        .expect("format-1 journal fields are a subset of JournalEntry")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ChangeKind, FieldChange, Subject, Target};

    /// The format-1 layout, written as session-1 builds wrote it.
    #[derive(serde::Serialize)]
    struct V1<'a> {
        id: u64,
        kind: ChangeKind,
        state: ChangeState,
        client_id: &'a str,
        contact_id: Option<&'a str>,
        display_name: &'a str,
        fields: Vec<FieldChange>,
        base_date_updated: Option<&'a str>,
        origin: &'a str,
        warnings: Vec<String>,
        candidates: Vec<crate::domain::Candidate>,
        fingerprint: &'a str,
        created_at: &'a str,
        updated_at: &'a str,
    }

    #[test]
    fn format_1_changes_are_read_as_contact_changes_to_ghl() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_path(&dir.path().join("c.sled")).unwrap();
        let v1 = V1 {
            id: 7,
            kind: ChangeKind::Update,
            state: ChangeState::Approved,
            client_id: "1001",
            contact_id: Some("abc"),
            display_name: "Dana",
            fields: vec![],
            base_date_updated: None,
            origin: "clients.csv row 2",
            warnings: vec![],
            candidates: vec![],
            fingerprint: "f",
            created_at: "2026-01-01T00:00:00Z",
            updated_at: "2026-01-01T00:00:00Z",
        };
        store
            .changes
            .insert(7u64.to_be_bytes(), encode_as(1, &v1))
            .unwrap();
        let c = store.change(7).unwrap().unwrap();
        assert_eq!(c.client_id, "1001");
        assert_eq!(c.state, ChangeState::Approved);
        assert_eq!(c.subject, Subject::Contact);
        assert_eq!(c.target, Target::Ghl);
        // Written back in format 3 and read again unchanged.
        store.put_change(&c).unwrap();
        assert_eq!(store.change(7).unwrap().unwrap(), c);
        assert_eq!(
            store.changes.get(7u64.to_be_bytes()).unwrap().unwrap()[0],
            JSON_FORMAT
        );
    }

    #[test]
    fn format_2_changes_and_format_1_outbox_and_journal_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_path(&dir.path().join("c.sled")).unwrap();
        let mut c = store.change(0).unwrap();
        assert!(c.is_none());
        // A format-2 (bincode) change: the V1 layout followed by subject and target.
        let mut bytes = encode_as(
            2,
            &V1 {
                id: 9,
                kind: ChangeKind::Create,
                state: ChangeState::Pending,
                client_id: "1002",
                contact_id: None,
                display_name: "Ron",
                fields: vec![],
                base_date_updated: None,
                origin: "soap",
                warnings: vec![],
                candidates: vec![],
                fingerprint: "g",
                created_at: "2026-01-01T00:00:00Z",
                updated_at: "2026-01-01T00:00:00Z",
            },
        );
        bincode::serialize_into(&mut bytes, &Subject::Note { note_id: None }).unwrap();
        bincode::serialize_into(&mut bytes, &Target::Bmby).unwrap();
        store.changes.insert(9u64.to_be_bytes(), bytes).unwrap();
        c = store.change(9).unwrap();
        let c = c.unwrap();
        assert_eq!(c.subject, Subject::Note { note_id: None });
        assert_eq!(c.target, Target::Bmby);
        assert_eq!(c.display_name, "Ron");

        #[derive(serde::Serialize)]
        struct OutboxV1 {
            attempts: u32,
            last_error: Option<String>,
            ghl_now: Vec<(String, Option<String>)>,
            dropped_fields: Vec<String>,
            contact_id: Option<String>,
        }
        let o = OutboxV1 {
            attempts: 3,
            last_error: Some("HTTP 502".into()),
            ghl_now: vec![("email".into(), None)],
            dropped_fields: vec![],
            contact_id: Some("abc".into()),
        };
        store
            .outbox
            .insert(9u64.to_be_bytes(), encode_as(1, &o))
            .unwrap();
        let info = store.outbox_info(9).unwrap();
        assert_eq!(info.attempts, 3);
        assert_eq!(info.contact_id.as_deref(), Some("abc"));

        #[derive(serde::Serialize)]
        struct JournalV1 {
            seq: u64,
            change_id: u64,
            request: String,
            fields_sent: Vec<String>,
            status: Option<u16>,
            trace_id: Option<String>,
            outcome: String,
            at: String,
        }
        let j = JournalV1 {
            seq: 0,
            change_id: 9,
            request: "PUT /contacts/abc".into(),
            fields_sent: vec!["email".into()],
            status: Some(200),
            trace_id: None,
            outcome: "applied".into(),
            at: "2026-01-01T00:00:00Z".into(),
        };
        store
            .journal
            .insert(0u64.to_be_bytes(), encode_as(1, &j))
            .unwrap();
        let all = store.journal().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].request, "PUT /contacts/abc");
        assert_eq!(all[0].kind, None, "an old entry has no who/what");
        assert!(all[0].values.is_empty());
        // New entries are JSON and read back beside the old one.
        store.append_journal(all[0].clone()).unwrap();
        assert_eq!(store.journal().unwrap().len(), 2);
    }

    #[test]
    fn json_journal_entries_written_before_the_who_and_what_fields_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "loc").unwrap();
        // A format-3 entry as builds before the contact, values and snapshot fields wrote it.
        let old = serde_json::json!({
            "seq": 4, "change_id": 2, "request": "DELETE /contacts/abc", "fields_sent": [],
            "status": 200, "trace_id": "t-1", "outcome": "deleted", "at": "2026-01-01T00:00:00Z"
        });
        let mut bytes = vec![JSON_FORMAT];
        serde_json::to_writer(&mut bytes, &old).unwrap();
        store.journal.insert(4u64.to_be_bytes(), bytes).unwrap();
        let all = store.journal().unwrap();
        assert_eq!(all[0].trace_id.as_deref(), Some("t-1"));
        assert_eq!(all[0].contact_id, None);
        assert_eq!(all[0].subject, Subject::Contact);
        assert_eq!(all[0].target, Target::Ghl);
        assert_eq!(all[0].snapshot, None);
        // And a new entry round-trips every field.
        let mut e = all[0].clone();
        e.contact_id = Some("abc".into());
        e.contact_name = "דנה".into();
        e.kind = Some(ChangeKind::Delete);
        e.snapshot = Some(serde_json::json!({ "id": "abc" }));
        e.values = vec![crate::domain::JournalValue {
            field: "email".into(),
            label: "Email".into(),
            before: Some("d@x.com".into()),
            after: None,
        }];
        let seq = store.append_journal(e.clone()).unwrap();
        let back = store
            .journal()
            .unwrap()
            .into_iter()
            .find(|x| x.seq == seq)
            .unwrap();
        assert_eq!(back, JournalEntry { seq, ..e });
    }

    #[test]
    fn heads_are_import_changes_only_never_a_revert_or_a_hand_edit() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_path(&dir.path().join("c.sled")).unwrap();
        let base: Change = serde_json::from_value(serde_json::json!({
            "id": 1, "kind": "update", "state": "applied", "client_id": "1001",
            "contact_id": "abc", "display_name": "Dana", "fields": [],
            "base_date_updated": null, "origin": "clients.csv row 2", "warnings": [],
            "candidates": [], "fingerprint": "f1", "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z", "subject": "contact", "target": "ghl"
        }))
        .unwrap();
        store.put_change(&base).unwrap();
        let revert = Change {
            id: 2,
            state: ChangeState::Pending,
            origin: "revert of journal #3".into(),
            fingerprint: format!("{}3", crate::domain::change::REVERT_FINGERPRINT_PREFIX),
            ..base.clone()
        };
        store.put_change(&revert).unwrap();
        let local = Change {
            id: 3,
            origin: crate::domain::LOCAL_ORIGIN.into(),
            fingerprint: "local".into(),
            ..base.clone()
        };
        store.put_change(&local).unwrap();
        let heads = store.change_heads().unwrap();
        assert_eq!(heads.len(), 1);
        let h = &heads["1001"];
        assert_eq!((h.id, h.fingerprint.as_str()), (1, "f1"));
        assert!(!revert.is_import() && !local.is_import() && base.is_import());
    }
}
