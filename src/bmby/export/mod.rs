//! Readers for Bmby export files (bmby.md §5, §8.1 "FileImport"): `.xlsx` (and other
//! spreadsheets calamine opens) and `.csv`, mapped to [`BmbyClient`] records by header name
//! through [`ColumnAliases`] — never by column position.
//!
//! What counts as a row problem rather than a file error ([`RowProblem`], each saying what was
//! done about it, [`ProblemOutcome`]):
//! * row skipped: an empty, non-numeric or duplicate client id (the first occurrence of an id
//!   is kept); in csv files also a row with more or fewer cells than the header, a quote that
//!   is never closed, and a value holding line breaks plus the separators of further rows (a
//!   misplaced quote swallowed them) — together with the rows it swallowed;
//! * field dropped, row kept: a malformed email, a date that does not exist (`31/02/2026`) or
//!   is in no known shape (birth day, client date, update date);
//! * row kept: an unreadable cell, bytes invalid in the file's encoding, a phone that may not
//!   be written to GHL ([`crate::bmby::normalize::phone_check`]: not a phone, too short or too
//!   long, of no Israeli shape): the phone is not proposed, the row's other fields are.
//!
//! Whole-file errors ([`ExportError`]): unreadable file, not a spreadsheet/csv, no header, no
//! client id column.
//!
//! Every string read is cleaned with [`crate::sanitize`] (`clean_line` for one-line fields,
//! `clean_text` for `remark` and custom values) and trimmed; HTML entities and the rest of
//! normalization are left to [`crate::bmby::normalize`].
pub mod checks;
pub mod columns;
pub mod csv;
pub mod encoding;
pub mod error;
pub mod xlsx;

use std::collections::HashMap;
use std::path::Path;

pub use columns::{header_key, ColumnAliases, Field};
pub use error::{shown_value, ExportError, ProblemKind, ProblemOutcome, RowProblem, VALUE_CHARS};

use crate::bmby::normalize::{is_writable, normalize_phone, phone_check, PhoneStatus};
use crate::bmby::record::{BmbyClient, Origin};
use crate::sanitize::{clean_line, clean_text};

/// How to read an export.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// The user confirmed this export holds *all* clients, so a client missing from it is a
    /// delete candidate. Copied to [`ExportRead::full`]; not used for reading.
    pub full: bool,
    /// User aliases, merged over [`ColumnAliases::defaults`] (see [`ColumnAliases::merged`]).
    pub aliases: Option<ColumnAliases>,
    /// Force a csv encoding (e.g. `encoding_rs::WINDOWS_1255`) instead of detecting it.
    /// Ignored for spreadsheets.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Sheet name to read from a workbook; the first sheet when `None`. Ignored for csv.
    pub sheet: Option<String>,
    /// How messages and problems name the file when not as the path read: the path as the
    /// person typed it, relative to a working directory other than this process's (a command
    /// the owner of the cache runs for another process, `crate::owner`). `None`: the path.
    pub shown_as: Option<String>,
}

/// The result of reading one export file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRead {
    /// One record per data row with a non-empty, not yet seen client id, in file order.
    pub clients: Vec<BmbyClient>,
    /// Row/cell problems, in file order.
    pub problems: Vec<RowProblem>,
    /// [`ExportOptions::full`] as given.
    pub full: bool,
    /// The file name (no directories), as put in each record's [`Origin::source`].
    pub source: String,
    /// Non-empty data rows seen after the header (including skipped ones).
    pub rows_read: usize,
    /// Columns whose header names no Bmby field ([`ColumnAliases`]): `(0-based index, the
    /// name their values are kept under in [`BmbyClient::custom`])`, in file order. Whether
    /// such a column is used depends on the `[mapping]` (`crate::sync::import` says which are
    /// not). Columns with an empty header after the first are not listed (never read).
    pub custom_columns: Vec<(usize, String)>,
}

/// One cell as read: its text (`None` when empty or unreadable) and a problem, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    pub text: Option<String>,
    pub problem: Option<String>,
    /// The kind of `problem` (the row is kept either way).
    pub problem_kind: ProblemKind,
}

/// Rows as read from a file: the header is the first non-empty row; every later row is mapped
/// to a client as soon as it is read, so the raw cells of the whole file are never held at once.
pub(crate) struct Table<'a> {
    header_row: usize,
    mapper: Option<Mapper<'a>>,
    /// Set when the header lacks a required column; later rows are ignored.
    error: Option<ExportError>,
    file_problems: Vec<RowProblem>,
    opts: &'a ExportOptions,
    file: &'a str,
    source: &'a str,
}

