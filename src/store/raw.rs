//! The raw JSON of a contact, compressed (issue #14: the raw JSON is most of the cache on
//! disk): the last part of its record in `contact_records` (`super::record`; schemas 4 and 5
//! kept it in a tree of its own, `contacts_raw`).
//!
//! A raw part is one of
//! - `TRAINED_TAG` (`0xFD`) followed by a zstd frame of the JSON text compressed with
//!   [`TRAINED_DICT`], a trained zstd dictionary: what this binary writes;
//! - `ZSTD_TAG` (`0xFE`) followed by a zstd frame compressed with [`DICT`] as a raw-content
//!   dictionary: what this layout wrote before the trained dictionary; still read;
//! - `TAG` (`0xFF`) followed by the raw DEFLATE stream of the JSON text with the preset
//!   dictionary [`DICT`]: what schemas 4 to 6 wrote before zstd; still read;
//! - the JSON text itself (schema 3 and before; read by the migration).
//!
//! Older parts are never rewritten (no migration): a contact is written anew by its next pull.
//! JSON text never starts with the byte `0xFD`, `0xFE` or `0xFF` (none is UTF-8), so the four
//! can be told apart by their first byte.
//!
//! OUR CHOICE: compression per record (one contact reads alone) with a dictionary, rather than
//! sled's `compression` feature, which compresses every tree of the database (also the list
//! rows read at every start) and cannot be switched on for an existing database in place. Only
//! the raw JSON is large and seldom read (one contact for the raw view or a change's "before"),
//! so it alone is compressed. The dictionary matters for records this small.
//!
//! **The trained dictionary** (`raw_dict_trained.zstd`, 16 KiB, issue #14: the pull's CPU):
//! `zstd --train --maxdict=16384` over 1,270 records as a pull stores them, 270 demo contacts
//! (`assets/demo/ghl_contacts.json`, GHL's full shape, Hebrew, hostile text, pretty-printed as
//! `clean_json_pretty` prints them) and 1,000 of the stand-in's generated search results
//! (written by `BMBY_BENCH_SAMPLES=DIR cargo bench --bench pull`); the other halves of both
//! sets, held out, compress at level 1 to 49% (demo) and 40% (generated) of their size with
//! the raw-content [`DICT`]. Unlike a raw-content dictionary it carries entropy tables, so zstd
//! no longer builds Huffman and FSE tables for every small record (a third of the compression
//! time before), and the smaller records are less for sled to copy, log and read back (most of
//! a pull's CPU is sled's; see README, Performance). Trained on stand-in and demo data, not on
//! real sub-accounts: real contacts with other custom fields compress less well, never wrongly.
//!
//! The dictionary is part of the format: each tag means one dictionary. Another dictionary
//! needs another tag.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// First byte of a DEFLATE record (with [`DICT`]): read, no longer written.
const TAG: u8 = 0xFF;

/// First byte of a zstd record with [`DICT`] as raw content: read, no longer written.
const ZSTD_TAG: u8 = 0xFE;

/// First byte of a zstd record with [`TRAINED_DICT`]: what [`pack`] writes.
const TRAINED_TAG: u8 = 0xFD;

/// zstd's level for [`TRAINED_TAG`] (and, before, [`ZSTD_TAG`]) records: its fastest regular
/// level.
const ZSTD_LEVEL: i32 = 1;

/// Largest JSON text a zstd record may claim to hold when read (a damaged header cannot make
/// the reader allocate more): 64 MiB, far beyond any contact.
const MAX_RAW: u64 = 64 << 20;

/// The preset dictionary of [`TAG`] and [`ZSTD_TAG`] records. Never change it (see the
/// module doc).
const DICT: &[u8] = include_bytes!("raw_dict.json");

/// The trained zstd dictionary of [`TRAINED_TAG`] records. Never change it (see the module
/// doc).
const TRAINED_DICT: &[u8] = include_bytes!("raw_dict_trained.zstd");

