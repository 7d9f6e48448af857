//! The layers (who has the keyboard), the registry of actions and the command palette: every
//! action shows in `?` help and in the palette with the key the keymap gives it (also after a
//! user rebinds it), layer precedence, the location picker's keys through the keymap, disabled
//! actions saying why, and snapshots of the palette at 80x24 and 120x40.

use crate::tui_support::*;
use bmby_ghl::domain::{ContactOp, Subject};
use bmby_ghl::sync::Job;
use bmby_ghl::tui::help_text::keys_text;
use bmby_ghl::tui::keymap::Keymap;
use bmby_ghl::tui::layer::Layer;
use bmby_ghl::tui::locations::LocationChoice;
use bmby_ghl::tui::{registry, Driver, Theme};

fn snap(d: &mut Driver, w: u16, h: u16) -> String {
    let t = d.render(w, h);
    assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

fn driver_with_keymap(user: &str) -> (tempfile::TempDir, Driver) {
    let (dir, s) = store();
    let mut o = options(Theme::colored());
    let (km, diags) = Keymap::with_user_text(user, "user keymap");
    assert!(diags.is_empty(), "{diags:?}");
    o.keymap = km;
    (dir, Driver::new(s, o))
}

/// Every registry entry is in the help (with each key it has, per context) and in the
/// palette of a layer where it applies, with that layer's key from the keymap.
fn assert_registry_everywhere(d: &Driver) {
    let km = &d.app.keymap;
    let help: Vec<String> = bmby_ghl::tui::help::lines(km, &Theme::no_color(), 300)
        .iter()
        .map(|l| l.to_string())
        .collect();
    for e in registry::all() {
        let line = help
            .iter()
            .find(|l| l.ends_with(&format!("  {}", e.id())))
            .unwrap_or_else(|| panic!("{} is in the help", e.id()));
        // The palette's own keys (run, cancel, complete) apply only inside it: help only.
        let Some(layer) = Layer::ALL
            .iter()
            .copied()
            .find(|l| *l != Layer::Palette && e.applies(*l))
        else {
            assert!(e.applies(Layer::Palette), "{} applies somewhere", e.id());
            let keys = keys_text(&km.keys_for(&Layer::Palette.chain(), e.action));
            assert!(line.trim_start().starts_with(&keys), "{line}");
            continue;
        };
        let keys = keys_text(&km.keys_for(&layer.chain(), e.action));
        let bound_anywhere = km.entries().iter().any(|b| b.2 == e.action);
        if !bound_anywhere {
            assert!(line.trim_start().starts_with(':'), "{line}");
        }
        let items = bmby_ghl::tui::palette::items(&d.app, layer, "");
        let it = items
            .iter()
            .find(|i| i.entry.action == e.action)
            .unwrap_or_else(|| panic!("{} in the palette over {layer:?}", e.id()));
        assert_eq!(it.keys, keys, "{} over {layer:?}", e.id());
        if !keys.is_empty() {
            // The help line of some context names the same first key.
            let first = keys.split(", ").next().unwrap();
            assert!(
                help.iter().any(|l| l.ends_with(&format!("  {}", e.id()))
                    && l.chars()
                        .take(21)
                        .collect::<String>()
                        .trim()
                        .split(", ")
                        .any(|k| k == first)),
                "{} listed with {first} in help",
                e.id()
            );
        }
    }
}

#[test]
fn every_action_is_in_help_and_palette_with_its_key_also_after_rebinding() {
    let (_dir, d) = driver();
    assert_registry_everywhere(&d);
    let (_dir, d) = driver_with_keymap(
        "[keys.changes]\n\"y\" = \"change.approve\"\n\"a\" = \"none\"\n\
         [keys.contacts]\n\"W\" = \"contact.workflow_add\"\n",
    );
    assert_registry_everywhere(&d);
    let items = bmby_ghl::tui::palette::items(&d.app, Layer::ChangesList, "approve");
    let approve = items
        .iter()
        .find(|i| i.entry.label == "change: approve")
        .unwrap();
    assert_eq!(approve.keys, "y");
    let items = bmby_ghl::tui::palette::items(&d.app, Layer::Contacts, "workflow");
    assert_eq!(items[0].entry.label, "contact: add to workflow");
    assert_eq!(items[0].keys, "W");
}

#[test]
fn layer_precedence_is_one_list() {
    let (_dir, mut d) = driver();
    assert_eq!(d.app.layer(), Layer::Contacts);
    d.keys("ctrl-p");
    assert_eq!(d.app.layer(), Layer::Palette, "palette over panes");
    assert_eq!(d.app.layer_below_palette(), Layer::Contacts);
    d.keys("esc");
    assert_eq!(d.app.layer(), Layer::Contacts);
    d.keys("?");
    assert_eq!(d.app.layer(), Layer::Help);
    d.app.locations.picker = Some(Default::default());
    assert_eq!(d.app.layer(), Layer::LocationPicker, "picker over help");
    d.app.notice = Some("hello".into());
    assert_eq!(d.app.layer(), Layer::Notice, "notice over picker");
    assert_eq!(
        d.app.layers().last(),
        Some(&Layer::Notice),
        "the top of the stack has the keyboard"
    );
    d.keys("x");
    assert_eq!(d.app.layer(), Layer::LocationPicker);
    // The footer is the top layer's.
    let footer = lines_of(&mut d).last().cloned().unwrap();
    assert!(footer.contains("enter switch"), "{footer}");
    // In the filter, ':' types; the palette is not opened.
    let (_dir, mut d) = driver();
    d.keys("/");
    d.type_text(":");
    assert_eq!(d.app.layer(), Layer::ContactsFilter);
    assert_eq!(d.app.filter.query, ":");
}

fn lines_of(d: &mut Driver) -> Vec<String> {
    let t = d.render(80, 24);
    text_lines(t.backend().buffer())
}

fn two_locations(d: &mut Driver) {
    d.app.locations.choices = vec![
        LocationChoice {
            id: "locA".into(),
            label: "Demo Realty (locA)".into(),
            note: None,
        },
        LocationChoice {
            id: "locB".into(),
            label: "Second Office (locB)".into(),
            note: None,
        },
    ];
    d.app.locations.current = "locA".into();
}

#[test]
fn location_picker_honours_a_rebound_confirm_key() {
    let (_dir, mut d) =
        driver_with_keymap("[keys.picker]\n\"enter\" = \"none\"\n\"o\" = \"confirm.yes\"\n");
    two_locations(&mut d);
    d.keys("L j enter");
    assert_eq!(d.app.locations.switch_to, None, "enter is unbound");
    assert!(d.app.locations.picker.is_some());
    let screen = lines_of(&mut d).join("\n");
    assert!(screen.contains("o or 1-9: switch"), "{screen}");
    assert!(
        screen.contains("o switch"),
        "footer names the key: {screen}"
    );
    d.keys("o");
    assert_eq!(d.app.locations.switch_to.as_deref(), Some("locB"));
}

#[test]
fn disabled_actions_say_why_and_do_nothing() {
    let (_dir, mut d) = driver();
    d.app.read_only = Some("signed in without the contacts.write scope".into());
    d.keys("ctrl-p");
    d.type_text("tags");
    let items = d.app.palette_items();
    let it = items
        .iter()
        .find(|i| i.entry.label == "contacts: add tags")
        .unwrap();
    assert_eq!(
        it.disabled.as_deref(),
        Some("read-only: signed in without the contacts.write scope")
    );
    insta::assert_snapshot!("palette_disabled_80x24", snap(&mut d, 80, 24));
    // Enter on it: the reason in the status bar, nothing proposed.
    while d.app.palette_items()[d.app.palette.as_ref().unwrap().selected.pos]
        .entry
        .label
        != "contacts: add tags"
    {
        d.keys("down");
    }
    d.keys("enter");
    assert!(d.app.palette.is_none());
    assert_eq!(
        d.app.status.error.as_deref(),
        Some("contacts: add tags: read-only: signed in without the contacts.write scope")
    );
    // The same from the command line.
    d.app.status.error = None;
    d.keys(":");
    d.type_text("tag add vip");
    d.keys("enter");
    assert!(d.app.status.error.as_deref().unwrap().contains("read-only"));
    assert!(d.app.changes.all.is_empty(), "nothing proposed");
}

#[test]
fn ctrl_p_lists_actions_with_keys_fuzzy() {
    let (_dir, mut d) = driver();
    d.keys("ctrl-p");
    d.type_text("work");
    let items = d.app.palette_items();
    assert!(items
        .iter()
        .take(2)
        .all(|i| i.entry.label.contains("workflow")));
    insta::assert_snapshot!("palette_list_work_80x24", snap(&mut d, 80, 24));
    insta::assert_snapshot!("palette_list_work_120x40", snap(&mut d, 120, 40));
    // NO_COLOR: the selection is still marked.
    let (_dir, s) = store();
    let mut d = Driver::new(s, options(Theme::no_color()));
    d.keys("ctrl-p");
    d.type_text("work");
    let screen = lines_of(&mut d).join("\n");
    assert!(screen.contains("> contact: add to workflow"), "{screen}");
    // Enter on an action with arguments opens the ':' line prefilled.
    d.keys("enter");
    let p = d.app.palette.as_ref().unwrap();
    assert_eq!(p.mode, bmby_ghl::tui::palette::Mode::Command);
    assert_eq!(p.input.input, "workflow add ");
}

#[test]
fn command_line_completes_and_shows_candidates() {
    let (_dir, mut d) = driver();
    d.keys(":");
    d.type_text("wo");
    d.keys("tab");
    let p = d.app.palette.as_ref().unwrap();
    assert_eq!(p.input.input, "workflow ");
    assert_eq!(p.candidates, vec!["workflow add", "workflow remove"]);
    insta::assert_snapshot!("palette_command_candidates_80x24", snap(&mut d, 80, 24));
    insta::assert_snapshot!("palette_command_candidates_120x40", snap(&mut d, 120, 40));
    d.type_text("a");
    d.keys("tab");
    assert_eq!(d.app.palette.as_ref().unwrap().input.input, "workflow add ");
    // The workflow names: not loaded yet. Offline it says so; online it asks for them.
    d.keys("tab");
    let note = d.app.palette.as_ref().unwrap().note.clone().unwrap();
    assert!(note.contains("workflows not loaded yet"), "{note}");
    assert!(d.jobs.is_empty());
    d.app.online = true;
    d.keys("tab");
    assert!(d.jobs.iter().any(|j| matches!(j, Job::FetchLists)));
    let note = d.app.palette.as_ref().unwrap().note.clone().unwrap();
    assert_eq!(note, "workflows not loaded yet: fetching");
}

#[test]
fn hostile_text_in_the_command_line_is_sanitized() {
    let (_dir, mut d) = driver();
    d.keys(":");
    d.paste("שלום\u{202e}\u{1b}[31m evil");
    d.keys("enter");
    let note = d.app.palette.as_ref().unwrap().note.clone().unwrap();
    assert!(note.starts_with("unknown command: שלום"), "{note}");
    insta::assert_snapshot!("palette_hostile_80x24", snap(&mut d, 80, 24));
    insta::assert_snapshot!("palette_hostile_120x40", snap(&mut d, 120, 40));
}

#[test]
fn tag_add_proposes_a_bulk_change_and_palette_runs_registry_ids() {
    let (_dir, mut d) = driver();
    let first = d.app.selected_row().unwrap().id.to_owned();
    d.keys(":");
    d.type_text("tag add vip \"big fish\"");
    d.keys("enter");
    // A bulk operation asks first, naming the count; nothing is proposed before the answer.
    assert!(d.app.bulk_confirm.is_some(), "the bulk question is open");
    assert!(d.app.changes.all.is_empty());
    d.keys("y");
    let c = d.app.changes.all.last().expect("a change is proposed");
    match &c.subject {
        Subject::Op(ContactOp::BulkTags {
            add,
            tags,
            contact_ids,
        }) => {
            assert!(*add);
            assert_eq!(tags, &vec!["vip".to_owned(), "big fish".to_owned()]);
            assert_eq!(contact_ids, &vec![first]);
        }
        other => panic!("{other:?}"),
    }
    let info = d.app.status.info.clone().unwrap();
    assert!(
        info.starts_with("proposed: tag 1 contact: vip, big fish (pending; c to review)"),
        "{info}"
    );
    // A registry id runs the action.
    d.keys(":");
    d.type_text("screen.toggle");
    d.keys("enter");
    assert_eq!(d.app.layer(), Layer::ChangesList);
    // A contact operation does not apply on the changes screen.
    d.keys(":");
    d.type_text("campaign remove-all");
    d.keys("enter");
    assert_eq!(
        d.app.status.error.as_deref(),
        Some("contact: remove from every campaign: does not apply here")
    );
}

/// Tab in the `:` line: the first tab extends what the candidates share; once that adds
/// nothing, tab takes the highlighted candidate, which up/down move (marked `>` for NO_COLOR).
#[test]
fn tab_takes_the_highlighted_candidate_once_the_shared_prefix_is_typed() {
    use bmby_ghl::domain::Named;
    use bmby_ghl::sync::ops::{put_list, ListKind};
    let (_dir, mut d) = driver();
    let n = |id: &str, name: &str| Named {
        id: id.into(),
        name: name.into(),
    };
    put_list(
        d.app.store(),
        ListKind::Workflows,
        &[
            n("w1", "Nurture buyers"),
            n("w2", "Nurture sellers"),
            n("w3", "ליווי קונים"),
            n("w4", "Evil\u{202e}txt.exe\u{1b}[31m"),
        ],
    )
    .unwrap();
    // Every workflow is a candidate: Hebrew as it is, hostile text cleaned.
    d.keys(":");
    d.type_text("workflow add ");
    insta::assert_snapshot!("palette_workflow_candidates_80x24", snap(&mut d, 80, 24));
    d.keys("esc");
    d.keys(":");
    d.type_text("workflow add Nur");
    d.keys("tab");
    let p = d.app.palette.as_ref().unwrap();
    assert_eq!(p.input.input, "workflow add Nurture");
    assert_eq!(p.candidates.len(), 2, "{:?}", p.candidates);
    d.keys("down");
    let screen = snap(&mut d, 80, 24);
    assert!(screen.contains("> Nurture sellers"), "{screen}");
    d.keys("tab");
    assert_eq!(
        d.app.palette.as_ref().unwrap().input.input,
        "workflow add \"Nurture sellers\" "
    );
}

/// A store with change #1 (a workflow add on Dana) in `state`, on the changes screen.
fn one_change(state: bmby_ghl::domain::ChangeState) -> (tempfile::TempDir, Driver) {
    use bmby_ghl::domain::Named;
    use bmby_ghl::sync::ops::{propose, Proposal};
    let (dir, s) = store();
    let mut c = propose(
        &s,
        Proposal {
            contact_id: Some("c00dana0000000000003".into()),
            display_name: "Dana Levi".into(),
            op: ContactOp::WorkflowAdd {
                workflow: Named {
                    id: "wf1".into(),
                    name: "Nurture".into(),
                },
                event_start_time: None,
            },
            fields: Vec::new(),
            base_date_updated: None,
        },
    )
    .unwrap();
    c.state = state;
    s.put_change(&c).unwrap();
    let mut d = Driver::new(s, options(Theme::colored()));
    d.keys("c");
    // Show the state the change is in (s cycles the state filter).
    for _ in 0..8 {
        if d.app.changes.selected_change().is_some() {
            break;
        }
        d.keys("s");
    }
    assert_eq!(d.app.changes.selected_change().unwrap().state, state);
    (dir, d)
}

fn item_disabled(d: &Driver, label: &str) -> Option<String> {
    d.app
        .palette_items()
        .iter()
        .find(|i| i.entry.label == label)
        .unwrap_or_else(|| panic!("{label} listed"))
        .disabled
        .clone()
}

#[test]
fn change_actions_are_dimmed_by_the_review_rules() {
    use bmby_ghl::domain::ChangeState;
    let (_dir, mut d) = one_change(ChangeState::Applied);
    d.keys("ctrl-p");
    assert!(item_disabled(&d, "change: reject").is_some());
    assert!(item_disabled(&d, "change: back to pending").is_some());
    assert!(item_disabled(&d, "change: edit value").is_some());
    assert!(item_disabled(&d, "change: choose candidate")
        .unwrap()
        .contains("applied"));
    d.type_text("appro");
    let why = item_disabled(&d, "change: approve").expect("dimmed on an applied change");
    assert_eq!(
        why,
        "change 1 is applied; it cannot be approved (only changes not yet sent can)"
    );
    assert_eq!(
        d.app.palette_items()[0].entry.label,
        "change: approve",
        "first, dimmed"
    );
    let screen = snap(&mut d, 80, 24);
    assert!(screen.contains("cannot be approved"), "{screen}");
    // Enter on it says why and does nothing.
    d.keys("enter");
    assert!(d
        .app
        .status
        .error
        .as_deref()
        .unwrap()
        .contains("cannot be approved"));
    assert_eq!(
        d.app.store().change(1).unwrap().unwrap().state,
        ChangeState::Applied
    );
    // A pending one: approve and reject run; edit has no field; choosing is for ambiguous ones.
    let (_dir, mut d) = one_change(ChangeState::Pending);
    d.keys("ctrl-p");
    assert_eq!(item_disabled(&d, "change: approve"), None);
    assert_eq!(item_disabled(&d, "change: reject"), None);
    assert_eq!(item_disabled(&d, "change: back to pending"), None);
    assert_eq!(
        item_disabled(&d, "change: edit value").as_deref(),
        Some("this change has no fields")
    );
    assert_eq!(
        item_disabled(&d, "change: create new contact").as_deref(),
        Some("change 1 is update, not ambiguous: there is nothing to choose")
    );
}

/// The label decides the order: a word of the label starting with the query first, then the
/// query inside the label, then fuzzy matches; the id only when nothing else matches.
#[test]
fn ctrl_p_ranks_by_the_label_first() {
    use bmby_ghl::tui::palette::rank;
    let (_dir, mut d) = driver();
    let labels = |d: &Driver| -> Vec<&'static str> {
        d.app
            .palette_items()
            .iter()
            .map(|i| i.entry.label)
            .collect()
    };
    d.keys("ctrl-p");
    d.type_text("work");
    let l = labels(&d);
    let first_other = l
        .iter()
        .position(|s| !s.contains("work"))
        .unwrap_or(l.len());
    assert!(first_other >= 2, "{l:?}");
    assert!(
        l[first_other..].iter().all(|s| !s.contains("work")),
        "{l:?}"
    );
    assert_ne!(l[0], "contacts: mark all shown", "{l:?}");
    d.keys("esc");
    // "approve" on the contacts screen: nothing there approves; no action whose label only
    // matches loosely ("contact: remove from campaign") comes before one that matches better.
    d.keys("ctrl-p");
    d.type_text("approve");
    let l = labels(&d);
    if let Some(first) = l.first() {
        let r = rank(first, "", "approve").unwrap();
        for s in &l {
            assert!(rank(s, "", "approve").unwrap().0 <= r.0, "{l:?}");
        }
    }
    d.keys("esc");
    // On the changes screen "appro" puts "change: approve" first.
    d.keys("c ctrl-p");
    d.type_text("appro");
    let l = labels(&d);
    assert_eq!(l[0], "change: approve", "{l:?}");
    assert_eq!(l[1], "changes: approve all shown", "{l:?}");
    // The rules themselves.
    assert_eq!(
        rank("change: approve", "change.approve", "appro")
            .unwrap()
            .0,
        4
    );
    assert_eq!(rank("contact: add to workflow", "x", "orkfl").unwrap().0, 3);
    assert_eq!(
        rank("contact: remove from campaign", "x", "rmcp")
            .unwrap()
            .0,
        2
    );
    assert_eq!(rank("app: quit", "app.quit", "pqt").map(|r| r.0), Some(2));
    assert_eq!(rank("help", "help.toggle", "toggle").unwrap().0, 1);
    assert_eq!(rank("help", "help.toggle", "zzz"), None);
    // Words in any order (found by a newcomer: `tag add` found nothing).
    assert_eq!(
        rank("contacts: add tags", "contacts.add_tags", "tag add").map(|r| r.0),
        Some(3)
    );
    assert_eq!(
        rank("contact: add to workflow", "x", "flow add").map(|r| r.0),
        Some(2)
    );
    assert!(
        rank("contacts: mark all shown", "marks.all", "work").is_none_or(|r| r.0 < 3),
        "a loose match stays below the label's"
    );
}

