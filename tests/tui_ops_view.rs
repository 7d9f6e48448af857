//! Operation changes (`Subject::Op`) on the changes screen: the list's badge and name, the
//! diff pane's section (a workflow add on one contact, bulk tags on three), approve and the
//! send question, and the journal lines of an operation's write.

use crate::tui_support::*;
use bmby_ghl::domain::{ChangeKind, ChangeState, ContactOp, JournalEntry, Named, Subject, Target};
use bmby_ghl::sync::ops::{propose, Proposal};
use bmby_ghl::tui::changes::op_view;
use bmby_ghl::tui::{Driver, Screen, Theme};

const DANA: &str = "c00dana0000000000003";
const EVE: &str = "c00eve00000000000004";
const ZOE: &str = "c00zoe00000000000008";
const YOSSI: &str = "c00yossi000000000005";

fn nurture() -> Named {
    Named {
        id: "wf_nurture_01".into(),
        name: "Nurture \u{202e}2025".into(),
    }
}

/// A store with two pending operations: #1 adds Dana to a workflow, #2 tags three contacts.
fn driver() -> (tempfile::TempDir, Driver) {
    let (dir, s) = store();
    propose(
        &s,
        Proposal {
            contact_id: Some(DANA.into()),
            display_name: "Dana Levi".into(),
            op: ContactOp::WorkflowAdd {
                workflow: nurture(),
                event_start_time: Some("2099-01-05T08:00:00Z".into()),
            },
            fields: Vec::new(),
            base_date_updated: None,
        },
    )
    .unwrap();
    propose(
        &s,
        Proposal {
            contact_id: None,
            display_name: "Eve\u{1b}]0;x\u{7} Evil, Zoe 👩‍💻 Emoji 🎉 +1".into(),
            op: ContactOp::BulkTags {
                add: true,
                tags: vec!["vip".into(), "קונה".into()],
                contact_ids: vec![EVE.into(), ZOE.into(), YOSSI.into()],
            },
            fields: Vec::new(),
            base_date_updated: None,
        },
    )
    .unwrap();
    let mut d = Driver::new(s, options(Theme::colored()));
    d.keys("c");
    assert_eq!(d.app.screen, Screen::Changes);
    (dir, d)
}

