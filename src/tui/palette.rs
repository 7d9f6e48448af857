//! The command palette, over whatever had the keyboard:
//!
//! - `:` opens a command line at the bottom: a registry action by its id (`:change.approve`) or
//!   its short command (`:tag add vip`, `:workflow add "Nurture"`), with typed arguments; Tab
//!   completes the command or the argument (workflow, campaign, user and business names come
//!   from the cached lists) and shows the candidates above the line.
//! - `ctrl-p` opens a fuzzy list of every action that applies where it was opened, each with
//!   its key from the keymap; a disabled action is dimmed with the reason. Enter runs the
//!   selected one (one with arguments opens the `:` line prefilled).
//!
//! Everything here is update code; the palette is drawn by [`super::palette_view`], which
//! sanitizes candidate names before they are drawn.

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;

use super::action::Action;
use super::app::{App, Effect};
use super::changes::EditState;
use super::keymap::KeyCombo;
use super::layer::Layer;
use super::registry::{self, Arg, Entry};
use super::scroll::{Nav, Scroll};
use super::text;
use crate::sync::ops::ListKind;

/// Most rows of candidates or actions shown above the line.
pub const MAX_ROWS: usize = 10;

/// Which palette is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The `:` command line.
    Command,
    /// The `ctrl-p` fuzzy list of actions.
    List,
}

/// The open palette.
#[derive(Debug, Clone)]
pub struct PaletteState {
    pub mode: Mode,
    /// What is typed (after `:` or `>`).
    pub input: EditState,
    /// The selected row of the list or of the candidates.
    pub selected: Scroll,
    /// The layer the palette was opened over: actions apply there.
    pub under: Layer,
    /// Completion candidates of the `:` line (shown above it).
    pub candidates: Vec<String>,
    /// A line above the input: usage, "lists not loaded yet", why a command was refused.
    pub note: Option<String>,
}

/// One row of the `ctrl-p` list.
#[derive(Debug, Clone)]
pub struct Item {
    pub entry: &'static Entry,
    /// The action's keys in the layer under the palette (`a`, `1-9`), empty when unbound.
    pub keys: String,
    /// Why it cannot run now.
    pub disabled: Option<String>,
}

/// How well `query` matches an action, best first by the label: `(tier, score)` where the tier
/// is 4 for a word of the label starting with the query (`appro` in `change: approve`), 3 for
/// the query inside the label, 2 for a fuzzy match of the label, 1 for a fuzzy match of the
/// id only (`change.approve`); `score` (the fuzzy score) orders within a tier. Words in any
/// order count as the query inside the label (`tag add` finds `contacts: add tags`) when each
/// starts a word of it, else as a fuzzy match. `None`: no match. Case is ignored.
pub fn rank(label: &str, id: &str, query: &str) -> Option<(u8, i64)> {
    let matcher = SkimMatcherV2::default();
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Some((0, 0));
    }
    let l = label.to_lowercase();
    let fuzzy_label = matcher.fuzzy_match(&l, &q);
    let score = fuzzy_label.unwrap_or(0);
    // Whether `w` occurs in the label where a word of it starts.
    let starts_word = |w: &str| {
        l.match_indices(w).any(|(i, _)| {
            i == 0
                || !l[..i]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
        })
    };
    if l.contains(&q) {
        return Some((if starts_word(&q) { 4 } else { 3 }, score));
    }
    let words: Vec<&str> = q.split_whitespace().collect();
    if words.len() > 1 && words.iter().all(|w| l.contains(w)) {
        let s: i64 = words
            .iter()
            .filter_map(|w| matcher.fuzzy_match(&l, w))
            .sum();
        return Some((
            if words.iter().all(|w| starts_word(w)) {
                3
            } else {
                2
            },
            s,
        ));
    }
    if let Some(s) = fuzzy_label {
        return Some((2, s));
    }
    matcher.fuzzy_match(id, &q).map(|s| (1, s))
}

/// The actions of the list for `query` over `layer`: those that apply there, best match first
/// ([`rank`]: the label before the id; registry order when the query is empty or ties).
pub fn items(app: &App, layer: Layer, query: &str) -> Vec<Item> {
    let mut scored: Vec<((u8, i64), usize, Item)> = registry::all()
        .iter()
        .enumerate()
        .filter(|(_, e)| e.applies(layer))
        .filter_map(|(i, e)| {
            let score = rank(e.label, e.id(), query)?;
            Some((
                score,
                i,
                Item {
                    entry: e,
                    keys: super::help_text::keys_text(&e.keys(&app.keymap, layer)),
                    disabled: e.enabled(app).err(),
                },
            ))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, _, it)| it).collect()
}

