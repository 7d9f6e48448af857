//! GHL stand-in: an axum HTTP server on `127.0.0.1` that plays the GoHighLevel API v2
//! (`services.leadconnectorhq.com`) for tests and for `bmby-ghl demo` / `bmby-ghl sandbox`.
//!
//! It stores contacts as `serde_json::Value` objects shaped exactly like GHL's
//! `GetContectByIdSchema` (see `shared/docs/ghl-api.md` §4.1) and never uses types from other
//! modules of this crate, so it checks our client against GHL's documented behaviour rather than
//! against our own assumptions.
//!
//! Served endpoints (all need `Authorization: Bearer <token>` and `Version: 2021-07-28`):
//!
//! | endpoint | reply |
//! |---|---|
//! | `POST /contacts/search` | `{"contacts":[SearchContact],"total":N,"traceId":"…"}` |
//! | `GET /contacts/{id}` | `{"contact": Contact}` |
//! | `GET /contacts/{id}/tasks` | `{"tasks":[TaskSchema]}` |
//! | `GET /contacts/{id}/notes` | `{"notes":[GetNoteSchema]}` |
//! | `GET /contacts/{id}/appointments` | `{"events":[GetEventSchema]}` |
//! | `GET /locations/{locationId}/customFields?model=` | `{"customFields":[CustomFieldSchema]}` |
//! | `GET /locations/{locationId}` | `{"location": GetLocationByIdSchema}` (id, name, companyId, timezone, `settings.allowDuplicateContact`) |
//! | workflows, campaigns, followers, bulk business, bulk tags, business contacts | see [`ops`] |
//! | `POST /contacts/upsert` | `{"new":bool,"contact":Contact}`, see [`upsert`] |
//! | `GET /workflows/`, `/campaigns/`, `/businesses/`, `/users/` | see [`lists`] |
//! | `POST /locations/{locationId}/tasks/search` | `{"tasks":[TaskSchema]}`, see `task_search` |
//!
//! Besides, without the gate: the OAuth authorization page `GET /oauth/chooselocation` and the
//! token endpoint `POST /oauth/token` (see [`oauth`]), and the agency endpoints
//! `GET /oauth/installedLocations` and `POST /oauth/locationToken` (see [`agency`]). Several locations can be served
//! ([`SandboxConfig::extra_locations`]); each has its own data, tokens, rate limit and request
//! log, and a request goes to the location its bearer token belongs to (unknown tokens to the
//! first location, whose gate refuses them).
//!
//! Anything else answers NestJS-style 404 `{"statusCode":404,"message":"Cannot GET /x","error":"Not Found"}`.
//! Every response carries the five `X-RateLimit-*` headers (except injected 502/drop faults,
//! which imitate a load balancer in front of GHL).
//!
//! Choices where GHL's behaviour is unconfirmed are marked **OUR CHOICE** in the docs of the
//! submodules (`gate` for headers/auth, `search` for paging and filters).

