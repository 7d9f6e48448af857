//! Settling an ambiguous change (`sync::review`): the preview names the candidate and the
//! links the choice moves, the choice moves them and keeps what it replaced, back to pending
//! undoes it (ambiguous again, links back), reading the same Bmby data again keeps the choice;
//! and a withdrawn hand edit stays withdrawn.

use bmby_ghl::domain::{ChangeKind, ChangeState, Contact};
use bmby_ghl::store::Store;
use bmby_ghl::sync::diff::ClientView;
use bmby_ghl::sync::import::{import_clients, ImportOptions};
use bmby_ghl::sync::mapping::Mapping;
use bmby_ghl::sync::review::{self, ReviewError};

fn contact(id: &str, first: &str, email: &str, phone: &str, tags: &[&str]) -> Contact {
    Contact {
        id: id.into(),
        first_name: Some(first.into()),
        email: Some(email.into()),
        phone: Some(phone.into()),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        date_updated: Some("2026-11-01T10:00:00.000Z".into()),
        ..Default::default()
    }
}

/// The default mapping, with Bmby's `status` written as a GHL tag.
fn mapping() -> Mapping {
    let o = [("status".to_owned(), "tag".to_owned())]
        .into_iter()
        .collect();
    Mapping::with_overrides(&o).unwrap()
}

fn view(id: &str, pairs: &[(&str, &str)]) -> ClientView {
    let values: std::collections::BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ClientView {
        client_id: id.into(),
        display_name: values.get("fname").cloned().unwrap_or_default(),
        email: values.get("email").cloned(),
        phones_e164: values.get("phone_mobile").cloned().into_iter().collect(),
        values,
        warnings: vec![],
        origin: format!("test.csv row {id}"),
    }
}

/// Two contacts; client 104 matches A by email and B by phone (ambiguous) and brings the tag
/// `VIP`; a later read links client 102 to B (by email). A contact linked to another client is
/// not a match in a read, so the ambiguity was found before the link existed, as when Bmby data
/// arrives in two reads.
fn setup() -> (tempfile::TempDir, Store, u64) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), "loc").unwrap();
    s.put_contacts(&[
        contact("ghlA", "Yossi", "yossi@example.com", "+972501234567", &[]),
        contact(
            "ghlB",
            "Ann",
            "ann@example.com",
            "+15550100001",
            &["family"],
        ),
    ])
    .unwrap();
    let (first, second) = {
        let mut r = read();
        let c104 = r.pop().unwrap();
        (vec![c104], r)
    };
    import_clients(&s, first, &mapping(), &ImportOptions::default()).unwrap();
    import_clients(&s, second, &mapping(), &ImportOptions::default()).unwrap();
    assert_eq!(s.link("102").unwrap().as_deref(), Some("ghlB"));
    let amb = s
        .changes()
        .unwrap()
        .into_iter()
        .find(|c| c.client_id == "104")
        .unwrap();
    assert_eq!(amb.kind, ChangeKind::Ambiguous);
    (dir, s, amb.id)
}

fn read() -> Vec<ClientView> {
    vec![
        view(
            "102",
            &[
                ("fname", "Ann"),
                ("email", "ann@example.com"),
                ("city", "Haifa"),
            ],
        ),
        view(
            "104",
            &[
                ("fname", "Yael"),
                ("email", "yossi@example.com"),
                ("phone_mobile", "+15550100001"),
                ("status", "VIP"),
            ],
        ),
    ]
}

#[test]
fn the_preview_names_the_candidate_and_the_link_it_would_move() {
    let (_d, s, id) = setup();
    let p = review::choice_preview(&s, id, Some("ghlB")).unwrap();
    let cand = p.candidate.clone().unwrap();
    assert_eq!(
        (cand.contact_id.as_str(), cand.matched_on.as_str()),
        ("ghlB", "phone")
    );
    assert_eq!(p.linked_clients, vec!["102".to_owned()]);
    assert!(
        p.question().contains("ghlB, matched on phone"),
        "{}",
        p.question()
    );
    assert_eq!(
        p.link_warnings(),
        vec!["GHL contact ghlB is linked to Bmby client 102 — choosing it moves the link to Bmby client 104"]
    );
    // Nothing changed by looking.
    assert_eq!(s.change(id).unwrap().unwrap().kind, ChangeKind::Ambiguous);
    assert_eq!(s.link("104").unwrap(), None);
    // A is linked to nobody: no warning.
    let p = review::choice_preview(&s, id, Some("ghlA")).unwrap();
    assert!(p.link_warnings().is_empty());
    // A new contact moves no link.
    let p = review::choice_preview(&s, id, None).unwrap();
    assert!(p.candidate.is_none() && p.link_warnings().is_empty());
    assert!(
        p.question().contains("a new GHL contact"),
        "{}",
        p.question()
    );
}

