//! `/api/pilot/*`: what the page needs to connect a pilot, and the workspace they chose.

use crate::error::ApiError;
use crate::extract::{ApiJson, Bearer};
use crate::upstream::flighthub::language;
use crate::upstream::token_api::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use pilot_portal_shared::{PilotBootstrap, ThingParams, Workspace};
use serde::Deserialize;

/// `GET /api/pilot/bootstrap`: session, `thing` params, platform name and the remembered
/// workspace, in one round trip.
pub async fn bootstrap(
    State(state): State<AppState>,
    Bearer(token): Bearer,
) -> Result<Json<PilotBootstrap>, ApiError> {
    let session = state.token_api.session(&token).await?;
    let user = session.user.name.clone();
    let thing = (!state.config.mqtt_broker.is_empty())
        .then(|| state.config.mqtt_credentials_of(&user))
        .flatten()
        .map(|(username, password)| ThingParams {
            host: state.config.mqtt_broker.clone(),
            username,
            password,
        });
    let workspace = state
        .db
        .workspace(&user)
        .await?
        .map(|(uuid, name, introduction)| Workspace {
            uuid,
            name,
            introduction,
        });
    Ok(Json(PilotBootstrap {
        session,
        platform_name: state.config.platform_name.clone(),
        thing,
        workspace,
        workspaces_enabled: state.flighthub.is_some(),
    }))
}

#[derive(Deserialize)]
pub struct Choose {
    uuid: String,
}

/// `PUT /api/pilot/workspace {uuid}`: remembers the project as the pilot's workspace, after
/// checking with FlightHub 2 that it exists and the organization may use it.
pub async fn choose(
    State(state): State<AppState>,
    Bearer(token): Bearer,
    headers: HeaderMap,
    ApiJson(choice): ApiJson<Choose>,
) -> Result<Json<Workspace>, ApiError> {
    let uuid = uuid::Uuid::parse_str(choice.uuid.trim())
        .map_err(|_| ApiError::BadRequest("The workspace must be a project UUID.".into()))?;
    let user = state.session_user(&token).await?;
    let fh = state
        .flighthub
        .as_ref()
        .ok_or(ApiError::FlightHubNotConfigured)?;
    let lang = language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let project = fh
        .projects(lang)
        .await?
        .into_iter()
        .find(|p| p.uuid.eq_ignore_ascii_case(&uuid.to_string()))
        .ok_or(ApiError::BadRequest("No such FlightHub 2 project.".into()))?;
    // the key must be allowed into the project
    fh.project_devices(&uuid, lang).await?;
    state
        .db
        .set_workspace(
            &user,
            &project.uuid,
            &project.name,
            &project.introduction,
            now_ms(),
        )
        .await?;
    Ok(Json(Workspace {
        uuid: project.uuid,
        name: project.name,
        introduction: project.introduction,
    }))
}

/// `DELETE /api/pilot/workspace`: forget it ("Change workspace" asks again).
pub async fn forget(
    State(state): State<AppState>,
    Bearer(token): Bearer,
) -> Result<StatusCode, ApiError> {
    let user = state.session_user(&token).await?;
    state.db.clear_workspace(&user).await?;
    Ok(StatusCode::NO_CONTENT)
}
