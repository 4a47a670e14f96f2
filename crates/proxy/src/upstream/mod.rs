//! Clients of the upstream systems. Each maps its upstream's failures to [`ApiError`]s and
//! never lets a URL (which can carry secrets in its query) into an error message.

pub mod flighthub;
pub mod token_api;
pub mod xag;

use crate::error::ApiError;
use axum::body::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

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
    let response = request.send().await.map_err(|e| transport_error(e, what))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| transport_error(e, what))?;
    Ok((status, headers, body))
}

fn transport_error(e: reqwest::Error, what: &'static str) -> ApiError {
    if e.is_timeout() {
        ApiError::UpstreamTimeout { what }
    } else {
        ApiError::UpstreamUnreachable {
            what,
            detail: e.without_url().to_string(),
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
