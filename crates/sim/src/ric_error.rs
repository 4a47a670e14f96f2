//! The platform's error body (`upstream-apis.md` §C.5): `code` is a *string*.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A RicError response with HTTP `status` and machine codes such as `error_unauthorized`.
pub fn ric_error(status: StatusCode, message: &str, codes: &[&str]) -> Response {
    let body = json!({
        "success": false,
        "name": "RicError",
        "code": status.as_u16().to_string(),
        "message": message,
        "tags": codes,
        "codes": codes,
    });
    (status, Json(body)).into_response()
}
