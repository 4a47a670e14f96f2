//! The "Access tokens" panel (issue 9): every token of the pilot's project as the platform
//! lists it — name, expiry (relative and absolute, expired ones marked), methods (collapsed
//! when many), this controller's marked — soonest to expire first; **Revoke** with a
//! confirmation naming the token (this controller's own token: a log-out); **New token** for
//! another tool, whose value is shown once, with Copy.
//!
//! In the `panels` bundle (see `crate::panels`): ending the session is asked of the signed-in
//! bundle. Token values never come back from the list: the
//! platform cannot give them again, and the one just issued is forgotten when its box closes.

use crate::api::Api;
use crate::components::error_view::{ErrorText, NotDoneOffline};
use crate::components::refresh_note::refresh_note;
use crate::components::token_words::{
    beyond_own, lifetime_for_platform, panel_words, request_problem,
};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::load::{ActionFailure, Load, Loader};
use crate::session::plan::LoginReason;
use crate::{panels, text, time};
use leptos::prelude::*;
use pilot_portal_shared::tokens::{NewToken, NewTokenRequest, ScopeChoices, TokenEntry};
use wasm_bindgen::JsCast;

/// What the panel shows that a language change must not lose (the panels are built anew in
/// each language), held outside any panel: whether the new-token form is open and what it
/// holds, a token being issued, and the token just issued, whose value is shown once. An issue
/// answered after the panel was built anew reaches the new one. Forgotten when the main page
/// goes ([`forget`]): a new session starts from nothing.
#[derive(Clone)]
struct Kept {
    creating: ArcRwSignal<bool>,
    issuing: ArcRwSignal<bool>,
    issued: ArcRwSignal<Option<NewToken>>,
}

/// The form's name, lifetime, custom lifetime and methods picked.
type Draft = (String, String, String, Vec<String>);

thread_local! {
    static KEPT: Kept = Kept {
        creating: ArcRwSignal::new(false),
        issuing: ArcRwSignal::new(false),
        issued: ArcRwSignal::new(None),
    };
    static DRAFT: std::cell::RefCell<Option<Draft>> = const { std::cell::RefCell::new(None) };
    /// Counts [`forget`]s: an issue answered after the session it was asked in is dropped.
    static SESSION: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// The tokens whose revoke question is open.
    static QUESTIONS: std::cell::RefCell<std::collections::HashSet<String>> =
        std::cell::RefCell::new(Default::default());
}

/// A revoke question open for `id`, kept across a language change.
fn question(id: &str) -> RwSignal<bool> {
    let open = RwSignal::new(QUESTIONS.with(|q| q.borrow().contains(id)));
    let id = id.to_owned();
    Effect::new(move |_| {
        let now = open.get();
        QUESTIONS.with(|q| {
            let mut q = q.borrow_mut();
            if now {
                q.insert(id.clone());
            } else {
                q.remove(&id);
            }
        });
    });
    open
}

fn kept() -> Kept {
    KEPT.with(Kept::clone)
}

fn draft() -> Option<Draft> {
    DRAFT.with(|d| d.borrow().clone())
}

fn keep_draft(draft: Option<Draft>) {
    DRAFT.with(|d| *d.borrow_mut() = draft);
}

fn session() -> u64 {
    SESSION.with(std::cell::Cell::get)
}

/// Forgets what [`Kept`] holds: the main page is gone.
pub fn forget() {
    SESSION.with(|s| s.set(s.get() + 1));
    QUESTIONS.with(|q| q.borrow_mut().clear());
    keep_draft(None);
    let kept = kept();
    kept.creating.set(false);
    kept.issuing.set(false);
    kept.issued.set(None);
}

