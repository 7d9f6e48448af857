//! The journal view: every write sent to GHL, newest first, one entry per line
//! (`time · #change · METHOD /path · status · outcome · traceId`), wrapped when the terminal is
//! narrow. Windowed: only the entries from the scroll position down to the bottom of the
//! screen are built.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::JournalView;
use crate::domain::JournalEntry;
use crate::tui::app::App;
use crate::tui::text;
use crate::tui::theme::Theme;

/// When a write was sent, in Israel time like every time on screen.
fn time(s: &str) -> String {
    crate::tui::panes::short_time(s)
}

/// One entry as text.
pub fn entry_text(e: &JournalEntry) -> String {
    let status = e
        .status
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    let trace = e
        .trace_id
        .as_deref()
        .map_or_else(|| "no traceId".to_owned(), |t| format!("trace {t}"));
    format!(
        "{} · #{} · {} · {} · {} · {}",
        time(&e.at),
        e.change_id,
        e.request,
        status,
        e.outcome,
        trace
    )
}

fn entry_style(e: &JournalEntry, t: &Theme) -> Style {
    match e.status {
        Some(s) if (200..300).contains(&s) => Style::new(),
        Some(_) => t.error(),
        None => t.warn(),
    }
}

/// The lines for entries from `j.scroll`, at most `height` of them, for an inner width `w`.
pub fn lines(j: &JournalView, t: &Theme, w: usize, height: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if let Some(e) = &j.error {
        out.push(Line::styled(
            format!("! reading the journal: {}", text::clean(e)),
            t.error(),
        ));
    }
    if j.entries.is_empty() {
        let msg = if !j.loaded {
            "Reading the journal…"
        } else {
            "Nothing sent yet. Approved changes are sent with the send key on the changes screen."
        };
        for l in text::wrap(msg, w.max(2)) {
            out.push(Line::styled(l, t.dim()));
        }
        return out;
    }
    for e in j.entries.iter().skip(j.scroll) {
        if out.len() >= height {
            break;
        }
        let style = entry_style(e, t);
        for (i, l) in text::wrap(&text::clean(&entry_text(e)), w.saturating_sub(2).max(2))
            .into_iter()
            .enumerate()
        {
            let lead = if i == 0 { "" } else { "  " };
            out.push(Line::from(vec![Span::styled(format!("{lead}{l}"), style)]));
        }
    }
    out.truncate(height);
    out
}

/// Draws the journal over `area`.
pub fn render(app: &App, j: &JournalView, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    f.render_widget(Clear, area);
    let n = j.entries.len();
    let mut title = format!(
        "Journal · {n} write{} sent, newest first, Israel time",
        if n == 1 { "" } else { "s" }
    );
    if n > 0 {
        title.push_str(&format!(" · {}/{n}", j.scroll + 1));
    }
    if j.loading && j.loaded {
        title.push_str(" (reading…)");
    }
    let title = text::truncate(&title, (area.width as usize).saturating_sub(6));
    let block = crate::tui::panes::block(title, true, t);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let l = lines(j, t, inner.width as usize, inner.height as usize);
    f.render_widget(Paragraph::new(l), inner);
}
