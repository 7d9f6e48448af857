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

/// Key of the links record in the `links` tree.
const LINKS_KEY: &[u8] = b"client_to_contact";

fn encode<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let mut out = vec![FORMAT];
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

    /// Saves (inserts or replaces) a change.
    pub fn put_change(&self, c: &Change) -> Result<()> {
        self.changes
            .insert(c.id.to_be_bytes(), encode(c))
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
            Some(v) => Ok(Some(self.decode_versioned(
                "changes",
                &id.to_be_bytes(),
                &v,
            )?)),
            None => Ok(None),
        }
    }

    /// Every change, oldest first.
    pub fn changes(&self) -> Result<Vec<Change>> {
        let mut out = Vec::with_capacity(self.changes.len());
        for kv in self.changes.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            out.push(self.decode_versioned("changes", &k, &v)?);
        }
        Ok(out)
    }

    /// The latest change of every client (one pass over the changes).
    pub fn change_heads(&self) -> Result<HashMap<String, ChangeHead>> {
        let mut out: HashMap<String, ChangeHead> = HashMap::new();
        for kv in self.changes.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            let c: Change = self.decode_versioned("changes", &k, &v)?;
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