/// A refusal of issuing or revoking: [`panel_words`], else the page's sentence; for a refused
/// issue, the methods asked for that this controller's own token does not hold (`beyond`).
#[component]
fn PanelError(
    error: AppError,
    testid: &'static str,
    revoking: bool,
    #[prop(optional)] beyond: Vec<String>,
) -> impl IntoView {
    match panel_words(&error, revoking) {
        Some(words) => view! {
            <p class="error-text" data-testid=testid data-code=error.code().map(|c| c.as_str()) role="alert">
                {words.get()}
                {(!beyond.is_empty())
                    .then(|| format!(" {} {}", text::TOKENS_BEYOND_OWN.get(), beyond.join(", ")))}
            </p>
        }
        .into_any(),
        None => view! { <ErrorText error testid /> }.into_any(),
    }
}

/// Methods shown before "N more methods".
const SCOPES_SHOWN: usize = 3;

/// Revoking: the action (`(id, is this controller's token)`), its last failure and the token
/// it was for, which shows it in its own row (the list can be long).
#[derive(Clone, Copy)]
struct Revoking {
    action: Action<(String, bool), Result<(), AppError>>,
    failure: ActionFailure,
    last: RwSignal<Option<String>>,
}

/// One token: name, badges, expiry, methods, Revoke (confirmed first).
#[component]
fn TokenRow(entry: TokenEntry, now: RwSignal<i64>, revoking: Revoking) -> impl IntoView {
    let revoke = revoking.action;
    let confirming = question(&entry.id);
    let expanded = RwSignal::new(false);
    let name = entry
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| text::TOKENS_UNNAMED.get().to_owned());
    // The row outlives reads that list its entry unchanged (it is keyed by it): what depends
    // on the time follows the panel's clock.
    let expires_at = entry.expires_at;
    let expired = move || expires_at.is_some_and(|at| at <= now.get());
    let expiry = move || match expires_at {
        Some(at) => {
            let now = now.get();
            format!(
                "{} · {}",
                text::tokens_expiry(at <= now, &time::relative_ms(at, now)),
                time::format_ms(at)
            )
        }
        None => text::TOKENS_NO_EXPIRY.get().to_owned(),
    };
    let scopes = entry.scopes.clone();
    let hidden = scopes.len().saturating_sub(SCOPES_SHOWN);
    let methods = move || {
        if scopes.is_empty() {
            return view! { <span class="muted">{text::TOKENS_ALL_METHODS.get()}</span> }
                .into_any();
        }
        let shown = if expanded.get() {
            scopes.len()
        } else {
            SCOPES_SHOWN
        };
        let items = scopes
            .iter()
            .take(shown)
            .map(|s| view! { <code data-testid="token-scope">{s.clone()}</code> })
            .collect_view();
        view! { <span class="scopes">{items}</span> }.into_any()
    };
    let question = text::tokens_revoke_question(&name, entry.current);
    let mine = entry.current;
    let class = move || match (mine, expired()) {
        (true, _) => "token mine",
        (false, true) => "token expired",
        _ => "token",
    };
    let (id, current) = (entry.id.clone(), entry.current);
    let row = entry.id.clone();
    view! {
        <li
            class=class
            data-testid="token"
            data-id=entry.id.clone()
            data-current=entry.current.to_string()
            data-expired=move || expired().to_string()
        >
            <div class="head">
                <span class="name" data-testid="token-name">{name}</span>
                {entry
                    .current
                    .then(|| {
                        view! {
                            <span class="badge mine" data-testid="token-this-controller">
                                {text::TOKENS_THIS_CONTROLLER.get()}
                            </span>
                        }
                    })}
                {move || {
                    expired()
                        .then(|| {
                            view! {
                                <span class="badge" data-testid="token-expired">
                                    {text::TOKENS_EXPIRED_BADGE.get()}
                                </span>
                            }
                        })
                }}
            </div>
            <p class="muted" data-testid="token-expiry">{expiry}</p>
            <p>
                {methods}
                {(hidden > 0)
                    .then(|| {
                        view! {
                            <button
                                class="link"
                                data-testid="token-scopes-toggle"
                                on:click=move |_| expanded.update(|e| *e = !*e)
                            >
                                {move || {
                                    if expanded.get() {
                                        text::TOKENS_FEWER_METHODS.get().to_owned()
                                    } else {
                                        text::tokens_more_methods(hidden)
                                    }
                                }}
                            </button>
                        }
                    })}
            </p>
            <Show
                when=move || confirming.get()
                fallback=move || {
                    view! {
                        <button
                            class="danger"
                            data-testid="token-revoke"
                            on:click=move |_| confirming.set(true)
                        >
                            {text::TOKENS_REVOKE.get()}
                        </button>
                    }
                }
            >
                <p data-testid="token-revoke-question">{question.clone()}</p>
                <div class="actions">
                    <button
                        class="danger"
                        data-testid="token-revoke-confirm"
                        disabled=move || revoke.pending().get()
                        on:click={
                            let id = id.clone();
                            move |_| {
                                revoke.dispatch_local((id.clone(), current));
                            }
                        }
                    >
                        {text::TOKENS_REVOKE.get()}
                    </button>
                    <button
                        class="secondary"
                        data-testid="token-revoke-cancel"
                        on:click=move |_| confirming.set(false)
                    >
                        {text::TOKENS_KEEP.get()}
                    </button>
                </div>
            </Show>
            {
                let row = row.clone();
                move || {
                    let here = revoking.last.with(|last| last.as_deref() == Some(row.as_str()));
                    (here && revoking.failure.missed_offline())
                        .then(|| view! { <NotDoneOffline testid="token-revoke-missed" /> })
                }
            }
            {move || {
                revoking
                    .last
                    .with(|last| last.as_deref() == Some(row.as_str()))
                    .then(|| revoking.failure.get())
                    .flatten()
                    .map(|error| view! { <PanelError error testid="token-revoke-error" revoking=true /> })
            }}
        </li>
    }
}