fn snap(d: &mut Driver, w: u16, h: u16) -> String {
    let t = d.render(w, h);
    assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

fn plain(d: &mut Driver, w: u16, h: u16) -> String {
    let b = d.buffer(w, h);
    assert_clean(&b);
    text_lines(&b).join("\n")
}

#[test]
fn workflow_add_diff_80x24_and_120x40() {
    let (_dir, mut d) = driver();
    let s = plain(&mut d, 120, 40);
    assert!(s.contains("+ workflow"), "{s}");
    assert!(s.contains("add to workflow Nurture 2025"), "{s}");
    assert!(s.contains("Workflow") && s.contains("wf_nurture_01"), "{s}");
    assert!(
        s.contains("2099-01-05 10:00"),
        "event start in Israel time: {s}"
    );
    assert!(s.contains("Dana Levi (c00dana0000000000003)"), "{s}");
    assert!(!s.contains("No field changes"), "{s}");
    insta::assert_snapshot!("workflow_add_80x24", snap(&mut d, 80, 24));
    insta::assert_snapshot!("workflow_add_120x40", snap(&mut d, 120, 40));
}

#[test]
fn bulk_tags_diff_80x24_and_120x40() {
    let (_dir, mut d) = driver();
    d.keys("j");
    let s = plain(&mut d, 120, 40);
    assert!(s.contains("+ tags"), "{s}");
    assert!(s.contains("tag 3 contacts: vip, קונה"), "{s}");
    assert!(s.contains("3 contacts"), "{s}");
    assert!(
        s.contains(EVE) && s.contains(ZOE) && s.contains(YOSSI),
        "{s}"
    );
    insta::assert_snapshot!("bulk_tags_80x24", snap(&mut d, 80, 24));
    insta::assert_snapshot!("bulk_tags_120x40", snap(&mut d, 120, 40));
}

#[test]
fn operations_approve_and_the_send_question_counts_them() {
    let (_dir, mut d) = driver();
    d.keys("a j a");
    let all = d.app.store().changes().unwrap();
    assert!(
        all.iter().all(|c| c.state == ChangeState::Approved),
        "{all:?}"
    );
    d.app.online = true;
    d.keys("S");
    let plan = d
        .app
        .changes
        .send_confirm
        .clone()
        .expect("asks before sending");
    assert_eq!(plan.ops, 2);
    assert_eq!(plan.bulk, vec![3]);
    let q = bmby_ghl::tui::changes::confirm::send_question(&plan);
    assert!(
        q.contains("2 operations (one of them on 3 contacts)"),
        "{q}"
    );
    assert!(!q.contains("task/note"), "{q}");
}

#[test]
fn the_list_filter_finds_operations_by_what_they_do() {
    let (_dir, mut d) = driver();
    d.keys("/");
    d.type_text("workflow");
    d.keys("enter");
    assert_eq!(d.app.changes.view.len(), 1);
    assert_eq!(d.app.changes.selected_change().unwrap().id, 1);
}

fn entry(subject: Subject, contact_id: Option<&str>, name: &str) -> JournalEntry {
    JournalEntry {
        seq: 4,
        change_id: 1,
        request: "POST /contacts/c00dana0000000000003/workflow/wf_nurture_01".into(),
        fields_sent: vec![],
        status: Some(200),
        trace_id: Some("tr-1".into()),
        outcome: "applied".into(),
        at: "2025-01-01T10:00:00Z".into(),
        contact_id: contact_id.map(Into::into),
        contact_name: name.into(),
        kind: Some(ChangeKind::Update),
        subject,
        subject_name: None,
        target: Target::Ghl,
        values: vec![],
        snapshot: None,
        date_updated_after: None,
    }
}

#[test]
fn journal_lines_of_operations_say_what_and_on_whom() {
    let e = entry(
        Subject::Op(ContactOp::WorkflowAdd {
            workflow: nurture(),
            event_start_time: None,
        }),
        Some(DANA),
        "Dana Levi",
    );
    let l = op_view::entry_lines(&e);
    assert!(l[0].contains("POST /contacts/c00dana0000000000003/workflow/wf_nurture_01"));
    assert_eq!(
        l[1],
        "Dana Levi (c00dana0000000000003) · add to workflow Nurture 2025 (wf_nurture_01)"
    );
    let e = entry(
        Subject::Op(ContactOp::BulkTags {
            add: false,
            tags: vec!["vip".into()],
            contact_ids: vec![EVE.into(), ZOE.into()],
        }),
        None,
        "Eve Evil, Zoe",
    );
    let l = op_view::entry_lines(&e);
    assert_eq!(l[1], "untag 2 contacts: vip · Eve Evil, Zoe");
    // Other entries read as the journal writes them.
    let e = entry(Subject::Contact, Some(DANA), "Dana Levi");
    assert_eq!(
        op_view::entry_lines(&e),
        bmby_ghl::sync::journal::entry_lines(&e)
    );
}

#[test]
fn approve_all_question_calls_out_bulk_operations() {
    let (_dir, mut d) = driver();
    d.keys("A");
    let c = d.app.changes.confirm.clone().expect("asks first");
    assert_eq!(c.bulk, vec![3]);
    let q = bmby_ghl::tui::changes::confirm::question(&c);
    assert_eq!(
        q,
        "Approve 2 shown changes? (bulk operation: one of them on 3 contacts)"
    );
    let s = plain(&mut d, 80, 24);
    assert!(s.contains("bulk operation: one of them on 3"), "{s}");
    // Only a bulk one shown: it names its count alone.
    d.keys("n /");
    d.type_text("tag");
    d.keys("enter A");
    let c = d.app.changes.confirm.clone().expect("asks first");
    assert_eq!(
        bmby_ghl::tui::changes::confirm::question(&c),
        "Approve 1 shown change? (bulk operation: on 3 contacts)"
    );
}

#[test]
fn bulk_note_counts_each_bulk_operation() {
    use bmby_ghl::tui::changes::confirm::bulk_note;
    assert_eq!(bulk_note(3, &[]), None);
    assert_eq!(bulk_note(1, &[1]).as_deref(), Some("on 1 contact"));
    assert_eq!(
        bulk_note(3, &[124, 2]).as_deref(),
        Some("2 of them on 124 and 2 contacts")
    );
    assert_eq!(
        bulk_note(4, &[5, 6, 7]).as_deref(),
        Some("3 of them on 5, 6 and 7 contacts")
    );
}

/// A store with one pending bulk tag change on 60 contacts (names known to the list).
fn sixty() -> (tempfile::TempDir, Driver) {
    let (dir, s) = store();
    let many: Vec<_> = (1..=60)
        .map(|i| {
            contact(
                &format!("c00anthony{i:010}"),
                "Anthony",
                &format!("Taylor{i:02}"),
                &format!("anthony{i}@example.com"),
                "",
                &[],
            )
        })
        .collect();
    s.put_contacts(&many).unwrap();
    propose(
        &s,
        Proposal {
            contact_id: None,
            display_name: "Anthony Taylor01, Anthony Taylor02 +58".into(),
            op: ContactOp::BulkTags {
                add: true,
                tags: vec!["vip".into()],
                contact_ids: many.iter().map(|c| c.id.clone()).collect(),
            },
            fields: Vec::new(),
            base_date_updated: None,
        },
    )
    .unwrap();
    let mut d = Driver::new(s, options(Theme::colored()));
    d.keys("c");
    (dir, d)
}

#[test]
fn bulk_diff_lists_every_contact_and_scrolls_80x24() {
    let (_dir, mut d) = sixty();
    let s = plain(&mut d, 80, 24);
    assert!(s.contains("60 contacts"), "{s}");
    assert!(s.contains("Anthony Taylor01 (c00anthony0000000001)"), "{s}");
    assert!(!s.contains("Taylor60"), "does not fit yet: {s}");
    // The diff pane takes the keys; j moves one line, G to the end.
    d.keys("tab");
    d.keys("j");
    assert_eq!(d.app.changes.field, 1);
    d.keys("G");
    let s = plain(&mut d, 80, 24);
    assert!(
        s.contains("Anthony Taylor60 (c00anthony0000000060)"),
        "the last contact can be read: {s}"
    );
    assert!(!s.contains("Taylor01 "), "scrolled past the first: {s}");
    insta::assert_snapshot!("bulk_sixty_end_80x24", snap(&mut d, 80, 24));
    // Every contact is reachable by j alone, one line at a time, in order.
    d.keys("g");
    assert_eq!(d.app.changes.field, 0);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..80 {
        let s = plain(&mut d, 80, 24);
        for i in 1..=60 {
            if s.contains(&format!("Anthony Taylor{i:02} (c00anthony")) {
                seen.insert(i);
            }
        }
        d.keys("j");
    }
    assert_eq!(seen.len(), 60, "{seen:?}");
    // k scrolls back.
    d.keys("k");
    let before = d.app.changes.field;
    d.keys("k");
    assert_eq!(d.app.changes.field, before - 1);
}

/// An applied operation says what was applied (not "the operation of GHL contact ?").
#[test]
fn applied_operations_say_what_was_applied() {
    let (_dir, st) = store();
    let mut c = propose(
        &st,
        Proposal {
            contact_id: None,
            display_name: "Eve Evil, Zoe +1".into(),
            op: ContactOp::BulkTags {
                add: true,
                tags: vec!["vip".into()],
                contact_ids: vec![EVE.into(), ZOE.into(), YOSSI.into()],
            },
            fields: Vec::new(),
            base_date_updated: None,
        },
    )
    .unwrap();
    c.state = ChangeState::Applied;
    st.put_change(&c).unwrap();
    let mut d = Driver::new(st, options(Theme::colored()));
    d.keys("c");
    // Cycle the state filter to the applied changes.
    let mut s = plain(&mut d, 120, 40);
    for _ in 0..6 {
        if s.contains("Changes · applied") {
            break;
        }
        d.keys("s");
        s = plain(&mut d, 120, 40);
    }
    assert!(s.contains("● Applied: tag 3 contacts: vip"), "{s}");
    assert!(!s.contains("GHL contact ?"), "{s}");
}
