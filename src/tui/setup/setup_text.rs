//! The setup screen's lines ([`TextLine`]s with [`Look`]s) for a width and height: the step
//! bar, the step's choices and fields (secrets as their length only), the check's answer and
//! what to do next. Untrusted text (GHL names, Bmby values, error messages) is cleaned.

use super::{AgencyGrant, BmbyWay, Check, Field, GhlWay, Row, Setup, Step};
use crate::bmby::BmbyClient;
use crate::sync::mapping::Target;
use crate::tui::look::{Look, TextLine};
use crate::tui::text;

/// The title line: `Setup 2/5 · Choose the location`.
pub fn title(s: &Setup) -> String {
    format!(
        "bmby-ghl setup {}/{} · {}",
        s.step.number(),
        Step::ALL.len(),
        s.step.title()
    )
}

/// Every line of the screen for `width` columns, at most `height` lines (the last says what
/// was left out).
pub fn lines(s: &Setup, width: u16, height: u16) -> Vec<TextLine> {
    let w = width.max(20) as usize;
    let mut out = vec![TextLine::whole(text::truncate(&title(s), w), Look::Header)];
    out.push(step_bar(s, w));
    out.push(TextLine::raw(""));
    match s.step {
        Step::Ghl => ghl(s, w, &mut out),
        Step::Location => location(s, w, &mut out),
        Step::Bmby => bmby(s, w, &mut out),
        Step::Mapping => mapping(s, w, &mut out),
        Step::Summary => summary(s, w, &mut out),
    }
    let h = height as usize;
    // Steps without rows scroll (down/up) when taller than the screen; the header stays.
    const HEAD: usize = 3;
    let skip = (s.scroll as usize).min(out.len().saturating_sub(h.max(HEAD + 1)));
    if skip > 0 && s.rows().is_empty() && out.len() > HEAD {
        let skip = skip.min(out.len() - HEAD);
        out.drain(HEAD..HEAD + skip);
        out[HEAD - 1] = TextLine::whole(text::truncate("… more above (up scrolls)", w), Look::Dim);
    }
    if h > 0 && out.len() > h {
        out.truncate(h - 1);
        out.push(TextLine::whole(
            text::truncate("… more below (down scrolls)", w),
            Look::Dim,
        ));
    }
    out
}

fn step_bar(s: &Setup, w: usize) -> TextLine {
    let mut pieces = Vec::new();
    for (i, st) in Step::ALL.iter().enumerate() {
        if i > 0 {
            pieces.push((" › ".to_owned(), Look::Dim));
        }
        let name = match st {
            Step::Ghl => "GHL",
            Step::Location => "Location",
            Step::Bmby => "Bmby",
            Step::Mapping => "Mapping",
            Step::Summary => "Summary",
        };
        let look = if *st == s.step {
            Look::Selected
        } else if s.skipped.contains(st) {
            Look::Dim
        } else {
            Look::Plain
        };
        let mark = if s.skipped.contains(st) {
            " (skipped)"
        } else {
            ""
        };
        pieces.push((format!("{name}{mark}"), look));
    }
    let all: String = pieces.iter().map(|(t, _)| t.as_str()).collect();
    if text::width(&all) > w {
        return TextLine::whole(text::truncate(&all, w), Look::Plain);
    }
    TextLine::Pieces(pieces)
}

fn wrapped(out: &mut Vec<TextLine>, s: &str, w: usize, look: Look) {
    for l in text::wrap(s, w.saturating_sub(1).max(10)) {
        out.push(TextLine::whole(format!(" {l}"), look));
    }
}

fn choice(out: &mut Vec<TextLine>, s: &Setup, row: Row, chosen: bool, label: &str, w: usize) {
    let focused = s.focused() == Some(row);
    let t = format!(
        "{}({}) {label}",
        if focused { " > " } else { "   " },
        if chosen { "•" } else { " " }
    );
    out.push(TextLine::whole(
        text::truncate(&t, w),
        if focused { Look::Selected } else { Look::Plain },
    ));
}

