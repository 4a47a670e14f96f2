//! Clients of the upstream systems. Each maps its upstream's failures to [`ApiError`]s and
//! never lets a URL (which can carry secrets in its query) into an error message.
//!
//! Every answer is read through [`send_with_headers`]: streamed, and refused as
//! `upstream_error` once it passes `UPSTREAM_MAX_BODY_BYTES` (a declared `Content-Length` over
//! the cap is refused before reading), so an upstream cannot make the proxy buffer without
//! bound. Each call and each failure is counted for `/metrics`.

pub mod flighthub;
pub mod token_api;
pub mod xag;

use crate::error::ApiError;
use axum::body::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `UPSTREAM_MAX_BODY_BYTES`, set once at start ([`set_max_body_bytes`]).
static MAX_BODY_BYTES: AtomicUsize = AtomicUsize::new(4 * 1024 * 1024);

/// The largest upstream answer read from now on (the process's setting).
pub fn set_max_body_bytes(bytes: usize) {
    MAX_BODY_BYTES.store(bytes.max(1024), Ordering::Relaxed);
}

fn too_large(what: &'static str, cap: usize) -> ApiError {
    crate::health::count_upstream_error(what, "too_large");
    ApiError::Upstream {
        what,
        detail: format!("answer larger than UPSTREAM_MAX_BODY_BYTES ({cap} bytes)"),
    }
}

/// Sends `request` and reads the whole body, mapping transport failures.
pub async fn send(
    request: reqwest::RequestBuilder,
    what: &'static str,
) -> Result<(StatusCode, Bytes), ApiError> {
    let (status, _, body) = send_with_headers(request, what).await?;
    Ok((status, body))
}

/// [`send`], keeping the response headers (e.g. `Retry-After`).
pub async fn send_with_headers(
    request: reqwest::RequestBuilder,
    what: &'static str,
) -> Result<(StatusCode, HeaderMap, Bytes), ApiError> {
    crate::health::count_upstream(what);
    let mut response = request.send().await.map_err(|e| transport_error(e, what))?;
    let status = response.status();
    if status.is_server_error() {
        crate::health::count_upstream_error(what, "status_5xx");
    }
    let headers = response.headers().clone();
    let cap = MAX_BODY_BYTES.load(Ordering::Relaxed);
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_large(what, cap));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(e, what))?
    {
        if body.len() + chunk.len() > cap {
            return Err(too_large(what, cap));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, headers, Bytes::from(body)))
}

fn transport_error(e: reqwest::Error, what: &'static str) -> ApiError {
    if e.is_timeout() {
        crate::health::count_upstream_error(what, "timeout");
        ApiError::UpstreamTimeout { what }
    } else {
        crate::health::count_upstream_error(what, "unreachable");
        ApiError::UpstreamUnreachable {
            what,
            detail: crate::error::with_causes(&e.without_url()),
        }
    }
}

/// Parses a 2xx body as JSON, or reports the upstream as broken.
pub fn json_body<T: serde::de::DeserializeOwned>(
    body: &[u8],
    what: &'static str,
) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::Upstream {
        what,
        detail: format!("unexpected response body: {e}"),
    })
}

/// A failure status that no caller handles specially.
pub fn unexpected_status(status: StatusCode, what: &'static str) -> ApiError {
    ApiError::Upstream {
        what,
        detail: format!("HTTP {status}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The log says why: refused, not only "error sending request".
    #[tokio::test]
    async fn an_unreachable_upstream_says_its_cause() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = closed.local_addr().expect("addr").port();
        drop(closed);
        let e = reqwest::get(format!("http://127.0.0.1:{port}/?secret=x"))
            .await
            .expect_err("nothing listens");
        let ApiError::UpstreamUnreachable { detail, .. } = transport_error(e, "platform") else {
            panic!("unreachable");
        };
        assert!(detail.contains("refused"), "{detail}");
        assert!(!detail.contains("secret=x"), "{detail}");
    }
}
