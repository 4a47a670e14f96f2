//! `POST /api/auth/login`: username and password to a platform token for this controller
//! (see [`crate::identity::login`]).

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
    let controller_sn = controller_sn(req.controller_sn.as_deref())?;
    state.login_limits.check(addr, username).await?;
    let grant = match crate::identity::login(&state, username, &req.password, controller_sn).await {
        Ok(grant) => grant,
        Err(e) => {
            crate::health::count_login_failure(e.code().as_str());
            if matches!(e, ApiError::InvalidCredentials) {
                state.login_limits.count_refusal(addr, username).await?;
            }
            return Err(e);
        }
    };
    tracing::info!(user = %grant.user.name, "login");
    Ok(Json(grant))
}

/// The controller's serial number as the page reports it: empty is none; otherwise letters,
/// digits, `-`, `_`, `.` only (it becomes part of the token's name on the platform).
fn controller_sn(sn: Option<&str>) -> Result<Option<&str>, ApiError> {
    let Some(sn) = sn.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let plain = sn
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if sn.len() > 64 || !plain {
        return Err(ApiError::BadRequest(
            "The controller serial number is not valid (letters, digits, - _ . only, at most 64)."
                .into(),
        ));
    }
    Ok(Some(sn))
}