impl<'a> Table<'a> {
    pub(crate) fn new(opts: &'a ExportOptions, file: &'a str, source: &'a str) -> Self {
        Table {
            header_row: 0,
            mapper: None,
            error: None,
            file_problems: Vec::new(),
            opts,
            file,
            source,
        }
    }

    fn push_row(&mut self, row: usize, cells: Vec<Cell>) {
        self.push_row_at(row, None, cells)
    }

    /// Like `push_row`, for a csv row starting on file line `line`.
    fn push_row_at(&mut self, row: usize, line: Option<usize>, cells: Vec<Cell>) {
        if is_empty_row(&cells) || self.error.is_some() {
            return;
        }
        match &mut self.mapper {
            Some(m) => m.map_row(row, line, cells),
            None => {
                self.header_row = row;
                match Mapper::new(&cells, self.opts, self.file, self.source) {
                    Ok(m) => self.mapper = Some(m),
                    Err(e) => self.error = Some(e),
                }
            }
        }
    }

    /// The number of header cells, once the header row was read.
    fn header_width(&self) -> Option<usize> {
        self.mapper.as_ref().map(|m| m.headers.len())
    }

    /// A data row that cannot be read at all: counted as read, its problem reported.
    fn skip_row(&mut self, problem: RowProblem) {
        if let Some(m) = &mut self.mapper {
            m.rows_read += 1;
            m.problems.push(problem);
        }
    }

