//! Text encodings of csv exports: UTF-8 (with or without BOM), windows-1255 (Hebrew Windows,
//! what Excel writes for "CSV" on a Hebrew system), UTF-16 with BOM (Excel's "Unicode text").

use encoding_rs::{Encoding, UTF_8, WINDOWS_1255};

/// Picks the encoding of a csv file and how many leading BOM bytes to skip.
///
/// * `explicit` (from `ExportOptions::encoding`) wins; a BOM of that same encoding is skipped.
/// * Otherwise a BOM decides (UTF-8, UTF-16LE, UTF-16BE).
/// * Otherwise: valid UTF-8 → UTF-8. Invalid UTF-8 → windows-1255, unless the file is mostly
///   UTF-8 (more valid non-ASCII characters than invalid bytes — a UTF-8 file with a few corrupt
///   bytes), in which case it stays UTF-8 and the bad cells are reported per row.
pub fn detect(bytes: &[u8], explicit: Option<&'static Encoding>) -> (&'static Encoding, usize) {
    let bom = Encoding::for_bom(bytes);
    if let Some(enc) = explicit {
        let skip = match bom {
            Some((b, len)) if b == enc => len,
            _ => 0,
        };
        return (enc, skip);
    }
    if let Some((enc, len)) = bom {
        return (enc, len);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return (UTF_8, 0);
    }
    let (mut valid_non_ascii, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid_non_ascii += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += chunk.invalid().len();
    }
    if valid_non_ascii > invalid {
        (UTF_8, 0)
    } else {
        (WINDOWS_1255, 0)
    }
}

/// Decodes one field. Returns the text (malformed sequences replaced by U+FFFD) and whether
/// the bytes were valid in `enc`. Only for ASCII-compatible encodings (fields are split on
/// ASCII delimiters before decoding).
pub fn decode_field(enc: &'static Encoding, bytes: &[u8]) -> (String, bool) {
    match enc.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(s) => (s.into_owned(), true),
        None => (enc.decode_without_bom_handling(bytes).0.into_owned(), false),
    }
}