pub mod activity;
mod agency;
pub mod bmby;
mod contacts;
mod custom_values;
mod errors;
mod faults;
mod filters;
mod gate;
mod ids;
mod lists;
mod locations;
pub mod oauth;
mod ops;
pub mod persist;
mod ratelimit;
mod search;
mod search_index;
mod seed;
mod state;
mod task_search;
mod upsert;
mod validate;
pub mod webhooks;
pub mod writes;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post, put};
use axum::Router;
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use activity::{NOTE_FIELDS, TASK_FIELDS};
pub use faults::{AfterActing, Faults};
pub use oauth::{OAuthState, DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
pub use seed::Seed;
pub use state::RequestRecord;

use state::Shared;

/// Location id of the demo sub-account (20 characters, GHL-style). Seed::Demo contacts carry it
/// as `locationId`; `assets/demo/generate.py` must use the same value.
pub const DEMO_LOCATION_ID: &str = "bmbyDemoLoc7Qx2Lm9Za";

/// Bearer token the sandbox accepts by default; shaped like a sub-account Private Integration
/// Token (`pit-` + UUID), see ghl-api.md §2.2.
pub const DEMO_TOKEN: &str = "pit-5f0c2b1e-7d4a-4c8e-9b3a-6e1d2f8a0c47";

/// The agency (company) every served location belongs to (`companyId`).
pub const DEMO_COMPANY_ID: &str = "sbxCompany0000000001";

/// Name of the demo location (`GET /locations/{id}` → `location.name`).
pub const DEMO_LOCATION_NAME: &str = "Demo Realty";

/// A second location for trying several locations (`bmby-ghl sandbox`, tests): 25 generated
/// contacts.
pub const SECOND_LOCATION_ID: &str = "bmbySecondLoc4Hw8Rt2";
/// Its name.
pub const SECOND_LOCATION_NAME: &str = "Second Office";
/// Its Private Integration Token.
pub const SECOND_TOKEN: &str = "pit-0a9e3c55-2b71-4f0d-8c6e-91d4b7a2e310";

/// Another location served beside the first ([`SandboxConfig::extra_locations`]).
#[derive(Debug, Clone)]
pub struct ExtraLocation {
    pub id: String,
    pub name: String,
    /// Its Private Integration Tokens.
    pub tokens: Vec<String>,
    pub seed: Seed,
}

impl ExtraLocation {
    /// [`SECOND_LOCATION_ID`] with [`SECOND_TOKEN`] and 25 generated contacts.
    pub fn second() -> ExtraLocation {
        ExtraLocation {
            id: SECOND_LOCATION_ID.into(),
            name: SECOND_LOCATION_NAME.into(),
            tokens: vec![SECOND_TOKEN.into()],
            seed: Seed::Generated { contacts: 25 },
        }
    }
}

/// `Version` header value the contacts and locations families require (ghl-api.md §1).
pub const VERSION_CONTACTS: &str = "2021-07-28";

/// Configuration of a [`Sandbox`].
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// TCP port; 0 = any free port. The server always binds 127.0.0.1.
    pub port: u16,
    /// The one sub-account (location) the sandbox serves; requests naming another `locationId`
    /// get 403 `"The token does not have access to this location."`.
    pub location_id: String,
    /// The location's name (`GET /locations/{id}`).
    pub location_name: String,
    /// Accepted bearer tokens (all belong to `location_id`).
    pub tokens: Vec<String>,
    /// Initial data.
    pub seed: Seed,
    /// Burst limit: requests per `rate_limit_interval`, per location (GHL default 100 / 10 s).
    pub rate_limit_max: u32,
    /// Length of the burst window (`X-RateLimit-Interval-Milliseconds`).
    pub rate_limit_interval: Duration,
    /// Daily budget per location (`X-RateLimit-Limit-Daily`, GHL default 200,000).
    pub daily_limit: u32,
    /// Demo mode: every interval, modify one random contact and bump its `dateUpdated`,
    /// as if someone edited it in GHL's UI.
    pub churn: Option<Duration>,
    /// More locations, each with its own data and tokens (none by default).
    pub extra_locations: Vec<ExtraLocation>,
    /// The location's time zone (`GET /locations/{id}` → `location.timezone`, an IANA name);
    /// appointment times of `GET /contacts/{id}/appointments` are in it. `Asia/Jerusalem`.
    pub location_timezone: String,
    /// Deliver signed webhook events for every change of the first location's data to a URL
    /// ([`webhooks`]); `None` (the default): no webhooks.
    pub webhooks: Option<webhooks::SandboxWebhooks>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            location_id: DEMO_LOCATION_ID.into(),
            location_name: DEMO_LOCATION_NAME.into(),
            tokens: vec![DEMO_TOKEN.into()],
            seed: Seed::Demo,
            rate_limit_max: 100,
            rate_limit_interval: Duration::from_secs(10),
            daily_limit: 200_000,
            churn: None,
            extra_locations: Vec::new(),
            location_timezone: "Asia/Jerusalem".into(),
            webhooks: None,
        }
    }
}

