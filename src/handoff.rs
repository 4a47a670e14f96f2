//! Two bundles, one page: the first screen (license, stored token, login) ships in a small
//! wasm; everything after it (the session check and connection, workspace picker, main page)
//! in a second one, built with the `full` feature into `/full/` (the main page then loads two
//! of its panels from a third, see `crate::panels`). The loader
//! (`src/loader.js`) starts the second one directly for a stored session; otherwise the first
//! hands over as soon as the pilot has a token, with one typed snapshot: nothing is asked of
//! Pilot 2 or the proxy twice.

use crate::state::{Ctx, Screen, Step};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// `window` property holding the snapshot (a JSON string) until the second bundle takes it.
const KEY: &str = "__pilotPortalHandoff";

/// What the signed-in bundle does first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Next {
    /// The session check (already sent, see `api::prefetch_bootstrap`), then in.
    Enter,
    /// Renew the token, then in.
    Renew,
}

/// What the first bundle knows when it hands over: the license is verified, the token read
/// (or just issued) and held by Pilot 2.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    next: Next,
    /// The page config's JSON text (see `config`).
    config: Option<String>,
    /// The token the first bundle read (it is also in the page's copy and in Pilot 2).
    token: Option<String>,
}

/// First bundle: hands over to the signed-in bundle and starts it. Called by the session once
/// it knows the pilot has a token; never from a render closure.
#[cfg(not(feature = "full"))]
pub fn to_full(ctx: Ctx, next: Next) {
    use crate::error::AppError;
    use crate::state::Failure;
    use wasm_bindgen::JsCast;

    ctx.screen.set(Screen::Starting(Step::Session));
    let snapshot = Snapshot {
        next,
        config: crate::config::raw(),
        token: crate::token::current(),
    };
    let handed = serde_json::to_string(&snapshot)
        .map_err(|e| AppError::Page(e.to_string()))
        .and_then(|json| {
            let window = web_sys::window().ok_or_else(|| AppError::Page("no window".into()))?;
            js_sys::Reflect::set(&window, &KEY.into(), &json.into())
                .map_err(|_| AppError::Page("cannot keep the session for the next part".into()))
        })
        .and_then(|_| call_loader("__pilotPortalStart", "full"));
    match handed {
        Ok(started) => {
            ctx.screen.set(Screen::HandedOff);
            // Its download failed (no network): said here, with Try again, which hands over
            // again (the loader asks under a new address then). Nothing else shows now.
            if let Ok(started) = started.dyn_into::<js_sys::Promise>() {
                leptos::task::spawn_local(async move {
                    if wasm_bindgen_futures::JsFuture::from(started).await.is_err() {
                        ctx.fail(
                            Failure::LoadFull,
                            AppError::Network("the signed-in pages did not download".into()),
                        );
                    }
                });
            }
        }
        Err(e) => ctx.fail(Failure::LoadFull, e),
    }
}

/// Calls the loader's `window[name](bundles[bundle])` (see `src/loader.js`): what it returns
/// (for `__pilotPortalStart`, a promise settled once that bundle runs).
pub(crate) fn call_loader(
    name: &str,
    bundle: &str,
) -> Result<wasm_bindgen::JsValue, crate::error::AppError> {
    use crate::error::AppError;
    use wasm_bindgen::JsCast;
    let window = web_sys::window().ok_or_else(|| AppError::Page("no window".into()))?;
    let get = |target: &wasm_bindgen::JsValue, key: &str| {
        js_sys::Reflect::get(target, &key.into())
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    };
    let files = get(&window, "__pilotPortalBundles")
        .and_then(|b| get(&b, bundle))
        .ok_or_else(|| AppError::Page("the page was built without its loader".into()))?;
    let call = get(&window, name)
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| AppError::Page("the page was built without its loader".into()))?;
    call.call1(&wasm_bindgen::JsValue::NULL, &files)
        .map_err(|_| AppError::Page("cannot start the rest of the page".into()))
}

/// Starts downloading the signed-in pages (no-op if already started), e.g. while a login
/// request is on its way.
#[cfg(not(feature = "full"))]
pub fn preload_full() {
    let _ = call_loader("__pilotPortalPreload", "full");
}

/// Full bundle: takes the snapshot, if the first bundle left one, and carries on from where it
/// stopped. `true` when it did.
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
    crate::config::take_over(ctx, snapshot.config);
    crate::token::take_over(snapshot.token);
    ctx.screen.set(Screen::Starting(Step::Session));
    leptos::task::spawn_local(async move {
        match snapshot.next {
            Next::Enter => crate::session::enter(ctx, crate::state::Failure::CheckSession).await,
            Next::Renew => crate::session::renew(ctx).await,
        }
    });
    true
}
