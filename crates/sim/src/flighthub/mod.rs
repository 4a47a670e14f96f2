//! DJI FlightHub 2 OpenAPI V1.0 (`flighthub2-openapi-authentication.txt`, `upstream-apis.md` §A).
//!
//! `/openapi/v0.1/system_status`, `/project`, `/project/device`, `/device`, with the
//! `{code, message, data}` envelope. As the real service: failures come back as HTTP 200 with a
//! non-zero `code`; `X-User-Token` must be the organization key (else `200401`); project routes
//! need `X-Project-Uuid` and answer `200403` for a project the key has no permission on;
//! `X-Request-Id` is required; an empty `data.list` may be `null`. Those codes and `null`
//! come from third-party notes, so each has a run-time switch ([`behaviour`]): other codes,
//! `[]` or no `list`, paging ignored, rate limiting on a burst.

pub mod behaviour;
mod demo;

use axum::extract::{Query, State};
use axum::http::{header as http_header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use behaviour::{BehaviourSwitch, EmptyList, LimitStyle};
pub use demo::{DEMO_ORG_KEY, FORBIDDEN_PROJECT, MAIN_PROJECT};

/// One project and its devices (topology entries `{gateway, drone}`).
#[derive(Clone)]
pub struct Project {
    pub uuid: String,
    pub name: String,
    pub introduction: String,
    pub permitted: bool,
    pub devices: Vec<Value>,
}

/// Headers of an accepted request, kept so tests can check what the proxy sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub request_id: String,
    pub language: Option<String>,
    pub project: Option<String>,
}

#[derive(Clone)]
pub struct FlightHubSim {
    org_key: Arc<String>,
    projects: Arc<Vec<Project>>,
    seen: Arc<std::sync::Mutex<Vec<Seen>>>,
    behaviour: BehaviourSwitch,
}

fn envelope(code: i64, message: &str, data: Option<Value>) -> Response {
    let mut body = json!({"code": code, "message": message});
    if let Some(d) = data {
        body["data"] = d;
    }
    Json(body).into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

impl FlightHubSim {
    /// The demo organization: a few projects with real-looking UUIDs and a Matrice 3D /
    /// DJI RC Plus 2 / Dock 3 mix, including the Pilot 2 emulator's remote controller.
    pub fn demo() -> Self {
        FlightHubSim {
            org_key: Arc::new(DEMO_ORG_KEY.to_owned()),
            projects: Arc::new(demo::projects()),
            seen: Arc::default(),
            behaviour: BehaviourSwitch::default(),
        }
    }

    /// The switch for the alternatives third-party notes leave open.
    pub fn behaviour(&self) -> &BehaviourSwitch {
        &self.behaviour
    }

    /// `{"list": items}` with an empty list as the switch says.
    fn list(&self, items: Vec<Value>) -> Value {
        if !items.is_empty() {
            return json!({ "list": items });
        }
        match self.behaviour.get().empty_list {
            EmptyList::Null => json!({ "list": null }),
            EmptyList::Array => json!({ "list": [] }),
            EmptyList::Missing => json!({}),
        }
    }

    pub fn with_org_key(mut self, key: &str) -> Self {
        self.org_key = Arc::new(key.to_owned());
        self
    }

    /// The accepted requests so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn router(self) -> Router {
        Router::new()
            .route("/openapi/v0.1/system_status", get(system_status))
            .route("/openapi/v0.1/project", get(projects))
            .route("/openapi/v0.1/project/device", get(project_devices))
            .route("/openapi/v0.1/device", get(org_devices))
            .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "404 page not found") })
            .with_state(self)
    }

    /// Common checks: rate limit, organization key, request id.
    fn check(&self, headers: &HeaderMap) -> Result<(), Box<Response>> {
        let behaviour = self.behaviour.get();
        if let Some(limit) = self.behaviour.over_limit() {
            let (status, code) = match limit.style {
                LimitStyle::Code(code) => (StatusCode::OK, code),
                LimitStyle::Http429(code) => (StatusCode::TOO_MANY_REQUESTS, code),
            };
            let mut response = envelope(code, "Operations too frequent", None);
            *response.status_mut() = status;
            if let Ok(v) = limit.retry_after_secs.to_string().parse() {
                response.headers_mut().insert(http_header::RETRY_AFTER, v);
            }
            return Err(Box::new(response));
        }
        let key_invalid = |message: &str| {
            let mut response = envelope(behaviour.key_invalid_code, message, None);
            *response.status_mut() =
                StatusCode::from_u16(behaviour.key_invalid_status).unwrap_or(StatusCode::OK);
            Box::new(response)
        };
        let Some(token) = header(headers, "x-user-token") else {
            return Err(key_invalid("X-User-Token not found or empty"));
        };
        if token != self.org_key.as_str() {
            return Err(key_invalid("X-User-Token is invalid"));
        }
        let Some(request_id) = header(headers, "x-request-id") else {
            return Err(Box::new(envelope(
                200400,
                "X-Request-Id not found or empty",
                None,
            )));
        };
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(Seen {
                request_id: request_id.to_owned(),
                language: header(headers, "x-language").map(str::to_owned),
                project: header(headers, "x-project-uuid").map(str::to_owned),
            });
        }
        Ok(())
    }

    fn project(&self, headers: &HeaderMap) -> Result<&Project, Box<Response>> {
        self.check(headers)?;
        let Some(uuid) = header(headers, "x-project-uuid") else {
            return Err(Box::new(envelope(
                200400,
                "X-Project-Uuid not found or empty",
                None,
            )));
        };
        match self.projects.iter().find(|p| p.uuid == uuid) {
            Some(p) if p.permitted => Ok(p),
            _ => Err(Box::new(envelope(
                self.behaviour.get().forbidden_code,
                "No permission for the project",
                None,
            ))),
        }
    }
}

