//! A [`RowList`] as bytes (what the store's list snapshot holds), and a list with some rows
//! changed ([`RowList::merged`]) built without reading the others one by one.
//!
//! Layout, little-endian: five `u64` counts (rows, text bytes, tags, strings, name order
//! entries or `u64::MAX` for none), then the text, then each row as [`PACKED_BYTES`] bytes
//! ([`Wide`]: its offsets, symbols and tag range), the tag symbols of every row as `u32`, each
//! string as a `u32` length and its bytes, and the name order as `u32`. Reading checks
//! everything a later [`RowList::get`] relies on (UTF-8, offsets in order and on character
//! boundaries, symbols and tag ranges in range, the order a permutation), so damaged bytes give
//! an error, never a panic later. The rows' profiles ([`super::Profile`]) are made on reading
//! (the bytes hold each row's symbols and tags, as before profiles).
//!
//! The text is written in name order when the list has one (each row's offsets say where its
//! text is, so any order reads back the same list): the search's folded text, made in name
//! order, reads the emails from it in memory order (issue #14).

use std::io::{self, Read, Write};

use super::{Packed, Profile, RowList, Sym};
use crate::domain::ContactRow;

/// A row as the bytes hold it: its offsets, symbols and tag range (in the tags written).
#[derive(Debug, Clone, Copy)]
struct Wide {
    start: u32,
    id_end: u32,
    name_end: u32,
    email_end: u32,
    phone_end: u32,
    date_end: u32,
    owner: Sym,
    source: Sym,
    contact_type: Sym,
    business: Sym,
    tags_start: u32,
    tags_len: u16,
    dnd: bool,
    dnd_channels: u8,
}

/// Bytes of one row record.
const PACKED_BYTES: usize = 48;

/// Rows encoded or decoded per buffer.
const CHUNK: usize = 4096;

fn put_u32s(w: &mut dyn Write, v: &[u32]) -> io::Result<()> {
    let mut buf = Vec::with_capacity(CHUNK * 4);
    for c in v.chunks(CHUNK) {
        buf.clear();
        for x in c {
            buf.extend_from_slice(&x.to_le_bytes());
        }
        w.write_all(&buf)?;
    }
    Ok(())
}