/// A running GHL stand-in. Dropping it stops the server (and churn) too; [`Sandbox::shutdown`]
/// additionally waits for the server task to finish.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    others: Vec<Arc<Shared>>,
    oauth: Arc<OAuthState>,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    hooks: std::sync::OnceLock<Arc<webhooks::WebhookEmitter>>,
}

impl Sandbox {
    /// Binds `127.0.0.1:cfg.port`, loads the seed and spawns the server (and the churn task if
    /// `cfg.churn` is set) on the current tokio runtime.
    pub async fn start(cfg: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", cfg.port)).await?;
        let addr = listener.local_addr()?;
        let churn = cfg.churn;
        let mut locs = vec![oauth::OAuthLocation {
            id: cfg.location_id.clone(),
            company_id: DEMO_COMPANY_ID.into(),
            name: cfg.location_name.clone(),
            address: "1 Rothschild Blvd, Tel Aviv".into(),
        }];
        locs.extend(cfg.extra_locations.iter().map(|x| oauth::OAuthLocation {
            id: x.id.clone(),
            company_id: DEMO_COMPANY_ID.into(),
            name: x.name.clone(),
            address: String::new(),
        }));
        let oauth = Arc::new(OAuthState::new(locs));
        let mut others = Vec::new();
        for x in &cfg.extra_locations {
            others.push(Arc::new(Shared::new(
                SandboxConfig {
                    location_id: x.id.clone(),
                    location_name: x.name.clone(),
                    tokens: x.tokens.clone(),
                    seed: x.seed.clone(),
                    extra_locations: Vec::new(),
                    churn: None,
                    ..cfg.clone()
                },
                oauth.clone(),
            )?));
        }
        let hooks_cfg = cfg.webhooks.clone();
        let shared = Arc::new(Shared::new(cfg, oauth.clone())?);
        let (stop, stop_rx) = watch::channel(false);
        let hooks = std::sync::OnceLock::new();
        if let Some(w) = hooks_cfg {
            let _ = hooks.set(webhooks::start(shared.clone(), w, stop_rx.clone()));
        }

        let app = router(shared.clone(), &others, oauth.clone());
        let mut rx = stop_rx.clone();
        let server = tokio::spawn(async move {
            let shutdown = async move {
                let _ = rx.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::warn!("sandbox server stopped: {e}");
            }
        });
        if let Some(every) = churn {
            tokio::spawn(state::churn_task(shared.clone(), every, stop_rx));
        }
        Ok(Sandbox {
            addr,
            shared,
            others,
            oauth,
            stop,
            server: Some(server),
            hooks,
        })
    }

    /// The bound socket address (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `"http://127.0.0.1:PORT"` — use in place of `https://services.leadconnectorhq.com`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The OAuth side: refresh counts, forced expiry, access-token lifetime.
    pub fn oauth(&self) -> &OAuthState {
        &self.oauth
    }

    /// `"http://127.0.0.1:PORT/oauth/chooselocation"`, the authorization page.
    pub fn auth_url(&self) -> String {
        format!("{}/oauth/chooselocation", self.base_url())
    }

    /// Number of contacts in another served location (`None`: not served).
    pub fn contact_count_of(&self, location_id: &str) -> Option<usize> {
        self.others
            .iter()
            .find(|s| s.location_id == location_id)
            .map(|s| s.contact_count())
    }

    /// The location setting "Allow Duplicate Contact" (`settings.allowDuplicateContact` of
    /// `GET /locations/{id}`; off by default, as in GHL). Off: a create whose email or phone
    /// another contact has answers the duplicate 400; on: it creates a second contact.
    pub fn set_allow_duplicate_contact(&self, allow: bool) {
        self.shared
            .allow_duplicate_contact
            .store(allow, std::sync::atomic::Ordering::SeqCst);
    }

