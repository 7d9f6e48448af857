//! The selected contact: every field, custom fields by name, DND per channel, tags; or the
//! raw JSON record.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{label, short_time, value};
use crate::domain::Contact;
use crate::tui::app::{App, Pane};
use crate::tui::text;

const LABEL: usize = 11;

fn field(lines: &mut Vec<Line<'static>>, app: &App, name: &str, v: Option<&str>) {
    if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
        lines.push(Line::from(vec![label(name, LABEL, &app.theme), value(v)]));
    }
}

fn contact_lines(app: &App, c: &Contact) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut l: Vec<Line<'static>> = Vec::new();
    field(&mut l, app, "Name", Some(&c.display_name()));
    if c.full_name
        .as_deref()
        .is_some_and(|f| f != c.display_name())
    {
        field(&mut l, app, "Full name", c.full_name.as_deref());
    }
    field(&mut l, app, "Email", c.email.as_deref());
    for e in &c.additional_emails {
        field(&mut l, app, "Also email", Some(e));
    }
    field(&mut l, app, "Phone", c.phone.as_deref());
    field(&mut l, app, "Company", c.company_name.as_deref());
    let addr: Vec<&str> = [&c.address1, &c.city, &c.state, &c.postal_code, &c.country]
        .into_iter()
        .filter_map(|x| x.as_deref())
        .filter(|x| !x.trim().is_empty())
        .collect();
    if !addr.is_empty() {
        field(&mut l, app, "Address", Some(&addr.join(", ")));
    }
    field(&mut l, app, "Website", c.website.as_deref());
    field(&mut l, app, "Type", c.contact_type.as_deref());
    field(&mut l, app, "Source", c.source.as_deref());
    field(&mut l, app, "Owner", c.assigned_to.as_deref());
    field(&mut l, app, "Birthday", c.date_of_birth.as_deref());
    field(&mut l, app, "Timezone", c.timezone.as_deref());
    field(
        &mut l,
        app,
        "Added",
        c.date_added.as_deref().map(short_time).as_deref(),
    );
    field(
        &mut l,
        app,
        "Updated",
        c.date_updated.as_deref().map(short_time).as_deref(),
    );
    if !c.tags.is_empty() {
        field(&mut l, app, "Tags", Some(&c.tags.join(", ")));
    }
    let dnd = if c.dnd { "ON (all channels)" } else { "off" };
    l.push(Line::from(vec![
        label("DND", LABEL, t),
        Span::styled(dnd.to_owned(), if c.dnd { t.warn() } else { t.dim() }),
    ]));
    for ch in &c.dnd_settings {
        let mut s = format!("{}: {}", text::clean(&ch.channel), text::clean(&ch.status));
        if let Some(m) = ch.message.as_deref().filter(|m| !m.is_empty()) {
            s.push_str(&format!(" ({})", text::clean(m)));
        }
        l.push(Line::from(vec![Span::raw(" ".repeat(LABEL)), Span::raw(s)]));
    }
    field(&mut l, app, "ID", Some(&c.id));
    if !c.custom_fields.is_empty() {
        l.push(Line::raw(""));
        l.push(Line::styled("Custom fields", t.header()));
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
            l.push(Line::from(vec![
                Span::styled(format!("{name}: "), t.label()),
                Span::raw(v),
            ]));
        }
    }
    l
}

fn raw_lines(c: &Contact) -> Vec<Line<'static>> {
    let pretty = serde_json::from_str::<serde_json::Value>(&c.raw_json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&crate::sanitize::clean_json(&v)).ok())
        .unwrap_or_else(|| c.raw_json.clone());
    if pretty.trim().is_empty() {
        return vec![Line::raw("(no raw record cached)")];
    }
    text::clean_lines(&pretty)
        .into_iter()
        .map(Line::raw)
        .collect()
}

/// The lines of the pane (before wrapping).
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(d) = &app.details else {
        return vec![Line::styled("No contact selected.", t.dim())];
    };
    let mut l = Vec::new();
    if let Some(e) = &d.error {
        l.push(Line::styled(text::clean(e), t.error()));
    }
    match &d.contact {
        None => {
            l.push(Line::styled("Not in the cache yet.", t.dim()));
            if d.fetching {
                l.push(Line::styled("Fetching…", t.dim()));
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

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Details && app.help.is_none();
    let mut title = if app.raw_json {
        "Details (raw JSON)".to_owned()
    } else {
        "Details".to_owned()
    };
    if app.details.as_ref().is_some_and(|d| d.fetching) {
        title.push_str(" ⟳");
    }
    let block = super::block(title, focused, &app.theme);
    let p = Paragraph::new(lines(app))
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.details_scroll, 0));
    f.render_widget(p, area);
}
