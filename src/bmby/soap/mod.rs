//! Client for Bmby's SOAP v3 web services (bmby.md §3) and the AddClient lead endpoint (§2).
//!
//! | method | Bmby operation | returns |
//! |---|---|---|
//! | [`BmbySoapClient::get_all_clients`] | clients `GetAll` (`Dynamic=1`, cursor paging) | [`ClientsRead`] |
//! | [`BmbySoapClient::get_all_clients_json`] | clients `GetAllJson` | [`ClientsRead`] |
//! | [`BmbySoapClient::insert_client`] | clients `Insert` with `jsonClient` | new/updated `ClientID` |
//! | [`BmbySoapClient::new_task`] | `tasks.php` `NewTask` | `()` |
//! | [`BmbySoapClient::add_client`] | `POST /shared/AddClient/index.php` | Bmby's opaque answer |
//!
//! Requests are SOAP 1.1 rpc/encoded with the 17-member `Parameters` struct; answers are
//! double-wrapped (`<GetAllReturn>` → `Data` string → `<clients><row>` with CDATA values).
//! Errors are typed ([`BmbySoapError`]); 5xx and dropped connections are retried with
//! exponential backoff and jitter. Credentials come from config/env (`BMBY_SOAP_URL`,
//! `BMBY_LOGIN`, `BMBY_PASSWORD`, `BMBY_PROJECT_ID`), never argv; the password is a
//! [`Secret`] and never reaches logs, errors or `Debug` output.

mod client;
mod envelope;
mod error;
mod parse;
mod types;
/// The element tree over quick-xml, shared with the Bmby stand-in (`crate::sandbox::bmby`).
pub(crate) mod xml;

use std::time::Duration;

use crate::ghl::Secret;

pub use client::BmbySoapClient;
pub use envelope::{NS_CLIENTS, NS_TASKS};
pub use error::{BmbySoapError, Operation};
pub use types::{AddClientInput, ClientsRead, NewTaskInput, TaskType};

/// Bmby's production SOAP v3 base URL (the clients service).
pub const DEFAULT_SOAP_URL: &str = "https://www.bmby.com/WebServices/srv/v3/";

/// Configuration of a [`BmbySoapClient`]. `Debug` shows `[redacted]` for the passwords.
#[derive(Debug, Clone)]
pub struct BmbySoapConfig {
    /// Clients service URL (`BMBY_SOAP_URL`), e.g. [`DEFAULT_SOAP_URL`]; `tasks.php` is
    /// resolved next to it.
    pub url: String,
    /// API user `Login` (`BMBY_LOGIN`), issued by Bmby support.
    pub login: String,
    /// API user `Password` (`BMBY_PASSWORD`).
    pub password: Secret,
    /// `ProjectID` (`BMBY_PROJECT_ID`).
    pub project_id: String,
    /// The project's lead password for AddClient (distinct from the API password); AddClient
    /// fails with [`BmbySoapError::Config`] without it.
    pub lead_password: Option<Secret>,
    /// AddClient URL; `None` = `/shared/AddClient/index.php` on the host of `url`.
    pub add_client_url: Option<String>,
    /// Attempts per call, first included (at least 1).
    pub max_attempts: u32,
    /// First backoff step; doubles per attempt, equal jitter.
    pub backoff_base: Duration,
    /// Longest backoff step.
    pub backoff_cap: Duration,
    /// Per-request timeout (connect + answer).
    pub timeout: Duration,
    /// `Limit` sent with reads; `None` = 1000 for `GetAll`, 3000 for `GetAllJson` (Bmby caps
    /// pages near those sizes anyway; paging never relies on it).
    pub page_limit: Option<u32>,
}

impl BmbySoapConfig {
    /// A config with defaults: 5 attempts, 500 ms backoff base capped at 30 s, 60 s timeout,
    /// no lead password.
    pub fn new(
        url: impl Into<String>,
        login: impl Into<String>,
        password: Secret,
        project_id: impl Into<String>,
    ) -> Self {
        BmbySoapConfig {
            url: url.into(),
            login: login.into(),
            password,
            project_id: project_id.into(),
            lead_password: None,
            add_client_url: None,
            max_attempts: 5,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(30),
            timeout: Duration::from_secs(60),
            page_limit: None,
        }
    }
}
