//! Pilot 2's cloud side for the signed-in pilot: the `thing` (MQTT) module and its connection
//! state, the workspace id and the platform information shown in Pilot 2.

use crate::bridge::{self, Module};
use crate::error::AppError;
use crate::state::{Conn, Ctx, Failure};
use leptos::prelude::*;
use pilot_portal_shared::{ThingParams, Workspace};
use serde::Serialize;
use std::cell::{Cell, RefCell};

/// Global name of the `thing` module's connect callback.
const CONNECT_CALLBACK: &str = "pilotPortalThingConnected";

/// `window` property with the last cloud state, shared by both bundles (the connect callback
/// may fire while the first hands over to the second).
const CONN_KEY: &str = "__pilotPortalCloud";

/// The waits before the page asks a lost link back by itself, try after try: Pilot 2 gets the
/// first to report back on its own (DJI does not say whether it reconnects), then the waits
/// grow so that a broker that is down is not hammered.
const RETRY_WAITS_MS: [i32; 6] = [3_000, 5_000, 10_000, 20_000, 40_000, 60_000];

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    /// The pending retry's timer, and how many retries in a row found no link.
    static RETRY: Cell<(Option<i32>, usize)> = const { Cell::new((None, 0)) };
    /// When the page's last `thingConnect` went out, until Pilot 2 answered it (ms; 0: none).
    static ASKED_AT: Cell<f64> = const { Cell::new(0.0) };
    /// The signed-in pilot's MQTT account, from the proxy's bootstrap (set at each entry): what
    /// a lost link logs in with again. Not read back from `thingGetConfigs`, which DJI does not
    /// say gives the password.
    static ACCOUNT: RefCell<Option<ThingParams>> = const { RefCell::new(None) };
}

/// The `thing` module's param: `{host, username, password, connectCallback}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ThingModule<'a> {
    host: &'a str,
    username: &'a str,
    password: &'a str,
    connect_callback: &'a str,
}

/// Puts Pilot 2's cloud module on this pilot's MQTT account. A module Pilot 2 still runs is
/// kept only if it was loaded with this account (`thingGetConfigs`: host and username);
/// another pilot's is disconnected and unloaded first.
pub fn connect(ctx: Ctx, thing: Option<&ThingParams>) -> Result<(), (Failure, AppError)> {
    watch(ctx);
    ACCOUNT.with(|a| *a.borrow_mut() = thing.cloned());
    let loaded =
        bridge::is_component_loaded(Module::Thing).map_err(|e| (Failure::CheckCloud, e.into()))?;
    if loaded {
        let ours = bridge::thing_configs()
            .ok()
            .is_some_and(|c| thing.is_some_and(|t| c.host == t.host && c.username == t.username));
        if ours {
            let connected = bridge::thing_connect_state().unwrap_or(false);
            set_conn(
                ctx,
                if connected {
                    Conn::Connected
                } else {
                    Conn::Connecting
                },
            );
            if connected {
                announce(ctx);
            } else {
                // A link lost while the page was closed.
                retry_later(ctx);
            }
            return Ok(());
        }
        shut_down(ctx);
    }
    match thing {
        Some(thing) => {
            let param = ThingModule {
                host: &thing.host,
                username: &thing.username,
                password: &thing.password,
                connect_callback: CONNECT_CALLBACK,
            };
            set_conn(ctx, Conn::Connecting);
            bridge::load_component(Module::Thing, &param)
                .map_err(|e| (Failure::StartCloud, e.into()))
        }
        None => {
            // No cloud module for this pilot: nothing will report online.
            set_conn(ctx, Conn::Off);
            announce(ctx);
            Ok(())
        }
    }
}

/// Disconnects and unloads the cloud module, whoever loaded it. Best effort.
pub fn shut_down(ctx: Ctx) {
    if bridge::is_component_loaded(Module::Thing).unwrap_or(false) {
        let _ = bridge::thing_disconnect();
        let _ = bridge::unload_component(Module::Thing);
    }
    set_conn(ctx, Conn::Off);
}

/// `platformSetInformation(platform name, workspace name or "", description or "")`: Pilot 2's
/// tab bar and cloud entry, whether or not a workspace is set.
pub fn announce(ctx: Ctx) {
    let ws = ctx.workspace.get_untracked();
    let (name, description) = ws
        .as_ref()
        .map(|w| (w.name.as_str(), w.introduction.as_str()))
        .unwrap_or(("", ""));
    let _ = bridge::set_information(&ctx.platform_name(), name, description);
}

