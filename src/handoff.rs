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
        .ok_or_else(|| AppError::Page("no document".into()))?;
    let script = document
        .create_element("script")
        .map_err(|_| AppError::Page("cannot create a script".into()))?;
    let _ = script.set_attribute("type", "module");
    script.set_text_content(Some(&html[start..end]));
    document
        .body()
        .ok_or_else(|| AppError::Page("no body".into()))?
        .append_child(&script)
        .map_err(|_| AppError::Page("cannot start the rest of the page".into()))?;
    Ok(())
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
