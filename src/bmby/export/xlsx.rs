//! Spreadsheet exports (xlsx, and whatever else calamine opens: xlsm, xlsb, xls, ods).

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Reader};

use super::{build, Cell, ExportError, ExportOptions, ExportRead, Table};

/// Text of a numeric cell: integral values (phones that lost their leading zero, ids) as
/// integer digits without `.0` (below 10^15, where f64 is exact); other numbers in Rust's
/// shortest round-trip form.
pub fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// One cell → text. Dates become `YYYY-MM-DD HH:MM:SS` (rounded to the second); error cells
/// (`#N/A`, `#DIV/0!`…) have no text and a problem message.
pub fn cell_text(d: &Data) -> Cell {
    let text = match d {
        Data::Empty => None,
        Data::String(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(number_text(*f)),
        Data::Bool(b) => Some(if *b { "true" } else { "false" }.to_owned()),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, da, h, mi, s, ms) = dt.to_ymd_hms_milli();
            let civil = jiff::civil::DateTime::new(
                y as i16, mo as i8, da as i8, h as i8, mi as i8, s as i8, 0,
            )
            .ok()
            .map(|c| {
                if ms >= 500 {
                    c.checked_add(jiff::SignedDuration::from_secs(1))
                        .unwrap_or(c)
                } else {
                    c
                }
            });
            match civil {
                Some(c) => Some(c.strftime("%Y-%m-%d %H:%M:%S").to_string()),
                None => Some(number_text(dt.as_f64())),
            }
        }
        Data::DateTime(dt) => Some(number_text(dt.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Error(e) => {
            return Cell {
                text: None,
                problem: Some(format!("unreadable cell ({e})")),
                problem_kind: super::ProblemKind::Unreadable,
            }
        }
    };
    Cell {
        text,
        ..Default::default()
    }
}

/// Reads a workbook from memory: the first sheet, or `opts.sheet` when set. `file` names the
/// workbook in errors; `source` goes into each record's origin.
pub fn read_workbook_bytes(
    bytes: Vec<u8>,
    file: &str,
    source: &str,
    opts: &ExportOptions,
) -> Result<ExportRead, ExportError> {
    let mut wb =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| ExportError::Workbook {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
    let names = wb.sheet_names();
    let sheet =
        match &opts.sheet {
            Some(s) => names.iter().find(|n| *n == s).cloned().ok_or_else(|| {
                ExportError::SheetNotFound {
                    file: file.to_owned(),
                    sheet: s.clone(),
                    available: names.clone(),
                }
            })?,
            None => names.first().cloned().ok_or_else(|| ExportError::Empty {
                file: file.to_owned(),
            })?,
        };
    let range = wb
        .worksheet_range(&sheet)
        .map_err(|e| ExportError::Workbook {
            file: file.to_owned(),
            message: format!("sheet {sheet:?}: {e}"),
        })?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut table = Table::new(opts, file, source);
    for (i, row) in range.rows().enumerate() {
        table.push_row(first_row + i + 1, row.iter().map(cell_text).collect());
    }
    build(table)
}
