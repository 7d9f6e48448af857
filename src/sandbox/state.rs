//! Shared server state: the location's data, the request log, faults and rate limiter.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, SystemTime};

use rand::Rng;
use serde_json::{Map, Value};
use tokio::sync::watch;

use super::faults::Faults;
use super::ids;
use super::ratelimit::RateLimiter;
use super::seed;
use super::SandboxConfig;

/// One request as the sandbox saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    /// HTTP method, e.g. `"POST"`.
    pub method: String,
    /// Path without query, e.g. `"/contacts/search"`.
    pub path: String,
    /// Raw query string without `?` (empty if none), e.g. `"model=contact"`.
    pub query: String,
    /// Request body parsed as JSON; `Value::Null` if empty or not JSON.
    pub body: Value,
    /// The `Version` header, if sent.
    pub version: Option<String>,
    /// The `Authorization` header, if sent.
    pub authorization: Option<String>,
    /// Status returned; 0 when the connection was dropped by the `drop` fault.
    pub status: u16,
    /// When the request arrived.
    pub at: SystemTime,
}

/// A contact plus its sort keys (epoch ms of `dateAdded` / `dateUpdated`).
#[derive(Debug, Clone)]
pub struct StoredContact {
    pub doc: Map<String, Value>,
    pub added_ms: i64,
    pub updated_ms: i64,
}

impl StoredContact {
    pub fn new(mut doc: Map<String, Value>, location_id: &str) -> Self {
        let now = ids::now_ms();
        if !matches!(doc.get("id"), Some(Value::String(s)) if !s.is_empty()) {
            doc.insert("id".into(), Value::String(ids::new_id()));
        }
        if !doc.contains_key("locationId") {
            doc.insert("locationId".into(), Value::String(location_id.into()));
        }
        let added_ms = date_ms(&doc, "dateAdded").unwrap_or(now);
        if !doc.contains_key("dateAdded") {
            doc.insert("dateAdded".into(), Value::String(ids::iso_ms(added_ms)));
        }
        let updated_ms = date_ms(&doc, "dateUpdated").unwrap_or(added_ms);
        if !doc.contains_key("dateUpdated") {
            doc.insert("dateUpdated".into(), Value::String(ids::iso_ms(updated_ms)));
        }
        derive_names(&mut doc, false);
        StoredContact {
            doc,
            added_ms,
            updated_ms,
        }
    }

    pub fn id(&self) -> &str {
        self.doc.get("id").and_then(Value::as_str).unwrap_or("")
    }
}

