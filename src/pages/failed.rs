//! A failure a retry may fix (network, platform down). The stored session is kept.

use crate::error::AppError;
use crate::state::{Ctx, Failure};
use crate::{flow, text};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What could not be done, why, and "Try again" (the whole start sequence).
#[component]
pub fn Failed(
    /// What could not be done.
    what: Failure,
    /// Why.
    error: AppError,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let code = error.code().map(|c| c.as_str());
    view! {
        <section class="card error" data-testid="failed" role="alert">
            <h1>{text::failure_title(what)}</h1>
            <p data-testid="failed-message" data-code=code>
                {text::error(&error)}
            </p>
            <button data-testid="retry" on:click=move |_| spawn_local(flow::start(ctx))>
                {text::TRY_AGAIN.get()}
            </button>
        </section>
    }
}
