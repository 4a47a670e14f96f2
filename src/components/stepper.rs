//! The start-sequence progress: License → Session → Ready.

use crate::state::Step;
use crate::text;
use leptos::prelude::*;

/// Each step's `data-step`; its name is `text::STEPS` at the same place.
const STEPS: [&str; 3] = ["license", "session", "ready"];

fn index(step: Step) -> usize {
    match step {
        Step::License => 0,
        Step::Session => 1,
    }
}

/// Shows which start step is running; the steps before it are done.
#[component]
pub fn Stepper(
    /// The running step.
    step: Step,
) -> impl IntoView {
    let current = index(step);
    view! {
        <ol class="stepper" data-testid="stepper" aria-label=text::START_PROGRESS.get()>
            {STEPS
                .iter()
                .enumerate()
                .zip(text::STEPS)
                .map(|((i, id), label)| {
                    let state = if i < current {
                        "done"
                    } else if i == current {
                        "current"
                    } else {
                        "todo"
                    };
                    view! {
                        <li
                            class=format!("step {state}")
                            data-step=*id
                            aria-current=(state == "current").then_some("step")
                        >
                            {label.get()}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