/// `navigator.clipboard.writeText(text)`, if this WebView has it (looked up at run time:
/// older WebViews do not, and web-sys would need extra features for it).
async fn write_clipboard(text: &str) -> bool {
    let call = || -> Option<js_sys::Promise> {
        let window = web_sys::window()?;
        let navigator = js_sys::Reflect::get(&window, &"navigator".into()).ok()?;
        let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into()).ok()?;
        if clipboard.is_undefined() || clipboard.is_null() {
            return None;
        }
        let write: js_sys::Function = js_sys::Reflect::get(&clipboard, &"writeText".into())
            .ok()?
            .dyn_into()
            .ok()?;
        write.call1(&clipboard, &text.into()).ok()?.dyn_into().ok()
    };
    match call() {
        Some(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.is_ok(),
        None => false,
    }
}

/// The token just issued: its value once, Copy, and the warning.
#[component]
fn IssuedToken(issued: NewToken, done: Callback<()>) -> impl IntoView {
    let field = NodeRef::<leptos::html::Input>::new();
    let copied = RwSignal::new(None::<&'static str>);
    let value = StoredValue::new(issued.token.clone());
    let copy = move |_| {
        leptos::task::spawn_local(async move {
            if write_clipboard(&value.get_value()).await {
                copied.set(Some(text::TOKENS_COPIED.get()));
            } else {
                // No clipboard (or no permission): select it for the pilot to copy.
                if let Some(input) = field.get_untracked() {
                    let _ = input.focus();
                    input.select();
                }
                copied.set(Some(text::TOKENS_SELECTED.get()));
            }
        });
    };
    view! {
        <div class="notice ok issued" data-testid="new-token-issued" role="status">
            <p>
                <strong data-testid="new-token-issued-name">{issued.name.clone()}</strong>
                " · "
                {time::format_ms(issued.expires_at)}
            </p>
            <input
                class="token-value"
                data-testid="new-token-value"
                readonly=true
                node_ref=field
                prop:value=issued.token.clone()
                on:focus=move |_| {
                    if let Some(input) = field.get_untracked() {
                        input.select();
                    }
                }
            />
            <p class="warn-text" data-testid="new-token-warning">{text::TOKENS_SHOWN_ONCE.get()}</p>
            {move || copied.get().map(|m| view! { <p data-testid="new-token-copied">{m}</p> })}
            <div class="actions">
                <button data-testid="new-token-copy" on:click=copy>
                    {text::TOKENS_COPY.get()}
                </button>
                <button class="secondary" data-testid="new-token-done" on:click=move |_| done.run(())>
                    {text::TOKENS_DONE.get()}
                </button>
            </div>
        </div>
    }
}

/// The value of the lifetime `<select>` that asks for a custom lifetime.
const CUSTOM: &str = "custom";

/// Name, lifetime (a short list or a custom value), methods from the platform's list.
#[component]
fn NewTokenForm(
    cancel: Callback<()>,
    /// This controller's own token's methods, as listed (empty: not known).
    own_scopes: Signal<Vec<String>>,
) -> impl IntoView {
    let beyond = RwSignal::new(Vec::<String>::new());
    let (name, lifetime, custom, picked) = draft().unwrap_or_else(|| {
        let first = text::TOKENS_LIFETIMES[0].1.to_owned();
        (String::new(), first, String::new(), Vec::new())
    });
    let (name, lifetime, custom, picked) = (
        RwSignal::new(name),
        RwSignal::new(lifetime),
        RwSignal::new(custom),
        RwSignal::new(picked),
    );
    Effect::new(move |_| {
        let draft = (name.get(), lifetime.get(), custom.get(), picked.get());
        keep_draft(Some(draft));
    });
    let choices = Loader::<ScopeChoices>::new();
    let load_choices = move || choices.load(|api| async move { api.token_scopes().await });
    load_choices();
    let problem = RwSignal::new(None::<Tr>);
    // met offline, it goes with the network's return, as the other actions' failures do
    let failed = ActionFailure::new();
    // Not this form's: the answer may come after a language change built the panel anew.
    let live = kept();
    let issuing = RwSignal::from(live.issuing.clone());
    let submit = move |req: NewTokenRequest| {
        let (live, asked_in) = (live.clone(), session());
        live.issuing.set(true);
        leptos::task::spawn_local(async move {
            let result = Api::new().issue_token(&req).await;
            if session() != asked_in {
                return;
            }
            live.issuing.set(false);
            if let Ok(token) = &result {
                keep_draft(None);
                live.creating.set(false);
                live.issued.set(Some(token.clone()));
            }
            failed.record(&result);
        });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let expires_in = match lifetime.get_untracked() {
            l if l == CUSTOM => lifetime_for_platform(&custom.get_untracked()),
            l => l,
        };
        let req = NewTokenRequest {
            name: name.get_untracked(),
            expires_in,
            scopes: picked.get_untracked(),
        };
        // Checked here to name the field in the pilot's words; the proxy checks again.
        problem.set(request_problem(&req));
        beyond.set(beyond_own(&req.scopes, &own_scopes.get_untracked()));
        if problem.get_untracked().is_none() && !issuing.get_untracked() {
            submit(req);
        }
    };
    let toggle = move |scope: String, on: bool| {
        picked.update(|p| {
            p.retain(|s| *s != scope);
            if on {
                p.push(scope);
            }
        })
    };
    // Selected by the option (the `<select>`'s own value would be set before its options
    // exist): the form built anew in another language shows the lifetime it will ask for.
    let lifetimes = text::TOKENS_LIFETIMES
        .iter()
        .map(|(label, value)| {
            view! { <option value=*value prop:selected=move || lifetime.get() == *value>{label.get()}</option> }
        })
        .collect_view();
    view! {
        <form class="new-token" data-testid="new-token-form" on:submit=on_submit>
            <h3>{text::TOKENS_NEW_TITLE.get()}</h3>
            <label for="new-token-name">{text::TOKENS_NAME_LABEL.get()}</label>
            <input
                id="new-token-name"
                data-testid="new-token-name"
                placeholder=text::TOKENS_NAME_PLACEHOLDER.get()
                maxlength="100"
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <label for="new-token-lifetime">{text::TOKENS_LIFETIME_LABEL.get()}</label>
            <select
                id="new-token-lifetime"
                data-testid="new-token-lifetime"
                on:change=move |ev| lifetime.set(event_target_value(&ev))
            >
                {lifetimes}
                <option value=CUSTOM prop:selected=move || lifetime.get() == CUSTOM>
                    {text::TOKENS_CUSTOM.get()}
                </option>
            </select>
            <Show when=move || lifetime.get() == CUSTOM>
                <input
                    data-testid="new-token-custom-lifetime"
                    placeholder=text::TOKENS_CUSTOM_PLACEHOLDER.get()
                    prop:value=move || custom.get()
                    on:input=move |ev| custom.set(event_target_value(&ev))
                />
            </Show>
            <label>{text::TOKENS_METHODS_LABEL.get()}</label>
            {move || match choices.get() {
                Load::Loading => view! { <p class="muted">{text::TOKENS_METHODS_LOADING.get()}</p> }.into_any(),
                Load::Ready(c) => {
                    let boxes = c
                        .methods
                        .into_iter()
                        .map(|m| {
                            let scope = m.clone();
                            view! {
                                <label class="scope-choice">
                                    <input
                                        type="checkbox"
                                        data-testid="scope-choice"
                                        data-scope=m.clone()
                                        prop:checked={
                                            let m = m.clone();
                                            move || picked.with(|p| p.contains(&m))
                                        }
                                        on:change=move |ev| toggle(scope.clone(), event_target_checked(&ev))
                                    />
                                    <code>{m}</code>
                                </label>
                            }
                        })
                        .collect_view();
                    view! {
                        <div class="scope-choices" data-testid="scope-choices" data-source=format!("{:?}", c.source)>
                            {boxes}
                        </div>
                        {move || {
                            // said once: as the form's problem once Issue was tapped
                            (picked.with(Vec::is_empty) && problem.get() != Some(text::TOKENS_PICK_ONE))
                                .then(|| view! { <p class="muted">{text::TOKENS_PICK_ONE.get()}</p> })
                        }}
                    }
                        .into_any()
                }
                Load::Failed(error) => {
                    view! { <ErrorText error testid="scope-choices-error" retry=Callback::new(move |()| load_choices()) /> }
                        .into_any()
                }
            }}
            {move || {
                problem
                    .get()
                    .map(|words| {
                        view! {
                            <p class="error-text" data-testid="new-token-invalid" role="alert">
                                {words.get()}
                            </p>
                        }
                    })
            }}
            {move || {
                (failed.missed_offline() && problem.with(Option::is_none))
                    .then(|| view! { <NotDoneOffline testid="new-token-missed" /> })
            }}
            {move || {
                failed
                    .get()
                    // the answer to the last request sent, unless this one was not sent
                    .filter(|_| problem.with(Option::is_none))
                    .map(|error| {
                        view! {
                            <PanelError error testid="new-token-error" revoking=false beyond=beyond.get_untracked() />
                        }
                    })
            }}
            <div class="actions">
                <button type="submit" data-testid="new-token-issue" disabled=move || issuing.get()>
                    {move || if issuing.get() { text::TOKENS_ISSUING.get() } else { text::TOKENS_ISSUE.get() }}
                </button>
                <button type="button" class="secondary" data-testid="new-token-cancel" on:click=move |_| cancel.run(())>
                    {text::TOKENS_CANCEL.get()}
                </button>
            </div>
        </form>
    }
}

/// The Access tokens panel.
#[component]
pub fn TokensPanel() -> impl IntoView {
    let list = Loader::<Vec<TokenEntry>>::new();
    let own_scopes = Signal::derive(move || match list.get() {
        Load::Ready(tokens) => tokens
            .iter()
            .find(|t| t.current)
            .map(|t| t.scopes.clone())
            .unwrap_or_default(),
        _ => Vec::new(),
    });
    let now = RwSignal::new(time::now_ms());
    // What the panel shows, and whether any rows: only a change of it builds the panel's body anew.
    let shape = Memo::new(move |_| match list.get() {
        Load::Loading => Load::Loading,
        Load::Ready(entries) => Load::Ready(!entries.is_empty()),
        Load::Failed(error) => Load::Failed(error),
    });
    let entries = move || match list.get() {
        Load::Ready(entries) => entries,
        _ => Vec::new(),
    };
    list.load(|api| async move { api.tokens().await });
    // The list stays readable while it is read again (after an issue or a revoke too).
    let refresh = move || {
        now.set(time::now_ms());
        list.refresh();
    };
    let failure = ActionFailure::new();
    let last = RwSignal::new(None::<String>);
    let action = Action::new_local(move |(id, current): &(String, bool)| {
        let (id, current) = (id.clone(), *current);
        last.set(Some(id.clone()));
        async move {
            let revoked = Api::new().revoke_token(&id).await;
            failure.record(&revoked);
            revoked?;
            if current {
                // Revoking the token this controller uses is a log-out.
                panels::guest::end_session(&LoginReason::RevokedHere);
            } else {
                refresh();
            }
            Ok(())
        }
    });
    let revoking = Revoking {
        action,
        failure,
        last,
    };
    let live = kept();
    let creating = RwSignal::from(live.creating);
    let issued = RwSignal::from(live.issued);
    // A closed form's draft is dropped.
    Effect::new(move |_| {
        if !creating.get() {
            keep_draft(None);
        }
    });
    // A token just issued (maybe while the panel was built anew) is listed too.
    Effect::new(move |was_shown: Option<bool>| {
        let shown = issued.with(Option::is_some);
        if shown && was_shown == Some(false) {
            refresh();
        }
        shown
    });

    view! {
        <section class="card" data-testid="tokens-panel">
            <h2>{text::TOKENS_TITLE.get()}</h2>
            <p class="muted">{text::TOKENS_INTRO.get()}</p>
            {refresh_note(list, "tokens-error")}
            {move || match shape.get() {
                Load::Loading => view! { <p class="muted">{text::TOKENS_LOADING.get()}</p> }.into_any(),
                Load::Ready(false) => {
                    view! { <p class="muted" data-testid="tokens-none">{text::TOKENS_NONE.get()}</p> }.into_any()
                }
                Load::Ready(_) => {
                    // Keyed: a row listed unchanged by the next read stays as it is (its open
                    // question, its expanded methods), and is not swapped under the pilot's finger.
                    view! {
                        <ul class="tokens" data-testid="tokens">
                            <For each=entries key=|entry| entry.clone() let:entry>
                                <TokenRow entry now revoking />
                            </For>
                        </ul>
                    }
                        .into_any()
                }
                Load::Failed(error) => {
                    view! { <ErrorText error testid="tokens-error" retry=Callback::new(move |()| refresh()) /> }
                        .into_any()
                }
            }}
            {move || {
                issued
                    .get()
                    .map(|t| {
                        view! { <IssuedToken issued=t done=Callback::new(move |()| issued.set(None)) /> }
                    })
            }}
            <Show
                when=move || creating.get()
                fallback=move || {
                    view! {
                        <div class="actions">
                            <button data-testid="new-token" on:click=move |_| creating.set(true)>
                                {text::TOKENS_NEW.get()}
                            </button>
                            <button class="secondary" data-testid="tokens-refresh" on:click=move |_| refresh()>
                                {text::TOKENS_REFRESH.get()}
                            </button>
                        </div>
                    }
                }
            >
                <NewTokenForm cancel=Callback::new(move |()| creating.set(false)) own_scopes />
            </Show>
        </section>
    }
}
