//! People's names in `contact` and `contacts`: the owner (`assignedTo`), followers and each
//! task's assignee by name from the cached users list
//! ([`crate::sync::ops::cached_users`], `GET /users/`, scope `users.readonly`, refreshed by
//! every `sync`). An id the location does not know reads `unknown user (id <id>)`. `--json` keeps
//! the ids and adds the names beside them.

use serde_json::{json, Value};

use crate::domain::{Contact, Task, UserDirectory};

/// The name of user `id` for JSON: `null` for no id, else the name or `unknown user (id <id>)`.
fn name_json(users: &UserDirectory, id: Option<&str>) -> Value {
    match id.filter(|i| !i.trim().is_empty()) {
        Some(id) => Value::String(users.display(id)),
        None => Value::Null,
    }
}

/// Adds `owner` (the user id, or `null`) and `ownerName` to a contact's JSON object `v`.
pub(super) fn add_owner(v: &mut Value, c: &Contact, users: &UserDirectory) {
    if let Some(o) = v.as_object_mut() {
        o.insert("owner".into(), json!(c.assigned_to));
        o.insert(
            "ownerName".into(),
            name_json(users, c.assigned_to.as_deref()),
        );
    }
}

/// [`add_owner`] for a list row: `owner` (the id, `null` when none) and `ownerName`.
pub(super) fn add_owner_id(v: &mut Value, owner: &str, users: &UserDirectory) {
    let owner = Some(owner).filter(|o| !o.is_empty());
    if let Some(o) = v.as_object_mut() {
        o.insert("owner".into(), json!(owner));
        o.insert("ownerName".into(), name_json(users, owner));
    }
}

/// The followers of `c` (from its raw record) as `[{id, name}]`.
pub(super) fn followers_json(c: &Contact, users: &UserDirectory) -> Value {
    Value::Array(
        crate::sync::ops::followers_of(c)
            .iter()
            .map(|id| json!({ "id": id, "name": users.display(id) }))
            .collect(),
    )
}

/// Adds `assignedToName` to each task's JSON object in `tasks` (an array, in `tasks`' order).
pub(super) fn add_assignees(tasks_json: &mut Value, tasks: &[Task], users: &UserDirectory) {
    if let Some(a) = tasks_json.as_array_mut() {
        for (v, t) in a.iter_mut().zip(tasks) {
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    "assignedToName".into(),
                    name_json(users, t.assigned_to.as_deref()),
                );
            }
        }
    }
}

/// `Owner` and `Followers` lines of the `contact` text: (label, value), only those with a
/// value.
pub(super) fn contact_lines(c: &Contact, users: &UserDirectory) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(id) = c.assigned_to.as_deref().filter(|i| !i.trim().is_empty()) {
        out.push(("Owner", crate::sanitize::clean_line(&users.display(id))));
    }
    let followers: Vec<String> = crate::sync::ops::followers_of(c)
        .iter()
        .map(|id| crate::sanitize::clean_line(&users.display(id)))
        .collect();
    if !followers.is_empty() {
        out.push(("Followers", followers.join(", ")));
    }
    out
}

/// ` · Dana Levi` for a task assigned to someone, else nothing.
pub(super) fn assignee_suffix(t: &Task, users: &UserDirectory) -> String {
    match t.assigned_to.as_deref().filter(|i| !i.trim().is_empty()) {
        Some(id) => format!(" · {}", crate::sanitize::clean_line(&users.display(id))),
        None => String::new(),
    }
}
