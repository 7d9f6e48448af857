//! The locations this data dir knows (cached, signed in), for the "no GHL location" message,
//! and [`FreshCache`]: a cache opened for a location that turned out wrong is not left behind.

use std::path::{Path, PathBuf};

use crate::auth::TokenStore;
use crate::config::Settings;
use crate::store::Store;

/// The location ids with a cache (`<data_dir>/locations/<id>/cache.sled`), sorted.
pub fn cached_locations(data_dir: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(data_dir.join("locations"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().join("cache.sled").exists())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

/// The "no GHL location" error text: how to choose one, and the locations that could be
/// chosen — the cached ones and the signed-in ones (with their names), or that there are none.
pub fn no_location_message(settings: &Settings) -> String {
    let mut msg = String::from(
        "no GHL location: choose one with --location ID or GHL_LOCATION_ID (or location_id \
         under [ghl] in the config file)",
    );
    msg.push_str(&choices(settings));
    msg
}

/// A location named by `--location`, `GHL_LOCATION_ID` or the config file that has no cache
/// here and no sign-in, while no token is configured (`GHL_TOKEN` / `[ghl] token`): nothing
/// could read it, so a command showing its cache is an error naming it and listing the locations
/// that could be chosen ([`no_location_message`]'s list). Checked before anything opens the
/// cache, so no empty cache directory is made for it. `Ok` for any other case (no location
/// named: [`super::location`] decides; a configured token: OUR CHOICE, the location may be
/// right and not pulled yet, and `sync` says what GHL thinks of it).
pub fn require_known(settings: &Settings) -> color_eyre::Result<()> {
    let (Some(loc), None, Some(data_dir)) = (
        settings.location_id.as_deref(),
        settings.token.as_ref(),
        settings.data_dir.as_deref(),
    ) else {
        return Ok(());
    };
    if Store::location_dir(data_dir, loc)
        .join("cache.sled")
        .exists()
        || TokenStore::new(data_dir).get(loc).ok().flatten().is_some()
    {
        return Ok(());
    }
    Err(color_eyre::eyre::eyre!(
        "location {} is neither cached nor signed in here (check the id from --location, \
         GHL_LOCATION_ID or location_id under [ghl]){}",
        crate::sanitize::clean_line(loc),
        choices(settings)
    ))
}

/// The locations that could be chosen — the cached ones and the signed-in ones (with their
/// names), or that there are none — then the data dir and the demo hint: the tail of the
/// "no GHL location" and "neither cached nor signed in" errors.
fn choices(settings: &Settings) -> String {
    let mut msg = String::new();
    let data_dir = settings.data_dir.as_deref();
    let cached = data_dir.map(cached_locations).unwrap_or_default();
    let signed_in: Vec<String> = data_dir
        .and_then(|d| TokenStore::new(d).load().ok())
        .map(|m| {
            m.into_values()
                .map(|e| match e.location_name {
                    Some(n) => format!("{} ({})", e.location_id, crate::sanitize::clean_line(&n)),
                    None => e.location_id,
                })
                .collect()
        })
        .unwrap_or_default();
    if cached.is_empty() && signed_in.is_empty() {
        msg.push_str(
            "; no location is cached or signed in here: sign in with `bmby-ghl auth login`, \
             or set GHL_LOCATION_ID with GHL_TOKEN",
        );
    } else {
        if !cached.is_empty() {
            msg.push_str(&format!("\n  cached: {}", cached.join(", ")));
        }
        if !signed_in.is_empty() {
            msg.push_str(&format!("\n  signed in: {}", signed_in.join(", ")));
            if settings.token.is_some() {
                msg.push_str(" (GHL_TOKEN is set, so a location must be named)");
            }
        }
    }
    if let Some(d) = data_dir {
        msg.push_str(&format!("\n  (data dir {})", d.display()));
    }
    msg.push_str("\nTo try the product without an account: bmby-ghl demo");
    msg
}

/// The cache directory of the command's location when it did not exist before the command.
/// After the command, [`FreshCache::discard_if_unused`] removes it again if nothing was
/// stored in it: a wrong `GHL_LOCATION_ID` (a refused pull) leaves no empty cache behind to
/// confuse the next run (which picks the only cached location).
#[derive(Debug)]
pub struct FreshCache {
    data_dir: PathBuf,
    location: String,
}

impl FreshCache {
    /// Notes the location's cache if it does not exist yet (`None` when it does, or when no
    /// location is configured).
    pub fn note(settings: &Settings) -> Option<FreshCache> {
        let data_dir = settings.data_dir.clone()?;
        let location = super::location(settings).ok()?;
        let dir = Store::location_dir(&data_dir, &location);
        (!dir.exists()).then_some(FreshCache { data_dir, location })
    }

    /// Removes the location's directory if the command created a cache there and stored
    /// nothing in it ([`Store::is_unused`]). Call after every handle of the cache is closed.
    /// Best effort: a cache another process holds open, or any error, leaves it in place.
    /// Returns whether it was removed.
    pub fn discard_if_unused(self) -> bool {
        let dir = Store::location_dir(&self.data_dir, &self.location);
        if !dir.join("cache.sled").exists() {
            return false;
        }
        // sled may hold its file lock for a moment after the last handle is dropped.
        let within = std::time::Duration::from_secs(2);
        let Ok(store) = Store::open_waiting(&self.data_dir, &self.location, within) else {
            return false;
        };
        let unused = store.is_unused();
        drop(store);
        if unused {
            tracing::info!(location = %self.location, "removing the unused cache of a location that did not work");
            return std::fs::remove_dir_all(&dir).is_ok();
        }
        false
    }
}
