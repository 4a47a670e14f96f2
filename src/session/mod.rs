//! The pilot's session on this page: signing in, entering the signed-in pages, ending it.
//! The decisions about a stored token are pure functions in [`plan`].

pub mod claims;
pub mod plan;

use crate::api::{self, Api};
use crate::error::AppError;
#[cfg(feature = "full")]
use crate::state::Signed;
use crate::state::{Ctx, Failure, Screen};
use crate::token;
use crate::{bridge, cloud};
use leptos::prelude::*;
#[cfg(feature = "full")]
use pilot_portal_shared::PilotBootstrap;
use plan::{LoginReason, Refusal};

/// Login with username and password; on success Pilot 2 holds the new token and the pilot is
/// taken in. `Err` is for the login form to show.
pub async fn login(ctx: Ctx, username: String, password: String) -> Result<(), AppError> {
    let config = ctx
        .config
        .get_value()
        .ok_or_else(|| AppError::Page("the platform settings are not loaded".into()))?;
    // The proxy names the token after this controller, so the pilot can tell it apart in
    // the Access tokens panel (and revoke it from another controller).
    let controller_sn = bridge::remote_controller_sn()
        .ok()
        .map(|sn| sn.trim().to_owned())
        .filter(|sn| !sn.is_empty());
    let grant = Api::new()
        .login(&username, &password, controller_sn)
        .await?;
    token::adopt(&config, &grant)?;
    enter(ctx, Failure::Bootstrap).await;
    Ok(())
}

/// First-screen bundle: renewing and what follows happen in the signed-in bundle.
#[cfg(not(feature = "full"))]
pub async fn renew(ctx: Ctx) {
    crate::handoff::to_full(ctx, crate::handoff::Next::Renew);
}

/// First-screen bundle: the session check starts now (the request goes out while the
/// signed-in bundle loads), and the signed-in bundle takes it from there.
#[cfg(not(feature = "full"))]
pub async fn enter(ctx: Ctx, _failure: Failure) {
    if let Some(token) = token::current() {
        api::prefetch_bootstrap(&token);
    }
    crate::handoff::to_full(ctx, crate::handoff::Next::Enter);
}

/// Renews the stored token (in the last part of its life), then takes the pilot in.
#[cfg(feature = "full")]
pub async fn renew(ctx: Ctx) {
    let Some(config) = ctx.config.get_value() else {
        return ctx.fail(
            Failure::Config,
            AppError::Page("the platform settings are not loaded".into()),
        );
    };
    let old = token::current().unwrap_or_default();
    match Api::new().renew().await {
        Ok(grant) => match token::adopt(&config, &grant) {
            Ok(()) => enter(ctx, Failure::Bootstrap).await,
            Err(e) => ctx.fail(Failure::StoreSession, e),
        },
        Err(e) => refused(ctx, e, &old, Failure::CheckSession),
    }
}

/// With a token Pilot 2 holds: one round trip (`GET /api/pilot/bootstrap`) for the session
/// check and everything needed to connect, then the signed-in pages. `failure` names what a
/// retryable failure could not do.
#[cfg(feature = "full")]
pub async fn enter(ctx: Ctx, failure: Failure) {
    let token = token::current().unwrap_or_default();
    match Api::new().bootstrap().await {
        Ok(boot) => connected(ctx, boot),
        Err(e) => refused(ctx, e, &token, failure),
    }
}

/// Puts the pilot on the platform: the cloud module, then the workspace (remembered, or
/// chosen now).
#[cfg(feature = "full")]
fn connected(ctx: Ctx, boot: PilotBootstrap) {
    ctx.signed.set(Some(Signed {
        user: boot.session.user.name.clone(),
        expires_at: boot.session.expires_at,
    }));
    if let Err((what, e)) = cloud::connect(ctx, boot.thing.as_ref()) {
        return ctx.fail(what, e);
    }
    match boot.workspace {
        Some(ws) => match cloud::apply_workspace(ctx, &ws) {
            Ok(()) => ctx.screen.set(Screen::Main),
            Err(e) => ctx.fail(Failure::SetWorkspace, e),
        },
        None if boot.workspaces_enabled => ctx.screen.set(Screen::Workspace),
        None => ctx.screen.set(Screen::Main),
    }
}

/// What the proxy's refusal of `token` means: the session is over (login page with the
/// reason), or a retry may help (the token is kept).
pub fn refused(ctx: Ctx, error: AppError, token: &str, failure: Failure) {
    match plan::refusal(error, token) {
        Refusal::SessionOver(reason) => end(ctx, reason),
        Refusal::Retry(e) => ctx.fail(failure, e),
    }
}

/// Log out: the session ends here and the token is revoked on the platform.
pub fn logout(ctx: Ctx) {
    end(ctx, LoginReason::LoggedOut);
}

/// **Exit**: the session ends (on a shared controller, the next person must not find it),
/// then Pilot 2 closes the page. Depends on no callback: `onStopPlatform` is for Pilot's own
/// exit.
pub fn exit(ctx: Ctx) -> Result<(), AppError> {
    end(ctx, LoginReason::LoggedOut);
    bridge::stop_self().map_err(AppError::from)
}

/// Pilot's own "Exit cloud platform" (`onStopPlatform`): Pilot 2 waits for this to return,
/// then closes, so everything here is synchronous.
pub fn stopped_by_pilot(ctx: Ctx) {
    end(ctx, LoginReason::LoggedOut);
}

/// The one way out. Every end of a session comes here: log out, Exit, Pilot's exit, a token
/// found expired, revoked or invalid. First, synchronously, Pilot 2 forgets the token
/// (documented means: unload the `api` module and its dependents), the cloud module is
/// disconnected and unloaded, the page's copies and everything naming the pilot are cleared;
/// then a token that may still be live is revoked with a request that outlives the page.
pub fn end(ctx: Ctx, reason: LoginReason) {
    let forgotten = token::forget();
    cloud::shut_down(ctx);
    ctx.signed.set(None);
    ctx.workspace.set(None);
    cloud::announce(ctx);
    let may_be_live = matches!(reason, LoginReason::LoggedOut);
    if let Some(token) = forgotten.filter(|_| may_be_live) {
        api::revoke_on_the_way_out(&token);
    }
    ctx.screen.set(Screen::Login {
        reason: Some(reason),
    });
}

/// No session, yet Pilot 2 still runs a cloud module (or modules that need a token) from an
/// earlier pilot: they go before the login page shows.
pub fn clear_leftovers(ctx: Ctx) {
    let _ = token::forget();
    cloud::shut_down(ctx);
}
