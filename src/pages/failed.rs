//! A failure a retry may fix (network, platform down). The stored session is kept.

use crate::flow;
use crate::state::Ctx;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn Failed(
    /// What could not be done.
    title: String,
    /// What happened and what to do.
    message: String,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    view! {
        <section class="card error" data-testid="failed" role="alert">
            <h1>{title}</h1>
            <p data-testid="failed-message">{message}</p>
            <button data-testid="retry" on:click=move |_| spawn_local(flow::start(ctx))>"Try again"</button>
        </section>
    }
}
