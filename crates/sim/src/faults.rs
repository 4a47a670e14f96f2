//! Switchable failures for tests: a simulator answers as its reference says until a test
//! says otherwise.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A failure to inject into every response of one simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer only after this long (to trip timeouts).
    Delay(Duration),
    /// HTTP 200 with a body that is not JSON.
    Garbage,
    /// HTTP 500 with an HTML body, as a broken gateway would.
    ServerError,
    /// An envelope `{"code": code, "message": …}` with this HTTP status (e.g. FlightHub's
    /// `210429` rate limit, or HTTP 429).
    Envelope { status: u16, code: i64 },
    /// This status, content type and body, whatever was asked (an empty 200, a captive
    /// portal's HTML, JSON of the wrong shape).
    Body {
        status: u16,
        content_type: &'static str,
        body: &'static str,
    },
}

/// The fault switch of one simulator; clone it into tests.
#[derive(Clone, Default)]
pub struct Faults(Arc<Mutex<Option<Fault>>>);

impl Faults {
    pub fn set(&self, fault: Option<Fault>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = fault;
    }

    fn current(&self) -> Option<Fault> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wraps `router` so the switch applies to every route.
    pub fn wrap(&self, router: Router) -> Router {
        router.layer(middleware::from_fn_with_state(self.clone(), inject))
    }
}

async fn inject(State(faults): State<Faults>, req: Request, next: Next) -> Response {
    match faults.current() {
        None => next.run(req).await,
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            next.run(req).await
        }
        Some(Fault::Garbage) => (
            [(header::CONTENT_TYPE, "application/json")],
            Body::from("<html>not json{"),
        )
            .into_response(),
        Some(Fault::ServerError) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>502 Bad Gateway<hr>nginx</body></html>",
        )
            .into_response(),
        Some(Fault::Envelope { status, code }) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            [(header::CONTENT_TYPE, "application/json")],
            format!(r#"{{"code":{code},"message":"simulated failure {code}"}}"#),
        )
            .into_response(),
        Some(Fault::Body {
            status,
            content_type,
            body,
        }) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            [(header::CONTENT_TYPE, content_type)],
            body,
        )
            .into_response(),
    }
}
