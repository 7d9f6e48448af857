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

/// Record format of changes: 2 added `subject` and `target` (tasks, notes, Bmby write-back).
/// Format-1 changes are read as contact changes to GHL.
const CHANGE_FORMAT: u8 = 2;

/// Key of the links record in the `links` tree.
const LINKS_KEY: &[u8] = b"client_to_contact";

fn encode<T: serde::Serialize>(v: &T) -> Vec<u8> {
    encode_as(FORMAT, v)
}

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

    /// Reads a stored change of either format.
    fn decode_change(&self, key: &[u8], v: &[u8]) -> Result<Change> {
        match v.split_first() {
            Some((&CHANGE_FORMAT, rest)) => {
                bincode::deserialize(rest).map_err(|e| StoreError::Corrupt {
                    path: self.path().to_path_buf(),
                    tree: "changes",
                    key: String::from_utf8_lossy(key).into_owned(),
                    message: e.to_string(),
                })
            }
            _ => self
                .decode_versioned::<ChangeV1>("changes", key, v)
                .map(Change::from),
        }
    }

    /// Saves (inserts or replaces) a change.
    pub fn put_change(&self, c: &Change) -> Result<()> {
        self.changes
            .insert(c.id.to_be_bytes(), encode_as(CHANGE_FORMAT, c))
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
            let c: Change = self.decode_change(&k, &v)?;
            // Only changes an import made: hand edits and write-backs are never superseded.
            if c.origin == crate::domain::LOCAL_ORIGIN
                || c.target != crate::domain::Target::Ghl
                || c.subject != crate::domain::Subject::Contact
            {
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
            Some(v) => self.decode_versioned("outbox", &id.to_be_bytes(), &v),
            None => Ok(OutboxInfo::default()),
        }
    }

    /// Saves a change and its dispatch details together, then flushes: a state written here
    /// survives a crash right after.
    pub fn put_dispatch(&self, c: &Change, info: &OutboxInfo) -> Result<()> {
        self.put_change(c)?;
        self.outbox
            .insert(c.id.to_be_bytes(), encode(info))
            .map_err(|e| self.err(e))?;
        self.flush()
    }

    /// Appends to the journal and flushes. Returns the entry's sequence number.
    pub fn append_journal(&self, mut e: JournalEntry) -> Result<u64> {
        e.seq = self.next_seq("journal")?;
        self.journal
            .insert(e.seq.to_be_bytes(), encode(&e))
            .map_err(|e| self.err(e))?;
        self.flush()?;
        Ok(e.seq)
    }

    /// The journal, oldest first.
    pub fn journal(&self) -> Result<Vec<JournalEntry>> {
        let mut out = Vec::new();
        for kv in self.journal.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            out.push(self.decode_versioned("journal", &k, &v)?);
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
        Change {
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
            subject: crate::domain::Subject::Contact,
            target: crate::domain::Target::Ghl,
        }
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
        // Written back in format 2 and read again unchanged.
        store.put_change(&c).unwrap();
        assert_eq!(store.change(7).unwrap().unwrap(), c);
        assert_eq!(
            store.changes.get(7u64.to_be_bytes()).unwrap().unwrap()[0],
            2
        );
    }
}
