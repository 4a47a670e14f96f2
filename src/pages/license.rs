//! DJI refused the app license: nothing else is called; say what to check.

use crate::flow;
use crate::state::Ctx;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn LicenseFailed(
    /// DJI's own message.
    message: String,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    view! {
        <section class="card error" data-testid="license-failed" role="alert">
            <h1>"DJI app license not verified"</h1>
            <p data-testid="license-message">{message}</p>
            <p>"Check:"</p>
            <ul>
                <li>"The App ID, App Key and License configured on the platform match the Cloud API app on developer.dji.com (ask your platform administrator)."</li>
                <li>"The controller is online: DJI checks the license over the network."</li>
                <li>"DJI Pilot 2 is up to date."</li>
            </ul>
            <button data-testid="retry" on:click=move |_| spawn_local(flow::start(ctx))>"Try again"</button>
        </section>
    }
}
