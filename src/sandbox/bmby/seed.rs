//! Initial data of the Bmby stand-in: the embedded demo project (`assets/demo/bmby_clients.json`,
//! made by `assets/demo/generate_bmby.py` from the GHL demo contacts), a fast deterministic
//! generator for paging tests, or nothing.

use std::collections::BTreeMap;
use std::io;

use jiff::civil::DateTime;
use serde::Deserialize;

use super::state::{ClientRecord, TaskRecord};

/// What the stand-in starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BmbySeed {
    /// The demo project (~60 clients related to the GHL demo contacts: matches with and without
    /// edits, new Hebrew leads, one ambiguous client; see `assets/demo/generate_bmby.py`), two
    /// clients of [`super::OTHER_PROJECT_ID`], and one `Lid` task per demo client with a
    /// `media_title`.
    Demo,
    /// `clients` simple clients with ids `100001..`, `update_date` one minute apart from
    /// 2025-01-01 (Israel local), two `<Dynamic>` fields each, plus client
    /// [`super::FOREIGN_CLIENT_ID`] in [`super::OTHER_PROJECT_ID`]. No tasks.
    Generated {
        /// How many clients in the configured project.
        clients: usize,
    },
    /// No clients, no tasks.
    Empty,
}

const DEMO: &str = include_str!("../../../assets/demo/bmby_clients.json");

#[derive(Deserialize)]
struct DemoClient {
    client_id: String,
    #[serde(default)]
    project: String,
    client_date: String,
    update_date: String,
    #[serde(default)]
    fields: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    dynamic: serde_json::Map<String, serde_json::Value>,
}

fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

fn naive(s: &str) -> io::Result<DateTime> {
    DateTime::strptime("%Y-%m-%d %H:%M:%S", s).map_err(|e| invalid(format!("bad date {s}: {e}")))
}

/// Clients and tasks for `seed`; `project_id` replaces the demo's main project.
pub(crate) fn load(
    seed: &BmbySeed,
    project_id: &str,
) -> io::Result<(Vec<ClientRecord>, Vec<TaskRecord>)> {
    match seed {
        BmbySeed::Empty => Ok((Vec::new(), Vec::new())),
        BmbySeed::Generated { clients } => Ok((generated(*clients, project_id), Vec::new())),
        BmbySeed::Demo => demo(project_id),
    }
}

fn demo(project_id: &str) -> io::Result<(Vec<ClientRecord>, Vec<TaskRecord>)> {
    let rows: Vec<DemoClient> =
        serde_json::from_str(DEMO).map_err(|e| invalid(format!("bmby_clients.json: {e}")))?;
    let mut clients = Vec::new();
    let mut tasks = Vec::new();
    for r in rows {
        let id: u64 = r
            .client_id
            .parse()
            .map_err(|_| invalid(format!("bad client_id {}", r.client_id)))?;
        let project = if r.project == "other" {
            super::OTHER_PROJECT_ID.to_owned()
        } else {
            project_id.to_owned()
        };
        let fields: BTreeMap<String, String> = r
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), text(v)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let c = ClientRecord {
            client_id: id,
            project_id: project,
            dynamic: r
                .dynamic
                .iter()
                .map(|(k, v)| (k.clone(), text(v)))
                .collect(),
            client_date: naive(&r.client_date)?,
            update_date: naive(&r.update_date)?,
            fields,
        };
        if let Some(media) = c.fields.get("media_title") {
            if c.project_id == project_id {
                let mut f = BTreeMap::new();
                f.insert("type".to_owned(), "Lid".to_owned());
                f.insert("status".to_owned(), "Completed".to_owned());
                f.insert("media_title".to_owned(), media.clone());
                tasks.push(TaskRecord {
                    task_id: 500_001 + tasks.len() as u64,
                    client_id: id,
                    project_id: c.project_id.clone(),
                    fields: f,
                    create_date: c.client_date,
                });
            }
        }
        clients.push(c);
    }
    Ok((clients, tasks))
}

const FIRST: &[&str] = &[
    "דנה",
    "יוסי",
    "מיכל",
    "אבי",
    "נועה",
    "David",
    "Sarah",
    "רונית",
];
const LAST: &[&str] = &[
    "כהן",
    "לוי",
    "מזרחי",
    "פרץ",
    "ביטון",
    "Smith",
    "אברהם",
    "פרידמן",
];
const CITIES: &[&str] = &["תל אביב", "ירושלים", "חיפה", "רעננה", "מודיעין"];

fn generated(n: usize, project_id: &str) -> Vec<ClientRecord> {
    let start = jiff::civil::date(2025, 1, 1).at(8, 0, 0, 0);
    let mut out = Vec::with_capacity(n + 1);
    for i in 0..n {
        let id = 100_001 + i as u64;
        let at = start
            .checked_add(jiff::SignedDuration::from_secs(60 * i as i64))
            .unwrap_or(start);
        let mut fields = BTreeMap::new();
        fields.insert("fname".to_owned(), FIRST[i % FIRST.len()].to_owned());
        fields.insert("lname".to_owned(), LAST[(i / 3) % LAST.len()].to_owned());
        fields.insert("email".to_owned(), format!("client{id}@example.co.il"));
        fields.insert(
            "phone_mobile".to_owned(),
            format!("05{}-{:07}", i % 10, 1_000_000 + i),
        );
        fields.insert("city".to_owned(), CITIES[i % CITIES.len()].to_owned());
        out.push(ClientRecord {
            client_id: id,
            project_id: project_id.to_owned(),
            fields,
            dynamic: vec![
                (
                    "תקציב".to_owned(),
                    format!("{}", 1_500_000 + (i % 40) * 50_000),
                ),
                ("מספר חדרים".to_owned(), format!("{}", 2 + i % 5)),
            ],
            client_date: at,
            update_date: at,
        });
    }
    out.push(foreign_client());
    out
}

/// The client of another project every non-empty seed has (for `ClientID in another Project`).
fn foreign_client() -> ClientRecord {
    let at = jiff::civil::date(2025, 6, 1).at(12, 0, 0, 0);
    let mut fields = BTreeMap::new();
    fields.insert("fname".to_owned(), "לקוח".to_owned());
    fields.insert("lname".to_owned(), "פרויקט אחר".to_owned());
    fields.insert("email".to_owned(), "other.project@example.co.il".to_owned());
    ClientRecord {
        client_id: super::FOREIGN_CLIENT_ID,
        project_id: super::OTHER_PROJECT_ID.to_owned(),
        fields,
        dynamic: Vec::new(),
        client_date: at,
        update_date: at,
    }
}
