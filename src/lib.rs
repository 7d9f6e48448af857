//! bmby-ghl: browse GoHighLevel data from a local sled cache and review Bmby changes before they
//! are written. See `README.md` and `../shared/docs/design.md` for how the pieces fit.
//!
//! Boundary rule: `auth`, `domain`, `ghl`, `ops`, `store`, `sync`, `sandbox` and `sanitize` never
//! import ratatui or crossterm; only `tui` does.
pub mod auth;
pub mod bmby;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod domain;
pub mod ghl;
pub mod logging;
pub mod memory;
pub mod ops;
pub mod owner;
pub mod sandbox;
pub mod sanitize;
pub mod search;
pub mod store;
pub mod suggest;
pub mod sync;
pub mod tui;
pub mod webhooks;
