//! What changed in GHL lately: recording it during pulls, and listing it for people.
//!
//! **Recording.** Before a pull ([`super::pull`]) overwrites cached contacts with what GHL
//! sent, [`before_store`] compares each one with the cached record ([`contact_diff`]: names,
//! email, phone, tags, owner id, DND and its channels, custom fields and the other fields the
//! cache models, compared as [`super::diff::same`] compares them, so `050…` against `+97250…`
//! is no change) and [`record`] appends the differences, with the time seen, to the store's
//! `recent` tree (bounded: [`crate::store::RECENT_KEEP`] entries, [`crate::store::RECENT_DAYS`]
//! days). A contact the cache did not hold is recorded as created. Nothing is recorded before
//! the location's first finished pull ([`recording`]): that pull fills an empty cache, it does
//! not see changes. Recording never fails or delays a pull: its errors are logged and dropped.
//!
//! **Listing.** [`changed_since`] lists the contacts whose GHL `dateUpdated` is at or after a
//! time (from the cached list rows), newest first, each with the net change the recorded
//! entries know of since then (`created`, `email a@x → b@x`, `tags +vip −old`); a contact the
//! pulls did not see change (it changed before the cache knew its earlier values) is listed
//! with [`RecentItem::known`] false. [`parse_since`] reads the time people type (`2h`, `1d`,
//! `2026-12-01`).

use std::collections::{BTreeMap, HashMap};

use jiff::{SignedDuration, Timestamp};

use super::diff::{field_label, ghl_value, same};
use crate::domain::{Contact, CustomFieldDef, RecentChange, RecentField, RowSet, UserDirectory};
use crate::store::Store;

/// Whether pulls into `store` record what they see change: only once a pull has finished
/// (`last_sync` is set). The first pull fills the cache; every contact would read as created.
pub fn recording(store: &Store) -> bool {
    store.meta("last_sync").is_some()
}

/// The standard fields compared, in display order (names first, as the diff shows them).
const FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "email",
    "phone",
    "companyName",
    "dateOfBirth",
    "address1",
    "city",
    "state",
    "postalCode",
    "country",
    "website",
    "timezone",
    "source",
    "type",
    "assignedTo",
];

fn standard_value(c: &Contact, field: &str) -> Option<String> {
    match field {
        "companyName" => c.company_name.clone(),
        "type" => c.contact_type.clone(),
        "assignedTo" => c.assigned_to.clone(),
        f => ghl_value(c, f),
    }
    .filter(|v| !v.trim().is_empty())
}

fn label_of(field: &str) -> String {
    match field {
        "companyName" => "Company".into(),
        "type" => "Type".into(),
        "assignedTo" => "Owner".into(),
        f => field_label(f).to_owned(),
    }
}

fn changed(
    field: &str,
    label: String,
    before: Option<String>,
    after: Option<String>,
) -> RecentField {
    RecentField {
        field: field.to_owned(),
        label,
        before,
        after,
        ..Default::default()
    }
}

