//! The one owner of `window.djiBridge`: a typed Rust API over Pilot 2's JSBridge.
//!
//! The bridge is looked up on every call (never cached), so tests can install and remove
//! fakes, and a page opened outside Pilot 2 gets [`BridgeError::Missing`] instead of a crash.
//! Every method returns a JSON string envelope `{code, message, data}` that is parsed with
//! the shared [`pilot_portal_shared::envelope`] rules. Every call goes through `call`, which
//! notes it (secrets redacted) for the diagnostics page ([`crate::diagnostics`]). The one
//! other caller is the loader, which may ask for the license and the token before the wasm is
//! here; `call` then takes its replies ([`early_reply`]), so each is asked once.

use pilot_portal_shared::envelope::{self, EnvelopeError};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// The object Pilot 2 injects with `addJavascriptInterface`; no JS class, so only
    /// `unchecked_into` reaches it.
    pub type DjiBridge;

    #[wasm_bindgen(method, catch, js_name = platformVerifyLicense)]
    fn platform_verify_license(
        this: &DjiBridge,
        app_id: &str,
        app_key: &str,
        license: &str,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = platformIsVerified)]
    fn platform_is_verified(this: &DjiBridge) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = platformLoadComponent)]
    fn platform_load_component(
        this: &DjiBridge,
        name: &str,
        param: &str,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = platformUnloadComponent)]
    fn platform_unload_component(this: &DjiBridge, name: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = platformIsComponentLoaded)]
    fn platform_is_component_loaded(this: &DjiBridge, name: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = platformSetWorkspaceId)]
    fn platform_set_workspace_id(this: &DjiBridge, uuid: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = platformSetInformation)]
    fn platform_set_information(
        this: &DjiBridge,
        platform: &str,
        workspace: &str,
        desc: &str,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = platformGetRemoteControllerSN)]
    fn platform_get_remote_controller_sn(this: &DjiBridge) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = platformGetAircraftSN)]
    fn platform_get_aircraft_sn(this: &DjiBridge) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = platformStopSelf)]
    fn platform_stop_self(this: &DjiBridge) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = apiGetToken)]
    fn api_get_token(this: &DjiBridge) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = apiSetToken)]
    fn api_set_token(this: &DjiBridge, token: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = apiGetHost)]
    fn api_get_host(this: &DjiBridge) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = thingGetConnectState)]
    fn thing_get_connect_state(this: &DjiBridge) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = thingGetConfigs)]
    fn thing_get_configs(this: &DjiBridge) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = thingDisconnect)]
    fn thing_disconnect(this: &DjiBridge) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = thingConnect)]
    fn thing_connect(
        this: &DjiBridge,
        username: &str,
        password: &str,
        callback: &str,
    ) -> Result<JsValue, JsValue>;
}

/// Names of Pilot 2 modules (`platformLoadComponent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Module {
    Api,
    Thing,
    Map,
    Tsa,
    Media,
    Mission,
}

impl Module {
    pub fn name(self) -> &'static str {
        match self {
            Module::Api => "api",
            Module::Thing => "thing",
            Module::Map => "map",
            Module::Tsa => "tsa",
            Module::Media => "media",
            Module::Mission => "mission",
        }
    }

    /// The modules that work through the `api` module and must be reloaded with it.
    pub const DEPENDS_ON_API: [Module; 4] =
        [Module::Map, Module::Tsa, Module::Media, Module::Mission];
}

/// Why a bridge call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BridgeError {
    /// No `window.djiBridge`: the page is not running inside DJI Pilot 2.
    #[error("this page is not running inside DJI Pilot 2")]
    Missing,
    /// The call threw (unknown method on an older Pilot 2, wrong argument).
    #[error("{method} failed: {reason}")]
    Threw {
        method: &'static str,
        reason: String,
    },
    /// Pilot 2 answered with a non-zero code.
    #[error("{method}: {message} (code {code})")]
    Refused {
        method: &'static str,
        code: i64,
        message: String,
    },
    /// Pilot 2 answered something that is not the documented envelope.
    #[error("{method}: {reason}")]
    Unreadable {
        method: &'static str,
        reason: String,
    },
}

