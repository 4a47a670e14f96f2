//! The start sequence inside Pilot 2: license, stored token, the three token states.
//!
//! Order matters and is tested end to end: the license is verified before any other bridge
//! call; the token rules themselves live in [`crate::token`].

use crate::bridge::{self, BridgeError};
use crate::session::plan::{self, StartPlan};
use crate::state::{Ctx, Failure, Screen, Step};
use crate::{clock, config, emulator, session, text, token};
use leptos::prelude::*;
use pilot_portal_shared::PageConfig;
use std::cell::Cell;

thread_local! {
    static CALLBACKS_SET: Cell<bool> = const { Cell::new(false) };
}

/// Runs (or reruns, from "Try again") the whole start sequence.
pub async fn start(ctx: Ctx) {
    if !bridge::is_present() {
        if emulator::requested() {
            emulator::load(ctx);
        } else {
            ctx.screen.set(Screen::NotInPilot);
        }
        return;
    }
    ctx.screen.set(Screen::Starting(Step::License));
    let config = match config::load(ctx).await {
        Ok(c) => c,
        Err(e) => return ctx.fail(Failure::Config, e),
    };
    if let Err(message) = verify_license(&config) {
        ctx.screen.set(Screen::LicenseFailed { message });
        return;
    }
    register_callbacks(ctx);

    ctx.screen.set(Screen::Starting(Step::Session));
    let token = match token::read_stored(&config) {
        Ok(t) => t,
        Err(e) => return ctx.fail(Failure::ReadSession, e.into()),
    };
    // On the proxy's time (the loader already read it from this page's config, or an
    // earlier opening's): a controller clock that is wrong does not end a valid session.
    match plan::plan(
        token.as_deref(),
        clock::local_ms(),
        clock::offset_ms(),
        config.renew_below_fraction,
    ) {
        StartPlan::Login => {
            session::clear_leftovers(ctx);
            ctx.screen.set(Screen::Login { reason: None });
        }
        StartPlan::ClearAndLogin(reason) => session::end(ctx, reason),
        StartPlan::Check => session::enter(ctx, Failure::CheckSession).await,
        StartPlan::Renew => session::renew(ctx).await,
    }
}

/// `platformVerifyLicense` then `platformIsVerified`; `Err` carries DJI's message.
fn verify_license(config: &PageConfig) -> Result<(), String> {
    let d = &config.dji;
    let refused = |e: BridgeError| text::bridge(&e);
    if !bridge::verify_license(&d.app_id, &d.app_key, &d.license).map_err(refused)? {
        return Err(text::LICENSE_NOT_ACCEPTED.get().into());
    }
    if !bridge::is_verified().map_err(refused)? {
        return Err(text::LICENSE_NOT_VERIFIED.get().into());
    }
    Ok(())
}

/// `onBackClick` and `onStopPlatform`, once per bundle.
pub fn register_callbacks(ctx: Ctx) {
    if CALLBACKS_SET.with(|s| s.replace(true)) {
        return;
    }
    // No in-page history to go back through: let Pilot 2 close the page.
    let _ = bridge::on_back_click(|| false);
    let _ = bridge::on_stop_platform(move || session::stopped_by_pilot(ctx));
}
