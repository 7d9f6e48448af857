//! Editing what support edits — owner, tags, DND, custom fields of every type — as pending
//! local changes, approved and sent to the GHL stand-in: the stand-in then holds the typed
//! value; values the definition refuses are never proposed; values GHL refuses fail with GHL's
//! words; a custom field may be written by `id` or by `key`.

use crate::pulled_support::Env;

use bmby_ghl::domain::{ChangeState, Contact, CustomFieldDef};
use bmby_ghl::sandbox::{SandboxConfig, Seed, DEMO_TOKEN};
use bmby_ghl::sync::{self, dispatch, local, review};
use serde_json::{json, Value};

const DANA: &str = "usrDanaLevi000000001";

async fn env() -> Env {
    let e = Env::pulled_fast(SandboxConfig {
        seed: Seed::Demo,
        ..Default::default()
    })
    .await;
    sync::pull::fetch_custom_fields(&e.client, &e.store)
        .await
        .unwrap();
    for (kind, r) in sync::ops::refresh_lists(&e.client, &e.store).await {
        r.unwrap_or_else(|e| panic!("{}: {e}", kind.label()));
    }
    e
}

fn first_contact(e: &Env) -> Contact {
    let rows = e.store.contact_rows().unwrap();
    e.store.contact(&rows[0].id).unwrap().unwrap()
}

fn def(e: &Env, key: &str) -> CustomFieldDef {
    let defs = e.store.custom_fields().unwrap();
    CustomFieldDef::find(defs.values(), key)
        .unwrap_or_else(|| panic!("no field {key}"))
        .clone()
}

/// Approves change `id` and sends everything approved; returns the change afterwards.
async fn send(e: &Env, id: u64) -> bmby_ghl::domain::Change {
    review::approve(&e.store, id).unwrap();
    dispatch::dispatch_all(&e.client, &e.store).await.unwrap();
    e.store.change(id).unwrap().unwrap()
}