/// The field-level difference between the cached record `old` and GHL's `new` (empty when
/// they mean the same). Custom fields are labelled by their definition in `defs` (by id),
/// else `Custom field <id>`.
pub fn contact_diff(
    old: &Contact,
    new: &Contact,
    defs: &HashMap<String, CustomFieldDef>,
) -> Vec<RecentField> {
    let mut out = Vec::new();
    for f in FIELDS {
        let (a, b) = (standard_value(old, f), standard_value(new, f));
        if !same(f, a.as_deref(), b.as_deref()) {
            out.push(changed(f, label_of(f), a, b));
        }
    }
    if old.dnd != new.dnd {
        let onoff = |b: bool| Some(if b { "on" } else { "off" }.to_owned());
        out.push(changed("dnd", "DND".into(), onoff(old.dnd), onoff(new.dnd)));
    }
    // DND per channel, in the order of the new record then channels it dropped.
    let status = |c: &Contact, ch: &str| {
        c.dnd_settings
            .iter()
            .find(|d| d.channel == ch)
            .map(|d| d.status.clone())
            .filter(|s| !s.trim().is_empty())
    };
    let mut channels: Vec<&str> = new
        .dnd_settings
        .iter()
        .map(|d| d.channel.as_str())
        .collect();
    for d in &old.dnd_settings {
        if !channels.contains(&d.channel.as_str()) {
            channels.push(&d.channel);
        }
    }
    for ch in channels {
        let (a, b) = (status(old, ch), status(new, ch));
        if !same("dnd", a.as_deref(), b.as_deref()) {
            out.push(changed(&format!("dnd.{ch}"), format!("DND {ch}"), a, b));
        }
    }
    // Tags as a set: order is no change.
    let has = |list: &[String], t: &str| list.iter().any(|x| same("tag", Some(x), Some(t)));
    let added: Vec<String> = new
        .tags
        .iter()
        .filter(|t| !has(&old.tags, t))
        .cloned()
        .collect();
    let removed: Vec<String> = old
        .tags
        .iter()
        .filter(|t| !has(&new.tags, t))
        .cloned()
        .collect();
    if !added.is_empty() || !removed.is_empty() {
        out.push(RecentField {
            field: "tags".into(),
            label: "Tags".into(),
            before: ghl_value(old, "tags"),
            after: ghl_value(new, "tags"),
            added,
            removed,
        });
    }
    // Custom fields: those of the new record, then those it no longer has.
    let mut ids: Vec<&str> = new.custom_fields.iter().map(|f| f.id.as_str()).collect();
    for f in &old.custom_fields {
        if !ids.contains(&f.id.as_str()) {
            ids.push(&f.id);
        }
    }
    for id in ids {
        let field = format!("customFields.{id}");
        let (a, b) = (
            ghl_value(old, &field).filter(|v| !v.trim().is_empty()),
            ghl_value(new, &field).filter(|v| !v.trim().is_empty()),
        );
        if !same("custom", a.as_deref(), b.as_deref()) {
            let label = defs
                .get(id)
                .map(|d| d.name.clone())
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| format!("Custom field {id}"));
            out.push(changed(&field, label, a, b));
        }
    }
    out
}

/// Whether two raw contact records (GHL's JSON as cached) differ in anything but
/// `dateUpdated`; unreadable JSON counts as not differing (nothing is claimed).
fn raw_differs(old: &str, new: &str) -> bool {
    let read = |s: &str| match serde_json::from_str::<serde_json::Value>(s) {
        Ok(serde_json::Value::Object(mut m)) => {
            m.remove("dateUpdated");
            Some(m)
        }
        _ => None,
    };
    matches!((read(old), read(new)), (Some(a), Some(b)) if a != b)
}

pub(crate) fn same_instant(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            a == b
                || matches!((a.parse::<Timestamp>(), b.parse::<Timestamp>()), (Ok(x), Ok(y)) if x == y)
        }
        _ => false,
    }
}

/// What to record of `fresh` (contacts about to be stored by a pull), read from the cache
/// before they overwrite it: each contact whose cached record differs, or that the cache does
/// not hold (created). A contact cached with the same `dateUpdated` is skipped unread (a full
/// pull receives every contact). Cache read errors skip the contact (logged).
pub fn before_store(store: &Store, fresh: &[Contact], seen_at: Timestamp) -> Vec<RecentChange> {
    let defs = store.custom_fields().unwrap_or_else(|e| {
        tracing::warn!(error = %e, "recent changes: custom field names not readable");
        HashMap::new()
    });
    let seen = crate::clock::iso_utc(seen_at);
    let mut out = Vec::new();
    for c in fresh {
        let cached = match store.cached_date_updated(&c.id) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(contact = %c.id, error = %e, "recent changes: cached row not readable");
                continue;
            }
        };
        if same_instant(cached.as_deref(), c.date_updated.as_deref()) {
            continue;
        }
        let old = match store.contact(&c.id) {
            Ok(o) => o,
            Err(e) => {
                tracing::warn!(contact = %c.id, error = %e, "recent changes: cached contact not readable");
                continue;
            }
        };
        let (created, fields) = match &old {
            None => (true, Vec::new()),
            Some(old) => (false, contact_diff(old, c, &defs)),
        };
        // `dateUpdated` moved on with no field we model changed: a field we do not show if the
        // raw records differ beyond it; else a change a webhook already brought (one without
        // `dateUpdated`), and nothing is recorded.
        let unshown = !created
            && fields.is_empty()
            && old
                .as_ref()
                .is_some_and(|o| raw_differs(&o.raw_json, &c.raw_json));
        if !created && fields.is_empty() && !unshown {
            continue;
        }
        out.push(RecentChange {
            seen_at: seen.clone(),
            contact_id: c.id.clone(),
            name: c.display_name(),
            date_updated: c.date_updated.clone(),
            created,
            fields,
            unshown,
            ..Default::default()
        });
    }
    out
}

