//! The start sequence inside Pilot 2: license, stored token, the three token states.
//!
//! Order matters and is tested end to end: the license is verified before any other bridge
//! call; `apiGetToken`/`apiSetToken` are only called while the `api` module is loaded; the
//! module is never loaded with an empty token, nor reloaded over one Pilot 2 already holds.

use crate::bridge::{self, BridgeError, Module};
use crate::error::AppError;
use crate::session::{self, LoginReason, Refusal, StartPlan};
use crate::state::{Conn, Ctx, Screen, Signed, Step};
use crate::{api, storage, time};
use leptos::prelude::*;
use pilot_portal_shared::{PageConfig, PilotBootstrap, TokenGrant, Workspace};
use serde_json::json;

/// Id of the `<script type="application/json">` the proxy fills with the page config, which
/// saves the page a round trip.
const INLINE_CONFIG_ID: &str = "pilot-portal-config";

fn inline_config() -> Option<PageConfig> {
    let text = web_sys::window()?
        .document()?
        .get_element_by_id(INLINE_CONFIG_ID)?
        .text_content()?;
    serde_json::from_str(text.trim()).ok()
}

async fn load_config(ctx: Ctx) -> Result<PageConfig, AppError> {
    if let Some(c) = ctx.config.get_value() {
        return Ok(c);
    }
    let config = match inline_config() {
        Some(c) => c,
        None => api::config().await?,
    };
    ctx.config.set_value(Some(config.clone()));
    Ok(config)
}

