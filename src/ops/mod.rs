//! The GHL Contacts API as a catalog of operations (`bmby-ghl op list`), and what `bmby-ghl op
//! NAME` needs besides the command line: nothing here imports ratatui or crossterm.
//!
//! - [`catalog`]: one entry per operation of GHL's `apps/contacts.json` (method, path, scope,
//!   whether it writes, the TUI action and `op` commands that reach it, or why it is left out).

pub mod catalog;

pub use catalog::{by_name, Operation, Reach, CATALOG};
