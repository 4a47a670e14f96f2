//! Linking a pilot's XAG operator account: start, callback, status, unlink.
//!
//! The callback is reached by the operator's browser, posted from XAG's page, with no platform
//! session of its own: the single-use, short-lived `state` in its URL (created for the
//! logged-in pilot when linking started) says whose link it is, and is the CSRF guard.

use crate::db::XagLink;
use crate::error::ApiError;
use crate::extract::Bearer;
use crate::upstream::token_api::now_ms;
use crate::upstream::xag::{ExchangeError, XagClient};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use pilot_portal_shared::{paths, XagLinkStart, XagLinkStatus, XagOutcome};
use serde::Deserialize;

fn xag(state: &AppState) -> Result<&XagClient, ApiError> {
    state.xag.as_ref().ok_or(ApiError::XagNotConfigured)
}

/// `POST /api/xag/link`: a link attempt for this pilot (with XAG's pre-auth code), and the
/// URL that takes the webview to XAG's authorization page for it: the proxy's own
/// `/api/xag/authorize`, so the component access token XAG wants in that page's address is
/// never handed to the page's code.
pub async fn start(
    State(state): State<AppState>,
    Bearer(token): Bearer,
) -> Result<Json<XagLinkStart>, ApiError> {
    let user = state.session_user(&token).await?;
    let xag = xag(&state)?;
    let pre_auth_code = xag.create_pre_auth_code().await?;
    let link_state = crate::random_hex(32);
    let expires_at = now_ms() + state.config.xag_link_ttl_secs.max(1) * 1000;
    state
        .db
        .insert_attempt(&link_state, &user, &pre_auth_code, expires_at)
        .await?;
    tracing::info!(%user, "XAG link started");
    Ok(Json(XagLinkStart {
        authorize_url: format!("{}?state={link_state}", paths::XAG_AUTHORIZE),
    }))
}

/// `GET /api/xag/authorize?state=…`: redirects the webview to XAG's authorization page
/// (`/v1/auth/user_auth?component_access_token&pre_auth_code&redirect_uri`), whose
/// `redirect_uri` is this proxy's callback carrying the same state.
pub async fn authorize(
    State(state): State<AppState>,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, ApiError> {
    let xag = xag(&state)?;
    let link_state = q
        .state
        .filter(|s| !s.is_empty() && s.len() <= 128)
        .ok_or(ApiError::LinkStateInvalid)?;
    let pre_auth_code = state
        .db
        .attempt_pre_auth_code(&link_state, now_ms())
        .await?
        .ok_or(ApiError::LinkStateInvalid)?;
    let mut callback = url::Url::parse(&state.config.xag_callback())
        .map_err(|e| ApiError::Internal(format!("XAG_CALLBACK_URL: {e}")))?;
    callback.query_pairs_mut().append_pair("state", &link_state);
    let url = xag.authorize_url(&pre_auth_code, callback.as_str())?;
    let mut response = Redirect::to(&url).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    state: Option<String>,
}

/// What XAG posts: `{authorization_code, expire_in}`, or an error when the operator cancels.
#[derive(Deserialize, Default)]
struct CallbackBody {
    authorization_code: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

fn back_to_page(outcome: XagOutcome) -> Response {
    Redirect::to(&format!("/?{}={}", XagOutcome::QUERY_KEY, outcome.as_str())).into_response()
}

fn parse_body(headers: &HeaderMap, body: &Bytes) -> CallbackBody {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        serde_json::from_slice(body).unwrap_or_default()
    } else {
        serde_urlencoded_form(body)
    }
}

fn serde_urlencoded_form(body: &[u8]) -> CallbackBody {
    let mut out = CallbackBody::default();
    for (k, v) in url::form_urlencoded::parse(body) {
        match k.as_ref() {
            "authorization_code" => out.authorization_code = Some(v.into_owned()),
            "error" => out.error = Some(v.into_owned()),
            _ => {}
        }
    }
    out
}

/// `POST /api/xag/callback?state=…`: exchanges the code and stores the link, then sends the
/// browser back to the page (303) with the outcome. Nothing is stored unless the state is
/// valid and XAG accepts the code.
pub async fn callback(
    State(state): State<AppState>,
    Query(q): Query<CallbackQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Some(link_state) = q.state.filter(|s| !s.is_empty() && s.len() <= 128) else {
        return Ok(back_to_page(XagOutcome::StateInvalid));
    };
    let Some(user) = state.db.consume_attempt(&link_state, now_ms()).await? else {
        tracing::warn!("XAG callback with an unknown, used or expired state");
        return Ok(back_to_page(XagOutcome::StateInvalid));
    };
    let body = parse_body(&headers, &body);
    let Some(code) = body.authorization_code.filter(|c| !c.is_empty()) else {
        tracing::info!(%user, reason = body.error.as_deref().unwrap_or("no code"), "XAG link not authorized");
        return Ok(back_to_page(XagOutcome::Denied));
    };
    let xag = xag(&state)?;
    let token = match xag.exchange(&code).await {
        Ok(t) => t,
        Err(ExchangeError::CodeRejected) => return Ok(back_to_page(XagOutcome::CodeRejected)),
        Err(ExchangeError::Other(e)) => {
            tracing::error!(code = e.code().as_str(), "XAG token exchange failed: {e}");
            return Ok(back_to_page(XagOutcome::XagError));
        }
    };
    let now = now_ms();
    let link = XagLink {
        union_id: token.union_id,
        access_token: token.access_token,
        expires_at: now.saturating_add(token.expire_in.max(0).saturating_mul(1000)),
        linked_at: now,
    };
    state.db.upsert_link(&user, &link).await?;
    tracing::info!(%user, union_id = %link.union_id, "XAG account linked");
    Ok(back_to_page(XagOutcome::Linked))
}

/// `GET /api/xag/link`.
pub async fn status(
    State(state): State<AppState>,
    Bearer(token): Bearer,
) -> Result<Json<XagLinkStatus>, ApiError> {
    let user = state.session_user(&token).await?;
    let status = match state.db.link(&user).await? {
        Some(link) => XagLinkStatus {
            linked: true,
            union_id: Some(link.union_id),
            expires_at: Some(link.expires_at),
            linked_at: Some(link.linked_at),
        },
        None => XagLinkStatus {
            linked: false,
            union_id: None,
            expires_at: None,
            linked_at: None,
        },
    };
    Ok(Json(status))
}

/// `DELETE /api/xag/link`.
pub async fn unlink(
    State(state): State<AppState>,
    Bearer(token): Bearer,
) -> Result<StatusCode, ApiError> {
    let user = state.session_user(&token).await?;
    if state.db.delete_link(&user).await? {
        tracing::info!(%user, "XAG account unlinked");
    }
    Ok(StatusCode::NO_CONTENT)
}