async fn system_status(State(sim): State<FlightHubSim>, headers: HeaderMap) -> Response {
    match sim.check(&headers) {
        Ok(()) => envelope(0, "", None),
        Err(r) => *r,
    }
}

#[derive(Deserialize)]
struct Paging {
    page: Option<usize>,
    page_size: Option<usize>,
}

async fn projects(
    State(sim): State<FlightHubSim>,
    headers: HeaderMap,
    Query(p): Query<Paging>,
) -> Response {
    if let Err(r) = sim.check(&headers) {
        return *r;
    }
    let (page, size) = if sim.behaviour.get().paging {
        (
            p.page.unwrap_or(1).max(1),
            p.page_size.unwrap_or(10).clamp(1, 100),
        )
    } else {
        (1, usize::MAX)
    };
    let list: Vec<Value> = sim
        .projects
        .iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(|p| {
            json!({
                "uuid": p.uuid, "name": p.name, "introduction": p.introduction,
                "org_uuid": "8b0fd1b2-5c1e-4a3e-9f7a-6d2c1e0b9a77",
                "project_work_center_point": {"latitude": 22.5431, "longitude": 113.9577},
                "created_at": 1_735_689_600, "updated_at": 1_762_000_000
            })
        })
        .collect();
    // Third-party notes: an empty page is `list: null` (switchable).
    envelope(0, "OK", Some(sim.list(list)))
}

async fn project_devices(State(sim): State<FlightHubSim>, headers: HeaderMap) -> Response {
    match sim.project(&headers) {
        Ok(p) => envelope(0, "OK", Some(sim.list(p.devices.clone()))),
        Err(r) => *r,
    }
}

async fn org_devices(State(sim): State<FlightHubSim>, headers: HeaderMap) -> Response {
    if let Err(r) = sim.check(&headers) {
        return *r;
    }
    let all: Vec<Value> = sim
        .projects
        .iter()
        .flat_map(|p| p.devices.clone())
        .collect();
    envelope(0, "OK", Some(sim.list(all)))
}
