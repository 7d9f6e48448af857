//! The contact list in memory, compact (issue #14): every list row's text in one arena, the
//! low-cardinality fields (owner, source, type, business, tags) as small integers into one
//! string table, interned together as a row's *profile* (the rows with the same owner,
//! source, type, business and tags share one), fixed-size records with offsets. 32 bytes a
//! row plus its text (issue #14: 48, and 4 bytes a tag, before profiles: 24 MB more at 1M
//! generated contacts), against about 540 for a [`ContactRow`] with its own `String`s (nine
//! allocations a row).
//!
//! A [`RowList`] is built once per load ([`RowListBuilder`], or `From<Vec<ContactRow>>`) and
//! not changed afterwards; a reload builds a new one. [`RowList::get`] gives a [`RowRef`]: a
//! borrowed row with the same field names as [`ContactRow`] (`r.id`, `r.name`, `r.tags`, …),
//! built from the offsets on each call (cheap: no allocation).
//!
//! [`RowSet`] is what code that only needs ids, names, emails and update times reads, so it
//! works the same over a `RowList` and a `[ContactRow]` (the CLI and tests still read the
//! latter from [`crate::store::Store::contact_rows`]).

use std::collections::HashMap;

use super::ContactRow;

mod bytes;

/// Index into a [`RowList`]'s string table; `0` is the empty string.
type Sym = u32;

/// One row: offsets into the text arena and its profile. Field ends are absolute byte
/// offsets; the id starts at `start`, each later field at the end of the one before. 32 bytes.
#[derive(Debug, Clone, Copy)]
struct Packed {
    start: u32,
    id_end: u32,
    name_end: u32,
    email_end: u32,
    phone_end: u32,
    date_end: u32,
    /// Index into [`RowList::profiles`].
    profile: u32,
    dnd: bool,
    dnd_channels: u8,
}

/// The low-cardinality fields of a row, as symbols; held once for every row that has the
/// same ones ([`RowList::profiles`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Profile {
    owner: Sym,
    source: Sym,
    contact_type: Sym,
    business: Sym,
    /// First tag in [`RowList::tags`].
    tags_start: u32,
    tags_len: u16,
}

/// Every list row, compact (see the module doc). Immutable once built; cheap to share in an
/// `Arc`.
#[derive(Default)]
pub struct RowList {
    /// `id name email phone date_updated` of every row, back to back.
    text: String,
    rows: Vec<Packed>,
    /// The distinct profiles of the rows.
    profiles: Vec<Profile>,
    /// Tag symbols of every profile, back to back.
    tags: Vec<Sym>,
    /// The string table; `strings[0]` is `""`.
    strings: Vec<Box<str>>,
    /// The rows in name order ([`order_by_name`]), when known (kept in the store's list
    /// snapshot, so a start does not sort a million names again).
    by_name: Option<std::sync::Arc<[u32]>>,
}

impl std::fmt::Debug for RowList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowList")
            .field("rows", &self.rows.len())
            .field("text_bytes", &self.text.len())
            .field("strings", &self.strings.len())
            .finish()
    }
}

/// The string of `sym` (`0`, and a table never filled, give `""`).
fn resolve(strings: &[Box<str>], sym: Sym) -> &str {
    strings.get(sym as usize).map_or("", |s| s)
}

/// One row of a [`RowList`], borrowed: the fields of [`ContactRow`] as `&str` (empty for
/// absent values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    /// E.164 as GHL returns it.
    pub phone: &'a str,
    /// ISO 8601 UTC; sorts as text.
    pub date_updated: &'a str,
    /// User id of the owner (`assignedTo`).
    pub owner: &'a str,
    pub source: &'a str,
    /// `type` (`lead`, `customer`, …).
    pub contact_type: &'a str,
    /// `businessId`.
    pub business_id: &'a str,
    pub tags: Tags<'a>,
    /// Global DND.
    pub dnd: bool,
    /// Channels whose DND is active or permanent: bits of [`crate::search::query::dnd_bit`].
    pub dnd_channels: u8,
}

/// The tags of one [`RowRef`].
#[derive(Clone, Copy)]
pub struct Tags<'a> {
    syms: &'a [Sym],
    strings: &'a [Box<str>],
}

