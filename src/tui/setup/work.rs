//! The setup's background work: each [`SetupTask`] runs on the runtime (never on the UI
//! thread) and sends its answers as [`SetupDone`] messages. Secrets go only to GHL, Bmby and
//! the token store; errors carry no secret (tokens and passwords are [`Secret`]s, whose
//! `Display` is `[redacted]`).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::{AgencyGrant, LocationInfo, SetupDone, SetupEnv, SetupTask};
use crate::auth::store::now_secs;
use crate::auth::{TokenEntry, TokenKind, TokenStore};
use crate::ghl::{ClientConfig, GhlClient, GhlError, PrivateIntegrationToken, Secret};

/// How many Bmby clients the login check reads (one page) for the preview.
pub const SAMPLE_CLIENTS: u32 = 5;

/// Runs `task`, sending its answer(s) on `tx`.
pub async fn run(task: SetupTask, env: SetupEnv, tx: UnboundedSender<SetupDone>) {
    let store = TokenStore::new(&env.data_dir);
    let done = match task {
        SetupTask::ListLocations => SetupDone::Locations(signed_in(&store).await),
        SetupTask::CheckPit { token, location_id } => {
            SetupDone::SignedIn(check_pit(&env, &store, token, location_id).await)
        }
        SetupTask::ExchangeCode { code } => {
            SetupDone::SignedIn(exchange(&env, &store, code.expose()).await)
        }
        SetupTask::ExchangeAgencyCode { code } => {
            SetupDone::Agency(agency_sign_in(&env, code.expose()).await)
        }
        SetupTask::AgencyLocationToken {
            token,
            location_id,
            name,
        } => SetupDone::LocationToken(
            agency_location(&env, &store, token, &location_id, &name).await,
        ),
        SetupTask::OAuthLoopback => {
            let opts = login_options(&env);
            let url_tx = tx.clone();
            let r = crate::auth::flow::loopback(&env.oauth, &store, &opts, move |url| {
                let _ = url_tx.send(SetupDone::OAuthUrl(url.to_owned()));
            })
            .await
            .map_err(|e| e.to_string());
            SetupDone::SignedIn(match r {
                Ok(entry) => Ok((info(&entry), signed_in(&store).await)),
                Err(e) => Err(e),
            })
        }
        SetupTask::CheckBmby {
            login,
            password,
            project_id,
        } => SetupDone::Bmby(check_bmby(&env, login, password, project_id).await),
        SetupTask::CheckFolder { path } => SetupDone::Folder(
            tokio::task::spawn_blocking(move || check_folder(&path))
                .await
                .unwrap_or_else(|e| Err(e.to_string())),
        ),
        SetupTask::LoadCustomFields { location_id } => {
            SetupDone::CustomFields(custom_fields(&env, &store, &location_id).await)
        }
        SetupTask::Write {
            plan,
            bmby_password,
        } => {
            let (config, data) = (env.config_file.clone(), env.data_dir.clone());
            SetupDone::Written(
                tokio::task::spawn_blocking(move || {
                    if let Some(p) = &bmby_password {
                        super::write::save_bmby_password(&data, p).map_err(|e| e.to_string())?;
                    }
                    super::write::write_config(&config, &plan).map_err(|e| e.to_string())
                })
                .await
                .unwrap_or_else(|e| Err(e.to_string())),
            )
        }
    };
    let _ = tx.send(done);
}

fn login_options(env: &SetupEnv) -> crate::auth::flow::LoginOptions {
    crate::auth::flow::LoginOptions {
        scopes: crate::auth::SCOPES.iter().map(|s| s.to_string()).collect(),
        timeout: Duration::from_secs(300),
        base_url: env.base_url.clone(),
    }
}

fn info(e: &TokenEntry) -> LocationInfo {
    LocationInfo {
        id: e.location_id.clone(),
        name: e.location_name.clone(),
        kind: e.kind.label().to_owned(),
    }
}

/// The token store's locations (none when it cannot be read).
async fn signed_in(store: &TokenStore) -> Vec<LocationInfo> {
    let s = store.clone();
    tokio::task::spawn_blocking(move || s.load())
        .await
        .ok()
        .and_then(Result::ok)
        .map(|m| m.values().map(info).collect())
        .unwrap_or_default()
}

