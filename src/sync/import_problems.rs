//! The row problems of the last Bmby export file imported into a location's cache, kept so
//! that every screen can show them (the TUI lists them in its messages at start; `import`
//! prints them as it runs). Stored as JSON under the cache's metadata key [`META_KEY`].

use serde::{Deserialize, Serialize};

use crate::bmby::export::RowProblem;
use crate::store::{Store, StoreError};

/// The metadata key the last import's problems are stored under.
pub const META_KEY: &str = "bmby_import_problems";

/// The row problems of one file import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblems {
    /// The file's name, as in each change's origin.
    pub source: String,
    /// When the import ran (ISO 8601 UTC).
    pub at: String,
    /// In file order.
    pub problems: Vec<RowProblem>,
}

impl ImportProblems {
    /// How many rows were skipped (nothing of them proposed).
    pub fn rows_skipped(&self) -> usize {
        self.problems.iter().map(RowProblem::rows_skipped).sum()
    }

    /// One line per problem: `FILE: row R, column "C": … ; row skipped`.
    pub fn lines(&self) -> Vec<String> {
        self.problems
            .iter()
            .map(|p| format!("{}: {p}", self.source))
            .collect()
    }

    /// A one-line summary: `bmby.csv: 3 problems in the last import (2 rows skipped)`.
    pub fn summary(&self) -> String {
        let n = self.problems.len();
        let skipped = self.rows_skipped();
        format!(
            "{}: {n} problem{} in the last import{}",
            self.source,
            if n == 1 { "" } else { "s" },
            match skipped {
                0 => String::new(),
                1 => " (1 row skipped)".to_owned(),
                k => format!(" ({k} rows skipped)"),
            }
        )
    }
}

/// Replaces the stored problems with those of the import of `source` that just ran (an empty
/// list clears them). Errors: the store's.
pub fn save(store: &Store, source: &str, problems: &[RowProblem]) -> Result<(), StoreError> {
    let doc = ImportProblems {
        source: source.to_owned(),
        at: jiff::Timestamp::now().to_string(),
        problems: problems.to_vec(),
    };
    let json = serde_json::to_string(&doc).unwrap_or_default();
    store.set_meta(META_KEY, &json)
}

/// The problems of the last file import, if it had any (`None` when none were stored or the
/// stored value is unreadable).
pub fn load(store: &Store) -> Option<ImportProblems> {
    let doc: ImportProblems = serde_json::from_str(&store.meta(META_KEY)?).ok()?;
    (!doc.problems.is_empty()).then_some(doc)
}