    /// How many contacts have this email (case folded): the stand-in's own count, for
    /// "created exactly once".
    pub fn contacts_with_email(&self, email: &str) -> usize {
        let e = email.to_lowercase();
        self.shared
            .read()
            .contacts
            .iter()
            .filter(|c| {
                c.doc
                    .get("email")
                    .and_then(Value::as_str)
                    .map(str::to_lowercase)
                    == Some(e.clone())
            })
            .count()
    }

    /// How many contacts have this phone (compared by digits).
    pub fn contacts_with_phone(&self, phone: &str) -> usize {
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        let p = digits(phone);
        self.shared
            .read()
            .contacts
            .iter()
            .filter(|c| c.doc.get("phone").and_then(Value::as_str).map(digits) == Some(p.clone()))
            .count()
    }

    /// A contact as the stand-in holds it (GET shape), if it exists.
    pub fn contact(&self, id: &str) -> Option<Value> {
        self.shared
            .read()
            .get(id)
            .map(|c| Value::Object(c.doc.clone()))
    }

    /// How many times an enrolment of `contact_id` in workflow `workflow_id` was carried out
    /// (`POST /contacts/{contactId}/workflow/{workflowId}` that reached the handler): "exactly
    /// once" is 1.
    pub fn workflow_enrolments(&self, contact_id: &str, workflow_id: &str) -> u32 {
        self.arrivals("workflow", contact_id, workflow_id)
    }

    /// How many times an enrolment of `contact_id` in campaign `campaign_id` was carried out.
    pub fn campaign_enrolments(&self, contact_id: &str, campaign_id: &str) -> u32 {
        self.arrivals("campaign", contact_id, campaign_id)
    }

