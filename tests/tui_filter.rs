//! The fuzzy filter: narrowing equals a full re-score; stale results are dropped.

use std::sync::Arc;

use crate::tui_support::*;
use bmby_ghl::domain::ContactRow;
use bmby_ghl::tui::filter::{FilterMsg, ListSource, Matcher};

fn rows() -> Vec<ContactRow> {
    let first = [
        "Dana",
        "Daniel",
        "Dan",
        "Adam",
        "יוסי",
        "מיכל",
        "Noa",
        "Danielle",
        "Avi",
        "王小明",
    ];
    let last = [
        "Levi", "Cohen", "כהן", "Mizrahi", "Peretz", "Friedman", "לוי", "Adams",
    ];
    let mut out = Vec::new();
    for i in 0..3000u32 {
        let f = first[(i as usize * 7) % first.len()];
        let l = last[(i as usize * 3) % last.len()];
        out.push(ContactRow {
            id: format!("id{i:05}"),
            name: format!("{f} {l}"),
            email: format!("{}.{}{}@example.com", f.to_lowercase(), i % 97, l.len()),
            phone: format!("+9725{:08}", i * 7919 % 100_000_000),
            tags: if i % 5 == 0 {
                vec!["vip".into(), "buyer".into()]
            } else {
                vec!["seller".into()]
            },
            date_updated: format!("2024-01-{:02}", i % 28 + 1),
            dnd: i % 11 == 0,
            ..Default::default()
        });
    }
    out
}

fn source(rows: Vec<ContactRow>) -> Arc<ListSource> {
    let order: Vec<u32> = (0..rows.len() as u32).rev().collect();
    Arc::new(ListSource {
        version: 1,
        rows: Arc::new(rows.into()),
        order: order.into(),
    })
}

#[test]
fn narrowing_equals_full_rescore() {
    let src = source(rows());
    let mut inc = Matcher::new();
    inc.set_source(src.clone());
    let mut full = Matcher::new();
    full.set_source(src);
    for query in [
        "dan",
        "danlevi",
        "da.1",
        "כהן",
        "יוסי כ",
        "vip b",
        "+97251",
        "adams",
        "dayan levii",
        "levi dan",
        "id0012",
        "tag:vip da",
        "coh\"en",
    ] {
        let mut typed = String::new();
        for c in query.chars() {
            typed.push(c);
            assert_eq!(
                inc.query(&typed),
                full.query_full(&typed),
                "query {typed:?}"
            );
        }
        // Backspace back to nothing, checking each step (uses the cached shorter queries).
        while typed.pop().is_some() {
            assert_eq!(
                inc.query(&typed),
                full.query_full(&typed),
                "query {typed:?}"
            );
        }
    }
}

#[test]
fn matches_are_ranked_and_hebrew_works() {
    let src = source(rows());
    let mut m = Matcher::new();
    m.set_source(src.clone());
    let r = m.query("כהן").unwrap();
    assert!(!r.is_empty());
    for i in &r {
        let row = src.rows.get(*i as usize).unwrap();
        assert!(row.name.contains('כ'), "{row:?}");
    }
    // Case-insensitive.
    assert_eq!(m.query("DANA"), m.query("dana"));
    // Empty query = the source order.
    assert_eq!(m.query("").unwrap(), &*src.order);
}

#[test]
fn stale_generations_are_dropped() {
    let (_dir, mut d) = driver();
    d.hold_filter = true;
    d.keys("/");
    d.type_text("d");
    d.type_text("a");
    assert_eq!(d.held.len(), 2);
    let newest = d.held.pop().unwrap();
    let stale = d.held.pop().unwrap();
    assert!(stale.generation < newest.generation);
    // The newest arrives first, then the stale one: the stale one must not replace it.
    assert!(d.app.handle_filter_result(newest.clone()));
    let shown: Vec<String> = (0..d.app.view.len())
        .map(|i| d.app.view.row(i).unwrap().id.to_owned())
        .collect();
    assert!(!d.app.handle_filter_result(stale), "stale result dropped");
    let after: Vec<String> = (0..d.app.view.len())
        .map(|i| d.app.view.row(i).unwrap().id.to_owned())
        .collect();
    assert_eq!(shown, after);
    assert_eq!(d.app.selected_row().unwrap().name, "Dana Levi");
}

#[test]
fn worker_thread_answers_latest_query() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let h = bmby_ghl::tui::filter::spawn(tx);
    let src = source(rows());
    h.send(FilterMsg::Source(src));
    h.send(FilterMsg::Query {
        generation: 1,
        query: "d".into(),
    });
    h.send(FilterMsg::Query {
        generation: 2,
        query: "da".into(),
    });
    h.send(FilterMsg::Query {
        generation: 3,
        query: "dan".into(),
    });
    let mut last = None;
    while let Some(r) = rx.blocking_recv() {
        let g = r.generation;
        last = Some(r);
        if g == 3 {
            break;
        }
    }
    let r = last.unwrap();
    assert_eq!(r.query, "dan");
    let mut m = Matcher::new();
    m.set_source(r.source.clone());
    assert_eq!(*r.indices, m.query_full("dan").unwrap());
}

