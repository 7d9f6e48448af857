//! ghl
