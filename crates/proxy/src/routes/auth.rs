//! `POST /api/auth/login`: username and password to a platform token.

use crate::error::ApiError;
use crate::extract::{ApiJson, ClientAddr};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use pilot_portal_shared::{LoginRequest, TokenGrant};

const MAX_FIELD: usize = 256;

pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<TokenGrant>, ApiError> {
    let username = req.username.trim();
    if username.is_empty() || req.password.is_empty() {
        return Err(ApiError::BadRequest(
            "Enter both username and password.".into(),
        ));
    }
    if username.len() > MAX_FIELD || req.password.len() > MAX_FIELD {
        return Err(ApiError::BadRequest(
            "Username or password is too long.".into(),
        ));
    }
    state.login_limits.check(addr, username)?;
    let grant = state.token_api.login(username, &req.password).await?;
    tracing::info!(user = %grant.user.name, "login");
    Ok(Json(grant))
}
