//! Shown while the start sequence runs.

use crate::components::stepper::Stepper;
use crate::state::Step;
use crate::text;
use leptos::prelude::*;

/// The running start step, with what it is doing.
#[component]
pub fn Starting(
    /// The running step.
    step: Step,
) -> impl IntoView {
    let doing = match step {
        Step::License => text::STEP_LICENSE.get(),
        Step::Session => text::STEP_SESSION.get(),
    };
    view! {
        <section class="card" data-testid="starting">
            <Stepper step />
            <p class="muted" role="status">
                {doing}
            </p>
        </section>
    }
}