/// Appends `entries` to the store's `recent` tree (pruning it as of `now`). Never fails: a
/// write error is logged, and the pull goes on.
pub fn record(store: &Store, entries: &[RecentChange], now: Timestamp) {
    if entries.is_empty() {
        return;
    }
    if let Err(e) = store.put_recent(entries, now) {
        tracing::warn!(error = %e, n = entries.len(), "recent changes not recorded");
    }
}

/// One contact in the list of recent changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentItem {
    pub contact_id: String,
    /// The name the cache has now (else the one recorded).
    pub name: String,
    /// GHL's `dateUpdated` (from the cached row, else the latest recorded).
    pub date_updated: Option<Timestamp>,
    /// When a pull last saw it change.
    pub seen_at: Option<Timestamp>,
    /// A pull saw it appear.
    pub created: bool,
    /// A pull recorded what changed (else the earlier values are not known).
    pub known: bool,
    /// The net change of every recorded entry since the time asked for (a field changed back
    /// is left out).
    pub fields: Vec<RecentField>,
    /// The latest recorded change came from a GHL webhook ([`crate::webhooks`]), not a pull.
    pub from_webhook: bool,
    /// The latest entry came from our own send (the outbox).
    pub sent: bool,
    /// GHL changed a field the cache does not model ([`RecentChange::unshown`]).
    pub unshown: bool,
}

impl RecentItem {
    /// The time the list sorts by and shows: GHL's `dateUpdated`, else when it was seen.
    pub fn when(&self) -> Option<Timestamp> {
        self.date_updated.or(self.seen_at)
    }
}

fn ts(s: &str) -> Option<Timestamp> {
    crate::clock::instant(s).or_else(|| s.parse().ok())
}

/// Merges `next` (a later change of the same field) into `acc`: the earliest `before`, the
/// latest `after`, and the net tags added and removed.
fn merge_field(acc: &mut RecentField, next: &RecentField) {
    acc.after = next.after.clone();
    for t in &next.removed {
        match acc.added.iter().position(|x| x == t) {
            Some(i) => {
                acc.added.remove(i);
            }
            None if !acc.removed.contains(t) => acc.removed.push(t.clone()),
            None => {}
        }
    }
    for t in &next.added {
        match acc.removed.iter().position(|x| x == t) {
            Some(i) => {
                acc.removed.remove(i);
            }
            None if !acc.added.contains(t) => acc.added.push(t.clone()),
            None => {}
        }
    }
}