/// Splits a command line into words: spaces separate, double quotes group (`"Nurture 2"`),
/// a backslash escapes the next character inside quotes.
pub fn split_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            '\\' if quoted => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

fn quote(s: &str) -> String {
    if s.is_empty() || s.contains(char::is_whitespace) || s.contains('"') {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        s.to_owned()
    }
}

/// The entry a command line names and the words after its name: by short command
/// (`tag add`) or by id (`change.approve`).
pub fn parse(words: &[String]) -> Option<(&'static Entry, &[String])> {
    for e in registry::all() {
        if let Some(c) = e.command {
            let cw: Vec<&str> = c.split(' ').collect();
            if words.len() >= cw.len()
                && cw.iter().zip(words).all(|(a, b)| a.eq_ignore_ascii_case(b))
            {
                return Some((e, &words[cw.len()..]));
            }
        }
    }
    let first = words.first()?;
    registry::all()
        .iter()
        .find(|e| e.id() == first.as_str())
        .map(|e| (e, &words[1..]))
}

/// Every name the `:` line accepts for an action that applies over `layer` (its contexts and
/// screen, [`Entry::applies`]): its short command, then its id. `setup.next` is offered on the
/// setup screen only, `change.approve` on the changes screen only.
fn names(layer: Layer) -> Vec<&'static str> {
    let here = || registry::all().iter().filter(move |e| e.applies(layer));
    let mut v: Vec<&'static str> = here().filter_map(|e| e.command).collect();
    v.extend(here().map(|e| e.id()));
    v
}

fn common_prefix(v: &[String]) -> String {
    let Some(first) = v.first() else {
        return String::new();
    };
    let mut p: String = first.clone();
    for s in &v[1..] {
        let n = p
            .chars()
            .zip(s.chars())
            .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
            .count();
        p = p.chars().take(n).collect();
    }
    p
}

/// The list `kind`'s names from the cache (`None`: never fetched).
fn cached_names(app: &App, kind: ListKind) -> Option<Vec<String>> {
    match crate::sync::ops::cached_list(app.store(), kind) {
        Ok(Some(list)) => Some(list.into_iter().map(|n| n.name).collect()),
        _ => None,
    }
}

impl App {
    /// Opens the palette (`ctrl-p` list or `:` line) over the layer that has the keyboard.
    pub(crate) fn open_palette(&mut self, mode: Mode, prefill: &str) {
        self.dirty = true;
        self.palette = Some(PaletteState {
            mode,
            input: EditState::new(0, "", "", prefill),
            selected: Scroll::default(),
            under: self.layer_below_palette(),
            candidates: Vec::new(),
            note: None,
        });
    }

    /// The `ctrl-p` list's rows now.
    pub fn palette_items(&self) -> Vec<Item> {
        match &self.palette {
            Some(p) if p.mode == Mode::List => items(self, p.under, &p.input.input),
            _ => Vec::new(),
        }
    }

    /// Keys while the palette is open: printable keys type; the rest through [keys.palette].
    pub(crate) fn handle_palette_key(&mut self, key: KeyCombo) -> Vec<Effect> {
        self.dirty = true;
        let Some(p) = self.palette.as_mut() else {
            return Vec::new();
        };
        if let Some(c) = key.printable() {
            p.input.insert(c);
            p.selected = Scroll::default();
            p.note = None;
            if p.mode == Mode::Command {
                self.palette_candidates(false);
            }
            return Vec::new();
        }
        let action = self.keymap.lookup(&Layer::Palette.chain(), key);
        let Some(p) = self.palette.as_mut() else {
            return Vec::new();
        };
        let edited = match action {
            Some(Action::PaletteCancel) => {
                self.palette = None;
                return Vec::new();
            }
            Some(Action::PaletteRun) => return self.palette_run(),
            Some(Action::PaletteComplete) => return self.palette_complete(),
            Some(a @ (Action::NavUp | Action::NavDown)) => {
                let (mode, under, q, n) =
                    (p.mode, p.under, p.input.input.clone(), p.candidates.len());
                let len = match mode {
                    Mode::List => items(self, under, &q).len(),
                    Mode::Command => n,
                };
                if let (Some(nav), Some(p)) = (Nav::of(a), self.palette.as_mut()) {
                    p.selected.apply(nav, len, MAX_ROWS);
                }
                false
            }
            Some(Action::EditDeleteBack) => {
                p.input.delete_back();
                true
            }
            Some(Action::EditDeleteForward) => {
                p.input.delete_forward();
                true
            }
            Some(Action::EditLeft) => {
                p.input.left();
                false
            }
            Some(Action::EditRight) => {
                p.input.right();
                false
            }
            Some(Action::EditHome) => {
                p.input.home();
                false
            }
            Some(Action::EditEnd) => {
                p.input.end();
                false
            }
            Some(Action::EditClear) => {
                p.input.clear();
                true
            }
            _ => false,
        };
        if edited {
            if let Some(p) = self.palette.as_mut() {
                p.selected = Scroll::default();
                p.note = None;
                if p.mode == Mode::Command {
                    self.palette_candidates(false);
                }
            }
        }
        Vec::new()
    }

