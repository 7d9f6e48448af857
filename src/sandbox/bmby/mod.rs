//! Bmby stand-in: an axum HTTP server on `127.0.0.1` that plays Bmby's SOAP v3 web services and
//! the AddClient lead endpoint (bmby.md §2, §3, §8.2) for tests and the demo. Like the GHL
//! stand-in it never uses the crate's Bmby client types, so it checks the client against the
//! documented wire format.
//!
//! | endpoint | operations | see |
//! |---|---|---|
//! | `POST /WebServices/srv/v3/` | clients `GetAll`, `GetAllJson`, `Insert` | [`soap`] docs |
//! | `POST /WebServices/srv/v3/tasks.php` | `GetAll`, `GetAllJson`, `NewTask` | [`soap`] docs |
//! | `POST /shared/AddClient/index.php` | lead injection (form) | [`addclient`] docs |
//!
//! `Error` texts are the `ERR_*` constants (bad credentials: [`ERR_LOGIN`] = `Login failed`).
//! Deleting a client is only possible through [`BmbySandbox::delete_client`] (Bmby has no
//! delete operation). Choices where Bmby's behaviour is unknown are marked **OUR CHOICE**.

pub mod addclient;
mod faults;
mod persist;
pub mod seed;
pub mod soap;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::post;
use axum::Router;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use faults::BmbyFaults;
pub use seed::BmbySeed;
pub use soap::{
    ERR_BAD_JSON, ERR_EMPTY_CLIENT, ERR_LOGIN, ERR_NO_CLIENT_ID, ERR_OTHER_PROJECT,
    ERR_TASK_CLIENT, ERR_TASK_DATE,
};
pub use state::{BmbyRequest, ClientRecord, TaskRecord};

use state::Shared;

/// ProjectID of the demo project.
pub const DEMO_PROJECT_ID: &str = "5120";
/// API `Login` the stand-in accepts by default.
pub const DEMO_LOGIN: &str = "bmby-api-demo";
/// API `Password` the stand-in accepts by default.
pub const DEMO_PASSWORD: &str = "Demo-Soap-Pa55";
/// AddClient lead `Password` of the demo project.
pub const DEMO_LEAD_PASSWORD: &str = "demo-lead-7731";
/// A project the API user has no access to; seeds put clients there.
pub const OTHER_PROJECT_ID: &str = "5121";
/// A client of [`OTHER_PROJECT_ID`] present in the Demo and Generated seeds
/// (`Insert` with this `client_id` → `ClientID in another Project`).
pub const FOREIGN_CLIENT_ID: u64 = 900_001;

/// Configuration of a [`BmbySandbox`].
#[derive(Debug, Clone)]
pub struct BmbySandboxConfig {
    /// TCP port; 0 = any free port. Always binds 127.0.0.1.
    pub port: u16,
    /// Accepted API `Login`.
    pub login: String,
    /// Accepted API `Password`.
    pub password: String,
    /// The project the API user may read and write.
    pub project_id: String,
    /// AddClient lead `Password` of `project_id`.
    pub lead_password: String,
    /// Initial data.
    pub seed: BmbySeed,
    /// Rows per clients/tasks `GetAll` page (Bmby: about 1000).
    pub page_size_getall: usize,
    /// Rows per `GetAllJson` page (Bmby: about 3000).
    pub page_size_getalljson: usize,
}

impl Default for BmbySandboxConfig {
    fn default() -> Self {
        BmbySandboxConfig {
            port: 0,
            login: DEMO_LOGIN.into(),
            password: DEMO_PASSWORD.into(),
            project_id: DEMO_PROJECT_ID.into(),
            lead_password: DEMO_LEAD_PASSWORD.into(),
            seed: BmbySeed::Demo,
            page_size_getall: 1000,
            page_size_getalljson: 3000,
        }
    }
}

/// A running Bmby stand-in. Dropping it stops the server; [`BmbySandbox::shutdown`] also waits
/// for the server task to end.
pub struct BmbySandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
}

