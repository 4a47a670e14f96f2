//! The page config (platform name, DJI app license, `api` module host): inlined into
//! `index.html` by the proxy, which saves a round trip; `GET /api/config` otherwise.

use leptos::prelude::*;
use crate::api::Api;
use crate::error::AppError;
use crate::state::Ctx;
use pilot_portal_shared::PageConfig;

/// Id of the `<script type="application/json">` the proxy fills with the page config.
const INLINE_CONFIG_ID: &str = "pilot-portal-config";

fn inline() -> Option<PageConfig> {
    let text = web_sys::window()?
        .document()?
        .get_element_by_id(INLINE_CONFIG_ID)?
        .text_content()?;
    serde_json::from_str(text.trim()).ok()
}

/// The config, loaded once per page.
pub async fn load(ctx: Ctx) -> Result<PageConfig, AppError> {
    if let Some(c) = ctx.config.get_value() {
        return Ok(c);
    }
    let config = match inline() {
        Some(c) => c,
        None => Api::new().config().await?,
    };
    ctx.config.set_value(Some(config.clone()));
    Ok(config)
}

/// `host` for Pilot 2's `api` module: configured, or this page's own origin.
pub fn api_module_host(config: &PageConfig) -> String {
    if !config.api_module_host.is_empty() {
        return config.api_module_host.clone();
    }
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}