/// The contacts GHL changed at or after `since`, newest first: every cached row whose
/// `dateUpdated` is that late, and every recorded entry that late (by its `dateUpdated`, else
/// when it was seen), each with the net change its entries record. `log` is the `recent` tree
/// oldest first ([`Store::recent`]). Pure.
pub fn changed_since<R: RowSet + ?Sized>(
    rows: &R,
    log: &[RecentChange],
    since: Timestamp,
) -> Vec<RecentItem> {
    let mut items: BTreeMap<String, RecentItem> = BTreeMap::new();
    // GHL writes `dateUpdated` in UTC (`2026-12-03T12:03:41.120Z`): a row whose date is before
    // `since`'s UTC date (the day before, for a row written with an offset) is skipped unparsed.
    let day_before = since
        .checked_sub(SignedDuration::from_hours(24))
        .unwrap_or(since)
        .strftime("%Y-%m-%d")
        .to_string();
    for i in 0..rows.count() {
        let date_updated = rows.date_updated_at(i);
        if date_updated
            .get(..10)
            .is_some_and(|d| d < day_before.as_str())
        {
            continue;
        }
        let Some(t) = ts(date_updated).filter(|t| *t >= since) else {
            continue;
        };
        items.insert(
            rows.id_at(i).to_owned(),
            RecentItem {
                contact_id: rows.id_at(i).to_owned(),
                name: rows.name_at(i).to_owned(),
                date_updated: Some(t),
                seen_at: None,
                created: false,
                known: false,
                fields: Vec::new(),
                from_webhook: false,
                sent: false,
                unshown: false,
            },
        );
    }
    let by_id: HashMap<&str, usize> = (0..rows.count()).map(|i| (rows.id_at(i), i)).collect();
    // GHL sends a webhook for our own writes too; it repeats what we sent (the same fields with
    // the same new values, or the create): it is ours, not a change made in GHL.
    let ours: std::collections::HashSet<(&str, &str, Option<&str>)> = log
        .iter()
        .filter(|e| e.source == crate::domain::RecentSource::Sent)
        .flat_map(|e| {
            let created = e.created.then_some((e.contact_id.as_str(), "", None));
            e.fields
                .iter()
                .map(|f| (e.contact_id.as_str(), f.field.as_str(), f.after.as_deref()))
                .chain(created)
        })
        .collect();
    let echo = |e: &RecentChange| {
        e.source == crate::domain::RecentSource::Webhook
            && !e.unshown
            && (e.created || !e.fields.is_empty())
            && (!e.created || ours.contains(&(e.contact_id.as_str(), "", None)))
            && e.fields.iter().all(|f| {
                ours.contains(&(e.contact_id.as_str(), f.field.as_str(), f.after.as_deref()))
            })
    };
    for e in log.iter().filter(|e| !echo(e)) {
        let seen = ts(&e.seen_at);
        let upd = e.date_updated.as_deref().and_then(ts);
        // A webhook is seen as it happens; its `dateUpdated` may be the cached record's older
        // one (a payload without `dateUpdated` keeps it), so it counts from when it was seen
        // too. Else the pull after it (a newer `dateUpdated`, no field left to change) lists
        // the contact as changed with its earlier values unknown.
        let at = match e.source {
            crate::domain::RecentSource::Webhook => upd.max(seen),
            _ => upd.or(seen),
        };
        if at.is_none_or(|t| t < since) {
            continue;
        }
        let item = items
            .entry(e.contact_id.clone())
            .or_insert_with(|| RecentItem {
                contact_id: e.contact_id.clone(),
                name: by_id
                    .get(e.contact_id.as_str())
                    .map_or_else(|| e.name.clone(), |&i| rows.name_at(i).to_owned()),
                date_updated: None,
                seen_at: None,
                created: false,
                known: false,
                fields: Vec::new(),
                from_webhook: false,
                sent: false,
                unshown: false,
            });
        item.known = true;
        item.from_webhook = e.source == crate::domain::RecentSource::Webhook;
        item.sent = e.source == crate::domain::RecentSource::Sent;
        item.created |= e.created;
        item.unshown |= e.unshown;
        item.seen_at = item.seen_at.max(seen);
        if !by_id.contains_key(e.contact_id.as_str()) {
            item.date_updated = item.date_updated.max(upd);
        }
        for f in &e.fields {
            match item.fields.iter_mut().find(|x| x.field == f.field) {
                Some(acc) => merge_field(acc, f),
                None => item.fields.push(f.clone()),
            }
        }
    }
    let mut out: Vec<RecentItem> = items
        .into_values()
        .map(|mut it| {
            it.fields.retain(|f| {
                if f.field == "tags" {
                    !f.added.is_empty() || !f.removed.is_empty()
                } else {
                    !same(&f.field, f.before.as_deref(), f.after.as_deref())
                }
            });
            it
        })
        .collect();
    out.sort_by(|a, b| {
        b.when()
            .cmp(&a.when())
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then_with(|| a.contact_id.cmp(&b.contact_id))
    });
    out
}

/// A time people type for "since": not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a time: try 30m, 2h, 1d, 1w, 2026-12-01 or 2026-12-01 14:00 (Israel time)")]
pub struct SinceError(pub String);