    /// csv: why a data row whose cell count does not fit the header is skipped (`None` when it
    /// fits: as many cells as the header, or fewer when only empty header cells at the end lack
    /// one). The problem's value is the row's cells joined by `delimiter`.
    fn width_problem(
        &self,
        row: usize,
        line: usize,
        cells: &[Cell],
        delimiter: u8,
    ) -> Option<RowProblem> {
        let m = self.mapper.as_ref()?;
        if self.error.is_some() || is_empty_row(cells) {
            return None;
        }
        let full = m.headers.len();
        let min = m
            .headers
            .iter()
            .rposition(|h| !h.is_empty())
            .map_or(0, |i| i + 1);
        let n = cells.len();
        if (min..=full).contains(&n) {
            return None;
        }
        let (column, detail) = if n < min {
            (
                Some(m.header_name(n)),
                format!("cells from column {:?} on are missing", m.header_name(n)),
            )
        } else {
            let extra = n - full;
            (
                None,
                format!("{extra} cell{} too many", if extra == 1 { "" } else { "s" }),
            )
        };
        let mut p = RowProblem::new(
            row,
            column,
            ProblemKind::CellCount,
            ProblemOutcome::RowSkipped,
            format!(
                "the row has {n} cells but the header has {full} ({detail}; a separator is \
                 missing or one too many, or a quote is out of place); row skipped"
            ),
        )
        .with_value(
            &cells
                .iter()
                .map(|c| c.text.as_deref().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(&char::from(delimiter).to_string()),
        );
        p.line = Some(line);
        // The row's client, when its id cell reads as one: it is in the file, only broken.
        p.client_ids = self
            .id_col()
            .and_then(|c| cells.get(c))
            .and_then(|c| c.text.as_deref())
            .map(|t| t.trim().to_owned())
            .filter(|i| checks::client_id_problem(i).is_none())
            .into_iter()
            .collect();
        Some(p)
    }

    /// The header of column `i` (`column N` when it has none); `None` before the header row.
    fn column_name(&self, i: usize) -> Option<String> {
        self.mapper.as_ref().map(|m| m.header_name(i))
    }

    /// The index of the client id column, once the header row was read.
    fn id_col(&self) -> Option<usize> {
        self.mapper.as_ref().map(|m| m.id_col)
    }
}

/// A row with no text and no problem in any cell.
fn is_empty_row(cells: &[Cell]) -> bool {
    cells
        .iter()
        .all(|c| c.problem.is_none() && c.text.as_deref().is_none_or(|t| t.trim().is_empty()))
}

const EXCEL_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods", "xlam", "xla"];
const TEXT_EXTENSIONS: &[&str] = &["csv", "tsv", "txt", "tab"];

/// Reads a Bmby export file into client records.
///
/// The format is chosen by content first (a zip or OLE signature → workbook via calamine; first
/// sheet unless `opts.sheet`), then by extension (`xlsx xlsm xlsb xls ods` → workbook, `csv tsv
/// txt` → csv). A file with another extension is read as csv only if it is text whose first
/// line has a `,`, `;` or tab; otherwise [`ExportError::UnsupportedFormat`]. csv: see
/// [`csv::read_csv_bytes`]. Numeric cells become digit text without `.0`, date cells
/// `YYYY-MM-DD HH:MM:SS` (see [`xlsx::cell_text`]).
///
/// Errors name the file: unreadable ([`ExportError::Io`]), wrong format, broken workbook,
/// missing sheet, no header, no client id column (with the headers found and aliases tried).
pub fn read_export(path: &Path, opts: &ExportOptions) -> Result<ExportRead, ExportError> {
    let file = opts
        .shown_as
        .clone()
        .unwrap_or_else(|| path.display().to_string());
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    let bytes = std::fs::read(path).map_err(|cause| ExportError::Io {
        file: file.clone(),
        cause,
    })?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    if is_zip || is_ole || EXCEL_EXTENSIONS.contains(&ext.as_str()) {
        if !is_zip && !is_ole {
            return Err(ExportError::UnsupportedFormat {
                file,
                detail: format!("extension .{ext} but the content is not a spreadsheet"),
            });
        }
        return xlsx::read_workbook_bytes(bytes, &file, &source, opts);
    }
    {
        let head = &bytes[..bytes.len().min(8192)];
        let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
        if !utf16 && head.contains(&0) {
            return Err(ExportError::UnsupportedFormat {
                file,
                detail: "binary content (NUL bytes); not a spreadsheet or delimited text".into(),
            });
        }
    }
    if !TEXT_EXTENSIONS.contains(&ext.as_str()) {
        let head = &bytes[..bytes.len().min(8192)];
        let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
        let first_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
        let texty = utf16
            || (!head.contains(&0) && first_line.iter().any(|b| matches!(b, b',' | b';' | b'\t')));
        if !texty {
            return Err(ExportError::UnsupportedFormat {
                file,
                detail: "neither a spreadsheet nor delimited text".into(),
            });
        }
    }
    let mut read = csv::read_csv_bytes(&bytes, &file, opts)?;
    read.source = source.clone();
    for c in &mut read.clients {
        c.origin.source = source.clone();
    }
    Ok(read)
}

/// What one column feeds.
enum Target {
    Field(Field),
    Custom(String),
    Ignore,
}

fn set(c: &mut BmbyClient, f: Field, v: String) {
    let slot = match f {
        Field::ClientId => {
            c.client_id = v;
            return;
        }
        Field::Fname => &mut c.fname,
        Field::Lname => &mut c.lname,
        Field::FullName => return, // handled by the caller
        Field::Email => &mut c.email,
        Field::PhoneMobile => &mut c.phone_mobile,
        Field::PhoneHome => &mut c.phone_home,
        Field::PhoneWork => &mut c.phone_work,
        Field::Passport => &mut c.passport,
        Field::BirthDay => &mut c.birth_day,
        Field::Address => &mut c.address,
        Field::City => &mut c.city,
        Field::CompanyName => &mut c.company_name,
        Field::Status => &mut c.status,
        Field::Remark => &mut c.remark,
        Field::MediaTitle => &mut c.media_title,
        Field::UserName => &mut c.user_name,
        Field::ClientDate => &mut c.client_date,
        Field::UpdateDate => &mut c.update_date,
    };
    if slot.is_none() {
        *slot = Some(v);
    }
}

/// Maps the rows of one file to clients, given its header row.
pub(crate) struct Mapper<'a> {
    opts: &'a ExportOptions,
    source: &'a str,
    headers: Vec<String>,
    targets: Vec<Target>,
    id_col: usize,
    problems: Vec<RowProblem>,
    clients: Vec<BmbyClient>,
    first_row_of: HashMap<String, usize>,
    rows_read: usize,
}

