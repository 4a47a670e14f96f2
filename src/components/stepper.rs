//! The start-sequence progress: License → Session → Ready.

use crate::state::Step;
use leptos::prelude::*;

const STEPS: [(&str, &str); 3] = [
    ("license", "License"),
    ("session", "Session"),
    ("ready", "Ready"),
];

fn index(step: Option<Step>) -> usize {
    match step {
        Some(Step::License) => 0,
        Some(Step::Session) => 1,
        None => 2,
    }
}

/// Shows which start step is running; `None` means all done.
#[component]
pub fn Stepper(
    /// The running step.
    #[prop(into)]
    step: Signal<Option<Step>>,
) -> impl IntoView {
    view! {
        <ol class="stepper" data-testid="stepper" aria-label="Start progress">
            {STEPS
                .iter()
                .enumerate()
                .map(|(i, (id, label))| {
                    let state = move || {
                        let current = index(step.get());
                        if i < current { "done" } else if i == current { "current" } else { "todo" }
                    };
                    view! {
                        <li class=move || format!("step {}", state()) data-step=*id aria-current=move || (state() == "current").then_some("step")>
                            {*label}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
