//! csv exports: encoding detection, delimiter sniffing, then the shared row mapping.

use encoding_rs::Encoding;

use super::encoding::{decode_field, detect};
use super::{build, Cell, ExportError, ExportOptions, ExportRead, Table};
use super::{ProblemKind, ProblemOutcome, RowProblem};

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
/// [`super::RowProblem`]s.
///
/// Rows are numbered as a spreadsheet shows the file (a value spanning lines is one row; blank
/// lines count), with the file line in [`super::RowProblem::line`]. Skipped, each with a
/// problem: a row whose cell count does not fit the header, a row whose quote is never closed
/// (with the lines it swallowed), and a row with a value holding line breaks plus the
/// separators of further rows (see [`swallowed_rows`]). Never panics on any input.
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
            t.file_problems.push(RowProblem::new(
                t.header_row.max(1),
                None,
                ProblemKind::BadEncoding,
                ProblemOutcome::Kept,
                format!("file has bytes that are not valid {}; replaced", enc.name()),
            ));
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
    let mut lines = LineCounter::default();
    // Line breaks inside the values of the records read so far: a spreadsheet shows each
    // record as one row, so they are subtracted from the line number to get the row.
    let mut inner_breaks = 0usize;
    loop {
        let start = rdr.position().byte() as usize;
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                consecutive_errors = 0;
                let start = record.position().map_or(start, |p| p.byte() as usize);
                let end = (rdr.position().byte() as usize).min(bytes.len());
                let line = lines.line_at(bytes, start);
                let row = line.saturating_sub(inner_breaks).max(1);
                let breaks: usize = record.iter().map(count_breaks).sum();
                inner_breaks += breaks;
                let cells: Vec<Cell> = record
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
                            problem_kind: ProblemKind::BadEncoding,
                        }
                    })
                    .collect();
                if let Some(width) = table.header_width() {
                    // A quote left open runs to the end of the file: the raw record then holds
                    // an odd number of quote characters (closed quotes and `""` come in pairs).
                    let raw = &bytes[start.min(end)..end];
                    // A quote in the middle of an unquoted last value is a plain character:
                    // its text keeps it (an open quote's value does not start with one).
                    let last = cells
                        .last()
                        .and_then(|c| c.text.as_deref())
                        .unwrap_or_default();
                    let unclosed = end == bytes.len()
                        && raw.iter().filter(|&&b| b == b'"').count() % 2 == 1
                        && (last.contains('\n') || !last.contains('"'));
                    let at = RecordAt {
                        row,
                        line,
                        width,
                        delimiter,
                        unclosed,
                    };
                    if let Some(p) = swallowed_rows(table, &at, &cells) {
                        table.skip_row(p);
                        continue;
                    }
                    if let Some(p) = table.width_problem(row, line, &cells, delimiter) {
                        table.skip_row(p);
                        continue;
                    }
                }
                table.push_row_at(row, Some(line), cells);
            }
            Err(e) => {
                consecutive_errors += 1;
                let line = e
                    .position()
                    .map(|p| lines.line_at(bytes, p.byte() as usize))
                    .unwrap_or(1);
                let mut p = RowProblem::new(
                    line.saturating_sub(inner_breaks).max(1),
                    None,
                    ProblemKind::Unreadable,
                    ProblemOutcome::RowSkipped,
                    format!("unreadable csv record: {e}; row skipped"),
                );
                p.line = Some(line);
                table.file_problems.push(p);
                if consecutive_errors > 100 || matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
}

fn count_breaks(field: &[u8]) -> usize {
    field.iter().filter(|&&b| b == b'\n').count()
}

/// Where a record sits and how the file is laid out, for [`swallowed_rows`].
struct RecordAt {
    /// Spreadsheet row and file line where the record starts.
    row: usize,
    line: usize,
    /// Header cells.
    width: usize,
    delimiter: u8,
    /// The record ends the file inside a quote that was never closed.
    unclosed: bool,
}

