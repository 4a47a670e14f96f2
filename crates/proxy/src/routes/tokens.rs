//! `/api/tokens`: the project's access tokens as the platform lists them, a token for another
//! tool, revoking one, and the methods a new token may get (issue 9).
//!
//! Every upstream call carries the caller's own token (the proxy has none of its own), and
//! every value is validated before anything goes upstream.

use crate::clock::now_ms;
use crate::error::ApiError;
use crate::extract::{ApiJson, Bearer, SessionUser};
use crate::identity::{self, refused, Identity};
use crate::upstream::token_api::Revoked;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use pilot_portal_shared::tokens::{
    check_name, check_scope, is_token_id, parse_expires_in, NewToken, NewTokenRequest,
    ScopeChoices, ScopeSource, TokenEntry, MAX_SCOPES,
};

/// `GET /api/tokens`: the list the session check read, the caller's own token marked,
/// soonest to expire first (no expiry last).
pub async fn list(user: SessionUser) -> Json<Vec<TokenEntry>> {
    let mut entries: Vec<TokenEntry> = user
        .tokens
        .into_iter()
        .map(|t| TokenEntry {
            current: user.token_id.as_deref() == Some(t.id.as_str()),
            id: t.id,
            name: t.name,
            expires_at: t.expires_at,
            scopes: t.scopes.unwrap_or_default(),
        })
        .collect();
    entries.sort_by_key(|e| (e.expires_at.is_none(), e.expires_at, e.id.clone()));
    Json(entries)
}

/// The request, checked: trimmed name, lifetime and scopes in the platform's forms.
fn checked(req: &NewTokenRequest) -> Result<(String, String, Vec<String>), ApiError> {
    let name = check_name(&req.name).map_err(|p| ApiError::BadRequest(p.to_string()))?;
    let expires_in = req
        .expires_in
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    parse_expires_in(&req.expires_in).map_err(ApiError::BadRequest)?;
    let scopes: Vec<String> = req.scopes.iter().map(|s| s.trim().to_owned()).collect();
    if scopes.is_empty() {
        // No scopes would mean every method the account has: never by accident.
        return Err(ApiError::BadRequest(
            "Pick at least one method for the token.".into(),
        ));
    }
    if scopes.len() > MAX_SCOPES {
        return Err(ApiError::BadRequest(format!(
            "A token may have at most {MAX_SCOPES} methods."
        )));
    }
    for scope in &scopes {
        check_scope(scope).map_err(ApiError::BadRequest)?;
    }
    Ok((name.to_owned(), expires_in, scopes))
}

