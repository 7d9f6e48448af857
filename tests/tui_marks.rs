//! Multi-select in the contacts pane (marks), the bulk question, and the business filter:
//! snapshots at 80x24 and 120x40 with Hebrew, emoji and hostile names, and the rules (marks
//! are ids and survive re-sort, filter and reload; which contacts a bulk action takes).

use crate::tui_support::*;
use bmby_ghl::domain::{ChangeState, ContactOp, Named, Subject};
use bmby_ghl::sync::{Job, SyncEvent};
use bmby_ghl::tui::{Driver, Theme};

fn snap(d: &mut Driver, w: u16, h: u16) -> String {
    let t = d.render(w, h);
    assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

/// Ids in the fixture's name order.
const AARON: &str = "c00aaron000000000001";
const DANA: &str = "c00dana0000000000003";
const EVE: &str = "c00eve00000000000004";
const ZOE: &str = "c00zoe00000000000008";
const YOSSI: &str = "c00yossi000000000005";
const NOA: &str = "c00noa00000000000010";

/// Marks Eve (escape sequences in her name), Zoe (emoji) and יוסי (Hebrew).
fn mark_three(d: &mut Driver) {
    // Aaron, abc(bidi)fed, Bartholomew…, Dana, Eve, Noa, Zoe, יוסי, מיכל, 王小明.
    d.keys("g j j j j space");
    assert_eq!(d.app.selected_row().unwrap().id, NOA, "space moves on");
    d.keys("j space space");
    assert_eq!(d.app.marks.len(), 3);
    for id in [EVE, ZOE, YOSSI] {
        assert!(d.app.marks.contains(id), "{id} marked");
    }
}

fn tags(add: bool, t: &str) -> ContactOp {
    ContactOp::BulkTags {
        add,
        tags: vec![t.into()],
        contact_ids: Vec::new(),
    }
}

#[test]
fn three_marked_80x24_and_120x40() {
    let (_dir, mut d) = driver();
    mark_three(&mut d);
    let s = snap(&mut d, 80, 24);
    assert!(s.contains("3 marked"), "{s}");
    assert!(s.contains(" *Eve Evil"), "{s}");
    insta::assert_snapshot!("three_marked_80x24", s);
    let s = snap(&mut d, 120, 40);
    assert!(s.contains(">*יוסי") || s.contains(" *יוסי"), "{s}");
    insta::assert_snapshot!("three_marked_120x40", s);
}

#[test]
fn no_marks_draw_as_before() {
    let (_dir, mut d) = driver();
    let before = snap(&mut d, 80, 24);
    d.keys("space k");
    assert_eq!(d.app.marks.len(), 1);
    d.keys("space k");
    assert!(d.app.marks.is_empty(), "space again unmarks");
    assert_eq!(snap(&mut d, 80, 24).lines().nth(3), before.lines().nth(3));
    assert!(!snap(&mut d, 80, 24).contains('*'));
}

#[test]
fn marks_survive_resort_filter_and_reload() {
    let (_dir, mut d) = driver();
    mark_three(&mut d);
    // Re-sort: the same contacts stay marked.
    d.keys("s");
    assert_eq!(d.app.sort.label(), "updated");
    for id in [EVE, ZOE, YOSSI] {
        assert!(d.app.marks.contains(id));
    }
    let marked_rows = (0..d.app.view.len())
        .filter(|&i| d.app.marks.contains(d.app.view.row(i).unwrap().id))
        .count();
    assert_eq!(marked_rows, 3);
    // A filter hides two of them; they stay marked and come back marked.
    d.keys("/");
    d.type_text("zoe");
    d.keys("enter");
    assert_eq!(d.app.view.len(), 1);
    assert_eq!(d.app.marks.len(), 3);
    d.keys("/ ctrl-u enter");
    assert_eq!(d.app.view.len(), 10);
    assert_eq!(d.app.marks.len(), 3);
    // A reload where Eve is gone: she is unmarked, the others stay.
    d.app.store().remove_contact(EVE).unwrap();
    d.event(SyncEvent::ContactsChanged {
        ids: vec![EVE.into()],
    });
    assert_eq!(d.app.marks.len(), 2);
    assert!(!d.app.marks.contains(EVE));
    assert!(d.app.marks.contains(ZOE) && d.app.marks.contains(YOSSI));
}

#[test]
fn v_marks_every_contact_shown_and_again_unmarks_them() {
    let (_dir, mut d) = driver();
    d.keys("/");
    d.type_text("example.co");
    d.keys("enter");
    let shown = d.app.shown_ids();
    assert!(shown.len() >= 2 && shown.len() < 10, "{shown:?}");
    d.keys("v");
    assert_eq!(d.app.marks.len(), shown.len());
    assert!(shown.iter().all(|id| d.app.marks.contains(id)));
    assert!(d.app.status.info.as_deref().unwrap().contains("marked"));
    d.keys("v");
    assert!(d.app.marks.is_empty());
    d.keys("v V");
    assert!(d.app.marks.is_empty(), "V clears every mark");
}

#[test]
fn esc_clears_marks_before_the_filter() {
    let (_dir, mut d) = driver();
    d.keys("/");
    d.type_text("dana");
    d.keys("enter space");
    assert_eq!(d.app.marks.len(), 1);
    d.keys("esc");
    assert!(d.app.marks.is_empty());
    assert_eq!(
        d.app.filter.query, "dana",
        "the first esc only clears the marks"
    );
    d.keys("esc");
    assert!(d.app.filter.query.is_empty());
}

#[test]
fn bulk_targets_marks_then_filter_then_selection() {
    let (_dir, mut d) = driver();
    // Nothing marked, no filter: the selected contact.
    let (ids, names) = d.app.bulk_targets();
    assert_eq!(ids, vec![AARON.to_owned()]);
    assert_eq!(names, vec!["Aaron Avraham".to_owned()]);
    // A filter: every contact shown.
    d.keys("/");
    d.type_text("example.co");
    d.keys("enter");
    let (ids, _) = d.app.bulk_targets();
    assert_eq!(ids, d.app.shown_ids());
    // Marks win over the filter, even those it hides.
    d.keys("esc");
    mark_three(&mut d);
    d.keys("/");
    d.type_text("dana");
    d.keys("enter");
    let (mut ids, names) = d.app.bulk_targets();
    ids.sort();
    let mut want = vec![EVE.to_owned(), ZOE.to_owned(), YOSSI.to_owned()];
    want.sort();
    assert_eq!(ids, want);
    // Names are sanitized, in list order.
    assert_eq!(names.len(), 3);
    assert!(names[0].starts_with("Eve") && !names[0].contains('\u{1b}'));
    assert!(names[2].contains("יוסי"));
}

#[test]
fn sample_is_three_names_and_how_many_more() {
    let (_dir, mut d) = driver();
    d.keys("v");
    let (ids, names) = d.app.bulk_targets();
    assert_eq!(ids.len(), 10);
    assert_eq!(names.len(), 4, "{names:?}");
    assert_eq!(names[3], "and 7 more");
    for n in &names {
        assert!(!n.chars().any(bmby_ghl::sanitize::is_forbidden), "{n:?}");
    }
}

#[test]
fn bulk_question_then_yes_proposes_one_change_and_clears_marks() {
    let (_dir, mut d) = driver();
    mark_three(&mut d);
    let fx = d.app.propose_bulk(tags(true, "vip"));
    d.run(fx);
    let q = d.app.bulk_confirm.as_ref().expect("asks first");
    assert!(
        q.question.starts_with("Add tag vip to 3 contacts?"),
        "{}",
        q.question
    );
    let s = snap(&mut d, 80, 24);
    assert!(s.contains("Add tag vip to 3 contacts?"), "{s}");
    assert!(s.contains("יוסי"), "{s}");
    insta::assert_snapshot!("bulk_confirm_80x24", s);
    insta::assert_snapshot!("bulk_confirm_120x40", snap(&mut d, 120, 40));
    // A stray key neither proposes nor closes the question.
    d.keys("j");
    assert!(d.app.bulk_confirm.is_some());
    assert!(d.app.store().changes().unwrap().is_empty());
    d.keys("y");
    assert!(d.app.bulk_confirm.is_none());
    let all = d.app.store().changes().unwrap();
    assert_eq!(all.len(), 1);
    let c = &all[0];
    assert_eq!(c.state, ChangeState::Pending);
    match &c.subject {
        Subject::Op(ContactOp::BulkTags {
            add: true,
            tags,
            contact_ids,
        }) => {
            assert_eq!(tags, &vec!["vip".to_owned()]);
            let mut got = contact_ids.clone();
            got.sort();
            let mut want = vec![EVE.to_owned(), ZOE.to_owned(), YOSSI.to_owned()];
            want.sort();
            assert_eq!(got, want);
        }
        other => panic!("{other:?}"),
    }
    assert!(d.app.marks.is_empty(), "marks cleared after proposing");
    assert_eq!(
        d.app.status.info.as_deref(),
        Some("proposed: tag 3 contacts: vip (pending; c to review)")
    );
    assert_eq!(d.app.changes.counts.pending, 1);
}

#[test]
fn bulk_question_no_cancels_and_keeps_marks() {
    let (_dir, mut d) = driver();
    mark_three(&mut d);
    let fx = d.app.propose_bulk(ContactOp::Business {
        business: Some(Named {
            id: "b1".into(),
            name: "Acme".into(),
        }),
        contact_ids: Vec::new(),
    });
    d.run(fx);
    assert!(
        d.app.bulk_confirm.as_ref().unwrap().question == "Associate 3 contacts with business Acme?"
    );
    d.keys("n");
    assert!(d.app.bulk_confirm.is_none());
    assert!(d.app.store().changes().unwrap().is_empty());
    assert_eq!(d.app.marks.len(), 3);
}

#[test]
fn bulk_refused_read_only_and_for_single_contact_ops() {
    let (_dir, mut d) = driver();
    d.app.read_only = Some("the token has no contacts.write".into());
    let fx = d.app.propose_bulk(tags(true, "vip"));
    d.run(fx);
    assert!(d.app.bulk_confirm.is_none());
    assert!(d
        .app
        .status
        .error
        .as_deref()
        .unwrap()
        .contains("contacts.write"));
    d.app.read_only = None;
    let fx = d.app.propose_bulk(ContactOp::CampaignRemoveAll);
    d.run(fx);
    assert!(d.app.bulk_confirm.is_none());
}

fn online_driver() -> (tempfile::TempDir, Driver) {
    let (dir, s) = store();
    let mut o = options(Theme::colored());
    o.online = true;
    (dir, Driver::new(s, o))
}

fn acme() -> Named {
    Named {
        id: "biz_acme".into(),
        name: "Acme \u{1b}[31mRealty".into(),
    }
}

#[test]
fn business_filter_online_80x24_and_120x40() {
    let (_dir, mut d) = online_driver();
    let fx = d.app.filter_by_business(acme());
    d.run(fx);
    assert!(d.jobs.iter().any(|j| matches!(
        j,
        Job::FetchBusinessContacts { business_id } if business_id == "biz_acme"
    )));
    assert_eq!(d.app.view.len(), 0, "nothing shown until GHL answers");
    // An answer for another business is dropped.
    d.event(SyncEvent::BusinessContacts {
        business_id: "other".into(),
        contact_ids: Ok(vec![AARON.into()]),
    });
    assert_eq!(d.app.view.len(), 0);
    d.event(SyncEvent::BusinessContacts {
        business_id: "biz_acme".into(),
        contact_ids: Ok(vec![DANA.into(), YOSSI.into(), "not_cached".into()]),
    });
    let mut shown = d.app.shown_ids();
    shown.sort();
    assert_eq!(shown, vec![DANA.to_owned(), YOSSI.to_owned()]);
    let s = snap(&mut d, 80, 24);
    assert!(s.contains("business: Acme Realty (3)"), "{s}");
    insta::assert_snapshot!("business_80x24", s);
    insta::assert_snapshot!("business_120x40", snap(&mut d, 120, 40));
    // A text filter narrows within the business.
    d.keys("/");
    d.type_text("dana");
    d.keys("enter");
    assert_eq!(d.app.shown_ids(), vec![DANA.to_owned()]);
    // bulk targets: the filtered contacts.
    assert_eq!(d.app.bulk_targets().0, vec![DANA.to_owned()]);
    d.keys("esc");
    assert_eq!(d.app.view.len(), 2, "esc clears the text first");
    d.keys("esc");
    assert!(d.app.business.is_none());
    assert_eq!(d.app.view.len(), 10);
}

#[test]
fn business_filter_error_clears_it_and_says_why() {
    let (_dir, mut d) = online_driver();
    let fx = d.app.filter_by_business(acme());
    d.run(fx);
    d.event(SyncEvent::BusinessContacts {
        business_id: "biz_acme".into(),
        contact_ids: Err("401: not authorized for this scope (businesses.readonly)".into()),
    });
    assert!(d.app.business.is_none());
    assert_eq!(d.app.view.len(), 10);
    assert!(d
        .app
        .status
        .error
        .as_deref()
        .unwrap()
        .contains("businesses.readonly"));
}

#[test]
fn business_filter_offline_reads_the_cache_or_says_it_needs_ghl() {
    // The fixture's raw records carry no businessId: the cache cannot tell.
    let (_dir, mut d) = driver();
    let fx = d.app.filter_by_business(acme());
    d.run(fx);
    assert!(d
        .jobs
        .iter()
        .all(|j| !matches!(j, Job::FetchBusinessContacts { .. })));
    assert!(d.app.business.is_none());
    assert_eq!(
        d.app.status.error.as_deref(),
        Some("offline: business filter needs GHL")
    );
    // Raw records with a businessId: filtered from the cache.
    let (_dir2, s) = store();
    let mut cs = contacts();
    for c in cs.iter_mut() {
        let b = if c.id == NOA || c.id == DANA {
            "\"biz_acme\""
        } else {
            "null"
        };
        c.raw_json = format!(r#"{{"id":"{}","businessId":{b}}}"#, c.id);
    }
    s.put_contacts(&cs).unwrap();
    let mut d = Driver::new(s, options(Theme::colored()));
    let fx = d.app.filter_by_business(acme());
    d.run(fx);
    let mut shown = d.app.shown_ids();
    shown.sort();
    assert_eq!(shown, vec![DANA.to_owned(), NOA.to_owned()]);
}

/// The fixture and 60 contacts named Anthony (a fuzzy filter that matches many).
fn anthonys() -> (tempfile::TempDir, Driver) {
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
    (dir, Driver::new(s, options(Theme::colored())))
}

#[test]
fn bulk_question_says_where_the_contacts_come_from() {
    let (_dir, mut d) = driver();
    // The selected contact.
    let fx = d.app.propose_bulk(tags(true, "vip"));
    d.run(fx);
    assert_eq!(
        d.app.bulk_confirm.as_ref().unwrap().source,
        "the selected contact"
    );
    d.keys("n");
    // Marks.
    mark_three(&mut d);
    let fx = d.app.propose_bulk(tags(true, "vip"));
    d.run(fx);
    assert_eq!(
        d.app.bulk_confirm.as_ref().unwrap().source,
        "3 marked contacts"
    );
    let s = snap(&mut d, 80, 24);
    assert!(s.contains("To 3 marked contacts:"), "{s}");
    d.keys("n esc");
    assert!(d.app.marks.is_empty());
    // The filter, through the command line as a person types it.
    d.keys("/");
    d.type_text("example.co");
    d.keys("enter");
    let n = d.app.shown_ids().len();
    assert!(n > 1);
    d.keys(":");
    d.type_text("tag add vip");
    d.keys("enter");
    let q = d.app.bulk_confirm.as_ref().expect("asks first");
    assert_eq!(
        q.source,
        format!("every contact of the filter \"example.co\" ({n})")
    );
}

#[test]
fn bulk_question_from_a_filter_lists_many_names_80x24() {
    let (_dir, mut d) = anthonys();
    d.keys("/");
    d.type_text("anthony");
    d.keys("enter");
    assert_eq!(d.app.shown_ids().len(), 60);
    d.keys(":");
    d.type_text("tag add vip");
    d.keys("enter");
    let q = d.app.bulk_confirm.as_ref().expect("asks first");
    assert_eq!(q.source, "every contact of the filter \"anthony\" (60)");
    assert_eq!(q.names.len(), 60);
    let s = snap(&mut d, 80, 24);
    assert!(
        s.contains("To every contact of the filter \"anthony\" (60):"),
        "{s}"
    );
    // At least the first 8 names in the box (", "-separated, unlike the list behind it),
    // then how many more.
    let more: usize = s
        .split(" more")
        .next()
        .and_then(|r| r.rsplit("and ").next())
        .and_then(|n| n.parse().ok())
        .expect("and N more");
    let shown = 60 - more;
    assert!(shown >= 8, "{shown} names shown:\n{s}");
    for i in 1..shown {
        assert!(s.contains(&format!("Anthony Taylor{i:02},")), "{i}:\n{s}");
    }
    insta::assert_snapshot!("bulk_confirm_filter_80x24", s);
    // A taller screen shows them all.
    let s = snap(&mut d, 120, 60);
    for i in 1..60 {
        assert!(s.contains(&format!("Anthony Taylor{i:02},")), "{i}:\n{s}");
    }
    assert!(s.contains("Anthony Taylor60"), "{s}");
    assert!(!s.contains("more"), "{s}");
}

#[test]
fn name_lines_fit_the_lines_and_count_the_rest() {
    use bmby_ghl::tui::bulk::name_lines;
    let names: Vec<String> = (1..=30).map(|i| format!("Name {i:02}")).collect();
    // Width 20: two names a line ("Name 01, Name 02,").
    let l = name_lines(&names, 20, 3);
    assert_eq!(
        l,
        vec!["Name 01, Name 02,", "Name 03, Name 04", "and 26 more"]
    );
    // Everything fits: no "more" line.
    let l = name_lines(&names[..4], 20, 2);
    assert_eq!(l, vec!["Name 01, Name 02,", "Name 03, Name 04"]);
    // One line: only the count.
    assert_eq!(name_lines(&names, 20, 1), vec!["and 30 more"]);
    // A name wider than a line is cut, never wider than the line.
    let long = vec!["x".repeat(50), "y".into()];
    for line in name_lines(&long, 20, 5) {
        assert!(bmby_ghl::tui::text::width(&line) <= 20, "{line}");
    }
}

/// At 80 columns a long count and the marks do not fit beside the sort: the sort goes, the
/// marks count stays whole.
#[test]
fn title_keeps_the_marks_count_whole_at_80x24() {
    let (_dir, mut d) = anthonys();
    d.keys("/");
    d.type_text("anthony");
    d.keys("enter v");
    assert_eq!(d.app.marks.len(), 60);
    let s = snap(&mut d, 80, 24);
    let top = s.lines().next().unwrap();
    assert!(top.contains("60 marked"), "{top}");
    // Without marks the sort is shown as before.
    let (_dir, mut d) = driver();
    let s = snap(&mut d, 80, 24);
    assert!(s.lines().next().unwrap().contains("by name"), "{s}");
}

/// An operation on one contact never takes the selected row while contacts are marked (after
/// marking, the selected row is the next, unmarked contact): it is refused, saying why, and the
/// marks stay. An empty tag is refused before any question is asked.
#[test]
fn single_contact_operations_refuse_while_contacts_are_marked_and_empty_tags_ask_nothing() {
    let (_dir, mut d) = driver();
    bmby_ghl::sync::ops::put_list(
        d.app.store(),
        bmby_ghl::sync::ops::ListKind::Workflows,
        &[Named {
            id: "w1".into(),
            name: "Nurture".into(),
        }],
    )
    .unwrap();
    mark_three(&mut d);
    d.keys(":");
    d.type_text("workflow add Nurture");
    d.keys("enter");
    let err = d.app.status.error.clone().unwrap_or_default();
    assert!(err.contains("works on one contact"), "{err}");
    assert!(err.contains("3 contacts are marked"), "{err}");
    assert_eq!(d.app.marks.len(), 3, "the marks stay");
    assert!(
        d.app.store().changes().unwrap().is_empty(),
        "nothing proposed"
    );

    d.keys(":");
    d.type_text("tag add \"\"");
    d.keys("enter");
    assert!(
        d.app.bulk_confirm.is_none(),
        "no question about an empty tag"
    );
    let err = d.app.status.error.clone().unwrap_or_default();
    assert!(err.contains("at least one tag"), "{err}");
    assert_eq!(d.app.marks.len(), 3);
    assert!(d.app.store().changes().unwrap().is_empty());
}