impl<'a> Tags<'a> {
    /// The tags in the order GHL gave them.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'a str> + Clone + 'a {
        let strings = self.strings;
        self.syms.iter().map(move |&s| resolve(strings, s))
    }
    pub fn len(&self) -> usize {
        self.syms.len()
    }
    pub fn is_empty(&self) -> bool {
        self.syms.is_empty()
    }
    /// The tags joined with `sep`.
    pub fn join(&self, sep: &str) -> String {
        self.iter().collect::<Vec<_>>().join(sep)
    }
}

impl std::fmt::Debug for Tags<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Tags<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}
impl Eq for Tags<'_> {}

impl<'a> RowRef<'a> {
    /// The tags joined with `, `, for display.
    pub fn tags_text(&self) -> String {
        self.tags.join(", ")
    }

    /// The row as an owned [`ContactRow`].
    pub fn to_row(&self) -> ContactRow {
        ContactRow {
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            email: self.email.to_owned(),
            phone: self.phone.to_owned(),
            tags: self.tags.iter().map(str::to_owned).collect(),
            date_updated: self.date_updated.to_owned(),
            dnd: self.dnd,
            owner: self.owner.to_owned(),
            source: self.source.to_owned(),
            contact_type: self.contact_type.to_owned(),
            business_id: self.business_id.to_owned(),
            dnd_channels: self.dnd_channels,
        }
    }
}

impl RowList {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row at `i`, `None` past the end.
    pub fn get(&self, i: usize) -> Option<RowRef<'_>> {
        let p = self.rows.get(i)?;
        let t = |a: u32, b: u32| &self.text[a as usize..b as usize];
        let s = |sym: Sym| resolve(&self.strings, sym);
        let f = &self.profiles[p.profile as usize];
        let tags = f.tags_start as usize;
        Some(RowRef {
            id: t(p.start, p.id_end),
            name: t(p.id_end, p.name_end),
            email: t(p.name_end, p.email_end),
            phone: t(p.email_end, p.phone_end),
            date_updated: t(p.phone_end, p.date_end),
            owner: s(f.owner),
            source: s(f.source),
            contact_type: s(f.contact_type),
            business_id: s(f.business),
            tags: Tags {
                syms: &self.tags[tags..tags + usize::from(f.tags_len)],
                strings: &self.strings,
            },
            dnd: p.dnd,
            dnd_channels: p.dnd_channels,
        })
    }

    /// The id of row `i` (cheaper than [`RowList::get`]). Panics past the end.
    pub fn id(&self, i: usize) -> &str {
        let p = &self.rows[i];
        &self.text[p.start as usize..p.id_end as usize]
    }

    /// Every row in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = RowRef<'_>> + '_ {
        (0..self.rows.len()).map(|i| self.get(i).expect("index in range"))
    }

    /// Every row's text back to back (`id name email phone date_updated`): what
    /// [`RowList::email_start`] indexes (the search's folded text refers to the emails here
    /// instead of keeping a copy: issue #14).
    pub fn arena(&self) -> &str {
        &self.text
    }

    /// Byte offset in [`RowList::arena`] where the email of row `i` starts (it is
    /// `get(i).email`'s length long). Panics past the end.
    pub fn email_start(&self, i: usize) -> u32 {
        self.rows[i].name_end
    }

    /// Number of distinct profiles of the rows (owner, source, type, business and tags: see
    /// the module doc); [`RowList::profile_of`] gives each row's.
    pub fn profile_count(&self) -> usize {
        self.profiles.len()
    }

    /// The source and tags of profile `i` (below [`RowList::profile_count`]).
    pub fn profile_fields(&self, i: usize) -> (&str, Tags<'_>) {
        let f = &self.profiles[i];
        let t = f.tags_start as usize;
        (
            resolve(&self.strings, f.source),
            Tags {
                syms: &self.tags[t..t + usize::from(f.tags_len)],
                strings: &self.strings,
            },
        )
    }

    /// The profile of row `i` (rows with the same one have the same source, tags, owner, type
    /// and business). Panics past the end.
    pub fn profile_of(&self, i: usize) -> u32 {
        self.rows[i].profile
    }

    /// The rows in name order ([`order_by_name`]), when the list carries it.
    pub fn name_order(&self) -> Option<&[u32]> {
        self.by_name.as_deref()
    }

    /// Keeps `order` (which must be [`order_by_name`] of this list) as its name order.
    pub fn set_name_order(&mut self, order: Vec<u32>) {
        debug_assert_eq!(order.len(), self.rows.len());
        self.by_name = Some(order.into());
    }

    /// `order` as one shared with this list when it is the list's name order (the contact
    /// list's default order: issue #14, not kept twice, 4 MB at 1M contacts), else as it is.
    pub fn share_order(&self, order: Vec<u32>) -> std::sync::Arc<[u32]> {
        match &self.by_name {
            Some(o) if **o == *order => o.clone(),
            _ => order.into(),
        }
    }

    /// Bytes held (text, records, tags and string table), for measurements.
    pub fn heap_bytes(&self) -> usize {
        self.by_name.as_ref().map_or(0, |o| o.len() * 4)
            + self.text.capacity()
            + self.rows.capacity() * std::mem::size_of::<Packed>()
            + self.profiles.capacity() * std::mem::size_of::<Profile>()
            + self.tags.capacity() * std::mem::size_of::<Sym>()
            + self.strings.capacity() * std::mem::size_of::<Box<str>>()
            + self.strings.iter().map(|s| s.len()).sum::<usize>()
    }
}