impl BridgeError {
    /// What went wrong, in the bridge's own words (for the diagnostics page: no formatting).
    fn reason(&self) -> &str {
        match self {
            BridgeError::Missing => "no window.djiBridge",
            BridgeError::Threw { reason, .. } | BridgeError::Unreadable { reason, .. } => reason,
            BridgeError::Refused { message, .. } => message,
        }
    }

    fn from_envelope(method: &'static str, e: EnvelopeError) -> Self {
        match e {
            EnvelopeError::Failed { code, message } => BridgeError::Refused {
                method,
                code,
                message,
            },
            other => BridgeError::Unreadable {
                method,
                reason: other.to_string(),
            },
        }
    }
}

/// Whether `window.djiBridge` exists right now.
pub fn is_present() -> bool {
    lookup().is_ok()
}

fn lookup() -> Result<DjiBridge, BridgeError> {
    let window = web_sys::window().ok_or(BridgeError::Missing)?;
    let value = js_sys::Reflect::get(&window, &JsValue::from_str("djiBridge"))
        .map_err(|_| BridgeError::Missing)?;
    if value.is_undefined() || value.is_null() {
        return Err(BridgeError::Missing);
    }
    Ok(value.unchecked_into())
}

fn js_reason(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| "unknown error".into())
}

/// Calls one bridge method (`args`: what `f` passes, for the diagnostics page) and returns its
/// raw reply text: the loader's reply if it made the same call first (see [`early_reply`]).
/// Every call, answered or not, is noted by [`crate::diagnostics`] (which redacts secrets
/// before keeping anything). `f` is a trait object so that this exists once in the wasm.
fn call(
    method: &'static str,
    args: &[&str],
    f: &dyn Fn(&DjiBridge) -> Result<JsValue, JsValue>,
) -> Result<String, BridgeError> {
    let reply = match early_reply(method, args) {
        Some(reply) => Ok(reply),
        None => lookup().and_then(|bridge| {
            f(&bridge).map_err(|e| BridgeError::Threw {
                method,
                reason: js_reason(&e),
            })
        }),
    };
    let result = reply.and_then(|reply| match reply.as_string() {
        Some(text) => Ok(text),
        // Not the documented string: stringify so the envelope parser can judge it.
        None => js_sys::JSON::stringify(&reply)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or(BridgeError::Unreadable {
                method,
                reason: "no reply".into(),
            }),
    });
    crate::diagnostics::bridge_call(method, args, result.as_deref().map_err(BridgeError::reason));
    result
}

#[wasm_bindgen]
extern "C" {
    /// The loader's reply to this call, if it made it before the wasm ran (`askPilot` in
    /// `src/loader.js`, for a page without its own token copy); `undefined` otherwise.
    #[wasm_bindgen(catch, js_name = __pilotPortalEarly)]
    fn loader_early(key: &str) -> Result<JsValue, JsValue>;
}

/// See [`loader_early`]: the key is the method and its arguments, one per line.
fn early_reply(method: &str, args: &[&str]) -> Option<JsValue> {
    let mut key = String::from(method);
    for arg in args {
        key.push('\n');
        key.push_str(arg);
    }
    loader_early(&key).ok().filter(|r| !r.is_undefined())
}

fn unit(
    method: &'static str,
    args: &[&str],
    f: impl Fn(&DjiBridge) -> Result<JsValue, JsValue>,
) -> Result<(), BridgeError> {
    envelope::parse_unit(&call(method, args, &f)?)
        .map_err(|e| BridgeError::from_envelope(method, e))
}

fn boolean(
    method: &'static str,
    args: &[&str],
    f: impl Fn(&DjiBridge) -> Result<JsValue, JsValue>,
) -> Result<bool, BridgeError> {
    envelope::parse_bool(&call(method, args, &f)?)
        .map_err(|e| BridgeError::from_envelope(method, e))
}

