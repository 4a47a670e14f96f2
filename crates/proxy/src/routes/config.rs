//! `GET /api/config`: the page's runtime configuration. Nothing secret goes in here.

use crate::AppState;
use axum::extract::State;
use axum::Json;
use pilot_portal_shared::PageConfig;

pub async fn page_config(State(state): State<AppState>) -> Json<PageConfig> {
    Json(state.config.page_config())
}
