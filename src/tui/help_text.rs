//! The help screen's text, measured without drawing: generated from the effective keymap and
//! the registry's descriptions, wrapped to a width. The renderer ([`super::help`]) styles these
//! lines; the update code counts them (the scroll limit) through [`line_count`].

use super::keymap::{Context, KeyCombo, Keymap};
use super::registry;

/// How a piece of help text is styled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    Plain,
    Dim,
    Header,
    Key,
}

/// One line of help: either one text in one look, or pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    Whole(String, Look),
    Pieces(Vec<(String, Look)>),
}

fn digit(k: KeyCombo) -> Option<u32> {
    k.printable().and_then(|c| c.to_digit(10))
}

/// Keys as text, `, `-separated; a run of three or more consecutive digits is `1-9`.
pub fn keys_text(keys: &[KeyCombo]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < keys.len() {
        if let Some(first) = digit(keys[i]) {
            let mut j = i;
            while j + 1 < keys.len() && digit(keys[j + 1]) == digit(keys[j]).map(|d| d + 1) {
                j += 1;
            }
            if j - i >= 2 {
                parts.push(format!("{first}-{}", first + (j - i) as u32));
                i = j + 1;
                continue;
            }
        }
        parts.push(keys[i].to_string());
        i += 1;
    }
    parts.join(", ")
}

fn action_lines(out: &mut Vec<HelpLine>, keys: &str, id: &str, desc: &str, width: u16) {
    let used = 21 + super::text::width(desc) + 2 + id.len();
    let room = (width as usize).saturating_sub(21 + 2);
    // A description wider than the screen goes on under itself (0 = no limit).
    let parts = if width == 0 || super::text::width(desc) <= room {
        vec![desc.to_owned()]
    } else {
        super::text::wrap(desc, room.max(10))
    };
    let mut pieces = vec![
        (format!("  {keys:<18}"), Look::Key),
        (format!(" {}", parts[0]), Look::Plain),
    ];
    if parts.len() == 1 && used + 2 <= width as usize {
        pieces.push((format!("  {id}"), Look::Dim));
    }
    out.push(HelpLine::Pieces(pieces));
    for p in &parts[1..] {
        out.push(HelpLine::Whole(format!("{:21}{p}", ""), Look::Plain));
    }
}

/// Every line of the help at `width` columns (0 = no wrapping): each keymap context with its
/// bindings, then the actions bound to no key (run from the palette), then the status bar.
pub fn help_lines(keymap: &Keymap, width: u16) -> Vec<HelpLine> {
    // The explanation first, wrapped (not cut) inside the box; then the key that always works.
    let intro = "Keys are looked up in the focused pane's table, then Lists, then Everywhere.";
    let mut out: Vec<HelpLine> = if width == 0 {
        vec![HelpLine::Whole(intro.into(), Look::Dim)]
    } else {
        super::text::wrap(intro, (width as usize).saturating_sub(2).max(10))
            .into_iter()
            .map(|l| HelpLine::Whole(l, Look::Dim))
            .collect()
    };
    out.push(HelpLine::Whole(
        "ctrl-c        Quit (always)".into(),
        Look::Dim,
    ));
    for ctx in Context::ALL {
        let groups = keymap.grouped(*ctx);
        if !groups.is_empty() {
            out.push(HelpLine::Whole(String::new(), Look::Plain));
            out.push(HelpLine::Whole(
                format!("{} [keys.{}]", ctx.title(), ctx.name()),
                Look::Header,
            ));
            for (action, keys) in groups {
                let e = registry::entry(action);
                action_lines(&mut out, &keys_text(&keys), e.id(), e.description, width);
            }
        }
        if *ctx == Context::Palette {
            let unbound: Vec<&registry::Entry> = registry::all()
                .iter()
                .filter(|e| {
                    Context::ALL
                        .iter()
                        .all(|c| keymap.keys_for(&[*c], e.action).is_empty())
                })
                .collect();
            if !unbound.is_empty() {
                out.push(HelpLine::Whole(String::new(), Look::Plain));
                out.push(HelpLine::Whole(
                    "Bound to no key: run them from the palette (: or ctrl-p)".into(),
                    Look::Header,
                ));
                for e in unbound {
                    action_lines(&mut out, ":", e.id(), e.description, width);
                }
            }
        }
    }
    out.push(HelpLine::Whole(String::new(), Look::Plain));
    out.push(HelpLine::Whole("Status bar".into(), Look::Header));
    for l in [
        "  12 pending · 3 ✓ · 1 ✗   changes to review · approved · rejected",
        "  · 2 !  · 1 ⚠  · 5 ●      failed · conflict (changed in GHL) · applied",
        "  12p 3✓ 1✗ 5●             the same, short, when a message needs the room",
        "  sending 3/10             a send in progress (ctrl-x stops it)",
        "  API 76/100               requests left in GHL's rate-limit window",
        "  … (m)                    a message cut short: m shows them in full",
        "  Times are Israel time (Asia/Jerusalem).",
    ] {
        out.push(HelpLine::Whole(l.into(), Look::Plain));
    }
    out
}

/// How many lines the help has at `width` columns (the scroll limit).
pub fn line_count(keymap: &Keymap, width: u16) -> usize {
    help_lines(keymap, width).len()
}