fn input(out: &mut Vec<TextLine>, s: &Setup, f: Field, w: usize) {
    let focused = s.focused() == Some(Row::Input(f));
    let value = s.field_text(f);
    let shown = if f.secret() {
        match value.chars().count() {
            0 => String::new(),
            n => format!("(pasted: {n} characters, hidden)"),
        }
    } else {
        text::clean(value)
    };
    let label = format!("{}{:<13}", if focused { " > " } else { "   " }, f.label());
    let room = w.saturating_sub(text::width(&label) + 3).max(4);
    // The end of a long value stays visible while typing.
    let tail: String = {
        let chars: Vec<char> = shown.chars().collect();
        let mut taken = String::new();
        for c in chars.iter().rev() {
            if text::width(&taken) + 1 >= room {
                break;
            }
            taken.insert(0, *c);
        }
        taken
    };
    let cursor = if focused { "_" } else { "" };
    out.push(TextLine::Pieces(vec![
        (label, if focused { Look::Selected } else { Look::Label }),
        (format!("[{tail}{cursor}]"), Look::Plain),
    ]));
}

fn check(out: &mut Vec<TextLine>, c: &Check, w: usize) {
    match c {
        Check::Idle => {}
        Check::Running(m) => wrapped(out, &format!("… {}", text::clean(m)), w, Look::Dim),
        Check::Done(m) => wrapped(out, &format!("✓ {}", text::clean(m)), w, Look::Ok),
        Check::Failed(m) => wrapped(out, &format!("✗ {}", text::clean(m)), w, Look::Error),
    }
}

fn ghl(s: &Setup, w: usize, out: &mut Vec<TextLine>) {
    wrapped(out, "How do you sign in to GHL?", w, Look::Bold);
    let missing = oauth_app_missing(s);
    for way in GhlWay::ALL {
        let row = Row::Ghl(way);
        // Without the Marketplace app's id and secret an OAuth choice can only fail: dimmed,
        // with the reason.
        if missing.is_some() && way != GhlWay::Pit && s.focused() != Some(row) {
            let label = format!("{} (needs a Marketplace app, see below)", way.label());
            for l in text::wrap(&label, w.saturating_sub(7).max(10)) {
                out.push(TextLine::whole(format!("       {l}"), Look::Dim));
            }
            continue;
        }
        choice(out, s, row, s.ghl_way == Some(way), way.label(), w);
    }
    if let Some(missing) = oauth_app_missing(s) {
        wrapped(
            out,
            &format!(
                "The OAuth choices need a GHL Marketplace app: {missing} not set; start \
                 again with {}, or use a Private Integration Token.",
                if missing.ends_with("are") {
                    "them set"
                } else {
                    "it set"
                }
            ),
            w,
            Look::Warn,
        );
    }
    out.push(TextLine::raw(""));
    match s.ghl_way {
        Some(GhlWay::Pit) => {
            input(out, s, Field::Token, w);
            input(out, s, Field::LocationId, w);
            out.push(TextLine::raw(""));
            wrapped(
                out,
                "Paste the token (it is never shown). Scopes: contacts.readonly, contacts.write, \
                 locations.readonly, locations/customFields.readonly. The location id is in \
                 GHL's Settings → Business Profile. Enter checks it with one call.",
                w,
                Look::Dim,
            );
        }
        Some(GhlWay::OAuthPaste | GhlWay::OAuthAgency) => {
            if let Some(p) = &s.oauth {
                wrapped(
                    out,
                    "Open this URL in any browser (copied to your clipboard; ctrl-y copies it again):",
                    w,
                    Look::Plain,
                );
                url_lines(out, &p.url, w);
                out.push(TextLine::raw(""));
                input(out, s, Field::Redirect, w);
                wrapped(
                    out,
                    "Choose the location and approve; then paste the whole redirect URL from the address bar (the page may fail to load: that is fine).",
                    w,
                    Look::Dim,
                );
            }
        }
        Some(GhlWay::OAuthBrowser) => {
            if let Some(p) = &s.oauth {
                wrapped(
                    out,
                    "Open this URL in a browser on this machine (copied):",
                    w,
                    Look::Plain,
                );
                url_lines(out, &p.url, w);
                out.push(TextLine::raw(""));
            }
        }
        None => {
            wrapped(
                out,
                "Move with the arrows (or tab), enter chooses. ctrl-s skips a step; every step can be reopened later from the palette (:setup, :location add, :bmby login).",
                w,
                Look::Dim,
            );
            wrapped(out, DEMO_HINT, w, Look::Dim);
        }
    }
    check(out, &s.ghl_check, w);
}

