//! The start-sequence progress: License → Session → Ready.

use crate::state::Step;
use leptos::prelude::*;

const STEPS: [(&str, &str); 3] = [
    ("license", "License"),
    ("session", "Session"),
    ("ready", "Ready"),
];

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
        <ol class="stepper" data-testid="stepper" aria-label="Start progress">
            {STEPS
                .iter()
                .enumerate()
                .map(|(i, (id, label))| {
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
                            {*label}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
