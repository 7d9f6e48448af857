//! The help screen and the footer's key hints, drawn from the registry
//! ([`super::registry`]) and the effective keymap; the text itself is built (and measured) in
//! [`super::help_text`].

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::action::Action;
use super::app::App;
use super::help_text::{HelpLine, Look};
use super::keymap::{Context, Keymap};
use super::layer::Layer;
use super::registry;
use super::theme::Theme;

pub use super::help_text::{keys_text, line_count};

fn style(t: &Theme, l: Look) -> ratatui::style::Style {
    match l {
        Look::Plain => ratatui::style::Style::new(),
        Look::Dim => t.dim(),
        Look::Header => t.header(),
        Look::Key => t.key(),
    }
}

/// Every line of the help screen.
pub fn lines(keymap: &Keymap, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    super::help_text::help_lines(keymap, width)
        .into_iter()
        .map(|l| match l {
            HelpLine::Whole(s, Look::Plain) => Line::raw(s),
            HelpLine::Whole(s, look) => Line::styled(s, style(theme, look)),
            HelpLine::Pieces(p) => Line::from(
                p.into_iter()
                    .map(|(s, look)| match look {
                        Look::Plain => Span::raw(s),
                        look => Span::styled(s, style(theme, look)),
                    })
                    .collect::<Vec<_>>(),
            ),
        })
        .collect()
}

/// The help overlay over `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let scroll = app.help.unwrap_or(0);
    f.render_widget(Clear, area);
    let block = super::panes::block("Help: keys (esc to close)".into(), true, &app.theme);
    let p = Paragraph::new(lines(&app.keymap, &app.theme, area.width))
        .block(block)
        .scroll((scroll, 0));
    f.render_widget(p, area);
}

/// The one-line key hints for the layer that has the keyboard now.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    let layer = app.layer();
    if layer == Layer::Notice {
        return vec![("any key".into(), "continue")];
    }
    let chain = layer.chain();
    let foot = registry::foot(app, layer);
    let mut out = Vec::new();
    if let Some((k, l)) = registry::foot_prefix(foot) {
        out.push((k.to_owned(), l));
    }
    if registry::foot_shows_stop(foot) && app.status.dispatch.is_some() {
        out.extend(hint_keys(
            &app.keymap,
            &chain,
            &[(Action::ChangesCancelSend, "stop sending")],
        ));
    }
    out.extend(hint_keys(&app.keymap, &chain, registry::footer(foot)));
    out
}

fn hint_keys(
    km: &Keymap,
    chain: &[Context],
    wanted: &[(Action, &'static str)],
) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (action, label) in wanted {
        let mut keys = km.keys_for(chain, *action);
        // "back" is named by its everywhere key (esc) in every pane, so the panes agree.
        if *action == Action::Back {
            let global = km.keys_for(&[Context::Global], Action::Back);
            if global
                .iter()
                .any(|g| km.lookup(chain, *g) == Some(Action::Back))
            {
                keys = global;
            }
        }
        let Some(first) = keys.first() else { continue };
        let mut k = first.to_string();
        if *action == Action::NavDown {
            if let Some(up) = km.keys_for(chain, Action::NavUp).first() {
                k = format!("{k}/{up}");
            }
        }
        // The activity tabs go both ways: `[/] tab`, not a lone `] tab`.
        if *action == Action::TabNext {
            if let Some(prev) = km.keys_for(chain, Action::TabPrev).first() {
                k = format!("{prev}/{k}");
            }
        }
        if *action == Action::ChangeResolve {
            k = keys_text(&keys);
        }
        out.push((k, *label));
    }
    out
}

fn hints_width(h: &[(String, &str)]) -> usize {
    h.iter()
        .map(|(k, l)| super::text::width(k) + 1 + super::text::width(l))
        .sum::<usize>()
        + 2 * h.len().saturating_sub(1)
}

/// The hints that fit in `width` cells: the least important (just before help and quit)
/// are dropped first.
pub fn fitted_hints(app: &App, width: usize) -> Vec<(String, &'static str)> {
    let mut h = hints(app);
    while hints_width(&h) > width && h.len() > 1 {
        let keep_tail = h
            .iter()
            .rev()
            .take_while(|(_, l)| *l == "help" || *l == "quit")
            .count();
        if h.len() > keep_tail {
            h.remove(h.len() - keep_tail - 1);
        } else {
            h.pop();
        }
    }
    h
}

/// Draws the hint line, or instead a notice kept until a key (`Status::until_key`: the
/// takeover of the cache), on the whole line.
pub fn render_footer(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    if let Some(n) = &app.status.until_key {
        let w = area.width as usize;
        let n = super::text::clean(n);
        let shown = if super::text::width(&n) <= w {
            n
        } else {
            format!("{} (m)", super::text::truncate(&n, w.saturating_sub(4)))
        };
        f.render_widget(Paragraph::new(Line::styled(shown, t.warn())), area);
        return;
    }
    let mut spans = Vec::new();
    for (i, (k, label)) in fitted_hints(app, area.width as usize)
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(k, t.key()));
        spans.push(Span::raw(format!(" {label}")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
