//! Reading the list rows of the contact records (`super::contact_table`) into the compact in-memory list ([`RowList`]).
//!
//! Each record's row part (`super::record`) is decoded borrowing its strings from the record
//! (no allocation per field) and copied into the list's arena, so a load never holds more than
//! one record's worth of decoded row beside the list; the rest of the record is not decoded.

use super::db::{Store, StoreError};
use crate::domain::{RowList, RowListBuilder, RowParts};

impl Store {
    /// Every list row, compact, read record by record from the contact records (without a name
    /// order). Unreadable rows are skipped and logged, never fatal. What
    /// [`Store::contact_list`] falls back to when the list snapshot cannot be used.
    pub fn contact_list_from_rows(&self) -> Result<RowList, StoreError> {
        self.read_list(usize::MAX)
    }

    /// The first `n` list rows in key order, compact (for the first frame, before the full
    /// list loads).
    pub fn contact_list_head(&self, n: usize) -> Result<RowList, StoreError> {
        self.read_list(n)
    }

    fn read_list(&self, n: usize) -> Result<RowList, StoreError> {
        // sled counts a tree by walking it: only worth it to size the whole list.
        let rows = if n == usize::MAX {
            self.contacts.len()
        } else {
            n
        };
        // Text per row is a little under the record's size; 96 bytes is a synthetic
        // contact's (id 20, name 15, email 25, phone 13, date 24): a guess, trimmed at the end.
        let mut b = RowListBuilder::with_capacity(rows, rows * 96);
        for kv in self.contacts.iter().take(n) {
            let (seq, v) = kv.map_err(|e| self.err(e))?;
            match super::record::row(&v) {
                Ok(r) => b.push(
                    RowParts {
                        id: r.id,
                        name: r.name,
                        email: r.email,
                        phone: r.phone,
                        date_updated: r.date_updated,
                        owner: r.owner,
                        source: r.source,
                        contact_type: r.contact_type,
                        business_id: r.business_id,
                        dnd: r.dnd,
                        dnd_channels: r.dnd_channels,
                    },
                    r.tags,
                ),
                Err(e) => tracing::warn!(
                    record = seq,
                    error = %e,
                    "skipping unreadable cached row"
                ),
            }
        }
        // The records are in the order first stored (`super::contact_table`); lists are in id
        // order (what `RowList::merged` and the snapshot expect).
        Ok(b.finish_in_id_order())
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::{Contact, DndChannel};
    use crate::store::Store;

    #[test]
    fn the_compact_list_equals_the_owned_rows() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), "loc1").unwrap();
        let contacts: Vec<Contact> = (0..300)
            .map(|i| Contact {
                id: format!("c{i:04}"),
                first_name: Some(if i % 2 == 0 { "יוסי" } else { "Dana" }.into()),
                last_name: Some(format!("L{i}")),
                email: (i % 3 != 0).then(|| format!("u{i}@x.io")),
                phone: Some(format!("+97254{i:07}")),
                tags: (0..i % 4).map(|t| format!("t{t}")).collect(),
                assigned_to: (i % 5 == 0).then(|| "usr1".into()),
                source: Some("Facebook".into()),
                contact_type: Some("lead".into()),
                business_id: (i % 7 == 0).then(|| "biz".into()),
                dnd: i % 11 == 0,
                dnd_settings: vec![DndChannel {
                    channel: "SMS".into(),
                    status: "active".into(),
                    message: None,
                }],
                date_updated: Some(format!("2026-01-{:02}T00:00:00.000Z", i % 28 + 1)),
                ..Default::default()
            })
            .collect();
        s.put_contacts(&contacts).unwrap();
        s.contacts.put([("zz-broken", &b"\x01"[..])]).unwrap();
        let owned = s.contact_rows_head(300).unwrap();
        let list = s.contact_list().unwrap();
        assert_eq!(list.len(), 300, "the unreadable row is skipped");
        for (i, r) in owned.iter().enumerate() {
            assert_eq!(&list.get(i).unwrap().to_row(), r);
        }
        let head = s.contact_list_head(10).unwrap();
        assert_eq!(head.len(), 10);
        assert_eq!(head.get(9).unwrap().to_row(), owned[9]);
    }
}
