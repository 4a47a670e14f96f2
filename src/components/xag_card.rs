//! The "XAG account" card: link the pilot's XAG operator account through XAG's authorization
//! page, see the link, unlink it. The outcome of a link attempt arrives as `?xag=<outcome>`
//! when XAG's page sends the webview back.

use crate::load::{load_into, token, Load};
use crate::{api, time};
use leptos::prelude::*;
use leptos::task::spawn_local;
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

fn outcome_text(outcome: XagOutcome) -> (&'static str, &'static str) {
    match outcome {
        XagOutcome::Linked => ("ok", "XAG account linked."),
        XagOutcome::Denied => ("warn", "Not linked: the authorization was cancelled on XAG's page."),
        XagOutcome::StateInvalid => ("warn", "Not linked: the link request expired or was already used. Tap Link XAG account to try again."),
        XagOutcome::CodeRejected => ("warn", "Not linked: XAG's authorization code expired. Tap Link XAG account to try again."),
        XagOutcome::XagError => ("warn", "Not linked: XAG could not be reached or refused the platform. Try again in a moment."),
    }
}

#[component]
pub fn XagCard() -> impl IntoView {
    let outcome = take_outcome();
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let action_error = RwSignal::new(None::<String>);
    let status = RwSignal::new(Load::Loading);
    let refresh = move || load_into(status, async { api::xag_status(&token()?).await });
    refresh();

    let link = move |_| {
        busy.set(true);
        action_error.set(None);
        spawn_local(async move {
            let result = async { api::xag_start(&token()?).await }.await;
            match result {
                Ok(start) => {
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().assign(&start.authorize_url);
                    }
                }
                Err(e) => {
                    action_error.set(Some(e.pilot_message()));
                    busy.set(false);
                }
            }
        });
    };
    let unlink = move |_| {
        busy.set(true);
        action_error.set(None);
        spawn_local(async move {
            let result = async { api::xag_unlink(&token()?).await }.await;
            if let Err(e) = result {
                action_error.set(Some(e.pilot_message()));
            }
            confirming.set(false);
            busy.set(false);
            refresh();
        });
    };

    let linked_view = move |s: XagLinkStatus| {
        let until = s.expires_at.map(time::format_ms).unwrap_or_default();
        view! {
            <p data-testid="xag-linked">
                "Linked as " <strong data-testid="xag-union-id">{s.union_id.unwrap_or_default()}</strong>
                ", authorized until " {until} "."
            </p>
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <button class="secondary" data-testid="xag-unlink" on:click=move |_| confirming.set(true)>"Unlink"</button>
                }
            >
                <p>"Unlink this XAG account? The platform will no longer see its data."</p>
                <div class="actions">
                    <button class="danger" data-testid="xag-unlink-confirm" on:click=unlink disabled=move || busy.get()>"Unlink"</button>
                    <button class="secondary" data-testid="xag-unlink-cancel" on:click=move |_| confirming.set(false)>"Keep"</button>
                </div>
            </Show>
        }
        .into_any()
    };
    let unlinked_view = move || {
        view! {
            <p data-testid="xag-not-linked" class="muted">"Not linked. Link your XAG operator account so the platform can read your XAG data and assign you work."</p>
            <button data-testid="xag-link" on:click=link disabled=move || busy.get()>
                {move || if busy.get() { "Opening XAG…" } else { "Link XAG account" }}
            </button>
        }
        .into_any()
    };

    view! {
        <section class="card" data-testid="xag-card">
            <h2>"XAG account"</h2>
            {outcome.map(|o| {
                let (kind, text) = outcome_text(o);
                view! { <p class=format!("notice {kind}") data-testid="xag-outcome" data-outcome=o.as_str() role="status">{text}</p> }
            })}
            {move || match status.get() {
                Load::Loading => view! { <p class="muted">"Checking XAG link…"</p> }.into_any(),
                Load::Ready(s) if s.linked => linked_view(s),
                Load::Ready(_) => unlinked_view(),
                Load::Failed(e) => view! {
                    <p class="error-text" data-testid="xag-error" role="alert">{e.pilot_message()}</p>
                    <button class="secondary" on:click=move |_| refresh()>"Try again"</button>
                }.into_any(),
            }}
            {move || action_error.get().map(|m| view! { <p class="error-text" data-testid="xag-action-error" role="alert">{m}</p> })}
        </section>
    }
}
