//! `GET /locations/{locationId}` (Locations API, `Version: 2021-07-28`, scope
//! `locations.readonly`) → `{ location: GetLocationByIdSchema }`; the name and the time zone
//! (`timezone`, an IANA name such as `America/New_York`) are read.

use reqwest::Method;
use serde_json::Value;

use super::client::{ApiFamily, GhlClient};
use super::GhlError;
use crate::sanitize::clean_line;

impl GhlClient {
    /// The location's `name` (sanitized to one line), `None` when the answer has none.
    pub async fn location_name(&self) -> Result<Option<String>, GhlError> {
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
        Ok(v.get("location")
            .and_then(|l| l.get("name"))
            .and_then(Value::as_str)
            .map(clean_line)
            .filter(|n| !n.trim().is_empty()))
    }

    /// The location's time zone (`location.timezone`, an IANA name such as
    /// `America/New_York`, sanitized to one line); `None` when the answer has none.
    pub async fn location_timezone(&self) -> Result<Option<String>, GhlError> {
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
        Ok(v.get("location")
            .and_then(|l| l.get("timezone"))
            .and_then(Value::as_str)
            .map(clean_line)
            .map(|z| z.trim().to_owned())
            .filter(|z| !z.is_empty()))
    }
}
