//! The Flight unlocking and Access tokens panels ship in a third bundle (feature `panels`,
//! built into `/panels/`) that the main page loads once it shows: they were a quarter of the
//! signed-in bundle, and a returning pilot's main page waited for them on a slow link.
//!
//! The signed-in bundle stays the owner of the session and of the layout. This module is the
//! typed link between the two wasm instances of one page: the signed-in bundle makes the
//! element the panels render into and puts it in each new main page's slot (a main page is
//! rebuilt in a new language), and publishes what the panels need ([`Shared`]); the panels ask
//! for one thing only, to end the session (their pilot revoked this controller's token, or the
//! platform refused it). Both directions are plain functions on `window`, JSON strings in
//! between.

use crate::i18n::Lang;
use crate::session::plan::LoginReason;
use crate::state::Conn;
use serde::{Deserialize, Serialize};

/// `window` property: the latest [`Shared`] (JSON), for a panels bundle that starts later.
const SHARED: &str = "__pilotPortalShared";
/// `window` function the panels bundle installs: told each new [`Shared`].
const ON_SHARED: &str = "__pilotPortalPanelsUpdate";
/// `window` function the signed-in bundle installs: ends the session for a [`LoginReason`].
const END_SESSION: &str = "__pilotPortalEndSession";
/// `window` property: the element the panels render into (made by the signed-in bundle).
const ROOT: &str = "__pilotPortalPanelsRoot";

/// What the panels know of the signed-in page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shared {
    /// The main page shows (the panels belong under it; otherwise they are taken down).
    pub main: bool,
    /// The page's language (`Lang::code`).
    pub lang: String,
    pub conn: Conn,
    /// The token the panels' proxy calls use.
    pub token: Option<String>,
    /// The page config's JSON text (see `config`).
    pub config: Option<String>,
}

impl Shared {
    pub fn lang(&self) -> Lang {
        Lang::parse(&self.lang).unwrap_or_default()
    }
}

/// `window`, for reading and setting its properties.
fn global() -> Option<wasm_bindgen::JsValue> {
    web_sys::window().map(Into::into)
}

fn function(name: &str) -> Option<js_sys::Function> {
    use wasm_bindgen::JsCast;
    js_sys::Reflect::get(&global()?, &name.into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()
}

fn install(name: &str, f: impl Fn(String) + 'static) {
    use wasm_bindgen::closure::Closure;
    if let Some(w) = global() {
        // Lives as long as the page: `into_js_value` hands the closure to JS for good.
        let f = Closure::<dyn Fn(String)>::new(f).into_js_value();
        let _ = js_sys::Reflect::set(&w, &name.into(), &f);
    }
}

/// The signed-in bundle's side: publishes [`Shared`] whenever it changes and ends the session
/// when the panels ask.
#[cfg(feature = "full")]
pub mod owner {
    use super::*;
    use crate::state::{Ctx, Screen};
    use leptos::prelude::*;
    use std::cell::{Cell, RefCell};

    /// How the panels bundle is doing, for the main page's slot.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Loading {
        NotYet,
        Loading,
        Shown,
        Failed(crate::error::AppError),
    }

    thread_local! {
        static STATE: ArcRwSignal<Loading> = ArcRwSignal::new(Loading::NotYet);
        static LINKED: Cell<bool> = const { Cell::new(false) };
        static ROOT_ELEMENT: RefCell<Option<web_sys::Element>> = const { RefCell::new(None) };
    }

    /// The panels' element, made once per page and handed to the panels bundle.
    fn root() -> Option<web_sys::Element> {
        ROOT_ELEMENT.with(|r| {
            if r.borrow().is_none() {
                let element = web_sys::window()?.document()?.create_element("div").ok()?;
                element.set_class_name("panels");
                js_sys::Reflect::set(&global()?, &ROOT.into(), &element).ok()?;
                *r.borrow_mut() = Some(element);
            }
            r.borrow().clone()
        })
    }

    /// Puts the panels in a main page's `slot` (the panels' element moves there from the last
    /// main page, which is gone or going).
    pub fn place(slot: &web_sys::Element) {
        if let Some(root) = root() {
            if root.parent_element().as_ref() != Some(slot) {
                let _ = slot.append_child(&root);
            }
        }
    }

    /// The panels bundle's state (one for the page: the main page is rebuilt on a new
    /// language, the bundle is loaded once).
    pub fn state() -> ArcRwSignal<Loading> {
        STATE.with(Clone::clone)
    }

    /// Publishes the session to the panels from now on, and lets them end it. Once per page.
    pub fn link(ctx: Ctx) {
        if LINKED.with(|l| l.replace(true)) {
            return;
        }
        install(END_SESSION, move |reason| {
            if let Ok(reason) = serde_json::from_str::<LoginReason>(&reason) {
                if ctx.signed.get_untracked().is_some() {
                    crate::session::end(ctx, reason);
                }
            }
        });
        Effect::new(move |_| {
            let shared = Shared {
                main: ctx.screen.get() == Screen::Main,
                lang: ctx.lang.get().code().to_owned(),
                conn: ctx.conn.get(),
                token: ctx
                    .signed
                    .with(Option::is_some)
                    .then(crate::token::current)
                    .flatten(),
                config: crate::config::raw(),
            };
            publish(&shared);
        });
        // Back online after a failed download: again, as everything else on the page resumes
        // by itself (a pilot need not find the Try again button).
        let online = crate::net::online();
        Effect::new(move |_| {
            if online.get() && matches!(state().get_untracked(), Loading::Failed(_)) {
                load();
            }
        });
    }

    fn publish(shared: &Shared) {
        let Ok(json) = serde_json::to_string(shared) else {
            return;
        };
        if let Some(w) = global() {
            let _ = js_sys::Reflect::set(&w, &SHARED.into(), &json.clone().into());
        }
        if let Some(f) = function(ON_SHARED) {
            let _ = f.call1(&wasm_bindgen::JsValue::NULL, &json.into());
        }
    }

    /// Starts the panels bundle (once; again after a failure).
    pub fn load() {
        let state = state();
        if matches!(state.get_untracked(), Loading::Loading | Loading::Shown) {
            return;
        }
        state.set(Loading::Loading);
        // The element exists before the bundle that renders into it starts.
        let _ = root();
        after_paint(move || {
            let started = crate::handoff::call_loader("__pilotPortalStart", "panels")
                .map(js_sys::Promise::from);
            leptos::task::spawn_local(async move {
                let outcome = match started {
                    Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise)
                        .await
                        .map(|_| ())
                        .map_err(|_| {
                            crate::error::AppError::Network("the panels did not download".into())
                        }),
                    Err(e) => Err(e),
                };
                state.set(match outcome {
                    Ok(()) => Loading::Shown,
                    Err(e) => Loading::Failed(e),
                });
            });
        });
    }

    /// Runs `f` once the main page has been painted (the next frame, then a task): the panels'
    /// download starts after the pilot sees the page, never before it.
    fn after_paint(f: impl FnOnce() + 'static) {
        crate::net::before_next_frame(move || {
            crate::net::after(0, f);
        });
    }
}

