//! `bmby-ghl auth login | status | logout`.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use color_eyre::eyre::{eyre, Result, WrapErr};
use serde_json::json;
use tokio::runtime::Runtime;

use super::token_store;
use crate::auth::flow::{self, LoginOptions};
use crate::auth::{self, store::now_secs, TokenEntry, TokenKind};
use crate::cli::AuthCommand;
use crate::config::{Paths, Settings};
use crate::ghl::{ClientConfig, GhlClient, GhlError, PrivateIntegrationToken, Secret};

/// Runs an `auth` subcommand.
pub(super) fn auth_cmd(
    cmd: AuthCommand,
    paths: &Paths,
    settings: &Settings,
    rt: &Runtime,
) -> Result<i32> {
    match cmd {
        AuthCommand::Login {
            no_browser,
            token,
            read_only,
            agency,
            timeout,
            open,
        } => {
            let entry = if token {
                pit_login(settings, rt)?
            } else if agency {
                agency_login(settings, rt, read_only)?
            } else {
                oauth_login(settings, rt, no_browser, read_only, timeout)?
            };
            let name = entry
                .location_name
                .as_deref()
                .map(|n| format!("{} ({})", crate::sanitize::clean_line(n), entry.location_id))
                .unwrap_or_else(|| entry.location_id.clone());
            outln!("Signed in to {name} with {}.", entry.kind.label());
            // With OAuth the location is chosen on GHL's page, not by --location.
            if let Some(asked) = settings
                .location_id
                .as_deref()
                .filter(|l| *l != entry.location_id)
            {
                errln!(
                    "warning: you asked for location {asked}, but GHL's page granted {}; to sign in to {asked}, run `bmby-ghl auth login` again and choose it there",
                    entry.location_id
                );
            }
            if let Some(r) = entry.read_only_reason() {
                outln!("Read-only: {r}.");
            }
            if open {
                let mut s = settings.clone();
                s.location_id = Some(entry.location_id.clone());
                s.token = None;
                return super::browse::run_tui(paths, &s, rt);
            }
            outln!("Run `bmby-ghl` to browse it; `bmby-ghl auth status` lists your locations.");
            Ok(0)
        }
        AuthCommand::Status { json } => status(settings, json),
        AuthCommand::Logout { location, all } => logout(settings, location, all),
    }
}

fn oauth_login(
    settings: &Settings,
    rt: &Runtime,
    no_browser: bool,
    read_only: bool,
    timeout: u64,
) -> Result<TokenEntry> {
    let store = token_store(settings)?;
    let opts = LoginOptions {
        scopes: if read_only {
            auth::endpoint::read_only_scopes()
        } else {
            auth::SCOPES.iter().map(|s| s.to_string()).collect()
        },
        timeout: Duration::from_secs(timeout),
        base_url: settings.base_url.clone(),
    };
    let oauth = &settings.oauth;
    let paste = no_browser || flow::loopback_target(&oauth.redirect_uri).is_err();
    let r = if paste {
        rt.block_on(flow::paste(
            oauth,
            &store,
            &opts,
            |url| {
                println!("Open this URL in a browser (on any machine), choose the location and approve:\n\n{url}\n");
                println!("The browser then goes to the redirect URL (the page may fail to load; that is fine).");
                print!("Paste that whole URL from the address bar (or just the code) and press Enter:\n> ");
                let _ = std::io::stdout().flush();
            },
            async {
                tokio::task::spawn_blocking(read_pasted_url)
                .await
                .map_err(std::io::Error::other)?
            },
        ))
    } else {
        rt.block_on(flow::loopback(oauth, &store, &opts, |url| {
            println!("Open this URL in a browser on this machine, choose the location and approve:\n\n{url}\n");
            println!(
                "Waiting up to {timeout} s for the browser to come back to {} …",
                oauth.redirect_uri
            );
            println!("(No browser here, e.g. over SSH? Press Ctrl-C and run `bmby-ghl auth login --no-browser`.)");
            let _ = std::io::stdout().flush();
            open_browser(url);
        }))
    };
    r.wrap_err("OAuth sign-in failed")
}

