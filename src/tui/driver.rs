//! A synchronous driver of [`App`] for tests and benchmarks: runs every effect in place (row
//! loads read the store directly, filter queries run on an in-thread [`Matcher`], jobs are
//! collected) and renders into a `TestBackend`. No terminal, no threads, no timers.

use crossterm::event::KeyEvent;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

use super::app::{sort_order, App, AppOptions, Effect};
use super::filter::{FilterMsg, FilterResult, Matcher};
use super::keymap::KeyCombo;
use crate::store::Store;
use crate::sync::Job;

/// Drives an [`App`] synchronously.
pub struct Driver {
    pub app: App,
    pub matcher: Matcher,
    /// Jobs the app asked for, in order.
    pub jobs: Vec<Job>,
    /// Filter queries are held instead of run (to test stale results).
    pub hold_filter: bool,
    /// Held filter results (when `hold_filter`).
    pub held: Vec<FilterResult>,
    /// Change loads and review actions are held instead of run (to look at the screen
    /// while they are in flight); [`Driver::release_changes`] runs them.
    pub hold_changes: bool,
    pub held_changes: Vec<Effect>,
    /// Review actions run, in order.
    pub reviews: Vec<super::changes::ReviewOp>,
    /// What the stand-in `$EDITOR` saves when a note is edited (`Err`: the editor failed).
    pub editor_saves: Result<String, String>,
    /// The texts the app opened the editor with, in order.
    pub editor_opened: Vec<String>,
    /// Everything written to the terminal besides frames (the OSC 52 clipboard sequences).
    pub terminal_out: Vec<u8>,
    /// Setup checks and saves the app asked for, in order (not run: a test answers them with
    /// [`App::handle_setup_done`]).
    pub setup_tasks: Vec<super::setup::SetupTask>,
}

impl Driver {
    /// Builds the app and runs its start effects (the full row load included).
    pub fn new(store: Store, opts: AppOptions) -> Driver {
        let app = App::new(store, opts);
        let mut d = Driver {
            app,
            matcher: Matcher::new(),
            jobs: Vec::new(),
            hold_filter: false,
            held: Vec::new(),
            hold_changes: false,
            held_changes: Vec::new(),
            reviews: Vec::new(),
            editor_saves: Err("no editor in the test driver".into()),
            editor_opened: Vec::new(),
            terminal_out: Vec::new(),
            setup_tasks: Vec::new(),
        };
        let fx = d.app.start();
        d.run(fx);
        d
    }

    /// Carries out effects (and the effects they cause).
    pub fn run(&mut self, fx: Vec<Effect>) {
        let mut queue: std::collections::VecDeque<Effect> = fx.into();
        while let Some(e) = queue.pop_front() {
            match e {
                Effect::Job(j) => self.jobs.push(j),
                Effect::LoadRows(sort) => {
                    let rows = self.app.store().contact_list().map_err(|e| e.to_string());
                    let order = rows
                        .as_ref()
                        .map(|r| sort_order(r, sort))
                        .unwrap_or_default();
                    queue.extend(self.app.handle_rows_loaded(rows, sort, order));
                }
                Effect::Filter(FilterMsg::Source(s)) => self.matcher.set_source(s),
                Effect::Filter(FilterMsg::Context(c)) => self.matcher.set_context(c),
                Effect::Filter(q @ FilterMsg::Query { .. }) => {
                    if let Some(r) = self.matcher.handle(q) {
                        if self.hold_filter {
                            self.held.push(r);
                        } else {
                            self.app.handle_filter_result(r);
                        }
                    }
                }
                Effect::Suspend => {}
                Effect::LoadChanges if self.hold_changes => self.held_changes.push(e),
                Effect::Review(_) if self.hold_changes => self.held_changes.push(e),
                Effect::LoadJournal if self.hold_changes => self.held_changes.push(e),
                Effect::LoadJournal => {
                    let r = super::changes::load_journal(self.app.store());
                    queue.extend(self.app.handle_journal_loaded(r));
                }
                Effect::LoadChanges => {
                    let r = super::changes::load(self.app.store());
                    queue.extend(self.app.handle_changes_loaded(r));
                }
                Effect::Local(op) => {
                    let r = super::edits::run_local(self.app.store(), &op);
                    queue.extend(self.app.handle_local_done(r));
                }
                Effect::Propose(p) => {
                    let r =
                        crate::sync::ops::propose(self.app.store(), p).map_err(|e| e.to_string());
                    queue.extend(self.app.handle_proposed(r));
                }
                Effect::ExternalEdit(e) => {
                    self.editor_opened.push(e.initial.clone());
                    let saved = self.editor_saves.clone();
                    queue.extend(self.app.handle_external_edit(e, saved));
                }
                Effect::LoadRecent { since, rows } => {
                    let r = super::recent::load(self.app.store(), &*rows, since);
                    queue.extend(self.app.handle_recent_loaded(r));
                }
                Effect::ScanBusiness { business_id } => {
                    let r = super::business_filter::cached_business_contacts(
                        self.app.store(),
                        &business_id,
                    );
                    queue.extend(self.app.handle_business_contacts(&business_id, r));
                }
                Effect::Setup(t) => self.setup_tasks.push(t),
                Effect::Clipboard(text) => self
                    .terminal_out
                    .extend_from_slice(super::clipboard::osc52(&text).as_bytes()),
                Effect::Review(op) => {
                    self.reviews.push(op.clone());
                    let done = super::changes::run_review(self.app.store(), op);
                    queue.extend(self.app.handle_review_done(done));
                }
            }
        }
        self.app.note_messages();
    }