/// `host` for the `api` module: configured, or this page's own origin.
fn api_host(config: &PageConfig) -> String {
    if !config.api_module_host.is_empty() {
        return config.api_module_host.clone();
    }
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Runs (or reruns) the whole start sequence.
pub async fn start(ctx: Ctx) {
    if !bridge::is_present() {
        if emulator_requested() {
            use_emulator(ctx);
        } else {
            ctx.screen.set(Screen::NotInPilot);
        }
        return;
    }
    ctx.screen.set(Screen::Starting(Step::License));
    let config = match load_config(ctx).await {
        Ok(c) => c,
        Err(e) => return fail(ctx, "Cannot load the platform settings", &e),
    };
    if let Err(message) = verify_license(&config) {
        ctx.screen.set(Screen::LicenseFailed { message });
        return;
    }
    register_callbacks(ctx);

    ctx.screen.set(Screen::Starting(Step::Session));
    let token = match stored_token(&config) {
        Ok(t) => t,
        Err(e) => return fail(ctx, "Cannot read the stored session", &e.into()),
    };
    match session::plan(
        token.as_deref(),
        time::now_ms(),
        config.renew_below_fraction,
    ) {
        StartPlan::Login => ctx.screen.set(Screen::Login { reason: None }),
        StartPlan::ClearAndLogin(reason) => end_session(ctx, reason),
        StartPlan::Check => {
            let token = token.unwrap_or_default();
            // One round trip: the session check and everything needed to connect.
            match api::bootstrap(&token).await {
                Ok(boot) => connect(ctx, boot),
                Err(e) => refused(ctx, e, &token),
            }
        }
        StartPlan::Renew => {
            let token = token.unwrap_or_default();
            match api::renew(&token).await {
                Ok(grant) => match adopt_token(ctx, &grant) {
                    Ok(()) => after_new_token(ctx, &grant).await,
                    Err(e) => fail(ctx, "Cannot store the renewed session", &e),
                },
                Err(e) => refused(ctx, e, &token),
            }
        }
    }
}

/// `platformVerifyLicense` then `platformIsVerified`; `Err` carries DJI's message.
fn verify_license(config: &PageConfig) -> Result<(), String> {
    let d = &config.dji;
    let refused = |e: BridgeError| e.pilot_message();
    if !bridge::verify_license(&d.app_id, &d.app_key, &d.license).map_err(refused)? {
        return Err("DJI Pilot 2 did not accept the app license.".into());
    }
    if !bridge::is_verified().map_err(refused)? {
        return Err("DJI Pilot 2 reports the license as not verified.".into());
    }
    Ok(())
}

pub fn register_callbacks(ctx: Ctx) {
    // No in-page history to go back through: let Pilot 2 close the page.
    let _ = bridge::on_back_click(|| false);
    let _ = bridge::on_stop_platform(move || {
        storage::clear_token();
        ctx.config.set_value(None);
    });
}

/// The token Pilot 2's `api` module holds, or the page's own copy (then loaded into a fresh
/// `api` module). Never loads the module without a token.
fn stored_token(config: &PageConfig) -> Result<Option<String>, BridgeError> {
    if bridge::is_component_loaded(Module::Api)? {
        if let Some(token) = bridge::api_get_token()? {
            storage::set_token(&token);
            return Ok(Some(token));
        }
        // Loaded but empty (cleared by another page): fall back to our copy.
        let Some(token) = storage::token() else {
            return Ok(None);
        };
        bridge::api_set_token(&token)?;
        return Ok(Some(token));
    }
    let Some(token) = storage::token() else {
        return Ok(None);
    };
    bridge::load_component(
        Module::Api,
        &json!({ "host": api_host(config), "token": token }),
    )?;
    Ok(Some(token))
}

/// Gives Pilot 2 a new token. Per the contract, a token change reloads the `api` module with
/// the new token and then the modules that depend on it (map, tsa, media, mission: this page
/// loads none of them itself, but reloads any that are running), then `apiSetToken`.
pub fn adopt_token(ctx: Ctx, grant: &TokenGrant) -> Result<(), AppError> {
    let host = ctx
        .config
        .get_value()
        .map(|c| api_host(&c))
        .unwrap_or_default();
    if bridge::is_component_loaded(Module::Api)? {
        bridge::unload_component(Module::Api)?;
    }
    bridge::load_component(Module::Api, &json!({ "host": host, "token": grant.token }))?;
    for module in Module::DEPENDS_ON_API {
        if bridge::is_component_loaded(module)? {
            let param = match module {
                Module::Map => json!({ "userName": grant.user.name, "elementPreName": "PILOT" }),
                _ => json!({}),
            };
            bridge::unload_component(module)?;
            bridge::load_component(module, &param)?;
        }
    }
    bridge::api_set_token(&grant.token)?;
    storage::set_token(&grant.token);
    Ok(())
}

/// Clears the token in Pilot 2 (if its `api` module is loaded) and in the page.
fn clear_token() {
    if bridge::is_component_loaded(Module::Api).unwrap_or(false) {
        let _ = bridge::api_set_token("");
    }
    storage::clear_token();
}

fn end_session(ctx: Ctx, reason: LoginReason) {
    clear_token();
    ctx.screen.set(Screen::Login {
        reason: Some(reason),
    });
}

fn refused(ctx: Ctx, error: AppError, token: &str) {
    match session::refusal(error, token) {
        Refusal::SessionOver(reason) => end_session(ctx, reason),
        Refusal::Retry(e) => fail(ctx, "Cannot check your session", &e),
    }
}

fn fail(ctx: Ctx, title: &str, error: &AppError) {
    ctx.screen.set(Screen::Failed {
        title: title.into(),
        message: error.pilot_message(),
    });
}

/// After login or renewal: fetch what is needed to connect with the new token.
async fn after_new_token(ctx: Ctx, grant: &TokenGrant) {
    match api::bootstrap(&grant.token).await {
        Ok(boot) => connect(ctx, boot),
        Err(e) => fail(ctx, "Cannot load your pilot settings", &e),
    }
}

/// Global name of the `thing` module's connect callback.
const CONNECT_CALLBACK: &str = "pilotPortalThingConnected";

/// Puts the pilot on the platform: the cloud module (not reloaded when Pilot 2 still runs
/// it), then the workspace (remembered, or chosen now).
pub fn connect(ctx: Ctx, boot: PilotBootstrap) {
    ctx.platform_name.set_value(boot.platform_name.clone());
    let signed = Signed {
        user: boot.session.user.name.clone(),
        expires_at: boot.session.expires_at,
    };
    watch_cloud(ctx);
    match bridge::is_component_loaded(Module::Thing) {
        Ok(true) => {
            let connected = bridge::thing_connect_state().unwrap_or(false);
            set_conn(
                ctx,
                if connected {
                    Conn::Connected
                } else {
                    Conn::Connecting
                },
            );
        }
        Ok(false) => match &boot.thing {
            Some(thing) => {
                let param = json!({
                    "host": thing.host,
                    "username": thing.username,
                    "password": thing.password,
                    "connectCallback": CONNECT_CALLBACK,
                });
                set_conn(ctx, Conn::Connecting);
                if let Err(e) = bridge::load_component(Module::Thing, &param) {
                    return fail(ctx, "Cannot start the cloud connection", &e.into());
                }
            }
            None => set_conn(ctx, Conn::Off),
        },
        Err(e) => return fail(ctx, "Cannot check the cloud connection", &e.into()),
    }
    match boot.workspace {
        Some(ws) => match apply_workspace(ctx, &ws) {
            Ok(()) => ctx.screen.set(Screen::Main(signed)),
            Err(e) => fail(ctx, "Cannot set the workspace in Pilot 2", &e),
        },
        None if boot.workspaces_enabled => ctx.screen.set(Screen::Workspace(signed)),
        None => ctx.screen.set(Screen::Main(signed)),
    }
}

/// Defines the `thing` module's connect callback: the state shown follows Pilot 2's reports,
/// confirmed with `thingGetConnectState`.
pub fn watch_cloud(ctx: Ctx) {
    let _ = bridge::set_global_callback(CONNECT_CALLBACK, move |state| {
        let connected = bridge::truthy(&state);
        // Confirm with the module itself; the callback's argument type is not documented.
        let confirmed = bridge::thing_connect_state().unwrap_or(connected);
        let next = match (confirmed, ctx.conn.get_untracked()) {
            (true, _) => Conn::Connected,
            (false, Conn::Connected | Conn::Disconnected) => Conn::Disconnected,
            (false, _) => Conn::Refused,
        };
        set_conn(ctx, next);
    });
}

/// `window` property with the last cloud state, shared by both bundles (the connect
/// callback may fire while the first hands over to the second).
pub const CONN_KEY: &str = "__pilotPortalCloud";

/// Sets the cloud state shown, and keeps it on `window` for the other bundle.
pub fn set_conn(ctx: Ctx, conn: Conn) {
    ctx.conn.set(conn);
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &CONN_KEY.into(), &conn.as_str().into());
    }
}