    /// The lists arrived: an open `:` line recomputes its candidates (never fetching again).
    pub(crate) fn refresh_palette_candidates(&mut self) -> Vec<Effect> {
        if self.palette.is_some() {
            self.palette_candidates(false)
        } else {
            Vec::new()
        }
    }

    /// Recomputes the `:` line's candidates for the word being typed. With `fetch`, a list
    /// never fetched is asked for (`Job::FetchLists`, when online).
    fn palette_candidates(&mut self, fetch: bool) -> Vec<Effect> {
        let Some(p) = self.palette.as_ref() else {
            return Vec::new();
        };
        let line = p.input.input.clone();
        let words = split_words(&line);
        let ends_in_space = line.ends_with(' ') && !line.trim().is_empty();
        let mut fx = Vec::new();
        let mut note = None;
        let cands: Vec<String> = match parse(&words) {
            Some((e, args)) if ends_in_space || !args.is_empty() => {
                // Completing argument `i` (the one being typed, or the next one).
                let i = if ends_in_space {
                    args.len()
                } else {
                    args.len() - 1
                };
                let partial = if ends_in_space {
                    String::new()
                } else {
                    args.last().cloned().unwrap_or_default()
                };
                let spec = e.args.get(i).or(match e.args.last() {
                    Some(Arg::Tags | Arg::Picks(_)) => e.args.last(),
                    _ => None,
                });
                match spec {
                    Some(Arg::Pick(kind) | Arg::Picks(kind)) => match cached_names(self, *kind) {
                        Some(names) => {
                            // Tags may carry `+` (add) or `-` (remove) before the name.
                            let (sign, rest) = match partial.chars().next() {
                                Some(c @ ('+' | '-')) if *kind == ListKind::Tags => {
                                    (c.to_string(), &partial[1..])
                                }
                                _ => (String::new(), partial.as_str()),
                            };
                            let q = rest.to_lowercase();
                            names
                                .into_iter()
                                .filter(|n| n.to_lowercase().contains(&q))
                                .map(|n| format!("{sign}{n}"))
                                .collect()
                        }
                        None => {
                            note = Some(format!("{} not loaded yet: fetching", kind.label()));
                            if fetch {
                                if self.online {
                                    fx.push(Effect::Job(crate::sync::Job::FetchLists));
                                } else {
                                    note = Some(format!(
                                        "{} not loaded yet (offline: no sync worker)",
                                        kind.label()
                                    ));
                                }
                            }
                            Vec::new()
                        }
                    },
                    _ => {
                        note = Some(format!("{}: {}", e.label, e.usage()));
                        Vec::new()
                    }
                }
            }
            _ => {
                let typed = line.trim_start().to_lowercase();
                names(p.under)
                    .into_iter()
                    .filter(|n| n.starts_with(&typed))
                    .map(str::to_owned)
                    .collect()
            }
        };
        if let Some(p) = self.palette.as_mut() {
            // The same candidates keep their highlight (tab after up/down takes it).
            if p.candidates != cands {
                p.selected = Scroll::default();
            }
            p.candidates = cands;
            p.note = note;
        }
        fx
    }