fn date_ms(doc: &Map<String, Value>, key: &str) -> Option<i64> {
    match doc.get(key)? {
        Value::String(s) => ids::parse_ms(s),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// Keep GHL's derived fields (`*LowerCase`, `name`, `contactName`) in step with the editable
/// ones. With `force`, recompute even if present (after an edit of a name or the email);
/// otherwise only fill in missing ones.
fn derive_names(doc: &mut Map<String, Value>, force: bool) {
    let s = |d: &Map<String, Value>, k: &str| d.get(k).and_then(Value::as_str).map(str::to_owned);
    let first = s(doc, "firstName");
    let last = s(doc, "lastName");
    let put = |doc: &mut Map<String, Value>, k: &str, v: Option<String>| {
        if let Some(v) = v {
            if force || !doc.contains_key(k) {
                doc.insert(k.into(), Value::String(v));
            }
        }
    };
    put(
        doc,
        "firstNameLowerCase",
        first.as_ref().map(|x| x.to_lowercase()),
    );
    put(
        doc,
        "lastNameLowerCase",
        last.as_ref().map(|x| x.to_lowercase()),
    );
    if first.is_some() || last.is_some() {
        let name = [first.as_deref(), last.as_deref()]
            .into_iter()
            .flatten()
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        put(doc, "fullNameLowerCase", Some(name.to_lowercase()));
        put(doc, "contactName", Some(name.clone()));
        put(doc, "name", Some(name));
    }
    let email = s(doc, "email");
    put(doc, "emailLowerCase", email.map(|e| e.to_lowercase()));
}

/// The location's data.
#[derive(Debug, Default)]
pub struct Store {
    pub contacts: Vec<StoredContact>,
    pub by_id: HashMap<String, usize>,
    pub tasks: HashMap<String, Vec<Value>>,
    pub notes: HashMap<String, Vec<Value>>,
    pub appointments: HashMap<String, Vec<Value>>,
    pub custom_fields: Vec<Value>,
    /// The location's workflows, campaigns, businesses and users (see [`super::lists`]).
    pub lists: super::lists::Lists,
    /// Contact id → the workflows and campaigns it is enrolled in.
    pub enrolments: HashMap<String, Enrolments>,
    /// How many times each enrolment request was carried out, by
    /// `(workflow|campaign, contact id, workflow|campaign id)`: what tests count for "exactly
    /// once" (a second arrival enrols again in GHL).
    pub enrol_arrivals: HashMap<(&'static str, String, String), u32>,
    /// How many times a bulk request was carried out, by `(endpoint path, contact id)`.
    pub bulk_arrivals: HashMap<(String, String), u32>,
}

/// The workflows and campaigns a contact is in (ids, in order of enrolment; a workflow added
/// twice appears twice, as GHL may run it twice).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Enrolments {
    pub workflows: Vec<String>,
    pub campaigns: Vec<String>,
}

impl Store {
    pub fn get(&self, id: &str) -> Option<&StoredContact> {
        self.by_id.get(id).map(|&i| &self.contacts[i])
    }

    pub fn upsert(&mut self, c: StoredContact) {
        match self.by_id.get(c.id()) {
            Some(&i) => self.contacts[i] = c,
            None => {
                self.by_id.insert(c.id().to_string(), self.contacts.len());
                self.contacts.push(c);
            }
        }
    }
}

/// The search index's lag behind writes (GHL's search is eventually consistent: a contact
/// written a moment ago may not be found yet, while `GET /contacts/{id}` already has it).
///
/// While `on`, every contact written (created, updated, tagged, deleted, inserted by a test)
/// is *held*: `POST /contacts/search` keeps seeing it as it was before its first held write
/// (not at all when it is new; still when it was deleted) until [`Shared::release_search_lag`].
/// Deterministic: nothing is released by time.
#[derive(Debug, Default)]
struct SearchLag {
    on: bool,
    /// Contact id → the version search still sees (`None`: not searchable yet).
    held: HashMap<String, Option<StoredContact>>,
}

/// Everything the handlers share.
pub struct Shared {
    pub location_id: String,
    pub location_name: String,
    /// `location.timezone` of `GET /locations/{id}`.
    pub location_timezone: String,
    pub tokens: Vec<String>,
    /// Issued OAuth tokens (shared by every location).
    pub oauth: std::sync::Arc<super::oauth::OAuthState>,
    pub faults: Faults,
    /// `settings.allowDuplicateContact` (off by default, as in GHL).
    pub allow_duplicate_contact: std::sync::atomic::AtomicBool,
    store: RwLock<Store>,
    limiter: Mutex<RateLimiter>,
    log: Mutex<Vec<RequestRecord>>,
    /// Notified whenever the data is locked for writing (the demo's world keeper saves then).
    pub changed: std::sync::Arc<tokio::sync::Notify>,
    search_lag: Mutex<SearchLag>,
    /// Bumped on every write lock (see [`Shared::generation`]); the webhook emitter compares.
    generation: std::sync::atomic::AtomicU64,
    /// Notified on every write lock, for the webhook emitter (`super::webhooks`).
    pub hooks_changed: std::sync::Arc<tokio::sync::Notify>,
    /// Search orders kept between pages (`super::search_index`).
    pub search_index: super::search_index::SearchIndex,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(
        cfg: SandboxConfig,
        oauth: std::sync::Arc<super::oauth::OAuthState>,
    ) -> std::io::Result<Self> {
        let store = seed::load(&cfg.seed, &cfg.location_id)?;
        Ok(Shared {
            limiter: Mutex::new(RateLimiter::new(
                cfg.rate_limit_max,
                cfg.rate_limit_interval,
                cfg.daily_limit,
            )),
            location_id: cfg.location_id,
            location_name: cfg.location_name,
            location_timezone: cfg.location_timezone,
            tokens: cfg.tokens,
            oauth,
            faults: Faults::default(),
            allow_duplicate_contact: Default::default(),
            store: RwLock::new(store),
            log: Mutex::new(Vec::new()),
            changed: Default::default(),
            search_lag: Mutex::new(SearchLag::default()),
            generation: Default::default(),
            hooks_changed: Default::default(),
            search_index: Default::default(),
        })
    }

    pub fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Store> {
        let guard = self.store.write().unwrap_or_else(|e| e.into_inner());
        // While the lock is held: a reader woken by this sees the write once it is done.
        self.changed.notify_one();
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.hooks_changed.notify_one();
        guard
    }

    /// How many times the data was locked for writing: read under the read lock, it names the
    /// version of the data seen.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Runs `f` with the store locked for writing (task and note writes).
    pub fn with_store_mut<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        f(&mut self.write())
    }

    pub fn limiter(&self) -> MutexGuard<'_, RateLimiter> {
        lock(&self.limiter)
    }

    pub fn record(&self, r: RequestRecord) {
        lock(&self.log).push(r);
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.log).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.log).clear();
    }

    pub fn contact_count(&self) -> usize {
        self.read().contacts.len()
    }

    /// Turns the search lag on or off (see [`SearchLag`]). Turning it off holds no new writes
    /// but keeps the ones already held until [`Shared::release_search_lag`].
    pub fn set_search_lag(&self, on: bool) {
        lock(&self.search_lag).on = on;
    }

    /// The search index catches up: every held contact is searchable as it is now.
    pub fn release_search_lag(&self) {
        lock(&self.search_lag).held.clear();
    }

    /// Called with the store locked for writing, before contact `id` is written: while the
    /// lag is on, search keeps the version it had (the first held one wins).
    fn hold_for_search(&self, store: &Store, id: &str) {
        let mut lag = lock(&self.search_lag);
        if lag.on && !lag.held.contains_key(id) {
            lag.held.insert(id.to_owned(), store.get(id).cloned());
        }
    }

    /// The contacts `POST /contacts/search` sees: the live ones, except held contacts, which
    /// appear as they were before their held write (or not at all).
    pub fn searchable<'s>(&self, store: &'s Store) -> std::borrow::Cow<'s, [StoredContact]> {
        let lag = lock(&self.search_lag);
        if lag.held.is_empty() {
            return std::borrow::Cow::Borrowed(&store.contacts);
        }
        let mut out: Vec<StoredContact> = store
            .contacts
            .iter()
            .filter(|c| !lag.held.contains_key(c.id()))
            .cloned()
            .collect();
        out.extend(lag.held.values().flatten().cloned());
        std::borrow::Cow::Owned(out)
    }

    pub fn update_contact(&self, id: &str, patch: Value) -> bool {
        let Value::Object(patch) = patch else {
            return false;
        };
        let mut store = self.write();
        let Some(&i) = store.by_id.get(id) else {
            return false;
        };
        self.hold_for_search(&store, id);
        let c = &mut store.contacts[i];
        let renamed = ["firstName", "lastName", "email"]
            .iter()
            .any(|k| patch.contains_key(*k));
        for (k, v) in patch {
            if k != "id" {
                c.doc.insert(k, v);
            }
        }
        derive_names(&mut c.doc, renamed);
        c.added_ms = date_ms(&c.doc, "dateAdded").unwrap_or(c.added_ms);
        // strictly newer than before, even within the same millisecond
        let now = ids::now_ms().max(c.updated_ms + 1);
        c.updated_ms = now;
        c.doc
            .insert("dateUpdated".into(), Value::String(ids::iso_ms(now)));
        true
    }

    pub fn insert_contact(&self, contact: Value) {
        let Value::Object(doc) = contact else {
            return;
        };
        let c = StoredContact::new(doc, &self.location_id);
        let mut store = self.write();
        self.hold_for_search(&store, c.id());
        store.upsert(c);
    }

    /// The contact another contact's email (lowercased) or phone (digits) would duplicate:
    /// (id, name, `email` | `phone`).
    pub fn find_duplicate(
        &self,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Option<(String, String, &'static str)> {
        let store = self.read();
        for c in &store.contacts {
            let name = c
                .doc
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if let Some(e) = email {
                if c.doc
                    .get("email")
                    .and_then(Value::as_str)
                    .map(str::to_lowercase)
                    .as_deref()
                    == Some(e)
                {
                    return Some((c.id().to_owned(), name, "email"));
                }
            }
            if let Some(p) = phone {
                let cp: Option<String> = c
                    .doc
                    .get("phone")
                    .and_then(Value::as_str)
                    .map(|s| s.chars().filter(|ch| ch.is_ascii_digit()).collect());
                if cp.as_deref() == Some(p) {
                    return Some((c.id().to_owned(), name, "phone"));
                }
            }
        }
        None
    }

    /// Creates a contact from write fields; returns the stored document (create shape).
    pub fn create_contact(&self, mut doc: Map<String, Value>) -> Value {
        let id = ids::new_id();
        let now = ids::now_ms();
        doc.insert("id".into(), Value::String(id.clone()));
        doc.insert("locationId".into(), Value::String(self.location_id.clone()));
        doc.insert("dateAdded".into(), Value::String(ids::iso_ms(now)));
        doc.insert("dateUpdated".into(), Value::String(ids::iso_ms(now)));
        let c = StoredContact::new(doc, &self.location_id);
        let out = Value::Object(c.doc.clone());
        let mut store = self.write();
        self.hold_for_search(&store, &id);
        store.upsert(c);
        out
    }

    /// Applies `f` to a contact, refreshes derived names and bumps `dateUpdated`; the new
    /// document, or `None` for an unknown id.
    pub fn modify_contact(
        &self,
        id: &str,
        f: impl FnOnce(&mut Map<String, Value>),
    ) -> Option<Value> {
        let mut store = self.write();
        let &i = store.by_id.get(id)?;
        self.hold_for_search(&store, id);
        let c = &mut store.contacts[i];
        f(&mut c.doc);
        derive_names(&mut c.doc, true);
        let now = ids::now_ms().max(c.updated_ms + 1);
        c.updated_ms = now;
        c.doc
            .insert("dateUpdated".into(), Value::String(ids::iso_ms(now)));
        Some(Value::Object(c.doc.clone()))
    }

    /// Deletes a contact and its sub-resources; false for an unknown id.
    pub fn delete_contact(&self, id: &str) -> bool {
        let mut store = self.write();
        if !store.by_id.contains_key(id) {
            return false;
        }
        self.hold_for_search(&store, id);
        let Some(i) = store.by_id.remove(id) else {
            return false;
        };
        store.contacts.remove(i);
        let reindex: Vec<(String, usize)> = store
            .contacts
            .iter()
            .enumerate()
            .map(|(n, c)| (c.id().to_owned(), n))
            .collect();
        store.by_id = reindex.into_iter().collect();
        store.tasks.remove(id);
        store.notes.remove(id);
        store.appointments.remove(id);
        true
    }

    /// One churn step: edit a random contact the way a user in GHL's UI might.
    pub fn churn_once(&self) {
        let (id, kind, budget) = {
            let store = self.read();
            if store.contacts.is_empty() {
                return;
            }
            let mut rng = rand::rng();
            let c = &store.contacts[rng.random_range(0..store.contacts.len())];
            (
                c.id().to_string(),
                rng.random_range(0..3u8),
                rng.random_range(8..120u32) * 50_000,
            )
        };
        let patch = {
            let store = self.read();
            let Some(c) = store.get(&id) else { return };
            match kind {
                0 => {
                    let mut tags: Vec<Value> = c
                        .doc
                        .get("tags")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    let t = Value::String("edited-in-ghl".into());
                    if let Some(p) = tags.iter().position(|x| *x == t) {
                        tags.remove(p);
                    } else {
                        tags.push(t);
                    }
                    serde_json::json!({ "tags": tags })
                }
                1 => {
                    let mut cfs: Vec<Value> = c
                        .doc
                        .get("customFields")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    let budget_id = store
                        .custom_fields
                        .iter()
                        .find(|f| f["fieldKey"] == "contact.budget")
                        .and_then(|f| f["id"].as_str())
                        .map(str::to_owned);
                    let Some(bid) = budget_id else {
                        return;
                    };
                    cfs.retain(|f| f["id"] != bid.as_str());
                    cfs.push(serde_json::json!({"id": bid, "value": budget}));
                    serde_json::json!({ "customFields": cfs })
                }
                _ => {
                    let label = if c.doc.get("phoneLabel").and_then(Value::as_str) == Some("Mobile")
                    {
                        "Work"
                    } else {
                        "Mobile"
                    };
                    serde_json::json!({ "phoneLabel": label })
                }
            }
        };
        if self.update_contact(&id, patch) {
            tracing::debug!(contact = %id, "sandbox churn edited a contact");
        }
    }
}

/// Every `every`, edit one random contact (bumping `dateUpdated`) until `stop` turns true.
pub async fn churn_task(
    shared: std::sync::Arc<Shared>,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let every = every.max(Duration::from_millis(1));
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            _ = tick.tick() => shared.churn_once(),
            r = stop.wait_for(|s| *s) => { let _ = r; return; }
        }
    }
}
