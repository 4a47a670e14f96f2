//! What every request passes through, whatever its route (`/api`, the page, a missing file):
//!
//! - [`body_limit`]: a declared `Content-Length` over the route's cap is refused (413) before
//!   a byte of the body is read; a body is read whole within `CLIENT_BODY_TIMEOUT_SECS` (408)
//!   and never past the cap (413, also for chunked bodies).
//! - [`json_errors`]: any error that is not already our JSON body (axum's own 404/405/413,
//!   an extractor's plain-text rejection, a static file's 404) becomes the documented
//!   `{"error": {"code", "message"}}` with a stable code.
//! - [`api_no_store`]: every `/api` answer is `Cache-Control: no-store` unless the route says
//!   otherwise (tokens, MQTT passwords and sessions are never cached on the way).
//! - [`observe`]: the `/metrics` counters and latency histogram by matched route and status.

use crate::error::ApiError;
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, Limited};
use std::time::{Duration, Instant};

/// The path of the one route with a larger body (the admin's license file upload).
const UPLOAD_PREFIX: &str = "/api/unlock/files/";

/// The body cap of this request.
fn cap(state: &AppState, req: &Request) -> usize {
    if req.method() == Method::PUT && req.uri().path().starts_with(UPLOAD_PREFIX) {
        state.config.unlock_max_file_bytes
    } else if req.method() == Method::POST
        && req.uri().path() == pilot_portal_shared::support::paths::SUPPORT_REPORTS
    {
        state.config.support_report_max_bytes
    } else {
        state.config.max_body_bytes
    }
}

fn too_large() -> Response {
    let mut r = ApiError::PayloadTooLarge.into_response();
    // The rest of the body is not read: do not keep the connection for it.
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

pub async fn body_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cap = cap(&state, &req);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .map(|v| v.to_str().ok().and_then(|v| v.trim().parse::<u64>().ok()));
    match declared {
        Some(None) => {
            return ApiError::BadRequest("The Content-Length header is not a number.".into())
                .into_response()
        }
        Some(Some(n)) if n > cap as u64 => {
            crate::health::count_refusal("body_too_large");
            return too_large();
        }
        _ => {}
    }
    let (parts, body) = req.into_parts();
    if axum::body::HttpBody::is_end_stream(&body) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let timeout = Duration::from_secs(state.config.client_body_timeout_secs.max(1));
    let read = tokio::time::timeout(timeout, Limited::new(body, cap).collect()).await;
    let bytes: Bytes = match read {
        Err(_) => {
            crate::health::count_refusal("body_timeout");
            let mut r = ApiError::RequestTimeout.into_response();
            r.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return r;
        }
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            crate::health::count_refusal("body_too_large");
            return too_large();
        }
        Ok(Err(_)) => {
            return ApiError::BadRequest("The request body was cut off.".into()).into_response()
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Whether a response already carries our JSON error body (or is a page meant for a person).
fn is_ours(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json") || t.starts_with("text/html"))
}

/// The documented error for a bare status.
fn error_for(status: StatusCode) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        StatusCode::REQUEST_TIMEOUT => ApiError::RequestTimeout,
        StatusCode::UNAUTHORIZED => ApiError::TokenMissing,
        StatusCode::FORBIDDEN => ApiError::Forbidden("Not allowed.".into()),
        // 400, 415, 422 and the rest of 4xx: what axum's extractors answer for a malformed
        // path, query, header or body. Their text may quote the request: not passed on.
        s if s.is_client_error() => ApiError::BadRequest("The request is malformed.".into()),
        s => ApiError::Internal(format!("HTTP {s} without a body")),
    }
}

pub async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_ours(&response) {
        return response;
    }
    let mut fixed = error_for(status).into_response();
    // keep what the original said about the method or the connection
    for name in [header::ALLOW, header::CONNECTION, header::RETRY_AFTER] {
        if let Some(v) = response.headers().get(&name) {
            fixed.headers_mut().insert(name, v.clone());
        }
    }
    fixed
}

pub async fn api_no_store(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/") || req.uri().path() == "/api";
    let mut response = next.run(req).await;
    if api && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The route label of a request: the matched route, else `static` (page files and the page's
/// own paths). Bounded, whatever paths clients invent.
pub fn route_label(req: &Request) -> String {
    match req.extensions().get::<MatchedPath>() {
        Some(m) => m.as_str().to_owned(),
        None => "static".to_owned(),
    }
}

/// The method label of a request: the standard methods by name, anything else `other`.
/// Clients choose the method; a label per invented one would grow `/metrics` without end.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
    ];
    KNOWN
        .into_iter()
        .find(|known| *known == method.as_str())
        .unwrap_or("other")
}

pub async fn observe(req: Request, next: Next) -> Response {
    let route = route_label(&req);
    let method = method_label(req.method()).to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    crate::health::record_request(route, method, response.status().as_u16(), started.elapsed());
    response
}