#[test]
fn filter_cancel_and_accept() {
    let (_dir, mut d) = driver();
    d.keys("/");
    d.type_text("levi");
    // Only the contact with the word: no fuzzy match across fields.
    assert_eq!(d.app.view.len(), 1);
    d.keys("enter");
    assert!(!d.app.filter.editing);
    assert_eq!(d.app.filter.query, "levi");
    d.keys("j"); // navigation works on the filtered list
    d.keys("esc"); // clears the applied filter
    assert!(d.app.filter.query.is_empty());
    assert_eq!(d.app.view.len(), 10);
    d.keys("/");
    d.type_text("zz");
    d.keys("backspace backspace");
    assert_eq!(d.app.view.len(), 10);
    d.type_text("q"); // typed text, not quit
    assert!(!d.app.should_quit);
    d.keys("esc");
    assert!(!d.app.filter.editing && d.app.filter.query.is_empty());
}

#[test]
fn a_bad_filter_shows_its_error_and_lists_nothing_until_fixed() {
    let (_dir, mut d) = driver();
    d.keys("/");
    d.type_text("tga:vip");
    let e = d.app.filter.error.clone().expect("error shown");
    assert!(e.contains("did you mean tag:"), "{e}");
    assert!(!d.app.filter.pending);
    assert_eq!(
        d.app.view.len(),
        0,
        "a query that cannot be used lists nothing"
    );
    d.keys("backspace backspace backspace backspace backspace backspace backspace");
    d.type_text("tag:vip");
    assert_eq!(d.app.filter.error, None);
    let ids: Vec<&str> = (0..d.app.view.len())
        .map(|i| d.app.view.row(i).unwrap().id)
        .collect();
    assert!(ids.contains(&"c00michal00000000006"), "{ids:?}");
    for i in 0..d.app.view.len() {
        let r = d.app.view.row(i).unwrap();
        assert!(
            r.tags.iter().any(|t| t.eq_ignore_ascii_case("vip")),
            "{r:?}"
        );
    }
}

fn snap(d: &mut bmby_ghl::tui::Driver, w: u16, h: u16) -> String {
    let t = d.render(w, h);
    assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

/// The title names the order actually used (match tier, then the sort), and a bad filter is
/// explained on the filter line: 80x24 and 160x48, Hebrew query.
#[test]
fn search_title_and_filter_error_80x24_and_160x48() {
    let (_dir, mut d) = driver();
    d.keys("/");
    d.type_text("כהן");
    let s = snap(&mut d, 80, 24);
    assert!(s.contains("by match, then name"), "{s}");
    insta::assert_snapshot!("search_hebrew_80x24", s);
    d.type_text(" tga:vip");
    let s = snap(&mut d, 80, 24);
    assert!(s.contains("unknown filter tga:"), "{s}");
    assert!(
        s.contains("did you mean") && s.contains("has: dnd:"),
        "the whole error is in the list: {s}"
    );
    assert_eq!(d.app.view.len(), 0);
    insta::assert_snapshot!("search_error_80x24", s);
    insta::assert_snapshot!("search_error_160x48", snap(&mut d, 160, 48));
}

/// `owner:` and `updated:` resolve against the cached users list and the app's clock from the
/// first keystroke, also for a cache small enough to need no full row load (no list reload
/// has sent the matcher its context yet).
#[test]
fn owner_and_updated_filters_resolve_on_a_small_offline_cache() {
    let (dir, s) = store();
    let mut owned = contact(
        "c00owned000000000099",
        "Owned",
        "ByDana",
        "owned@example.com",
        "",
        &[],
    );
    owned.assigned_to = Some("usrDanaLevi000000001".into());
    owned.date_updated = Some("2024-12-31T10:00:00.000Z".into());
    s.put_contacts(&[owned]).unwrap();
    bmby_ghl::sync::ops::put_list(
        &s,
        bmby_ghl::sync::ops::ListKind::Users,
        &[bmby_ghl::domain::Named {
            id: "usrDanaLevi000000001".into(),
            name: "Dana Levi".into(),
        }],
    )
    .unwrap();
    let mut d = bmby_ghl::tui::Driver::new(s, options(bmby_ghl::tui::Theme::colored()));
    assert!(d.app.rows_complete, "the fixture fits the first read");
    d.keys("/");
    d.type_text("owner:dana");
    assert_eq!(d.app.filter.error, None);
    let ids: Vec<&str> = (0..d.app.view.len())
        .map(|i| d.app.view.row(i).unwrap().id)
        .collect();
    assert_eq!(ids, ["c00owned000000000099"]);
    // The fixed clock (2025-01-01 12:00): updated within the last two days.
    d.keys("esc esc /");
    d.type_text("updated:<2d");
    assert_eq!(d.app.filter.error, None);
    let ids: Vec<&str> = (0..d.app.view.len())
        .map(|i| d.app.view.row(i).unwrap().id)
        .collect();
    assert_eq!(ids, ["c00owned000000000099"]);
    drop(dir);
}