/// The stored form of a raw JSON record: `TRAINED_TAG` + a zstd frame with [`TRAINED_DICT`].
pub(super) fn pack(json: &str) -> Vec<u8> {
    let mut out = Vec::new();
    pack_into(json, &mut out);
    out
}

/// Appends the stored form of `json` (see [`pack`]) to `out`. One zstd context per thread,
/// its dictionary prepared once, and one scratch buffer per thread: no allocation per record
/// once they have grown.
pub(super) fn pack_into(json: &str, out: &mut Vec<u8>) {
    thread_local! {
        static ZSTD: std::cell::RefCell<Option<(zstd::bulk::Compressor<'static>, Vec<u8>)>> =
            const { std::cell::RefCell::new(None) };
    }
    ZSTD.with(|cell| {
        let mut cell = cell.borrow_mut();
        let (z, scratch) = cell.get_or_insert_with(|| (trained_compressor(), Vec::new()));
        scratch.clear();
        scratch.reserve(zstd::zstd_safe::compress_bound(json.len()));
        z.compress_to_buffer(json.as_bytes(), scratch)
            .expect("compressing into a buffer of zstd's bound cannot fail");
        out.reserve(1 + scratch.len());
        out.push(TRAINED_TAG);
        out.extend_from_slice(scratch);
    });
}

/// A zstd context for [`TRAINED_TAG`] records: level [`ZSTD_LEVEL`], [`TRAINED_DICT`]
/// prepared once, and no dictionary id in the frames (4 bytes a record; the tag names the
/// dictionary).
fn trained_compressor() -> zstd::bulk::Compressor<'static> {
    let mut z = zstd::bulk::Compressor::with_dictionary(ZSTD_LEVEL, TRAINED_DICT)
        .expect("a zstd context with the trained dictionary");
    z.set_parameter(zstd::zstd_safe::CParameter::DictIdFlag(false))
        .expect("a valid zstd parameter");
    z
}

/// The form [`pack`] wrote before the trained dictionary (`ZSTD_TAG` + zstd with [`DICT`] as
/// raw content): for tests that make a record of an older layout.
#[cfg(test)]
pub(super) fn pack_raw_content(json: &str) -> Vec<u8> {
    let mut z = zstd::bulk::Compressor::with_dictionary(ZSTD_LEVEL, DICT)
        .expect("a zstd context with a raw-content dictionary");
    let mut out = vec![ZSTD_TAG];
    out.extend(
        z.compress(json.as_bytes())
            .expect("compressing into memory cannot fail"),
    );
    out
}

