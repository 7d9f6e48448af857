//! The details pane's content, built without drawing: the selected contact's id and owner
//! first, followers by name, every field (custom fields by name, DND in one line, tags), each
//! marked with the value a change not yet sent would write ([`super::pending_text`]), or its
//! raw JSON record, as lines of text with a [`Look`] each and what `y` copies from each line.
//! The update side counts them (the field cursor and scroll limits: [`line_count`],
//! [`visual_rows`], [`copy_at`]); the renderer ([`super::details`]) styles and draws them.

use super::pending_text::{self, PendingValue};
use super::short_time;
use crate::domain::{Contact, UserName};
use crate::tui::app::{App, Pane};
use crate::tui::look::{Look, TextLine};
use crate::tui::text;

/// What `y` copies from a line: what it is (`phone`, a custom field's name) and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub what: String,
    pub value: String,
}

/// One line of the pane and what `y` copies from it (`None`: nothing to copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailLine {
    pub line: TextLine,
    pub copy: Option<Copy>,
}

const LABEL: usize = 11;

/// Builds the lines, claiming pending values field by field.
struct Builder {
    pending: Vec<PendingValue>,
    claimed: Vec<bool>,
    out: Vec<DetailLine>,
}

impl Builder {
    fn new(app: &App, id: &str) -> Builder {
        let pending = pending_text::values(app, id);
        let claimed = vec![false; pending.len()];
        Builder {
            pending,
            claimed,
            out: Vec::new(),
        }
    }

    /// The pending values of the fields `is` accepts (claimed: not listed again at the end).
    fn take(&mut self, is: impl Fn(&str) -> bool) -> Vec<PendingValue> {
        let mut v = Vec::new();
        for (i, p) in self.pending.iter().enumerate() {
            if is(&p.field) {
                self.claimed[i] = true;
                v.push(p.clone());
            }
        }
        v
    }

    /// A field line: label, value (cleaned), then any pending values of `fields`. Shown when
    /// it has a value or a pending one.
    fn field(&mut self, name: &str, v: Option<&str>, fields: &[&str], copy: &str) {
        let pend = self.take(|f| fields.contains(&f));
        self.line(name, v, Look::Plain, pend, copy);
    }

    fn line(
        &mut self,
        name: &str,
        v: Option<&str>,
        look: Look,
        pend: Vec<PendingValue>,
        copy: &str,
    ) {
        let v = v.filter(|v| !v.trim().is_empty()).map(text::clean);
        if v.is_none() && pend.is_empty() {
            return;
        }
        // A pending value marks the label with `*`; a label longer than the column (a custom
        // field's name) is written whole, followed by `: `.
        let star = if pend.is_empty() { "" } else { "*" };
        let name = format!("{name}{star}");
        let label_text = if text::width(&name) < LABEL {
            text::fit(&name, LABEL)
        } else {
            format!("{name}: ")
        };
        let mut pieces = vec![(label_text, Look::Label)];
        match &v {
            Some(v) => pieces.push((v.clone(), look)),
            None => pieces.push(("—".into(), Look::Dim)),
        }
        let several = pend.len() > 1;
        for p in &pend {
            let what = if several {
                format!("{}: {}", p.label, p.value)
            } else {
                p.value.clone()
            };
            pieces.push((format!(" → {what}"), Look::Added));
            pieces.push((format!(" {}", p.tag()), Look::Warn));
        }
        let copy = v.map(|value| Copy {
            what: copy.to_owned(),
            value,
        });
        self.out.push(DetailLine {
            line: TextLine::Pieces(pieces),
            copy,
        });
    }

    /// A line made of several fields (the address): each pending value says which part it
    /// changes and from what, `Address*   US · City: (empty) → Haifa (pending #48)`, so a city
    /// edit does not read like a new country.
    fn compound(
        &mut self,
        name: &str,
        v: Option<&str>,
        parts: &[(&str, Option<&str>)],
        copy: &str,
    ) {
        let mut pend = self.take(|f| parts.iter().any(|(p, _)| *p == f));
        for p in &mut pend {
            let now = parts
                .iter()
                .find(|(f, _)| *f == p.field)
                .and_then(|(_, v)| *v)
                .filter(|v| !v.trim().is_empty())
                .map_or_else(|| "(empty)".to_owned(), text::clean);
            p.label = format!("{}: {now}", p.label);
        }
        let start = self.out.len();
        self.line(name, v, Look::Plain, Vec::new(), copy);
        if pend.is_empty() {
            return;
        }
        if self.out.len() == start {
            self.out.push(DetailLine {
                line: TextLine::Pieces(vec![(String::new(), Look::Label), ("—".into(), Look::Dim)]),
                copy: None,
            });
        }
        let Some(DetailLine {
            line: TextLine::Pieces(pieces),
            ..
        }) = self.out.last_mut()
        else {
            return;
        };
        pieces[0].0 = {
            let name = format!("{name}*");
            if text::width(&name) < LABEL {
                text::fit(&name, LABEL)
            } else {
                format!("{name}: ")
            }
        };
        for p in &pend {
            pieces.push((format!(" · {} → ", p.label), Look::Dim));
            pieces.push((p.value.clone(), Look::Added));
            pieces.push((format!(" {}", p.tag()), Look::Warn));
        }
    }

