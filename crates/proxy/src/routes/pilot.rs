//! `/api/pilot/*`: what the page needs to connect a pilot, and the workspace they chose.

use crate::clock::now_ms;
use crate::error::ApiError;
use crate::extract::{ApiJson, ConfiguredFlightHub, Lang, SessionUser};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use pilot_portal_shared::{PilotBootstrap, ThingParams, Workspace, WorkspaceChoice};

/// `GET /api/pilot/bootstrap`: session, `thing` params, platform name and the workspace
/// (remembered, or the configured default without FlightHub 2), in one round trip.
pub async fn bootstrap(
    State(state): State<AppState>,
    user: SessionUser,
) -> Result<Json<PilotBootstrap>, ApiError> {
    let config = &state.config;
    let thing = (!config.mqtt_broker.is_empty())
        .then(|| config.mqtt_credentials_of(user.name()))
        .flatten()
        .map(|(username, password)| ThingParams {
            host: config.mqtt_broker.clone(),
            username,
            password,
        });
    // With FlightHub 2 the pilot chooses (and the choice is remembered); without it, the
    // configured default workspace, if any. A remembered project the allow-list no longer
    // gives this pilot is forgotten, so they choose again.
    let workspace = match state.flighthub() {
        Ok(_) => match state.db.workspace(user.name()).await? {
            Some(w)
                if !state
                    .project_access
                    .allowed(user.name())
                    .allows_text(&w.uuid) =>
            {
                state.db.clear_workspace(user.name()).await?;
                None
            }
            remembered => remembered,
        },
        Err(_) => config.default_workspace(),
    };
    Ok(Json(PilotBootstrap {
        session: user.session,
        platform_name: config.platform_name.clone(),
        thing,
        workspace,
        workspaces_enabled: state.flighthub().is_ok(),
    }))
}

/// `PUT /api/pilot/workspace {uuid}`: remembers the project as the pilot's workspace, after
/// checking that `FLIGHTHUB_PROJECT_ACCESS` gives it to this pilot (403
/// `workspace_forbidden`, before FlightHub 2 is asked) and with FlightHub 2 that it exists and
/// the organization may use it.
pub async fn choose(
    State(state): State<AppState>,
    user: SessionUser,
    ConfiguredFlightHub(fh): ConfiguredFlightHub,
    lang: Lang,
    ApiJson(choice): ApiJson<WorkspaceChoice>,
) -> Result<Json<Workspace>, ApiError> {
    let uuid = uuid::Uuid::parse_str(choice.uuid.trim())
        .map_err(|_| ApiError::BadRequest("The workspace must be a project UUID.".into()))?;
    if !state.project_access.allowed(user.name()).allows(&uuid) {
        return Err(ApiError::WorkspaceForbidden);
    }
    let project = fh
        .projects(lang)
        .await?
        .into_iter()
        .find(|p| p.uuid.eq_ignore_ascii_case(&uuid.to_string()))
        .ok_or(ApiError::BadRequest("No such FlightHub 2 project.".into()))?;
    // the key must be allowed into the project
    fh.project_devices(&uuid, lang).await?;
    let workspace = Workspace {
        uuid: project.uuid,
        name: project.name,
        introduction: project.introduction,
    };
    state
        .db
        .set_workspace(user.name(), &workspace, now_ms())
        .await?;
    Ok(Json(workspace))
}

/// `DELETE /api/pilot/workspace`: forget it ("Change workspace" asks again).
pub async fn forget(
    State(state): State<AppState>,
    user: SessionUser,
) -> Result<StatusCode, ApiError> {
    state.db.clear_workspace(user.name()).await?;
    Ok(StatusCode::NO_CONTENT)
}
