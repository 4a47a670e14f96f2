//! Outside DJI Pilot 2 there is no `window.djiBridge`: say where to open the page, and offer
//! the simulated Pilot 2 for testing in a browser.

use crate::flow;
use crate::state::Ctx;
use leptos::prelude::*;

#[component]
pub fn NotInPilot() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    view! {
        <section class="card" data-testid="not-in-pilot">
            <h1>"Open this page in DJI Pilot 2"</h1>
            <p>
                "In DJI Pilot 2 go to " <strong>"Cloud Service → Open Platforms"</strong>
                ", enter this page's address and tap Connect."
            </p>
            <p class="muted">"Testing in a browser? Continue with a simulated Pilot 2."</p>
            <button class="secondary" data-testid="use-emulator" on:click=move |_| flow::use_emulator(ctx)>
                "Continue with simulated Pilot 2"
            </button>
        </section>
    }
}
