//! The raw contact records of `contacts_raw`, compressed (issue #14: the raw JSON is most of the
//! cache on disk).
//!
//! A record is either `TAG` followed by the DEFLATE stream of the JSON text (what schema 4
//! writes), or the JSON text itself (schema 3 and before). JSON text never starts with the byte
//! `0xFF` (it is not UTF-8), so both forms can be told apart by their first byte and a cache
//! half-way through its migration reads correctly.
//!
//! OUR CHOICE: DEFLATE per record at the fastest level (flate2 with its pure-Rust backend,
//! already built for the spreadsheet reader) rather than sled's `compression` feature: that one
//! links the zstd C library and compresses every tree of the database, including the list rows
//! read at every start, and a database cannot be switched to it in place. Only this tree is
//! large and seldom read (one record for the raw view or a change's "before"), so it alone is
//! compressed; the pretty-printed JSON GHL sends shrinks to about 45% (the demo contacts:
//! 1,826 bytes to 858 on average).

use std::io::{Read, Write};

use flate2::{read::DeflateDecoder, write::DeflateEncoder, Compression};

use super::db::{Store, StoreError};

/// First byte of a compressed record.
const TAG: u8 = 0xFF;

/// Records rewritten per batch by the migration.
const BATCH: usize = 5_000;

/// The stored form of a raw JSON record: `TAG` + DEFLATE.
pub(super) fn pack(json: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() / 2 + 16);
    out.push(TAG);
    let mut e = DeflateEncoder::new(out, Compression::fast());
    e.write_all(json.as_bytes())
        .expect("writing into a Vec cannot fail");
    e.finish().expect("writing into a Vec cannot fail")
}

/// True when `bytes` is a compressed record.
pub(super) fn is_packed(bytes: &[u8]) -> bool {
    bytes.first() == Some(&TAG)
}

/// The JSON text of a stored record, compressed or not. Errors: a compressed record that does
/// not inflate (the message says why).
pub(super) fn unpack(bytes: &[u8]) -> Result<String, String> {
    if !is_packed(bytes) {
        return Ok(String::from_utf8_lossy(bytes).into_owned());
    }
    let mut out = Vec::with_capacity(bytes.len() * 3);
    DeflateDecoder::new(&bytes[1..])
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    Ok(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

impl Store {
    /// Compresses every raw record still stored as plain text (schema 3 → 4), in batches;
    /// records already compressed are left alone, so an interrupted migration resumes. Returns
    /// how many records were rewritten.
    pub(super) fn compress_raw(&self) -> Result<usize, StoreError> {
        let mut done = 0usize;
        let mut batch = sled::Batch::default();
        let mut in_batch = 0usize;
        for kv in self.contacts_raw.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            if is_packed(&v) {
                continue;
            }
            batch.insert(k, pack(&String::from_utf8_lossy(&v)));
            in_batch += 1;
            if in_batch == BATCH {
                self.contacts_raw
                    .apply_batch(std::mem::take(&mut batch))
                    .map_err(|e| self.err(e))?;
                done += in_batch;
                in_batch = 0;
            }
        }
        self.contacts_raw
            .apply_batch(batch)
            .map_err(|e| self.err(e))?;
        Ok(done + in_batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_records_round_trip_and_plain_ones_read_as_they_are() {
        let json = "{\n  \"id\": \"c1\",\n  \"firstName\": \"יצחק\",\n  \"tags\": [\"vip\"]\n}";
        let p = pack(json);
        assert!(is_packed(&p));
        assert_eq!(unpack(&p).unwrap(), json);
        assert!(!is_packed(json.as_bytes()));
        assert_eq!(unpack(json.as_bytes()).unwrap(), json);
        assert_eq!(unpack(b"").unwrap(), "");
        assert!(
            unpack(&[TAG, 0x07, 0x00]).is_err(),
            "a damaged record is an error"
        );
        let big = json.repeat(20);
        assert!(pack(&big).len() < big.len() / 4, "repetitive JSON shrinks");
    }
}