impl<'a> Mapper<'a> {
    /// Finds each column's target from the header cells. Errors: no client id column.
    fn new(
        header_cells: &[Cell],
        opts: &'a ExportOptions,
        file: &str,
        source: &'a str,
    ) -> Result<Self, ExportError> {
        let aliases = match &opts.aliases {
            Some(user) => ColumnAliases::defaults().merged(user),
            None => ColumnAliases::defaults(),
        };
        let headers: Vec<String> = header_cells
            .iter()
            .map(|c| {
                c.text
                    .as_deref()
                    .map(|t| clean_line(t).trim().to_owned())
                    .unwrap_or_default()
            })
            .collect();
        let mut seen_custom: HashMap<String, usize> = HashMap::new();
        let targets: Vec<Target> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| match aliases.field_for(h) {
                Some(f) => Target::Field(f),
                None => {
                    let base = if h.is_empty() {
                        format!("column {}", i + 1)
                    } else {
                        h.clone()
                    };
                    let n = seen_custom.entry(base.clone()).or_insert(0);
                    *n += 1;
                    if *n == 1 {
                        Target::Custom(base)
                    } else if h.is_empty() {
                        Target::Ignore
                    } else {
                        Target::Custom(format!("{base} ({n})"))
                    }
                }
            })
            .collect();
        let Some(id_col) = targets
            .iter()
            .position(|t| matches!(t, Target::Field(Field::ClientId)))
        else {
            return Err(ExportError::MissingColumn {
                file: file.to_owned(),
                column: Field::ClientId.bmby_name().to_owned(),
                headers_found: headers.iter().filter(|h| !h.is_empty()).cloned().collect(),
                aliases_tried: aliases.aliases(Field::ClientId).to_vec(),
            });
        };
        Ok(Mapper {
            opts,
            source,
            headers,
            targets,
            id_col,
            problems: Vec::new(),
            clients: Vec::new(),
            first_row_of: HashMap::new(),
            rows_read: 0,
        })
    }

    fn header_name(&self, i: usize) -> String {
        column_label(&self.headers, i)
    }

    fn map_row(&mut self, row: usize, line: Option<usize>, cells: Vec<Cell>) {
        let source = self.source;
        self.rows_read += 1;
        let problem = |column: usize, kind, outcome, message: String, value: &str| {
            let name = column_label(&self.headers, column);
            let mut p = RowProblem::new(row, Some(name), kind, outcome, message).with_value(value);
            p.line = line;
            p
        };
        // Problems of a row that is kept; dropped when the row is skipped after all.
        let mut kept_problems: Vec<RowProblem> = Vec::new();
        let mut c = BmbyClient {
            origin: Origin {
                source: source.to_owned(),
                row: Some(row),
            },
            ..Default::default()
        };
        let mut full_name = None;
        let mut phone_cols: Vec<(Field, usize)> = Vec::new();
        for (i, cell) in cells.into_iter().enumerate() {
            // Text decoded with replacement characters is not what Bmby holds: its value is
            // never proposed (a `\u{FFFD}` would reach GHL), the rest of the row is.
            let garbled = cell.problem.is_some() && cell.problem_kind == ProblemKind::BadEncoding;
            if let Some(msg) = cell.problem {
                kept_problems.push(problem(
                    i,
                    cell.problem_kind,
                    if garbled {
                        ProblemOutcome::FieldDropped
                    } else {
                        ProblemOutcome::Kept
                    },
                    msg,
                    cell.text.as_deref().unwrap_or_default(),
                ));
            }
            if garbled {
                continue;
            }
            let Some(raw) = cell.text else { continue };
            let target = self.targets.get(i).unwrap_or(&Target::Ignore);
            let multi = matches!(target, Target::Custom(_) | Target::Field(Field::Remark));
            let v = if multi {
                clean_text(&raw)
            } else {
                clean_line(&raw)
            };
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let v = v.to_owned();
            match target {
                Target::Field(Field::FullName) => {
                    full_name.get_or_insert(v);
                }
                Target::Field(f) => {
                    let slot_empty = match f {
                        Field::ClientId => c.client_id.is_empty(),
                        Field::PhoneMobile => c.phone_mobile.is_none(),
                        Field::PhoneHome => c.phone_home.is_none(),
                        Field::PhoneWork => c.phone_work.is_none(),
                        _ => true,
                    };
                    if !slot_empty {
                        continue;
                    }
                    if matches!(f, Field::PhoneMobile | Field::PhoneHome | Field::PhoneWork) {
                        phone_cols.push((*f, i));
                    }
                    let bad = match f {
                        Field::Email => {
                            checks::email_problem(&v).map(|m| (ProblemKind::BadEmail, m))
                        }
                        Field::BirthDay | Field::ClientDate | Field::UpdateDate => {
                            checks::date_problem(&v).map(|m| (ProblemKind::BadDate, m))
                        }
                        _ => None,
                    };
                    if let Some((kind, why)) = bad {
                        let outcome = ProblemOutcome::FieldDropped;
                        kept_problems.push(problem(
                            i,
                            kind,
                            outcome,
                            format!("{why}; {}", outcome.label()),
                            &v,
                        ));
                        continue;
                    }
                    set(&mut c, *f, v);
                }
                Target::Custom(name) => {
                    c.custom.insert(name.clone(), v);
                }
                Target::Ignore => {}
            }
        }
        if c.fname.is_none() && c.lname.is_none() {
            c.fname = full_name;
        }
        let skipped = ProblemOutcome::RowSkipped;
        if c.client_id.is_empty() {
            self.problems.push(problem(
                self.id_col,
                ProblemKind::EmptyClientId,
                skipped,
                "empty client id; row skipped".into(),
                "",
            ));
            return;
        }
        if let Some(why) = checks::client_id_problem(&c.client_id) {
            self.problems.push(problem(
                self.id_col,
                ProblemKind::ClientIdNotNumber,
                skipped,
                format!("{why}; row skipped"),
                &c.client_id,
            ));
            return;
        }
        if let Some(first) = self.first_row_of.get(&c.client_id) {
            self.problems.push(problem(
                self.id_col,
                ProblemKind::DuplicateClientId,
                skipped,
                format!(
                    "duplicate client id {} (first at row {first}); row skipped",
                    c.client_id
                ),
                &c.client_id,
            ));
            return;
        }
        self.problems.append(&mut kept_problems);
        self.first_row_of.insert(c.client_id.clone(), row);
        for (f, i) in phone_cols {
            let value = match f {
                Field::PhoneMobile => &c.phone_mobile,
                Field::PhoneHome => &c.phone_home,
                _ => &c.phone_work,
            };
            // Only text that is not plainly an Israeli number is parsed here (parsing is the
            // costly part of a read, and normalization parses every phone again anyway). A
            // phone GHL may not get (`phone_check`) is a problem; the row is kept.
            if let Some(v) = value.as_ref().filter(|v| !plain_israeli_phone(v)) {
                let p = normalize_phone(v);
                if !is_writable(&p) {
                    let message = if p.status == PhoneStatus::Unparseable {
                        format!(
                            "not a phone number: {:?}; kept in Bmby's record, not proposed to GHL",
                            p.raw
                        )
                    } else {
                        format!(
                            "{}; kept in Bmby's record, not proposed to GHL",
                            phone_check::rejection(&p)
                        )
                    };
                    let p = problem(i, ProblemKind::BadPhone, ProblemOutcome::Kept, message, v);
                    self.problems.push(p);
                }
            }
        }
        self.clients.push(c);
    }
}

