//! The search index (issue #14) gives exactly what the full scan gives: on generated lists
//! (Hebrew with niqqud and final letters, wide CJK text, names with separators, emails,
//! Israeli and foreign phones, multi-word and Hebrew tags, every filter) many queries —
//! prefixes, substrings, typos, phone forms, whole emails, ids, separators, filters alone and
//! with words — return the same ids in the same order through the index
//! ([`Matcher::query_indexed`]), the scan ([`Matcher::query_full`]) and the CLI's
//! [`Index::search`]; every first screenful is the start of that list and says whether it
//! is all of it; a staged query ends with the whole list.

use std::sync::Arc;

use bmby_ghl::domain::{ContactRow, Named, UserDirectory};
use bmby_ghl::search::{Index, SearchContext};
use bmby_ghl::tui::filter::{IndexOptions, ListSource, Matcher, Staged};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const FIRST: &[&str] = &[
    "Dana",
    "Daniel",
    "Dan",
    "Adam",
    "Avi",
    "Noa",
    "Danielle",
    "Anthony",
    "Thomas",
    "O'Brien",
    "Jean-Luc",
    "Éli",
    "יוסי",
    "מיכל",
    "דנה",
    "אבי",
    "יִצְחָק",
    "נְחֶמְיָה",
    "שירה",
    "王小明",
    "小明",
    "Zoë",
    "dayan",
    "D",
    "ד",
];
const LAST: &[&str] = &[
    "Levi",
    "Cohen",
    "Levi-Cohen",
    "Mizrahi",
    "Peretz",
    "Jackson",
    "Smith",
    "כהן",
    "לוי",
    "כֹּהֵן",
    "שָׁלוֹם",
    "מזרחי",
    "פרץ",
    "Goldberg",
    "李",
    "Dayan",
    "",
    "a.a-a",
];
const TAGS: &[&str] = &[
    "vip",
    "VIP",
    "buyer",
    "seller",
    "hot lead",
    "קונה",
    "משכיר",
    "lead",
    "cold",
    "a-b",
    "王",
    "investor 2025",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "gmail.com",
    "walla.co.il",
    "x.io",
    "דואר.ישראל",
];
const SOURCES: &[&str] = &["Facebook Lead Ad", "Yad2", "", "website", "פייסבוק"];
const OWNERS: &[&str] = &["usrDanaLevi000000001", "usrAviCohen000000002", ""];
const BUSINESSES: &[&str] = &["64b1c2d3e4f5a6b7c8d9e0f1", "", ""];

fn phone(r: &mut Rng) -> String {
    match r.below(6) {
        0 => String::new(),
        1 => format!("+1212{:07}", r.next() % 10_000_000),
        2 => format!("+9722{:07}", r.next() % 10_000_000),
        3 => "+972542848828".into(),
        _ => format!("+9725{:08}", r.next() % 100_000_000),
    }
}

fn rows(seed: u64, n: usize) -> Vec<ContactRow> {
    let mut r = Rng(seed);
    (0..n)
        .map(|i| {
            let first = *r.pick(FIRST);
            let last = *r.pick(LAST);
            let name = format!("{first} {last}").trim().to_owned();
            let local = format!(
                "{}{}{}",
                first.to_lowercase(),
                *r.pick(&[".", "_", "", "-"]),
                r.below(300)
            );
            let email = if r.chance(10) {
                String::new()
            } else {
                let e = format!("{local}@{}", r.pick(DOMAINS));
                if r.chance(20) {
                    e.to_uppercase()
                } else {
                    e
                }
            };
            let tags = (0..r.below(4))
                .map(|_| (*r.pick(TAGS)).to_owned())
                .collect();
            ContactRow {
                id: format!("gen{seed:03}{i:014}"),
                name,
                email,
                phone: phone(&mut r),
                tags,
                date_updated: if r.chance(5) {
                    String::new()
                } else {
                    format!(
                        "2026-{:02}-{:02}T{:02}:00:00.000Z",
                        r.below(12) + 1,
                        r.below(28) + 1,
                        r.below(24)
                    )
                },
                dnd: r.chance(4),
                owner: (*r.pick(OWNERS)).into(),
                source: (*r.pick(SOURCES)).into(),
                contact_type: (*r.pick(&["lead", "customer", ""])).into(),
                business_id: (*r.pick(BUSINESSES)).into(),
                dnd_channels: if r.chance(15) { r.below(64) as u8 } else { 0 },
            }
        })
        .collect()
}

fn ctx() -> SearchContext {
    SearchContext {
        users: UserDirectory::new(&[
            Named {
                id: OWNERS[0].into(),
                name: "Dana Levi".into(),
            },
            Named {
                id: OWNERS[1].into(),
                name: "Avi Cohen".into(),
            },
        ]),
        businesses: vec![Named {
            id: BUSINESSES[0].into(),
            name: "Cohen Realty".into(),
        }],
        now: Some("2026-12-04T10:00:00Z".parse().unwrap()),
    }
}