/// Builds a [`RowList`] row by row.
#[derive(Debug, Default)]
pub struct RowListBuilder {
    list: RowList,
    syms: HashMap<Box<str>, Sym>,
    /// Profile of each `[owner, source, type, business, tags…]` seen.
    profile_ids: HashMap<Box<[Sym]>, u32>,
    /// The key being looked up (kept to not allocate one a row).
    key: Vec<Sym>,
}

/// The fields of one row, borrowed, as [`RowListBuilder::push`] takes them.
#[derive(Debug, Clone, Copy, Default)]
pub struct RowParts<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub date_updated: &'a str,
    pub owner: &'a str,
    pub source: &'a str,
    pub contact_type: &'a str,
    pub business_id: &'a str,
    pub dnd: bool,
    pub dnd_channels: u8,
}

impl RowListBuilder {
    /// A builder with room for `rows` rows of about `text_bytes` bytes of text in all.
    pub fn with_capacity(rows: usize, text_bytes: usize) -> RowListBuilder {
        RowListBuilder {
            list: RowList {
                text: String::with_capacity(text_bytes),
                rows: Vec::with_capacity(rows),
                profiles: Vec::new(),
                tags: Vec::new(),
                strings: Vec::new(),
                by_name: None,
            },
            syms: HashMap::new(),
            profile_ids: HashMap::new(),
            key: Vec::new(),
        }
    }

    /// The profile of these symbols (`key`: owner, source, type, business, then the tags),
    /// added when new. Tags past `u16::MAX` are dropped.
    fn profile(&mut self) -> u32 {
        self.key.truncate(4 + usize::from(u16::MAX));
        if let Some(&n) = self.profile_ids.get(self.key.as_slice()) {
            return n;
        }
        let k = &self.key;
        let l = &mut self.list;
        let n = u32::try_from(l.profiles.len()).expect("under 4 billion profiles");
        l.profiles.push(Profile {
            owner: k[0],
            source: k[1],
            contact_type: k[2],
            business: k[3],
            tags_start: u32::try_from(l.tags.len()).expect("under 4 billion tags"),
            tags_len: (k.len() - 4) as u16,
        });
        l.tags.extend_from_slice(&k[4..]);
        self.profile_ids.insert(k.as_slice().into(), n);
        n
    }

