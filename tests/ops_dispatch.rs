//! Contact operations (workflows, campaigns, followers, business, bulk tags, upsert) through
//! the outbox to the GHL stand-in: exactly once under dropped answers, verification after a
//! crash, upserts held when they would not do what was meant, and the dry run equal to what
//! the stand-in saw.

use bmby_ghl::domain::{ChangeState, ContactOp, FieldChange};
use bmby_ghl::ghl::GhlRequest;
use bmby_ghl::sandbox::{AfterActing, Seed, DEMO_LOCATION_ID};
use bmby_ghl::sync::{self, dispatch, ops, review};
use serde_json::{json, Value};

use crate::ops_support::{approve_and_send, env, named, propose, Env};
const CONTACT: &str = "x64Mt6pwWmOf7NAPeeIE";
const OTHER: &str = "LvtWjbLQy7AawydILrdz";
const NURTURE: &str = "7d1f8a52-3c4e-4b6a-9e21-5a0c8f3d2b17";
const CAMPAIGN: &str = "cmpSpringOpenHse01Qa";
const DANA: &str = "usrDanaLevi000000001";
const ACME: &str = "64b1c2d3e4f5a6b7c8d9e0f1";

/// The writes the stand-in carried out or saw, as `METHOD path?query` with their bodies.
fn seen(e: &Env) -> Vec<(String, String, Value)> {
    e.sb.requests()
        .into_iter()
        .map(|r| {
            let path = if r.query.is_empty() {
                r.path
            } else {
                format!("{}?{}", r.path, r.query)
            };
            (r.method, path, r.body)
        })
        .collect()
}

fn planned(e: &Env, id: u64) -> Vec<(String, String, Value)> {
    let c = e.store.change(id).unwrap().unwrap();
    dispatch::plan(&c, DEMO_LOCATION_ID)
        .into_iter()
        .map(|p| (p.method.to_owned(), p.path, p.body.unwrap_or(Value::Null)))
        .collect()
}

fn last_error(e: &Env, id: u64) -> String {
    e.store
        .outbox_info(id)
        .unwrap()
        .last_error
        .unwrap_or_default()
}

