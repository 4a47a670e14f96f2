//! A failure a retry may fix (network, platform down). The stored session is kept.
//!
//! A failure for the network does not wait for the pilot: the start sequence runs again when
//! the controller is back online (the `online` event) and, in case that never comes (a
//! network that is up but does not reach the platform), after a wait that doubles up to a
//! minute ([`net::start_retry_delay_ms`]).

use crate::error::AppError;
use crate::state::{Ctx, Failure};
use crate::{flow, net, text};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;

thread_local! {
    /// Attempts in a row (for the backoff) and when the last one failed (controller ms).
    static ATTEMPT: Cell<(u32, i64)> = const { Cell::new((0, 0)) };
}

/// A failure this long after the last one starts the backoff again.
const NEW_OUTAGE_MS: i64 = 120_000;

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
    let network = matches!(error, AppError::Network(_));
    if network {
        resume_by_itself(ctx);
    }
    let online = net::online();
    let reachable_network = network && online.get_untracked();
    let message = move || {
        if network && !online.get() {
            text::OFFLINE.get().to_owned()
        } else {
            text::error(&error)
        }
    };
    view! {
        <section class="card error" data-testid="failed" role="alert">
            <h1>{text::failure_title(what)}</h1>
            <p data-testid="failed-message" data-code=code data-network=network.then_some("true")>
                {message}
            </p>
            {reachable_network
                .then(|| view! { <p class="muted">{text::RETRYING_BY_ITSELF.get()}</p> })}
            <button data-testid="retry" on:click=move |_| spawn_local(flow::start(ctx))>
                {text::TRY_AGAIN.get()}
            </button>
        </section>
    }
}

/// Runs the start sequence again when the network is back, or after the backoff; nothing once
/// this screen is gone (the start sequence replaced it).
fn resume_by_itself(ctx: Ctx) {
    let now = crate::clock::local_ms();
    let attempt = ATTEMPT.with(|a| {
        let (n, last) = a.get();
        let n = if now.abs_diff(last) > NEW_OUTAGE_MS.unsigned_abs() {
            0
        } else {
            n
        };
        a.set((n.saturating_add(1), now));
        n
    });
    // once, by whichever comes first
    let started = std::rc::Rc::new(Cell::new(false));
    let start = move || {
        if !started.replace(true) {
            spawn_local(flow::start(ctx));
        }
    };
    let timer = net::after(net::start_retry_delay_ms(attempt), start.clone());
    on_cleanup(move || net::cancel(timer));
    let online = net::online();
    Effect::new(move |was: Option<bool>| {
        let now = online.get();
        if was == Some(false) && now {
            ATTEMPT.with(|a| a.set((0, 0)));
            start();
        }
        now
    });
}