    fn push(&mut self, line: TextLine) {
        self.out.push(DetailLine { line, copy: None });
    }
}

fn contact_lines(app: &App, c: &Contact) -> Vec<DetailLine> {
    let mut b = Builder::new(app, &c.id);
    if let Some((id, approved)) = pending_text::delete_of(app, &c.id) {
        b.push(TextLine::whole(
            format!("Deleted by {}", pending_text::tag(id, approved)),
            Look::Warn,
        ));
    }
    b.field("ID", Some(&c.id), &[], "id");
    if let Some(at) = app.from_ghl.get(&c.id) {
        b.push(TextLine::whole(
            format!(
                "Updated from GHL {} (webhook)",
                crate::clock::short(*at, app.now())
            ),
            Look::Added,
        ));
    }
    // The owner by name; an id the location does not know is marked.
    let pend = b.take(|f| f == "assignedTo");
    match c.assigned_to.as_deref().filter(|o| !o.trim().is_empty()) {
        Some(owner) => {
            let (name, look) = match app.users.name(owner) {
                UserName::Known(n) => (n.to_owned(), Look::Plain),
                // A user the location does not know (the demo keeps one on purpose): dimmed.
                u @ UserName::Unknown(_) => (u.to_string(), Look::Dim),
            };
            b.line("Owner", Some(&name), look, pend, "owner");
        }
        None => b.line("Owner", None, Look::Plain, pend, "owner"),
    }
    let followers: Vec<String> = crate::sync::ops::followers_of(c)
        .iter()
        .map(|f| app.users.display(f))
        .collect();
    let followers = followers.join(", ");
    b.field("Followers", Some(&followers), &["followers"], "followers");
    b.field(
        "Name",
        Some(&c.display_name()),
        &["firstName", "lastName", "name"],
        "name",
    );
    if c.full_name
        .as_deref()
        .is_some_and(|f| f != c.display_name())
    {
        b.field("Full name", c.full_name.as_deref(), &[], "full name");
    }
    b.field("Email", c.email.as_deref(), &["email"], "email");
    for e in &c.additional_emails {
        b.field("Also email", Some(e), &[], "email");
    }
    b.field("Phone", c.phone.as_deref(), &["phone"], "phone");
    b.field(
        "Company",
        c.company_name.as_deref(),
        &["companyName"],
        "company",
    );
    let addr: Vec<&str> = [&c.address1, &c.city, &c.state, &c.postal_code, &c.country]
        .into_iter()
        .filter_map(|x| x.as_deref())
        .filter(|x| !x.trim().is_empty())
        .collect();
    let addr = addr.join(", ");
    b.compound(
        "Address",
        Some(&addr),
        &[
            ("address1", c.address1.as_deref()),
            ("city", c.city.as_deref()),
            ("state", c.state.as_deref()),
            ("postalCode", c.postal_code.as_deref()),
            ("country", c.country.as_deref()),
        ],
        "address",
    );
    b.field("Website", c.website.as_deref(), &["website"], "website");
    b.field("Type", c.contact_type.as_deref(), &["type"], "type");
    b.field("Source", c.source.as_deref(), &["source"], "source");
    b.field(
        "Birthday",
        c.date_of_birth.as_deref(),
        &["dateOfBirth"],
        "birthday",
    );
    b.field("Timezone", c.timezone.as_deref(), &["timezone"], "timezone");
    b.field(
        "Added",
        c.date_added.as_deref().map(short_time).as_deref(),
        &[],
        "added",
    );
    b.field(
        "Updated",
        c.date_updated.as_deref().map(short_time).as_deref(),
        &[],
        "updated",
    );
    b.field("Tags", Some(&c.tags.join(", ")), &["tags"], "tags");
    // DND in one line: the global switch, then each channel.
    let mut dnd = if c.dnd {
        "ON (all channels)".to_owned()
    } else {
        "off".to_owned()
    };
    for ch in &c.dnd_settings {
        let on = ch.status.eq_ignore_ascii_case("active");
        dnd.push_str(&format!(
            " · {} {}",
            text::clean(&ch.channel),
            if on { "on" } else { "off" }
        ));
        if let Some(m) = ch.message.as_deref().filter(|m| !m.is_empty()) {
            dnd.push_str(&format!(" ({})", text::clean(m)));
        }
    }
    let pend = b.take(|f| f == "dnd" || f.starts_with("dndSettings."));
    b.line(
        "DND",
        Some(&dnd),
        if c.dnd { Look::Warn } else { Look::Dim },
        pend,
        "DND",
    );
    if !c.custom_fields.is_empty() {
        let mut cf: Vec<(String, String, String)> = c
            .custom_fields
            .iter()
            .map(|v| {
                let def = app.custom_fields.get(&v.id);
                let name = def.map(|d| d.name.clone()).unwrap_or_else(|| v.id.clone());
                let value = crate::domain::custom_field::format_custom(def, v);
                (text::clean(&name), value, v.id.clone())
            })
            .collect();
        cf.sort();
        b.push(TextLine::raw(""));
        b.push(TextLine::whole("Custom fields", Look::Header));
        for (name, v, id) in cf {
            let key = format!("customFields.{id}");
            let pend = b.take(|f| f == key);
            b.line(&name, Some(&v), Look::Plain, pend, &name);
        }
    }
    // Pending values of fields shown nowhere above (a custom field not set yet, …).
    let rest: Vec<PendingValue> = b
        .pending
        .iter()
        .zip(&b.claimed)
        .filter(|(_, c)| !**c)
        .map(|(p, _)| p.clone())
        .collect();
    if !rest.is_empty() {
        b.push(TextLine::raw(""));
        b.push(TextLine::whole("Pending", Look::Header));
        for p in rest {
            let label = p.label.clone();
            b.line(&label, None, Look::Plain, vec![p], &label);
        }
    }
    b.out
}

