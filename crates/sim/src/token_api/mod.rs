//! The platform token API (`platform-token-api.ru.txt`, `upstream-apis.md` §C).
//!
//! `POST /api/v1/auth/token` (confirmed by the reference), and the token management methods
//! `GET/POST /api/v1/tokens`, `DELETE /api/v1/tokens/:id` as the reference describes them,
//! enforcing what it implies: scopes limit what a token may call (`/api/v1` optional, `:id` a
//! segment, `*` a tail), a revoked token is refused everywhere, `expiresIn` only in the
//! document's forms (one day without it), `_id` 24 hex characters. `GET /api/v1/methods` lists
//! the methods a token may be given (the document says the API has such a list; its path is
//! this simulator's choice). What the document leaves open is switchable
//! ([`behaviour::TokenApiBehaviour`]).

pub mod behaviour;
pub mod expires_in;
pub mod scope;
pub mod store;

use crate::ric_error::ric_error;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use behaviour::{ErrorBodies, IssueAnswer, ListScope, TokenApiBehaviour};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};
use store::{Refusal, Store, TokenRecord};

/// The first demo platform user (every demo user: [`crate::demo::DEMO_PILOTS`]).
pub const DEMO_USER: &str = crate::demo::DEMO_PILOTS[0].username;
pub const DEMO_PASSWORD: &str = crate::demo::DEMO_PILOTS[0].password;

/// The methods `GET /api/v1/methods` offers (`upstream-apis.md` §C.6 and the token methods).
pub const METHODS: &[&str] = &[
    "GET /objects",
    "GET /objects/:id",
    "POST /objects",
    "PATCH /objects/:id",
    "DELETE /objects/:id",
    "GET /objects/:id/packets",
    "POST /objects/:id/commands/:command",
    "GET /objects/:id/events",
    "GET /geofences",
    "POST /geofences",
    "PATCH /geofences/:id",
    "DELETE /geofences/:id",
    "GET /models",
    "GET /tokens",
    "POST /tokens",
    "DELETE /tokens/:id",
    "GET /methods",
];

/// A token issued through [`TokenApi::mint`], as a [`MintHook`] sees it.
#[derive(Debug, Clone)]
pub struct Minted {
    pub id: String,
    pub token: String,
    pub user: String,
    pub name: Option<String>,
    pub issued_at_ms: i64,
    pub expires_at_ms: i64,
}

/// Called with every minted token (the test stack binds them in the proxy's database, as if
/// the proxy had obtained them: Pilot 2 only ever holds such tokens).
pub type MintHook = Arc<dyn Fn(&Minted) + Send + Sync>;

/// Shared state of the simulated token API.
#[derive(Clone)]
pub struct TokenApi {
    store: Arc<Mutex<Store>>,
    behaviour: Arc<Mutex<TokenApiBehaviour>>,
    mint_hook: Arc<Mutex<Option<MintHook>>>,
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
            behaviour: Arc::default(),
            mint_hook: Arc::default(),
        }
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The switches now in force.
    pub fn behaviour(&self) -> TokenApiBehaviour {
        self.behaviour
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Changes the switches for every later request.
    pub fn set_behaviour(&self, behaviour: TokenApiBehaviour) {
        *self.behaviour.lock().unwrap_or_else(|p| p.into_inner()) = behaviour;
    }

    /// Calls `hook` with every token [`TokenApi::mint`] issues from now on.
    pub fn on_mint(&self, hook: MintHook) {
        *self.mint_hook.lock().unwrap_or_else(|p| p.into_inner()) = Some(hook);
    }

    /// Issues a token with chosen times (tokens already expired or close to expiry), in the
    /// current token style, and tells the [`MintHook`]. Returns `(id, token)`.
    pub fn mint(&self, user: &str, issued_at_ms: i64, expires_at_ms: i64) -> (String, String) {
        let (id, token) = self.mint_unbound(user, issued_at_ms, expires_at_ms);
        let hook = self
            .mint_hook
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let (Some(hook), Some(rec)) = (hook, self.store().get(&id)) {
            hook(&Minted {
                id: id.clone(),
                token: token.clone(),
                user: rec.user,
                name: rec.name,
                issued_at_ms: rec.issued_at_ms,
                expires_at_ms: rec.expires_at_ms,
            });
        }
        (id, token)
    }

    /// [`TokenApi::mint`] without telling the hook: a token issued on the platform's admin
    /// page, which the proxy never saw.
    pub fn mint_unbound(
        &self,
        user: &str,
        issued_at_ms: i64,
        expires_at_ms: i64,
    ) -> (String, String) {
        let style = self.behaviour().tokens;
        let (rec, token) = self.store().issue(
            user,
            Some("minted".into()),
            issued_at_ms,
            expires_at_ms,
            vec![],
            style,
        );
        (rec.id, token)
    }

    /// The platform's record of a token (revoked ones too).
    pub fn record(&self, id: &str) -> Option<TokenRecord> {
        self.store().get(id)
    }

    /// The user's live tokens, oldest first.
    pub fn live_tokens(&self, user: &str) -> Vec<TokenRecord> {
        self.store().list(Some(user), now_ms())
    }

    /// Revokes a token as the platform's admin UI could.
    pub fn revoke(&self, user: &str, id: &str) -> bool {
        self.store().revoke(user, id)
    }

    /// Ids of the user's live tokens.
    pub fn live_token_ids(&self, user: &str) -> Vec<String> {
        self.live_tokens(user).into_iter().map(|t| t.id).collect()
    }

    pub fn router(self) -> Router {
        Router::new()
            .route("/api/v1/auth/token", post(auth_token))
            .route("/api/v1/tokens", get(list_tokens).post(issue_token))
            .route("/api/v1/tokens/{id}", delete(revoke_token))
            .route("/api/v1/methods", get(list_methods))
            .fallback(|| async {
                ric_error(StatusCode::NOT_FOUND, "Not Found", &["error_not_found"])
            })
            .layer(middleware::from_fn_with_state(self.clone(), rate_limit))
            .with_state(self)
    }

    /// A refusal's body per [`ErrorBodies`]: the specific code, or only the generic one.
    fn refusal(
        &self,
        status: StatusCode,
        message: &str,
        generic: &str,
        specific: &str,
    ) -> Response {
        match self.behaviour().errors {
            ErrorBodies::Specific => ric_error(status, message, &[generic, specific]),
            ErrorBodies::Generic => ric_error(status, message, &[generic]),
        }
    }
}

