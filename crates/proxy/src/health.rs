//! `/healthz` (the process answers), `/readyz` (the database and the token API answer, and
//! the process is not shutting down) and `/metrics` (Prometheus text format, through the
//! `metrics` facade and `metrics-exporter-prometheus`).
//!
//! Metrics:
//! - `http_requests_total{route, method, status}` and `http_request_duration_seconds{route,
//!   method}` (histogram): `route` is the matched route (`/api/session`, …) or `static`;
//! - `upstream_requests_total{upstream}`, `upstream_errors_total{upstream, kind}` (`kind`:
//!   `timeout`, `unreachable`, `too_large`, `status_5xx`);
//! - `login_failures_total{reason}` (the error code);
//! - `rate_limit_refusals_total{limit}` (`address`, `username`, `upstream`, and the request
//!   guards `body_too_large`, `body_timeout`).
//!
//! `/metrics` answers only socket peers in `METRICS_ALLOW` (loopback by default); the nginx
//! configuration does not forward it.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::OnceLock;
use std::time::Duration;

/// Latency buckets, seconds: from a cached static file to a slow upstream.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder (one per process: the `metrics` macros write to a global one).
pub fn recorder() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    BUCKETS,
                )
                .ok()?;
            match builder.install_recorder() {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::warn!("metrics recorder not installed: {e}");
                    None
                }
            }
        })
        .as_ref()
}

pub fn record_request(route: String, method: String, status: u16, took: Duration) {
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route, "method" => method)
        .record(took.as_secs_f64());
}

/// The metric handles of the page's files, made once: looking a metric up by its labels on
/// every request was a measurable part of a static file's cost.
struct StaticMetrics {
    /// `[GET, HEAD]` × `[200, 304]`.
    answers: [[metrics::Counter; 2]; 2],
    took: [metrics::Histogram; 2],
}

fn static_metrics() -> &'static StaticMetrics {
    static HANDLES: OnceLock<StaticMetrics> = OnceLock::new();
    HANDLES.get_or_init(|| {
        // the recorder first: handles made before it would count nowhere
        recorder();
        let answer = |method: &'static str, status: &'static str| {
            metrics::counter!("http_requests_total", "route" => "static", "method" => method, "status" => status)
        };
        let took = |method: &'static str| {
            metrics::histogram!("http_request_duration_seconds", "route" => "static", "method" => method)
        };
        StaticMetrics {
            answers: [
                [answer("GET", "200"), answer("GET", "304")],
                [answer("HEAD", "200"), answer("HEAD", "304")],
            ],
            took: [took("GET"), took("HEAD")],
        }
    })
}

/// [`record_request`] for a file answered before the request layers (route `static`).
pub fn record_static(method: &axum::http::Method, status: StatusCode, took: Duration) {
    let m = usize::from(*method == axum::http::Method::HEAD);
    let handles = static_metrics();
    match status.as_u16() {
        200 => handles.answers[m][0].increment(1),
        304 => handles.answers[m][1].increment(1),
        other => {
            let method = if m == 1 { "HEAD" } else { "GET" };
            metrics::counter!("http_requests_total", "route" => "static", "method" => method, "status" => other.to_string())
                .increment(1);
        }
    }
    handles.took[m].record(took.as_secs_f64());
}

pub fn count_upstream(upstream: &'static str) {
    metrics::counter!("upstream_requests_total", "upstream" => upstream).increment(1);
}

pub fn count_upstream_error(upstream: &'static str, kind: &'static str) {
    metrics::counter!("upstream_errors_total", "upstream" => upstream, "kind" => kind).increment(1);
}

pub fn count_login_failure(reason: &'static str) {
    metrics::counter!("login_failures_total", "reason" => reason).increment(1);
}

pub fn count_refusal(limit: &'static str) {
    metrics::counter!("rate_limit_refusals_total", "limit" => limit).increment(1);
}

/// `GET /healthz`: the process is up.
pub async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

#[derive(Serialize)]
pub struct Readiness {
    pub ready: bool,
    pub database: bool,
    pub token_api: bool,
    pub shutting_down: bool,
}

/// `GET /readyz`: 200 when this instance should get traffic, 503 (same body) when not.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let shutting_down = state.shutting_down.load(Ordering::SeqCst);
    let (database, token_api) = tokio::join!(state.db.ping(), token_api_reachable(&state));
    let ready = !shutting_down && database && token_api;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut response = (
        status,
        Json(Readiness {
            ready,
            database,
            token_api,
            shutting_down,
        }),
    )
        .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// Whether the token API answers at all (any HTTP status: it is up, whatever it thinks of a
/// request without a token), within 2 s.
async fn token_api_reachable(state: &AppState) -> bool {
    let url = format!(
        "{}{}",
        state.config.token_api_url.trim_end_matches('/'),
        state.config.token_api_tokens_path
    );
    state
        .http
        .get(url)
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .is_ok()
}

/// `GET /metrics`, for the peers in `METRICS_ALLOW`.
pub async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    if !state.metrics_allow.iter().any(|c| c.contains(peer.ip())) {
        return ApiError::NotFound.into_response();
    }
    match recorder() {
        Some(handle) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            handle.render(),
        )
            .into_response(),
        None => ApiError::Internal("no metrics recorder".into()).into_response(),
    }
}