/// What an OAuth sign-in lacks of the app's configuration, as people set it
/// (`GHL_CLIENT_ID (or client_id under [ghl]) is`), or `None` when both id and secret are set.
pub fn oauth_app_missing(s: &Setup) -> Option<String> {
    let o = &s.env.oauth;
    let id = o.client_id.as_deref().is_none_or(|v| v.trim().is_empty());
    let secret = o.client_secret.is_none();
    match (id, secret) {
        (false, false) => None,
        (true, false) => Some("GHL_CLIENT_ID (or client_id under [ghl]) is".to_owned()),
        (false, true) => Some("GHL_CLIENT_SECRET (or client_secret under [ghl]) is".to_owned()),
        (true, true) => Some(
            "GHL_CLIENT_ID and GHL_CLIENT_SECRET (or client_id and client_secret under [ghl]) \
             are"
            .to_owned(),
        ),
    }
}

/// A URL cut into whole-width pieces, flush left (so it can be copied by selecting it).
fn url_lines(out: &mut Vec<TextLine>, url: &str, w: usize) {
    let chars: Vec<char> = text::clean(url).chars().collect();
    for chunk in chars.chunks(w.max(10)) {
        out.push(TextLine::whole(chunk.iter().collect::<String>(), Look::Key));
    }
}

fn location(s: &Setup, w: usize, out: &mut Vec<TextLine>) {
    check(out, &s.ghl_check, w);
    if let Some(a) = &s.agency {
        installed(s, a, w, out);
        return;
    }
    if s.locations.is_empty() {
        wrapped(
            out,
            "No location is signed in yet: esc goes back to sign in to GHL; ctrl-s skips (the TUI then cannot open on a location).",
            w,
            Look::Warn,
        );
        return;
    }
    wrapped(out, "Which location should bmby-ghl open?", w, Look::Bold);
    for (i, l) in s.locations.iter().enumerate() {
        let kind = if l.kind.is_empty() {
            String::new()
        } else {
            format!("  · {}", l.kind)
        };
        choice(
            out,
            s,
            Row::Location(i),
            s.location == Some(i),
            &format!("{}{kind}", l.label()),
            w,
        );
    }
    out.push(TextLine::raw(""));
    wrapped(
        out,
        "A Private Integration Token belongs to one location; with OAuth, sign in again (:location add) for each location the app is installed on.",
        w,
        Look::Dim,
    );
}

/// The locations an agency app is installed on, by name (address dim beside it).
fn installed(s: &Setup, a: &AgencyGrant, w: usize, out: &mut Vec<TextLine>) {
    wrapped(
        out,
        "Which location should bmby-ghl open? (where the agency app is installed)",
        w,
        Look::Bold,
    );
    let chosen = s.chosen_location().map(|l| l.id.as_str());
    for (i, l) in a.locations.iter().enumerate() {
        let name = if l.name.trim().is_empty() {
            l.id.clone()
        } else {
            format!("{} ({})", text::clean(&l.name), l.id)
        };
        let address = l
            .address
            .as_deref()
            .map(|x| format!("  · {}", text::clean(x)))
            .unwrap_or_default();
        choice(
            out,
            s,
            Row::Installed(i),
            chosen == Some(l.id.as_str()),
            &format!("{name}{address}"),
            w,
        );
    }
    out.push(TextLine::raw(""));
    wrapped(
        out,
        "Enter gets a token for that location from the agency sign-in (POST /oauth/locationToken) and saves it like any sign-in; :location add picks another later.",
        w,
        Look::Dim,
    );
}

fn bmby(s: &Setup, w: usize, out: &mut Vec<TextLine>) {
    wrapped(out, "Where do Bmby clients come from?", w, Look::Bold);
    for way in BmbyWay::ALL {
        choice(
            out,
            s,
            Row::Bmby(way),
            s.bmby_way == Some(way),
            way.label(),
            w,
        );
    }
    out.push(TextLine::raw(""));
    match s.bmby_way {
        Some(BmbyWay::Soap) => {
            input(out, s, Field::BmbyLogin, w);
            input(out, s, Field::BmbyPassword, w);
            input(out, s, Field::BmbyProject, w);
            out.push(TextLine::raw(""));
            wrapped(
                out,
                &format!(
                    "Enter on the project id logs in with one call to {} (the password is never shown, and kept in the data dir's auth/ folder, not in the config file).",
                    text::clean(&s.env.bmby_soap_url)
                ),
                w,
                Look::Dim,
            );
        }
        Some(BmbyWay::Export) => {
            input(out, s, Field::ExportDir, w);
            out.push(TextLine::raw(""));
            wrapped(
                out,
                "The folder Bmby's export files (xlsx or csv) arrive in; import one with `bmby-ghl import FILE`.",
                w,
                Look::Dim,
            );
        }
        _ => {}
    }
    check(out, &s.bmby_check, w);
}

