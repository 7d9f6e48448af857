//! Header → field mapping by configurable aliases (Hebrew and English), never by position.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::bmby::normalize::match_key;

/// The [`crate::bmby::BmbyClient`] fields an export column can fill. Serialized in
/// snake_case with Bmby's own names (`client_id`, `fname`, …) so aliases can live in config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    ClientId,
    Fname,
    Lname,
    /// A whole name (`client_name`); used as `fname` (to be split by normalization) when the
    /// row has no first and last name of its own.
    FullName,
    Email,
    PhoneMobile,
    PhoneHome,
    PhoneWork,
    Passport,
    BirthDay,
    Address,
    City,
    CompanyName,
    Status,
    Remark,
    MediaTitle,
    UserName,
    ClientDate,
    UpdateDate,
}

impl Field {
    /// All fields, in the order of [`ColumnAliases::defaults`].
    pub const ALL: [Field; 19] = [
        Field::ClientId,
        Field::Fname,
        Field::Lname,
        Field::FullName,
        Field::Email,
        Field::PhoneMobile,
        Field::PhoneHome,
        Field::PhoneWork,
        Field::Passport,
        Field::BirthDay,
        Field::Address,
        Field::City,
        Field::CompanyName,
        Field::Status,
        Field::Remark,
        Field::MediaTitle,
        Field::UserName,
        Field::ClientDate,
        Field::UpdateDate,
    ];

    /// Bmby's field name (`client_id`, `phone_mobile`, …; `client_name` for [`Field::FullName`]).
    pub fn bmby_name(self) -> &'static str {
        match self {
            Field::ClientId => "client_id",
            Field::Fname => "fname",
            Field::Lname => "lname",
            Field::FullName => "client_name",
            Field::Email => "email",
            Field::PhoneMobile => "phone_mobile",
            Field::PhoneHome => "phone_home",
            Field::PhoneWork => "phone_work",
            Field::Passport => "passport",
            Field::BirthDay => "birth_day",
            Field::Address => "address",
            Field::City => "city",
            Field::CompanyName => "company_name",
            Field::Status => "status",
            Field::Remark => "remark",
            Field::MediaTitle => "media_title",
            Field::UserName => "user_name",
            Field::ClientDate => "client_date",
            Field::UpdateDate => "update_date",
        }
    }

    fn default_aliases(self) -> &'static [&'static str] {
        match self {
            Field::ClientId => &["client_id", "bmby_id", "מספר לקוח", "מזהה", "מזהה לקוח"],
            Field::Fname => &["fname", "first_name", "first name", "firstname", "שם פרטי"],
            Field::Lname => &[
                "lname",
                "family_name",
                "last_name",
                "last name",
                "lastname",
                "surname",
                "שם משפחה",
            ],
            Field::FullName => &[
                "client_name",
                "full_name",
                "name",
                "שם",
                "שם מלא",
                "שם לקוח",
            ],
            Field::Email => &[
                "email",
                "e-mail",
                "email address",
                "mail",
                "אימייל",
                "דוא\"ל",
                "מייל",
                "דואר אלקטרוני",
            ],
            Field::PhoneMobile => &[
                "phone_mobile",
                "cellphone_nubmer",
                "cellphone_number",
                "Phone_number",
                "phone",
                "mobile",
                "mobile phone",
                "cellphone",
                "cell phone",
                "נייד",
                "טלפון נייד",
                "סלולרי",
                "טלפון סלולרי",
                "פלאפון",
            ],
            Field::PhoneHome => &[
                "phone_home",
                "טלפון",
                "additional_phone_number",
                "home phone",
                "טלפון בית",
                "טלפון בבית",
                "טלפון נוסף",
            ],
            Field::PhoneWork => &[
                "phone_work",
                "work phone",
                "office phone",
                "טלפון עבודה",
                "טלפון בעבודה",
                "טלפון במשרד",
            ],
            Field::Passport => &[
                "passport",
                "id_number",
                "ת.ז.",
                "ת.ז",
                "ת\"ז",
                "תז",
                "תעודת זהות",
            ],
            Field::BirthDay => &["birth_day", "birthday", "תאריך לידה"],
            Field::Address => &["address", "כתובת"],
            Field::City => &["city", "Ctiy", "עיר", "יישוב", "ישוב"],
            Field::CompanyName => &["company_name", "company", "חברה", "שם חברה"],
            Field::Status => &["status", "סטאטוס", "סטטוס"],
            Field::Remark => &["remark", "Comment", "comments", "הערות", "הערה"],
            Field::MediaTitle => &["media_title", "מקור הגעה", "source", "מדיה"],
            Field::UserName => &["user_name", "agent", "איש מכירות", "נציג"],
            Field::ClientDate => &[
                "client_date",
                "registration_date",
                "תאריך כניסה",
                "תאריך יצירה",
            ],
            Field::UpdateDate => &["update_date", "last_communication_date", "תאריך עדכון"],
        }
    }
}

