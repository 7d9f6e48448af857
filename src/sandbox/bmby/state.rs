//! Shared state of the Bmby stand-in: clients and tasks of all projects, the request log,
//! faults and the modification clock.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use jiff::civil::DateTime;

use super::faults::BmbyFaults;
use super::BmbySandboxConfig;

/// One request as the stand-in saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BmbyRequest {
    /// Path, e.g. `/WebServices/srv/v3/` or `/shared/AddClient/index.php`.
    pub path: String,
    /// Operation: the SOAP body element's local name (`GetAll`, `GetAllJson`, `Insert`,
    /// `NewTask`, …), `AddClient`, or `""` when the body could not be parsed.
    pub operation: String,
    /// The `Parameters` members (plus other parts such as `jsonClient`) or the form fields,
    /// by name. `Password` is replaced by `***`.
    pub params: BTreeMap<String, String>,
    /// `SOAPAction` header as sent, if any.
    pub soap_action: Option<String>,
    /// Status returned; 0 when the connection was dropped by the drop fault.
    pub status: u16,
    /// When the request arrived.
    pub at: SystemTime,
}

/// A client row as stored: Bmby field names → raw text (Hebrew, entities and bidi marks as
/// seeded), plus `<Dynamic>` custom fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRecord {
    /// `client_id`.
    pub client_id: u64,
    /// The project the client belongs to.
    pub project_id: String,
    /// Every other field (`fname`, `lname`, `email`, `phone_mobile`, `remark`, …); never holds
    /// `client_id`, `client_date` or `update_date`.
    pub fields: BTreeMap<String, String>,
    /// `<Dynamic>` title → value, in order.
    pub dynamic: Vec<(String, String)>,
    /// `client_date` (creation), naive Israel local time.
    pub client_date: DateTime,
    /// `update_date` (last-modified; what `FromDate`/`ToDate` filter on), naive Israel local time.
    pub update_date: DateTime,
}

/// A task row (`tasks.php`): `NewTask` calls and the `Lid` rows AddClient creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    /// `task_id`.
    pub task_id: u64,
    /// `client_id` (`UniqID` of `NewTask`).
    pub client_id: u64,
    /// The project.
    pub project_id: String,
    /// Bmby task row fields: `type`, `subject`, `message`, `status`, `start_date`, `due_date`,
    /// `priority`, `user_id`, `media_title`, `location`, `designation`, `name`, `phone`, `email`, …
    pub fields: BTreeMap<String, String>,
    /// `create_date`, naive Israel local time.
    pub create_date: DateTime,
}

pub(crate) struct Data {
    pub clients: BTreeMap<u64, ClientRecord>,
    pub tasks: Vec<TaskRecord>,
    pub next_task_id: u64,
    /// Last modification stamp handed out; stamps strictly increase.
    pub last_stamp: DateTime,
}

pub(crate) struct Shared {
    pub cfg: BmbySandboxConfig,
    pub faults: BmbyFaults,
    data: Mutex<Data>,
    requests: Mutex<Vec<BmbyRequest>>,
    /// Notified whenever the data is locked through [`Shared::data`] (the demo's world keeper
    /// saves then, if anything changed).
    pub changed: std::sync::Arc<tokio::sync::Notify>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Now in Israel local time (`Asia/Jerusalem`; UTC+2 if the zone database is missing),
/// whole seconds.
pub(crate) fn israel_now() -> DateTime {
    let now = jiff::Timestamp::now();
    let dt = match jiff::tz::TimeZone::get("Asia/Jerusalem") {
        Ok(tz) => now.to_zoned(tz).datetime(),
        Err(_) => now
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(2)))
            .datetime(),
    };
    dt.with().subsec_nanosecond(0).build().unwrap_or(dt)
}

impl Shared {
    pub fn new(cfg: BmbySandboxConfig, clients: Vec<ClientRecord>, tasks: Vec<TaskRecord>) -> Self {
        let last_stamp = clients
            .iter()
            .map(|c| c.update_date)
            .max()
            .unwrap_or(DateTime::MIN);
        let next_task_id = tasks.iter().map(|t| t.task_id).max().unwrap_or(500_000) + 1;
        Shared {
            cfg,
            faults: BmbyFaults::default(),
            data: Mutex::new(Data {
                clients: clients.into_iter().map(|c| (c.client_id, c)).collect(),
                tasks,
                next_task_id,
                last_stamp,
            }),
            requests: Mutex::new(Vec::new()),
            changed: Default::default(),
        }
    }

    pub fn data(&self) -> MutexGuard<'_, Data> {
        let guard = lock(&self.data);
        self.changed.notify_one();
        guard
    }

    /// [`Shared::data`] without notifying [`Shared::changed`] (for the world keeper's reads).
    pub fn data_unobserved(&self) -> MutexGuard<'_, Data> {
        lock(&self.data)
    }

    pub fn log(&self, r: BmbyRequest) {
        lock(&self.requests).push(r);
    }

    pub fn requests(&self) -> Vec<BmbyRequest> {
        lock(&self.requests).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.requests).clear();
    }
}

impl Data {
    /// A modification time: Israel now, but always later than every earlier stamp (and every
    /// seeded `update_date`), so `FromDate` sees each change even when seeds lie in the future.
    pub fn stamp(&mut self) -> DateTime {
        let now = israel_now();
        let next = if now > self.last_stamp {
            now
        } else {
            self.last_stamp
                .checked_add(jiff::SignedDuration::from_secs(1))
                .unwrap_or(now)
        };
        self.last_stamp = next;
        next
    }

    pub fn next_client_id(&self) -> u64 {
        self.clients
            .keys()
            .next_back()
            .copied()
            .unwrap_or(100_000)
            .max(100_000)
            + 1
    }

    pub fn take_task_id(&mut self) -> u64 {
        let id = self.next_task_id;
        self.next_task_id += 1;
        id
    }
}
