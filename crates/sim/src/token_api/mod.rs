//! The platform token API (`platform-token-api.ru.txt`, `upstream-apis.md` §C).
//!
//! `POST /api/v1/auth/token` (confirmed by the reference), and the token management methods
//! `GET/POST /api/v1/tokens`, `DELETE /api/v1/tokens/:id` as the reference describes them.

pub mod expires_in;
pub mod scope;
pub mod store;

use crate::ric_error::ric_error;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};
use store::{Refusal, Store, TokenRecord};

/// The first demo platform user (every demo user: [`crate::demo::DEMO_PILOTS`]).
pub const DEMO_USER: &str = crate::demo::DEMO_PILOTS[0].username;
pub const DEMO_PASSWORD: &str = crate::demo::DEMO_PILOTS[0].password;

/// Shared state of the simulated token API.
#[derive(Clone)]
pub struct TokenApi {
    store: Arc<Mutex<Store>>,
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl TokenApi {
    /// A platform with the demo users and the given JWT signing secret.
    pub fn new(secret: &[u8]) -> Self {
        let users: HashMap<String, String> = crate::demo::DEMO_PILOTS
            .iter()
            .map(|p| (p.username.to_owned(), p.password.to_owned()))
            .collect();
        TokenApi {
            store: Arc::new(Mutex::new(Store::new(secret, users))),
        }
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Issues a token with chosen times, as the platform's admin UI could; tests use it for
    /// tokens that are already expired or close to expiry. Returns `(id, jwt)`.
    pub fn mint(&self, user: &str, issued_at_ms: i64, expires_at_ms: i64) -> (String, String) {
        let (rec, jwt) = self.store().issue(
            user,
            Some("minted".into()),
            issued_at_ms,
            expires_at_ms,
            vec![],
        );
        (rec.id, jwt)
    }

    /// Revokes a token as the platform's admin UI could.
    pub fn revoke(&self, user: &str, id: &str) -> bool {
        self.store().revoke(user, id)
    }

    /// Ids of the user's live tokens.
    pub fn live_token_ids(&self, user: &str) -> Vec<String> {
        self.store()
            .list(user, now_ms())
            .into_iter()
            .map(|t| t.id)
            .collect()
    }

    pub fn router(self) -> Router {
        Router::new()
            .route("/api/v1/auth/token", post(auth_token))
            .route("/api/v1/tokens", get(list_tokens).post(issue_token))
            .route("/api/v1/tokens/{id}", delete(revoke_token))
            .fallback(|| async {
                ric_error(StatusCode::NOT_FOUND, "Not Found", &["error_not_found"])
            })
            .with_state(self)
    }
}

fn bad_request(message: &str) -> Response {
    ric_error(StatusCode::BAD_REQUEST, message, &["error_bad_request"])
}

fn grant_json(rec: &TokenRecord, jwt: &str) -> serde_json::Value {
    json!({
        "_id": rec.id,
        "issuedAt": rec.issued_at_ms,
        "expiresAt": rec.expires_at_ms,
        "user": { "name": rec.user },
        "token": jwt,
    })
}

/// Validates `expiresIn` and `scopes` and turns them into an expiry and a scope list.
fn lifetime_and_scopes(
    expires_in: Option<&str>,
    scopes: Option<Vec<String>>,
    now: i64,
) -> Result<(i64, Vec<String>), String> {
    let lifetime = match expires_in {
        None => expires_in::DEFAULT_LIFETIME,
        Some(text) => expires_in::parse(text)?,
    };
    let scopes = scopes.unwrap_or_default();
    if let Some(bad) = scopes.iter().find(|s| !scope::is_well_formed(s)) {
        return Err(format!("scope \"{bad}\" is not \"<METHOD> <path>\""));
    }
    let expires_at =
        now.saturating_add(i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX / 2));
    Ok((expires_at, scopes))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthRequest {
    username: Option<String>,
    password: Option<String>,
    expires_in: Option<String>,
    scopes: Option<Vec<String>>,
}

async fn auth_token(
    State(api): State<TokenApi>,
    body: Result<Json<AuthRequest>, JsonRejection>,
) -> Response {
    let Ok(Json(req)) = body else {
        return bad_request("Body must be JSON with username and password");
    };
    let (Some(username), Some(password)) = (req.username, req.password) else {
        return bad_request("username and password are required");
    };
    let now = now_ms();
    let (expires_at, scopes) = match lifetime_and_scopes(req.expires_in.as_deref(), req.scopes, now)
    {
        Ok(v) => v,
        Err(message) => return bad_request(&message),
    };
    let mut store = api.store();
    if !store.check_password(&username, &password) {
        return ric_error(
            StatusCode::UNAUTHORIZED,
            "Invalid username or password",
            &["error_unauthorized", "error_invalid_credentials"],
        );
    }
    let (rec, jwt) = store.issue(&username, None, now, expires_at, scopes);
    Json(grant_json(&rec, &jwt)).into_response()
}

/// A request carrying a valid Bearer token whose scopes allow this method and path.
struct Authed(TokenRecord);

impl FromRequestParts<TokenApi> for Authed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, api: &TokenApi) -> Result<Self, Response> {
        let unauthorized = |msg: &str, code: &str| {
            ric_error(StatusCode::UNAUTHORIZED, msg, &["error_unauthorized", code])
        };
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                unauthorized(
                    "Authorization: Bearer token required",
                    "error_token_missing",
                )
            })?;
        let record = api
            .store()
            .verify(token, now_ms())
            .map_err(|refusal| match refusal {
                Refusal::Invalid => unauthorized("Token is invalid", "error_token_invalid"),
                Refusal::Expired => unauthorized("Token has expired", "error_token_expired"),
                Refusal::Revoked => unauthorized("Token has been revoked", "error_token_revoked"),
            })?;
        if !scope::allows(&record.scopes, parts.method.as_str(), parts.uri.path()) {
            return Err(ric_error(
                StatusCode::FORBIDDEN,
                "Token scopes do not allow this method",
                &["error_forbidden", "error_scope"],
            ));
        }
        Ok(Authed(record))
    }
}

