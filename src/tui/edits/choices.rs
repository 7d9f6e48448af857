//! What the field picker (`e`) offers for the selected contact: the standard fields, the owner,
//! tags, source, do-not-disturb (all channels and each one) and every custom field the
//! location defines, each with the contact's current value as text. Pure (no drawing).

use crate::domain::{Contact, CustomFieldDef};
use crate::tui::app::App;

/// One entry of the field picker.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// A standard field typed on one line (`firstName`, `email`, `source`, …).
    Field {
        field: &'static str,
        label: &'static str,
    },
    /// The owner (`assignedTo`), chosen from the location's users on the `:` line.
    Owner,
    /// Tags, added (`+tag` or `tag`) and removed (`-tag`) on the `:` line.
    Tags,
    /// DND on every channel (`None`) or one channel: toggled at once.
    Dnd(Option<&'static str>),
    /// A custom field of the location, typed and checked by its definition.
    Custom(CustomFieldDef),
}

impl Choice {
    /// What the picker calls it (`Owner`, `DND SMS`, a custom field's name).
    pub fn label(&self) -> String {
        match self {
            Choice::Field { label, .. } => (*label).to_owned(),
            Choice::Owner => "Owner".into(),
            Choice::Tags => "Tags".into(),
            Choice::Dnd(None) => "DND (all)".into(),
            Choice::Dnd(Some(ch)) => format!("DND {ch}"),
            Choice::Custom(d) => d.name.clone(),
        }
    }

    /// The contact's value now, as text (owner by name; `–` when empty).
    pub fn current(&self, app: &App, c: &Contact) -> String {
        let v = match self {
            Choice::Field { field, .. } => crate::sync::diff::ghl_value(c, field),
            Choice::Owner => c.assigned_to.as_deref().map(|id| app.users.display(id)),
            Choice::Tags => crate::sync::diff::ghl_value(c, "tags"),
            Choice::Dnd(None) => crate::sync::diff::ghl_value(c, "dnd"),
            Choice::Dnd(Some(ch)) => crate::sync::diff::ghl_value(c, &format!("dndSettings.{ch}")),
            Choice::Custom(d) => c
                .custom_fields
                .iter()
                .find(|v| v.id == d.id)
                .map(|v| d.format(v)),
        };
        v.filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "–".into())
    }
}

/// Every choice for the selected contact, in picker order: standard fields, owner, tags,
/// source, DND, then the location's editable custom fields by name.
pub fn choices(app: &App) -> Vec<Choice> {
    let mut out: Vec<Choice> = super::CONTACT_FIELDS
        .iter()
        .map(|(field, label)| Choice::Field { field, label })
        .collect();
    out.push(Choice::Owner);
    out.push(Choice::Tags);
    out.push(Choice::Field {
        field: "source",
        label: "Source",
    });
    out.push(Choice::Dnd(None));
    out.extend(
        crate::domain::contact::DND_CHANNELS
            .iter()
            .map(|ch| Choice::Dnd(Some(ch))),
    );
    let mut defs: Vec<&CustomFieldDef> = app
        .custom_fields
        .values()
        .filter(|d| d.kind_hint().is_some() && !d.field_key.starts_with("opportunity."))
        .collect();
    defs.sort_by_key(|d| d.name.to_lowercase());
    out.extend(defs.into_iter().cloned().map(Choice::Custom));
    out
}
