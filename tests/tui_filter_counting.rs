//! A first screenful, then the exact count (issue #14): the list shows the first matches with
//! "counting…" in its title until the whole list arrives, which keeps the selection; the
//! matcher thread sends the two results in that order for a list large enough to be indexed.

use std::sync::Arc;

use crate::tui_support::*;
use bmby_ghl::domain::ContactRow;
use bmby_ghl::tui::filter::{FilterMsg, FilterResult, ListSource, Matcher};

fn snap(d: &mut bmby_ghl::tui::Driver, w: u16, h: u16) -> String {
    let t = d.render(w, h);
    assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

fn ids(d: &bmby_ghl::tui::Driver) -> Vec<String> {
    (0..d.app.view.len())
        .map(|i| d.app.view.row(i).unwrap().id.to_owned())
        .collect()
}

#[test]
fn a_first_screenful_says_counting_until_the_whole_list_arrives_80x24_and_160x48() {
    let (_dir, mut d) = driver();
    d.hold_filter = true;
    d.keys("/");
    d.type_text("a");
    let whole: FilterResult = d.held.pop().expect("the query's result");
    assert!(whole.complete);
    assert!(
        whole.indices.len() >= 4,
        "the fixture has several matches of a"
    );
    let first = FilterResult {
        indices: Arc::new(whole.indices[..3].to_vec()),
        complete: false,
        ..whole.clone()
    };
    assert!(d.app.handle_filter_result(first));
    assert!(d.app.filter.counting);
    let s = snap(&mut d, 80, 24);
    let total = d.app.source.rows.len();
    assert!(
        s.contains(&format!("Contacts 3+/{total} (counting…)")),
        "{s}"
    );
    insta::assert_snapshot!("counting_80x24", s);
    insta::assert_snapshot!("counting_160x48", snap(&mut d, 160, 48));
    // The person moves down the first screenful; the whole list keeps that row selected.
    d.keys("enter");
    d.keys("j");
    let chosen = d.app.selected_row().unwrap().id.to_owned();
    assert_eq!(chosen, ids(&d)[1]);
    assert!(d.app.handle_filter_result(whole.clone()));
    assert!(!d.app.filter.counting);
    assert_eq!(d.app.selected_row().unwrap().id, chosen);
    assert_eq!(ids(&d).len(), whole.indices.len());
    let s = snap(&mut d, 80, 24);
    assert!(!s.contains("counting"), "{s}");
    assert!(
        s.contains(&format!("Contacts {}/{total}", whole.indices.len())),
        "{s}"
    );
}

fn big_source(n: usize) -> Arc<ListSource> {
    let names = ["Dana Levi", "Avi Cohen", "יוסי כהן", "Noa Adams", "王小明"];
    let rows: Vec<ContactRow> = (0..n)
        .map(|i| ContactRow {
            id: format!("big{i:017}"),
            name: names[i % names.len()].into(),
            email: format!("user{i}@example.com"),
            phone: format!("+9725{:08}", i * 7919 % 100_000_000),
            ..Default::default()
        })
        .collect();
    Arc::new(ListSource {
        version: 1,
        order: (0..n as u32).rev().collect(),
        rows: Arc::new(rows.into()),
    })
}

/// Through the matcher thread, on a list large enough to be indexed: once the index answers,
/// a query with many matches gets its first screenful, then the whole list (the scan's).
#[test]
fn the_matcher_thread_sends_the_first_screenful_then_the_whole_list() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let h = bmby_ghl::tui::filter::spawn(tx);
    let src = big_source(24_000);
    h.send(FilterMsg::Source(src.clone()));
    // Ask until the index (built on its own thread) answers.
    let mut generation = 0;
    loop {
        generation += 1;
        h.send(FilterMsg::Query {
            generation,
            query: "zzzz".into(),
        });
        let r = rx.blocking_recv().unwrap();
        assert_eq!(r.generation, generation);
        if r.indexed {
            break;
        }
    }
    generation += 1;
    h.send(FilterMsg::Query {
        generation,
        query: "a".into(),
    });
    let first = rx.blocking_recv().unwrap();
    let whole = rx.blocking_recv().unwrap();
    assert_eq!(
        (first.generation, whole.generation),
        (generation, generation)
    );
    assert!(!first.complete && whole.complete && first.indexed && whole.indexed);
    assert_eq!(first.indices.len(), 200);
    let mut m = Matcher::new();
    m.set_source(src);
    let scan = m.query_full("a").unwrap();
    assert!(scan.len() > 20_000);
    assert_eq!(*whole.indices, scan);
    assert_eq!(first.indices[..], scan[..200]);
}
