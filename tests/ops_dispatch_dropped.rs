//! Issue #10: every operation write whose answer is lost after the stand-in acted
//! (`AfterActing::Drop`) ends exactly as asked: removals and followers are sent again (set
//! semantics, harmless) and are applied once; an upsert is looked up again and never creates a
//! second contact, even on a location that allows duplicates. Each test checks the stand-in's
//! own state, the change's state and error text, and the journal.

use bmby_ghl::domain::{ChangeState, ContactOp, FieldChange, JournalEntry, Named, Subject};
use bmby_ghl::ghl::GhlRequest;
use bmby_ghl::sandbox::{AfterActing, Seed};
use bmby_ghl::sync::{self, dispatch};
use serde_json::json;

use crate::ops_support::{approve_and_send, env, named, propose, Env};
const CONTACT: &str = "x64Mt6pwWmOf7NAPeeIE";
const NURTURE: &str = "7d1f8a52-3c4e-4b6a-9e21-5a0c8f3d2b17";
const WELCOME: &str = "b2e94c10-6f3a-4d8e-a7c5-1e9b0d4f6a83";
const SPRING: &str = "cmpSpringOpenHse01Qa";
const HOLIDAYS: &str = "cmpHolidays5780xYz2";
const DANA: &str = "usrDanaLevi000000001";
const AVI: &str = "usrAviCohen000000002";
const MICHAL: &str = "usrMichalAvr00000003";

