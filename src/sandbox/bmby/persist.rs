//! The Bmby stand-in's part of the demo's world (`bmby.json`, see [`crate::sandbox::persist`]):
//! clients and tasks of every project, the next task id and the modification clock. Times are
//! stored as Israel local time text (`2026-03-01T10:00:00`), as the stand-in holds them.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::sync::Arc;

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use super::state::{ClientRecord, Data, TaskRecord};
use super::BmbySandbox;
use crate::sandbox::persist::read_world;

#[derive(Debug, Serialize, Deserialize)]
struct BmbyWorld {
    version: u32,
    clients: Vec<ClientJson>,
    tasks: Vec<TaskJson>,
    next_task_id: u64,
    last_stamp: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct ClientJson {
    client_id: u64,
    project_id: String,
    fields: BTreeMap<String, String>,
    dynamic: Vec<(String, String)>,
    client_date: String,
    update_date: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct TaskJson {
    task_id: u64,
    client_id: u64,
    project_id: String,
    fields: BTreeMap<String, String>,
    create_date: String,
}

fn time(path: &Path, what: &str, s: &str) -> io::Result<DateTime> {
    s.parse().map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {what} {s:?}: {e}", path.display()),
        )
    })
}

fn to_world(d: &Data) -> BmbyWorld {
    BmbyWorld {
        version: 1,
        clients: d
            .clients
            .values()
            .map(|c| ClientJson {
                client_id: c.client_id,
                project_id: c.project_id.clone(),
                fields: c.fields.clone(),
                dynamic: c.dynamic.clone(),
                client_date: c.client_date.to_string(),
                update_date: c.update_date.to_string(),
            })
            .collect(),
        tasks: d
            .tasks
            .iter()
            .map(|t| TaskJson {
                task_id: t.task_id,
                client_id: t.client_id,
                project_id: t.project_id.clone(),
                fields: t.fields.clone(),
                create_date: t.create_date.to_string(),
            })
            .collect(),
        next_task_id: d.next_task_id,
        last_stamp: d.last_stamp.to_string(),
    }
}

impl BmbySandbox {
    /// Replaces the stand-in's data with the world in `path`; false when there is no such
    /// file. Errors: an unreadable or malformed file, a bad time (named with the file).
    pub(crate) fn restore_world(&self, path: &Path) -> io::Result<bool> {
        let Some(w) = read_world::<BmbyWorld>(path)? else {
            return Ok(false);
        };
        let mut clients = BTreeMap::new();
        for c in w.clients {
            clients.insert(
                c.client_id,
                ClientRecord {
                    client_id: c.client_id,
                    project_id: c.project_id,
                    fields: c.fields,
                    dynamic: c.dynamic,
                    client_date: time(path, "client_date", &c.client_date)?,
                    update_date: time(path, "update_date", &c.update_date)?,
                },
            );
        }
        let mut tasks = Vec::new();
        for t in w.tasks {
            tasks.push(TaskRecord {
                task_id: t.task_id,
                client_id: t.client_id,
                project_id: t.project_id,
                fields: t.fields,
                create_date: time(path, "create_date", &t.create_date)?,
            });
        }
        let last_stamp = time(path, "last_stamp", &w.last_stamp)?;
        let mut d = self.shared.data();
        d.clients = clients;
        d.tasks = tasks;
        d.next_task_id = w.next_task_id;
        d.last_stamp = last_stamp;
        Ok(true)
    }

    /// Notified whenever the stand-in's data is touched.
    pub(crate) fn changed(&self) -> Arc<Notify> {
        self.shared.changed.clone()
    }

    /// Reads the stand-in's data as `bmby.json` bytes (without notifying [`Self::changed`]).
    pub(crate) fn world_snapshot(&self) -> Box<dyn Fn() -> io::Result<Vec<u8>> + Send + Sync> {
        let shared = self.shared.clone();
        Box::new(move || {
            let world = to_world(&shared.data_unobserved());
            Ok(serde_json::to_vec(&world)?)
        })
    }
}