/// `auth login --agency`: the paste-back sign-in to an agency-level app (`user_type=Company`,
/// scopes with `oauth.readonly`/`oauth.write`), the locations the app is installed on
/// (`GET /oauth/installedLocations`), one chosen (`--location`, the only one, or asked on a
/// terminal) and exchanged for its token (`POST /oauth/locationToken`), saved like any
/// sign-in. The agency token itself is not stored.
fn agency_login(settings: &Settings, rt: &Runtime, read_only: bool) -> Result<TokenEntry> {
    use crate::auth::agency::{agency_scopes, app_id, AgencyClient};
    let store = token_store(settings)?;
    let endpoint = auth::TokenEndpoint::new(&settings.oauth).wrap_err("OAuth sign-in failed")?;
    let state = auth::login::new_state();
    let scopes: Vec<String> = agency_scopes()
        .into_iter()
        .filter(|s| !read_only || s != "contacts.write")
        .collect();
    let url = endpoint.authorize_url(&scopes, &state);
    println!("Open this URL in a browser (on any machine), sign in as the agency and approve:\n\n{url}\n");
    println!(
        "The browser then goes to the redirect URL (the page may fail to load; that is fine)."
    );
    print!("Paste that whole URL from the address bar (or just the code) and press Enter:\n> ");
    let _ = std::io::stdout().flush();
    let line = read_pasted_url().wrap_err("reading the pasted redirect URL")?;
    let code = auth::login::parse_pasted(&line, &state).wrap_err("OAuth sign-in failed")?;
    let token = rt
        .block_on(endpoint.exchange_agency_code(&code))
        .wrap_err("OAuth sign-in (agency) failed")?;
    let app = app_id(&settings.oauth).unwrap_or_default();
    let client = AgencyClient::new(&settings.base_url, token, &app)?;
    let list = rt
        .block_on(client.installed_locations())
        .wrap_err("listing the locations the app is installed on")?;
    let listing = || {
        list.iter()
            .map(|l| format!("  {}  {}", l.id, crate::sanitize::clean_line(&l.name)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let chosen = match settings.location_id.as_deref() {
        Some(want) => list.iter().find(|l| l.id == want).ok_or_else(|| {
            eyre!(
                "the app is not installed on location {want} (from --location, GHL_LOCATION_ID or the config); it is installed on:\n{}",
                listing()
            )
        })?,
        None if list.len() == 1 => &list[0],
        None if list.is_empty() => {
            return Err(eyre!(
                "the app is installed on no location of agency {}: install it on a sub-account first",
                client.company_id()
            ))
        }
        None if std::io::stdin().is_terminal() => {
            println!("The app is installed on these locations:");
            for (i, l) in list.iter().enumerate() {
                println!("  {}. {} ({})", i + 1, crate::sanitize::clean_line(&l.name), l.id);
            }
            print!("Which one (number)? ");
            let _ = std::io::stdout().flush();
            let mut answer = String::new();
            std::io::stdin().lock().read_line(&mut answer)?;
            answer
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| list.get(i))
                .ok_or_else(|| eyre!("no such choice: {}", answer.trim()))?
        }
        None => {
            return Err(eyre!(
                "the app is installed on {} locations; choose one with --location:\n{}",
                list.len(),
                listing()
            ))
        }
    };
    let mut entry = rt
        .block_on(client.location_token(&chosen.id))
        .wrap_err("getting a token for the location")?;
    entry.location_name = Some(chosen.name.clone()).filter(|n| !n.is_empty());
    Ok(rt.block_on(auth::save_sign_in(&store, &settings.base_url, entry))?)
}

/// Opens `url` in the desktop's browser when there is a desktop (never over plain SSH).
fn open_browser(url: &str) {
    let desktop = std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
        || cfg!(target_os = "macos");
    if !desktop || std::env::var_os("BMBY_GHL_NO_BROWSER").is_some() {
        return;
    }
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        tracing::info!(error = %e, opener, "could not start a browser");
    }
}

/// Reads a line from stdin without echo when it is a terminal.
fn read_secret_line(prompt: &str) -> std::io::Result<String> {
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    if tty {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
    }
    let _echo = tty.then(EchoOff::new).flatten();
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    if tty {
        errln!();
    }
    Ok(line)
}

/// Terminal echo switched off until dropped.
struct EchoOff(libc::termios);

impl EchoOff {
    fn new() -> Option<EchoOff> {
        // SAFETY: tcgetattr/tcsetattr on fd 0 with a zeroed termios they fill in.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut t) != 0 {
                return None;
            }
            let saved = t;
            t.c_lflag &= !libc::ECHO;
            if libc::tcsetattr(0, libc::TCSANOW, &t) != 0 {
                return None;
            }
            Some(EchoOff(saved))
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        // SAFETY: restores the attributes read in `new`.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, &self.0);
        }
    }
}

