//! Dispatching approved changes to GHL exactly once, through the outbox.
//!
//! Every change moves `approved → in_flight → applied | failed | conflict` (or back to
//! `pending` when a create turns out to match someone else's contact), and each state is
//! written and flushed before the next network step, so a crash anywhere leaves a state the
//! next run finishes correctly. Each GHL request is a value ([`crate::ghl::GhlRequest`]) built
//! in [`requests`]: the dry run ([`planner`]) prints those values and the runner sends them.
//!
//! - [`runner`]: the outbox loop, states, journal, failures by [`crate::ghl::ErrorKind`];
//! - [`create`]: contact creates (look-ups before sending, unknown outcomes resolved, matches
//!   to someone else held for review);
//! - [`contact`]: contact updates and deletes;
//! - [`activity`]: tasks and notes; [`ops`]: workflows, campaigns, followers, business, bulk
//!   tags, upsert; [`bmby`]: write-back to Bmby.
//!
//! 400/403/422 fail at once with GHL's words; 429, 5xx and dropped connections of idempotent
//! requests are retried by the client (with pacing from the rate-limit headers) before a change
//! fails. A 401 (a token GHL refuses) leaves the change approved and stops the run
//! ([`DispatchError::Unauthorized`]).

pub mod activity;
pub mod bmby;
pub mod contact;
pub mod create;
mod one_at_a_time;
mod op_effect;
pub mod ops;
pub mod planner;
pub mod requests;
pub mod runner;

pub use planner::{plan, requests as planned_requests, PlannedRequest};
pub use requests::{body_of, tags_of};
pub use runner::{
    dispatch_all, dispatch_all_with, dispatch_one, dispatch_one_with, DispatchError,
    DispatchSummary,
};
