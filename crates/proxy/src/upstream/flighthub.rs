//! DJI FlightHub 2 OpenAPI V1.0 (`upstream-apis.md` §A).
//!
//! The organization key (`X-User-Token`) and the regional host live only here. Each call gets
//! a fresh `X-Request-Id`; `X-Project-Uuid` only where the API needs it. Success is HTTP 2xx
//! **and** `code == 0`; `data.list` that is `null`, `[]` or absent is an empty list.
//!
//! The error codes come from third-party notes, so they are settings
//! (`FLIGHTHUB_KEY_INVALID_CODES`, `…_FORBIDDEN_CODES`, `…_RATE_LIMIT_CODES`; HTTP 401, 403
//! and 429 always count); any other code is passed on as `upstream_code`. Bursts are bounded:
//! at most `FLIGHTHUB_MAX_CONCURRENT` calls in flight per instance, and once FlightHub 2 asks
//! to slow down no call is made until its `Retry-After` has passed.

use super::send_with_headers;
use crate::config::Config;
use crate::error::ApiError;
use crate::extract::Lang;
use pilot_portal_shared::{FlightHubDevice, FlightHubDeviceEntry, FlightHubProject};
use reqwest::{Client, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

const WHAT: &str = "FlightHub 2";
/// Pages of projects read at most (a runaway upstream must not hang the proxy).
const MAX_PAGES: usize = 50;
/// The wait assumed when a rate limit names none.
const DEFAULT_RETRY_AFTER_SECS: u64 = 30;

#[derive(Clone)]
pub struct FlightHub {
    client: Client,
    base_url: String,
    org_key: String,
    page_size: usize,
    codes: Codes,
    in_flight: Arc<Semaphore>,
    /// No call before this instant (FlightHub 2 asked to slow down).
    cooldown: Arc<Mutex<Option<Instant>>>,
}

/// The codes that mean something to the proxy.
#[derive(Clone, Debug)]
struct Codes {
    key_invalid: Vec<i64>,
    forbidden: Vec<i64>,
    rate_limited: Vec<i64>,
}

#[derive(Deserialize)]
struct Envelope {
    code: i64,
    #[serde(default)]
    data: Option<Value>,
}

/// One raw answer, as `check` wants to see it.
#[derive(Debug, Clone)]
pub struct Probe {
    pub status: StatusCode,
    /// The envelope's `code`; `None` when the body is not an envelope.
    pub code: Option<i64>,
    pub data: Option<Value>,
    pub retry_after_secs: Option<u64>,
}

fn list(data: Option<Value>) -> Vec<Value> {
    match data.and_then(|d| d.get("list").cloned()) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn device(v: Option<&Value>) -> Option<FlightHubDevice> {
    let v = v.filter(|v| v.is_object())?;
    Some(FlightHubDevice {
        sn: text(v, "sn"),
        callsign: text(v, "callsign"),
        model: v
            .get("device_model")
            .map(|m| text(m, "name"))
            .unwrap_or_default(),
        online: v
            .get("device_online_status")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

fn entries(items: Vec<Value>) -> Vec<FlightHubDeviceEntry> {
    items
        .iter()
        .map(|e| FlightHubDeviceEntry {
            gateway: device(e.get("gateway")),
            drone: device(e.get("drone")),
        })
        .filter(|e| e.gateway.is_some() || e.drone.is_some())
        .collect()
}

impl FlightHub {
    /// `None` when no organization key is configured.
    pub fn new(client: Client, config: &Config) -> Option<Self> {
        (!config.flighthub_org_key.is_empty()).then(|| FlightHub {
            client,
            base_url: config.flighthub_url.trim_end_matches('/').to_owned(),
            org_key: config.flighthub_org_key.clone(),
            page_size: config.flighthub_page_size.clamp(1, 100),
            codes: Codes {
                key_invalid: config.flighthub_key_invalid_codes.0.clone(),
                forbidden: config.flighthub_forbidden_codes.0.clone(),
                rate_limited: config.flighthub_rate_limit_codes.0.clone(),
            },
            in_flight: Arc::new(Semaphore::new(config.flighthub_max_concurrent.clamp(1, 64))),
            cooldown: Arc::default(),
        })
    }

    /// Seconds still to wait before FlightHub 2 may be asked again, if any.
    fn cooling_down(&self) -> Option<u64> {
        let until = (*self.cooldown.lock().unwrap_or_else(|p| p.into_inner()))?;
        let left = until.checked_duration_since(Instant::now())?;
        Some(left.as_secs() + u64::from(left.subsec_nanos() > 0))
    }

    fn cool_down(&self, secs: u64) {
        let until = Instant::now() + Duration::from_secs(secs);
        let mut cooldown = self.cooldown.lock().unwrap_or_else(|p| p.into_inner());
        if cooldown.is_none_or(|t| t < until) {
            *cooldown = Some(until);
        }
    }

    /// One raw OpenAPI call with `key` (the organization key unless `check` tries another),
    /// bounded by the in-flight limit. No mapping: that is [`FlightHub::get`]'s, or `check`'s.
    pub async fn probe(
        &self,
        path: &str,
        query: &[(&str, String)],
        project: Option<&uuid::Uuid>,
        key: Option<&str>,
        lang: Lang,
    ) -> Result<Probe, ApiError> {
        let mut request = self
            .client
            .get(format!("{}/openapi/v0.1{path}", self.base_url))
            .query(query)
            .header("X-User-Token", key.unwrap_or(&self.org_key))
            .header("X-Request-Id", uuid::Uuid::new_v4().to_string())
            .header("X-Language", lang.flighthub());
        if let Some(p) = project {
            request = request.header("X-Project-Uuid", p.to_string());
        }
        let _permit = self
            .in_flight
            .acquire()
            .await
            .map_err(|_| ApiError::Internal("FlightHub 2 limiter closed".into()))?;
        let (status, headers, body) = send_with_headers(request, WHAT).await?;
        let envelope = serde_json::from_slice::<Envelope>(&body).ok();
        Ok(Probe {
            status,
            code: envelope.as_ref().map(|e| e.code),
            data: envelope.and_then(|e| e.data),
            retry_after_secs: super::token_api::retry_after_secs(&headers),
        })
    }

    /// One OpenAPI call; the envelope's `data` on success.
    async fn get(
        &self,
        path: &str,
        query: &[(&str, String)],
        project: Option<&uuid::Uuid>,
        lang: Lang,
    ) -> Result<Option<Value>, ApiError> {
        if let Some(retry_after_secs) = self.cooling_down() {
            return Err(ApiError::RateLimited {
                what: WHAT,
                retry_after_secs: retry_after_secs.max(1),
            });
        }
        let probe = self.probe(path, query, project, None, lang).await?;
        let status = probe.status;
        let code = probe.code;
        let has = |codes: &[i64]| code.is_some_and(|c| codes.contains(&c));
        if status == StatusCode::TOO_MANY_REQUESTS || has(&self.codes.rate_limited) {
            let retry_after_secs = probe
                .retry_after_secs
                .unwrap_or(DEFAULT_RETRY_AFTER_SECS)
                .max(1);
            self.cool_down(retry_after_secs);
            return Err(ApiError::RateLimited {
                what: WHAT,
                retry_after_secs,
            });
        }
        if status == StatusCode::UNAUTHORIZED || has(&self.codes.key_invalid) {
            return Err(ApiError::FlightHubKeyInvalid);
        }
        if status == StatusCode::FORBIDDEN || has(&self.codes.forbidden) {
            return Err(ApiError::FlightHubForbidden);
        }
        match code {
            Some(0) if status.is_success() => Ok(probe.data),
            None | Some(0) => Err(ApiError::Upstream {
                what: WHAT,
                detail: format!("HTTP {status}, not a success envelope"),
            }),
            Some(code) => Err(ApiError::UpstreamCode { what: WHAT, code }),
        }
    }

    pub async fn system_status(&self, lang: Lang) -> Result<(), ApiError> {
        self.get("/system_status", &[], None, lang)
            .await
            .map(|_| ())
    }

    /// All projects, page by page until a short page, or a page with nothing new (an
    /// upstream that ignores `page` answers everything every time).
    pub async fn projects(&self, lang: Lang) -> Result<Vec<FlightHubProject>, ApiError> {
        let mut all = Vec::new();
        let mut seen = HashSet::new();
        for page in 1..=MAX_PAGES {
            let query = [
                ("page", page.to_string()),
                ("page_size", self.page_size.to_string()),
            ];
            let items = list(self.get("/project", &query, None, lang).await?);
            let short = items.len() < self.page_size;
            let before = all.len();
            all.extend(
                items
                    .iter()
                    .map(|p| FlightHubProject {
                        uuid: text(p, "uuid"),
                        name: text(p, "name"),
                        introduction: text(p, "introduction"),
                        device_count: None,
                    })
                    .filter(|p| seen.insert(p.uuid.to_ascii_lowercase())),
            );
            if short || all.len() == before {
                break;
            }
        }
        Ok(all)
    }

    pub async fn project_devices(
        &self,
        project: &uuid::Uuid,
        lang: Lang,
    ) -> Result<Vec<FlightHubDeviceEntry>, ApiError> {
        Ok(entries(list(
            self.get("/project/device", &[], Some(project), lang)
                .await?,
        )))
    }

    pub async fn org_devices(&self, lang: Lang) -> Result<Vec<FlightHubDeviceEntry>, ApiError> {
        Ok(entries(list(self.get("/device", &[], None, lang).await?)))
    }
}