/// Tab on the command word behaves as on arguments: the first tab extends what the
/// candidates share, the next takes the highlighted one (down moves it); a single candidate
/// keeps its `>` marker.
#[test]
fn tab_on_the_command_word_takes_the_highlighted_candidate() {
    let (_dir, s) = store();
    let mut d = Driver::new(s, options(Theme::no_color()));
    d.keys(":");
    d.type_text("wo");
    d.keys("tab");
    assert_eq!(d.app.palette.as_ref().unwrap().input.input, "workflow ");
    // The next tab takes the highlighted (first) one.
    d.keys("tab");
    assert_eq!(d.app.palette.as_ref().unwrap().input.input, "workflow add ");
    d.keys("esc :");
    d.type_text("wo");
    d.keys("tab down");
    let screen = lines_of(&mut d).join("\n");
    assert!(screen.contains("> workflow remove"), "{screen}");
    d.keys("tab");
    assert_eq!(
        d.app.palette.as_ref().unwrap().input.input,
        "workflow remove "
    );
    // A single candidate keeps its marker.
    d.keys("esc :");
    d.type_text("workflow a");
    let p = d.app.palette.as_ref().unwrap();
    assert_eq!(p.candidates, vec!["workflow add"]);
    let screen = lines_of(&mut d).join("\n");
    assert!(screen.contains("> workflow add"), "{screen}");
}

