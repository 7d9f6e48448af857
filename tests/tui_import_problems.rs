//! The TUI shows the row problems of the last Bmby file import: a count in the status bar at
//! start and in the changes list's title, every problem (row, column, value, what was done)
//! in the messages popup.

use crate::tui_support::*;
use bmby_ghl::bmby::export::ExportOptions;
use bmby_ghl::sync::import::{import_export_file, ImportOptions};
use bmby_ghl::sync::mapping::Mapping;
use bmby_ghl::tui::{Driver, Theme};

/// Imports `file` into `s` with the default options and mapping (the TUI's way).
fn import_default(
    s: &bmby_ghl::store::Store,
    file: &std::path::Path,
) -> (
    bmby_ghl::sync::import::ImportSummary,
    String,
    Vec<bmby_ghl::bmby::export::RowProblem>,
) {
    import_export_file(
        s,
        file,
        &ExportOptions::default(),
        &Mapping::default(),
        &ImportOptions::default(),
    )
    .unwrap()
}

fn snap(d: &mut Driver) -> String {
    let t = d.render(80, 24);
    assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

#[test]
fn import_problems_show_in_the_status_bar_and_messages_80x24() {
    let (dir, s) = store();
    let file = dir.path().join("bmby.csv");
    std::fs::write(
        &file,
        "מספר לקוח,שם פרטי,שם משפחה,נייד,אימייל,תאריך כניסה\n\
         300001,דנה,לוי,0501234567,dana@@example,\n\
         30O002,יוסי,כהן,0521111111,yossi@example.com,\n\
         300003,רון,כהן,0527654321,ron@example.com,31/02/2026\n\
         300004,\"עדי,,,0503334444,adi@example.com,\n\
         300005,גל,שמש,0505556666,gal@example.com,\n",
    )
    .unwrap();
    let (_, _, problems) = import_default(&s, &file);
    assert_eq!(problems.len(), 4);

    let mut d = Driver::new(s, options(Theme::colored()));
    d.run(Vec::new());
    let screen = snap(&mut d);
    assert!(
        screen.contains("│ import: 4 problems (m)"),
        "status bar:\n{screen}"
    );
    insta::assert_snapshot!("status_80x24", screen);

    d.keys("m");
    assert!(d.app.messages_open.is_some());
    let screen = snap(&mut d);
    for needle in [
        "bmby.csv: 4 problems in the last import (3 rows skipped)",
        "row 2, column \"אימייל\"",
        "row 3, column \"מספר לקוח\"",
        "row 4, column \"תאריך כניסה\"",
        "row 5, column \"שם פרטי\"",
        "(file line 6; client id 300005)",
    ] {
        assert!(screen.contains(needle), "{needle} in:\n{screen}");
    }
    insta::assert_snapshot!("messages_80x24", screen);

    // The changes screen says so in its title, whatever the status bar shows meanwhile.
    d.keys("esc");
    d.app.status.info = Some("incremental pull: 0 contacts in 1 page".into());
    d.keys("c");
    let screen = snap(&mut d);
    let title = screen.lines().next().unwrap_or_default().to_owned();
    assert!(
        title.contains("Changes · pending 2 · import: 4 problems (m)"),
        "{screen}"
    );
    insta::assert_snapshot!("changes_80x24", screen);
}

/// The import-problem notice is one the user must read: the first pull's summary does not
/// overwrite it (both show while they fit; at 80 columns the summary gives way), and it stays
/// until the messages are opened.
#[test]
fn import_notice_stays_until_the_messages_are_read_80x24() {
    use bmby_ghl::sync::{PullSummary, SyncEvent};
    let (dir, s) = store();
    let file = dir.path().join("bmby.csv");
    std::fs::write(
        &file,
        "מספר לקוח,שם פרטי,שם משפחה,נייד,אימייל\n\
         300001,דנה,לוי,0501234567,dana@@example\n\
         30O002,יוסי,כהן,0521111111,yossi@example.com\n",
    )
    .unwrap();
    let (_, _, problems) = import_default(&s, &file);
    assert_eq!(problems.len(), 2);
    let mut d = Driver::new(s, options(Theme::colored()));
    d.run(Vec::new());
    let pull = || {
        SyncEvent::PullFinished(PullSummary {
            full: false,
            fetched: 12,
            pages: 1,
            resumed: false,
            changed: 12,
        })
    };
    d.event(pull());
    let screen = snap(&mut d);
    assert!(
        screen.contains("import: 2 problems (m)"),
        "the pull overwrote the notice:\n{screen}"
    );
    insta::assert_snapshot!("notice_after_pull_80x24", screen);
    // The news of the user's own action is not hidden by the notice (a palette workflow add
    // said nothing at 80 columns before): the notice steps aside while that news is shown and
    // comes back with the next routine news.
    d.app.status.info = Some("proposed: add to workflow Nurture for Dana Levi".into());
    let screen = snap(&mut d);
    let bar = screen.lines().rev().nth(1).unwrap_or_default().to_owned();
    assert!(bar.contains("proposed: add to workflow"), "{screen}");
    d.event(pull());
    assert!(snap(&mut d).contains("import: 2 problems (m)"));
    // Wide enough: both, the notice first.
    let wide = d.render(160, 30);
    let wide = format!("{}", wide.backend());
    let line = wide
        .lines()
        .find(|l| l.contains("import: 2 problems (m)"))
        .unwrap_or_default();
    assert!(
        line.contains("import: 2 problems (m) │ incremental pull: 12 contacts in 1 page"),
        "{wide}"
    );
    // Read: `m` shows them; afterwards the next news takes the place.
    d.keys("m");
    d.keys("esc");
    d.event(pull());
    let screen = snap(&mut d);
    assert!(!screen.contains("import: 2 problems"), "{screen}");
    assert!(screen.contains("incremental pull: 12 contac"), "{screen}");
}

/// An `import` run from the CLI beside the running TUI (heard of as a client command)
/// replaces the problems shown: the new import's count in the bar and its problems in the
/// messages; an import without problems takes the notice away.
#[test]
fn an_import_beside_the_tui_replaces_the_problems_shown_80x24() {
    use bmby_ghl::sync::SyncEvent;
    let (dir, s) = store();
    let import = |s: &bmby_ghl::store::Store, name: &str, body: &str| {
        let file = dir.path().join(name);
        std::fs::write(&file, body).unwrap();
        import_default(s, &file).2.len()
    };
    let header = "מספר לקוח,שם פרטי,שם משפחה,נייד,אימייל\n";
    let first = format!(
        "{header}300001,דנה,לוי,0501234567,dana@@example\n30O002,יוסי,כהן,0521111111,yossi@example.com\n"
    );
    assert_eq!(import(&s, "first.csv", &first), 2);
    let mut d = Driver::new(s, options(Theme::colored()));
    d.run(Vec::new());
    assert!(snap(&mut d).contains("import: 2 problems (m)"));

    // The CLI imports another file with one problem.
    let second = format!("{header}400001,רון,כהן,0527654321,ron@@example\n");
    assert_eq!(import(d.app.store(), "second.csv", &second), 1);
    d.event(SyncEvent::ClientCommand {
        command: "import second.csv".into(),
        code: 0,
    });
    let screen = snap(&mut d);
    assert!(screen.contains("import: 1 problem (m)"), "{screen}");
    assert!(!screen.contains("import: 2 problems"), "{screen}");
    insta::assert_snapshot!("after_cli_import_80x24", screen);
    assert!(
        d.app
            .messages
            .iter()
            .any(|m| m.contains("second.csv: 1 problem")),
        "{:?}",
        d.app.messages
    );
    // The changes title follows too.
    assert_eq!(
        d.app.import_problems_note.as_deref(),
        Some("import: 1 problem (m)")
    );

    // Another command that is not an import changes nothing.
    d.event(SyncEvent::ClientCommand {
        command: "changes".into(),
        code: 0,
    });
    assert!(snap(&mut d).contains("import: 1 problem (m)"));

    // A clean import: the notice goes.
    let clean = format!("{header}500001,גל,שמש,0505556666,gal@example.com\n");
    assert_eq!(import(d.app.store(), "clean.csv", &clean), 0);
    d.event(SyncEvent::ClientCommand {
        command: "import clean.csv".into(),
        code: 0,
    });
    let screen = snap(&mut d);
    assert!(!screen.contains("import: 1 problem"), "{screen}");
    assert_eq!(d.app.import_problems_note, None);
}

/// A column that feeds nothing is a notice beside the problems: counted in the status bar and
/// named in the messages.
#[test]
fn an_unused_column_is_a_notice_beside_the_problems_80x24() {
    let (dir, s) = store();
    let file = dir.path().join("p.csv");
    std::fs::write(
        &file,
        "client_id,first_name,last_name,email,phone,foo\n\
         9001,Avi,Test,avi.test@example.com,054-1112233,x\n\
         9002,Bad,Phone,bad.phone@example.com,+972123,y\n",
    )
    .unwrap();
    let (summary, _, problems) = import_default(&s, &file);
    assert_eq!((problems.len(), summary.notices.len()), (1, 1));

    let mut d = Driver::new(s, options(Theme::colored()));
    d.run(Vec::new());
    assert_eq!(
        d.app.status.pinned.as_deref(),
        Some("import: 1 problem, 1 notice (m)")
    );
    let screen = snap(&mut d);
    assert!(
        screen.contains("import: 1 problem, 1 notice (m)"),
        "status bar:\n{screen}"
    );
    d.keys("m");
    let screen = snap(&mut d);
    for needle in [
        "p.csv: 1 problem, 1 notice in the last import",
        "column 6 \"foo\" is not used",
        "`+972123` is not a valid Israeli",
    ] {
        assert!(screen.contains(needle), "{needle} in:\n{screen}");
    }
}