fn field(name: &str, value: &str) -> FieldChange {
    FieldChange {
        field: name.into(),
        label: name.into(),
        source_field: String::new(),
        ghl_now: None,
        proposed: Some(value.into()),
        edited: true,
        value_json: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workflow_add_dry_run_is_what_is_sent_and_the_journal_names_it() {
    let e = env(Seed::Demo).await;
    let op = ContactOp::WorkflowAdd {
        workflow: named(NURTURE, "Nurture"),
        event_start_time: Some("2099-03-01T10:00:00+02:00".into()),
    };
    let id = propose(&e, Some(CONTACT), op, vec![]);
    let plan = planned(&e, id);
    e.sb.clear_requests();
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Applied);
    assert_eq!(seen(&e), plan, "the dry run shows exactly what was sent");
    assert_eq!(e.sb.workflow_enrolments(CONTACT, NURTURE), 1);
    let j = e.store.journal().unwrap();
    let entry = j.iter().rev().find(|x| x.change_id == id).unwrap();
    assert_eq!(
        entry.request,
        format!("POST /contacts/{CONTACT}/workflow/{NURTURE}")
    );
    assert_eq!(entry.values[0].field, "workflow");
    assert_eq!(entry.values[0].after.as_deref(), Some("Nurture"));
    let text = sync::journal::entry_lines(entry).join("\n");
    assert!(text.contains("add to workflow Nurture"), "{text}");
    assert!(
        text.contains("start time") && text.contains("2099-03-01 10:00"),
        "{text}"
    );
    // GHL cannot say whether the contact was in the workflow before: no revert from here
    // (removing could end an enrolment the contact had), with the way to do it by hand.
    let why = sync::revert::why_not(entry).unwrap();
    assert!(
        why.contains("already in workflow Nurture") && why.contains("op workflow-remove"),
        "{why}"
    );
    assert!(sync::revert::propose(&e.store, entry.seq).is_err());
    assert_eq!(e.sb.workflows_of(CONTACT).len(), 1, "still enrolled");
    // Removing from every campaign cannot be undone from here, and says why.
    let id = propose(&e, Some(CONTACT), ContactOp::CampaignRemoveAll, vec![]);
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Applied);
    let j = e.store.journal().unwrap();
    let entry = j.iter().rev().find(|x| x.change_id == id).unwrap();
    let why = sync::revert::why_not(entry).unwrap();
    assert!(why.contains("which campaigns"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_workflow_add_asks_to_check_ghl_and_is_never_resent() {
    let e = env(Seed::Demo).await;
    let op = ContactOp::WorkflowAdd {
        workflow: named(NURTURE, "Nurture"),
        event_start_time: None,
    };
    let id = propose(&e, Some(CONTACT), op, vec![]);
    e.sb.faults().set_after_acting(AfterActing::Drop, 1);
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Failed);
    let why = last_error(&e, id);
    assert!(
        why.contains("the answer was lost: check GHL whether Noa Example is in workflow Nurture"),
        "{why}"
    );
    assert!(why.contains("approve again to resend"), "{why}");
    // A second run sends nothing: the change is failed, not queued.
    dispatch::dispatch_all(&e.client, &e.store).await.unwrap();
    assert_eq!(
        e.sb.workflow_enrolments(CONTACT, NURTURE),
        1,
        "enrolled exactly once"
    );
    let posts =
        e.sb.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.contains("/workflow/"))
            .count();
    assert_eq!(posts, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workflow_add_in_flight_with_unknown_outcome_after_a_crash_is_not_resent() {
    let e = env(Seed::Demo).await;
    let op = ContactOp::WorkflowAdd {
        workflow: named(NURTURE, "Nurture"),
        event_start_time: None,
    };
    let id = propose(&e, Some(CONTACT), op, vec![]);
    review::approve(&e.store, id).unwrap();
    // The run sent the write (it arrived) and stopped before the answer was recorded.
    let mut c = e.store.change(id).unwrap().unwrap();
    let mut info = e.store.outbox_info(id).unwrap();
    let r = GhlRequest::workflow_add(CONTACT, NURTURE, None);
    info.unknown_outcome = Some(r.endpoint());
    c.state = ChangeState::InFlight;
    e.store.put_dispatch(&c, &info).unwrap();
    e.client.send_request(&r).await.unwrap();
    let state = dispatch::dispatch_one(&e.client, &e.store, id)
        .await
        .unwrap();
    assert_eq!(state, ChangeState::Failed);
    assert!(last_error(&e, id).contains("check GHL whether"));
    assert_eq!(e.sb.workflow_enrolments(CONTACT, NURTURE), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_add_answered_502_after_acting_fails_without_a_second_enrolment() {
    let e = env(Seed::Demo).await;
    let op = ContactOp::CampaignAdd {
        campaign: named(CAMPAIGN, "Spring Open House"),
    };
    let id = propose(&e, Some(CONTACT), op, vec![]);
    e.sb.faults().set_after_acting(AfterActing::ServerError, 1);
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Failed);
    assert!(last_error(&e, id).contains("campaign Spring Open House"));
    assert_eq!(e.sb.campaign_enrolments(CONTACT, CAMPAIGN), 1);
    // Removal is idempotent: a dropped answer is retried and still applied.
    let id = propose(&e, Some(CONTACT), ContactOp::CampaignRemoveAll, vec![]);
    e.sb.faults().set_after_acting(AfterActing::Drop, 1);
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Applied);
    assert!(e.sb.campaigns_of(CONTACT).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followers_resumed_after_a_crash_are_verified_not_sent_twice() {
    let e = env(Seed::Demo).await;
    let op = ContactOp::FollowersAdd {
        users: vec![named(DANA, "Dana Levi")],
    };
    let id = propose(&e, Some(CONTACT), op, vec![]);
    review::approve(&e.store, id).unwrap();
    let mut c = e.store.change(id).unwrap().unwrap();
    let info = e.store.outbox_info(id).unwrap();
    c.state = ChangeState::InFlight;
    e.store.put_dispatch(&c, &info).unwrap();
    // The write arrived before the crash.
    e.client
        .send_request(&GhlRequest::followers(CONTACT, &[DANA.into()], true))
        .await
        .unwrap();
    e.sb.clear_requests();
    let state = dispatch::dispatch_one(&e.client, &e.store, id)
        .await
        .unwrap();
    assert_eq!(state, ChangeState::Applied);
    let writes: Vec<_> =
        e.sb.requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .collect();
    assert!(
        writes.is_empty(),
        "verified by reading, nothing resent: {writes:?}"
    );
    assert_eq!(e.sb.contact(CONTACT).unwrap()["followers"], json!([DANA]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_tags_with_a_dropped_answer_add_once_and_report_unknown_contacts() {
    let e = env(Seed::Demo).await;
    let op = ContactOp::BulkTags {
        add: true,
        tags: vec!["vip".into()],
        contact_ids: vec![CONTACT.into(), OTHER.into(), "ZZZZZZZZZZZZZZZZZZZZ".into()],
    };
    let id = propose(&e, None, op, vec![]);
    let plan = planned(&e, id);
    e.sb.clear_requests();
    e.sb.faults().set_after_acting(AfterActing::Drop, 1);
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Applied);
    for c in [CONTACT, OTHER] {
        let tags = e.sb.contact(c).unwrap()["tags"].clone();
        let n = tags
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| *t == "vip")
            .count();
        assert_eq!(n, 1, "{c}: {tags}");
    }
    // What was sent is the dry run (sent again once after the dropped answer: set semantics).
    let sent = seen(&e);
    assert!(sent.iter().all(|s| *s == plan[0]), "{sent:?}");
    let c = e.store.change(id).unwrap().unwrap();
    assert!(
        c.warnings
            .iter()
            .any(|w| w.contains("ZZZZZZZZZZZZZZZZZZZZ") && w.contains("contact is deleted")),
        "{:?}",
        c.warnings
    );
    let j = e.store.journal().unwrap();
    let entry = j.iter().rev().find(|x| x.change_id == id).unwrap();
    let contacts = entry.values.iter().find(|v| v.field == "contacts").unwrap();
    assert!(contacts.after.as_deref().unwrap().contains(OTHER));

    // Every contact refused: failed, naming them.
    let id = propose(
        &e,
        None,
        ContactOp::BulkTags {
            add: true,
            tags: vec!["vip".into()],
            contact_ids: vec!["abcdef".into()],
        },
        vec![],
    );
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Failed);
    assert!(
        last_error(&e, id).contains("abcdef"),
        "{}",
        last_error(&e, id)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_tags_resumed_after_a_crash_send_only_to_contacts_missing_the_tag() {
    let e = env(Seed::Demo).await;
    let op = ContactOp::BulkTags {
        add: true,
        tags: vec!["open-house".into()],
        contact_ids: vec![CONTACT.into(), OTHER.into()],
    };
    let id = propose(&e, None, op, vec![]);
    review::approve(&e.store, id).unwrap();
    let mut c = e.store.change(id).unwrap().unwrap();
    let info = e.store.outbox_info(id).unwrap();
    c.state = ChangeState::InFlight;
    e.store.put_dispatch(&c, &info).unwrap();
    // Only the first contact got it before the crash (e.g. a tag added in GHL meanwhile).
    e.client
        .send_request(&GhlRequest::edit_tags(
            CONTACT,
            &["open-house".into()],
            true,
        ))
        .await
        .unwrap();
    let state = dispatch::dispatch_one(&e.client, &e.store, id)
        .await
        .unwrap();
    assert_eq!(state, ChangeState::Applied);
    let path = "/contacts/bulk/tags/update/add";
    assert_eq!(
        e.sb.bulk_arrivals(path, CONTACT),
        0,
        "not resent to a contact that has it"
    );
    assert_eq!(e.sb.bulk_arrivals(path, OTHER), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn business_association_with_a_dropped_answer_is_applied_and_journaled() {
    let e = env(Seed::Demo).await;
    let op = ContactOp::Business {
        business: Some(named(ACME, "Acme Realty")),
        contact_ids: vec![CONTACT.into(), OTHER.into()],
    };
    let id = propose(&e, None, op, vec![]);
    e.sb.faults().set_after_acting(AfterActing::Drop, 1);
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Applied);
    for c in [CONTACT, OTHER] {
        assert_eq!(e.sb.contact(c).unwrap()["businessId"], ACME);
    }
    let j = e.store.journal().unwrap();
    let entry = j.iter().rev().find(|x| x.change_id == id).unwrap();
    let b = entry.values.iter().find(|v| v.field == "business").unwrap();
    assert_eq!(b.before.as_deref(), Some("(none)"));
    assert_eq!(b.after.as_deref(), Some("Acme Realty"));
    // The business filter reads it from the cache after a pull.
    sync::pull_contacts(&e.client, &e.store, true, |_| {})
        .await
        .unwrap();
    assert_eq!(
        ops::cached_business_of(&e.store, OTHER).unwrap().as_deref(),
        Some(ACME)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upsert_is_held_when_email_and_phone_are_two_contacts() {
    let e = env(Seed::Empty).await;
    e.sb.insert_contact(
        json!({"id": "upsXPhoneOnly0000001", "firstName": "X", "phone": "+15550100001"}),
    );
    e.sb.insert_contact(
        json!({"id": "upsYEmailOnly0000002", "firstName": "Y", "email": "ann@example.com"}),
    );
    let id = propose(
        &e,
        None,
        ContactOp::Upsert,
        vec![
            field("email", "ann@example.com"),
            field("phone", "+15550100001"),
        ],
    );
    e.sb.clear_requests();
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Pending);
    assert!(
        e.sb.requests().iter().all(|r| r.path != "/contacts/upsert"),
        "never sent"
    );
    let c = e.store.change(id).unwrap().unwrap();
    assert_eq!(c.candidates.len(), 2);
    assert!(last_error(&e, id).contains("upsXPhoneOnly0000001"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upsert_is_held_for_an_additional_email() {
    let e = env(Seed::Empty).await;
    e.sb.insert_contact(
        json!({"id": "upsYEmailOnly0000002", "firstName": "Y", "email": "ann@example.com",
                               "additionalEmails": [{"email": "ann.alt@example.com"}]}),
    );
    sync::pull_contacts(&e.client, &e.store, true, |_| {})
        .await
        .unwrap();
    let id = propose(
        &e,
        None,
        ContactOp::Upsert,
        vec![field("email", "ann.alt@example.com")],
    );
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Pending);
    assert!(e.sb.requests().iter().all(|r| r.path != "/contacts/upsert"));
    assert!(
        last_error(&e, id).contains("additional email"),
        "{}",
        last_error(&e, id)
    );
    assert_eq!(
        e.sb.contact("upsYEmailOnly0000002").unwrap()["email"],
        "ann@example.com"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upsert_reports_dropped_fields_and_its_dry_run_is_what_is_sent() {
    let e = env(Seed::Empty).await;
    e.sb.insert_contact(json!({"id": "upsYEmailOnly0000002", "firstName": "Y", "email": "ann@example.com", "gender": "female"}));
    let id = propose(
        &e,
        None,
        ContactOp::Upsert,
        vec![
            field("email", "ann@example.com"),
            field("gender", "male"),
            field("city", "חיפה"),
        ],
    );
    let plan = planned(&e, id);
    e.sb.clear_requests();
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Applied);
    assert_eq!(seen(&e), plan);
    let info = e.store.outbox_info(id).unwrap();
    assert_eq!(info.dropped_fields, vec!["gender".to_owned()]);
    assert_eq!(info.contact_id.as_deref(), Some("upsYEmailOnly0000002"));
    assert_eq!(
        e.sb.contact("upsYEmailOnly0000002").unwrap()["city"],
        "חיפה"
    );
}

fn has_tag(e: &Env, contact: &str, tag: &str) -> bool {
    e.sb.contact(contact).unwrap()["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == tag)
}

fn entry_of(e: &Env, id: u64) -> bmby_ghl::domain::JournalEntry {
    let j = e.store.journal().unwrap();
    j.into_iter().rev().find(|x| x.change_id == id).unwrap()
}

/// Issue #10: a contact that already had the tag (`vip` in the report) kept it when the tag add was reverted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverting_a_tag_add_removes_the_tag_only_from_contacts_that_gained_it() {
    let e = env(Seed::Demo).await;
    e.client
        .send_request(&GhlRequest::edit_tags(CONTACT, &["hot-lead".into()], true))
        .await
        .unwrap();
    let op = ContactOp::BulkTags {
        add: true,
        tags: vec!["hot-lead".into()],
        contact_ids: vec![CONTACT.into(), OTHER.into()],
    };
    let id = propose(&e, None, op, vec![]);
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Applied);
    let entry = entry_of(&e, id);
    let text = sync::journal::entry_lines(&entry).join("\n");
    assert!(text.contains("changed for 1 of 2 contacts"), "{text}");
    let back = sync::revert::propose(&e.store, entry.seq).unwrap();
    match &back.subject {
        bmby_ghl::domain::Subject::Op(ContactOp::BulkTags {
            add,
            tags,
            contact_ids,
        }) => {
            assert!(!add);
            assert_eq!(tags, &vec!["hot-lead".to_owned()]);
            assert_eq!(
                contact_ids,
                &vec![OTHER.to_owned()],
                "only the one that gained it"
            );
        }
        s => panic!("{s:?}"),
    }
    // The revert is named after the contact it writes to, not the original write's two.
    let other_name = e
        .store
        .contact(OTHER)
        .unwrap()
        .map(|c| c.display_name())
        .unwrap_or_else(|| OTHER.to_owned());
    assert_eq!(back.display_name, other_name);
    assert_eq!(approve_and_send(&e, back.id).await, ChangeState::Applied);
    assert!(has_tag(&e, CONTACT, "hot-lead"), "its own vip is kept");
    assert!(!has_tag(&e, OTHER, "hot-lead"));

    // Reverting that revert adds it back to OTHER only.
    let entry = entry_of(&e, back.id);
    let again = sync::revert::propose(&e.store, entry.seq).unwrap();
    assert!(matches!(
        &again.subject,
        bmby_ghl::domain::Subject::Op(ContactOp::BulkTags { add: true, contact_ids, .. })
            if contact_ids == &vec![OTHER.to_owned()]
    ));

    // A tag add that changed no contact has nothing to revert, and says so.
    let id = propose(
        &e,
        None,
        ContactOp::BulkTags {
            add: true,
            tags: vec!["hot-lead".into()],
            contact_ids: vec![CONTACT.into()],
        },
        vec![],
    );
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Applied);
    let why = sync::revert::why_not(&entry_of(&e, id)).unwrap();
    assert!(why.contains("changed no contact's tags"), "{why}");

    // An entry written before effects were recorded is refused.
    let mut old = entry_of(&e, id);
    old.snapshot = None;
    let why = sync::revert::why_not(&old).unwrap();
    assert!(why.contains("written before the journal recorded"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverting_followers_and_business_undoes_only_what_changed() {
    let e = env(Seed::Demo).await;
    const AVI: &str = "usrAviCohen000000002";
    e.client
        .send_request(&GhlRequest::followers(CONTACT, &[DANA.into()], true))
        .await
        .unwrap();
    let op = ContactOp::FollowersAdd {
        users: vec![named(DANA, "Dana Levi"), named(AVI, "Avi Cohen")],
    };
    let id = propose(&e, Some(CONTACT), op, vec![]);
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Applied);
    let back = sync::revert::propose(&e.store, entry_of(&e, id).seq).unwrap();
    assert!(
        matches!(
            &back.subject,
            bmby_ghl::domain::Subject::Op(ContactOp::FollowersRemove { users })
                if users == &vec![named(AVI, "Avi Cohen")]
        ),
        "{:?}",
        back.subject
    );
    assert_eq!(approve_and_send(&e, back.id).await, ChangeState::Applied);
    assert_eq!(e.sb.contact(CONTACT).unwrap()["followers"], json!([DANA]));

    // Business: CONTACT had Levi & Sons, OTHER none → set Acme → refused (two previous ones).
    const LEVI: &str = "64b1c2d3e4f5a6b7c8d9e0f3";
    e.client
        .send_request(&GhlRequest::bulk_business(
            DEMO_LOCATION_ID,
            &[CONTACT.into()],
            Some(LEVI),
        ))
        .await
        .unwrap();
    sync::pull_contacts(&e.client, &e.store, true, |_| {})
        .await
        .unwrap();
    let op = ContactOp::Business {
        business: Some(named(ACME, "Acme Realty")),
        contact_ids: vec![CONTACT.into(), OTHER.into()],
    };
    let id = propose(&e, None, op, vec![]);
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Applied);
    let why = sync::revert::why_not(&entry_of(&e, id)).unwrap();
    assert!(
        why.contains("different businesses") && why.contains("Levi & Sons"),
        "{why}"
    );
    // CONTACT moved from Acme to Levi & Sons: the revert sets Acme back on it alone.
    sync::pull_contacts(&e.client, &e.store, true, |_| {})
        .await
        .unwrap();
    let op = ContactOp::Business {
        business: Some(named(LEVI, "Levi & Sons Investments")),
        contact_ids: vec![CONTACT.into()],
    };
    let id = propose(&e, None, op, vec![]);
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Applied);
    let back = sync::revert::propose(&e.store, entry_of(&e, id).seq).unwrap();
    assert_eq!(approve_and_send(&e, back.id).await, ChangeState::Applied);
    assert_eq!(e.sb.contact(CONTACT).unwrap()["businessId"], ACME);
    assert_eq!(
        e.sb.contact(OTHER).unwrap()["businessId"],
        ACME,
        "untouched"
    );
}
