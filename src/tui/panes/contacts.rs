//! The contacts list: windowed (only the visible rows are built), with the filter line; in
//! the wide layout an Updated column (GHL's `dateUpdated`, short, Israel time).

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::app::{App, Pane};
use crate::tui::text;

/// Width of the Updated column: its longest text is an older date, `2025-11-02`.
const UPDATED: usize = 10;

/// Column widths (name, email, phone, updated, tags) for an inner width; 0 = column hidden.
/// The Updated column (GHL's `dateUpdated`, [`crate::clock::short`]) shows from 62 inner
/// columns: the wide layout from 160 terminal columns (OUR CHOICE: below that, name and email
/// would be cut to make room for it; at 80x24 the list is as before).
fn columns(inner: usize) -> [usize; 5] {
    let avail = inner.saturating_sub(2); // the selection marker
    if avail >= 100 {
        let phone = 16;
        let rest = avail - phone - UPDATED - 4;
        let name = rest * 34 / 100;
        let email = rest * 36 / 100;
        [name, email, phone, UPDATED, rest - name - email]
    } else if avail >= 60 {
        // Israeli and US numbers in E.164 are 13 and 12 characters.
        let phone = 14;
        let rest = avail - phone - UPDATED - 3;
        let name = rest / 2;
        [name, rest - name, phone, UPDATED, 0]
    } else if avail >= 24 {
        let name = (avail - 1) / 2;
        [name, avail - 1 - name, 0, 0, 0]
    } else {
        [avail, 0, 0, 0, 0]
    }
}

fn row_line(cells: [&str; 5], widths: [usize; 5], clean: bool) -> String {
    let mut s = String::new();
    for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
        if w == 0 {
            continue;
        }
        if i > 0 {
            s.push(' ');
        }
        if clean {
            s.push_str(&text::cell(c, w));
        } else {
            s.push_str(&text::fit(c, w));
        }
    }
    s
}

/// A row's `dateUpdated` in the Updated column's short form (empty when GHL gave none).
fn updated_cell(date_updated: &str, now: jiff::Timestamp) -> String {
    crate::clock::instant(date_updated)
        .map(|t| crate::clock::short(t, now))
        .unwrap_or_default()
}