    fn arrivals(&self, kind: &'static str, contact: &str, id: &str) -> u32 {
        self.shared
            .read()
            .enrol_arrivals
            .get(&(kind, contact.to_owned(), id.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// The workflow ids contact `contact_id` is in now (an id twice when enrolled twice).
    pub fn workflows_of(&self, contact_id: &str) -> Vec<String> {
        self.shared
            .read()
            .enrolments
            .get(contact_id)
            .map(|e| e.workflows.clone())
            .unwrap_or_default()
    }

    /// The campaign ids contact `contact_id` is in now.
    pub fn campaigns_of(&self, contact_id: &str) -> Vec<String> {
        self.shared
            .read()
            .enrolments
            .get(contact_id)
            .map(|e| e.campaigns.clone())
            .unwrap_or_default()
    }

    /// How many times a bulk request at `path` (`/contacts/bulk/tags/update/add`,
    /// `/contacts/bulk/business`) was carried out for `contact_id`.
    pub fn bulk_arrivals(&self, path: &str, contact_id: &str) -> u32 {
        self.shared
            .read()
            .bulk_arrivals
            .get(&(path.to_owned(), contact_id.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// The seeded lists' ids and names: `workflows`, `campaigns`, `businesses`, `users`.
    pub fn list_names(&self, what: &str) -> Vec<(String, String)> {
        let store = self.shared.read();
        let l = &store.lists;
        let items = match what {
            "workflows" => &l.workflows,
            "campaigns" => &l.campaigns,
            "businesses" => &l.businesses,
            "users" => &l.users,
            _ => return Vec::new(),
        };
        items
            .iter()
            .map(|v| {
                (
                    v["id"].as_str().unwrap_or_default().to_owned(),
                    v["name"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    /// Fault switches tests flip at runtime.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Every API request the first location saw so far, oldest first (the OAuth endpoints
    /// and other locations are not recorded here).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.requests()
    }

    /// Forget the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.clear_requests()
    }

    /// The search-lag switch: while on, contacts written (by the API or by a test's
    /// [`Sandbox::insert_contact`] / [`Sandbox::update_contact`]) are not returned by
    /// `POST /contacts/search` as written — a new one not at all, a changed one as it was before —
    /// until [`Sandbox::release_search_lag`]; `GET /contacts/{id}` sees them at once, as in GHL.
    /// Turning it off holds no further writes but releases nothing.
    pub fn set_search_lag(&self, on: bool) {
        self.shared.set_search_lag(on)
    }

    /// The search index catches up: every contact held back by the search lag becomes
    /// searchable as it is now.
    pub fn release_search_lag(&self) {
        self.shared.release_search_lag()
    }

    /// Number of contacts in the location.
    pub fn contact_count(&self) -> usize {
        self.shared.contact_count()
    }

    /// Simulate an edit made in GHL's UI: merge the top-level fields of `patch` (an object) into
    /// contact `id` and set `dateUpdated` to now. Derived fields (`name`, `*LowerCase`) follow.
    /// Returns false if there is no such contact or `patch` is not an object.
    pub fn update_contact(&self, id: &str, patch: Value) -> bool {
        self.shared.update_contact(id, patch)
    }

    /// The tasks of a contact as the stand-in holds them (`TaskSchema` objects).
    pub fn tasks(&self, contact_id: &str) -> Vec<Value> {
        self.shared
            .read()
            .tasks
            .get(contact_id)
            .cloned()
            .unwrap_or_default()
    }

    /// The notes of a contact as the stand-in holds them (`GetNoteSchema` objects).
    pub fn notes(&self, contact_id: &str) -> Vec<Value> {
        self.shared
            .read()
            .notes
            .get(contact_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Simulate an edit of a task in GHL's UI: merge `patch` (an object) into it. False when
    /// there is no such task.
    pub fn update_task(&self, contact_id: &str, task_id: &str, patch: Value) -> bool {
        self.shared.with_store_mut(|s| {
            let Some(t) = s
                .tasks
                .get_mut(contact_id)
                .and_then(|l| l.iter_mut().find(|t| t["id"] == task_id))
            else {
                return false;
            };
            match (t.as_object_mut(), patch) {
                (Some(m), Value::Object(p)) => {
                    m.extend(p);
                    true
                }
                _ => false,
            }
        })
    }

    /// Add a full GHL contact object (GET shape). Missing `id` is generated; missing
    /// `locationId`, `dateAdded`, `dateUpdated` are filled in. Replaces a contact with the same id.
    pub fn insert_contact(&self, contact: Value) {
        self.shared.insert_contact(contact)
    }

    /// The webhook sender, when [`SandboxConfig::webhooks`] is set: its faults, its deliveries,
    /// and [`webhooks::WebhookEmitter::settled`].
    pub fn webhooks(&self) -> Option<&webhooks::WebhookEmitter> {
        self.hooks.get().map(|h| &**h)
    }

    /// Starts delivering webhooks now, as [`SandboxConfig::webhooks`] does from the start (for
    /// a receiver that needs the stand-in running before it can be set up, like the demo's).
    /// Changes made before this call are not sent. False when webhooks are already on.
    /// Call from within the tokio runtime.
    pub fn send_webhooks_to(&self, cfg: webhooks::SandboxWebhooks) -> bool {
        let mut started = false;
        self.hooks.get_or_init(|| {
            started = true;
            webhooks::start(self.shared.clone(), cfg, self.stop.subscribe())
        });
        started
    }

    /// Simulate a deletion in GHL's UI: the contact and its tasks, notes and appointments.
    /// False when there is no such contact.
    pub fn delete_contact(&self, id: &str) -> bool {
        self.shared.delete_contact(id)
    }

    /// Simulate an edit in GHL's UI of a contact's `tasks`, `notes` or `appointments` (`kind`):
    /// `item` (an object with `id`) replaces the one with the same id, or is added (notes
    /// first, as GHL lists them newest first). False for another `kind` or an item without id.
    pub fn put_item(&self, kind: &str, contact_id: &str, item: Value) -> bool {
        let Some(id) = item.get("id").and_then(Value::as_str).map(str::to_owned) else {
            return false;
        };
        self.shared.with_store_mut(|s| {
            let map = match kind {
                "tasks" => &mut s.tasks,
                "notes" => &mut s.notes,
                "appointments" => &mut s.appointments,
                _ => return false,
            };
            let list = map.entry(contact_id.to_owned()).or_default();
            match list.iter_mut().find(|v| v["id"] == id.as_str()) {
                Some(v) => *v = item,
                None if kind == "notes" => list.insert(0, item),
                None => list.push(item),
            }
            true
        })
    }

    /// Simulate a deletion in GHL's UI of a task, note or appointment (`kind` as for
    /// [`Sandbox::put_item`]); false when there is none.
    pub fn remove_item(&self, kind: &str, contact_id: &str, id: &str) -> bool {
        self.shared.with_store_mut(|s| {
            let map = match kind {
                "tasks" => &mut s.tasks,
                "notes" => &mut s.notes,
                "appointments" => &mut s.appointments,
                _ => return false,
            };
            let Some(list) = map.get_mut(contact_id) else {
                return false;
            };
            let n = list.len();
            list.retain(|v| v["id"] != id);
            list.len() != n
        })
    }

    /// The appointments of a contact as the stand-in holds them.
    pub fn appointments(&self, contact_id: &str) -> Vec<Value> {
        self.shared
            .read()
            .appointments
            .get(contact_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Stop accepting connections and wait for the server task to end.
    /// One churn step now (what the churn task does every interval): edits one random
    /// contact and bumps its `dateUpdated`.
    pub fn churn_once(&self) {
        self.shared.churn_once();
    }

    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn router(primary: Arc<Shared>, others: &[Arc<Shared>], oauth: Arc<OAuthState>) -> Router {
    let mut by_location = std::collections::HashMap::new();
    let mut by_token = std::collections::HashMap::new();
    for sh in std::iter::once(&primary).chain(others) {
        for t in &sh.tokens {
            by_token.insert(t.clone(), sh.location_id.clone());
        }
        by_location.insert(sh.location_id.clone(), location_router(sh.clone()));
    }
    let front = Arc::new(Front {
        primary: location_router(primary.clone()),
        by_location,
        by_token,
        oauth: oauth.clone(),
    });
    Router::new()
        .route("/oauth/chooselocation", get(oauth::authorize))
        .route("/v2/oauth/chooselocation", get(oauth::authorize))
        .route("/oauth/token", post(oauth::token))
        .route(
            "/oauth/installedLocations",
            get(agency::installed_locations),
        )
        .route("/oauth/locationToken", post(agency::location_token))
        .with_state(oauth)
        .fallback(move |req: axum::extract::Request| {
            let front = front.clone();
            async move { front.dispatch(req).await }
        })
}

/// Sends each API request to the router of the location its bearer token belongs to.
struct Front {
    primary: Router,
    by_location: std::collections::HashMap<String, Router>,
    by_token: std::collections::HashMap<String, String>,
    oauth: Arc<OAuthState>,
}

impl Front {
    async fn dispatch(&self, req: axum::extract::Request) -> axum::response::Response {
        use tower::ServiceExt;
        let token = req
            .headers()
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|a| a.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or("");
        let location = self
            .by_token
            .get(token)
            .cloned()
            .or_else(|| self.oauth.location_of(token));
        let r = location
            .and_then(|l| self.by_location.get(&l))
            .unwrap_or(&self.primary)
            .clone();
        match r.oneshot(req).await {
            Ok(resp) => resp,
            Err(never) => match never {},
        }
    }
}

fn location_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/contacts/search", post(search::search_contacts))
        .route("/contacts/search/duplicate", get(writes::duplicate))
        .route("/contacts/upsert", post(upsert::upsert))
        .route("/contacts/bulk/business", post(ops::bulk_business))
        .route("/contacts/bulk/tags/update/{kind}", post(ops::bulk_tags))
        .route(
            "/contacts/business/{business_id}",
            get(ops::business_contacts),
        )
        .route(
            "/contacts/{id}/workflow/{workflow_id}",
            post(ops::workflow_add).delete(ops::workflow_remove),
        )
        .route(
            "/contacts/{id}/campaigns/{campaign_id}",
            post(ops::campaign_add).delete(ops::campaign_remove),
        )
        .route(
            "/contacts/{id}/followers",
            post(ops::followers_add).delete(ops::followers_remove),
        )
        .route("/workflows/", get(lists::workflows))
        .route("/campaigns/", get(lists::campaigns))
        .route("/businesses/", get(lists::businesses))
        .route("/users/", get(lists::users))
        .route("/contacts/", post(writes::create_contact))
        .route(
            "/contacts/{id}",
            get(contacts::get_contact)
                .put(writes::update_contact)
                .delete(writes::delete_contact),
        )
        .route(
            "/contacts/{id}/tags",
            post(writes::add_tags).delete(writes::remove_tags),
        )
        .route(
            "/contacts/{id}/tasks",
            get(contacts::get_tasks).post(activity::create_task),
        )
        .route(
            "/contacts/{id}/tasks/{task_id}",
            get(activity::get_task)
                .put(activity::update_task)
                .delete(activity::delete_task),
        )
        .route(
            "/contacts/{id}/tasks/{task_id}/completed",
            put(activity::complete_task),
        )
        .route(
            "/contacts/{id}/notes",
            get(contacts::get_notes).post(activity::create_note),
        )
        .route(
            "/contacts/{id}/notes/{note_id}",
            get(activity::get_note)
                .put(activity::update_note)
                .delete(activity::delete_note),
        )
        .route(
            "/contacts/{id}/appointments",
            get(contacts::get_appointments),
        )
        .route(
            "/locations/{location_id}/customFields",
            get(locations::get_custom_fields),
        )
        .route("/locations/{location_id}/tags", get(locations::get_tags))
        .route(
            "/locations/{location_id}/tasks/search",
            post(task_search::search_tasks),
        )
        .route("/locations/{location_id}", get(locations::get_location))
        .fallback(errors::not_found)
        .method_not_allowed_fallback(errors::not_found)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            gate::gate,
        ))
        .with_state(shared)
}

/// For `bmby-ghl sandbox --port N`: start with `Seed::Demo` and churn (every 20 s unless
/// `cfg.churn` is set) plus [`ExtraLocation::second`], print base URL, location ids, tokens and
/// the OAuth client to stdout, run until Ctrl-C.
pub async fn run_standalone(mut cfg: SandboxConfig) -> std::io::Result<()> {
    cfg.seed = Seed::Demo;
    if cfg.churn.is_none() {
        cfg.churn = Some(Duration::from_secs(20));
    }
    if cfg.extra_locations.is_empty() {
        cfg.extra_locations.push(ExtraLocation::second());
    }
    let token = cfg.tokens.first().cloned().unwrap_or_default();
    let location = cfg.location_id.clone();
    let extra = cfg.extra_locations.clone();
    let sb = Sandbox::start(cfg).await?;
    println!("GHL sandbox listening");
    println!("  base URL:    {}", sb.base_url());
    println!(
        "  location id: {location}  ({} contacts)",
        sb.contact_count()
    );
    println!("  token:       {token}");
    for x in &extra {
        println!(
            "  location id: {}  ({}, {} contacts)",
            x.id,
            x.name,
            sb.contact_count_of(&x.id).unwrap_or(0)
        );
        if let Some(t) = x.tokens.first() {
            println!("  token:       {t}");
        }
    }
    println!("OAuth (auto-approves; add &location_id=ID to the URL to pick a location):");
    println!("  auth URL:      {}", sb.auth_url());
    println!("  token URL:     {}/oauth/token", sb.base_url());
    println!("  client id:     {DEMO_CLIENT_ID}");
    println!("  client secret: {DEMO_CLIENT_SECRET}");
    println!(
        "  agency app:    company {DEMO_COMPANY_ID}, app id {DEMO_APP_ID} (auth login --agency)"
    );
    println!("Try: GHL_BASE_URL={} GHL_CLIENT_ID={DEMO_CLIENT_ID} GHL_CLIENT_SECRET={DEMO_CLIENT_SECRET} bmby-ghl auth login --no-browser", sb.base_url());
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    sb.shutdown().await;
    Ok(())
}
