//! The location's time zone, cached with the location: `GET /locations/{locationId}` →
//! `location.timezone` (an IANA name, `America/New_York`), fetched on pull/sync and kept in the
//! store's `meta` under [`META_KEY`]. GHL sends appointment times of
//! `GET /contacts/{id}/appointments` without a zone (`2026-02-17 11:30:00`); they are in this
//! zone, and [`crate::clock::location_text`] turns them into Israel time for people.

use jiff::tz::TimeZone;

use crate::ghl::GhlClient;
use crate::store::Store;

use super::PullError;

/// The `meta` key of the cached zone name.
pub const META_KEY: &str = "location_timezone";

/// Asks GHL for the location's zone and caches it; returns the zone name. A name the tz
/// database does not know is not cached (a warning is logged), so times stay labelled as
/// location time rather than being converted with a guess. Errors: the GHL call or the store.
pub async fn refresh(client: &GhlClient, store: &Store) -> Result<Option<String>, PullError> {
    let name = client.location_timezone().await?;
    match name.as_deref() {
        Some(n) if crate::clock::zone(n).is_some() => {
            if store.meta(META_KEY).as_deref() != Some(n) {
                store.set_meta(META_KEY, n)?;
            }
        }
        Some(n) => tracing::warn!(timezone = %n, "location time zone unknown to the tz database; appointment times stay labelled as location time"),
        None => tracing::warn!("GHL gave no time zone for the location; appointment times stay labelled as location time"),
    }
    Ok(name)
}

/// The cached zone of the store's location, `None` when never fetched (or unknown).
pub fn cached(store: &Store) -> Option<TimeZone> {
    store.meta(META_KEY).and_then(|n| crate::clock::zone(&n))
}