fn pit_login(settings: &Settings, rt: &Runtime) -> Result<TokenEntry> {
    let store = token_store(settings)?;
    let loc = settings.location_id.clone().ok_or_else(|| {
        eyre!("--token needs the location: `bmby-ghl auth login --token --location ID`")
    })?;
    let token = match std::env::var("GHL_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        Some(t) => t,
        None => read_secret_line("Private Integration Token (input hidden): ")
            .wrap_err("reading the token from stdin")?,
    };
    let token = Secret::new(token.trim());
    if token.expose().is_empty() {
        return Err(eyre!("no token: pipe it on stdin or set GHL_TOKEN"));
    }
    let client = GhlClient::new(
        ClientConfig {
            max_attempts: 2,
            ..ClientConfig::new(&settings.base_url, &loc)
        },
        std::sync::Arc::new(PrivateIntegrationToken(token.clone())),
    )?;
    // Check the token before keeping it: a 401 other than a missing scope, or a 403, means
    // it cannot act on this location.
    if let Err(e) = rt.block_on(client.location_name()) {
        let scope_only = matches!(&e, GhlError::Api { messages, .. }
            if messages.iter().any(|m| m.to_lowercase().contains("scope")));
        if matches!(e.status(), Some(401) | Some(403)) && !scope_only {
            return Err(eyre!("GHL refused the token for location {loc}: {e}"));
        }
        tracing::info!(error = %e, "PIT accepted without the location name");
    }
    let now = now_secs();
    let entry = TokenEntry {
        location_id: loc,
        location_name: None,
        company_id: None,
        user_type: "Location".into(),
        user_id: None,
        scopes: Vec::new(),
        kind: TokenKind::Pit,
        access_token: token,
        refresh_token: None,
        expires_at: None,
        needs_sign_in: None,
        updated_at: now,
        signed_in_at: now,
    };
    Ok(rt.block_on(auth::save_sign_in(&store, &settings.base_url, entry))?)
}

fn expiry_text(at: Option<i64>, now: i64) -> String {
    let Some(at) = at else {
        return "never (static token)".into();
    };
    let when = jiff::Timestamp::from_second(at)
        .map(crate::clock::human_labelled)
        .unwrap_or_else(|_| at.to_string());
    let left = at - now;
    if left <= 0 {
        format!("{when} (expired; refreshed on next use)")
    } else if left < 3600 {
        format!("{when} (in {} min)", left / 60)
    } else {
        format!("{when} (in {} h {} min)", left / 3600, (left % 3600) / 60)
    }
}

