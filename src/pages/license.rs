//! DJI refused the app license: nothing else is called; say what to check.

use crate::state::Ctx;
use crate::{flow, text};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// DJI's message and what to check.
#[component]
pub fn LicenseFailed(
    /// DJI's own message.
    message: String,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    view! {
        <section class="card error" data-testid="license-failed" role="alert">
            <h1>{text::LICENSE_TITLE.get()}</h1>
            <p data-testid="license-message">{message}</p>
            <p>{text::LICENSE_CHECK.get()}</p>
            <ul>{text::LICENSE_CHECKS.iter().map(|c| view! { <li>{c.get()}</li> }).collect_view()}</ul>
            <button data-testid="retry" on:click=move |_| spawn_local(flow::start(ctx))>
                {text::TRY_AGAIN.get()}
            </button>
        </section>
    }
}
