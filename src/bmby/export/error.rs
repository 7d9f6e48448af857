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

/// A problem with one row (or one cell) of an otherwise readable file. The row is kept
/// unless the message says it was skipped (empty or duplicate client id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    /// 1-based row number in the file/sheet (the header is row 1 when it is the first row).
    pub row: usize,
    /// The column's header as written in the file (cleaned), or `None` for whole-row problems.
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "row {}, column {:?}: {}", self.row, c, self.message),
            None => write!(f, "row {}: {}", self.row, self.message),
        }
    }
}
