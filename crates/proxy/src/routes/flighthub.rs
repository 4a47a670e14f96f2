//! `/api/flighthub/*`: FlightHub 2 through the proxy. Every route needs a valid platform
//! session ([`SessionUser`]), so the organization key is never usable by someone who is not
//! logged in, and a pilot sees only the projects `FLIGHTHUB_PROJECT_ACCESS` gives them
//! (every project when it is empty).

use crate::error::ApiError;
use crate::extract::{ConfiguredFlightHub, Lang, SessionUser};
use crate::project_access::Allowed;
use crate::AppState;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::Json;
use pilot_portal_shared::{FlightHubDeviceEntry, FlightHubProject, FlightHubStatus};

/// The `{uuid}` of a project route, validated before anything is asked upstream (so it comes
/// before [`SessionUser`] in a handler's arguments).
pub struct ProjectUuid(pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for ProjectUuid {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        uuid::Uuid::parse_str(&raw).map(ProjectUuid).map_err(|_| {
            ApiError::BadRequest(format!(
                "\"{}\" is not a project UUID.",
                raw.chars().take(64).collect::<String>()
            ))
        })
    }
}

pub async fn status(
    _: SessionUser,
    ConfiguredFlightHub(fh): ConfiguredFlightHub,
    lang: Lang,
) -> Result<Json<FlightHubStatus>, ApiError> {
    fh.system_status(lang).await?;
    Ok(Json(FlightHubStatus { ok: true }))
}

/// The projects this pilot may use, each with its device count: kept counts first, then at
/// most `FLIGHTHUB_MAX_COUNTS` asked of FlightHub 2 (as many at once as
/// `FLIGHTHUB_MAX_CONCURRENT`); `None` where not asked, forbidden or rate limited: the list
/// still answers ([`crate::device_counts`]).
pub async fn projects(
    State(state): State<AppState>,
    user: SessionUser,
    ConfiguredFlightHub(fh): ConfiguredFlightHub,
    lang: Lang,
) -> Result<Json<Vec<FlightHubProject>>, ApiError> {
    let allowed = state.project_access.allowed(user.name());
    let mut projects = fh.projects(lang).await?;
    projects.retain(|p| allowed.allows_text(&p.uuid));
    let cache = &state.device_counts;
    let mut counts = tokio::task::JoinSet::new();
    for (i, p) in projects.iter_mut().enumerate() {
        if let Some(n) = cache.get(&p.uuid) {
            p.device_count = n;
            continue;
        }
        if counts.len() >= cache.per_request() {
            continue;
        }
        if let Ok(uuid) = uuid::Uuid::parse_str(&p.uuid) {
            let fh = fh.clone();
            counts.spawn(async move { (i, fh.project_devices(&uuid, lang).await) });
        }
    }
    while let Some(done) = counts.join_next().await {
        if let Ok((i, result)) = done {
            match result {
                Ok(devices) => {
                    // as the device list shows them: a dock or controller and its aircraft
                    // are two devices
                    let shown = devices
                        .iter()
                        .map(|e| usize::from(e.gateway.is_some()) + usize::from(e.drone.is_some()))
                        .sum::<usize>();
                    let n = u32::try_from(shown).ok();
                    if let (Some(n), Some(p)) = (n, projects.get_mut(i)) {
                        cache.put(&p.uuid, Some(n));
                        p.device_count = Some(n);
                    }
                }
                Err(ApiError::FlightHubForbidden) => {
                    if let Some(p) = projects.get(i) {
                        cache.put(&p.uuid, None);
                    }
                }
                Err(ApiError::RateLimited { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(Json(projects))
}

pub async fn project_devices(
    State(state): State<AppState>,
    ProjectUuid(project): ProjectUuid,
    user: SessionUser,
    ConfiguredFlightHub(fh): ConfiguredFlightHub,
    lang: Lang,
) -> Result<Json<Vec<FlightHubDeviceEntry>>, ApiError> {
    if !state.project_access.allowed(user.name()).allows(&project) {
        return Err(ApiError::WorkspaceForbidden);
    }
    Ok(Json(fh.project_devices(&project, lang).await?))
}

/// Every device of the organization: only for a pilot allowed every project.
pub async fn org_devices(
    State(state): State<AppState>,
    user: SessionUser,
    ConfiguredFlightHub(fh): ConfiguredFlightHub,
    lang: Lang,
) -> Result<Json<Vec<FlightHubDeviceEntry>>, ApiError> {
    if state.project_access.allowed(user.name()) != Allowed::Every {
        return Err(ApiError::WorkspaceForbidden);
    }
    Ok(Json(fh.org_devices(lang).await?))
}
