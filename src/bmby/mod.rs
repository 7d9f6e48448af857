//! Bmby readers and writers: export files (xlsx/csv), the SOAP v3 web service, and the
//! normalization that makes Bmby data comparable with GHL's. Never imports the UI.
pub mod export;
pub mod normalize;
pub mod record;
pub mod soap;

pub use record::{BmbyClient, Origin};
