//! The one way a failure is shown: the pilot's sentence, the stable code for tests and
//! support, and "Try again" where a retry can help.

use crate::error::AppError;
use crate::text;
use leptos::prelude::*;

/// An action tried offline, said once the network is back: it was not done (the banner told
/// the pilot the page goes on by itself; this one does not, it waits to be asked again).
#[cfg(any(feature = "panels", test))]
#[component]
pub fn NotDoneOffline(
    /// `data-testid` of the message.
    testid: &'static str,
    /// Called by "Try again"; without it, the form's own button asks again.
    #[prop(optional, into)]
    retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <p class="notice" data-testid=testid role="status">
            {text::NOT_DONE_OFFLINE.get()}
        </p>
        {retry
            .map(|retry| {
                view! {
                    <button class="secondary" data-testid="retry" on:click=move |_| retry.run(())>
                        {text::TRY_AGAIN.get()}
                    </button>
                }
            })}
    }
}

/// A failure in words, with an optional retry. (Its "Try again" is written out here, not in a
/// shared function: one cost the first screen's bundle 194 bytes of its 47 to spare.)
#[component]
pub fn ErrorText(
    /// What went wrong.
    error: AppError,
    /// `data-testid` of the message.
    #[prop(optional)]
    testid: Option<&'static str>,
    /// Called by "Try again"; without it there is no button.
    #[prop(optional, into)]
    retry: Option<Callback<()>>,
) -> impl IntoView {
    let code = error.code().map(|c| c.as_str());
    view! {
        <p class="error-text" data-testid=testid data-code=code role="alert">
            {text::error(&error)}
        </p>
        {retry
            .map(|retry| {
                view! {
                    <button class="secondary" data-testid="retry" on:click=move |_| retry.run(())>
                        {text::TRY_AGAIN.get()}
                    </button>
                }
            })}
    }
}