    /// Runs the held change loads and review actions.
    pub fn release_changes(&mut self) {
        self.hold_changes = false;
        let fx = std::mem::take(&mut self.held_changes);
        self.run(fx);
    }

    /// Builds the app without running its start effects, so the first frame can be looked
    /// at before anything loaded.
    pub fn unstarted(store: Store, opts: AppOptions) -> (Driver, Vec<Effect>) {
        let mut app = App::new(store, opts);
        let fx = app.start();
        (
            Driver {
                app,
                matcher: Matcher::new(),
                jobs: Vec::new(),
                hold_filter: false,
                held: Vec::new(),
                hold_changes: false,
                held_changes: Vec::new(),
                reviews: Vec::new(),
                editor_saves: Err("no editor in the test driver".into()),
                editor_opened: Vec::new(),
                terminal_out: Vec::new(),
                setup_tasks: Vec::new(),
            },
            fx,
        )
    }

    /// One key event.
    pub fn key(&mut self, ev: KeyEvent) {
        let fx = self.app.handle_key(ev);
        self.run(fx);
    }

    /// Space-separated keys in keymap syntax, e.g. `"j j enter"`.
    pub fn keys(&mut self, spec: &str) {
        for k in spec.split_whitespace() {
            let combo = KeyCombo::parse(k).unwrap_or_else(|e| panic!("bad key in test: {e}"));
            self.key(combo.to_event());
        }
    }

    /// Types text (into the filter when it is open).
    /// A bracketed paste of `text`.
    pub fn paste(&mut self, text: &str) {
        let fx = self.app.handle_paste(text);
        self.run(fx);
    }

    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCombo::char(c).to_event());
        }
    }

    /// The debounce timer fires now.
    pub fn fire_fetch_timer(&mut self) {
        let fx = self.app.on_fetch_timer();
        self.run(fx);
    }

    /// A background event.
    pub fn event(&mut self, ev: crate::sync::SyncEvent) {
        let fx = self.app.handle_event(ev);
        self.run(fx);
    }

    /// Resizes the app and renders a frame of that size.
    pub fn render(&mut self, cols: u16, rows: u16) -> Terminal<TestBackend> {
        self.app.resize(cols, rows);
        let mut t = Terminal::new(TestBackend::new(cols, rows)).expect("test backend");
        t.draw(|f| super::render::render(&self.app, f))
            .expect("draw");
        t
    }

    /// Renders a frame at the app's current size without resizing (a resize re-scrolls the
    /// list, which would hide a selection the app itself left off screen).
    pub fn buffer_as_is(&self) -> Buffer {
        let (cols, rows) = self.app.size;
        let mut t = Terminal::new(TestBackend::new(cols, rows)).expect("test backend");
        t.draw(|f| super::render::render(&self.app, f))
            .expect("draw");
        t.backend().buffer().clone()
    }

    /// Renders and returns the buffer.
    pub fn buffer(&mut self, cols: u16, rows: u16) -> Buffer {
        self.render(cols, rows).backend().buffer().clone()
    }
}
