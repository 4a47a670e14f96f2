//! What a refresh is doing beside the answer it keeps on screen (see `crate::load`).

use crate::components::error_view::ErrorText;
use crate::load::{Loader, Refresh};
use crate::text;
use leptos::prelude::*;

/// "Refreshing…" while the last answer stays shown; if the refresh failed, why, with Try
/// again, and when the answer shown was read.
pub fn refresh_note<T: Clone + Send + Sync + 'static>(
    loader: Loader<T>,
    testid: &'static str,
) -> impl IntoView {
    move || {
        match loader.refresh_state() {
        Refresh::Idle => None,
        Refresh::Running => Some(
            view! { <p class="muted" role="status" data-testid="refreshing">{text::REFRESHING.get()}</p> }
                .into_any(),
        ),
        Refresh::Failed { error, read_at_ms } => Some(
            view! {
                <div class="refresh-failed" data-testid="refresh-failed">
                    <ErrorText error testid retry=Callback::new(move |()| loader.refresh()) />
                    <p class="muted" data-testid="shown-as-read">
                        {text::shown_as_read(&crate::time::format_ms(read_at_ms))}
                    </p>
                </div>
            }
                .into_any(),
        ),
    }
    }
}