/// The instant `text` means, relative to `now`: `30m`, `2h`, `1d`, `1w` ago; a date
/// (`2026-12-01`: its start, 00:00 Israel time); an Israel local time (`2026-12-01 14:00`) or
/// an ISO 8601 instant.
pub fn parse_since(text: &str, now: Timestamp) -> Result<Timestamp, SinceError> {
    let t = text.trim();
    let err = || SinceError(crate::sanitize::clean_line(text));
    if let Some(unit) = t.chars().last().filter(|c| "mhdw".contains(*c)) {
        let n = &t[..t.len() - 1];
        if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            let n: i64 = n.parse().map_err(|_| err())?;
            let mins = match unit {
                'm' => 1,
                'h' => 60,
                'd' => 24 * 60,
                _ => 7 * 24 * 60,
            };
            let back = n
                .checked_mul(mins)
                .and_then(|m| m.checked_mul(60))
                .map(SignedDuration::from_secs)
                .ok_or_else(err)?;
            return now.checked_sub(back).map_err(|_| err());
        }
    }
    if let Ok(d) = jiff::civil::Date::strptime("%Y-%m-%d", t) {
        return crate::clock::israel()
            .to_ambiguous_timestamp(d.at(0, 0, 0, 0))
            .compatible()
            .map_err(|_| err());
    }
    crate::clock::parse_typed(t).map_err(|_| err())
}

fn value_text(v: Option<&str>) -> String {
    match v {
        Some(v) if !v.trim().is_empty() => crate::clock::value(v).into_owned(),
        _ => "(none)".to_owned(),
    }
}

/// A field's name in running text: `email`, `first name`, `owner`, `DND SMS`, a custom field's
/// own name.
pub fn short_label(f: &RecentField) -> String {
    if f.field.starts_with("customFields.") || f.field == "dnd" || f.field.starts_with("dnd.") {
        f.label.clone()
    } else {
        f.label.to_lowercase()
    }
}

/// One field's change for people: `email a@x → b@x`, `tags +vip −old`, `owner Dana Levi →
/// (none)` (owner ids as names through `users`), instants in Israel time. Not sanitized.
pub fn field_text(f: &RecentField, users: &UserDirectory) -> String {
    format!("{} {}", short_label(f), change_text(f, users))
}

/// [`field_text`] without the field's name: `a@x → b@x`, `+vip −old`.
pub fn change_text(f: &RecentField, users: &UserDirectory) -> String {
    if f.field == "tags" {
        let parts: Vec<String> = f
            .added
            .iter()
            .map(|t| format!("+{t}"))
            .chain(f.removed.iter().map(|t| format!("−{t}")))
            .collect();
        return parts.join(" ");
    }
    let (a, b) = if f.field == "assignedTo" {
        let name = |v: &Option<String>| v.as_deref().map(|id| users.display(id));
        (name(&f.before), name(&f.after))
    } else {
        (f.before.clone(), f.after.clone())
    };
    format!(
        "{} → {}",
        value_text(a.as_deref()),
        value_text(b.as_deref())
    )
}

