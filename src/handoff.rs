//! Two bundles, one page: the first screen (license, session, login) ships in a small wasm;
//! the pages after it (workspace picker, main page and its panels) in a second one, built with
//! the `full` feature into `/full/`, loaded when the pilot is signed in. This module carries
//! the state from the first to the second: nothing is asked of Pilot 2 or the proxy twice.

use crate::state::{Conn, Ctx, Screen, Signed};
use leptos::prelude::*;
use pilot_portal_shared::{PageConfig, Workspace};
use serde::{Deserialize, Serialize};

/// `window` property holding the handoff (a JSON string).
const KEY: &str = "__pilotPortalHandoff";

#[derive(Serialize, Deserialize)]
struct Handoff {
    workspace_step: bool,
    user: String,
    expires_at: i64,
    workspace: Option<Workspace>,
    platform_name: String,
    config: Option<PageConfig>,
}

/// First bundle: hand `screen` over to the full bundle and load it.
#[cfg(not(feature = "full"))]
pub fn to_full(ctx: Ctx, screen: &Screen) {
    let (workspace_step, signed) = match screen {
        Screen::Workspace(s) => (true, s.clone()),
        Screen::Main(s) => (false, s.clone()),
        _ => return,
    };
    let handoff = Handoff {
        workspace_step,
        user: signed.user,
        expires_at: signed.expires_at,
        workspace: ctx.workspace.get_untracked(),
        platform_name: ctx.platform_name.get_value(),
        config: ctx.config.get_value(),
    };
    let Some(window) = web_sys::window() else {
        return;
    };
    let json = serde_json::to_string(&handoff).unwrap_or_default();
    let _ = js_sys::Reflect::set(
        &window,
        &KEY.into(),
        &wasm_bindgen::JsValue::from_str(&json),
    );
    leptos::task::spawn_local(async move {
        match load_full().await {
            Ok(()) => ctx.screen.set(Screen::HandedOff),
            Err(e) => ctx.screen.set(Screen::Failed {
                title: "Cannot load the rest of the page".into(),
                message: e.pilot_message(),
            }),
        }
    });
}

/// Runs the module script Trunk wrote into `/full/index.html` (it imports the hashed JS glue
/// and starts the full wasm).
#[cfg(not(feature = "full"))]
async fn load_full() -> Result<(), crate::error::AppError> {
    use crate::error::AppError;
    let response = gloo_net::http::Request::get("/full/index.html")
        .send()
        .await
        .map_err(|e| AppError::Network(e.to_string()))?;
    if !response.ok() {
        return Err(AppError::Decode(format!("HTTP {}", response.status())));
    }
    let html = response
        .text()
        .await
        .map_err(|e| AppError::Network(e.to_string()))?;
    let start = html
        .find("<script type=\"module\"")
        .and_then(|i| html[i..].find('>').map(|j| i + j + 1))
        .ok_or_else(|| AppError::Decode("no module script in /full/index.html".into()))?;
    let end = start
        + html[start..]
            .find("</script>")
            .ok_or_else(|| AppError::Decode("unterminated module script".into()))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| AppError::Decode("no document".into()))?;
    let script = document
        .create_element("script")
        .map_err(|_| AppError::Decode("cannot create a script".into()))?;
    let _ = script.set_attribute("type", "module");
    script.set_text_content(Some(&html[start..end]));
    document
        .body()
        .ok_or_else(|| AppError::Decode("no body".into()))?
        .append_child(&script)
        .map_err(|_| AppError::Decode("cannot start the full page".into()))?;
    Ok(())
}

/// Full bundle: takes the handoff, if the first bundle left one. `true` when the screen was
/// set from it.
pub fn take(ctx: Ctx) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let value = js_sys::Reflect::get(&window, &KEY.into())
        .ok()
        .and_then(|v| v.as_string());
    let _ = js_sys::Reflect::delete_property(&window, &KEY.into());
    let Some(handoff) = value.and_then(|v| serde_json::from_str::<Handoff>(&v).ok()) else {
        return false;
    };
    ctx.config.set_value(handoff.config);
    ctx.platform_name.set_value(handoff.platform_name);
    ctx.workspace.set(handoff.workspace);
    // `flow::set_conn` keeps the cloud state on `window`; read it last, as the connect
    // callback may have fired during the handover
    let latest = js_sys::Reflect::get(&window, &crate::flow::CONN_KEY.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    ctx.conn.set(Conn::parse(&latest));
    let signed = Signed {
        user: handoff.user,
        expires_at: handoff.expires_at,
    };
    ctx.screen.set(if handoff.workspace_step {
        Screen::Workspace(signed)
    } else {
        Screen::Main(signed)
    });
    true
}
