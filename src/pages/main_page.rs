//! The main page: who is logged in, until when; log out; exit.

use crate::components::cloud::CloudPanel;
use crate::components::xag_card::XagCard;
use crate::state::{Ctx, Signed};
use crate::{bridge, flow, time};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn MainPage(
    /// The signed-in pilot.
    signed: Signed,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let signed_for_cloud = signed.clone();
    let exit_error = RwSignal::new(None::<String>);
    let leaving = RwSignal::new(false);
    let on_logout = move |_| {
        leaving.set(true);
        spawn_local(flow::logout(ctx));
    };
    let on_exit = move |_| {
        if let Err(e) = bridge::stop_self() {
            exit_error.set(Some(format!(
                "Pilot 2 did not close the page: {}",
                e.pilot_message()
            )));
        }
    };
    view! {
        <section class="card" data-testid="main-page">
            <h1>"Signed in"</h1>
            <dl class="facts">
                <dt>"Pilot"</dt>
                <dd data-testid="main-user">{signed.user}</dd>
                <dt>"Session valid until"</dt>
                <dd data-testid="main-expiry">{time::format_ms(signed.expires_at)}</dd>
            </dl>
            {move || exit_error.get().map(|m| view! { <p class="error-text" role="alert">{m}</p> })}
            <div class="actions">
                <button class="secondary" data-testid="logout" on:click=on_logout disabled=move || leaving.get()>
                    "Log out"
                </button>
                <button class="danger" data-testid="exit" on:click=on_exit>"Exit"</button>
            </div>
        </section>
        <CloudPanel signed=signed_for_cloud />
        <XagCard />
    }
}