/// What changed, in one line: `created`, `email a@x → b@x, tags +vip`, or (nothing recorded)
/// `changed; earlier values not cached`. Not sanitized.
pub fn summary(item: &RecentItem, users: &UserDirectory) -> String {
    let fields: Vec<String> = item.fields.iter().map(|f| field_text(f, users)).collect();
    match (item.created, item.known, fields.is_empty()) {
        (true, _, true) => "created".to_owned(),
        (true, _, false) => format!("created; then {}", fields.join(", ")),
        (false, true, false) => fields.join(", "),
        (false, true, true) if item.unshown => "changed a field bmby-ghl does not show".to_owned(),
        (false, true, true) => "changed, and changed back".to_owned(),
        (false, false, _) => "changed; earlier values not cached".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ContactRow, CustomFieldValue, DndChannel, RecentSource};

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn base() -> Contact {
        Contact {
            id: "c1".into(),
            first_name: Some("Dana".into()),
            last_name: Some("Levi".into()),
            email: Some("a@x.com".into()),
            phone: Some("+972501234567".into()),
            tags: vec!["buyer".into(), "old".into()],
            assigned_to: Some("u1".into()),
            dnd_settings: vec![DndChannel {
                channel: "SMS".into(),
                status: "inactive".into(),
                message: None,
            }],
            custom_fields: vec![CustomFieldValue {
                id: "cf1".into(),
                value_json: "1500000".into(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn diff_names_each_changed_field_and_ignores_spelling() {
        let old = base();
        let mut new = base();
        new.email = Some("b@x.com".into());
        new.phone = Some("+972-50-123-4567".into()); // the same number
        new.tags = vec!["old".into(), "vip".into(), "buyer".into()];
        new.tags.retain(|t| t != "old");
        new.assigned_to = Some("u2".into());
        new.dnd = true;
        new.dnd_settings[0].status = "active".into();
        new.custom_fields[0].value_json = "2000000".into();
        let mut defs = HashMap::new();
        defs.insert(
            "cf1".to_owned(),
            CustomFieldDef {
                id: "cf1".into(),
                name: "Budget".into(),
                ..Default::default()
            },
        );
        let d = contact_diff(&old, &new, &defs);
        let fields: Vec<&str> = d.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "email",
                "assignedTo",
                "dnd",
                "dnd.SMS",
                "tags",
                "customFields.cf1"
            ]
        );
        let tags = &d[4];
        assert_eq!(
            (tags.added.clone(), tags.removed.clone()),
            (vec!["vip".into()], vec!["old".into()])
        );
        assert_eq!(d[5].label, "Budget");
        let users = UserDirectory::new(&[crate::domain::Named {
            id: "u2".into(),
            name: "Avi Cohen".into(),
        }]);
        let texts: Vec<String> = d.iter().map(|f| field_text(f, &users)).collect();
        assert_eq!(
            texts,
            [
                "email a@x.com → b@x.com",
                "owner unknown user (id u1) → Avi Cohen",
                "DND off → on",
                "DND SMS inactive → active",
                "tags +vip −old",
                "Budget 1500000 → 2000000",
            ]
        );
        assert!(contact_diff(&old, &base(), &defs).is_empty());
    }

    fn row(id: &str, name: &str, updated: &str) -> ContactRow {
        ContactRow {
            id: id.into(),
            name: name.into(),
            date_updated: updated.into(),
            ..Default::default()
        }
    }

    fn entry(id: &str, updated: &str, fields: Vec<RecentField>) -> RecentChange {
        RecentChange {
            seen_at: updated.into(),
            contact_id: id.into(),
            name: id.into(),
            date_updated: Some(updated.into()),
            created: false,
            fields,
            ..Default::default()
        }
    }

    fn email(a: &str, b: &str) -> RecentField {
        changed("email", "Email".into(), Some(a.into()), Some(b.into()))
    }

    fn tags(added: &[&str], removed: &[&str]) -> RecentField {
        RecentField {
            field: "tags".into(),
            label: "Tags".into(),
            added: added.iter().map(|s| s.to_string()).collect(),
            removed: removed.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn listed_newest_first_with_net_changes_since_the_time() {
        let rows = vec![
            row("a", "Ann", "2026-12-03T10:00:00.000Z"),
            row("b", "Ben", "2026-12-03T12:00:00.000Z"),
            row("c", "Cy", "2026-12-03T11:00:00.000Z"),
            row("old", "Old", "2026-12-01T11:00:00.000Z"),
        ];
        let log = vec![
            // Before `since`: not part of the net change.
            entry("b", "2026-12-02T09:00:00.000Z", vec![email("z@x", "a@x")]),
            entry(
                "b",
                "2026-12-03T11:30:00.000Z",
                vec![email("a@x", "b@x"), tags(&["vip"], &["old"])],
            ),
            entry(
                "b",
                "2026-12-03T12:00:00.000Z",
                vec![email("b@x", "c@x"), tags(&["old"], &["x"])],
            ),
            entry("c", "2026-12-03T11:00:00.000Z", vec![email("a@x", "b@x")]),
            entry("c", "2026-12-03T11:00:00.000Z", vec![email("b@x", "a@x")]),
            RecentChange {
                created: true,
                ..entry("n", "2026-12-03T09:00:00.000Z", vec![])
            },
        ];
        let items = changed_since(&rows, &log, t("2026-12-03T08:00:00Z"));
        let ids: Vec<&str> = items.iter().map(|i| i.contact_id.as_str()).collect();
        assert_eq!(ids, ["b", "c", "a", "n"], "newest first");
        let users = UserDirectory::default();
        assert_eq!(summary(&items[0], &users), "email a@x → c@x, tags +vip −x");
        assert_eq!(summary(&items[1], &users), "changed, and changed back");
        assert_eq!(
            summary(&items[2], &users),
            "changed; earlier values not cached"
        );
        assert_eq!(summary(&items[3], &users), "created");
        assert_eq!(items[3].name, "n", "not in the rows: the recorded name");
        assert!(changed_since(&rows, &log, t("2026-12-04T00:00:00Z")).is_empty());
    }

    #[test]
    fn ghls_echo_of_our_send_stays_ours_and_unshown_changes_are_named() {
        let rows = vec![
            row("s", "Sent", "2026-12-03T10:00:00.000Z"),
            row("e", "Echo first", "2026-12-03T10:00:00.000Z"),
            row("n", "New", "2026-12-03T10:00:00.000Z"),
            row("w", "Webhook", "2026-12-03T10:00:00.000Z"),
            row("l", "Label", "2026-12-03T10:00:00.000Z"),
        ];
        let sent = |e: RecentChange| RecentChange {
            source: RecentSource::Sent,
            ..e
        };
        let hook = |e: RecentChange| RecentChange {
            source: RecentSource::Webhook,
            ..e
        };
        let at = "2026-12-03T10:00:00.000Z";
        let log = vec![
            // Our send, then GHL's webhook repeating it.
            sent(entry("s", at, vec![tags(&["vip"], &[])])),
            hook(entry("s", at, vec![tags(&["vip"], &[])])),
            // The webhook first (it raced our own record), then our send.
            hook(entry("e", at, vec![email("a@x", "b@x")])),
            sent(entry("e", at, vec![email("a@x", "b@x")])),
            // Our create and its ContactCreate webhook.
            sent(RecentChange {
                created: true,
                ..entry("n", at, vec![])
            }),
            hook(RecentChange {
                created: true,
                ..entry("n", at, vec![])
            }),
            // A change made in GHL after our send: a different value, so not an echo.
            sent(entry("w", at, vec![email("a@x", "b@x")])),
            hook(entry("w", at, vec![email("b@x", "c@x")])),
            // GHL changed a field the cache does not model.
            RecentChange {
                unshown: true,
                ..hook(entry("l", at, vec![]))
            },
        ];
        let items = changed_since(&rows, &log, t("2026-12-03T08:00:00Z"));
        let by = |id: &str| items.iter().find(|i| i.contact_id == id).unwrap();
        for id in ["s", "e", "n"] {
            assert!(by(id).sent && !by(id).from_webhook, "{id}: {:?}", by(id));
        }
        assert!(by("n").created);
        assert!(by("w").from_webhook && !by("w").sent);
        let users = UserDirectory::default();
        assert_eq!(summary(by("w"), &users), "email a@x → c@x");
        assert_eq!(
            summary(by("l"), &users),
            "changed a field bmby-ghl does not show"
        );
        assert!(by("l").known);
    }

    #[test]
    fn since_reads_durations_dates_and_israel_times() {
        let now = t("2026-12-03T12:00:00Z");
        assert_eq!(parse_since("2h", now).unwrap(), t("2026-12-03T10:00:00Z"));
        assert_eq!(
            parse_since(" 30m ", now).unwrap(),
            t("2026-12-03T11:30:00Z")
        );
        assert_eq!(parse_since("1d", now).unwrap(), t("2026-12-02T12:00:00Z"));
        assert_eq!(parse_since("1w", now).unwrap(), t("2026-11-26T12:00:00Z"));
        // A date is its start in Israel (winter: UTC+2).
        assert_eq!(
            parse_since("2026-12-01", now).unwrap(),
            t("2026-11-30T22:00:00Z")
        );
        assert_eq!(
            parse_since("2026-12-01 14:00", now).unwrap(),
            t("2026-12-01T12:00:00Z")
        );
        assert_eq!(
            parse_since("2026-12-01T14:00:00Z", now).unwrap(),
            t("2026-12-01T14:00:00Z")
        );
        for bad in ["", "h", "2x", "yesterday", "99999999999999999w"] {
            assert!(parse_since(bad, now).is_err(), "{bad}");
        }
        assert!(parse_since("soon\u{1b}[2J", now)
            .unwrap_err()
            .to_string()
            .contains("not a time"));
    }
}
