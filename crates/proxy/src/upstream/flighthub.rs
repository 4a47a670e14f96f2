//! DJI FlightHub 2 OpenAPI V1.0 (`upstream-apis.md` §A).
//!
//! The organization key (`X-User-Token`) and the regional host live only here. Each call gets
//! a fresh `X-Request-Id`; `X-Project-Uuid` only where the API needs it. Success is HTTP 2xx
//! **and** `code == 0`; `data.list: null` is an empty list.

use super::send_with_headers;
use crate::config::Config;
use crate::error::ApiError;
use crate::extract::Lang;
use pilot_portal_shared::{FlightHubDevice, FlightHubDeviceEntry, FlightHubProject};
use reqwest::{Client, StatusCode};
use serde::Deserialize;
use serde_json::Value;

const WHAT: &str = "FlightHub 2";
/// Pages of projects read at most (a runaway upstream must not hang the proxy).
const MAX_PAGES: usize = 50;

#[derive(Clone)]
pub struct FlightHub {
    client: Client,
    base_url: String,
    org_key: String,
    page_size: usize,
}

#[derive(Deserialize)]
struct Envelope {
    code: i64,
    #[serde(default)]
    data: Option<Value>,
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
        let mut request = self
            .client
            .get(format!("{}/openapi/v0.1{path}", self.base_url))
            .query(query)
            .header("X-User-Token", &self.org_key)
            .header("X-Request-Id", uuid::Uuid::new_v4().to_string())
            .header("X-Language", lang.flighthub());
        if let Some(p) = project {
            request = request.header("X-Project-Uuid", p.to_string());
        }
        let (status, headers, body) = send_with_headers(request, WHAT).await?;
        let retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let envelope = serde_json::from_slice::<Envelope>(&body).ok();
        if status == StatusCode::TOO_MANY_REQUESTS
            || envelope.as_ref().is_some_and(|e| e.code == 210429)
        {
            return Err(ApiError::RateLimited {
                what: WHAT,
                retry_after_secs: retry_after.unwrap_or(30).max(1),
            });
        }
        let Some(envelope) = envelope else {
            return Err(ApiError::Upstream {
                what: WHAT,
                detail: format!("HTTP {status}, not an envelope"),
            });
        };
        match envelope.code {
            0 if status.is_success() => Ok(envelope.data),
            200401 => Err(ApiError::FlightHubKeyInvalid),
            200403 => Err(ApiError::FlightHubForbidden),
            0 => Err(ApiError::Upstream {
                what: WHAT,
                detail: format!("HTTP {status}"),
            }),
            code => Err(ApiError::UpstreamCode { what: WHAT, code }),
        }
    }

    pub async fn system_status(&self, lang: Lang) -> Result<(), ApiError> {
        self.get("/system_status", &[], None, lang)
            .await
            .map(|_| ())
    }

    /// All projects, page by page until a short page.
    pub async fn projects(&self, lang: Lang) -> Result<Vec<FlightHubProject>, ApiError> {
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let query = [
                ("page", page.to_string()),
                ("page_size", self.page_size.to_string()),
            ];
            let items = list(self.get("/project", &query, None, lang).await?);
            let short = items.len() < self.page_size;
            all.extend(items.iter().map(|p| FlightHubProject {
                uuid: text(p, "uuid"),
                name: text(p, "name"),
                introduction: text(p, "introduction"),
                device_count: None,
            }));
            if short {
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