/// `POST /api/tokens {name, expires_in, scopes}`: a token for another tool, issued with the
/// caller's token. Its value is in this answer only (`Cache-Control: no-store`).
pub async fn issue(
    State(state): State<AppState>,
    Bearer(token): Bearer,
    ApiJson(req): ApiJson<NewTokenRequest>,
) -> Result<Response, ApiError> {
    let (name, expires_in, scopes) = checked(&req)?;
    let user = identity::session_user(&state, token).await?;
    let known = Identity::Bound(crate::db::tokens::TokenBinding {
        token_hash: user.token_hash.clone(),
        token_id: user.token_id.clone().unwrap_or_default(),
        user: user.name().to_owned(),
        name: String::new(),
        controller_sn: None,
        issued_at: user.session.issued_at,
        expires_at: user.session.expires_at,
        revoked_at: None,
        renewed: None,
        purpose: crate::db::tokens::Purpose::Session,
    });
    let answer = match state
        .token_api
        .issue(&user.token, &name, Some((&expires_in, &scopes)))
        .await?
    {
        Ok(answer) => answer,
        Err(r) if r.status == StatusCode::BAD_REQUEST => return Err(ApiError::TokenRequestRefused),
        Err(r) => return Err(refused(&r, Some(&known), "issue tokens with these methods")),
    };
    let now = now_ms();
    let (Some(id), Some(value)) = (
        answer.id.filter(|i| !i.trim().is_empty()),
        answer.token.filter(|t| !t.trim().is_empty()),
    ) else {
        return Err(ApiError::UpstreamUnsupported {
            setting: "TOKEN_API_TOKENS_PATH",
            detail: "the platform's POST tokens answer has no _id or no token".into(),
        });
    };
    let lifetime = parse_expires_in(&expires_in).unwrap_or(86_400_000);
    let issued = NewToken {
        id,
        // the platform's word when it gave one, else what was asked
        name: answer.name.unwrap_or(name),
        token: value,
        expires_at: answer.expires_at.unwrap_or(now + lifetime),
        scopes: answer.scopes.unwrap_or(scopes),
    };
    // Keep the `_id` of every token the proxy obtains: bound to the caller's user.
    let hash = identity::token_hash(&issued.token);
    state
        .db
        .bind_token(
            &crate::db::tokens::NewBinding {
                token_hash: &hash,
                token_id: &issued.id,
                user: user.name(),
                name: &issued.name,
                controller_sn: None,
                issued_at: answer.issued_at.unwrap_or(now),
                expires_at: issued.expires_at,
                // never a Pilot 2 session, whatever its scopes (`identity::identify`)
                purpose: crate::db::tokens::Purpose::Tool,
            },
            now,
        )
        .await?;
    tracing::info!(user = %user.name(), id = %issued.id, "token issued for another tool");
    let mut response = (StatusCode::CREATED, Json(issued)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `DELETE /api/tokens/{id}`: revokes a token of the project with the caller's token. The
/// caller's own token: its binding goes too (the page logs out).
pub async fn revoke(
    State(state): State<AppState>,
    Bearer(token): Bearer,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !is_token_id(&id) {
        return Err(ApiError::BadRequest(
            "A token id is 24 hexadecimal characters.".into(),
        ));
    }
    let user = identity::session_user(&state, token).await?;
    match state.token_api.revoke(&user.token, &id).await? {
        Ok(Revoked::Revoked) => {}
        Ok(Revoked::NotFound) => {
            return Err(ApiError::NotFoundWhy(
                "No such token, or not one you may revoke.".into(),
            ))
        }
        Err(r) => return Err(refused(&r, None, "revoke tokens")),
    }
    // Marked, not unbound, the caller's own token too: its next check says "revoked" (a
    // revocation from a tool outside the page), as another controller's does.
    state.db.mark_token_revoked(&id, now_ms()).await?;
    if user.token_id.as_deref() == Some(id.as_str()) {
        // This controller's own: its session is over, as at a log-out.
        state.db.end_pending_attempts(user.name(), now_ms()).await?;
    }
    tracing::info!(user = %user.name(), id = %id, "token revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/tokens/scopes`: the platform's list of methods (`TOKEN_API_METHODS_PATH`), or
/// the configured `TOKEN_SCOPE_CHOICES` when that is not set or does not answer usefully.
pub async fn scopes(
    State(state): State<AppState>,
    user: SessionUser,
) -> Result<Json<ScopeChoices>, ApiError> {
    if state.token_api.has_methods_path() {
        match state.token_api.methods(&user.token).await {
            Ok(Ok(methods)) => {
                let usable: Vec<String> = methods
                    .into_iter()
                    .map(|m| m.trim().to_owned())
                    .filter(|m| check_scope(m).is_ok())
                    .collect();
                if !usable.is_empty() {
                    return Ok(Json(ScopeChoices {
                        methods: usable,
                        source: ScopeSource::Platform,
                    }));
                }
                tracing::warn!(
                    "TOKEN_API_METHODS_PATH gave no usable methods; offering TOKEN_SCOPE_CHOICES"
                );
            }
            Ok(Err(r)) => tracing::warn!(
                status = r.status.as_u16(),
                "TOKEN_API_METHODS_PATH refused; offering TOKEN_SCOPE_CHOICES"
            ),
            Err(e) => tracing::warn!(
                code = e.code().as_str(),
                "TOKEN_API_METHODS_PATH failed; offering TOKEN_SCOPE_CHOICES"
            ),
        }
    }
    let methods = state
        .config
        .token_scope_choices
        .iter()
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .collect();
    Ok(Json(ScopeChoices {
        methods,
        source: ScopeSource::Configured,
    }))
}