/// `1234567` → `1,234,567` (the count the list title and the early frame show).
pub(crate) fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Draws the list into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let focused = app.focus == Pane::Contacts && app.help.is_none();
    let total = app.source.rows.len();
    let mut title = if app.filter.query.is_empty() && app.business.is_none() {
        format!("Contacts {}", thousands(total))
    } else {
        format!(
            "Contacts {}/{}",
            thousands(app.view.len()),
            thousands(total)
        )
    };
    if app.filter.counting && !app.filter.query.is_empty() {
        // A first screenful (issue #14): more matches, exact count on its way.
        title = format!(
            "Contacts {}+/{} (counting…)",
            thousands(app.view.len()),
            thousands(total)
        );
    }
    if !app.rows_complete {
        title.push_str(" (loading…)");
    }
    // While a query is on, matches are ranked (exact, word prefix, substring, fuzzy) and the
    // sort holds within each rank.
    let sort = if app.filter.query.trim().is_empty() {
        format!(" · by {}", app.sort.label())
    } else {
        format!(" · by match, then {}", app.sort.label())
    };
    let marked = if app.marks.is_empty() {
        String::new()
    } else {
        format!(" · {} marked", thousands(app.marks.len()))
    };
    // The marks count matters more than the sort: when both do not fit in the frame's top
    // (its corner and `▶ ` take 5 cells), the sort goes first.
    let room = (area.width as usize).saturating_sub(5);
    if marked.is_empty() || text::width(&format!("{title}{sort}{marked}")) <= room {
        title.push_str(&sort);
    }
    title.push_str(&marked);
    let block = super::block(title, focused, theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let w = inner.width as usize;
    let widths = columns(w);
    let mut lines: Vec<Line> = Vec::new();
    if app.filter_line_shown() {
        let business = app.business.as_ref().map(|b| b.label());
        let mut spans = Vec::new();
        if app.filter.editing || !app.filter.query.is_empty() || business.is_none() {
            let q = text::clean(&app.filter.query);
            spans.push(Span::styled("/ ", theme.key()));
            let pending = if app.filter.pending { 2 } else { 0 };
            let room =
                w.saturating_sub(4 + pending + business.as_ref().map_or(0, |b| text::width(b) + 3));
            // While typing, the end of the query (with the cursor) stays in view: a long
            // query scrolls left.
            spans.push(Span::raw(if app.filter.editing {
                text::tail(&q, room)
            } else {
                text::truncate(&q, room)
            }));
            if app.filter.editing {
                spans.push(Span::styled("█", theme.dim()));
            }
            if app.filter.pending {
                spans.push(Span::styled(" …", theme.dim()));
            }
            if let Some(e) = &app.filter.error {
                let used: usize = spans.iter().map(|s| s.width()).sum();
                spans.push(Span::styled(
                    text::truncate(&format!("  {}", text::clean(e)), w.saturating_sub(used)),
                    theme.error(),
                ));
            }
        }
        if let Some(b) = business {
            if !spans.is_empty() {
                spans.push(Span::styled(" · ", theme.dim()));
            }
            let used: usize = spans.iter().map(|s| s.width()).sum();
            spans.push(Span::styled(
                text::truncate(&b, w.saturating_sub(used)),
                theme.key(),
            ));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::styled(
        format!(
            "  {}",
            row_line(["Name", "Email", "Phone", "Updated", "Tags"], widths, false)
        ),
        theme.header(),
    ));
    let page = crate::tui::layout::list_rows(area, app.filter_line_shown());
    if let (true, Some(e)) = (app.view.is_empty(), &app.filter.error) {
        for l in text::wrap(&text::clean(e), w.saturating_sub(2).max(1))
            .into_iter()
            .take(page.max(1))
        {
            lines.push(Line::styled(format!("  {l}"), theme.error()));
        }
    } else if app.view.is_empty() {
        let msg = if app.business.as_ref().is_some_and(|b| b.ids.is_none()) {
            "Reading the business's contacts…"
        } else if app.business.is_some() && app.filter.query.is_empty() {
            "No cached contact of this business."
        } else if !app.filter.query.is_empty() {
            if app.filter.pending {
                "Filtering…"
            } else {
                "No matches."
            }
        } else if !app.rows_complete {
            "Loading contacts…"
        } else {
            "No contacts in the cache yet. Press r to sync."
        };
        // Wrapped, not cut: the hint is read whole in the 40-column pane at 80x24.
        for l in text::wrap(msg, w.saturating_sub(2).max(1)) {
            lines.push(Line::styled(format!("  {l}"), theme.dim()));
        }
    }
    let end = (app.offset + page).min(app.view.len());
    let now = app.now();
    for i in app.offset..end {
        let Some(r) = app.view.row(i) else { break };
        let selected = i == app.selected;
        let updated = if widths[3] > 0 {
            updated_cell(r.date_updated, now)
        } else {
            String::new()
        };
        let body = row_line(
            [
                r.name,
                r.email,
                r.phone,
                updated.as_str(),
                r.tags_text().as_str(),
            ],
            widths,
            true,
        );
        // The mark (`*`) takes the blank after the selection marker, so the columns stay put.
        let marker = match (selected, app.marks.contains(r.id)) {
            (true, true) => ">*",
            (true, false) => "> ",
            (false, true) => " *",
            (false, false) => "  ",
        };
        let style = if selected {
            theme.selected(focused)
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(marker, style),
            Span::styled(text::fit(&body, w.saturating_sub(2)), style),
        ]));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updated_shows_only_where_the_width_allows() {
        // 80x24 (contacts pane 40 wide, 38 inside) and the 120-column wide layout: no column.
        assert_eq!(columns(38)[3], 0);
        assert_eq!(columns(46)[3], 0);
        assert_eq!(columns(57)[3], 0);
        // 160 columns (64 wide, 62 inside): name, email, phone, updated.
        let w = columns(62);
        assert_eq!(w[3], UPDATED);
        assert_eq!(w[4], 0);
        assert_eq!(w.iter().sum::<usize>() + 3, 60);
        // Very wide: every column, tags last.
        let w = columns(120);
        assert!(w.iter().all(|&c| c > 0), "{w:?}");
        assert_eq!(w.iter().sum::<usize>() + 4, 118);
    }

    #[test]
    fn updated_cell_is_short_israel_time() {
        let now: jiff::Timestamp = "2026-12-03T20:00:00Z".parse().unwrap();
        assert_eq!(updated_cell("2026-12-03T12:03:00.000Z", now), "14:03");
        assert_eq!(updated_cell("2026-11-02T12:03:00.000Z", now), "2 Nov");
        assert_eq!(updated_cell("2025-11-02T12:03:00.000Z", now), "2025-11-02");
        assert_eq!(updated_cell("", now), "");
    }
}