/// Defines the `thing` module's connect callback (once per bundle): the state shown follows
/// Pilot 2's reports, confirmed with `thingGetConnectState`; online, the platform information
/// goes to Pilot 2.
pub fn watch(ctx: Ctx) {
    if WATCHING.with(|w| w.replace(true)) {
        return;
    }
    let _ = bridge::set_global_callback(CONNECT_CALLBACK, move |state| {
        let connected = bridge::truthy(&state);
        // Confirm with the module itself; the callback's argument type is not documented.
        let confirmed = bridge::thing_connect_state().unwrap_or(connected);
        let next = match (confirmed, ctx.conn.get_untracked()) {
            (true, _) => Conn::Connected,
            (false, Conn::Connected | Conn::Disconnected) => Conn::Disconnected,
            (false, _) => Conn::Failed,
        };
        ASKED_AT.set(0.0);
        set_conn(ctx, next);
        if next == Conn::Connected {
            let (timer, _) = RETRY.get();
            crate::net::cancel(timer);
            RETRY.set((None, 0));
            if ctx.signed.get_untracked().is_some() {
                announce(ctx);
            }
        } else if ctx.signed.get_untracked().is_some() {
            retry_later(ctx);
        }
    });
}

/// After a lost link (or a kept module that did not report back), asks it back by itself
/// once the next of [`RETRY_WAITS_MS`] has passed, unless it came back, a try is under way
/// ([`reconnect`] asks once) or the controller is offline (the network's return asks at
/// once).
fn retry_later(ctx: Ctx) {
    let (timer, tries) = RETRY.get();
    crate::net::cancel(timer);
    let wait = RETRY_WAITS_MS[tries.min(RETRY_WAITS_MS.len() - 1)];
    let timer = crate::net::after(wait, move || {
        RETRY.set((None, tries + 1));
        let lost = !matches!(ctx.conn.get_untracked(), Conn::Connected | Conn::Off);
        if lost && crate::net::online_now() {
            reconnect(ctx);
        }
    });
    RETRY.set((timer, tries));
}

/// A try of the page's is under way: asked, not answered, and not long ago (an answer that
/// never comes counts as a failed try after [`ASK_ANSWER_MS`]).
fn asking() -> bool {
    js_sys::Date::now() - ASKED_AT.get() < ASK_ANSWER_MS
}

/// How long a `thingConnect` of the page's may wait for Pilot 2's answer before another.
const ASK_ANSWER_MS: f64 = 15_000.0;

/// Asks Pilot 2's cloud module to log in again, when it is loaded and not connected: on
/// Refresh, after the network came back, and by itself after a lost link. Pilot 2 documents
/// no reconnection of its own (a link lost while the page starts stayed lost); one that does
/// is left to it. The account is the one the proxy gave this session.
pub fn reconnect(ctx: Ctx) {
    if ctx.signed.get_untracked().is_none()
        || asking()
        || !bridge::is_component_loaded(Module::Thing).unwrap_or(false)
        || bridge::thing_connect_state().unwrap_or(true)
    {
        return;
    }
    let Some(account) = ACCOUNT.with(|a| a.borrow().clone()) else {
        return;
    };
    set_conn(ctx, Conn::Connecting);
    let asked_at = js_sys::Date::now();
    ASKED_AT.set(asked_at);
    if bridge::thing_connect(&account.username, &account.password, CONNECT_CALLBACK).is_err() {
        ASKED_AT.set(0.0);
        set_conn(ctx, Conn::Failed);
        retry_later(ctx);
        return;
    }
    // An answer that never comes is a failed try: the next follows the waits.
    crate::net::after(ASK_ANSWER_MS as i32, move || {
        if ASKED_AT.get() == asked_at {
            ASKED_AT.set(0.0);
            set_conn(ctx, Conn::Failed);
            retry_later(ctx);
        }
    });
}

/// Sets the cloud state shown, and keeps it on `window` for the other bundle.
pub fn set_conn(ctx: Ctx, conn: Conn) {
    ctx.conn.set(conn);
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &CONN_KEY.into(), &conn.as_str().into());
    }
}

/// The last cloud state any bundle saw.
pub fn last_conn() -> Conn {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &CONN_KEY.into()).ok())
        .and_then(|v| v.as_string())
        .map(|s| Conn::parse(&s))
        .unwrap_or(Conn::Off)
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
        return Err(AppError::InvalidWorkspaceId(ws.uuid.clone()));
    }
    bridge::set_workspace_id(&ws.uuid)?;
    ctx.workspace.set(Some(ws.clone()));
    bridge::set_information(&ctx.platform_name(), &ws.name, &ws.introduction)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_uuid;

    #[test]
    fn only_canonical_uuids_are_workspace_ids() {
        assert!(is_uuid("e3dea0f5-37f2-4d79-ae58-490af3228069"));
        assert!(!is_uuid("e3dea0f537f24d79ae58490af3228069"));
        assert!(!is_uuid("e3dea0f5-37f2-4d79-ae58-490af322806g"));
        assert!(!is_uuid(""));
    }
}
