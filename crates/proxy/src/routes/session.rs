//! The pilot's session: check, renew, end. The Bearer token is the platform token itself;
//! [`crate::identity`] decides who holds it.

use crate::error::ApiError;
use crate::extract::{Bearer, SessionUser};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use pilot_portal_shared::{SessionInfo, TokenGrant};

/// `GET /api/session`: who holds this token and until when, or 401 with why not.
pub async fn current(user: SessionUser) -> Json<SessionInfo> {
    Json(user.session)
}

/// `POST /api/session/renew`: a fresh token for the same user.
pub async fn renew(
    State(state): State<AppState>,
    Bearer(token): Bearer,
) -> Result<Json<TokenGrant>, ApiError> {
    let grant = crate::identity::renew(&state, &token).await?;
    tracing::info!(user = %grant.user.name, "token renewed");
    Ok(Json(grant))
}

/// `POST /api/session/logout`: revokes the token on the platform.
pub async fn logout(
    State(state): State<AppState>,
    Bearer(token): Bearer,
) -> Result<StatusCode, ApiError> {
    crate::identity::logout(&state, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}