#[test]
fn usage_names_one_item_of_a_list() {
    use bmby_ghl::sync::ops::ListKind;
    use bmby_ghl::tui::registry::Arg;
    assert_eq!(Arg::Pick(ListKind::Businesses).usage(), "<business>");
    assert_eq!(Arg::Pick(ListKind::Workflows).usage(), "<workflow>");
    assert_eq!(Arg::Pick(ListKind::Campaigns).usage(), "<campaign>");
    assert_eq!(Arg::Pick(ListKind::Users).usage(), "<user>");
    for e in registry::all() {
        assert!(!e.usage().contains("businesse"), "{}", e.usage());
    }
}
fn lists_cached(d: &Driver) {
    use bmby_ghl::domain::Named;
    use bmby_ghl::sync::ops::{put_list, ListKind};
    let n = |id: &str, name: &str| Named {
        id: id.into(),
        name: name.into(),
    };
    put_list(d.app.store(), ListKind::Workflows, &[n("w1", "Nurture")]).unwrap();
    put_list(
        d.app.store(),
        ListKind::Users,
        &[n("u1", "Dana Levi"), n("u2", "John Smith")],
    )
    .unwrap();
}

/// Runs a `:` line, answering yes to the bulk question if one opens.
fn run_line(d: &mut Driver, line: &str) {
    d.keys(":");
    d.type_text(line);
    d.keys("enter");
    if d.app.bulk_confirm.is_some() {
        d.keys("y");
    }
}