/// The DEFLATE form of a raw JSON record (`TAG` + DEFLATE with [`DICT`]), as schemas 4 to 6
/// wrote it before zstd: for tests and benchmarks that make a cache of an older layout.
pub(super) fn pack_deflate(json: &str) -> Vec<u8> {
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

/// True when `bytes` is a compressed record (zstd or DEFLATE).
pub(super) fn is_packed(bytes: &[u8]) -> bool {
    matches!(bytes.first(), Some(&TAG | &ZSTD_TAG | &TRAINED_TAG))
}

/// The JSON text of a stored record, compressed or not. Errors: a compressed record that does
/// not inflate (the message says why).
pub(super) fn unpack(bytes: &[u8]) -> Result<String, String> {
    let out = match bytes.first() {
        Some(&TRAINED_TAG) => unzstd(&bytes[1..], true)?,
        Some(&ZSTD_TAG) => unzstd(&bytes[1..], false)?,
        Some(&TAG) => inflate(&bytes[1..])?,
        _ => return Ok(String::from_utf8_lossy(bytes).into_owned()),
    };
    Ok(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// The bytes of a zstd frame compressed with [`TRAINED_DICT`] (`trained`) or [`DICT`].
fn unzstd(input: &[u8], trained: bool) -> Result<Vec<u8>, String> {
    thread_local! {
        static UNZSTD: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
            const { std::cell::RefCell::new(None) };
        static UNZSTD_TRAINED: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
            const { std::cell::RefCell::new(None) };
    }
    let (slot, dict) = if trained {
        (&UNZSTD_TRAINED, TRAINED_DICT)
    } else {
        (&UNZSTD, DICT)
    };
    let size = match zstd::zstd_safe::get_frame_content_size(input) {
        Ok(Some(n)) if n <= MAX_RAW => n as usize,
        Ok(Some(_)) => return Err("compressed record claims an oversized text".into()),
        Ok(None) | Err(_) => return Err("compressed record has no readable zstd header".into()),
    };
    slot.with(|cell| {
        let mut cell = cell.borrow_mut();
        let d = match &mut *cell {
            Some(d) => d,
            none => none.insert(
                zstd::bulk::Decompressor::with_dictionary(dict).map_err(|e| e.to_string())?,
            ),
        };
        let out = d.decompress(input, size).map_err(|e| e.to_string())?;
        if out.len() != size {
            return Err("compressed record is cut short".into());
        }
        Ok(out)
    })
}

/// The bytes of a raw DEFLATE stream with the preset dictionary [`DICT`].
fn inflate(input: &[u8]) -> Result<Vec<u8>, String> {
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
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_records_round_trip_and_plain_ones_read_as_they_are() {
        let json = "{\n  \"id\": \"c1\",\n  \"firstName\": \"יצחק\",\n  \"tags\": [\"vip\"]\n}";
        for p in [pack(json), pack_raw_content(json), pack_deflate(json)] {
            assert!(is_packed(&p));
            assert_eq!(unpack(&p).unwrap(), json);
        }
        assert_eq!(
            pack(json)[0],
            TRAINED_TAG,
            "new records use the trained dictionary"
        );
        assert_eq!(pack_raw_content(json)[0], ZSTD_TAG);
        assert_eq!(unpack(&pack_raw_content(json)).unwrap(), json);
        assert_eq!(pack_deflate(json)[0], TAG);
        assert!(!is_packed(json.as_bytes()));
        assert_eq!(unpack(json.as_bytes()).unwrap(), json);
        assert_eq!(unpack(b"").unwrap(), "");
        assert_eq!(unpack(&pack("")).unwrap(), "");
        assert!(
            unpack(&[TAG, 0x07, 0x00]).is_err(),
            "a damaged record is an error"
        );
        assert!(unpack(&[ZSTD_TAG, 0x07, 0x00]).is_err());
        assert!(unpack(&[TRAINED_TAG, 0x07, 0x00]).is_err());
        let big = json.repeat(20);
        assert!(pack(&big).len() < big.len() / 4, "repetitive JSON shrinks");
        assert!(pack_deflate(&big).len() < big.len() / 4);
    }

    #[test]
    fn damaged_zstd_records_are_errors_not_panics() {
        let json = "{\n  \"id\": \"c1\",\n  \"city\": \"חיפה\"\n}".repeat(9);
        for (p, trained) in [(pack(&json), true), (pack_raw_content(&json), false)] {
            for cut in [1, 2, 5, p.len() / 2, p.len() - 1] {
                assert!(unpack(&p[..cut]).is_err(), "cut at {cut}");
            }
            let mut bad = p.clone();
            let mid = bad.len() / 2;
            bad[mid] ^= 0x55;
            // A flipped byte inside the frame either fails or (no checksum) reads other text;
            // it never panics and never reads past the claimed size.
            if let Ok(bytes) = unzstd(&bad[1..], trained) {
                assert_eq!(bytes.len(), json.len());
            }
            let _ = unpack(&bad);
            // A frame read with the other dictionary is an error or other text, never a panic.
            let _ = unzstd(&p[1..], !trained);
        }
    }

    #[test]
    fn a_reused_compressor_writes_what_a_fresh_one_writes() {
        let a = "{\n  \"id\": \"a1\",\n  \"firstName\": \"Dana\"\n}";
        let b = "{\n  \"id\": \"b2\",\n  \"lastName\": \"כהן\",\n  \"tags\": []\n}".repeat(40);
        let fresh = |json: &str| pack_with(&mut Compress::new(Compression::fast(), false), json);
        let fresh_zstd = |json: &str| {
            let mut out = vec![TRAINED_TAG];
            out.extend(trained_compressor().compress(json.as_bytes()).unwrap());
            out
        };
        for json in [a, b.as_str(), a, "", b.as_str()] {
            let p = pack_deflate(json);
            assert_eq!(p, fresh(json), "same bytes after other records");
            assert_eq!(unpack(&p).unwrap(), json);
            let z = pack(json);
            assert_eq!(z, fresh_zstd(json), "same zstd bytes after other records");
            assert_eq!(unpack(&z).unwrap(), json);
        }
        let mut out = b"prefix".to_vec();
        pack_into(a, &mut out);
        assert_eq!(&out[..6], b"prefix", "pack_into appends");
        assert_eq!(out[6..], pack(a)[..]);
    }

    /// The raw JSON of contacts as a pull stores it: the demo contacts (full GET shape,
    /// Hebrew) and the benchmarks' generated ones (search shape, as the stand-in serves them).
    fn sample_records() -> Vec<String> {
        let demo: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../../assets/demo/ghl_contacts.json")).unwrap();
        let mut out: Vec<String> = demo
            .iter()
            .map(crate::sanitize::clean_json_pretty)
            .collect();
        for i in 0..500 {
            let v = serde_json::json!({
                "id": format!("gEn{i:017}"), "phoneLabel": null, "country": "US",
                "source": "generated", "type": "lead", "locationId": "bmbyDemoLoc7Qx2Lm9Za",
                "dnd": i % 50 == 0, "customFields": [], "tags": if i % 5 == 0 { vec!["buyer"] } else { vec![] },
                "dateAdded": format!("2026-10-{:02}T{:02}:00:00.000Z", 1 + i % 28, i % 24),
                "additionalEmails": [], "phone": format!("+1555{:07}", i),
                "dateUpdated": format!("2026-10-{:02}T{:02}:00:00.000Z", 1 + i % 28, (i + 3) % 24),
                "firstName": "Noa", "lastName": format!("Cohen{i}"),
                "firstNameLowerCase": "noa", "lastNameLowerCase": format!("cohen{i}"),
                "email": format!("user{i}@example.com"), "followers": [], "opportunities": [],
                "contactName": format!("Noa Cohen{i}"),
                "searchAfter": [1_793_491_200_000_i64 + i, format!("gEn{i:017}")],
            });
            out.push(crate::sanitize::clean_json_pretty(&v));
        }
        out
    }

    #[test]
    fn zstd_records_are_no_larger_than_deflate_ones() {
        let records = sample_records();
        let total = |f: fn(&str) -> Vec<u8>| records.iter().map(|r| f(r).len()).sum::<usize>();
        let (plain, deflate, zstd, trained) = (
            records.iter().map(String::len).sum::<usize>(),
            total(pack_deflate),
            total(pack_raw_content),
            total(pack),
        );
        assert!(
            zstd <= deflate,
            "zstd {zstd} bytes against DEFLATE {deflate} (plain {plain})"
        );
        // The trained dictionary (see the module doc) beats the raw-content one by far (half
        // of the demo contacts were among its training samples; the generated ones here are
        // made by this test, not by the stand-in).
        assert!(
            trained * 4 <= zstd * 3,
            "trained {trained} bytes against raw-content zstd {zstd} (plain {plain})"
        );
        for r in &records {
            assert_eq!(&unpack(&pack(r)).unwrap(), r);
            assert_eq!(&unpack(&pack_raw_content(r)).unwrap(), r);
        }
    }
}