/// [`TokenApiBehaviour::rate_limited`]: 429 with the configured `Retry-After`.
async fn rate_limit(State(api): State<TokenApi>, req: Request, next: Next) -> Response {
    match api.behaviour().rate_limited {
        None => next.run(req).await,
        Some(retry_after) => {
            let mut response = ric_error(
                StatusCode::TOO_MANY_REQUESTS,
                "Too Many Requests",
                &["error_too_many_requests"],
            );
            if let Ok(v) = HeaderValue::from_str(&retry_after) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
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
    if !api.store().check_password(&username, &password) {
        return api.refusal(
            StatusCode::UNAUTHORIZED,
            "Invalid username or password",
            "error_unauthorized",
            "error_invalid_credentials",
        );
    }
    let style = api.behaviour().tokens;
    let (rec, jwt) = api
        .store()
        .issue(&username, None, now, expires_at, scopes, style);
    Json(grant_json(&rec, &jwt)).into_response()
}

/// A request carrying a valid Bearer token whose scopes allow this method and path.
struct Authed(TokenRecord);

impl FromRequestParts<TokenApi> for Authed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, api: &TokenApi) -> Result<Self, Response> {
        let unauthorized = |msg: &str, code: &str| {
            api.refusal(StatusCode::UNAUTHORIZED, msg, "error_unauthorized", code)
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
            return Err(api.refusal(
                StatusCode::FORBIDDEN,
                "Token scopes do not allow this method",
                "error_forbidden",
                "error_scope",
            ));
        }
        Ok(Authed(record))
    }
}

async fn list_tokens(State(api): State<TokenApi>, Authed(me): Authed) -> Response {
    let whose = match api.behaviour().list {
        ListScope::Project => None,
        ListScope::Caller => Some(me.user.as_str()),
    };
    let list: Vec<_> = api
        .store()
        .list(whose, now_ms())
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
    let behaviour = api.behaviour();
    if behaviour.issue_forbidden {
        return api.refusal(
            StatusCode::FORBIDDEN,
            "The account's role does not allow issuing tokens",
            "error_forbidden",
            "error_scope",
        );
    }
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
        return api.refusal(
            StatusCode::FORBIDDEN,
            "A token cannot grant more than its own scopes",
            "error_forbidden",
            "error_scope",
        );
    }
    let (rec, token) = api.store().issue(
        &me.user,
        req.name,
        now,
        expires_at,
        scopes,
        behaviour.tokens,
    );
    let body = match behaviour.issue_answer {
        IssueAnswer::Full => {
            let mut body = grant_json(&rec, &token);
            body["name"] = json!(rec.name);
            body["scopes"] = json!(rec.scopes);
            body
        }
        IssueAnswer::Minimal => {
            json!({"_id": rec.id, "token": token, "expiresAt": rec.expires_at_ms})
        }
        IssueAnswer::TokenOnly => json!({ "token": token }),
    };
    Json(body).into_response()
}

/// `GET /api/v1/methods`: what a token may be given.
async fn list_methods(Authed(_): Authed) -> Response {
    Json(METHODS).into_response()
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
