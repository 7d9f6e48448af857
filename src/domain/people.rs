//! GHL fields whose values are user ids, shown as people's names: a contact's owner and a
//! task's assignee (`assignedTo`), followers (`followers`), an appointment's
//! `assignedUserId`, a note's `userId`. For display only: the changes, the journal and the
//! diff keep the ids they send and revert with; what a person reads goes through here.
//!
//! An id the location does not know reads `unknown user (id <id>)`
//! ([`UserDirectory::display`]). Pure: no I/O.

use std::borrow::Cow;

use super::{Change, FieldChange, JournalEntry, UserDirectory};

/// The GHL field keys holding user ids.
pub const PERSON_FIELDS: &[&str] = &["assignedTo", "followers", "assignedUserId", "userId"];

/// True when field `field` (a GHL key, as [`FieldChange::field`] and journal values name
/// fields) holds user ids.
pub fn is_person_field(field: &str) -> bool {
    PERSON_FIELDS.contains(&field)
}

/// The ids in a person field's value: one id, a JSON array of ids (`["u1","u2"]`), or ids
/// separated by commas.
fn ids_in(value: &str) -> Vec<String> {
    let v = value.trim();
    if v.starts_with('[') {
        if let Ok(ids) = serde_json::from_str::<Vec<String>>(v) {
            return ids;
        }
    }
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `value` of field `field` for people: for a person field each id as its name, joined with
/// `, ` (`Dana Levi, unknown user (id zz9)`); any other field's value as it is.
pub fn shown_value<'a>(users: &UserDirectory, field: &str, value: &'a str) -> Cow<'a, str> {
    if !is_person_field(field) || value.trim().is_empty() {
        return Cow::Borrowed(value);
    }
    Cow::Owned(
        ids_in(value)
            .iter()
            .map(|id| users.display(id))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

fn named_opt(users: &UserDirectory, field: &str, v: &mut Option<String>) {
    if let Some(s) = v.as_mut() {
        if let Cow::Owned(n) = shown_value(users, field, s) {
            *s = n;
        }
    }
}

/// The fields with person values named (GHL now and proposed), for display.
pub fn named_fields(users: &UserDirectory, fields: &mut [FieldChange]) {
    for f in fields.iter_mut().filter(|f| is_person_field(&f.field)) {
        let field = f.field.clone();
        named_opt(users, &field, &mut f.ghl_now);
        named_opt(users, &field, &mut f.proposed);
    }
}

/// Change `c` for display: its person fields' values as names (a copy only when it has any).
/// Never send or store the copy: it no longer holds the ids.
pub fn named_change<'a>(users: &UserDirectory, c: &'a Change) -> Cow<'a, Change> {
    if !c.fields.iter().any(|f| is_person_field(&f.field)) {
        return Cow::Borrowed(c);
    }
    let mut c = c.clone();
    named_fields(users, &mut c.fields);
    Cow::Owned(c)
}

/// Journal entry `e` for display: its person values (before and after) as names (a copy only
/// when it has any). Reverts read the entry itself, never this copy.
pub fn named_entry<'a>(users: &UserDirectory, e: &'a JournalEntry) -> Cow<'a, JournalEntry> {
    if !e.values.iter().any(|v| is_person_field(&v.field)) {
        return Cow::Borrowed(e);
    }
    let mut e = e.clone();
    for v in e.values.iter_mut().filter(|v| is_person_field(&v.field)) {
        let field = v.field.clone();
        named_opt(users, &field, &mut v.before);
        named_opt(users, &field, &mut v.after);
    }
    Cow::Owned(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Named;

    fn users() -> UserDirectory {
        UserDirectory::new(&[Named {
            id: "u1".into(),
            name: "דנה לוי".into(),
        }])
    }

    #[test]
    fn person_fields_read_as_names_and_unknown_ids_are_marked() {
        let u = users();
        assert_eq!(shown_value(&u, "assignedTo", "u1"), "דנה לוי");
        assert_eq!(
            shown_value(&u, "followers", r#"["u1","zz9"]"#),
            "דנה לוי, unknown user (id zz9)"
        );
        assert_eq!(
            shown_value(&u, "followers", "u1, zz9"),
            "דנה לוי, unknown user (id zz9)"
        );
        // Other fields, and blank values, as they are.
        assert_eq!(shown_value(&u, "city", "u1"), "u1");
        assert_eq!(shown_value(&u, "assignedTo", ""), "");
    }

    #[test]
    fn a_change_is_copied_only_when_it_names_someone() {
        let u = users();
        let f = |field: &str, now: Option<&str>, new: Option<&str>| FieldChange {
            field: field.into(),
            label: field.into(),
            source_field: field.into(),
            ghl_now: now.map(Into::into),
            proposed: new.map(Into::into),
            edited: false,
            value_json: None,
        };
        let mut c = Change {
            id: 1,
            kind: crate::domain::ChangeKind::Update,
            state: crate::domain::ChangeState::Pending,
            client_id: String::new(),
            contact_id: Some("c1".into()),
            display_name: "Dana".into(),
            fields: vec![f("city", Some("Haifa"), Some("Tel Aviv"))],
            base_date_updated: None,
            origin: "local".into(),
            warnings: vec![],
            candidates: vec![],
            fingerprint: String::new(),
            created_at: String::new(),
            updated_at: String::new(),
            subject: Default::default(),
            target: Default::default(),
            choice: None,
            matched: None,
            removable_tags: Vec::new(),
        };
        assert!(matches!(named_change(&u, &c), Cow::Borrowed(_)));
        c.fields.push(f("assignedTo", Some("zz9"), Some("u1")));
        let named = named_change(&u, &c);
        assert_eq!(named.fields[0].proposed.as_deref(), Some("Tel Aviv"));
        assert_eq!(
            named.fields[1].ghl_now.as_deref(),
            Some("unknown user (id zz9)")
        );
        assert_eq!(named.fields[1].proposed.as_deref(), Some("דנה לוי"));
        // The change itself keeps the ids.
        assert_eq!(c.fields[1].proposed.as_deref(), Some("u1"));
    }
}
