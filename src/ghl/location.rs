//! `GET /locations/{locationId}` (Locations API, `Version: 2021-07-28`, scope
//! `locations.readonly`) → `{ location: GetLocationByIdSchema }`; the name and the time zone
//! (`timezone`, an IANA name such as `America/New_York`) are read.

use reqwest::Method;
use serde_json::Value;

use super::client::{ApiFamily, GhlClient};
use super::GhlError;
use crate::sanitize::clean_line;

/// What the product reads of a location (`GetLocationByIdSchema`), each text sanitized to one
/// line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocationInfo {
    /// `location.name`; `None` when missing or blank.
    pub name: Option<String>,
    /// `location.timezone`, an IANA name such as `America/New_York`; `None` when missing.
    pub timezone: Option<String>,
    /// `location.settings.allowDuplicateContact` (`SettingsSchema`); `false`, GHL's default,
    /// when the answer has no settings.
    pub allow_duplicate_contact: bool,
}

impl LocationInfo {
    /// Reads the `{ location }` answer of `GET /locations/{locationId}`.
    pub fn from_answer(v: &Value) -> LocationInfo {
        let text = |key: &str| {
            v.get("location")
                .and_then(|l| l.get(key))
                .and_then(Value::as_str)
                .map(|s| clean_line(s).trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        LocationInfo {
            name: text("name"),
            timezone: text("timezone"),
            allow_duplicate_contact: v
                .pointer("/location/settings/allowDuplicateContact")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }
}

impl GhlClient {
    /// `GET /locations/{locationId}`: the location's name, time zone and duplicate setting.
    /// Errors: see [`GhlError`] (401 without `locations.readonly`).
    pub async fn location_info(&self) -> Result<LocationInfo, GhlError> {
        let loc = self.location_id().to_owned();
        let v = self
            .call(
                ApiFamily::Locations,
                Method::GET,
                &["locations", &loc],
                &[],
                None,
            )
            .await?;
        Ok(LocationInfo::from_answer(&v))
    }

    /// The location's `name` (sanitized to one line), `None` when the answer has none.
    pub async fn location_name(&self) -> Result<Option<String>, GhlError> {
        Ok(self.location_info().await?.name)
    }

    /// The location's time zone (`location.timezone`, an IANA name such as
    /// `America/New_York`, sanitized to one line); `None` when the answer has none.
    pub async fn location_timezone(&self) -> Result<Option<String>, GhlError> {
        Ok(self.location_info().await?.timezone)
    }
}