/// The value of a Bmby field (or custom field title) of `c`.
pub fn client_value(c: &BmbyClient, field: &str) -> Option<String> {
    let v = match field {
        "client_id" => Some(c.client_id.clone()),
        "fname" => c.fname.clone(),
        "lname" => c.lname.clone(),
        "email" => c.email.clone(),
        "phone_mobile" => c.phone_mobile.clone(),
        "phone_home" => c.phone_home.clone(),
        "phone_work" => c.phone_work.clone(),
        "address" => c.address.clone(),
        "city" => c.city.clone(),
        "company_name" => c.company_name.clone(),
        "status" => c.status.clone(),
        "remark" => c.remark.clone(),
        "birth_day" => c.birth_day.clone(),
        "media_title" => c.media_title.clone(),
        other => c.custom.get(other).cloned(),
    };
    v.filter(|v| !v.trim().is_empty())
}

fn target_text(t: &Target) -> String {
    match t {
        Target::Field(f) => f.clone(),
        Target::Tag => "tag".into(),
        Target::Custom(k) => format!("custom {k}"),
    }
}

/// The custom fields the mapping writes that the location lacks: (Bmby field, key).
pub fn missing_fields(s: &Setup) -> Vec<(String, String)> {
    let Some(Ok(defs)) = &s.custom_fields else {
        return Vec::new();
    };
    let has = |k: &str| {
        defs.iter()
            .any(|d| d.field_key == k || d.field_key.strip_prefix("contact.") == Some(k))
    };
    let mut out: Vec<(String, String)> = s
        .mapping()
        .fields
        .iter()
        .filter_map(|(b, t)| match t {
            Target::Custom(k) if !has(k) => Some((b.clone(), k.clone())),
            _ => None,
        })
        .collect();
    // The Bmby client id field first: without it GHL contacts cannot be linked back.
    out.sort_by_key(|(b, _)| b != "client_id");
    out
}

