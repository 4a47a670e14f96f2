//! The page config (platform name, DJI app license, `api` module host): inlined into
//! `index.html` by the proxy, which saves a round trip; `GET /api/config` otherwise.
//!
//! The JSON text is kept as it came, so the signed-in bundle can take it over without the
//! first-screen bundle ever serializing the config.

use crate::api::Api;
use crate::error::AppError;
use crate::state::Ctx;
use leptos::prelude::*;
use pilot_portal_shared::PageConfig;
use std::cell::RefCell;

/// Id of the `<script type="application/json">` the proxy fills with the page config.
const INLINE_CONFIG_ID: &str = "pilot-portal-config";

thread_local! {
    /// The config's JSON text, once loaded.
    static RAW: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn inline_text() -> Option<String> {
    let text = web_sys::window()?
        .document()?
        .get_element_by_id(INLINE_CONFIG_ID)?
        .text_content()?;
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

fn parse(text: &str) -> Result<PageConfig, AppError> {
    serde_json::from_str(text).map_err(|e| AppError::Decode(format!("page config: {e}")))
}

/// The config, loaded once per page.
pub async fn load(ctx: Ctx) -> Result<PageConfig, AppError> {
    if let Some(c) = ctx.config.get_value() {
        return Ok(c);
    }
    let (text, fetched) = match inline_text() {
        Some(t) => (t, false),
        None => (Api::new().config_text().await?, true),
    };
    let config = parse(&text)?;
    // The page's time (its `Server-Timing`) was read by the loader as soon as the page
    // arrived; an inlined config has none. A fetched one (`GET /api/config`) carries it.
    if let Some(t) = config.server_time_ms.filter(|_| fetched) {
        crate::clock::observe(t);
    }
    RAW.with(|r| *r.borrow_mut() = Some(text));
    ctx.config.set_value(Some(config.clone()));
    Ok(config)
}

/// The config's JSON text, for the hand-over to the signed-in bundle.
pub fn raw() -> Option<String> {
    RAW.with(|r| r.borrow().clone())
}

/// The signed-in bundle takes over the config the first one loaded.
pub fn take_over(ctx: Ctx, text: Option<String>) {
    let config = text.as_deref().and_then(|t| parse(t).ok());
    if config.is_some() {
        RAW.with(|r| *r.borrow_mut() = text);
    }
    ctx.config.set_value(config);
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
