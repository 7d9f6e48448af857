//! One contact, one sled record (schema 6, issue #14: disk and pull CPU at a million contacts).
//!
//! Tree `contact_records`: contact id → `[FORMAT][row length u32 LE][row][lean length u32 LE]
//! [lean][raw]`, where
//! - *row* is the list row ([`ContactRow`]), bincode with varint lengths ([`opts`]): what the
//!   list, `cached_date_updated` and the snapshot rebuild read, decoded borrowing its strings
//!   ([`BorrowedRow`]) without touching the rest;
//! - *lean* is the [`Contact`] with an empty `raw_json`, same encoding: what matching, diffing
//!   and the CLI read;
//! - *raw* is the rest of the record: the raw JSON as `super::raw` stores it (`0xFD` + zstd
//!   with the trained dictionary; records written before hold `0xFE` + zstd with the
//!   raw-content dictionary or `0xFF` + DEFLATE, and still read), or nothing when the contact has no raw JSON. Only the raw view and a change's
//!   "before" inflate it.
//!
//! Schema 5 wrote the same three parts into three trees (`contacts`, `contacts_raw`,
//! `contact_rows`, with bincode's fixed 8-byte lengths) and a fourth insert per contact into
//! `list_changed`: at a million contacts 1.8 GB on disk and most of a pull's CPU in sled.
//!
//! OUR CHOICE: the row is stored beside the lean contact although it could be derived from it:
//! about 120 bytes a contact buy a borrowed decode (no allocation per field) for the list
//! rebuild and for the pull's `dateUpdated` check; the lengths are fixed `u32`s so the encoder
//! writes each part straight into the record and patches its length.

use bincode::Options;
use serde::{Deserialize, Serialize};

use crate::domain::{Contact, ContactRow};

/// First byte of a record of this layout.
pub(super) const FORMAT: u8 = 1;

/// The bincode options of the row and lean parts: little endian, varint lengths and integers.
pub(super) fn opts() -> impl Options + Copy {
    bincode::DefaultOptions::new()
}

/// A [`ContactRow`] as stored, its strings borrowed from the record. Same fields in the same
/// order as [`ContactRow`] (a test checks both encode alike).
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub(super) struct BorrowedRow<'a> {
    #[serde(borrow)]
    pub id: &'a str,
    #[serde(borrow)]
    pub name: &'a str,
    #[serde(borrow)]
    pub email: &'a str,
    #[serde(borrow)]
    pub phone: &'a str,
    #[serde(borrow)]
    pub tags: Vec<&'a str>,
    #[serde(borrow)]
    pub date_updated: &'a str,
    pub dnd: bool,
    #[serde(borrow)]
    pub owner: &'a str,
    #[serde(borrow)]
    pub source: &'a str,
    #[serde(borrow)]
    pub contact_type: &'a str,
    #[serde(borrow)]
    pub business_id: &'a str,
    pub dnd_channels: u8,
}

impl<'a> BorrowedRow<'a> {
    /// The row of `c` borrowing its strings (`name` is computed, so passed in).
    fn of(c: &'a Contact, name: &'a str, channels: u8) -> Self {
        let s = |o: &'a Option<String>| o.as_deref().unwrap_or("");
        BorrowedRow {
            id: &c.id,
            name,
            email: s(&c.email),
            phone: s(&c.phone),
            tags: c.tags.iter().map(String::as_str).collect(),
            date_updated: s(&c.date_updated),
            dnd: c.dnd,
            owner: s(&c.assigned_to),
            source: s(&c.source),
            contact_type: s(&c.contact_type),
            business_id: s(&c.business_id),
            dnd_channels: channels,
        }
    }

    /// An owned copy.
    pub fn to_owned_row(&self) -> ContactRow {
        ContactRow {
            id: self.id.into(),
            name: self.name.into(),
            email: self.email.into(),
            phone: self.phone.into(),
            tags: self.tags.iter().map(|t| (*t).to_owned()).collect(),
            date_updated: self.date_updated.into(),
            dnd: self.dnd,
            owner: self.owner.into(),
            source: self.source.into(),
            contact_type: self.contact_type.into(),
            business_id: self.business_id.into(),
            dnd_channels: self.dnd_channels,
        }
    }
}

/// Appends `v` encoded with [`opts`], preceded by its length (`u32` LE).
fn put_part<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    opts()
        .serialize_into(&mut *out, v)
        .expect("bincode encoding of plain data into memory cannot fail");
    let len = u32::try_from(out.len() - at - 4).expect("a contact part under 4 GiB");
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
}

