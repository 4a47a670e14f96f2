//! Shown while the start sequence runs.

use crate::components::stepper::Stepper;
use crate::state::Step;
use leptos::prelude::*;

#[component]
pub fn Starting(
    /// The running step.
    step: Step,
) -> impl IntoView {
    let text = match step {
        Step::License => "Verifying the DJI app license…",
        Step::Session => "Checking your session…",
    };
    view! {
        <section class="card" data-testid="starting">
            <Stepper step=Signal::derive(move || Some(step)) />
            <p class="muted" role="status">{text}</p>
        </section>
    }
}
