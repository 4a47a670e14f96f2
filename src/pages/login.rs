//! The login page: username and password to a platform token held by Pilot 2.

use crate::components::error_view::ErrorText;
use crate::session::{self, plan::LoginReason};
use crate::state::Ctx;
use crate::text;
use leptos::prelude::*;
use pilot_portal_shared::ErrorCode;

/// The login form, with why the pilot is here.
#[component]
pub fn Login(
    /// Why the login page is shown, if not a first visit.
    reason: Option<LoginReason>,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    // A new language rebuilds the page: what the form being replaced holds is kept.
    let username = RwSignal::new(typed("username"));
    let password = RwSignal::new(typed("password"));
    let password_input = NodeRef::<leptos::html::Input>::new();
    let submit = Action::new_local(move |(user, pass): &(String, String)| {
        session::login(ctx, user.clone(), pass.clone())
    });
    let pending = submit.pending();
    let incomplete = RwSignal::new(false);
    let error = move || submit.value().get().and_then(Result::err);

    // The platform refused the password: the field is emptied for the next try. Any other
    // failure (no network, the platform down, too many attempts) keeps what was typed, and
    // the pilot only taps Log in again. The cursor goes to the password either way.
    Effect::new(move |_| {
        if let Some(e) = error() {
            if e.code() == Some(ErrorCode::InvalidCredentials) {
                password.set(String::new());
            }
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
        // Said here, in the pilot's language, rather than by the platform.
        incomplete.set(user.is_empty() || pass.is_empty());
        if incomplete.get_untracked() {
            return;
        }
        submit.dispatch_local((user, pass));
        // The signed-in pages download while the platform checks the password.
        #[cfg(not(feature = "full"))]
        crate::handoff::preload_full();
    };

    let reason_view = reason.map(|r| {
        view! {
            <p class="notice" data-testid="login-reason" role="status">
                {text::login_reason(&r)}
            </p>
        }
    });
    view! {
        <section class="card" data-testid="login-page">
            <h1>{text::LOG_IN_TITLE.get()}</h1>
            <p class="muted">{ctx.platform_name()}</p>
            {reason_view}
            <form data-testid="login-form" on:submit=on_submit novalidate>
                <label for="username">{text::USERNAME.get()}</label>
                <input
                    id="username"
                    name="username"
                    data-testid="username"
                    type="text"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    prop:value=move || username.get()
                    on:input=move |ev| username.set(event_target_value(&ev))
                />
                <label for="password">{text::PASSWORD.get()}</label>
                <input
                    id="password"
                    name="password"
                    data-testid="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    node_ref=password_input
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                {move || error().map(|error| view! { <ErrorText error testid="login-error" /> })}
                {move || {
                    incomplete
                        .get()
                        .then(|| {
                            view! {
                                <p class="error-text" data-testid="login-incomplete" role="alert">
                                    {text::ENTER_BOTH.get()}
                                </p>
                            }
                        })
                }}
                <button type="submit" data-testid="login-submit" disabled=move || pending.get()>
                    {move || if pending.get() { text::LOGGING_IN.get() } else { text::LOG_IN.get() }}
                </button>
            </form>
        </section>
    }
}

/// What the input `id` on the page holds now (empty when there is none).
fn typed(id: &str) -> String {
    use wasm_bindgen::JsCast;
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        // only ever an input: this form's, or index.html's early one with the same ids
        .map(|e| e.unchecked_into::<web_sys::HtmlInputElement>().value())
        .unwrap_or_default()
}