/// The record of `c`: its list row, itself without `raw_json`, and `raw_json` compressed.
pub(super) fn encode(c: &Contact) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(c, &mut out);
    out
}

/// [`encode`] into `out` (cleared first), so a batch of records reuses one buffer.
pub(super) fn encode_into(c: &Contact, out: &mut Vec<u8>) {
    out.clear();
    let name = c.display_name();
    let channels = c.row_dnd_channels();
    // Room for the lean part written with its raw JSON before that is cut off, and for the
    // compressed raw JSON after it: no regrowth.
    out.reserve(1 + 8 + 512 + c.raw_json.len() * 3 / 2);
    out.push(FORMAT);
    put_part(out, &BorrowedRow::of(c, &name, channels));
    // The lean contact: `c` encoded whole, then its last field (`raw_json`, last on purpose:
    // see `Contact::raw_json`) cut off and written empty (a varint 0), so the raw JSON is
    // neither cloned nor stored twice. A test checks the part equals the lean encoding.
    let at = out.len();
    put_part(out, c);
    let raw_part = opts()
        .serialized_size(&c.raw_json)
        .expect("sizing a string cannot fail") as usize;
    out.truncate(out.len() - raw_part);
    out.push(0);
    let len = u32::try_from(out.len() - at - 4).expect("a contact under 4 GiB");
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
    if !c.raw_json.is_empty() {
        super::raw::pack_into(&c.raw_json, out);
    }
}

/// The three parts of a record ([`split`]).
pub(super) struct Parts<'a> {
    pub row: &'a [u8],
    pub lean: &'a [u8],
    pub raw: &'a [u8],
}

/// Splits a record into its parts (see the module doc). Errors (as text): another format
/// byte, a length past the end of the record.
pub(super) fn split(bytes: &[u8]) -> Result<Parts<'_>, String> {
    let Some((&FORMAT, rest)) = bytes.split_first() else {
        return Err(format!(
            "not a contact record (format {:?}, this binary reads {FORMAT})",
            bytes.first()
        ));
    };
    let part = |b: &[u8]| -> Result<(usize, usize), String> {
        let len = b
            .get(..4)
            .map(|l| u32::from_le_bytes(l.try_into().expect("4 bytes")) as usize)
            .ok_or("contact record cut short")?;
        if b.len() - 4 < len {
            return Err("contact record cut short".into());
        }
        Ok((4, 4 + len))
    };
    let (a, b) = part(rest)?;
    let row = &rest[a..b];
    let rest = &rest[b..];
    let (a, b) = part(rest)?;
    Ok(Parts {
        row,
        lean: &rest[a..b],
        raw: &rest[b..],
    })
}

/// The list row of a record, borrowed. Errors (as text): see [`split`], an undecodable row.
pub(super) fn row(bytes: &[u8]) -> Result<BorrowedRow<'_>, String> {
    let p = split(bytes)?;
    opts().deserialize(p.row).map_err(|e| e.to_string())
}

/// The contact of a record without its raw JSON (`raw_json` empty).
pub(super) fn lean(bytes: &[u8]) -> Result<Contact, String> {
    let p = split(bytes)?;
    opts().deserialize(p.lean).map_err(|e| e.to_string())
}

/// The whole contact of a record, the raw JSON inflated.
pub(super) fn contact(bytes: &[u8]) -> Result<Contact, String> {
    let p = split(bytes)?;
    let mut c: Contact = opts().deserialize(p.lean).map_err(|e| e.to_string())?;
    c.raw_json = super::raw::unpack(p.raw)?;
    Ok(c)
}

