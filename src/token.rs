//! The pilot's platform token has one owner: this module.
//!
//! It lives in Pilot 2's `api` module (which Pilot 2 keeps loaded between visits) and in the
//! page's own copy (`localStorage`, as DJI's demo keeps it, for when Pilot 2 restarted), and in
//! memory for the page's proxy calls. Only this module calls `apiGetToken`, `apiSetToken` and
//! loads or unloads the `api` module, so the contract's rules hold in one place: the token
//! calls only while the module is loaded; the module never loaded with an empty token nor
//! reloaded over one Pilot 2 holds; a token change reloads the modules that depend on it.

use crate::bridge::{self, BridgeError, Module};
use crate::error::AppError;
use pilot_portal_shared::{PageConfig, TokenGrant};
use serde::Serialize;
use std::cell::RefCell;

const STORAGE_KEY: &str = "pilot-portal.token";

thread_local! {
    /// The token the page's proxy calls use: read once at start, then only changed here.
    static CURRENT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The signed-in pilot's token, for the page's own proxy calls (no bridge call).
pub fn current() -> Option<String> {
    CURRENT.with(|c| c.borrow().clone())
}

fn set_current(token: Option<String>) {
    CURRENT.with(|c| *c.borrow_mut() = token);
}

/// The second bundle takes the token the first one read (see `handoff`).
pub(crate) fn take_over(token: Option<String>) {
    set_current(token);
}

/// The one "is the `api` module loaded" guard.
fn api_module_loaded() -> Result<bool, BridgeError> {
    bridge::is_component_loaded(Module::Api)
}

/// At start: the token Pilot 2's `api` module holds, or the page's copy (then loaded into a
/// fresh `api` module). Never loads the module without a token. An `api` module that sends
/// Pilot 2's requests somewhere else than this platform is reloaded with ours.
pub fn read_stored(config: &PageConfig) -> Result<Option<String>, BridgeError> {
    let token = if api_module_loaded()? {
        match bridge::api_get_token()? {
            Some(token) => {
                if bridge::api_get_host()? != crate::config::api_module_host(config) {
                    bridge::unload_component(Module::Api)?;
                    load_api_module(config, &token)?;
                }
                copy::set(&token);
                Some(token)
            }
            // Loaded but empty: fall back to our copy.
            None => match copy::get() {
                Some(token) => {
                    bridge::api_set_token(&token)?;
                    Some(token)
                }
                None => None,
            },
        }
    } else {
        match copy::get() {
            Some(token) => {
                load_api_module(config, &token)?;
                Some(token)
            }
            None => None,
        }
    };
    set_current(token.clone());
    Ok(token)
}

/// The `api` module's param: `{host, token}`.
#[derive(Serialize)]
struct ApiModule<'a> {
    host: &'a str,
    token: &'a str,
}

/// The `map` module's param: `{userName, elementPreName}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MapModule<'a> {
    user_name: &'a str,
    element_pre_name: &'a str,
}

/// `{}`: what `tsa`, `media` and `mission` are loaded with.
#[derive(Serialize)]
struct NoParams {}

fn load_api_module(config: &PageConfig, token: &str) -> Result<(), BridgeError> {
    let host = crate::config::api_module_host(config);
    bridge::load_component(Module::Api, &ApiModule { host: &host, token })
}

/// Gives Pilot 2 a new token. Per the contract, a token change reloads the `api` module with
/// the new token and then the modules that depend on it (map, tsa, media, mission: this page
/// loads none of them itself, but reloads any that are running), then `apiSetToken`.
pub fn adopt(config: &PageConfig, grant: &TokenGrant) -> Result<(), AppError> {
    if api_module_loaded()? {
        bridge::unload_component(Module::Api)?;
    }
    load_api_module(config, &grant.token)?;
    for module in Module::DEPENDS_ON_API {
        if bridge::is_component_loaded(module)? {
            bridge::unload_component(module)?;
            match module {
                Module::Map => bridge::load_component(
                    module,
                    &MapModule {
                        user_name: &grant.user.name,
                        element_pre_name: "PILOT",
                    },
                )?,
                _ => bridge::load_component(module, &NoParams {})?,
            }
        }
    }
    bridge::api_set_token(&grant.token)?;
    copy::set(&grant.token);
    set_current(Some(grant.token.clone()));
    Ok(())
}

/// Makes Pilot 2 and the page forget the token, by documented means only: the modules that
/// depend on the `api` module are unloaded, then the `api` module itself (DJI documents no
/// way to empty it in place). Synchronous and best effort: every step is tried. Returns the
/// token that was forgotten, for a last revocation.
pub fn forget() -> Option<String> {
    let forgotten = current().or_else(copy::get);
    for module in Module::DEPENDS_ON_API.into_iter().chain([Module::Api]) {
        if bridge::is_component_loaded(module).unwrap_or(false) {
            let _ = bridge::unload_component(module);
        }
    }
    copy::clear();
    set_current(None);
    forgotten
}

/// The page's own copy in `localStorage`.
mod copy {
    use super::STORAGE_KEY;

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    pub fn get() -> Option<String> {
        storage()?
            .get_item(STORAGE_KEY)
            .ok()?
            .filter(|t| !t.trim().is_empty())
    }

    /// Also tells the loader, which keeps the cookie that picks the next opening's preload
    /// (`src/loader.js`, `__pilotPortalRemember`).
    pub fn set(token: &str) {
        if let Some(s) = storage() {
            let _ = s.set_item(STORAGE_KEY, token);
        }
        let _ = crate::handoff::call_loader("__pilotPortalRemember", "full");
    }

    pub fn clear() {
        if let Some(s) = storage() {
            let _ = s.remove_item(STORAGE_KEY);
        }
        let _ = crate::handoff::call_loader("__pilotPortalRemember", "first");
    }
}