/// A canonical UUID (8-4-4-4-12 hex), as `platformSetWorkspaceId` requires.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `platformSetWorkspaceId(uuid)` then `platformSetInformation(platform, name, description)`.
pub fn apply_workspace(ctx: Ctx, ws: &Workspace) -> Result<(), AppError> {
    if !is_uuid(&ws.uuid) {
        return Err(AppError::Decode(format!(
            "workspace id \"{}\" is not a UUID",
            ws.uuid
        )));
    }
    bridge::set_workspace_id(&ws.uuid)?;
    bridge::set_information(&ctx.platform_name.get_value(), &ws.name, &ws.introduction)?;
    ctx.workspace.set(Some(ws.clone()));
    Ok(())
}

/// The token Pilot 2 holds (or the page's copy), for the page's own proxy calls.
pub fn current_token() -> Option<String> {
    let from_pilot = bridge::is_component_loaded(Module::Api)
        .unwrap_or(false)
        .then(|| bridge::api_get_token().ok().flatten())
        .flatten();
    from_pilot.or_else(storage::token)
}

/// Log out: revoke on the platform (best effort: the pilot leaves either way), clear the
/// token in Pilot 2 and the page.
pub async fn logout(ctx: Ctx) {
    if let Some(token) = current_token() {
        let _ = api::logout(&token).await;
    }
    end_session(ctx, LoginReason::LoggedOut);
}

/// Login with username and password; on success Pilot 2 holds the new token.
pub async fn login(ctx: Ctx, username: String, password: String) -> Result<(), AppError> {
    let grant = api::login(&username, &password).await?;
    adopt_token(ctx, &grant)?;
    after_new_token(ctx, &grant).await;
    Ok(())
}

/// `?emulator` in the address: a browser session that asked for the simulated Pilot 2.
fn emulator_requested() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .is_some_and(|p| p.has("emulator"))
}

/// Loads the Pilot 2 emulator script (outside Pilot 2 only), then restarts.
pub fn use_emulator(ctx: Ctx) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(script) = document.create_element("script") else {
        return;
    };
    let _ = script.set_attribute("src", "/pilot2-emulator.js");
    let onload = wasm_bindgen::closure::Closure::once_into_js(move || {
        if bridge::is_present() {
            leptos::task::spawn_local(start(ctx));
        } else {
            ctx.screen.set(Screen::NotInPilot);
        }
    });
    let onerror = wasm_bindgen::closure::Closure::once_into_js(move || {
        ctx.screen.set(Screen::NotInPilot);
    });
    let _ = js_sys::Reflect::set(&script, &"onload".into(), &onload);
    let _ = js_sys::Reflect::set(&script, &"onerror".into(), &onerror);
    if let Some(head) = document.head() {
        let _ = head.append_child(&script);
    }
}