    fn sym(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return 0;
        }
        if let Some(&n) = self.syms.get(s) {
            return n;
        }
        let strings = &mut self.list.strings;
        if strings.is_empty() {
            strings.push("".into());
        }
        let n = Sym::try_from(strings.len()).expect("under 4 billion distinct values");
        strings.push(s.into());
        self.syms.insert(s.into(), n);
        n
    }

    /// Adds a row.
    ///
    /// Panics when the list's text passes 4 GiB (about 40 million contacts).
    pub fn push<'t>(&mut self, p: RowParts<'_>, tags: impl IntoIterator<Item = &'t str>) {
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        key.extend([
            self.sym(p.owner),
            self.sym(p.source),
            self.sym(p.contact_type),
            self.sym(p.business_id),
        ]);
        for t in tags {
            key.push(self.sym(t));
        }
        self.key = key;
        let profile = self.profile();
        let text = &mut self.list.text;
        let at = |t: &String| u32::try_from(t.len()).expect("list text under 4 GiB");
        let start = at(text);
        let mut end = |s: &str| {
            text.push_str(s);
            at(text)
        };
        let (id_end, name_end, email_end, phone_end, date_end) = (
            end(p.id),
            end(p.name),
            end(p.email),
            end(p.phone),
            end(p.date_updated),
        );
        self.list.rows.push(Packed {
            start,
            id_end,
            name_end,
            email_end,
            phone_end,
            date_end,
            profile,
            dnd: p.dnd,
            dnd_channels: p.dnd_channels,
        });
    }

    /// Adds an owned row.
    pub fn push_row(&mut self, r: &ContactRow) {
        self.push(
            RowParts {
                id: &r.id,
                name: &r.name,
                email: &r.email,
                phone: &r.phone,
                date_updated: &r.date_updated,
                owner: &r.owner,
                source: &r.source,
                contact_type: &r.contact_type,
                business_id: &r.business_id,
                dnd: r.dnd,
                dnd_channels: r.dnd_channels,
            },
            r.tags.iter().map(String::as_str),
        );
    }

    /// The list with its rows put in id order (each row's text stays where it was pushed),
    /// its buffers trimmed to size: what [`RowList::merged`] needs of a list read from a
    /// store that keeps contacts in another order. Sorting a million rows takes about 0.3 s.
    pub fn finish_in_id_order(mut self) -> RowList {
        let text = &self.list.text;
        self.list.rows.sort_unstable_by(|a, b| {
            text[a.start as usize..a.id_end as usize]
                .cmp(&text[b.start as usize..b.id_end as usize])
        });
        self.finish()
    }

    /// The list, its buffers trimmed to size.
    pub fn finish(self) -> RowList {
        let mut l = self.list;
        l.text.shrink_to_fit();
        l.rows.shrink_to_fit();
        l.profiles.shrink_to_fit();
        l.tags.shrink_to_fit();
        l.strings.shrink_to_fit();
        l
    }
}

impl<'a> FromIterator<&'a ContactRow> for RowList {
    fn from_iter<I: IntoIterator<Item = &'a ContactRow>>(iter: I) -> RowList {
        let mut b = RowListBuilder::default();
        for r in iter {
            b.push_row(r);
        }
        b.finish()
    }
}

impl From<&[ContactRow]> for RowList {
    fn from(rows: &[ContactRow]) -> RowList {
        let text = rows
            .iter()
            .map(|r| r.id.len() + r.name.len() + r.email.len() + r.phone.len())
            .sum::<usize>()
            + rows.iter().map(|r| r.date_updated.len()).sum::<usize>();
        let mut b = RowListBuilder::with_capacity(rows.len(), text);
        for r in rows {
            b.push_row(r);
        }
        b.finish()
    }
}

impl From<Vec<ContactRow>> for RowList {
    fn from(rows: Vec<ContactRow>) -> RowList {
        RowList::from(rows.as_slice())
    }
}

/// Rows read by position: what sorting, the recent list and the marks need, over a
/// [`RowList`] or a slice of [`ContactRow`]s alike. `i` is below [`RowSet::count`].
pub trait RowSet {
    fn count(&self) -> usize;
    fn id_at(&self, i: usize) -> &str;
    fn name_at(&self, i: usize) -> &str;
    fn email_at(&self, i: usize) -> &str;
    fn date_updated_at(&self, i: usize) -> &str;
    /// The rows in name order ([`order_by_name`]) when already known.
    fn known_name_order(&self) -> Option<&[u32]> {
        None
    }
}

/// The positions of `rows` by name, case folded (`to_lowercase`), then by id: the contact
/// list's default order. A list that carries it ([`RowSet::known_name_order`]) gives it
/// without sorting.
pub fn order_by_name<R: RowSet + ?Sized>(rows: &R) -> Vec<u32> {
    if let Some(o) = rows.known_name_order().filter(|o| o.len() == rows.count()) {
        return o.to_vec();
    }
    let mut idx: Vec<u32> = (0..rows.count() as u32).collect();
    idx.sort_by_cached_key(|&i| {
        let i = i as usize;
        (rows.name_at(i).to_lowercase(), rows.id_at(i))
    });
    idx
}

impl RowSet for RowList {
    fn count(&self) -> usize {
        self.rows.len()
    }
    fn known_name_order(&self) -> Option<&[u32]> {
        self.name_order()
    }
    fn id_at(&self, i: usize) -> &str {
        self.id(i)
    }
    fn name_at(&self, i: usize) -> &str {
        let p = &self.rows[i];
        &self.text[p.id_end as usize..p.name_end as usize]
    }
    fn email_at(&self, i: usize) -> &str {
        let p = &self.rows[i];
        &self.text[p.name_end as usize..p.email_end as usize]
    }
    fn date_updated_at(&self, i: usize) -> &str {
        let p = &self.rows[i];
        &self.text[p.phone_end as usize..p.date_end as usize]
    }
}