fn stored_value(e: &Env, contact: &str, field_id: &str) -> Value {
    let c = e.sb.contact(contact).unwrap();
    c["customFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == field_id)
        .map(|f| f["value"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn every_custom_field_type_is_written_as_ghl_takes_it() {
    let e = env().await;
    let c = first_contact(&e);
    // (field key, typed, what the stand-in stores)
    let table: &[(&str, &str, Value)] = &[
        ("bmby_client_id", "104233", json!("104233")),
        (
            "agent_notes",
            "line one\nline two",
            json!("line one\nline two"),
        ),
        ("budget", "2,500,000", json!(2500000)),
        ("rooms", "3.5", json!(3.5)),
        ("deposit", "₪ 120,000.50", json!(120000.5)),
        ("move_in_date", "2027-05-16", json!(1810425600000i64)),
        ("preferred_city", "חיפה", json!("חיפה")),
        ("property_type", "דירה, פנטהאוז", json!(["דירה", "פנטהאוז"])),
        ("mortgage_approved", "yes", json!(["Yes"])),
        ("contact_preference", "whatsapp", json!("WhatsApp")),
        ("spouse_phone", "054-2848828", json!("+972542848828")),
        (
            "lawyer_email",
            "Adv.Cohen@Example.com",
            json!("Adv.Cohen@Example.com"),
        ),
    ];
    for (key, typed, want) in table {
        let d = def(&e, key);
        let contact = e.store.contact(&c.id).unwrap().unwrap();
        let ch = local::set_custom_field(&e.store, &contact, &d, typed)
            .unwrap_or_else(|err| panic!("{key}: {err}"));
        let done = send(&e, ch.id).await;
        assert_eq!(
            done.state,
            ChangeState::Applied,
            "{key}: {:?}",
            done_error(&e, done.id)
        );
        assert_eq!(&stored_value(&e, &c.id, &d.id), want, "{key}");
        let info = e.store.outbox_info(done.id).unwrap();
        assert!(
            info.dropped_fields.is_empty(),
            "{key}: {:?}",
            info.dropped_fields
        );
        // The pull after the write brings the value back as the cache shows it.
        sync::pull_contacts(&e.client, &e.store, false, |_| {})
            .await
            .unwrap();
    }
}

fn done_error(e: &Env, id: u64) -> Option<String> {
    e.store.outbox_info(id).ok().and_then(|o| o.last_error)
}

#[tokio::test]
async fn values_the_definition_refuses_are_never_proposed() {
    let e = env().await;
    let c = first_contact(&e);
    let before = e.store.changes().unwrap().len();
    for (key, typed, says) in [
        ("budget", "a lot", "takes a number"),
        ("move_in_date", "16/05/2027", "YYYY-MM-DD"),
        ("preferred_city", "Eilat", "is not an option"),
        ("property_type", "דירה, castle", "is not an option"),
        ("spouse_phone", "call me", "phone"),
        ("lawyer_email", "not an email", "email"),
    ] {
        let err = local::set_custom_field(&e.store, &c, &def(&e, key), typed).unwrap_err();
        assert!(err.to_string().contains(says), "{key}: {err}");
    }
    let err = local::edit_contact_field(&e.store, &c, "type", "customer").unwrap_err();
    assert!(err.to_string().contains("no way to change"), "{err}");
    assert_eq!(e.store.changes().unwrap().len(), before);
}

#[tokio::test]
async fn a_value_ghl_refuses_fails_with_ghls_words() {
    let e = env().await;
    let c = first_contact(&e);
    // The cached definition knows an option GHL's does not (edited in GHL since the last pull).
    let mut d = def(&e, "preferred_city");
    d.picklist_options.push("אילת".into());
    let ch = local::set_custom_field(&e.store, &c, &d, "אילת").unwrap();
    let done = send(&e, ch.id).await;
    assert_eq!(done.state, ChangeState::Failed);
    let why = done_error(&e, ch.id).unwrap();
    assert!(
        why.contains("customFields.contact.preferred_city must be one of the following values"),
        "{why}"
    );
    // An owner the location does not have.
    let ch = local::set_owner(&e.store, &c, Some("usrNobody00000000000")).unwrap();
    let done = send(&e, ch.id).await;
    assert_eq!(done.state, ChangeState::Failed);
    assert!(done_error(&e, ch.id)
        .unwrap()
        .contains("assignedTo must be a valid user id"));
}

#[tokio::test]
async fn owner_tags_and_dnd_reach_ghl() {
    let e = env().await;
    let c = first_contact(&e);
    local::set_owner(&e.store, &c, Some(DANA)).unwrap();
    local::edit_tags(&e.store, &c, &["vip".into(), "ticket-4411".into()], &[]).unwrap();
    let removed = c.tags.first().cloned();
    if let Some(t) = &removed {
        local::edit_tags(&e.store, &c, &[], std::slice::from_ref(t)).unwrap();
    }
    local::set_dnd(&e.store, &c, Some("sms"), true).unwrap();
    let ch = local::set_dnd(&e.store, &c, None, true).unwrap();
    // Every edit joined one pending change of the contact.
    let fields: Vec<&str> = ch.fields.iter().map(|f| f.field.as_str()).collect();
    assert!(
        fields.contains(&"assignedTo") && fields.contains(&"tags"),
        "{fields:?}"
    );
    assert!(fields.contains(&"dndSettings.SMS") && fields.contains(&"dnd"));
    let done = send(&e, ch.id).await;
    assert_eq!(
        done.state,
        ChangeState::Applied,
        "{:?}",
        done_error(&e, ch.id)
    );
    let g = e.sb.contact(&c.id).unwrap();
    assert_eq!(g["assignedTo"], DANA);
    assert_eq!(g["dnd"], true);
    assert_eq!(g["dndSettings"]["SMS"]["status"], "active");
    let tags: Vec<&str> = g["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(tags.contains(&"vip") && tags.contains(&"ticket-4411"));
    if let Some(t) = removed {
        assert!(!tags.contains(&t.as_str()), "{t} still there: {tags:?}");
    }
    // The journal keeps the owner's id; views name it.
    let j = e.store.journal().unwrap();
    assert!(j.iter().any(|x| x
        .values
        .iter()
        .any(|f| f.field == "assignedTo" && f.after.as_deref() == Some(DANA))));
}

#[tokio::test]
async fn a_custom_field_may_be_named_by_id_or_by_key() {
    let e = env().await;
    let c = first_contact(&e);
    let budget = def(&e, "budget");
    let http = reqwest::Client::new();
    let put = |body: Value| {
        http.put(format!("{}/contacts/{}", e.sb.base_url(), c.id))
            .bearer_auth(DEMO_TOKEN)
            .header("Version", "2021-07-28")
            .json(&body)
            .send()
    };
    let r = put(json!({"customFields": [{"id": budget.id, "field_value": 111}]}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(stored_value(&e, &c.id, &budget.id), json!(111));
    for key in ["contact.budget", "budget"] {
        let r = put(json!({"customFields": [{"key": key, "field_value": "222"}]}))
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{key}");
        assert_eq!(stored_value(&e, &c.id, &budget.id), json!(222), "{key}");
    }
    let r = put(json!({"customFields": [{"key": "budget", "field_value": "lots"}]}))
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["message"],
        json!(["customFields.contact.budget must be a number"])
    );
    assert_eq!(stored_value(&e, &c.id, &budget.id), json!(222));
}

#[tokio::test]
async fn the_location_tags_are_listed_and_cached() {
    let e = env().await;
    let tags = sync::ops::cached_list(&e.store, sync::ops::ListKind::Tags)
        .unwrap()
        .unwrap();
    assert!(!tags.is_empty());
    let c = first_contact(&e);
    for t in &c.tags {
        assert!(tags.iter().any(|x| &x.name == t), "{t} not listed");
    }
}