fn get_u32s(r: &mut dyn Read, n: usize) -> io::Result<Vec<u32>> {
    let mut out = Vec::with_capacity(n);
    let mut buf = vec![0u8; CHUNK * 4];
    while out.len() < n {
        let k = (n - out.len()).min(CHUNK);
        r.read_exact(&mut buf[..k * 4])?;
        out.extend(
            buf[..k * 4]
                .chunks_exact(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
    }
    Ok(out)
}

fn encode(p: &Wide, out: &mut Vec<u8>) {
    for x in [
        p.start,
        p.id_end,
        p.name_end,
        p.email_end,
        p.phone_end,
        p.date_end,
        p.owner,
        p.source,
        p.contact_type,
        p.business,
        p.tags_start,
    ] {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.extend_from_slice(&p.tags_len.to_le_bytes());
    out.push(u8::from(p.dnd));
    out.push(p.dnd_channels);
}

fn decode(b: &[u8]) -> Wide {
    let u = |i: usize| u32::from_le_bytes([b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3]]);
    Wide {
        start: u(0),
        id_end: u(1),
        name_end: u(2),
        email_end: u(3),
        phone_end: u(4),
        date_end: u(5),
        owner: u(6),
        source: u(7),
        contact_type: u(8),
        business: u(9),
        tags_start: u(10),
        tags_len: u16::from_le_bytes([b[44], b[45]]),
        dnd: b[46] != 0,
        dnd_channels: b[47],
    }
}

/// Whether every offset, symbol and index of a list read is in range (see the module doc).
fn check(
    text: &str,
    rows: &[Wide],
    tags: &[Sym],
    strings: &[Box<str>],
    by_name: Option<&[u32]>,
) -> Result<(), String> {
    let n_strings = strings.len();
    if strings.first().is_some_and(|s| !s.is_empty()) {
        return Err("list string table does not start with the empty string".into());
    }
    let sym_ok = |s: Sym| s == 0 || (s as usize) < n_strings;
    if !tags.iter().all(|&s| sym_ok(s)) {
        return Err("list tag out of range".into());
    }
    for (i, p) in rows.iter().enumerate() {
        let ends = [
            p.start,
            p.id_end,
            p.name_end,
            p.email_end,
            p.phone_end,
            p.date_end,
        ];
        let ordered = ends.windows(2).all(|w| w[0] <= w[1]);
        let in_text = p.date_end as usize <= text.len()
            && ends.iter().all(|&e| text.is_char_boundary(e as usize));
        let tags_ok = (p.tags_start as usize)
            .checked_add(usize::from(p.tags_len))
            .is_some_and(|e| e <= tags.len());
        let syms = [p.owner, p.source, p.contact_type, p.business]
            .into_iter()
            .all(sym_ok);
        if !(ordered && in_text && tags_ok && syms) {
            return Err(format!("list row {i} is out of range"));
        }
    }
    if let Some(o) = by_name {
        let mut seen = vec![false; rows.len()];
        for &i in o {
            match seen.get_mut(i as usize) {
                Some(s) if !*s => *s = true,
                _ => return Err("list name order is not a permutation".into()),
            }
        }
    }
    Ok(())
}

impl RowList {
    /// Writes the list in the layout of the module doc.
    pub fn write_bytes(&self, w: &mut dyn Write) -> io::Result<()> {
        // Written compact: each row's text (in name order when known) and tags in row order (a
        // merged list has the text of the rows it replaced still in its arena).
        let order = self.by_name.as_ref().map_or(u64::MAX, |o| o.len() as u64);
        let text_len: u64 = self
            .rows
            .iter()
            .map(|p| u64::from(p.date_end - p.start))
            .sum();
        let profile = |p: &Packed| &self.profiles[p.profile as usize];
        let tags_len: u64 = self
            .rows
            .iter()
            .map(|p| u64::from(profile(p).tags_len))
            .sum();
        for n in [
            self.rows.len() as u64,
            text_len,
            tags_len,
            self.strings.len() as u64,
            order,
        ] {
            w.write_all(&n.to_le_bytes())?;
        }
        // Where each row's text starts in the text written.
        let mut starts = vec![0u32; self.rows.len()];
        let mut at = 0u32;
        let mut text_of = |i: usize| {
            let p = &self.rows[i];
            starts[i] = at;
            at += p.date_end - p.start;
            &self.text.as_bytes()[p.start as usize..p.date_end as usize]
        };
        match &self.by_name {
            Some(o) => {
                for &i in o.iter() {
                    w.write_all(text_of(i as usize))?;
                }
            }
            None => {
                for i in 0..self.rows.len() {
                    w.write_all(text_of(i))?;
                }
            }
        }
        let mut buf = Vec::with_capacity(CHUNK * PACKED_BYTES);
        let mut tag_at = 0u32;
        for (k, c) in self.rows.chunks(CHUNK).enumerate() {
            buf.clear();
            for (j, p) in c.iter().enumerate() {
                let at = starts[k * CHUNK + j];
                let shift = |e: u32| e - p.start + at;
                let f = profile(p);
                let q = Wide {
                    start: at,
                    id_end: shift(p.id_end),
                    name_end: shift(p.name_end),
                    email_end: shift(p.email_end),
                    phone_end: shift(p.phone_end),
                    date_end: shift(p.date_end),
                    owner: f.owner,
                    source: f.source,
                    contact_type: f.contact_type,
                    business: f.business,
                    tags_start: tag_at,
                    tags_len: f.tags_len,
                    dnd: p.dnd,
                    dnd_channels: p.dnd_channels,
                };
                tag_at += u32::from(f.tags_len);
                encode(&q, &mut buf);
            }
            w.write_all(&buf)?;
        }
        drop(starts);
        let mut tags = Vec::with_capacity(CHUNK);
        for p in &self.rows {
            let f = profile(p);
            let t = f.tags_start as usize;
            tags.extend_from_slice(&self.tags[t..t + usize::from(f.tags_len)]);
            if tags.len() >= CHUNK {
                put_u32s(w, &tags)?;
                tags.clear();
            }
        }
        put_u32s(w, &tags)?;
        for s in &self.strings {
            w.write_all(&(s.len() as u32).to_le_bytes())?;
            w.write_all(s.as_bytes())?;
        }
        if let Some(o) = &self.by_name {
            put_u32s(w, o)?;
        }
        Ok(())
    }

    /// Reads a list written by [`RowList::write_bytes`]; `limit` is the most bytes there can
    /// be (the file's size), so a damaged count cannot ask for a huge buffer.
    ///
    /// Errors: the bytes end early or are not a consistent list (the message says what).
    pub fn read_bytes(r: &mut dyn Read, limit: u64) -> Result<RowList, String> {
        let io = |e: io::Error| format!("list bytes: {e}");
        let mut counts = [0u64; 5];
        for c in &mut counts {
            let mut b = [0u8; 8];
            r.read_exact(&mut b).map_err(io)?;
            *c = u64::from_le_bytes(b);
        }
        let [rows, text, tags, strings, order] = counts;
        let has_order = order != u64::MAX;
        let need = rows
            .checked_mul(PACKED_BYTES as u64)
            .and_then(|x| x.checked_add(text))
            .and_then(|x| x.checked_add(tags.checked_mul(4)?))
            .and_then(|x| x.checked_add(strings.checked_mul(4)?))
            .and_then(|x| x.checked_add(if has_order { order.checked_mul(4)? } else { 0 }));
        if need.is_none_or(|n| n > limit) || (has_order && order != rows) || text > u32::MAX.into()
        {
            return Err("list counts do not fit the file".into());
        }
        let (rows, text_len, tags, strings) = (
            rows as usize,
            text as usize,
            tags as usize,
            strings as usize,
        );
        let mut text = vec![0u8; text_len];
        r.read_exact(&mut text).map_err(io)?;
        let text = String::from_utf8(text).map_err(|_| "list text is not UTF-8".to_string())?;
        let mut packed = Vec::with_capacity(rows);
        let mut buf = vec![0u8; CHUNK * PACKED_BYTES];
        while packed.len() < rows {
            let k = (rows - packed.len()).min(CHUNK);
            r.read_exact(&mut buf[..k * PACKED_BYTES]).map_err(io)?;
            packed.extend(
                buf[..k * PACKED_BYTES]
                    .chunks_exact(PACKED_BYTES)
                    .map(decode),
            );
        }
        let tag_syms = get_u32s(r, tags).map_err(io)?;
        let mut table: Vec<Box<str>> = Vec::with_capacity(strings);
        for _ in 0..strings {
            let mut b = [0u8; 4];
            r.read_exact(&mut b).map_err(io)?;
            let n = u32::from_le_bytes(b) as u64;
            if n > limit {
                return Err("list string longer than the file".into());
            }
            let mut s = vec![0u8; n as usize];
            r.read_exact(&mut s).map_err(io)?;
            let s = String::from_utf8(s).map_err(|_| "list string is not UTF-8".to_string())?;
            table.push(s.into_boxed_str());
        }
        let by_name = if has_order {
            Some(std::sync::Arc::<[u32]>::from(
                get_u32s(r, rows).map_err(io)?,
            ))
        } else {
            None
        };
        check(&text, &packed, &tag_syms, &table, by_name.as_deref())?;
        // The rows' profiles: each distinct `[owner, source, type, business, tags…]` once.
        let mut b = super::RowListBuilder::default();
        let mut rows = Vec::with_capacity(packed.len());
        for p in &packed {
            let t = p.tags_start as usize;
            b.key.clear();
            b.key
                .extend([p.owner, p.source, p.contact_type, p.business]);
            b.key
                .extend_from_slice(&tag_syms[t..t + usize::from(p.tags_len)]);
            rows.push(Packed {
                start: p.start,
                id_end: p.id_end,
                name_end: p.name_end,
                email_end: p.email_end,
                phone_end: p.phone_end,
                date_end: p.date_end,
                profile: b.profile(),
                dnd: p.dnd,
                dnd_channels: p.dnd_channels,
            });
        }
        drop(packed);
        drop(tag_syms);
        let mut l = b.list;
        l.profiles.shrink_to_fit();
        l.tags.shrink_to_fit();
        Ok(RowList {
            text,
            rows,
            profiles: l.profiles,
            tags: l.tags,
            strings: table,
            by_name,
        })
    }

    /// This list (rows in id order, as the store keeps them) with `changes` applied: each is
    /// an id and its new row, or `None` when the contact is gone. `changes` must be sorted by
    /// id, each id once. Done in place: the new rows' text is appended to the arena (the
    /// replaced rows' text stays there until the list is written: [`RowList::write_bytes`]
    /// writes it compact) and only the row records are rebuilt, so a million-row list is not
    /// held twice. The result is in id order like `self`, and its name order (when `self` has
    /// one) is the old order with the changed rows moved to their places.
    pub fn merged(self, changes: &[(String, Option<ContactRow>)]) -> RowList {
        let old_len = self.rows.len();
        let by_name = self.by_name.clone();
        let mut b = super::RowListBuilder {
            syms: self
                .strings
                .iter()
                .enumerate()
                .skip(1)
                .map(|(i, s)| (s.clone(), i as Sym))
                .collect(),
            profile_ids: self
                .profiles
                .iter()
                .enumerate()
                .map(|(i, f)| (self.profile_key(f).into(), i as u32))
                .collect(),
            key: Vec::new(),
            list: RowList {
                by_name: None,
                ..self
            },
        };
        if b.list.strings.is_empty() {
            b.list.strings.push("".into());
        }
        for r in changes.iter().filter_map(|(_, r)| r.as_ref()) {
            b.push_row(r);
        }
        let mut out = b.list;
        let appended = std::mem::take(&mut out.rows);
        // Position in the result of each old row (`u32::MAX`: replaced or removed).
        let mut moved = vec![u32::MAX; old_len];
        let mut added: Vec<u32> = Vec::new();
        let mut rows = Vec::with_capacity(appended.len());
        let (mut i, mut j, mut next_new) = (0usize, 0usize, old_len);
        let id_of = |p: &Packed| &out.text[p.start as usize..p.id_end as usize];
        while i < old_len || j < changes.len() {
            let ord = match (i < old_len, changes.get(j)) {
                (true, Some((id, _))) => id_of(&appended[i]).cmp(id.as_str()),
                (true, None) => std::cmp::Ordering::Less,
                (false, _) => std::cmp::Ordering::Greater,
            };
            if ord == std::cmp::Ordering::Less {
                moved[i] = rows.len() as u32;
                rows.push(appended[i]);
                i += 1;
                continue;
            }
            if ord == std::cmp::Ordering::Equal {
                i += 1;
            }
            if changes[j].1.is_some() {
                added.push(rows.len() as u32);
                rows.push(appended[next_new]);
                next_new += 1;
            }
            j += 1;
        }
        drop(appended);
        out.rows = rows;

        if let Some(old) = &by_name {
            let kept: Vec<u32> = old
                .iter()
                .map(|&o| moved[o as usize])
                .filter(|&m| m != u32::MAX)
                .collect();
            let key = |i: u32| {
                let i = i as usize;
                (out.name_lower(i), out.id(i).to_owned())
            };
            let mut added: Vec<(String, String, u32)> = added
                .into_iter()
                .map(|a| {
                    let (n, id) = key(a);
                    (n, id, a)
                })
                .collect();
            added.sort();
            let mut order = Vec::with_capacity(out.rows.len());
            let mut from = 0usize;
            for (n, id, a) in added {
                let at = from
                    + kept[from..].partition_point(|&k| {
                        let i = k as usize;
                        (out.name_lower(i).as_str(), out.id(i)) < (n.as_str(), id.as_str())
                    });
                order.extend_from_slice(&kept[from..at]);
                order.push(a);
                from = at;
            }
            order.extend_from_slice(&kept[from..]);
            out.by_name = Some(order.into());
        }
        out
    }

    /// `[owner, source, type, business, tags…]` of a profile: its key in a builder.
    fn profile_key(&self, f: &Profile) -> Vec<Sym> {
        let t = f.tags_start as usize;
        let mut k = vec![f.owner, f.source, f.contact_type, f.business];
        k.extend_from_slice(&self.tags[t..t + usize::from(f.tags_len)]);
        k
    }

    /// The rows at positions `idx`, in that order, as a new list without a name order (the
    /// first screenful of a snapshot).
    pub fn select(&self, idx: &[u32]) -> RowList {
        let mut b = super::RowListBuilder::with_capacity(idx.len(), 0);
        b.list.strings = self.strings.clone();
        for &i in idx.iter().filter(|&&i| (i as usize) < self.rows.len()) {
            b.copy_row(self, i as usize);
        }
        b.finish()
    }

    /// The name of row `i` lowercased: the key of the name order (with the id).
    fn name_lower(&self, i: usize) -> String {
        let p = &self.rows[i];
        self.text[p.id_end as usize..p.name_end as usize].to_lowercase()
    }
}

impl super::RowListBuilder {
    /// Appends row `i` of `from`, whose string table is a prefix of this builder's.
    fn copy_row(&mut self, from: &RowList, i: usize) {
        let p = from.rows[i];
        let text = &mut self.list.text;
        let new_start = text.len() as u32;
        text.push_str(&from.text[p.start as usize..p.date_end as usize]);
        let shift = |e: u32| e - p.start + new_start;
        let q = Packed {
            start: new_start,
            id_end: shift(p.id_end),
            name_end: shift(p.name_end),
            email_end: shift(p.email_end),
            phone_end: shift(p.phone_end),
            date_end: shift(p.date_end),
            ..p
        };
        self.key = from.profile_key(&from.profiles[p.profile as usize]);
        let profile = self.profile();
        self.list.rows.push(Packed { profile, ..q });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(i: usize) -> ContactRow {
        ContactRow {
            id: format!("id{i:03}"),
            name: ["דנה לוי", "Dana", "", "王小明"][i % 4].into(),
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
            dnd_channels: (i % 64) as u8,
            ..Default::default()
        }
    }

    fn list(n: usize) -> RowList {
        let rows: Vec<ContactRow> = (0..n).map(row).collect();
        let mut l = RowList::from(rows);
        let o = crate::domain::order_by_name(&l);
        l.set_name_order(o);
        l
    }

    fn bytes(l: &RowList) -> Vec<u8> {
        let mut out = Vec::new();
        l.write_bytes(&mut out).unwrap();
        out
    }

    #[test]
    fn bytes_round_trip() {
        for l in [
            list(0),
            list(1),
            list(40),
            RowList::from(vec![ContactRow::default()]),
        ] {
            let b = bytes(&l);
            let back = RowList::read_bytes(&mut b.as_slice(), b.len() as u64).unwrap();
            assert!(back.iter().eq(l.iter()));
            assert_eq!(back.name_order(), l.name_order());
        }
    }

    /// Every single damaged byte and every cut gives an error or a list that reads without
    /// panicking; never a panic.
    #[test]
    fn damaged_bytes_never_panic() {
        let b = bytes(&list(12));
        for i in 0..b.len() {
            for flip in [0x01u8, 0x80, 0xFF] {
                let mut d = b.clone();
                d[i] ^= flip;
                if let Ok(l) = RowList::read_bytes(&mut d.as_slice(), d.len() as u64) {
                    for r in l.iter() {
                        let _ = r.to_row();
                    }
                    let _ = crate::domain::order_by_name(&l);
                }
            }
            assert!(RowList::read_bytes(&mut &b[..i], b.len() as u64).is_err());
        }
    }

    #[test]
    fn merged_equals_a_list_built_from_the_changed_rows() {
        let base_rows: Vec<ContactRow> = (0..60).map(|i| row(i * 2)).collect();
        let mut base = RowList::from(base_rows.clone());
        let o = crate::domain::order_by_name(&base);
        base.set_name_order(o);
        // Change every 5th, remove every 7th, add odd ids between and past the end.
        let mut changes: Vec<(String, Option<ContactRow>)> = Vec::new();
        for i in 0..130 {
            let id = format!("id{i:03}");
            if i % 2 == 1 && i % 3 == 0 {
                let mut r = row(i);
                r.owner = "new-owner".into();
                changes.push((id, Some(r)));
            } else if i % 2 == 0 && i % 5 == 0 {
                let mut r = row(i);
                r.name = format!("Renamed {i}");
                r.tags = vec!["fresh".into()];
                changes.push((id, Some(r)));
            } else if i % 2 == 0 && i % 7 == 0 {
                changes.push((id, None));
            }
        }
        let mut want: std::collections::BTreeMap<String, ContactRow> =
            base_rows.into_iter().map(|r| (r.id.clone(), r)).collect();
        for (id, r) in &changes {
            match r {
                Some(r) => want.insert(id.clone(), r.clone()),
                None => want.remove(id),
            };
        }
        let want = RowList::from(want.into_values().collect::<Vec<_>>());
        let got = base.merged(&changes);
        let mut again = Vec::new();
        got.write_bytes(&mut again).unwrap();
        let again = RowList::read_bytes(&mut again.as_slice(), u64::MAX).unwrap();
        assert!(again.iter().eq(want.iter()), "written compact");
        assert!(again.text.len() < got.text.len());
        assert_eq!(again.name_order(), got.name_order());
        assert!(got.iter().eq(want.iter()));
        assert_eq!(
            got.name_order().unwrap(),
            crate::domain::order_by_name(&want).as_slice()
        );
    }
}
