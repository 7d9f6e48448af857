//! The raw JSON of a contact, compressed (issue #14: the raw JSON is most of the cache on
//! disk): the last part of its record in `contact_records` (`super::record`; schemas 4 and 5
//! kept it in a tree of its own, `contacts_raw`).
//!
//! A raw part is either `TAG` followed by the DEFLATE stream of the JSON text (what schemas 4
//! to 6 write), or the JSON text itself (schema 3 and before; read by the migration). JSON
//! text never starts with the byte `0xFF` (it is not UTF-8), so both forms can be told apart
//! by their first byte.
//!
//! OUR CHOICE: DEFLATE per record at the fastest level, with a preset dictionary
//! (`raw_dict.json`: a GHL contact's keys, pretty-printed as the records are, values blanked),
//! through flate2's pure-Rust zlib-rs backend that the spreadsheet reader already builds;
//! rather than sled's `compression` feature, which links the zstd C library, compresses every
//! tree of the database (also the list rows read at every start) and cannot be switched on for
//! an existing database in place. Only the raw JSON is large and seldom read (one contact for
//! the raw view or a change's "before"), so it alone is compressed. The dictionary matters for
//! records this small: the demo contacts (1,826 bytes of pretty JSON on average) shrink to 33%
//! with it and 47% without; a 300-byte record to 45% instead of 67%.
//!
//! The dictionary is part of the format: `TAG` means this dictionary. Another dictionary
//! needs another tag (and a schema version that rewrites the records).

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// First byte of a compressed record: DEFLATE with [`DICT`].
const TAG: u8 = 0xFF;

/// The preset dictionary of [`TAG`] records. Never change it (see the module doc).
const DICT: &[u8] = include_bytes!("raw_dict.json");

/// The stored form of a raw JSON record: `TAG` + DEFLATE with [`DICT`].
pub(super) fn pack(json: &str) -> Vec<u8> {
    thread_local! {
        // One compressor per thread, reset for each record: a fresh one allocates and clears
        // its window and hash tables (a few hundred KB), which cost more than the record.
        static COMPRESS: std::cell::RefCell<Option<Compress>> = const { std::cell::RefCell::new(None) };
    }
    COMPRESS.with(|cell| {
        let mut cell = cell.borrow_mut();
        let c = cell.get_or_insert_with(|| Compress::new(Compression::fast(), false));
        c.reset();
        pack_with(c, json)
    })
}

fn pack_with(c: &mut Compress, json: &str) -> Vec<u8> {
    let input = json.as_bytes();
    c.set_dictionary(DICT)
        .expect("a fresh raw stream takes a dictionary");
    let mut out = Vec::with_capacity(input.len() / 2 + 64);
    out.push(TAG);
    loop {
        let read = usize::try_from(c.total_in()).expect("record under 4 GiB");
        let status = c
            .compress_vec(&input[read..], &mut out, FlushCompress::Finish)
            .expect("compressing into memory cannot fail");
        if status == Status::StreamEnd {
            return out;
        }
        out.reserve(out.capacity().max(64));
    }
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
    let input = &bytes[1..];
    let mut d = Decompress::new(false);
    d.set_dictionary(DICT).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(input.len() * 3 + 64);
    loop {
        let (read, wrote) = (d.total_in(), d.total_out());
        let at = usize::try_from(read).map_err(|e| e.to_string())?;
        let status = d
            .decompress_vec(&input[at..], &mut out, FlushDecompress::Finish)
            .map_err(|e| e.to_string())?;
        match status {
            Status::StreamEnd => break,
            _ if out.len() == out.capacity() => out.reserve(out.capacity()),
            _ if d.total_in() == read && d.total_out() == wrote => {
                return Err("compressed record is cut short".into())
            }
            _ => {}
        }
    }
    Ok(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
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

    #[test]
    fn a_reused_compressor_writes_what_a_fresh_one_writes() {
        let a = "{\n  \"id\": \"a1\",\n  \"firstName\": \"Dana\"\n}";
        let b = "{\n  \"id\": \"b2\",\n  \"lastName\": \"כהן\",\n  \"tags\": []\n}".repeat(40);
        let fresh = |json: &str| pack_with(&mut Compress::new(Compression::fast(), false), json);
        for json in [a, b.as_str(), a, "", b.as_str()] {
            let p = pack(json);
            assert_eq!(p, fresh(json), "same bytes after other records");
            assert_eq!(unpack(&p).unwrap(), json);
        }
    }
}