fn last_error(e: &Env, id: u64) -> Option<String> {
    e.store.outbox_info(id).unwrap().last_error
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

/// The journal entries of change `id`, oldest first.
fn entries_of(e: &Env, id: u64) -> Vec<JournalEntry> {
    e.store
        .journal()
        .unwrap()
        .into_iter()
        .filter(|x| x.change_id == id)
        .collect()
}

/// How many requests `METHOD path` reached the stand-in.
fn arrivals(e: &Env, method: &str, path: &str) -> usize {
    e.sb.requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

/// Arms one dropped answer, sends the approved change `id`, and checks the run ended applied
/// with no error; returns its single journal entry.
async fn send_with_a_dropped_answer(e: &Env, id: u64) -> JournalEntry {
    e.sb.faults().set_after_acting(AfterActing::Drop, 1);
    assert_eq!(approve_and_send(e, id).await, ChangeState::Applied);
    assert_eq!(last_error(e, id), None);
    // A second run sends nothing: the change is done.
    e.sb.clear_requests();
    dispatch::dispatch_all(&e.client, &e.store).await.unwrap();
    assert!(e.sb.requests().is_empty(), "{:?}", e.sb.requests());
    let j = entries_of(e, id);
    assert_eq!(j.len(), 1, "one journal entry: {j:?}");
    assert_eq!(j[0].status, Some(200), "{:?}", j[0]);
    assert_eq!(
        j[0].outcome,
        "applied (the first answer was lost; sent again)"
    );
    j.into_iter().next().unwrap()
}

async fn enrol(e: &Env, r: GhlRequest) {
    e.client.send_request(&r).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workflow_remove_whose_answer_was_lost_is_applied_once() {
    let e = env(Seed::Demo).await;
    enrol(&e, GhlRequest::workflow_add(CONTACT, NURTURE, None)).await;
    enrol(&e, GhlRequest::workflow_add(CONTACT, WELCOME, None)).await;
    let op = ContactOp::WorkflowRemove {
        workflow: named(NURTURE, "Nurture"),
    };
    let id = propose(&e, Some(CONTACT), op, vec![]);
    e.sb.clear_requests();
    let entry = send_with_a_dropped_answer(&e, id).await;
    assert_eq!(
        e.sb.workflows_of(CONTACT),
        vec![WELCOME.to_owned()],
        "only Nurture removed"
    );
    assert_eq!(
        e.sb.workflow_enrolments(CONTACT, NURTURE),
        1,
        "no enrolment by the removal"
    );
    assert_eq!(
        entry.request,
        format!("DELETE /contacts/{CONTACT}/workflow/{NURTURE}")
    );
    assert_eq!(entry.values[0].field, "workflow");
    assert_eq!(entry.values[0].before.as_deref(), Some("Nurture"));
    assert_eq!(entry.values[0].after, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_remove_whose_answer_was_lost_is_applied_once() {
    let e = env(Seed::Demo).await;
    enrol(&e, GhlRequest::campaign_add(CONTACT, SPRING)).await;
    enrol(&e, GhlRequest::campaign_add(CONTACT, HOLIDAYS)).await;
    let op = ContactOp::CampaignRemove {
        campaign: named(SPRING, "Spring Open House"),
    };
    let id = propose(&e, Some(CONTACT), op, vec![]);
    e.sb.clear_requests();
    e.sb.faults().set_after_acting(AfterActing::Drop, 1);
    assert_eq!(approve_and_send(&e, id).await, ChangeState::Applied);
    let path = format!("/contacts/{CONTACT}/campaigns/{SPRING}");
    assert_eq!(
        arrivals(&e, "DELETE", &path),
        2,
        "sent again once after the lost answer"
    );
    assert_eq!(last_error(&e, id), None);
    assert_eq!(e.sb.campaigns_of(CONTACT), vec![HOLIDAYS.to_owned()]);
    assert_eq!(e.sb.campaign_enrolments(CONTACT, SPRING), 1);
    assert_eq!(e.sb.campaign_enrolments(CONTACT, HOLIDAYS), 1);
    let j = entries_of(&e, id);
    assert_eq!(j.len(), 1, "{j:?}");
    assert_eq!(j[0].request, format!("DELETE {path}"));
    assert_eq!(
        j[0].outcome,
        "applied (the first answer was lost; sent again)"
    );
    assert_eq!(j[0].values[0].field, "campaign");
    assert_eq!(j[0].values[0].before.as_deref(), Some("Spring Open House"));
    e.sb.clear_requests();
    dispatch::dispatch_all(&e.client, &e.store).await.unwrap();
    assert!(e.sb.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_remove_all_whose_answer_was_lost_is_applied_once() {
    let e = env(Seed::Demo).await;
    enrol(&e, GhlRequest::campaign_add(CONTACT, SPRING)).await;
    enrol(&e, GhlRequest::campaign_add(CONTACT, HOLIDAYS)).await;
    let other = "LvtWjbLQy7AawydILrdz";
    enrol(&e, GhlRequest::campaign_add(other, SPRING)).await;
    let id = propose(&e, Some(CONTACT), ContactOp::CampaignRemoveAll, vec![]);
    e.sb.clear_requests();
    let entry = send_with_a_dropped_answer(&e, id).await;
    assert!(e.sb.campaigns_of(CONTACT).is_empty());
    assert_eq!(
        e.sb.campaigns_of(other),
        vec![SPRING.to_owned()],
        "another contact untouched"
    );
    assert_eq!(e.sb.campaign_enrolments(CONTACT, SPRING), 1);
    assert_eq!(
        entry.request,
        format!("DELETE /contacts/{CONTACT}/campaigns/removeAll")
    );
    assert_eq!(entry.values[0].before.as_deref(), Some("every campaign"));
}

/// The revert of `entry` must name exactly `users`: what the write changed, although the
/// answer that said so was lost and the write was sent again.
fn revert_names(e: &Env, entry: &JournalEntry, users: &[Named], add_back: bool) {
    let back = sync::revert::propose(&e.store, entry.seq).unwrap();
    match (&back.subject, add_back) {
        (Subject::Op(ContactOp::FollowersAdd { users: u }), true)
        | (Subject::Op(ContactOp::FollowersRemove { users: u }), false) => {
            assert_eq!(u, users)
        }
        (s, _) => panic!("{s:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followers_added_with_a_lost_answer_are_added_once_and_journaled_as_changed() {
    let e = env(Seed::Demo).await;
    enrol(&e, GhlRequest::followers(CONTACT, &[MICHAL.into()], true)).await;
    sync::pull_contacts(&e.client, &e.store, true, |_| {})
        .await
        .unwrap();
    let users = vec![named(DANA, "Dana Levi"), named(AVI, "Avi Cohen")];
    let op = ContactOp::FollowersAdd {
        users: users.clone(),
    };
    let id = propose(&e, Some(CONTACT), op, vec![]);
    e.sb.clear_requests();
    let entry = send_with_a_dropped_answer(&e, id).await;
    assert_eq!(
        e.sb.contact(CONTACT).unwrap()["followers"],
        json!([MICHAL, DANA, AVI]),
        "each once, Michal kept"
    );
    assert_eq!(entry.request, format!("POST /contacts/{CONTACT}/followers"));
    let text = sync::journal::entry_lines(&entry).join("\n");
    assert!(text.contains("changed for 1 of 1 contact"), "{text}");
    revert_names(&e, &entry, &users, false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followers_removed_with_a_lost_answer_are_removed_once_and_journaled_as_changed() {
    let e = env(Seed::Demo).await;
    enrol(
        &e,
        GhlRequest::followers(CONTACT, &[DANA.into(), AVI.into(), MICHAL.into()], true),
    )
    .await;
    sync::pull_contacts(&e.client, &e.store, true, |_| {})
        .await
        .unwrap();
    let users = vec![named(DANA, "Dana Levi"), named(AVI, "Avi Cohen")];
    let op = ContactOp::FollowersRemove {
        users: users.clone(),
    };
    let id = propose(&e, Some(CONTACT), op, vec![]);
    e.sb.clear_requests();
    let entry = send_with_a_dropped_answer(&e, id).await;
    assert_eq!(
        e.sb.contact(CONTACT).unwrap()["followers"],
        json!([MICHAL]),
        "exactly the ones asked removed"
    );
    assert_eq!(
        entry.request,
        format!("DELETE /contacts/{CONTACT}/followers")
    );
    let text = sync::journal::entry_lines(&entry).join("\n");
    assert!(text.contains("changed for 1 of 1 contact"), "{text}");
    revert_names(&e, &entry, &users, true);
}

/// Sends upsert change `id` with its answer lost: the first run leaves it in flight saying so,
/// the next one looks it up again and ends applied. Returns the change's journal entries.
async fn upsert_with_a_lost_answer(e: &Env, id: u64) -> Vec<JournalEntry> {
    e.sb.faults().set_after_acting(AfterActing::Drop, 1);
    assert_eq!(approve_and_send(e, id).await, ChangeState::InFlight);
    assert!(
        last_error(e, id).is_some_and(|w| !w.is_empty()),
        "the lost answer is shown"
    );
    assert!(e.store.outbox_info(id).unwrap().unknown_outcome.is_some());
    let before = arrivals(e, "GET", "/contacts/search/duplicate");
    dispatch::dispatch_all(&e.client, &e.store).await.unwrap();
    assert_eq!(
        e.store.change(id).unwrap().unwrap().state,
        ChangeState::Applied
    );
    assert_eq!(last_error(e, id), None);
    assert!(
        arrivals(e, "GET", "/contacts/search/duplicate") > before,
        "looked up again before sending"
    );
    let info = e.store.outbox_info(id).unwrap();
    assert!(info.unknown_outcome.is_none());
    // A third run sends nothing.
    e.sb.clear_requests();
    dispatch::dispatch_all(&e.client, &e.store).await.unwrap();
    assert!(e.sb.requests().is_empty());
    entries_of(e, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_contact_upserted_with_a_lost_answer_is_created_once_where_duplicates_are_allowed() {
    let e = env(Seed::Empty).await;
    e.sb.set_allow_duplicate_contact(true);
    let id = propose(
        &e,
        None,
        ContactOp::Upsert,
        vec![
            field("firstName", "Noa"),
            field("email", "noa@example.com"),
            field("phone", "+15550100077"),
        ],
    );
    let j = upsert_with_a_lost_answer(&e, id).await;
    assert_eq!(e.sb.contacts_with_email("noa@example.com"), 1);
    assert_eq!(e.sb.contacts_with_phone("+15550100077"), 1);
    assert_eq!(e.sb.contact_count(), 1);
    let created = e.store.outbox_info(id).unwrap().contact_id.unwrap();
    assert_eq!(e.sb.contact(&created).unwrap()["firstName"], "Noa");
    let last = j.last().unwrap();
    assert_eq!(last.request, "POST /contacts/upsert");
    assert!(
        j.iter()
            .any(|x| x.request == "POST /contacts/upsert" && x.status.is_none()),
        "the lost answer is journaled: {j:?}"
    );
    assert_eq!(last.status, Some(200), "{j:?}");
    assert!(last.outcome.contains(&created), "{}", last.outcome);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_contact_upserted_with_a_lost_answer_is_updated_not_duplicated() {
    let e = env(Seed::Empty).await;
    e.sb.set_allow_duplicate_contact(true);
    const ANN: &str = "upsAnnExisting000001";
    e.sb.insert_contact(
        json!({"id": ANN, "firstName": "Ann", "email": "ann@example.com",
                               "phone": "+15550100001"}),
    );
    sync::pull_contacts(&e.client, &e.store, true, |_| {})
        .await
        .unwrap();
    let id = propose(
        &e,
        None,
        ContactOp::Upsert,
        vec![
            field("email", "ann@example.com"),
            field("phone", "+15550100001"),
            field("city", "חיפה"),
        ],
    );
    let j = upsert_with_a_lost_answer(&e, id).await;
    assert_eq!(e.sb.contacts_with_email("ann@example.com"), 1);
    assert_eq!(e.sb.contact_count(), 1);
    let doc = e.sb.contact(ANN).unwrap();
    assert_eq!(doc["city"], "חיפה");
    assert_eq!(doc["firstName"], "Ann");
    assert_eq!(
        e.store.outbox_info(id).unwrap().contact_id.as_deref(),
        Some(ANN)
    );
    let last = j.last().unwrap();
    assert_eq!(last.status, Some(200), "{j:?}");
    assert!(last.outcome.contains(ANN), "{}", last.outcome);
}