fn mapping(s: &Setup, w: usize, out: &mut Vec<TextLine>) {
    let loc = s
        .chosen_location()
        .map(|l| l.label())
        .unwrap_or_else(|| "(no location)".into());
    match &s.custom_fields {
        None => wrapped(
            out,
            &format!("… reading the custom fields of {loc}"),
            w,
            Look::Dim,
        ),
        Some(Err(e)) => wrapped(
            out,
            &format!("✗ custom fields not read: {}", text::clean(e)),
            w,
            Look::Error,
        ),
        Some(Ok(defs)) => {
            let missing = missing_fields(s);
            for (b, k) in &missing {
                let why = if b == "client_id" {
                    " — needed to link GHL contacts to Bmby clients"
                } else {
                    ""
                };
                wrapped(
                    out,
                    &format!(
                        "✗ missing: custom field {k} (from Bmby {}){why}. Create it in GHL (Settings → Custom Fields, key {k}) or set {} = \"none\" under [mapping].",
                        text::clean(b),
                        text::clean(b)
                    ),
                    w,
                    Look::Warn,
                );
            }
            let names: Vec<String> = defs.iter().map(|d| text::clean(&d.field_key)).collect();
            wrapped(
                out,
                &format!(
                    "{} custom field{} in {loc}: {}",
                    defs.len(),
                    if defs.len() == 1 { "" } else { "s" },
                    if names.is_empty() {
                        "none".to_owned()
                    } else {
                        names.join(", ")
                    }
                ),
                w,
                if missing.is_empty() {
                    Look::Ok
                } else {
                    Look::Plain
                },
            );
        }
    }
    out.push(TextLine::raw(""));
    if s.sample.is_empty() {
        let why = match s.bmby_way {
            Some(BmbyWay::Export) => "clients come from export files: the preview shows on import",
            _ => "no Bmby login checked",
        };
        wrapped(
            out,
            &format!("No sample clients ({why}). The mapping:"),
            w,
            Look::Dim,
        );
        for (b, t) in &s.mapping().fields {
            out.push(TextLine::raw(text::truncate(
                &format!("   {:<14} → {}", text::clean(b), target_text(t)),
                w,
            )));
        }
        return;
    }
    wrapped(
        out,
        "The first Bmby clients as GHL contacts:",
        w,
        Look::Bold,
    );
    let m = s.mapping();
    let missing: Vec<String> = missing_fields(s).into_iter().map(|(_, k)| k).collect();
    let col = m
        .fields
        .values()
        .map(|t| text::width(&target_text(t)))
        .max()
        .unwrap_or(10)
        .min(32);
    for c in s.sample.iter().take(3) {
        let name = [c.fname.as_deref(), c.lname.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        out.push(TextLine::whole(
            text::truncate(
                &format!(
                    " Bmby client {} {}",
                    text::clean(&c.client_id),
                    text::clean(&name)
                ),
                w,
            ),
            Look::Label,
        ));
        for (b, t) in &m.fields {
            if let Some(v) = client_value(c, b) {
                let lacks = matches!(t, Target::Custom(k) if missing.contains(k));
                let line = text::truncate(
                    &format!(
                        "   {:<col$} {}{}",
                        target_text(t),
                        text::clean(&v),
                        if lacks {
                            "  (not sent: field missing)"
                        } else {
                            ""
                        }
                    ),
                    w,
                );
                out.push(TextLine::whole(
                    line,
                    if lacks { Look::Dim } else { Look::Plain },
                ));
            }
        }
    }
}

/// Where a person without GHL credentials can try the app.
pub const DEMO_HINT: &str =
    "No GHL credentials yet? `bmby-ghl demo` opens the app on a stand-in GHL with demo data.";

fn summary(s: &Setup, w: usize, out: &mut Vec<TextLine>) {
    let plan = s.plan();
    wrapped(
        out,
        &format!(
            "Enter writes {} (mode 0600; comments in it are kept):",
            s.env.config_file.display()
        ),
        w,
        Look::Bold,
    );
    let mut kv = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            out.push(TextLine::raw(text::truncate(
                &format!("   {k} = \"{}\"", text::clean(v)),
                w,
            )));
        }
    };
    kv("[ghl] location_id", &plan.location_id);
    kv("[ghl] base_url", &plan.base_url);
    kv("[bmby] soap_url", &plan.bmby_soap_url);
    kv("[bmby] login", &plan.bmby_login);
    kv("[bmby] project_id", &plan.bmby_project_id);
    kv("[bmby] export_dir", &plan.bmby_export_dir);
    out.push(TextLine::raw(""));
    // The token is named only when one was saved (a location is signed in).
    let ghl_secret = if s.locations.is_empty() {
        "no GHL token was saved".to_owned()
    } else {
        format!(
            "the GHL token is in {}",
            s.env.data_dir.join("auth").join("tokens.json").display()
        )
    };
    wrapped(
        out,
        &format!(
            "Secrets are not in it: {ghl_secret}, the Bmby password (if any) in {}.",
            super::write::bmby_secret_path(&s.env.data_dir).display()
        ),
        w,
        Look::Dim,
    );
    if s.locations.is_empty() {
        wrapped(out, DEMO_HINT, w, Look::Warn);
    }
    if let Some(missing) = oauth_app_missing(s) {
        wrapped(
            out,
            &format!(
                "Signing in to more locations with OAuth (:location add) needs a GHL \
                 Marketplace app: {missing} not set."
            ),
            w,
            Look::Warn,
        );
    }
    if !s.skipped.is_empty() {
        let names: Vec<&str> = s.skipped.iter().map(|st| st.title()).collect();
        wrapped(
            out,
            &format!(
                "Skipped: {} (reopen with :setup, :location add, :bmby login)",
                names.join(", ")
            ),
            w,
            Look::Warn,
        );
    }
    out.push(TextLine::raw(""));
    match s.chosen_location() {
        Some(l) => wrapped(
            out,
            &format!("Then the TUI opens on {} with a first pull.", l.label()),
            w,
            Look::Plain,
        ),
        None => wrapped(
            out,
            "No GHL location: the config is written, and the TUI has nothing to open yet.",
            w,
            Look::Warn,
        ),
    }
    check(out, &s.write_check, w);
}
