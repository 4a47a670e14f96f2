//! `GET /api/config`: the page's runtime configuration. Nothing secret goes in here.

use crate::config::Config;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use pilot_portal_shared::{DjiAppLicense, PageConfig};

pub async fn page_config(State(state): State<AppState>) -> Json<PageConfig> {
    Json(page_config_of(&state.config))
}

/// The page config; also inlined into `index.html`.
pub fn page_config_of(c: &Config) -> PageConfig {
    PageConfig {
        platform_name: c.platform_name.clone(),
        dji: DjiAppLicense {
            app_id: c.dji_app_id.clone(),
            app_key: c.dji_app_key.clone(),
            license: c.dji_license.clone(),
        },
        api_module_host: c.api_module_host.clone(),
        renew_below_fraction: c.renew_below_fraction.clamp(0.0, 1.0),
    }
}