/// A record from the parts schema 5 stored apart: the row, the lean contact (both in
/// bincode's default fixed-length encoding, as schema 5 wrote them) and the raw record as it
/// was (compressed or plain JSON; plain is compressed here). Used by the migration.
pub(super) fn from_v5(row: &ContactRow, lean: &Contact, raw_v5: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + 8 + 512 + raw_v5.len());
    out.push(FORMAT);
    put_part(&mut out, row);
    put_part(&mut out, lean);
    if super::raw::is_packed(raw_v5) {
        out.extend_from_slice(raw_v5);
    } else if !raw_v5.is_empty() {
        out.extend_from_slice(&super::raw::pack(&String::from_utf8_lossy(raw_v5)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CustomFieldValue, DndChannel};

    fn full() -> Contact {
        Contact {
            id: "c1".into(),
            location_id: "loc".into(),
            first_name: Some("יצחק".into()),
            last_name: Some("כהן".into()),
            email: Some("a@b.io".into()),
            phone: Some("+972542848828".into()),
            city: Some("חיפה".into()),
            assigned_to: Some("u1".into()),
            business_id: Some("biz".into()),
            source: Some("Facebook".into()),
            contact_type: Some("lead".into()),
            dnd_settings: vec![DndChannel {
                channel: "SMS".into(),
                status: "active".into(),
                message: Some("x".into()),
            }],
            tags: vec!["vip".into(), "קונה".into()],
            custom_fields: vec![CustomFieldValue {
                id: "cf".into(),
                value_json: "\"Gold\"".into(),
            }],
            date_updated: Some("2026-11-29T11:55:00.000Z".into()),
            raw_json: "{\n  \"id\": \"c1\",\n  \"city\": \"חיפה\"\n}".repeat(30),
            ..Default::default()
        }
    }

    #[test]
    fn a_record_gives_back_the_row_the_lean_contact_and_the_raw_json() {
        for c in [
            full(),
            Contact::default(),
            Contact {
                id: "x".into(),
                ..full()
            },
        ] {
            let rec = encode(&c);
            assert_eq!(rec[0], FORMAT);
            assert_eq!(row(&rec).unwrap().to_owned_row(), c.row());
            let mut l = c.clone();
            l.raw_json.clear();
            assert_eq!(lean(&rec).unwrap(), l);
            assert_eq!(contact(&rec).unwrap(), c);
            // The row part is what a `ContactRow` encodes to.
            let p = split(&rec).unwrap();
            assert_eq!(p.row, opts().serialize(&c.row()).unwrap());
            assert_eq!(p.lean, opts().serialize(&l).unwrap());
            assert_eq!(p.raw.is_empty(), c.raw_json.is_empty());
        }
    }

    #[test]
    fn damaged_records_are_errors_not_panics() {
        let rec = encode(&full());
        assert!(split(&[]).is_err());
        assert!(split(&[FORMAT + 1]).is_err());
        for cut in [1, 3, 5, 20, 60] {
            assert!(lean(&rec[..cut]).is_err(), "cut at {cut}");
        }
        let mut bad = rec.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0x55;
        assert!(contact(&bad).is_err(), "a damaged raw part");
        assert!(
            lean(&bad).is_ok(),
            "the lean part does not read the raw one"
        );
    }

    #[test]
    fn records_whose_raw_part_is_deflate_or_raw_content_zstd_still_read() {
        // What this layout wrote before: the same record with a DEFLATE raw part (before
        // zstd) or a zstd part with the raw-content dictionary (before the trained one).
        let c = full();
        let mut l = c.clone();
        l.raw_json.clear();
        let raw = super::super::raw::pack_deflate(&c.raw_json);
        let older = super::super::raw::pack_raw_content(&c.raw_json);
        for (old, tag) in [
            (from_v5(&c.row(), &l, &raw), 0xFF),
            (from_v5(&c.row(), &l, &older), 0xFE),
        ] {
            assert_eq!(split(&old).unwrap().raw[0], tag);
            assert_eq!(contact(&old).unwrap(), c);
            assert_eq!(lean(&old).unwrap(), l);
            assert_eq!(row(&old).unwrap().to_owned_row(), c.row());
        }
        assert_eq!(
            split(&encode(&c)).unwrap().raw[0],
            0xFD,
            "new records are zstd with the trained dictionary"
        );
    }

    #[test]
    fn a_reused_buffer_encodes_what_a_fresh_one_does() {
        let mut buf = b"left over from the record before".to_vec();
        for c in [full(), Contact::default(), full()] {
            encode_into(&c, &mut buf);
            assert_eq!(buf, encode(&c));
        }
    }

    #[test]
    fn a_record_from_schema_5_parts_equals_a_fresh_one() {
        let c = full();
        let mut l = c.clone();
        l.raw_json.clear();
        let packed = super::super::raw::pack(&c.raw_json);
        assert_eq!(from_v5(&c.row(), &l, &packed), encode(&c));
        assert_eq!(from_v5(&c.row(), &l, c.raw_json.as_bytes()), encode(&c));
        let mut none = c.clone();
        none.raw_json.clear();
        assert_eq!(from_v5(&none.row(), &l, b""), encode(&none));
    }
}
