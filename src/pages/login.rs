//! The login page: username and password to a platform token held by Pilot 2.

use crate::error::AppError;
use crate::flow;
use crate::session::LoginReason;
use crate::state::Ctx;
use crate::time;
use leptos::prelude::*;

/// Why the pilot is here, in words.
pub fn reason_text(reason: &LoginReason) -> String {
    match reason {
        LoginReason::Expired { at_ms: Some(at) } => {
            format!(
                "Your session expired on {}. Please log in again.",
                time::format_ms(*at)
            )
        }
        LoginReason::Expired { at_ms: None } => {
            "Your session has expired. Please log in again.".into()
        }
        LoginReason::Revoked => {
            "Your session was ended on the platform. Please log in again.".into()
        }
        LoginReason::Invalid => "Your session is no longer valid. Please log in again.".into(),
        LoginReason::LoggedOut => "You have logged out.".into(),
    }
}

#[component]
pub fn Login(
    /// Why the login page is shown, if not a first visit.
    reason: Option<LoginReason>,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let password_input = NodeRef::<leptos::html::Input>::new();
    let submit = Action::new_local(move |(user, pass): &(String, String)| {
        flow::login(ctx, user.clone(), pass.clone())
    });
    let pending = submit.pending();
    let error = move || submit.value().get().and_then(Result::err);

    // After a failure the password field is empty again: put the cursor there.
    Effect::new(move |_| {
        if error().is_some() {
            if let Some(input) = password_input.get() {
                let _ = input.focus();
            }
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let user = username.get_untracked().trim().to_owned();
        let pass = password.get_untracked();
        // The password is not kept once sent.
        password.set(String::new());
        submit.dispatch_local((user, pass));
    };

    let platform = ctx
        .config
        .get_value()
        .map(|c| c.platform_name)
        .unwrap_or_default();
    let reason_view = reason.map(|r| {
        view! { <p class="notice" data-testid="login-reason" role="status">{reason_text(&r)}</p> }
    });
    view! {
        <section class="card" data-testid="login-page">
            <h1>"Log in"</h1>
            <p class="muted">{platform}</p>
            {reason_view}
            <form data-testid="login-form" on:submit=on_submit novalidate>
                <label for="username">"Username"</label>
                <input id="username" name="username" data-testid="username" type="text"
                    autocomplete="username" autocapitalize="none" spellcheck="false" required
                    prop:value=move || username.get()
                    on:input=move |ev| username.set(event_target_value(&ev)) />
                <label for="password">"Password"</label>
                <input id="password" name="password" data-testid="password" type="password"
                    autocomplete="current-password" required node_ref=password_input
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev)) />
                {move || error().map(|e: AppError| view! {
                    <p class="error-text" data-testid="login-error" data-code=e.code().map(|c| c.as_str()) role="alert">
                        {e.pilot_message()}
                    </p>
                })}
                <button type="submit" data-testid="login-submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
        </section>
    }
}