/// A piece of `s` by characters: `[a, b)`.
fn chars(s: &str, a: usize, b: usize) -> String {
    s.chars().skip(a).take(b.saturating_sub(a)).collect()
}

fn queries(rows: &[ContactRow], seed: u64, n: usize) -> Vec<String> {
    let mut r = Rng(seed ^ 0xABCD_EF01);
    let mut out: Vec<String> = [
        "d",
        "D",
        "ד",
        "כ",
        "כה",
        "כהן",
        "כהנ",
        "כֹּהֵן",
        "dan",
        "da",
        "an",
        "dayn",
        "dn",
        "anthny",
        "anthony",
        "王",
        "小明",
        "明",
        "a-a",
        "a.a",
        "-a",
        "-ab",
        "a-",
        "@",
        ".",
        "..",
        "-",
        "'",
        "o'brien",
        "brien",
        "jean-luc",
        "luc",
        "eli",
        "éli",
        "ELI",
        "zoe",
        "zoë",
        "levi cohen",
        "cohen levi",
        "dana levi",
        "levi-cohen",
        "054",
        "0542",
        "054-2848828",
        "+972 54 284 8828",
        "00972542848828",
        "542848828",
        "972",
        "2848828",
        "212",
        "+1 212",
        "0",
        "05",
        "x.io",
        "@x.io",
        "gmail",
        ".com",
        "walla.co",
        "דואר",
        "hot",
        "hot lead",
        "\"hot lead\"",
        "investor 2025",
        "2025",
        "tag:vip",
        "tag:\"hot lead\"",
        "tag:a-b",
        "tag:王",
        "tag:קונה",
        "owner:dana",
        "owner:avi dan",
        "updated:<30d",
        "updated:>2026-06-01",
        "updated:2026-03-05",
        "source:face",
        "source:yad",
        "business:cohen",
        "has:phone",
        "has:email",
        "has:tags",
        "has:owner",
        "has:business",
        "dnd:sms",
        "dnd:all",
        "dnd:any",
        "dnd:email",
        "tag:vip dan",
        "has:phone כהן",
        "dnd:any d",
        "owner:avi a",
        "tag:lead l",
        "nothingmatchesthis",
        "zzzz",
        "gen0010000000000012",
        "abcdefghijklmnop",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for row in rows.iter().take(3) {
        out.push(row.id.clone());
        out.push(row.email.clone());
        out.push(row.email.to_lowercase());
    }
    let filters = [
        "tag:vip",
        "tag:buyer",
        "owner:dana",
        "has:tags",
        "dnd:sms",
        "updated:<90d",
        "source:yad2",
        "has:email",
        "business:cohen",
    ];
    while out.len() < n {
        let row = r.pick(rows);
        let field = match r.below(5) {
            0 | 1 => row.name.clone(),
            2 => row.email.clone(),
            3 => row.tags.first().cloned().unwrap_or_default(),
            _ => row.phone.clone(),
        };
        let len = field.chars().count();
        if len == 0 {
            continue;
        }
        let a = r.below(len);
        let b = (a + 1 + r.below(6)).min(len);
        let mut q = match r.below(7) {
            // A prefix of the field.
            0 => chars(&field, 0, b),
            // A piece from inside.
            1 | 2 => chars(&field, a, b),
            // A typo: one letter left out.
            3 if len > 3 => {
                let skip = r.below(len - 1) + 1;
                chars(&field, 0, skip) + &chars(&field, skip + 1, len.min(skip + 5))
            }
            // The phone in domestic form, or with dashes.
            4 if field.starts_with("+972") => {
                let rest = &field[4..];
                if r.chance(50) {
                    format!("0{}", &rest[..rest.len().min(3 + r.below(6))])
                } else {
                    format!("0{}-{}", &rest[..2], &rest[2..])
                }
            }
            // Two words of the name, either order.
            5 => {
                let w: Vec<&str> = row.name.split(' ').collect();
                if w.len() == 2 && r.chance(50) {
                    format!("{} {}", w[1], w[0])
                } else {
                    row.name.clone()
                }
            }
            _ => field.clone(),
        };
        if r.chance(25) {
            q = format!("{} {q}", r.pick(&filters));
        }
        if r.chance(10) {
            q = q.to_uppercase();
        }
        out.push(q);
    }
    out
}

fn source(rows: Vec<ContactRow>, seed: u64) -> Arc<ListSource> {
    // A shuffled display order: ranks differ from row indices.
    let mut r = Rng(seed ^ 0x1234);
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, r.below(i + 1));
    }
    Arc::new(ListSource {
        version: 1,
        rows: Arc::new(rows.into()),
        order: order.into(),
    })
}