/// The header of column `i` (0-based), or `column N` when it has none.
fn column_label(headers: &[String], i: usize) -> String {
    match headers.get(i) {
        Some(h) if !h.is_empty() => h.clone(),
        _ => format!("column {}", i + 1),
    }
}

/// Digits with the usual phone punctuation only, in a shape that is always a writable Israeli
/// number ([`phone_check`]): `05x`/`07x` + 7 digits, `0[2-489]` + 7 digits, or the same with
/// the leading zero lost in Excel. Such a value needs no parse here; anything else is parsed.
fn plain_israeli_phone(v: &str) -> bool {
    if !v
        .chars()
        .all(|c| c.is_ascii_digit() || " -()./".contains(c))
    {
        return false;
    }
    let digits: Vec<u8> = v.bytes().filter(u8::is_ascii_digit).collect();
    let d = match digits.first() {
        Some(b'0') => &digits[1..],
        _ => &digits[..],
    };
    matches!(
        (d.len(), d.first()),
        (9, Some(b'5' | b'7')) | (8, Some(b'2' | b'3' | b'4' | b'8' | b'9'))
    )
}

/// Ends a read: the clients and problems of a [`Table`]. `file` names the file in errors.
fn build(table: Table<'_>) -> Result<ExportRead, ExportError> {
    if let Some(e) = table.error {
        return Err(e);
    }
    let Some(m) = table.mapper else {
        return Err(ExportError::Empty {
            file: table.file.to_owned(),
        });
    };
    let mut problems = table.file_problems;
    problems.extend(m.problems);
    problems.sort_by_key(|p| p.row);
    Ok(ExportRead {
        clients: m.clients,
        problems,
        full: m.opts.full,
        source: m.source.to_owned(),
        rows_read: m.rows_read,
        custom_columns: m
            .targets
            .iter()
            .enumerate()
            .filter_map(|(i, t)| match t {
                Target::Custom(name) => Some((i, name.clone())),
                _ => None,
            })
            .collect(),
    })
}
