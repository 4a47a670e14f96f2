//! Two bundles, one page: the first screen (license, session, login) ships in a small wasm;
//! the pages after it (workspace picker, main page and its panels) in a second one, built with
//! the `full` feature into `/full/`, loaded when the pilot is signed in. This module carries
//! the state from the first to the second in one typed snapshot: nothing is asked of Pilot 2
//! or the proxy twice.

use crate::state::{Ctx, Screen, Signed};
use leptos::prelude::*;
use pilot_portal_shared::{PageConfig, Workspace};
use serde::{Deserialize, Serialize};

/// `window` property holding the snapshot (a JSON string) until the second bundle takes it.
const KEY: &str = "__pilotPortalHandoff";

/// What the first bundle knows when it hands over.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    /// The workspace picker (`true`) or the main page.
    workspace_step: bool,
    signed: Signed,
    workspace: Option<Workspace>,
    config: Option<PageConfig>,
    /// The token the first bundle read (it is also in the page's copy and in Pilot 2).
    token: Option<String>,
}

/// First bundle: hands the signed-in pages over to the full bundle and loads it. Runs from an
/// effect on the screen, never during render.
#[cfg(not(feature = "full"))]
pub fn to_full(ctx: Ctx) {
    use crate::error::AppError;
    use crate::state::Failure;

    let screen = ctx.screen.get_untracked();
    let Some(signed) = ctx.signed.get_untracked() else {
        return;
    };
    let snapshot = Snapshot {
        workspace_step: screen == Screen::Workspace,
        signed,
        workspace: ctx.workspace.get_untracked(),
        config: ctx.config.get_value(),
        token: crate::token::current(),
    };
    let stored = serde_json::to_string(&snapshot)
        .map_err(|e| AppError::Page(e.to_string()))
        .and_then(|json| {
            let window = web_sys::window().ok_or_else(|| AppError::Page("no window".into()))?;
            js_sys::Reflect::set(&window, &KEY.into(), &json.into())
                .map_err(|_| AppError::Page("cannot keep the session for the next part".into()))
        });
    if let Err(e) = stored {
        return ctx.fail(Failure::LoadFull, e);
    }
    leptos::task::spawn_local(async move {
        match load_full().await {
            Ok(()) => ctx.screen.set(Screen::HandedOff),
            Err(e) => ctx.fail(Failure::LoadFull, e),
        }
    });
}

/// Calls the loader's `window[name](bundles.full)` (see `src/loader.js`).
#[cfg(not(feature = "full"))]
fn with_full_bundle(name: &str) -> Result<(), crate::error::AppError> {
    use crate::error::AppError;
    use wasm_bindgen::JsCast;
    let window = web_sys::window().ok_or_else(|| AppError::Page("no window".into()))?;
    let get = |target: &wasm_bindgen::JsValue, key: &str| {
        js_sys::Reflect::get(target, &key.into())
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    };
    let full = get(&window, "__pilotPortalBundles")
        .and_then(|b| get(&b, "full"))
        .ok_or_else(|| AppError::Page("the page was built without its loader".into()))?;
    let call = get(&window, name)
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| AppError::Page("the page was built without its loader".into()))?;
    call.call1(&wasm_bindgen::JsValue::NULL, &full)
        .map(|_| ())
        .map_err(|_| AppError::Page("cannot start the rest of the page".into()))
}

/// Starts downloading the signed-in pages (no-op if already started), e.g. while a login
/// request is on its way.
#[cfg(not(feature = "full"))]
pub fn preload_full() {
    let _ = with_full_bundle("__pilotPortalPreload");
}

/// Starts the full bundle: its file names are known from the loader, nothing is fetched to
/// find them.
#[cfg(not(feature = "full"))]
async fn load_full() -> Result<(), crate::error::AppError> {
    with_full_bundle("__pilotPortalStart")
}

/// Full bundle: takes the snapshot, if the first bundle left one. `true` when the screen was
/// set from it.
pub fn take(ctx: Ctx) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let value = js_sys::Reflect::get(&window, &KEY.into())
        .ok()
        .and_then(|v| v.as_string());
    let _ = js_sys::Reflect::delete_property(&window, &KEY.into());
    let Some(snapshot) = value.and_then(|v| serde_json::from_str::<Snapshot>(&v).ok()) else {
        return false;
    };
    ctx.config.set_value(snapshot.config);
    ctx.workspace.set(snapshot.workspace);
    ctx.signed.set(Some(snapshot.signed));
    crate::token::take_over(snapshot.token);
    // Read last: the connect callback may have fired during the handover.
    ctx.conn.set(crate::cloud::last_conn());
    ctx.screen.set(if snapshot.workspace_step {
        Screen::Workspace
    } else {
        Screen::Main
    });
    true
}