impl RowSet for [ContactRow] {
    fn count(&self) -> usize {
        self.len()
    }
    fn id_at(&self, i: usize) -> &str {
        &self[i].id
    }
    fn name_at(&self, i: usize) -> &str {
        &self[i].name
    }
    fn email_at(&self, i: usize) -> &str {
        &self[i].email
    }
    fn date_updated_at(&self, i: usize) -> &str {
        &self[i].date_updated
    }
}

impl RowSet for Vec<ContactRow> {
    fn count(&self) -> usize {
        self.len()
    }
    fn id_at(&self, i: usize) -> &str {
        &self[i].id
    }
    fn name_at(&self, i: usize) -> &str {
        &self[i].name
    }
    fn email_at(&self, i: usize) -> &str {
        &self[i].email
    }
    fn date_updated_at(&self, i: usize) -> &str {
        &self[i].date_updated
    }
}

/// The searchable fields of a row, for [`crate::search::Folded`]: over a [`RowRef`] or a
/// `&ContactRow` alike.
pub trait SearchFields {
    fn name(&self) -> &str;
    fn email(&self) -> &str;
    fn phone(&self) -> &str;
    fn source(&self) -> &str;
    fn tag_list(&self) -> impl Iterator<Item = &str>;
}

impl SearchFields for &ContactRow {
    fn name(&self) -> &str {
        &self.name
    }
    fn email(&self) -> &str {
        &self.email
    }
    fn phone(&self) -> &str {
        &self.phone
    }
    fn source(&self) -> &str {
        &self.source
    }
    fn tag_list(&self) -> impl Iterator<Item = &str> {
        self.tags.iter().map(String::as_str)
    }
}

impl SearchFields for RowRef<'_> {
    fn name(&self) -> &str {
        self.name
    }
    fn email(&self) -> &str {
        self.email
    }
    fn phone(&self) -> &str {
        self.phone
    }
    fn source(&self) -> &str {
        self.source
    }
    fn tag_list(&self) -> impl Iterator<Item = &str> {
        self.tags.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(i: usize) -> ContactRow {
        ContactRow {
            id: format!("id{i}"),
            name: if i % 2 == 0 {
                "דנה לוי".into()
            } else {
                String::new()
            },
            email: format!("u{i}@x.io"),
            phone: "+972542848828".into(),
            tags: (0..i % 3).map(|t| format!("tag{t}")).collect(),
            date_updated: "2026-01-01T00:00:00.000Z".into(),
            dnd: i % 5 == 0,
            owner: if i % 4 == 0 {
                "usr1".into()
            } else {
                String::new()
            },
            source: "Facebook".into(),
            contact_type: "lead".into(),
            business_id: if i % 7 == 0 {
                "biz".into()
            } else {
                String::new()
            },
            dnd_channels: (i % 64) as u8,
        }
    }

    #[test]
    fn every_field_round_trips_and_strings_are_shared() {
        let rows: Vec<ContactRow> = (0..50).map(row).collect();
        let list = RowList::from(rows.clone());
        assert_eq!(list.len(), 50);
        for (i, r) in rows.iter().enumerate() {
            let got = list.get(i).unwrap();
            assert_eq!(&got.to_row(), r, "row {i}");
            assert_eq!(list.id_at(i), r.id);
            assert_eq!(list.name_at(i), r.name);
            assert_eq!(list.email_at(i), r.email);
            assert_eq!(list.date_updated_at(i), r.date_updated);
            assert_eq!(got.tags_text(), r.tags_text());
        }
        assert!(list.get(50).is_none());
        // "", usr1, Facebook, lead, biz, tag0, tag1: each once.
        assert_eq!(list.strings.len(), 7);
        // Owner (2) × business (2) × tags (3) at most, each once.
        assert!(list.profiles.len() <= 12, "{}", list.profiles.len());
        assert_eq!(std::mem::size_of::<Packed>(), 32);
        assert_eq!(list.iter().count(), 50);
    }

    #[test]
    fn empty_list_and_empty_rows() {
        let list = RowList::from(Vec::new());
        assert!(list.is_empty() && list.get(0).is_none());
        let list = RowList::from(vec![ContactRow::default()]);
        let r = list.get(0).unwrap();
        assert_eq!((r.id, r.name, r.owner, r.tags.len()), ("", "", "", 0));
    }
}
