//! The GHL Contacts API as a catalog of operations (`bmby-ghl op list`), and what `bmby-ghl op
//! NAME` needs besides the command line: nothing here imports ratatui or crossterm.
//!
//! - [`catalog`]: one entry per operation of GHL's `apps/contacts.json` (method, path, scope,
//!   whether it writes, the TUI action and `op` commands that reach it, or why it is left out);
//! - [`edit`]: a write as a value, proposed as a pending change, or previewed for a dry run.

pub mod catalog;
pub mod edit;

pub use catalog::{by_name, Operation, Reach, CATALOG};
pub use edit::{preview, propose, Edit, PreviewError};