fn string(
    method: &'static str,
    args: &[&str],
    f: impl Fn(&DjiBridge) -> Result<JsValue, JsValue>,
) -> Result<String, BridgeError> {
    envelope::parse_string(&call(method, args, &f)?)
        .map_err(|e| BridgeError::from_envelope(method, e))
}

/// `platformVerifyLicense`: must come before every other call.
pub fn verify_license(app_id: &str, app_key: &str, license: &str) -> Result<bool, BridgeError> {
    boolean("platformVerifyLicense", &[app_id, app_key, license], |b| {
        b.platform_verify_license(app_id, app_key, license)
    })
}

/// `platformIsVerified`.
pub fn is_verified() -> Result<bool, BridgeError> {
    boolean("platformIsVerified", &[], |b| b.platform_is_verified())
}

/// `platformLoadComponent(name, param)`; `param` is sent as a JSON string, as Pilot 2 requires.
pub fn load_component(module: Module, param: &impl serde::Serialize) -> Result<(), BridgeError> {
    // Typed params serialize without `serde_json::Value`'s map code in the wasm.
    let param = serde_json::to_string(param).map_err(|e| BridgeError::Threw {
        method: "platformLoadComponent",
        reason: e.to_string(),
    })?;
    unit("platformLoadComponent", &[module.name(), &param], |b| {
        b.platform_load_component(module.name(), &param)
    })
}

/// `platformUnloadComponent(name)`.
pub fn unload_component(module: Module) -> Result<(), BridgeError> {
    unit("platformUnloadComponent", &[module.name()], |b| {
        b.platform_unload_component(module.name())
    })
}

/// `platformIsComponentLoaded(name)`.
pub fn is_component_loaded(module: Module) -> Result<bool, BridgeError> {
    boolean("platformIsComponentLoaded", &[module.name()], |b| {
        b.platform_is_component_loaded(module.name())
    })
}

/// `platformSetWorkspaceId(uuid)`.
pub fn set_workspace_id(uuid: &str) -> Result<(), BridgeError> {
    unit("platformSetWorkspaceId", &[uuid], |b| {
        b.platform_set_workspace_id(uuid)
    })
}

/// `platformSetInformation(platform, workspace, desc)`.
pub fn set_information(platform: &str, workspace: &str, desc: &str) -> Result<(), BridgeError> {
    unit(
        "platformSetInformation",
        &[platform, workspace, desc],
        |b| b.platform_set_information(platform, workspace, desc),
    )
}

/// `platformGetRemoteControllerSN`.
pub fn remote_controller_sn() -> Result<String, BridgeError> {
    string("platformGetRemoteControllerSN", &[], |b| {
        b.platform_get_remote_controller_sn()
    })
}

/// Event fired at `window` by the Cloud panel when Pilot 2 reports another aircraft (or none):
/// the Flight unlocking panel (another bundle) reads the SNs again, without polling Pilot 2 a
/// second time.
pub const AIRCRAFT_CHANGED: &str = "pilot-portal-aircraft";

/// `platformGetAircraftSN`; `None` when no aircraft is connected (Pilot 2 answers `""`).
pub fn aircraft_sn() -> Result<Option<String>, BridgeError> {
    string("platformGetAircraftSN", &[], |b| {
        b.platform_get_aircraft_sn()
    })
    .map(|s| Some(s).filter(|s| !s.is_empty()))
}

/// `platformStopSelf`: closes the cloud platform page.
pub fn stop_self() -> Result<(), BridgeError> {
    unit("platformStopSelf", &[], |b| b.platform_stop_self())
}

/// `apiGetToken`; only valid while the `api` module is loaded. `None` for no token (Pilot 2
/// answers `""` or `{}`).
pub fn api_get_token() -> Result<Option<String>, BridgeError> {
    let method = "apiGetToken";
    envelope::parse_optional_string(&call(method, &[], &|b| b.api_get_token())?)
        .map_err(|e| BridgeError::from_envelope(method, e))
}

