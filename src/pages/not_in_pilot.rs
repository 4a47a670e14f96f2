//! Outside DJI Pilot 2 there is no `window.djiBridge`: say where to open the page, and offer
//! the simulated Pilot 2 for testing in a browser.

use crate::state::Ctx;
use crate::{emulator, text};
use leptos::prelude::*;

/// Where to open the page; the simulated Pilot 2 for browsers.
#[component]
pub fn NotInPilot() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    view! {
        <section class="card" data-testid="not-in-pilot">
            <h1>{text::NOT_IN_PILOT_TITLE.get()}</h1>
            <p>{text::NOT_IN_PILOT_HOW.get()}</p>
            <p class="muted">{text::NOT_IN_PILOT_TESTING.get()}</p>
            <button
                class="secondary"
                data-testid="use-emulator"
                on:click=move |_| emulator::load(ctx)
            >
                {text::USE_EMULATOR.get()}
            </button>
        </section>
    }
}