fn raw_lines(c: &Contact) -> Vec<DetailLine> {
    let pretty = serde_json::from_str::<serde_json::Value>(&c.raw_json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&crate::sanitize::clean_json(&v)).ok())
        .unwrap_or_else(|| c.raw_json.clone());
    if pretty.trim().is_empty() {
        return vec![DetailLine {
            line: TextLine::raw("(no raw record cached)"),
            copy: None,
        }];
    }
    text::clean_lines(&pretty)
        .into_iter()
        .map(|l| DetailLine {
            copy: Some(Copy {
                what: "JSON line".into(),
                value: l.trim().to_owned(),
            }),
            line: TextLine::raw(l),
        })
        .collect()
}

/// Every line of the pane (before wrapping) with what `y` copies from it.
pub fn rows(app: &App) -> Vec<DetailLine> {
    let plain = |line| DetailLine { line, copy: None };
    let Some(d) = &app.details else {
        return vec![plain(TextLine::whole("No contact selected.", Look::Dim))];
    };
    let mut l = Vec::new();
    if let Some(e) = &d.error {
        l.push(plain(TextLine::whole(text::clean(e), Look::Error)));
    }
    match &d.contact {
        None => {
            l.push(plain(TextLine::whole("Not in the cache yet.", Look::Dim)));
            if d.fetching {
                l.push(plain(TextLine::whole("Fetching…", Look::Dim)));
            }
        }
        Some(c) if app.raw_json => l.extend(raw_lines(c)),
        Some(c) => l.extend(contact_lines(app, c)),
    }
    l
}

/// The whole text of a line.
pub fn flat(l: &TextLine) -> String {
    match l {
        TextLine::Whole(s, _) => s.clone(),
        TextLine::Pieces(p) => p.iter().map(|(s, _)| s.as_str()).collect(),
    }
}

/// The lines of the pane (before wrapping): text and looks, styled by the renderer. The line
/// under the field cursor is highlighted while the pane has the keyboard.
pub fn lines(app: &App) -> Vec<TextLine> {
    let focused = app.focus == Pane::Details && app.help.is_none();
    rows(app)
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            if focused && i == app.details_cursor {
                TextLine::whole(flat(&r.line), Look::Selected)
            } else {
                r.line
            }
        })
        .collect()
}

/// Number of lines (before wrapping), for the field cursor.
pub fn line_count(app: &App) -> usize {
    rows(app).len()
}

/// What `y` copies from line `i`.
pub fn copy_at(app: &App, i: usize) -> Option<Copy> {
    rows(app).into_iter().nth(i).and_then(|r| r.copy)
}

/// The screen rows each line takes when wrapped at `width` cells (at least one each).
pub fn visual_rows(app: &App, width: usize) -> Vec<usize> {
    rows(app)
        .iter()
        .map(|r| text::wrap(&flat(&r.line), width.max(1)).len().max(1))
        .collect()
}
