//! csv exports: encoding detection, delimiter sniffing, then the shared row mapping.

use encoding_rs::Encoding;

use super::encoding::{decode_field, detect};
use super::{build, Cell, ExportError, ExportOptions, ExportRead, Table};

/// Picks the delimiter from the first line (outside quotes): whichever of `,` `;` tab occurs
/// most; `,` when none does.
pub fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for &b in bytes {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => break,
            b',' if !in_quotes => counts[0] += 1,
            b';' if !in_quotes => counts[1] += 1,
            b'\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let delims = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        delims[best]
    }
}

/// Reads a csv export from memory. `source` names it in records (`Origin::source`) and in
/// errors. Encoding per [`detect`] (or `opts.encoding`); delimiter per [`sniff_delimiter`].
/// Cells whose bytes are invalid in the chosen encoding are kept (with U+FFFD) and reported as
/// [`super::RowProblem`]s. Never panics on any input.
pub fn read_csv_bytes(
    bytes: &[u8],
    source: &str,
    opts: &ExportOptions,
) -> Result<ExportRead, ExportError> {
    let (enc, skip) = detect(bytes, opts.encoding);
    let body = &bytes[skip.min(bytes.len())..];
    let mut table = Table::new(opts, source, source);
    if enc.is_ascii_compatible() {
        parse(body, enc, &mut table);
    } else {
        // UTF-16: decode the whole file first, then parse the UTF-8 text.
        let (text, had_errors) = enc.decode_without_bom_handling(body);
        let t = &mut table;
        parse(text.as_bytes(), encoding_rs::UTF_8, t);
        if had_errors {
            t.file_problems.push(super::RowProblem {
                row: t.header_row.max(1),
                column: None,
                message: format!("file has bytes that are not valid {}; replaced", enc.name()),
            });
        }
    }
    build(table)
}

fn parse(bytes: &[u8], enc: &'static Encoding, table: &mut Table<'_>) {
    let delimiter = sniff_delimiter(bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut consecutive_errors = 0;
    let mut index = 0usize;
    let mut lines = LineCounter::default();
    loop {
        index += 1;
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                consecutive_errors = 0;
                let row = record
                    .position()
                    .map(|p| lines.line_at(bytes, p.byte() as usize))
                    .unwrap_or(index);
                let cells = record
                    .iter()
                    .map(|field| {
                        let (text, ok) = decode_field(enc, field);
                        Cell {
                            text: Some(text),
                            problem: (!ok).then(|| {
                                format!(
                                    "bytes not valid {}; decoded with replacement characters",
                                    enc.name()
                                )
                            }),
                        }
                    })
                    .collect();
                table.push_row(row, cells);
            }
            Err(e) => {
                consecutive_errors += 1;
                let row = e
                    .position()
                    .map(|p| lines.line_at(bytes, p.byte() as usize))
                    .unwrap_or(index);
                table.file_problems.push(super::RowProblem {
                    row,
                    column: None,
                    message: format!("unreadable csv record: {e}"),
                });
                if consecutive_errors > 100 || matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
}

/// 1-based line numbers of record starts (csv's own `Position::line` counts skipped blank
/// lines inconsistently). Offsets only move forward, so counting is incremental.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: usize,
}

impl LineCounter {
    fn line_at(&mut self, bytes: &[u8], mut offset: usize) -> usize {
        // The record really starts after any blank lines the reader skipped.
        while offset < bytes.len() && matches!(bytes[offset], b'\r' | b'\n') {
            offset += 1;
        }
        let offset = offset.min(bytes.len());
        if offset >= self.offset {
            self.newlines += bytes[self.offset..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.offset = offset;
        }
        self.newlines + 1
    }
}