/// `apiSetToken(token)`; only valid while the `api` module is loaded. DJI documents no way to
/// clear it with this call: unloading the module is how Pilot 2 forgets a token.
pub fn api_set_token(token: &str) -> Result<(), BridgeError> {
    unit("apiSetToken", &[token], |b| b.api_set_token(token))
}

/// `apiGetHost`: where the loaded `api` module sends Pilot 2's own requests.
pub fn api_get_host() -> Result<String, BridgeError> {
    string("apiGetHost", &[], |b| b.api_get_host())
}

/// `thingGetConnectState`.
pub fn thing_connect_state() -> Result<bool, BridgeError> {
    boolean("thingGetConnectState", &[], |b| b.thing_get_connect_state())
}

/// What the loaded `thing` module was loaded with (`thingGetConfigs`, a JSON document that
/// Pilot 2 encodes once more as a string).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ThingConfigs {
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub username: String,
}

/// `thingGetConfigs`.
pub fn thing_configs() -> Result<ThingConfigs, BridgeError> {
    let method = "thingGetConfigs";
    envelope::parse_json(&call(method, &[], &|b| b.thing_get_configs())?)
        .map_err(|e| BridgeError::from_envelope(method, e))
}

/// `thingConnect`: the cloud module logs in (again); `callback` is the global function told
/// of the state.
pub fn thing_connect(username: &str, password: &str, callback: &str) -> Result<(), BridgeError> {
    unit("thingConnect", &[username, password, callback], |b| {
        b.thing_connect(username, password, callback)
    })
}

/// `thingDisconnect`: closes the cloud module's MQTT connection.
pub fn thing_disconnect() -> Result<(), BridgeError> {
    unit("thingDisconnect", &[], |b| b.thing_disconnect())
}

/// Sets `window.djiBridge.onBackClick`. Pilot 2 calls it synchronously: `true` means the page
/// handled the back arrow, `false` lets Pilot 2 close the page.
pub fn on_back_click(handler: impl Fn() -> bool + 'static) -> Result<(), BridgeError> {
    let closure = Closure::<dyn Fn() -> bool>::new(handler);
    set_bridge_property("onBackClick", closure.as_ref())?;
    closure.forget();
    Ok(())
}

/// Sets `window.djiBridge.onStopPlatform`, called before Pilot 2 exits the cloud platform.
pub fn on_stop_platform(handler: impl Fn() + 'static) -> Result<(), BridgeError> {
    let closure = Closure::<dyn Fn()>::new(handler);
    set_bridge_property("onStopPlatform", closure.as_ref())?;
    closure.forget();
    Ok(())
}

fn set_bridge_property(name: &'static str, value: &JsValue) -> Result<(), BridgeError> {
    let bridge = lookup()?;
    js_sys::Reflect::set(&bridge, &JsValue::from_str(name), value)
        .map(|_| ())
        .map_err(|e| BridgeError::Threw {
            method: name,
            reason: js_reason(&e),
        })
}

/// Defines `window[name]`, a callback Pilot 2 calls by its global name (the `thing` module's
/// `connectCallback`). Pilot 2's argument type is not documented: it is handed over as is.
pub fn set_global_callback(
    name: &'static str,
    handler: impl Fn(JsValue) + 'static,
) -> Result<(), BridgeError> {
    let window = web_sys::window().ok_or(BridgeError::Missing)?;
    let closure = Closure::<dyn Fn(JsValue)>::new(handler);
    js_sys::Reflect::set(&window, &JsValue::from_str(name), closure.as_ref()).map_err(|e| {
        BridgeError::Threw {
            method: name,
            reason: js_reason(&e),
        }
    })?;
    closure.forget();
    Ok(())
}

/// A `connectCallback` argument as a boolean: `true`, `"true"`, `1` are connected.
pub fn truthy(v: &JsValue) -> bool {
    v.as_bool()
        .or_else(|| {
            v.as_string()
                .map(|s| s.eq_ignore_ascii_case("true") || s == "1")
        })
        .or_else(|| v.as_f64().map(|n| n != 0.0))
        .unwrap_or(false)
}
