//! The "XAG account" card: link the pilot's XAG operator account through XAG's authorization
//! page, see the link, unlink it. The outcome of a link attempt arrives as `?xag=<outcome>`
//! when XAG's page sends the webview back to the address it left from.

use crate::api::Api;
use crate::components::error_view::ErrorText;
use crate::error::AppError;
use crate::load::{ActionFailure, Load, Loader};
use crate::{text, time};
use leptos::prelude::*;
use pilot_portal_shared::{XagLinkStatus, XagOutcome};

/// Reads `?xag=…` once and removes it from the address, so a reload does not repeat it.
fn take_outcome() -> Option<XagOutcome> {
    let window = web_sys::window()?;
    let search = window.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let outcome = XagOutcome::parse(&params.get(XagOutcome::QUERY_KEY)?)?;
    params.delete(XagOutcome::QUERY_KEY);
    let rest = params.to_string().as_string().unwrap_or_default();
    let path = window.location().pathname().unwrap_or_else(|_| "/".into());
    let clean = if rest.is_empty() {
        path
    } else {
        format!("{path}?{rest}")
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
    }
    Some(outcome)
}

/// This page's address (path and query), where XAG's page sends the pilot back.
fn here() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.pathname().ok()?, l.search().ok()?))
        })
        .unwrap_or_else(|| "/".into())
}

/// Asks the proxy for a link attempt and sends the webview to XAG's page.
async fn link() -> Result<(), AppError> {
    let start = Api::new().xag_start(&here()).await?;
    web_sys::window()
        .ok_or_else(|| AppError::Page("no window".into()))?
        .location()
        .assign(&crate::api::url(&start.authorize_url))
        .map_err(|_| AppError::Page("cannot open XAG's page".into()))
}

/// Linked as whom and until when, with Unlink (confirmed first).
#[component]
fn Linked(
    status: XagLinkStatus,
    /// Unlinks.
    unlink: Action<(), Result<(), AppError>>,
    /// Links again (XAG's authorization expired).
    relink: Callback<()>,
    /// True while XAG's page is being opened.
    opening: Signal<bool>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    // XAG documents no refresh: an expired authorization is renewed by linking again.
    let end = match status.expires_at {
        Some(at) if at <= time::now_ms() => text::XagEnd::Expired(time::format_ms(at)),
        Some(at) => text::XagEnd::Until(time::format_ms(at)),
        None => text::XagEnd::Unstated,
    };
    let expired = matches!(end, text::XagEnd::Expired(_));
    let (before, after) = text::xag_linked(&end);
    view! {
        <p data-testid="xag-linked" data-expired=expired.to_string() class:error-text=expired>
            {before}
            <strong data-testid="xag-union-id">{status.union_id.unwrap_or_default()}</strong>
            {after}
        </p>
        {expired
            .then(|| {
                view! {
                    <button data-testid="xag-relink" disabled=opening on:click=move |_| relink.run(())>
                        {move || if opening.get() { text::XAG_OPENING.get() } else { text::XAG_RELINK.get() }}
                    </button>
                }
            })}
        <Show
            when=move || confirming.get()
            fallback=move || {
                view! {
                    <button class="secondary" data-testid="xag-unlink" on:click=move |_| confirming.set(true)>
                        {text::XAG_UNLINK.get()}
                    </button>
                }
            }
        >
            <p>{text::XAG_UNLINK_QUESTION.get()}</p>
            <div class="actions">
                <button
                    class="danger"
                    data-testid="xag-unlink-confirm"
                    disabled=move || unlink.pending().get()
                    on:click=move |_| {
                        unlink.dispatch_local(());
                    }
                >
                    {text::XAG_UNLINK.get()}
                </button>
                <button class="secondary" data-testid="xag-unlink-cancel" on:click=move |_| confirming.set(false)>
                    {text::XAG_KEEP.get()}
                </button>
            </div>
        </Show>
    }
}

/// The XAG account card.
#[component]
pub fn XagCard() -> impl IntoView {
    let outcome = RwSignal::new(None::<XagOutcome>);
    // After mount, not during render: it rewrites the address.
    Effect::new(move |_| outcome.set(take_outcome()));
    let status = Loader::<XagLinkStatus>::new();
    let refresh = move || status.load(|api| async move { api.xag_status().await });
    refresh();
    let failure = ActionFailure::new();
    // The last attempt's outcome says nothing of what the pilot does next.
    let start = Action::new_local(move |_: &()| async move {
        outcome.set(None);
        let result = link().await;
        failure.record(&result);
        result
    });
    let unlink = Action::new_local(move |_: &()| async move {
        outcome.set(None);
        let result = Api::new().xag_unlink().await;
        failure.record(&result);
        // The link as it is now once it changed; a failed unlink leaves it shown as it was.
        if result.is_ok() {
            refresh();
        }
        result
    });
    let action_error = move || failure.get();
    // Linking succeeds by leaving the page: the button stays busy until then.
    let opening = move || start.pending().get() || start.value().get().is_some_and(|r| r.is_ok());

    view! {
        <section class="card" data-testid="xag-card">
            <h2>{text::XAG_TITLE.get()}</h2>
            {move || {
                outcome
                    .get()
                    .map(|o| {
                        let (kind, sentence) = text::xag_outcome(o);
                        view! {
                            <p class=format!("notice {kind}") data-testid="xag-outcome" data-outcome=o.as_str() role="status">
                                {sentence}
                            </p>
                        }
                    })
            }}
            {move || match status.get() {
                Load::Loading => view! { <p class="muted">{text::XAG_CHECKING.get()}</p> }.into_any(),
                Load::Ready(s) if s.linked => {
                    let relink = Callback::new(move |()| {
                        start.dispatch_local(());
                    });
                    view! { <Linked status=s unlink relink opening=Signal::derive(opening) /> }.into_any()
                }
                Load::Ready(_) => {
                    view! {
                        <p data-testid="xag-not-linked" class="muted">{text::XAG_NOT_LINKED.get()}</p>
                        <button
                            data-testid="xag-link"
                            disabled=opening
                            on:click=move |_| {
                                start.dispatch_local(());
                            }
                        >
                            {move || if opening() { text::XAG_OPENING.get() } else { text::XAG_LINK.get() }}
                        </button>
                    }
                        .into_any()
                }
                Load::Failed(error) => {
                    view! { <ErrorText error testid="xag-error" retry=Callback::new(move |()| refresh()) /> }
                        .into_any()
                }
            }}
            {move || action_error().map(|error| view! { <ErrorText error testid="xag-action-error" /> })}
        </section>
    }
}
