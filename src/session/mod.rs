//! The pilot's session on this page: signing in, entering the signed-in pages, ending it.
//! The decisions about a stored token are pure functions in [`plan`].

pub mod plan;

use leptos::prelude::*;
use crate::api::Api;
use crate::cloud;
use crate::error::AppError;
use crate::state::{Ctx, Failure, Screen, Signed};
use crate::token;
use pilot_portal_shared::PilotBootstrap;
use plan::{LoginReason, Refusal};

/// Login with username and password; on success Pilot 2 holds the new token and the pilot is
/// taken in. `Err` is for the login form to show.
pub async fn login(ctx: Ctx, username: String, password: String) -> Result<(), AppError> {
    let config = ctx
        .config
        .get_value()
        .ok_or_else(|| AppError::Page("the platform settings are not loaded".into()))?;
    let grant = Api::new().login(&username, &password).await?;
    token::adopt(&config, &grant)?;
    enter(ctx, Failure::Bootstrap).await;
    Ok(())
}

/// Renews the stored token (in the last part of its life), then takes the pilot in.
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
pub async fn enter(ctx: Ctx, failure: Failure) {
    let token = token::current().unwrap_or_default();
    match Api::new().bootstrap().await {
        Ok(boot) => connected(ctx, boot),
        Err(e) => refused(ctx, e, &token, failure),
    }
}

/// Puts the pilot on the platform: the cloud module, then the workspace (remembered, or
/// chosen now).
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

/// Log out: revoke on the platform (best effort: the pilot leaves either way), then end.
pub async fn logout(ctx: Ctx) {
    let _ = Api::new().logout().await;
    end(ctx, LoginReason::LoggedOut);
}

/// Ends the session: the token cleared in Pilot 2 and the page, the login page says why.
pub fn end(ctx: Ctx, reason: LoginReason) {
    token::clear();
    ctx.signed.set(None);
    ctx.workspace.set(None);
    ctx.screen.set(Screen::Login {
        reason: Some(reason),
    });
}
