//! `/api/flighthub/*`: FlightHub 2 through the proxy. Every route needs a valid platform
//! session, so the organization key is never usable by someone who is not logged in.

use crate::error::ApiError;
use crate::extract::Bearer;
use crate::upstream::flighthub::{language, FlightHub};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use pilot_portal_shared::{FlightHubDeviceEntry, FlightHubProject, FlightHubStatus};

/// Checks the session, then hands out the client and the caller's language.
async fn authorized<'a>(
    state: &'a AppState,
    token: &str,
    headers: &HeaderMap,
) -> Result<(&'a FlightHub, &'static str), ApiError> {
    state.token_api.session(token).await?;
    let fh = state
        .flighthub
        .as_ref()
        .ok_or(ApiError::FlightHubNotConfigured)?;
    let lang = language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    Ok((fh, lang))
}

fn project_uuid(raw: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(raw).map_err(|_| {
        ApiError::BadRequest(format!(
            "\"{}\" is not a project UUID.",
            raw.chars().take(64).collect::<String>()
        ))
    })
}

pub async fn status(
    State(state): State<AppState>,
    Bearer(token): Bearer,
    headers: HeaderMap,
) -> Result<Json<FlightHubStatus>, ApiError> {
    let (fh, lang) = authorized(&state, &token, &headers).await?;
    fh.system_status(lang).await?;
    Ok(Json(FlightHubStatus { ok: true }))
}

/// All projects, each with its device count (read concurrently; `None` where forbidden).
pub async fn projects(
    State(state): State<AppState>,
    Bearer(token): Bearer,
    headers: HeaderMap,
) -> Result<Json<Vec<FlightHubProject>>, ApiError> {
    let (fh, lang) = authorized(&state, &token, &headers).await?;
    let mut projects = fh.projects(lang).await?;
    let mut counts = tokio::task::JoinSet::new();
    for (i, p) in projects.iter().enumerate() {
        if let Ok(uuid) = uuid::Uuid::parse_str(&p.uuid) {
            let fh = fh.clone();
            counts.spawn(async move { (i, fh.project_devices(&uuid, lang).await) });
        }
    }
    while let Some(done) = counts.join_next().await {
        if let Ok((i, result)) = done {
            match result {
                Ok(devices) => projects[i].device_count = u32::try_from(devices.len()).ok(),
                Err(ApiError::FlightHubForbidden) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(Json(projects))
}

pub async fn project_devices(
    State(state): State<AppState>,
    Bearer(token): Bearer,
    headers: HeaderMap,
    Path(uuid): Path<String>,
) -> Result<Json<Vec<FlightHubDeviceEntry>>, ApiError> {
    let project = project_uuid(&uuid)?;
    let (fh, lang) = authorized(&state, &token, &headers).await?;
    Ok(Json(fh.project_devices(&project, lang).await?))
}

pub async fn org_devices(
    State(state): State<AppState>,
    Bearer(token): Bearer,
    headers: HeaderMap,
) -> Result<Json<Vec<FlightHubDeviceEntry>>, ApiError> {
    let (fh, lang) = authorized(&state, &token, &headers).await?;
    Ok(Json(fh.org_devices(lang).await?))
}
