//! Errors and per-row problems of the export readers.

use serde::{Deserialize, Serialize};

/// A whole-file failure: nothing could be read. Every variant names the file (its path as
/// given to [`super::read_export`]).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The file could not be opened or read.
    #[error("cannot read {file}: {cause}")]
    Io {
        file: String,
        /// Kept out of the error chain so the message does not repeat it.
        cause: std::io::Error,
    },
    /// Neither a spreadsheet (xlsx/xlsm/xlsb/xls/ods) nor a text (csv/tsv) file.
    #[error("{file} is not a Bmby export (xlsx or csv): {detail}")]
    UnsupportedFormat { file: String, detail: String },
    /// The spreadsheet library could not open the workbook or the sheet.
    #[error("cannot read workbook {file}: {message}")]
    Workbook { file: String, message: String },
    /// `ExportOptions::sheet` names a sheet the workbook does not have.
    #[error("{file} has no sheet named {sheet:?}; sheets: {}", available.join(", "))]
    SheetNotFound {
        file: String,
        sheet: String,
        available: Vec<String>,
    },
    /// The file (or sheet) has no header row.
    #[error("{file} is empty: no header row found")]
    Empty { file: String },
    /// A required column (the client id) has no header matching any of its aliases.
    #[error(
        "{file}: no {column} column; headers found: [{}]; aliases tried: [{}]",
        headers_found.join(", "),
        aliases_tried.join(", ")
    )]
    MissingColumn {
        file: String,
        /// Bmby field name, e.g. `client_id`.
        column: String,
        /// The header row as read (cleaned).
        headers_found: Vec<String>,
        aliases_tried: Vec<String>,
    },
}

/// What kind of problem a [`RowProblem`] is (stable snake_case names in `--json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Anything not listed below.
    #[default]
    Other,
    /// csv: a quote opened in this row is never closed; the rest of the file was read as one
    /// value.
    UnterminatedQuote,
    /// csv: one value holds a line break and the separators of further rows (a quote closed
    /// rows later than it should have).
    SwallowedRows,
    /// csv: the row has more or fewer cells than the header.
    CellCount,
    /// The client id cell is empty.
    EmptyClientId,
    /// The client id is not a whole number (Bmby's client ids are).
    ClientIdNotNumber,
    /// The client id was already seen in an earlier row.
    DuplicateClientId,
    /// A malformed email address.
    BadEmail,
    /// A date that does not exist (`31/02/2026`) or is in no known shape.
    BadDate,
    /// Text that is not a phone number.
    BadPhone,
    /// Bytes not valid in the file's encoding.
    BadEncoding,
    /// A cell or record the reader could not read (`#DIV/0!`, an I/O error).
    Unreadable,
}

/// What the reader did about a [`RowProblem`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemOutcome {
    /// The row was read as written (the problem is a warning).
    #[default]
    Kept,
    /// The row was read without this one field.
    FieldDropped,
    /// The row was not read at all: nothing of it is proposed.
    RowSkipped,
}

impl ProblemOutcome {
    /// How the outcome reads at the end of a message: `row skipped`, `field dropped, row kept`.
    pub fn label(self) -> &'static str {
        match self {
            ProblemOutcome::Kept => "row kept",
            ProblemOutcome::FieldDropped => "field dropped, row kept",
            ProblemOutcome::RowSkipped => "row skipped",
        }
    }
}

/// A problem with one row (or one cell) of an otherwise readable file. [`RowProblem::outcome`]
/// says whether the row was skipped, read without the field, or kept as is; the message ends
/// with the same words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    /// 1-based row number as a spreadsheet shows the file/sheet: the header is row 1 when it
    /// is the first row, blank lines count as rows, and a csv value spanning several lines is
    /// one row (so this can be less than [`RowProblem::line`]).
    pub row: usize,
    /// The column's header as written in the file (cleaned), or `None` for whole-row problems.
    pub column: Option<String>,
    pub message: String,
    /// What kind of problem this is.
    #[serde(default)]
    pub kind: ProblemKind,
    /// What was done about it.
    #[serde(default)]
    pub outcome: ProblemOutcome,
    /// The offending value, sanitized to one line and shortened to [`VALUE_CHARS`] characters.
    #[serde(default)]
    pub value: Option<String>,
    /// csv only: the 1-based line of the file where the row starts (as a text editor shows it).
    #[serde(default)]
    pub line: Option<usize>,
    /// csv only: the file lines a broken quote swallowed into this row (they are not read).
    #[serde(default)]
    pub swallowed_lines: Vec<usize>,
    /// The client ids of the rows this problem kept out of the read, where they could be
    /// read (the row's own, and those of swallowed lines); may be fewer than
    /// [`RowProblem::rows_skipped`].
    #[serde(default)]
    pub client_ids: Vec<String>,
}

impl RowProblem {
    /// Rows of the file this problem kept out of the read: the row itself when it was
    /// skipped, plus the lines a broken quote swallowed into it; 0 when the row was read.
    pub fn rows_skipped(&self) -> usize {
        if self.outcome == ProblemOutcome::RowSkipped {
            1 + self.swallowed_lines.len()
        } else {
            0
        }
    }

    /// Skipped rows whose client is not known (no readable client id): a full read with any
    /// cannot tell which linked clients are really gone.
    pub fn unknown_skipped(&self) -> usize {
        self.rows_skipped().saturating_sub(self.client_ids.len())
    }
}

/// The longest [`RowProblem::value`], in characters (an ellipsis marks a cut).
pub const VALUE_CHARS: usize = 60;

/// A value as a problem shows it: sanitized to one line (line breaks shown as `⏎`), trimmed,
/// at most [`VALUE_CHARS`] characters.
pub fn shown_value(raw: &str) -> String {
    let one = raw.replace("\r\n", "\n").replace(['\n', '\r'], " ⏎ ");
    let clean = crate::sanitize::clean_line(&one);
    let clean = clean.trim();
    if clean.chars().count() <= VALUE_CHARS {
        clean.to_owned()
    } else {
        let mut s: String = clean.chars().take(VALUE_CHARS - 1).collect();
        s.push('…');
        s
    }
}

impl RowProblem {
    /// A problem of `kind` in `row` (and `column`); `message` should end with the outcome's
    /// words ([`ProblemOutcome::label`]).
    pub fn new(
        row: usize,
        column: Option<String>,
        kind: ProblemKind,
        outcome: ProblemOutcome,
        message: impl Into<String>,
    ) -> RowProblem {
        RowProblem {
            row,
            column,
            message: message.into(),
            kind,
            outcome,
            value: None,
            line: None,
            swallowed_lines: Vec::new(),
            client_ids: Vec::new(),
        }
    }

    /// Sets [`RowProblem::value`] from raw text (see [`shown_value`]).
    pub fn with_value(mut self, raw: &str) -> RowProblem {
        self.value = Some(shown_value(raw));
        self
    }
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}", self.row)?;
        if let Some(l) = self.line.filter(|&l| l != self.row) {
            write!(f, " (line {l})")?;
        }
        match &self.column {
            Some(c) => write!(f, ", column {:?}: {}", c, self.message),
            None => write!(f, ": {}", self.message),
        }
    }
}
