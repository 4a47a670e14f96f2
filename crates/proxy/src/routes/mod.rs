//! The `/api` routes, one module per concern.

mod auth;
mod config;
mod flighthub;
mod pilot;
mod session;
mod support;
mod tokens;
mod unlock;
mod xag;

use crate::error::ApiError;
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use pilot_portal_shared::paths;
use pilot_portal_shared::support::paths as support_paths;
use pilot_portal_shared::tokens::paths as token_paths;
use pilot_portal_shared::unlock::paths as unlock_paths;

/// Everything under `/api`; unknown paths answer a JSON 404, never the page.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route(paths::CONFIG, get(config::page_config))
        .route(paths::LOGIN, post(auth::login))
        .route(paths::SESSION, get(session::current))
        .route(paths::SESSION_RENEW, post(session::renew))
        .route(paths::SESSION_LOGOUT, post(session::logout))
        .route(token_paths::TOKENS, get(tokens::list).post(tokens::issue))
        .route(token_paths::TOKEN_SCOPES, get(tokens::scopes))
        .route(token_paths::TOKEN, axum::routing::delete(tokens::revoke))
        .route(
            paths::XAG_LINK,
            get(xag::status).post(xag::start).delete(xag::unlink),
        )
        .route(paths::XAG_CALLBACK, post(xag::callback))
        .route(paths::XAG_AUTHORIZE, get(xag::authorize))
        .route(paths::PILOT_BOOTSTRAP, get(pilot::bootstrap))
        .route(
            paths::PILOT_WORKSPACE,
            axum::routing::put(pilot::choose).delete(pilot::forget),
        )
        .route(paths::FLIGHTHUB_STATUS, get(flighthub::status))
        .route(paths::FLIGHTHUB_PROJECTS, get(flighthub::projects))
        .route(
            paths::FLIGHTHUB_PROJECT_DEVICES,
            get(flighthub::project_devices),
        )
        .route(paths::FLIGHTHUB_DEVICES, get(flighthub::org_devices))
        .route(unlock_paths::UNLOCK_LICENSES, get(unlock::list))
        .route(
            unlock_paths::UNLOCK_LICENSE_SWITCH_ROUTE,
            post(unlock::switch),
        )
        .route(unlock_paths::UNLOCK_UPDATE, post(unlock::update))
        .route(
            unlock::FILE_ROUTE,
            get(unlock::download).put(unlock::upload),
        )
        .route(
            support_paths::SUPPORT_REPORTS,
            // the request guard caps this body at SUPPORT_REPORT_MAX_BYTES, above MAX_BODY_BYTES
            post(support::create).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(support_paths::SUPPORT_REPORT, get(support::read))
        .route("/api", get(not_found))
        // `{*rest}` does not match an empty rest: `/api/` is routed apart, the same way
        .route("/api/", unknown())
        .route("/api/{*rest}", unknown())
}

/// Any `/api` path no route serves: a JSON 404 for the usual methods (others: 405).
fn unknown() -> axum::routing::MethodRouter<AppState> {
    get(not_found)
        .post(not_found)
        .put(not_found)
        .delete(not_found)
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}
