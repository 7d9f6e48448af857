//! Persistence of changes and of the Bmby `client_id` ⇄ GHL contact links.

use super::{Store, StoreError};
use crate::domain::Change;

type Result<T> = std::result::Result<T, StoreError>;

impl Store {
    fn decode_change(&self, key: &[u8], v: &[u8]) -> Result<Change> {
        serde_json::from_slice(v).map_err(|e| StoreError::Corrupt {
            path: self.path().to_path_buf(),
            tree: "changes",
            key: format!("{:?}", key),
            message: e.to_string(),
        })
    }

    /// Saves (inserts or replaces) a change and indexes it as its client's latest.
    pub fn put_change(&self, c: &Change) -> Result<()> {
        let v = serde_json::to_vec(c).expect("change serializes");
        self.changes
            .insert(c.id.to_be_bytes(), v)
            .map_err(|e| self.err(e))?;
        self.changes_by_client
            .insert(c.client_id.as_bytes(), &c.id.to_be_bytes())
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Removes a change (a superseded pending one).
    pub fn remove_change(&self, id: u64) -> Result<()> {
        if let Some(c) = self.change(id)? {
            self.changes
                .remove(id.to_be_bytes())
                .map_err(|e| self.err(e))?;
            let latest = self
                .changes_by_client
                .get(c.client_id.as_bytes())
                .map_err(|e| self.err(e))?;
            if latest.as_deref() == Some(&id.to_be_bytes()[..]) {
                self.changes_by_client
                    .remove(c.client_id.as_bytes())
                    .map_err(|e| self.err(e))?;
            }
        }
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

    /// The latest change of a Bmby client.
    pub fn change_for_client(&self, client_id: &str) -> Result<Option<Change>> {
        match self
            .changes_by_client
            .get(client_id.as_bytes())
            .map_err(|e| self.err(e))?
        {
            Some(k) => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&k[..8.min(k.len())]);
                self.change(u64::from_be_bytes(b))
            }
            None => Ok(None),
        }
    }

    /// Every change, oldest first.
    pub fn changes(&self) -> Result<Vec<Change>> {
        let mut out = Vec::new();
        for kv in self.changes.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            out.push(self.decode_change(&k, &v)?);
        }
        Ok(out)
    }

    /// Links a Bmby client to a GHL contact.
    pub fn put_link(&self, client_id: &str, contact_id: &str) -> Result<()> {
        self.links
            .insert(client_id.as_bytes(), contact_id.as_bytes())
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The GHL contact linked to a Bmby client.
    pub fn link(&self, client_id: &str) -> Result<Option<String>> {
        Ok(self
            .links
            .get(client_id.as_bytes())
            .map_err(|e| self.err(e))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Every link: (Bmby `client_id`, GHL contact id).
    pub fn links(&self) -> Result<Vec<(String, String)>> {
        self.links
            .iter()
            .map(|kv| {
                let (k, v) = kv.map_err(|e| self.err(e))?;
                Ok((
                    String::from_utf8_lossy(&k).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                ))
            })
            .collect()
    }
}