async fn list_tokens(State(api): State<TokenApi>, Authed(me): Authed) -> Response {
    let list: Vec<_> = api
        .store()
        .list(&me.user, now_ms())
        .iter()
        .map(|t| json!({"_id": t.id, "name": t.name, "expiresAt": t.expires_at_ms, "scopes": t.scopes}))
        .collect();
    Json(list).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IssueRequest {
    name: Option<String>,
    expires_in: Option<String>,
    scopes: Option<Vec<String>>,
}

async fn issue_token(
    State(api): State<TokenApi>,
    Authed(me): Authed,
    body: Result<Json<IssueRequest>, JsonRejection>,
) -> Response {
    let Ok(Json(req)) = body else {
        return bad_request("Body must be JSON");
    };
    let now = now_ms();
    // A scoped token's child inherits its scopes unless narrower ones are asked for.
    let requested = req
        .scopes
        .or_else(|| (!me.scopes.is_empty()).then(|| me.scopes.clone()));
    let (expires_at, scopes) = match lifetime_and_scopes(req.expires_in.as_deref(), requested, now)
    {
        Ok(v) => v,
        Err(message) => return bad_request(&message),
    };
    if !scope::covers(&me.scopes, &scopes) {
        return ric_error(
            StatusCode::FORBIDDEN,
            "A token cannot grant more than its own scopes",
            &["error_forbidden", "error_scope"],
        );
    }
    let (rec, jwt) = api
        .store()
        .issue(&me.user, req.name, now, expires_at, scopes);
    let mut body = grant_json(&rec, &jwt);
    body["name"] = json!(rec.name);
    body["scopes"] = json!(rec.scopes);
    Json(body).into_response()
}

async fn revoke_token(
    State(api): State<TokenApi>,
    Authed(me): Authed,
    Path(id): Path<String>,
) -> Response {
    if api.store().revoke(&me.user, &id) {
        Json(json!({"success": true})).into_response()
    } else {
        ric_error(
            StatusCode::NOT_FOUND,
            "Not Found",
            &["error_not_found", "error_tokens"],
        )
    }
}
