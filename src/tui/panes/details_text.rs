//! The details pane's content, built without drawing: every field of the selected contact
//! (custom fields by name, DND per channel, tags) or its raw JSON record, as lines of text with
//! a [`Look`] each. The update side counts them (the scroll limit, [`line_count`]); the
//! renderer ([`super::details`]) styles and draws them.

use super::short_time;
use crate::domain::Contact;
use crate::tui::app::App;
use crate::tui::look::{Look, TextLine};
use crate::tui::text;

/// A label cell (fixed width, [`LABEL`] columns) of a field line.
fn label(name: &str) -> (String, Look) {
    (text::fit(name, LABEL), Look::Label)
}

/// Plain untrusted text, cleaned.
fn value(v: &str) -> (String, Look) {
    (text::clean(v), Look::Plain)
}

const LABEL: usize = 11;

fn field(lines: &mut Vec<TextLine>, name: &str, v: Option<&str>) {
    if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
        lines.push(TextLine::Pieces(vec![label(name), value(v)]));
    }
}

fn contact_lines(app: &App, c: &Contact) -> Vec<TextLine> {
    let mut l: Vec<TextLine> = Vec::new();
    field(&mut l, "Name", Some(&c.display_name()));
    if c.full_name
        .as_deref()
        .is_some_and(|f| f != c.display_name())
    {
        field(&mut l, "Full name", c.full_name.as_deref());
    }
    field(&mut l, "Email", c.email.as_deref());
    for e in &c.additional_emails {
        field(&mut l, "Also email", Some(e));
    }
    field(&mut l, "Phone", c.phone.as_deref());
    field(&mut l, "Company", c.company_name.as_deref());
    let addr: Vec<&str> = [&c.address1, &c.city, &c.state, &c.postal_code, &c.country]
        .into_iter()
        .filter_map(|x| x.as_deref())
        .filter(|x| !x.trim().is_empty())
        .collect();
    if !addr.is_empty() {
        field(&mut l, "Address", Some(&addr.join(", ")));
    }
    field(&mut l, "Website", c.website.as_deref());
    field(&mut l, "Type", c.contact_type.as_deref());
    field(&mut l, "Source", c.source.as_deref());
    field(&mut l, "Owner", c.assigned_to.as_deref());
    field(&mut l, "Birthday", c.date_of_birth.as_deref());
    field(&mut l, "Timezone", c.timezone.as_deref());
    field(
        &mut l,
        "Added",
        c.date_added.as_deref().map(short_time).as_deref(),
    );
    field(
        &mut l,
        "Updated",
        c.date_updated.as_deref().map(short_time).as_deref(),
    );
    if !c.tags.is_empty() {
        field(&mut l, "Tags", Some(&c.tags.join(", ")));
    }
    let dnd = if c.dnd { "ON (all channels)" } else { "off" };
    l.push(TextLine::Pieces(vec![
        label("DND"),
        (dnd.to_owned(), if c.dnd { Look::Warn } else { Look::Dim }),
    ]));
    for ch in &c.dnd_settings {
        let mut s = format!("{}: {}", text::clean(&ch.channel), text::clean(&ch.status));
        if let Some(m) = ch.message.as_deref().filter(|m| !m.is_empty()) {
            s.push_str(&format!(" ({})", text::clean(m)));
        }
        l.push(TextLine::Pieces(vec![
            (" ".repeat(LABEL), Look::Plain),
            (s, Look::Plain),
        ]));
    }
    field(&mut l, "ID", Some(&c.id));
    if !c.custom_fields.is_empty() {
        l.push(TextLine::raw(""));
        l.push(TextLine::whole("Custom fields", Look::Header));
        let mut cf: Vec<(String, String)> = c
            .custom_fields
            .iter()
            .map(|v| {
                let def = app.custom_fields.get(&v.id);
                let name = def.map(|d| d.name.clone()).unwrap_or_else(|| v.id.clone());
                let value = crate::domain::custom_field::format_custom(def, v);
                (text::clean(&name), text::clean(&value))
            })
            .collect();
        cf.sort();
        for (name, v) in cf {
            l.push(TextLine::Pieces(vec![
                (format!("{name}: "), Look::Label),
                (v, Look::Plain),
            ]));
        }
    }
    l
}

fn raw_lines(c: &Contact) -> Vec<TextLine> {
    let pretty = serde_json::from_str::<serde_json::Value>(&c.raw_json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&crate::sanitize::clean_json(&v)).ok())
        .unwrap_or_else(|| c.raw_json.clone());
    if pretty.trim().is_empty() {
        return vec![TextLine::raw("(no raw record cached)")];
    }
    text::clean_lines(&pretty)
        .into_iter()
        .map(TextLine::raw)
        .collect()
}

/// The lines of the pane (before wrapping): text and looks, styled by the renderer.
pub fn lines(app: &App) -> Vec<TextLine> {
    let Some(d) = &app.details else {
        return vec![TextLine::whole("No contact selected.", Look::Dim)];
    };
    let mut l = Vec::new();
    if let Some(e) = &d.error {
        l.push(TextLine::whole(text::clean(e), Look::Error));
    }
    match &d.contact {
        None => {
            l.push(TextLine::whole("Not in the cache yet.", Look::Dim));
            if d.fetching {
                l.push(TextLine::whole("Fetching…", Look::Dim));
            }
        }
        Some(c) if app.raw_json => l.extend(raw_lines(c)),
        Some(c) => l.extend(contact_lines(app, c)),
    }
    l
}

/// Number of lines (before wrapping), for scroll limits.
pub fn line_count(app: &App) -> usize {
    lines(app).len()
}
