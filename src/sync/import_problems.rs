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
    /// Notices that blocked nothing (columns not used: `column 5 "foo" is not used …`).
    /// Absent in what older versions stored.
    #[serde(default)]
    pub notices: Vec<String>,
}

impl ImportProblems {
    /// How many rows were skipped (nothing of them proposed).
    pub fn rows_skipped(&self) -> usize {
        self.problems.iter().map(RowProblem::rows_skipped).sum()
    }

    /// One line per problem: `FILE: row R, column "C": … ; row skipped`, then one per notice:
    /// `FILE: column 5 "foo" is not used (…)`.
    pub fn lines(&self) -> Vec<String> {
        self.problems
            .iter()
            .map(|p| format!("{}: {p}", self.source))
            .chain(self.notices.iter().map(|n| format!("{}: {n}", self.source)))
            .collect()
    }

    /// For the status bar: `3 problems`, `1 problem, 2 notices`, or `1 notice` when the import
    /// had notices only.
    pub fn count_text(&self) -> String {
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        match (self.problems.len(), self.notices.len()) {
            (p, 0) => plural(p, "problem"),
            (0, n) => plural(n, "notice"),
            (p, n) => format!("{}, {}", plural(p, "problem"), plural(n, "notice")),
        }
    }

    /// A one-line summary: `bmby.csv: 3 problems in the last import (2 rows skipped)`
    /// (`…: 1 problem, 1 notice in the last import` with notices).
    pub fn summary(&self) -> String {
        let skipped = self.rows_skipped();
        format!(
            "{}: {} in the last import{}",
            self.source,
            self.count_text(),
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
    save_with_notices(store, source, problems, &[])
}

/// [`save`] with the import's notices (columns not used) beside its problems; both empty
/// clears them.
pub fn save_with_notices(
    store: &Store,
    source: &str,
    problems: &[RowProblem],
    notices: &[String],
) -> Result<(), StoreError> {
    let doc = ImportProblems {
        source: source.to_owned(),
        at: jiff::Timestamp::now().to_string(),
        problems: problems.to_vec(),
        notices: notices.to_vec(),
    };
    let json = serde_json::to_string(&doc).unwrap_or_default();
    store.set_meta(META_KEY, &json)
}

/// The problems of the last file import, if it had any (`None` when none were stored or the
/// stored value is unreadable).
pub fn load(store: &Store) -> Option<ImportProblems> {
    let doc: ImportProblems = serde_json::from_str(&store.meta(META_KEY)?).ok()?;
    (!doc.problems.is_empty() || !doc.notices.is_empty()).then_some(doc)
}