impl BmbySandbox {
    /// Binds `127.0.0.1:cfg.port`, loads the seed and spawns the server on the current tokio
    /// runtime. Errors: bind failures, or a broken embedded seed (`InvalidData`).
    pub async fn start(cfg: BmbySandboxConfig) -> std::io::Result<BmbySandbox> {
        let (clients, tasks) = seed::load(&cfg.seed, &cfg.project_id)?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", cfg.port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(cfg, clients, tasks));
        let (stop, mut rx) = watch::channel(false);
        let app = router(shared.clone());
        let server = tokio::spawn(async move {
            let shutdown = async move {
                let _ = rx.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::warn!("bmby sandbox server stopped: {e}");
            }
        });
        Ok(BmbySandbox {
            addr,
            shared,
            stop,
            server: Some(server),
        })
    }

    /// The bound socket address (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `"http://127.0.0.1:PORT"` — stands for `https://www.bmby.com`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The clients service, `base_url() + "/WebServices/srv/v3/"` (use as `BMBY_SOAP_URL`).
    pub fn soap_url(&self) -> String {
        format!("{}/WebServices/srv/v3/", self.base_url())
    }

    /// The tasks service, `soap_url() + "tasks.php"`.
    pub fn tasks_url(&self) -> String {
        format!("{}tasks.php", self.soap_url())
    }

    /// The lead endpoint, `base_url() + "/shared/AddClient/index.php"`.
    pub fn add_client_url(&self) -> String {
        format!("{}/shared/AddClient/index.php", self.base_url())
    }

    /// Fault switches tests flip at runtime.
    pub fn faults(&self) -> &BmbyFaults {
        &self.shared.faults
    }

    /// Every request seen so far, oldest first (`Password` shown as `***`).
    pub fn requests(&self) -> Vec<BmbyRequest> {
        self.shared.requests()
    }

    /// Forget the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.clear_requests()
    }

    /// Simulate an edit in Bmby's UI: set `field` (a Bmby field name such as `city`, or
    /// `dynamic:<title>` for a custom field; empty `value` removes it) of client `id` and bump
    /// its `update_date` to now (later than any earlier stamp). False if there is no such client.
    pub fn update_client(&self, id: &str, field: &str, value: &str) -> bool {
        let Ok(id) = id.trim().parse::<u64>() else {
            return false;
        };
        let mut data = self.shared.data();
        if !data.clients.contains_key(&id) {
            return false;
        }
        let now = data.stamp();
        let Some(c) = data.clients.get_mut(&id) else {
            return false;
        };
        if let Some(title) = field.strip_prefix("dynamic:") {
            c.dynamic.retain(|(t, _)| t != title);
            if !value.is_empty() {
                c.dynamic.push((title.to_owned(), value.to_owned()));
            }
        } else if value.is_empty() {
            c.fields.remove(field);
        } else {
            c.fields.insert(field.to_owned(), value.to_owned());
        }
        c.update_date = now;
        true
    }

    /// Remove client `id` (and its tasks), as a deletion or merge in Bmby would: it simply stops
    /// appearing. False if there is no such client.
    pub fn delete_client(&self, id: &str) -> bool {
        let Ok(id) = id.trim().parse::<u64>() else {
            return false;
        };
        let mut data = self.shared.data();
        data.tasks.retain(|t| t.client_id != id);
        data.clients.remove(&id).is_some()
    }

    /// Snapshot of every client of every project, by id.
    pub fn clients(&self) -> Vec<ClientRecord> {
        self.shared.data().clients.values().cloned().collect()
    }

    /// One client, if it exists.
    pub fn client(&self, id: &str) -> Option<ClientRecord> {
        let id = id.trim().parse::<u64>().ok()?;
        self.shared.data().clients.get(&id).cloned()
    }

    /// Snapshot of every task, oldest first.
    pub fn tasks(&self) -> Vec<TaskRecord> {
        self.shared.data().tasks.clone()
    }

    /// Stop accepting connections and wait for the server task to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
    }
}

impl Drop for BmbySandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/WebServices/srv/v3/", post(soap::clients))
        .route("/WebServices/srv/v3", post(soap::clients))
        .route("/WebServices/srv/v3/clients.php", post(soap::clients))
        .route("/WebServices/srv/v3/tasks.php", post(soap::tasks))
        .route("/shared/AddClient/index.php", post(addclient::add_client))
        .route("/shared/AddClient/index.php/", post(addclient::add_client))
        .with_state(shared)
}