    /// Tab in the `:` line: completes the word being typed to the selected candidate (or the
    /// common prefix of several) and shows the candidates.
    fn palette_complete(&mut self) -> Vec<Effect> {
        let fx = self.palette_candidates(true);
        let Some(p) = self.palette.as_mut() else {
            return fx;
        };
        if p.mode != Mode::Command || p.candidates.is_empty() {
            return fx;
        }
        let line = p.input.input.clone();
        let words = split_words(&line);
        let ends_in_space = line.ends_with(' ');
        let completing_arg = parse(&words).is_some_and(|(_, a)| ends_in_space || !a.is_empty());
        // What is typed of the word being completed.
        let partial = if completing_arg {
            if ends_in_space {
                String::new()
            } else {
                words.last().cloned().unwrap_or_default()
            }
        } else {
            // The command word as typed, its trailing space included: once the shared part
            // (`workflow `) is typed, tab takes the highlighted candidate.
            line.trim_start().to_owned()
        };
        // What the candidates share, as far as it can be typed: an argument's shared prefix
        // stops before a space (a name with a space is only typed whole, quoted).
        let shared = {
            let pre = common_prefix(&p.candidates);
            match pre.find(' ') {
                Some(i) if completing_arg => pre[..i].to_owned(),
                _ => pre,
            }
        };
        let grows = shared.chars().count() > partial.chars().count();
        // One candidate: take it. Several: the first tab extends what they share; once that
        // adds nothing, tab takes the highlighted one (up/down move the highlight).
        let pick = if p.candidates.len() == 1 {
            Some(p.candidates[0].clone())
        } else if !grows {
            p.candidates.get(p.selected.pos).cloned()
        } else {
            None
        };
        let new_line = if completing_arg {
            let head: Vec<String> = if ends_in_space {
                words.clone()
            } else {
                words[..words.len() - 1].to_vec()
            };
            let head: Vec<String> = head.iter().map(|w| quote(w)).collect();
            let tail = match &pick {
                Some(c) => format!("{} ", quote(c)),
                None => shared.clone(),
            };
            let mut s = head.join(" ");
            if !s.is_empty() {
                s.push(' ');
            }
            s + &tail
        } else {
            match &pick {
                Some(c) => format!("{c} "),
                None => shared.clone(),
            }
        };
        if new_line.len() >= line.trim_end().len() {
            p.input = EditState::new(0, "", "", &new_line);
        }
        if pick.is_some() {
            // Completed: what comes next (usage, or the next argument's candidates).
            let more = self.palette_candidates(false);
            let mut fx = fx;
            fx.extend(more);
            return fx;
        }
        fx
    }

    /// Enter in the palette.
    fn palette_run(&mut self) -> Vec<Effect> {
        let Some(p) = self.palette.clone() else {
            return Vec::new();
        };
        match p.mode {
            Mode::List => {
                let list = items(self, p.under, &p.input.input);
                let Some(it) = list.get(p.selected.pos) else {
                    return Vec::new();
                };
                if let Some(why) = &it.disabled {
                    self.palette = None;
                    self.status.error = Some(format!("{}: {why}", it.entry.label));
                    return Vec::new();
                }
                if !it.entry.args.is_empty() {
                    let name = it.entry.command.unwrap_or(it.entry.id());
                    self.open_palette(Mode::Command, &format!("{name} "));
                    if let Some(q) = self.palette.as_mut() {
                        q.under = p.under;
                    }
                    self.palette_candidates(false);
                    return Vec::new();
                }
                self.palette = None;
                self.handle_action(it.entry.action)
            }
            Mode::Command => {
                let words = split_words(&p.input.input);
                if words.is_empty() {
                    self.palette = None;
                    return Vec::new();
                }
                let Some((e, args)) = parse(&words) else {
                    if let Some(q) = self.palette.as_mut() {
                        q.note = Some(format!(
                            "unknown command: {} (tab lists them)",
                            text::clean(&words[0])
                        ));
                    }
                    return Vec::new();
                };
                let args = args.to_vec();
                if !e.applies(p.under) {
                    self.palette = None;
                    self.status.error = Some(format!("{}: does not apply here", e.label));
                    return Vec::new();
                }
                if let Err(why) = e.enabled(self) {
                    self.palette = None;
                    self.status.error = Some(format!("{}: {why}", e.label));
                    return Vec::new();
                }
                let needed = e.args.iter().filter(|a| a.required()).count();
                // More words than the command takes are a usage error (never dropped), except
                // a last list of tags, and a last start time typed as two words (`YYYY-MM-DD
                // HH:MM`).
                let most = match e.args.last() {
                    Some(Arg::Tags | Arg::Picks(_)) => usize::MAX,
                    Some(Arg::OptionalTime(_)) => e.args.len() + 1,
                    _ => e.args.len(),
                };
                if args.len() < needed || args.len() > most {
                    if let Some(q) = self.palette.as_mut() {
                        q.note = Some(format!("usage: {}", e.usage()));
                    }
                    return Vec::new();
                }
                self.palette = None;
                self.dirty = true;
                match e.handler {
                    Some(h) => h(self, &args),
                    None if e.action == Action::ChangeResolve => match args[0].parse::<usize>() {
                        Ok(n) => self.resolve_candidate(n),
                        Err(_) => {
                            self.status.error =
                                Some(format!("not a candidate number: {}", text::clean(&args[0])));
                            Vec::new()
                        }
                    },
                    None => self.handle_action(e.action),
                }
            }
        }
    }
}
