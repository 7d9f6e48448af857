//! GHL / NestJS error bodies (`common/common-schemas.json`, ghl-api.md §7).

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// 400 `{"statusCode":400,"message":"<msg>","error":"Bad Request"}` (message is a string).
pub fn bad_request(msg: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"statusCode": 400, "message": msg.into(), "error": "Bad Request"})),
    )
        .into_response()
}

/// 400 `{"statusCode":400,"message":"Contact with id <id> not found"}` — GHL answers an unknown
/// contact id with 400, not 404, and without an `error` field (ghl-pitfalls.md #14).
pub fn contact_not_found(id: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"statusCode": 400, "message": format!("Contact with id {id} not found")})),
    )
        .into_response()
}

/// 401 `{"statusCode":401,"message":<msg>,"error":"Unauthorized"}`.
pub fn unauthorized(msg: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"statusCode": 401, "message": msg, "error": "Unauthorized"})),
    )
        .into_response()
}

/// 403 `{"statusCode":403,"message":"The token does not have access to this location.","error":"Forbidden"}`.
pub fn forbidden_location() -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(json!({
            "statusCode": 403,
            "message": "The token does not have access to this location.",
            "error": "Forbidden"
        })),
    )
        .into_response()
}

/// 422 `{"statusCode":422,"message":[...],"error":"Unprocessable Entity"}` (message is an array
/// of class-validator strings).
pub fn unprocessable(msgs: Vec<String>) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({"statusCode": 422, "message": msgs, "error": "Unprocessable Entity"})),
    )
        .into_response()
}

/// 429 `{"statusCode":429,"message":"Too many requests"}` (exact GHL body UNCONFIRMED).
pub fn too_many() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({"statusCode": 429, "message": "Too many requests"})),
    )
        .into_response()
}

/// NestJS-style 404 for unknown routes: `{"statusCode":404,"message":"Cannot GET /x","error":"Not Found"}`.
/// Like NestJS on Express (`originalUrl`), the message includes the query string.
/// Also used for known paths with an unsupported method (NestJS has no 405).
pub async fn not_found(req: Request) -> Response {
    let url = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let msg = format!("Cannot {} {}", req.method(), url);
    (
        StatusCode::NOT_FOUND,
        Json(json!({"statusCode": 404, "message": msg, "error": "Not Found"})),
    )
        .into_response()
}
