//! What changed in GHL lately, in the TUI (issue #11, item 6): the Updated column of the wide
//! contacts list, and `U` / `:recent` — the contacts GHL changed since this session opened (or a
//! time typed), newest first, with what changed where the pulls recorded it; enter selects
//! the contact, esc closes. Snapshots at 80x24 and 160x48 with Hebrew, wide and hostile text.
//! The session opens at the fixture's fixed clock (2025-01-01 14:00 Israel time).

use crate::tui_support::*;
use bmby_ghl::domain::{Contact, Named, RecentChange, RecentField};
use bmby_ghl::store::Store;
use bmby_ghl::sync::ops::{put_list, ListKind};
use bmby_ghl::sync::SyncEvent;
use bmby_ghl::tui::layer::Layer;
use bmby_ghl::tui::{Driver, Pane, Screen, Theme};

const DANA: &str = "c00dana0000000000003";
const EVE: &str = "c00eve00000000000004";
const YOSSI: &str = "c00yossi000000000005";
const WANG: &str = "c00wang0000000000007";
const NEW: &str = "c00ronit00000000000a";

fn snap(d: &mut Driver, w: u16, h: u16) -> String {
    let t = d.render(w, h);
    assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

fn field(f: &str, label: &str, before: Option<&str>, after: Option<&str>) -> RecentField {
    RecentField {
        field: f.into(),
        label: label.into(),
        before: before.map(str::to_owned),
        after: after.map(str::to_owned),
        ..Default::default()
    }
}

fn cached(store: &Store, id: &str) -> Contact {
    store.contact(id).unwrap().unwrap()
}

/// `id` changed in GHL at `when` (stored with that `dateUpdated`), and a pull recorded
/// `fields` (nothing recorded when `None`).
fn changed(store: &Store, mut c: Contact, when: &str, fields: Option<Vec<RecentField>>) {
    c.date_updated = Some(when.into());
    store.put_contacts(std::slice::from_ref(&c)).unwrap();
    if let Some(fields) = fields {
        store
            .put_recent(
                &[RecentChange {
                    seen_at: when.into(),
                    contact_id: c.id.clone(),
                    name: c.display_name(),
                    date_updated: Some(when.into()),
                    created: false,
                    fields,
                    ..Default::default()
                }],
                NOW.parse().unwrap(),
            )
            .unwrap();
    }
}

/// The fixture after a few GHL changes since the session opened (12:00Z = 14:00 Israel):
/// Dana's email, tags and owner (12:03Z), יוסי's name, custom fields and DND (12:40Z), Eve's
/// hostile values (12:20Z), a new contact (12:30Z), and 王小明 changed with nothing recorded
/// (12:10Z).
fn with_changes() -> (tempfile::TempDir, Store) {
    let (dir, s) = store();
    put_list(
        &s,
        ListKind::Users,
        &[Named {
            id: "userDana000000000001".into(),
            name: "דנה כהן".into(),
        }],
    )
    .unwrap();
    let mut dana = cached(&s, DANA);
    dana.email = Some("dana.levi@example.com".into());
    dana.tags.push("vip".into());
    dana.assigned_to = Some("userDana000000000001".into());
    changed(
        &s,
        dana,
        "2025-01-01T12:03:00.000Z",
        Some(vec![
            field(
                "email",
                "Email",
                Some("dana@example.com"),
                Some("dana.levi@example.com"),
            ),
            field("assignedTo", "Owner", None, Some("userDana000000000001")),
            RecentField {
                field: "tags".into(),
                label: "Tags".into(),
                before: Some("seller".into()),
                after: Some("seller, vip".into()),
                added: vec!["vip".into()],
                removed: vec![],
            },
        ]),
    );
    let mut yossi = cached(&s, YOSSI);
    yossi.last_name = Some("כהן-לוי".into());
    changed(
        &s,
        yossi,
        "2025-01-01T12:40:00.000Z",
        Some(vec![
            field("lastName", "Last name", Some("כהן"), Some("כהן-לוי")),
            field(
                "customFields.cf_budget",
                "Budget (ILS)",
                Some("1500000"),
                Some("2000000"),
            ),
            field(
                "customFields.cf_moved",
                "Moving date",
                None,
                Some("2025-03-01T08:00:00.000Z"),
            ),
            field("dnd.SMS", "DND SMS", Some("inactive"), Some("active")),
        ]),
    );
    // Hostile values: escape sequences and a bidi override, as if the cache had missed them.
    let eve = cached(&s, EVE);
    changed(
        &s,
        eve,
        "2025-01-01T12:20:00.000Z",
        Some(vec![field(
            "city",
            "City",
            Some("Haifa\u{1b}[2J"),
            Some("\u{202e}Eilat\u{7}"),
        )]),
    );
    // Changed in GHL, but no pull saw the earlier values.
    let wang = cached(&s, WANG);
    changed(&s, wang, "2025-01-01T12:10:00.000Z", None);
    // Created in GHL.
    let ronit = contact(
        NEW,
        "רונית",
        "אברהם",
        "ronit@example.co.il",
        "+972509998877",
        &["חדש"],
    );
    changed(&s, ronit.clone(), "2025-01-01T12:30:00.000Z", None);
    s.put_recent(
        &[RecentChange {
            seen_at: "2025-01-01T12:31:00.000Z".into(),
            contact_id: NEW.into(),
            name: ronit.display_name(),
            date_updated: Some("2025-01-01T12:30:00.000Z".into()),
            created: true,
            fields: vec![],
            ..Default::default()
        }],
        NOW.parse().unwrap(),
    )
    .unwrap();
    (dir, s)
}

fn changed_driver() -> (tempfile::TempDir, Driver) {
    let (dir, s) = with_changes();
    (dir, Driver::new(s, options(Theme::colored())))
}

fn listed(d: &Driver) -> Vec<String> {
    d.app
        .recent
        .as_ref()
        .expect("the list is open")
        .items
        .iter()
        .map(|i| i.contact_id.clone())
        .collect()
}

#[test]
fn u_lists_the_changes_since_the_session_opened_newest_first() {
    let (_dir, mut d) = changed_driver();
    d.keys("U");
    assert_eq!(d.app.layer(), Layer::Recent);
    assert_eq!(
        listed(&d),
        [YOSSI, NEW, EVE, WANG, DANA],
        "newest first: 12:40Z, 12:30Z, 12:20Z, 12:10Z, 12:03Z"
    );
    // The fixture's other contacts changed in December, before the session opened.
    let s = snap(&mut d, 80, 24);
    assert!(
        s.contains("14:40 יוסי כהן-לוי — last name כהן → כהן-לוי"),
        "{s}"
    );
    assert!(s.contains("14:30 רונית אברהם — created"), "{s}");
    assert!(s.contains("changed; earlier values not cached"), "{s}");
    assert!(
        s.contains("14:03 Dana Levi — email dana@example.com → dana.levi@ex"),
        "{s}"
    );
    insta::assert_snapshot!("recent_80x24", s);
    // Dana's line in full on the larger screen, the owner by name; her detail below.
    d.keys("G");
    let s = snap(&mut d, 160, 48);
    assert!(
        s.contains(
            "email dana@example.com → dana.levi@example.com, owner (none) → דנה כהן, tags +vip"
        ),
        "{s}"
    );
    assert!(s.contains("Owner       (none) → דנה כהן"), "{s}");
    insta::assert_snapshot!("recent_160x48", s);
}

#[test]
fn the_selected_contacts_detail_wraps_and_hostile_values_stay_inert() {
    let (_dir, mut d) = changed_driver();
    d.keys("U j j");
    assert_eq!(listed(&d)[2], EVE);
    let s = snap(&mut d, 80, 24);
    assert!(s.contains("City        Haifa → Eilat"), "{s}");
    insta::assert_snapshot!("recent_hostile_80x24", s);
    // יוסי: a custom field holding an instant reads in Israel time, DND per channel.
    d.keys("g");
    let s = snap(&mut d, 80, 24);
    assert!(s.contains("Moving date  (none) → 2025-03-01 10:00"), "{s}");
    assert!(s.contains("DND SMS      inactive → active"), "{s}");
}

#[test]
fn nothing_changed_says_since_when_it_looked() {
    let (_dir, mut d) = driver();
    d.keys("U");
    assert!(listed(&d).is_empty());
    let s = snap(&mut d, 80, 24);
    assert!(
        s.contains("No contact changed in GHL since 14:00 Israel time (this session"),
        "{s}"
    );
    insta::assert_snapshot!("recent_empty_80x24", s);
    d.keys("esc");
    assert!(d.app.recent.is_none());
    assert_eq!(d.app.layer(), Layer::Contacts);
}

#[test]
fn enter_selects_the_contact_even_behind_a_filter() {
    let (_dir, mut d) = changed_driver();
    // A filter that hides יוסי.
    d.keys("/");
    d.type_text("dana");
    d.keys("enter");
    assert!((0..d.app.view.len()).all(|i| d.app.view.row(i).unwrap().id != YOSSI));
    d.keys("c");
    assert_eq!(d.app.screen, Screen::Changes);
    d.keys("U");
    assert_eq!(listed(&d)[0], YOSSI);
    d.keys("enter");
    assert!(d.app.recent.is_none());
    assert_eq!(d.app.screen, Screen::Contacts);
    assert_eq!(d.app.focus, Pane::Contacts);
    assert!(d.app.filter.query.is_empty(), "the filter hid it: cleared");
    assert_eq!(d.app.selected_row().unwrap().id, YOSSI);
    assert_eq!(d.app.details.as_ref().unwrap().id, YOSSI);
    assert!(d
        .app
        .status
        .info
        .as_deref()
        .is_some_and(|i| i.contains("filter cleared")));
    // A contact the list shows: selected without touching anything else.
    d.keys("U j j j j enter");
    assert_eq!(d.app.selected_row().unwrap().id, DANA);
}

#[test]
fn recent_command_takes_a_time_and_refuses_what_is_not_one() {
    let (_dir, mut d) = changed_driver();
    d.keys(":");
    d.type_text("recent 30d");
    d.keys("enter");
    let v = d.app.recent.as_ref().expect("opened");
    assert_eq!(v.asked.as_deref(), Some("30d"));
    // Every fixture contact changed in the last 30 days, plus the new one.
    assert_eq!(v.items.len(), 11);
    let times: Vec<_> = v.items.iter().map(|i| i.when().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let s = snap(&mut d, 80, 24);
    assert!(s.contains("since 2024-12-02 14:00 (30d)"), "{s}");
    d.keys("esc :");
    d.type_text("recent yesterday");
    d.keys("enter");
    assert!(d.app.recent.is_none());
    assert!(
        d.app
            .status
            .error
            .as_deref()
            .is_some_and(|e| e.contains("`yesterday` is not a time")),
        "{:?}",
        d.app.status.error
    );
}

#[test]
fn a_pull_that_changes_contacts_refreshes_the_open_list() {
    let (_dir, mut d) = driver();
    d.keys("U");
    assert!(listed(&d).is_empty());
    // The worker pulled a change while the list was open.
    let mut c = cached(d.app.store(), DANA);
    c.first_name = Some("Dana\u{202e}".into());
    changed(
        d.app.store(),
        c,
        "2025-01-01T12:05:00.000Z",
        Some(vec![field(
            "firstName",
            "First name",
            Some("Dana"),
            Some("Dana\u{202e}"),
        )]),
    );
    d.event(SyncEvent::ContactsChanged {
        ids: vec![DANA.into()],
    });
    assert_eq!(listed(&d), [DANA]);
    // U again closes it.
    d.keys("U");
    assert!(d.app.recent.is_none());
}

#[test]
fn updated_column_in_the_wide_layout_only() {
    let (_dir, mut d) = changed_driver();
    // Sorted by last update, newest first: today's times, then December's dates.
    d.keys("s");
    let s = snap(&mut d, 160, 48);
    assert!(s.contains("Updated"), "{s}");
    assert!(s.contains("14:40"), "{s}");
    assert!(s.contains("2024-12-"), "{s}");
    insta::assert_snapshot!("updated_column_160x48", s);
    let header = |s: &str| {
        s.lines()
            .find(|l| l.contains("Name ") && l.contains("Email"))
            .unwrap_or_else(|| panic!("no list header: {s}"))
            .to_owned()
    };
    assert!(header(&s).contains("Updated"), "{s}");
    // 80x24: the list as it always was (the details pane still says when it was updated).
    let s = snap(&mut d, 80, 24);
    assert!(!header(&s).contains("Updated"), "{s}");
    insta::assert_snapshot!("updated_column_absent_80x24", s);
}