/// The panels bundle's side.
#[cfg(feature = "panels")]
pub mod guest {
    use super::*;
    use crate::components::tokens::TokensPanel;
    use crate::components::unlock::UnlockPanel;
    use crate::state::Ctx;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    /// Asks the signed-in bundle to end the session.
    pub fn end_session(reason: &LoginReason) {
        if let (Some(f), Ok(json)) = (function(END_SESSION), serde_json::to_string(reason)) {
            let _ = f.call1(&wasm_bindgen::JsValue::NULL, &json.into());
        }
    }

    fn read_shared() -> Option<Shared> {
        let json = js_sys::Reflect::get(&global()?, &SHARED.into())
            .ok()?
            .as_string()?;
        serde_json::from_str(&json).ok()
    }

    /// Mounts the panels (the bundle's `main`).
    pub fn mount() {
        // The element the signed-in bundle made and keeps in its main page.
        let Some(root) = global()
            .and_then(|w| js_sys::Reflect::get(&w, &ROOT.into()).ok())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        let shared = RwSignal::new(read_shared());
        let ctx = Ctx::new();
        let apply = move |s: &Shared| {
            if !s.main {
                crate::components::tokens::forget();
                crate::components::unlock::forget();
            }
            let lang = s.lang();
            crate::i18n::set(lang);
            if ctx.lang.get_untracked() != lang {
                ctx.lang.set(lang);
            }
            if ctx.conn.get_untracked() != s.conn {
                ctx.conn.set(s.conn);
            }
            crate::config::take_over(ctx, s.config.clone());
            crate::token::take_over(s.token.clone());
        };
        if let Some(s) = shared.get_untracked() {
            apply(&s);
        }
        install(ON_SHARED, move |json| {
            if let Ok(s) = serde_json::from_str::<Shared>(&json) {
                apply(&s);
                shared.set(Some(s));
            }
        });
        leptos::mount::mount_to(root, move || {
            provide_context(ctx);
            crate::net::watch();
            // Built anew for each visit of the main page and each language: a new session's
            // panels start from nothing.
            let shown = Memo::new(move |_| {
                shared.with(|s| s.as_ref().filter(|s| s.main).map(Shared::lang))
            });
            move || {
                shown.get().map(|_| {
                    view! {
                        <UnlockPanel />
                        <TokensPanel />
                    }
                })
            }
        })
        .forget();
    }
}