/// The comparison form of a header (or alias): [`match_key`] (entities decoded, controls and
/// bidi marks removed, NFC, whitespace collapsed, Hebrew geresh/gershayim/maqaf folded to
/// ASCII, lowercased) with `_` read as a space, so `First_Name`, `first name` and
/// `\u{200f}FIRST NAME` are the same header.
pub fn header_key(s: &str) -> String {
    match_key(&s.replace('_', " "))
}

/// Aliases per field. Serialized as a map from Bmby field name to a list of header spellings,
/// e.g. `{ "client_id": ["מס' לקוח"] }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ColumnAliases {
    pub fields: BTreeMap<Field, Vec<String>>,
}

impl ColumnAliases {
    /// The built-in table (bmby.md §3.5 field names and §5 export headers; see [`Field`]).
    pub fn defaults() -> Self {
        ColumnAliases {
            fields: Field::ALL
                .iter()
                .map(|&f| {
                    (
                        f,
                        f.default_aliases().iter().map(|s| s.to_string()).collect(),
                    )
                })
                .collect(),
        }
    }

    /// Adds user aliases for one field (builder style).
    pub fn with(mut self, field: Field, aliases: &[&str]) -> Self {
        self.fields
            .entry(field)
            .or_default()
            .extend(aliases.iter().map(|s| s.to_string()));
        self
    }

    /// `overrides` merged over `self`: a user alias is added to its field (tried first), and a
    /// header spelling claimed by the user for one field is removed from every other field, so
    /// the user's mapping always wins. A spelling is listed once per field (comparing
    /// [`header_key`]s), also when `overrides` already holds `self` (merging twice changes
    /// nothing).
    pub fn merged(&self, overrides: &ColumnAliases) -> ColumnAliases {
        let claimed: BTreeMap<String, Field> = overrides
            .fields
            .iter()
            .flat_map(|(&f, list)| list.iter().map(move |a| (header_key(a), f)))
            .collect();
        let mut out = BTreeMap::new();
        for f in Field::ALL {
            let mut list: Vec<String> = overrides.fields.get(&f).cloned().unwrap_or_default();
            for a in self.fields.get(&f).into_iter().flatten() {
                if claimed.get(&header_key(a)).is_none_or(|&g| g == f) {
                    list.push(a.clone());
                }
            }
            let mut seen = std::collections::HashSet::new();
            list.retain(|a| seen.insert(header_key(a)));
            out.insert(f, list);
        }
        ColumnAliases { fields: out }
    }

    /// The aliases of one field (empty when none).
    pub fn aliases(&self, field: Field) -> &[String] {
        self.fields.get(&field).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The field a header names, comparing [`header_key`]s; `None` for unknown headers
    /// (which become custom fields). Fields are tried in [`Field::ALL`] order.
    pub fn field_for(&self, header: &str) -> Option<Field> {
        let key = header_key(header);
        if key.is_empty() {
            return None;
        }
        Field::ALL
            .into_iter()
            .find(|&f| self.aliases(f).iter().any(|a| header_key(a) == key))
    }
}