/// One `GET /locations/{id}` with the token: a 401 (other than a missing scope) or 403 means
/// the token cannot act on this location. Then the token is saved for it.
async fn check_pit(
    env: &SetupEnv,
    store: &TokenStore,
    token: Secret,
    location_id: String,
) -> Result<(LocationInfo, Vec<LocationInfo>), String> {
    let client = GhlClient::new(
        ClientConfig {
            max_attempts: 2,
            ..ClientConfig::new(&env.base_url, &location_id)
        },
        Arc::new(PrivateIntegrationToken(token.clone())),
    )
    .map_err(|e| e.to_string())?;
    let name = match client.location_name().await {
        Ok(n) => n,
        Err(e) => {
            let scope_only = matches!(&e, GhlError::Api { messages, .. }
                if messages.iter().any(|m| m.to_lowercase().contains("scope")));
            if matches!(e.status(), Some(401) | Some(403)) && !scope_only {
                return Err(format!(
                    "GHL refused the token for location {location_id}: {e}"
                ));
            }
            if e.status().is_none() || e.status().is_some_and(|s| s >= 500 || s == 404) {
                return Err(format!("the token could not be checked: {e}"));
            }
            tracing::info!(error = %e, "PIT accepted without the location name");
            None
        }
    };
    let now = now_secs();
    let entry = TokenEntry {
        location_id,
        location_name: name,
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
    let s = store.clone();
    let e = entry.clone();
    tokio::task::spawn_blocking(move || s.put(e))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    Ok((info(&entry), signed_in(store).await))
}

/// The paste-back finish of OAuth: `POST /oauth/token` with the code, then the sign-in saved
/// (as `bmby-ghl auth login --no-browser` does).
async fn exchange(
    env: &SetupEnv,
    store: &TokenStore,
    code: &str,
) -> Result<(LocationInfo, Vec<LocationInfo>), String> {
    let endpoint = crate::auth::TokenEndpoint::new(&env.oauth).map_err(|e| e.to_string())?;
    let entry = endpoint
        .exchange_code(code)
        .await
        .map_err(|e| e.to_string())?;
    let entry = crate::auth::save_sign_in(store, &env.base_url, entry)
        .await
        .map_err(|e| e.to_string())?;
    Ok((info(&entry), signed_in(store).await))
}

/// The paste-back finish of an agency app: `POST /oauth/token` with `user_type=Company`, then
/// every page of `GET /oauth/installedLocations`. The agency token stays in memory.
async fn agency_sign_in(env: &SetupEnv, code: &str) -> Result<AgencyGrant, String> {
    let endpoint = crate::auth::TokenEndpoint::new(&env.oauth).map_err(|e| e.to_string())?;
    let token = endpoint
        .exchange_agency_code(code)
        .await
        .map_err(|e| e.to_string())?;
    let app = crate::auth::agency::app_id(&env.oauth).unwrap_or_default();
    let client = crate::auth::AgencyClient::new(&env.base_url, token.clone(), &app)
        .map_err(|e| e.to_string())?;
    let locations = client
        .installed_locations()
        .await
        .map_err(|e| e.to_string())?;
    if locations.is_empty() {
        return Err(format!(
            "the app is installed on no location of agency {}: install it on a sub-account in GHL (Marketplace → your app), then sign in again",
            token.company_id
        ));
    }
    tracing::info!(company = %token.company_id, locations = locations.len(), "agency sign-in");
    Ok(AgencyGrant { token, locations })
}

/// `POST /oauth/locationToken` for the chosen location, then the sign-in saved (the name read
/// with the new token, else the listed one).
async fn agency_location(
    env: &SetupEnv,
    store: &TokenStore,
    token: crate::auth::AgencyToken,
    location_id: &str,
    name: &str,
) -> Result<(LocationInfo, Vec<LocationInfo>), String> {
    let app = crate::auth::agency::app_id(&env.oauth).unwrap_or_default();
    let client =
        crate::auth::AgencyClient::new(&env.base_url, token, &app).map_err(|e| e.to_string())?;
    let mut entry = client
        .location_token(location_id)
        .await
        .map_err(|e| e.to_string())?;
    entry.location_name = (!name.is_empty()).then(|| name.to_owned());
    let entry = crate::auth::save_sign_in(store, &env.base_url, entry)
        .await
        .map_err(|e| e.to_string())?;
    Ok((info(&entry), signed_in(store).await))
}

/// One `GetAll` call: the login works and the first clients are the preview's sample.
async fn check_bmby(
    env: &SetupEnv,
    login: String,
    password: Secret,
    project_id: String,
) -> Result<Vec<crate::bmby::BmbyClient>, String> {
    let mut cfg = crate::bmby::soap::BmbySoapConfig::new(
        env.bmby_soap_url.clone(),
        login,
        password,
        project_id,
    );
    cfg.max_attempts = 2;
    let client = crate::bmby::soap::BmbySoapClient::new(cfg).map_err(|e| e.to_string())?;
    client
        .first_clients(SAMPLE_CLIENTS)
        .await
        .map_err(|e| format!("Bmby refused or failed: {e}"))
}

/// `~` or `~/…` with the home directory (`$HOME`) put in, as a shell would; other paths as
/// typed.
pub fn expand_home(path: &str) -> std::path::PathBuf {
    let home = || std::env::var_os("HOME").map(std::path::PathBuf::from);
    match path.strip_prefix('~') {
        Some("") => home().unwrap_or_else(|| path.into()),
        Some(rest) if rest.starts_with('/') => home()
            .map(|h| h.join(rest.trim_start_matches('/')))
            .unwrap_or_else(|| path.into()),
        _ => path.into(),
    }
}

/// The folder exists; how many export files (xlsx, xls, csv…) it holds now.
pub fn check_folder(path: &str) -> Result<usize, String> {
    if path.is_empty() {
        return Err("type the folder the export files arrive in".into());
    }
    let expanded = expand_home(path);
    let rd = std::fs::read_dir(&expanded).map_err(|e| format!("{path}: {e}"))?;
    Ok(rd
        .filter_map(Result::ok)
        .filter(|e| {
            e.path()
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| {
                    matches!(
                        x.to_ascii_lowercase().as_str(),
                        "xlsx" | "xlsm" | "xls" | "ods" | "csv"
                    )
                })
        })
        .count())
}

/// `GET /locations/{id}/customFields` with the location's stored sign-in.
async fn custom_fields(
    env: &SetupEnv,
    store: &TokenStore,
    location_id: &str,
) -> Result<Vec<crate::domain::CustomFieldDef>, String> {
    let entry = store
        .get(location_id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("location {location_id} is not signed in"))?;
    let auth = crate::auth::provider_for(store, entry, &env.oauth);
    let client = GhlClient::new(ClientConfig::new(&env.base_url, location_id), auth)
        .map_err(|e| e.to_string())?;
    client.custom_fields().await.map_err(|e| e.to_string())
}