/// A record a misplaced quote made out of several rows: its quote is never closed (`unclosed`),
/// or one of its values holds line breaks and the separators of further rows: a line after the
/// first with at least half a row's separators, or all its lines together (the first holds the
/// rest of the row the quote opened in) with at least a whole row's; never fewer than 2. A
/// multi-line remark with a comma or two is not one. Returns the problem (row skipped) naming the column where the quote opened,
/// the file lines swallowed and the client ids found on them.
fn swallowed_rows(table: &Table<'_>, at: &RecordAt, cells: &[Cell]) -> Option<RowProblem> {
    let d = char::from(at.delimiter);
    let per_line = ((at.width.saturating_sub(1)) / 2).max(2);
    let per_value = at.width.saturating_sub(1).max(2);
    let mut breaks_before = 0usize;
    let mut found = None;
    for (i, cell) in cells.iter().enumerate() {
        let text = cell.text.as_deref().unwrap_or_default();
        let last = i + 1 == cells.len();
        if text.contains('\n') {
            // Separators per line; the first line holds the rest of the row the quote opened in.
            let seps: Vec<usize> = text.split('\n').map(|l| l.matches(d).count()).collect();
            let rows_like = seps.iter().skip(1).any(|&n| n >= per_line)
                || seps.iter().sum::<usize>() >= per_value;
            if rows_like || (at.unclosed && last) {
                found = Some((i, breaks_before, text));
                break;
            }
        }
        if at.unclosed && last {
            found = Some((i, breaks_before, text));
        }
        breaks_before += text.matches('\n').count();
    }
    let (col, breaks_before, text) = found?;
    let first_line = at.line + breaks_before;
    let mut swallowed: Vec<usize> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let id_col = table.id_col();
    for (j, l) in text.split('\n').enumerate().skip(1) {
        let l = l.trim_end_matches('\r');
        if l.trim().is_empty() {
            continue;
        }
        swallowed.push(first_line + j);
        // The client id of a swallowed line, read the way the file is read.
        let id = id_col.and_then(|c| {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(at.delimiter)
                .from_reader(l.as_bytes())
                .records()
                .next()?
                .ok()?
                .get(c)
                .map(|s| s.trim().to_owned())
        });
        if let Some(id) = id.filter(|i| super::checks::client_id_problem(i).is_none()) {
            ids.push(id);
        }
    }
    let column = table.column_name(col);
    let n = swallowed.len();
    // "the 2 rows after it … were" / "the row after it … was"
    let (after, were, those) = if n == 1 {
        ("the row".to_owned(), "was", "the swallowed row".to_owned())
    } else {
        (
            format!("the {n} rows"),
            "were",
            format!("the {n} swallowed rows"),
        )
    };
    let lines_text = if n == 0 {
        String::new()
    } else {
        let mut s = format!(" (file {}", line_ranges(&swallowed));
        if !ids.is_empty() {
            let shown: Vec<&str> = ids.iter().take(5).map(String::as_str).collect();
            s.push_str(&format!(
                "; client id{} {}{}",
                if ids.len() == 1 { "" } else { "s" },
                shown.join(", "),
                if ids.len() > 5 { ", …" } else { "" }
            ));
        }
        s.push(')');
        s
    };
    let (kind, message) = if at.unclosed {
        (
            ProblemKind::UnterminatedQuote,
            if n == 0 {
                "a quote opened in this cell is never closed (the value runs to the end of the \
                 file); row skipped — close the quote and import again"
                    .to_owned()
            } else {
                format!(
                    "a quote opened in this cell is never closed, so {after} after it{lines_text} \
                     {were} read as part of this one value; this row and {those} are skipped — close \
                     the quote and import again"
                )
            },
        )
    } else {
        (
            ProblemKind::SwallowedRows,
            format!(
                "this value holds line breaks and the separators of {after} after it{lines_text}: a \
                 quote is out of place; this row and {those} are skipped — fix the quote and import \
                 again"
            ),
        )
    };
    let own_id = id_col
        .and_then(|c| cells.get(c))
        .and_then(|c| c.text.as_deref())
        .map(|t| t.trim().to_owned())
        .filter(|i| super::checks::client_id_problem(i).is_none());
    let mut p =
        RowProblem::new(at.row, column, kind, ProblemOutcome::RowSkipped, message).with_value(text);
    p.line = Some(at.line);
    p.swallowed_lines = swallowed;
    p.client_ids = own_id.into_iter().chain(ids).collect();
    Some(p)
}

/// `lines 4–6, 9` (or `line 4`) for sorted line numbers.
fn line_ranges(lines: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let mut j = i;
        while j + 1 < lines.len() && lines[j + 1] == lines[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            lines[i].to_string()
        } else {
            format!("{}–{}", lines[i], lines[j])
        });
        i = j + 1;
    }
    format!(
        "{} {}",
        if lines.len() == 1 { "line" } else { "lines" },
        parts.join(", ")
    )
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