#[test]
fn a_contact_that_is_not_a_candidate_is_refused_listing_them() {
    let (_d, s, id) = setup();
    let e = review::resolve(&s, id, Some("ghlZ")).unwrap_err();
    assert!(matches!(e, ReviewError::NotACandidate { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("ghlZ is not one of its candidates")
            && msg.contains("1. Yossi (ghlA, by email)")
            && msg.contains("2. Ann (ghlB, by phone)"),
        "{msg}"
    );
    let e = review::approve(&s, id).unwrap_err();
    assert!(matches!(e, ReviewError::Ambiguous { .. }));
    assert!(e.to_string().contains("2. Ann (ghlB, by phone)"), "{e}");
    // Neither the change nor the links moved.
    assert_eq!(s.change(id).unwrap().unwrap().kind, ChangeKind::Ambiguous);
    assert_eq!(s.link("104").unwrap(), None);
    assert_eq!(s.link("102").unwrap().as_deref(), Some("ghlB"));
}

#[test]
fn choosing_moves_the_link_and_back_to_pending_puts_everything_back() {
    let (_d, s, id) = setup();
    let before = s.change(id).unwrap().unwrap();
    let c = review::resolve(&s, id, Some("ghlB")).unwrap();
    assert_eq!(
        (c.kind, c.state, c.contact_id.as_deref()),
        (ChangeKind::Update, ChangeState::Pending, Some("ghlB"))
    );
    // The contact's own tags stay; the Bmby tag is added.
    let tags = c.fields.iter().find(|f| f.field == "tags").unwrap();
    assert_eq!(tags.proposed.as_deref(), Some("family, VIP"));
    assert_eq!(tags.ghl_now.as_deref(), Some("family"));
    assert!(c.fields.iter().all(|f| f.field != "phone"), "B has it");
    assert!(c
        .warnings
        .iter()
        .any(|w| w.contains("Bmby client 102 — the choice moved the link to Bmby client 104")));
    let e = review::resolve(&s, id, Some("ghlA")).unwrap_err();
    assert!(matches!(e, ReviewError::AlreadyChosen { .. }), "{e:?}");
    assert!(e.to_string().contains("on GHL contact ghlB"), "{e}");
    let choice = c.choice.clone().unwrap();
    assert_eq!(choice.contact_id.as_deref(), Some("ghlB"));
    assert_eq!(choice.unlinked, vec!["102".to_owned()]);
    assert_eq!(choice.link_before, None);
    assert_eq!(s.link("104").unwrap().as_deref(), Some("ghlB"));
    assert_eq!(s.link("102").unwrap(), None, "the link moved");

    // Approved, then back to pending: the choice is undone.
    review::approve(&s, id).unwrap();
    let r = review::reset(&s, id).unwrap();
    assert_eq!(
        (r.kind, r.state),
        (ChangeKind::Ambiguous, ChangeState::Pending)
    );
    assert_eq!(r.candidates, before.candidates);
    assert_eq!(r.fields, before.fields);
    assert_eq!(r.warnings, before.warnings);
    assert_eq!(r.fingerprint, before.fingerprint);
    assert_eq!(r.contact_id, None);
    assert!(r.choice.is_none());
    assert_eq!(s.change(id).unwrap().unwrap(), r, "stored as returned");
    assert_eq!(s.link("104").unwrap(), None);
    assert_eq!(s.link("102").unwrap().as_deref(), Some("ghlB"), "link back");

    // Reset again: an ordinary reset (nothing more to undo).
    assert_eq!(review::reset(&s, id).unwrap().kind, ChangeKind::Ambiguous);
    // Chosen anew, on the other candidate.
    let c = review::resolve(&s, id, Some("ghlA")).unwrap();
    assert_eq!(c.contact_id.as_deref(), Some("ghlA"));
    assert_eq!(s.link("102").unwrap().as_deref(), Some("ghlB"));
}

#[test]
fn a_new_contact_moves_no_link_and_is_undone_too() {
    let (_d, s, id) = setup();
    let (c, p) = review::approve_choice(&s, id, None).unwrap();
    assert_eq!(
        (c.kind, c.state),
        (ChangeKind::Create, ChangeState::Approved)
    );
    assert!(p.link_notes().is_empty());
    assert_eq!(c.choice.as_ref().unwrap().contact_id, None);
    assert_eq!(s.link("104").unwrap(), None);
    assert_eq!(s.link("102").unwrap().as_deref(), Some("ghlB"));
    let r = review::reset(&s, id).unwrap();
    assert_eq!(r.kind, ChangeKind::Ambiguous);
    assert_eq!(s.link("102").unwrap().as_deref(), Some("ghlB"));
}

#[test]
fn the_same_bmby_data_again_keeps_the_choice() {
    let (_d, s, id) = setup();
    let c = review::resolve(&s, id, Some("ghlA")).unwrap();
    let n = s.changes().unwrap().len();
    let sum = import_clients(&s, read(), &mapping(), &ImportOptions::default()).unwrap();
    assert!(sum.new_changes.is_empty(), "{:?}", sum.new_changes);
    assert_eq!(s.changes().unwrap().len(), n);
    assert_eq!(
        s.change(id).unwrap().unwrap(),
        c,
        "untouched, still undoable"
    );

    // Approved and read again: still nothing new (no second update of the same client).
    review::approve(&s, id).unwrap();
    let sum = import_clients(&s, read(), &mapping(), &ImportOptions::default()).unwrap();
    assert!(sum.new_changes.is_empty(), "{:?}", sum.new_changes);

    // Newer Bmby data replaces a pending choice's change, and the choice stays undoable.
    review::reset(&s, id).unwrap();
    review::resolve(&s, id, Some("ghlA")).unwrap();
    let mut newer = read();
    newer[1].values.insert("city".into(), "Eilat".into());
    import_clients(&s, newer, &mapping(), &ImportOptions::default()).unwrap();
    let c = s.change(id).unwrap().unwrap();
    assert_eq!(c.kind, ChangeKind::Update);
    assert!(c
        .fields
        .iter()
        .any(|f| f.proposed.as_deref() == Some("Eilat")));
    assert!(c.choice.is_some());
    let r = review::reset(&s, id).unwrap();
    assert_eq!(r.kind, ChangeKind::Ambiguous);
    assert_eq!(s.link("104").unwrap(), None);
}

#[test]
fn only_unsent_ambiguous_changes_can_be_settled_or_undone() {
    let (_d, s, id) = setup();
    let upd = s
        .changes()
        .unwrap()
        .into_iter()
        .find(|c| c.client_id == "102")
        .unwrap();
    let e = review::resolve(&s, upd.id, None).unwrap_err();
    assert!(matches!(e, ReviewError::NotAmbiguous { .. }), "{e:?}");
    assert_eq!(s.change(upd.id).unwrap().unwrap().kind, ChangeKind::Update);
    assert!(review::approve_choice(&s, upd.id, Some("ghlB")).is_err());

    // A settled change that was sent cannot be undone: its links stay.
    let mut c = review::resolve(&s, id, Some("ghlB")).unwrap();
    c.state = ChangeState::Applied;
    s.put_change(&c).unwrap();
    let e = review::reset(&s, id).unwrap_err();
    assert!(matches!(e, ReviewError::WrongState { .. }), "{e:?}");
    assert_eq!(s.link("104").unwrap().as_deref(), Some("ghlB"));
    assert_eq!(s.change(id).unwrap().unwrap().kind, ChangeKind::Update);
}

#[test]
fn a_withdrawn_hand_edit_is_neither_approved_nor_put_back() {
    let (_d, s, _) = setup();
    let a = s.contact("ghlA").unwrap().unwrap();
    bmby_ghl::sync::local::edit_contact_field(&s, &a, "firstName", "Yosef").unwrap();
    let w = bmby_ghl::sync::local::edit_contact_field(&s, &a, "firstName", "Yossi").unwrap();
    assert!(w.is_withdrawn());
    assert_eq!(w.state_label(), "withdrawn");
    for e in [
        review::reset(&s, w.id).unwrap_err(),
        review::approve(&s, w.id).unwrap_err(),
    ] {
        assert!(matches!(e, ReviewError::Withdrawn { .. }), "{e:?}");
        assert!(e.to_string().contains("withdrawn"), "{e}");
    }
    let stored = s.change(w.id).unwrap().unwrap();
    assert_eq!(stored.state, ChangeState::Rejected);
    assert!(stored.fields.is_empty());
    // A person's rejection is not a withdrawal.
    let upd = s
        .changes()
        .unwrap()
        .into_iter()
        .find(|c| c.client_id == "102")
        .unwrap();
    let r = review::reject(&s, upd.id).unwrap();
    assert!(!r.is_withdrawn());
    assert_eq!(r.state_label(), "rejected");
    assert_eq!(
        review::reset(&s, upd.id).unwrap().state,
        ChangeState::Pending
    );
}

/// A candidate that carries another Bmby client's id in its client id custom field, with no
/// link record (ids typed in GHL, or a seed): the question says the choice writes over it.
#[test]
fn the_preview_names_a_client_id_the_contact_carries_without_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), "loc").unwrap();
    s.put_custom_fields(&[bmby_ghl::domain::CustomFieldDef {
        id: "cfBmbyId".into(),
        name: "Bmby Client ID".into(),
        field_key: "contact.bmby_client_id".into(),
        data_type: "TEXT".into(),
        picklist_options: vec![],
    }])
    .unwrap();
    let mut a = contact("ghlA", "Yossi", "yossi@example.com", "+972501234567", &[]);
    a.custom_fields = vec![bmby_ghl::domain::CustomFieldValue {
        id: "cfBmbyId".into(),
        value_json: "\"194100\"".into(),
    }];
    let b = contact("ghlB", "Ann", "ann@example.com", "+15550100001", &[]);
    s.put_contacts(&[a, b]).unwrap();
    let mut v = read().pop().unwrap();
    v.values.insert("client_id".into(), "104".into());
    import_clients(&s, vec![v], &mapping(), &ImportOptions::default()).unwrap();
    let amb = s
        .changes()
        .unwrap()
        .into_iter()
        .find(|c| c.client_id == "104")
        .unwrap();
    assert_eq!(amb.kind, ChangeKind::Ambiguous);
    let p = review::choice_preview(&s, amb.id, Some("ghlA")).unwrap();
    assert_eq!(p.carries_client.as_deref(), Some("194100"), "{p:?}");
    assert!(
        p.link_warnings().iter().any(|w| w
            == "GHL contact ghlA carries Bmby client id 194100 in its custom field — choosing it replaces it with 104"),
        "{:?}",
        p.link_warnings()
    );
    // The other candidate carries none.
    let p = review::choice_preview(&s, amb.id, Some("ghlB")).unwrap();
    assert_eq!(p.carries_client, None);
}

/// Choosing a contact moves its link from another client whose approved update of that
/// contact is still queued: that update goes back to pending and says why (it was approved
/// while the contact was its client's), so one client's data is not sent over the other's.
#[test]
fn a_moved_link_sends_the_other_clients_queued_change_back_to_review() {
    let (_d, s, id) = setup();
    let other = s
        .changes()
        .unwrap()
        .into_iter()
        .find(|c| c.client_id == "102")
        .unwrap();
    assert_eq!(other.contact_id.as_deref(), Some("ghlB"));
    review::approve(&s, other.id).unwrap();
    review::resolve(&s, id, Some("ghlB")).unwrap();
    let o = s.change(other.id).unwrap().unwrap();
    assert_eq!(o.state, ChangeState::Pending);
    assert!(
        o.warnings.iter().any(|w| w.contains(&format!(
            "GHL contact ghlB is now linked to Bmby client 104 (change #{id})"
        ))),
        "{:?}",
        o.warnings
    );
}