fn status(settings: &Settings, as_json: bool) -> Result<i32> {
    let store = token_store(settings)?;
    let entries = store.load()?;
    let default = store.default_location()?;
    let env_token = settings.token.is_some();
    let now = now_secs();
    if as_json {
        let locs: Vec<_> = entries
            .values()
            .map(|e| {
                json!({
                    "locationId": e.location_id,
                    "name": e.location_name.as_deref().map(crate::sanitize::clean_line),
                    "kind": match e.kind { TokenKind::Oauth => "oauth", TokenKind::Pit => "pit" },
                    "userType": e.user_type,
                    "companyId": e.company_id,
                    "scopes": e.scopes,
                    "expiresAt": e.expires_at.and_then(|t| jiff::Timestamp::from_second(t).ok()).map(|t| t.to_string()),
                    "needsSignIn": e.needs_sign_in.is_some(),
                    "needsSignInReason": e.needs_sign_in,
                    "readOnly": e.read_only_reason().is_some(),
                    "default": default.as_deref() == Some(e.location_id.as_str()),
                })
            })
            .collect();
        let doc = json!({
            "store": store.path(),
            "tokenFromEnvironment": env_token,
            "locations": locs,
        });
        outln!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    if env_token {
        outln!("GHL_TOKEN (or token in the config) is set: commands use it and ignore the signed-in locations below.\n");
    }
    if entries.is_empty() {
        outln!("No location is signed in. Run `bmby-ghl auth login` (OAuth) or `bmby-ghl auth login --token --location ID`.");
        return Ok(0);
    }
    for e in entries.values() {
        let mark = if default.as_deref() == Some(e.location_id.as_str()) {
            "  (default)"
        } else {
            ""
        };
        // The store is a file anyone with the account can edit: clean what it says.
        outln!(
            "{}  {}{mark}",
            crate::sanitize::clean_line(&e.location_id),
            e.location_name
                .as_deref()
                .map(crate::sanitize::clean_line)
                .unwrap_or_else(|| "(name unknown)".into())
        );
        outln!(
            "  token:   {}{}",
            e.kind.label(),
            e.company_id
                .as_deref()
                .map(|c| format!(", {} of company {c}", e.user_type))
                .unwrap_or_default()
        );
        outln!(
            "  scopes:  {}",
            if e.scopes.is_empty() {
                "(not reported for this token kind)".to_owned()
            } else {
                e.scopes.join(" ")
            }
        );
        outln!("  expires: {}", expiry_text(e.expires_at, now));
        let state = match (&e.needs_sign_in, e.read_only_reason()) {
            (Some(r), _) => format!("NEEDS SIGN-IN ({r}): run `bmby-ghl auth login`"),
            (None, Some(_)) => "signed in, read-only (no contacts.write)".into(),
            (None, None) => "signed in".into(),
        };
        outln!("  state:   {state}");
    }
    Ok(0)
}

fn logout(settings: &Settings, location: Option<String>, all: bool) -> Result<i32> {
    let store = token_store(settings)?;
    let entries = store.load()?;
    let targets: Vec<String> = if all {
        entries.keys().cloned().collect()
    } else if let Some(l) = location {
        vec![l]
    } else if entries.len() == 1 {
        entries.keys().cloned().collect()
    } else if entries.is_empty() {
        outln!("No location is signed in.");
        return Ok(0);
    } else {
        return Err(eyre!(
            "several locations are signed in ({}); name one: `bmby-ghl auth logout ID`, or --all",
            entries.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    };
    let mut code = 0;
    for l in targets {
        if store.remove(&l)? {
            outln!("Signed out of {l} (its tokens are deleted; the cache stays).");
        } else {
            errln!("{l} is not signed in");
            code = 1;
        }
    }
    Ok(code)
}

/// Reads the pasted redirect URL: blank lines are skipped (an accidental Enter), and a URL a
/// terminal broke over several full-width lines is joined until it carries both `code` and
/// `state` (at most 8 lines). Ends at end of input.
fn read_pasted_url() -> std::io::Result<String> {
    let mut stdin = std::io::stdin().lock();
    let mut got = String::new();
    for _ in 0..8 {
        let mut line = String::new();
        if stdin.read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        got.push_str(line);
        let looks_url = got.contains("://") || got.contains('?');
        let complete = got.contains("code=") && got.contains("state=");
        // A line cut by a terminal's wrap fills the terminal's width; a shorter one ends it.
        let wrapped = line.chars().count() >= 70;
        if !looks_url || complete || !wrapped {
            break;
        }
    }
    Ok(got)
}
