//! The one way a failure is shown: the pilot's sentence, the stable code for tests and
//! support, and "Try again" where a retry can help.

use crate::error::AppError;
use crate::text;
use leptos::prelude::*;

/// A failure in words, with an optional retry.
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
