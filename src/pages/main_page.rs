//! The main page: who is logged in, until when; log out; exit (both end the session); the
//! panels. Flight unlocking and Access tokens come in their own bundle once this page shows
//! (`crate::panels`), into the slot at its end.

use crate::components::cloud::CloudPanel;
use crate::components::error_view::ErrorText;
use crate::components::xag_card::XagCard;
use crate::error::AppError;
use crate::panels::owner::{self, Loading};
use crate::state::Ctx;
use crate::{session, text, time};
use leptos::prelude::*;

/// The signed-in pilot's page.
#[component]
pub fn MainPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let signed = ctx.signed.get_untracked();
    let user = signed.as_ref().map(|s| s.user.clone()).unwrap_or_default();
    let until = signed
        .as_ref()
        .map(|s| time::format_ms(s.expires_at))
        .unwrap_or_default();
    let exit_error = RwSignal::new(None::<AppError>);
    let on_exit = move |_| {
        if let Err(e) = session::exit(ctx) {
            exit_error.set(Some(e));
        }
    };
    owner::load();
    let panels = owner::state();
    let slot = NodeRef::<leptos::html::Div>::new();
    slot.on_load(|slot| owner::place(&slot));
    view! {
        <section class="card" data-testid="main-page">
            <h1>{text::MAIN_TITLE.get()}</h1>
            <dl class="facts">
                <dt>{text::MAIN_PILOT.get()}</dt>
                <dd data-testid="main-user">{user}</dd>
                <dt>{text::MAIN_VALID_UNTIL.get()}</dt>
                <dd data-testid="main-expiry">{until}</dd>
            </dl>
            {move || exit_error.get().map(|error| view! { <ErrorText error testid="exit-error" /> })}
            <div class="actions">
                <button
                    class="secondary"
                    data-testid="logout"
                    on:click=move |_| session::logout(ctx)
                >
                    {text::LOG_OUT.get()}
                </button>
                <button class="danger" data-testid="exit" on:click=on_exit>
                    {text::EXIT.get()}
                </button>
            </div>
        </section>
        <CloudPanel />
        <XagCard />
        <div node_ref=slot data-testid="panels-slot">
            {move || match panels.get() {
                Loading::Failed(error) => {
                    view! {
                        <section class="card panels-failed">
                            <h2 data-testid="panels-failed">{text::PANELS_NOT_LOADED.get()}</h2>
                            <ErrorText error testid="panels-error" retry=Callback::new(|()| owner::load()) />
                        </section>
                    }
                        .into_any()
                }
                Loading::Shown => ().into_any(),
                Loading::NotYet | Loading::Loading => {
                    view! {
                        <p class="muted" role="status" data-testid="panels-loading">
                            {text::LOADING.get()}
                        </p>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}