/// Issue #10: `:tag add ""` proposed `{"tags": []}` for every contact; a start time in the
/// past was taken. Both are refused with the field named, and nothing is proposed.
#[test]
fn malformed_operations_from_the_command_line_are_refused_not_proposed() {
    let (_dir, mut d) = driver();
    lists_cached(&d);
    run_line(&mut d, "tag add \"\"");
    assert_eq!(
        d.app.status.error.as_deref(),
        Some("tags: tag add needs at least one tag")
    );
    run_line(&mut d, "tag remove \" \" ,");
    assert_eq!(
        d.app.status.error.as_deref(),
        Some("tags: tag remove needs at least one tag")
    );
    d.keys("enter");
    run_line(&mut d, "workflow add Nurture 2020-07-07 09:00");
    let err = d.app.status.error.clone().unwrap_or_default();
    assert!(
        err.contains("in the past: 2020-07-07 09:00 Israel time"),
        "{err} / {:?}",
        d.app.status.info
    );
    assert!(d.app.store().changes().unwrap().is_empty());
    assert!(d.app.changes.all.is_empty());
}

/// Issue #10: `:follower add "Dana" "John Smith"` proposed only Dana. More words than a
/// command takes are a usage error; a list of tags and a two-word start time are not.
#[test]
fn extra_arguments_are_a_usage_error_not_dropped() {
    let (_dir, mut d) = driver();
    lists_cached(&d);
    d.keys("enter");
    d.keys(":");
    d.type_text("workflow remove Nurture Welcome");
    d.keys("enter");
    let note = d.app.palette.as_ref().and_then(|p| p.note.clone());
    assert_eq!(note.as_deref(), Some("usage: workflow remove <workflow>"));
    assert!(d.app.store().changes().unwrap().is_empty());
    d.keys("esc");
    // Followers take one or more users: every one is kept, none dropped.
    run_line(&mut d, "follower add Dana \"John Smith\"");
    let c = d.app.store().changes().unwrap();
    match c.last().map(|c| &c.subject) {
        Some(Subject::Op(ContactOp::FollowersAdd { users })) => {
            let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
            assert_eq!(names.len(), 2, "{names:?}");
            assert!(names.iter().any(|n| n.starts_with("Dana")), "{names:?}");
            assert!(names.contains(&"John Smith"), "{names:?}");
        }
        other => panic!("{other:?} {:?}", d.app.status),
    }
    run_line(&mut d, "workflow add Nurture 2099-07-07 09:00");
    let c = d.app.store().changes().unwrap();
    assert!(
        matches!(
            &c.last().map(|c| &c.subject),
            Some(Subject::Op(ContactOp::WorkflowAdd { event_start_time: Some(t), .. }))
                if t == "2099-07-07T06:00:00.000Z"
        ),
        "{c:?} {:?}",
        d.app.status
    );
}

/// The `:` line offers only the commands that apply where it was opened: no `setup.*` step
/// keys outside the setup screen, no change review on the contacts screen.
#[test]
fn command_line_offers_only_commands_that_apply_here() {
    let (_dir, mut d) = driver();
    d.keys(":");
    d.type_text("setup");
    let c = d.app.palette.as_ref().unwrap().candidates.clone();
    assert_eq!(
        c,
        vec![
            "setup",
            "setup.open",
            "setup.location_add",
            "setup.bmby_login"
        ],
        "only the global ones, not the setup screen's steps: {c:?}"
    );
    d.keys("esc");
    d.keys(":");
    d.type_text("change.");
    let c = d.app.palette.as_ref().unwrap().candidates.clone();
    assert!(
        !c.iter().any(|n| n == "change.approve"),
        "a changes-screen action offered on contacts: {c:?}"
    );
    d.keys("esc");
    // On the changes screen it is offered.
    d.keys("c");
    d.keys(":");
    d.type_text("change.appr");
    let c = d.app.palette.as_ref().unwrap().candidates.clone();
    assert!(c.iter().any(|n| n == "change.approve"), "{c:?}");
}
