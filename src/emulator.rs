//! The simulated Pilot 2 (`public/pilot2-emulator.js`), for browsers outside Pilot 2: loaded
//! only on the pilot's request, never over a real `window.djiBridge`.

use crate::state::{Ctx, Screen};
use crate::{bridge, flow};
use leptos::prelude::*;

/// `?emulator` in the address: a browser session that asked for the simulated Pilot 2.
pub fn requested() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .is_some_and(|p| p.has("emulator"))
}

/// Loads the emulator script, then restarts the start sequence.
pub fn load(ctx: Ctx) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(script) = document.create_element("script") else {
        return;
    };
    let _ = script.set_attribute("src", "/pilot2-emulator.js");
    let onload = crate::net::once(Box::new(move || {
        if bridge::is_present() {
            leptos::task::spawn_local(flow::start(ctx));
        } else {
            ctx.screen.set(Screen::NotInPilot);
        }
    }));
    let onerror = crate::net::once(Box::new(move || ctx.screen.set(Screen::NotInPilot)));
    let _ = js_sys::Reflect::set(&script, &"onload".into(), &onload);
    let _ = js_sys::Reflect::set(&script, &"onerror".into(), &onerror);
    if let Some(head) = document.head() {
        let _ = head.append_child(&script);
    }
}