fn matcher(src: &Arc<ListSource>, first_screen: usize) -> Matcher {
    let mut m = Matcher::with_options(IndexOptions {
        min_rows: 0,
        first_screen,
        direct_max: 0,
        background: false,
    });
    m.set_source(src.clone());
    m.set_context(Arc::new(ctx()));
    assert!(m.index_ready());
    m
}

fn check_seed(seed: u64, n_rows: usize, n_queries: usize) {
    let src = source(rows(seed, n_rows), seed);
    let rows_vec: Vec<ContactRow> = src.rows.iter().map(|r| r.to_row()).collect();
    let cli = Index::new(src.rows.clone(), src.order.clone());
    let ctx = ctx();
    let mut m = matcher(&src, 7);
    let mut nonempty = 0;
    for q in queries(&rows_vec, seed, n_queries) {
        let scan = m.query_full(&q);
        let indexed = m.query_indexed(&q).expect("index built");
        assert_eq!(
            indexed.as_ref().map_err(|e| e.to_string()),
            scan.as_ref().map_err(|e| e.to_string()),
            "index vs scan, seed {seed}, query {q:?}"
        );
        assert_eq!(
            cli.search(&q, &ctx).map_err(|e| e.to_string()),
            scan.as_ref().map_err(|e| e.to_string()).cloned(),
            "CLI vs scan, query {q:?}"
        );
        let Ok(all) = scan else { continue };
        nonempty += usize::from(!all.is_empty());
        for limit in [1, 7, 60] {
            let s = m.first_screen(&q, limit).expect("built").expect("parses");
            let k = all.len().min(limit);
            assert_eq!(s.rows, all[..k], "first {limit} of {q:?}");
            assert_eq!(s.complete, all.len() <= limit, "complete? {q:?} ({limit})");
        }
        let mut seen: Vec<Staged> = Vec::new();
        let last = m
            .query_staged(
                &q,
                &mut |s| {
                    seen.push(s.clone());
                    true
                },
                &mut || false,
            )
            .expect("parses");
        assert_eq!(last.indices, all, "staged {q:?}");
        assert!(last.complete && last.indexed);
        assert_eq!(seen.last(), Some(&last));
        assert!(seen.len() <= 2 && seen.iter().all(|s| s.indices[..] == all[..s.indices.len()]));
    }
    assert!(
        nonempty > n_queries / 2,
        "most queries match something: {nonempty}"
    );
}

#[test]
fn index_equals_scan_on_generated_lists() {
    for seed in [1u64, 2, 3] {
        check_seed(seed, 2500, 450);
    }
}

#[test]
fn a_superseded_query_stops_after_its_first_screenful() {
    let src = source(rows(9, 3000), 9);
    let mut m = matcher(&src, 5);
    let mut seen = Vec::new();
    let last = m
        .query_staged(
            "a",
            &mut |s| {
                seen.push(s.clone());
                true
            },
            &mut || true,
        )
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert!(!last.complete && last.indices.len() == 5);
    assert_eq!(last.indices[..], m.query_full("a").unwrap()[..5]);
}

#[test]
fn the_scan_answers_until_the_index_is_built_and_small_lists_are_only_scanned() {
    let src = source(rows(4, 500), 4);
    let mut m = Matcher::new();
    m.set_source(src.clone());
    assert!(!m.index_ready(), "below min_rows: no index");
    let mut seen = Vec::new();
    let s = m
        .query_staged(
            "dan",
            &mut |s| {
                seen.push(s.clone());
                true
            },
            &mut || false,
        )
        .unwrap();
    assert!(!s.indexed && s.complete && seen.len() == 1);
    let mut bg = Matcher::with_options(IndexOptions {
        min_rows: 0,
        ..IndexOptions::default()
    });
    bg.set_source(src);
    let before = bg.query("dan").unwrap();
    assert!(bg.wait_index(), "the background build finishes");
    assert_eq!(bg.query_indexed("dan").unwrap().unwrap(), before);
    assert_eq!(before, s.indices);
}

/// The index narrows: plain words, Hebrew, a phone with dashes and a tag filter leave far fewer
/// candidates than rows (so the equality above is not a scan of everything in disguise).
#[test]
fn the_index_narrows_the_candidates() {
    use bmby_ghl::search::{parse, Plan, TokenIndex};
    let src = source(rows(5, 3000), 5);
    let index = Index::new(src.rows.clone(), src.order.clone());
    let tokens = TokenIndex::build(&index);
    let ctx = ctx();
    for q in ["dan", "כהן", "054-2848828", "tag:vip", "anthny", "王"] {
        let parsed = parse(q, &ctx).unwrap();
        let mut plan = Plan::new(&index, &tokens, &parsed);
        let c = plan.candidate_count();
        assert!(
            c < index.len() / 2,
            "{q}: {c} candidates of {}",
            index.len()
        );
        assert!(plan.top_count() <= c, "{q}");
    }
}
