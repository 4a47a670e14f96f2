//! Data a panel reads: the one read idiom of the page.
//!
//! Deliberately plain: Leptos' resource/Suspense machinery costs about 60 KB of brotli'd wasm,
//! a signal and `spawn_local` almost nothing. What matters is kept: the last request wins (a
//! newer load aborts the older request and its late answer is dropped), and a panel that goes
//! away cancels its request.
//!
//! A load that failed for the network runs again by itself when the controller is back online
//! (the `online` event, [`crate::net`]): a panel recovers without the pilot.
//!
//! Asking the same question again ([`Loader::refresh`]) keeps the last answer on screen: on a
//! field network a list that vanished into "Loading…" or into "No connection" is a list the
//! pilot can no longer read; the refresh's progress and failure are said beside it
//! ([`Refresh`], `components::RefreshNote`). A new question ([`Loader::load`]) starts empty.

use crate::api::Api;
use crate::error::AppError;
use crate::session::plan::{self, Refusal};
use crate::state::Ctx;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// A load's request, kept to run it again when the network is back.
type Request<T> = Rc<dyn Fn(Api) -> Pin<Box<dyn Future<Output = Result<T, AppError>>>>>;

#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(AppError),
}

/// A refresh of an answer on screen: the answer stays while it runs and when it fails.
#[derive(Debug, Clone, PartialEq)]
pub enum Refresh {
    Idle,
    Running,
    /// The refresh failed; the answer shown was read at `read_at_ms` (the proxy's clock).
    Failed {
        error: AppError,
        read_at_ms: i64,
    },
}

/// A value a panel loads from the proxy, reloadable.
pub struct Loader<T: 'static> {
    state: RwSignal<Load<T>>,
    refresh: RwSignal<Refresh>,
    /// When the answer shown was read.
    read_at_ms: StoredValue<i64>,
    /// Incremented by every load: an answer for an older one is dropped.
    generation: StoredValue<u64>,
    /// The running request's controller, aborted by the next load or on unmount.
    running: StoredValue<Option<web_sys::AbortController>, LocalStorage>,
    /// The last request, run again when the network is back if it failed for it.
    request: StoredValue<Option<Request<T>>, LocalStorage>,
    /// The page's context, to end the session a read finds over.
    ctx: Option<Ctx>,
}

impl<T> Clone for Loader<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Loader<T> {}

impl<T: Clone + Send + Sync + 'static> Loader<T> {
    /// A loader owned by the current component: its request is cancelled when it unmounts.
    pub fn new() -> Self {
        let loader = Loader {
            state: RwSignal::new(Load::Loading),
            refresh: RwSignal::new(Refresh::Idle),
            read_at_ms: StoredValue::new(0),
            generation: StoredValue::new(0),
            running: StoredValue::new_local(None),
            request: StoredValue::new_local(None),
            ctx: use_context::<Ctx>(),
        };
        on_cleanup(move || loader.cancel());
        let online = crate::net::online();
        Effect::new(move |_| {
            let back = online.get();
            if !back {
                return;
            }
            if matches!(
                loader.state.get_untracked(),
                Load::Failed(AppError::Network(_))
            ) {
                loader.run(false);
            } else if matches!(
                loader.refresh.get_untracked(),
                Refresh::Failed {
                    error: AppError::Network(_),
                    ..
                }
            ) {
                loader.run(true);
            }
        });
        loader
    }

    /// The current state (tracked).
    pub fn get(&self) -> Load<T> {
        self.state.get()
    }

    /// How a refresh of the answer shown goes (tracked).
    pub fn refresh_state(&self) -> Refresh {
        self.refresh.get()
    }

    /// Asks the last question again, the answer shown kept until the new one is in; with no
    /// answer shown yet (loading, failed), the same as a new load.
    pub fn refresh(&self) {
        let shown = matches!(self.state.get_untracked(), Load::Ready(_));
        self.run(shown);
    }

    /// Starts a load with `request`, given an [`Api`] bound to this load's abort signal: a new
    /// question, so what was shown goes.
    pub fn load<F, Fut>(&self, request: F)
    where
        F: Fn(Api) -> Fut + 'static,
        Fut: Future<Output = Result<T, AppError>> + 'static,
    {
        let request: Request<T> = Rc::new(move |api| Box::pin(request(api)));
        self.request.try_set_value(Some(request));
        self.run(false);
    }

    /// Runs the last request (again); `keep`: the answer shown stays while it runs and if it
    /// fails (except when the session is over: nothing of it may stay).
    fn run(&self, keep: bool) {
        let Some(Some(request)) = self.request.try_get_value() else {
            return;
        };
        self.cancel();
        let Some(generation) = self.generation.try_update_value(|g| {
            *g += 1;
            *g
        }) else {
            return;
        };
        let controller = web_sys::AbortController::new().ok();
        let api = match &controller {
            Some(c) => Api::with_signal(c.signal()),
            None => Api::new(),
        };
        self.running.try_set_value(controller);
        if keep {
            self.refresh.try_set(Refresh::Running);
        } else {
            self.refresh.try_set(Refresh::Idle);
            self.state.try_set(Load::Loading);
        }
        let future = request(api);
        let (state, refresh, read_at, current, ctx) = (
            self.state,
            self.refresh,
            self.read_at_ms,
            self.generation,
            self.ctx,
        );
        spawn_local(async move {
            let outcome = future.await;
            if current.try_get_value() != Some(generation) {
                return;
            }
            match outcome {
                Ok(v) => {
                    read_at.try_set_value(crate::time::now_ms());
                    state.try_set(Load::Ready(v));
                    refresh.try_set(Refresh::Idle);
                }
                Err(error) if keep && !session_over(&error) => {
                    let read_at_ms = read_at.try_get_value().unwrap_or_default();
                    refresh.try_set(Refresh::Failed { error, read_at_ms });
                }
                Err(error) => {
                    end_if_over(ctx, &error);
                    refresh.try_set(Refresh::Idle);
                    state.try_set(Load::Failed(error));
                }
            }
        });
    }

    /// Aborts the running request; its answer, if any, is dropped.
    fn cancel(&self) {
        self.generation.try_update_value(|g| *g += 1);
        if let Some(Some(c)) = self.running.try_get_value() {
            c.abort();
        }
    }
}

/// The proxy said the token is no good (expired, revoked, invalid, missing).
fn session_over(error: &AppError) -> bool {
    error.code().is_some_and(|c| c.is_session_over())
}

/// A read refused because the session is over (the token expired, or was revoked elsewhere
/// meanwhile) ends it, as at start, whichever panel asked: the pilot is not left on a main page
/// that only says so in one of its cards. Any other failure: nothing.
fn end_if_over(ctx: Option<Ctx>, error: &AppError) {
    if !session_over(error) {
        return;
    }
    let token = crate::token::current().unwrap_or_default();
    let Refusal::SessionOver(reason) = plan::refusal(error.clone(), &token) else {
        return;
    };
    // The panels bundle asks the signed-in one, which owns the session.
    #[cfg(feature = "panels")]
    {
        let _ = ctx;
        crate::panels::guest::end_session(&reason);
    }
    #[cfg(not(feature = "panels"))]
    if let Some(ctx) = ctx.filter(|c| c.signed.get_untracked().is_some()) {
        crate::session::end(ctx, reason);
    }
}

impl<T: Clone + Send + Sync + 'static> Default for Loader<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The failure of a pilot's action (a button: unlink, revoke), shown under it until the next
/// try, except one met offline, which goes once the network is back: the pilot taps again
/// then, and "no connection" under a panel that works again would no longer be true.
/// An action refused because the session is over ends it, as a read does.
#[derive(Clone, Copy)]
pub struct ActionFailure(RwSignal<Option<(AppError, bool)>>, Option<Ctx>);

impl ActionFailure {
    pub fn new() -> Self {
        Self(RwSignal::new(None), use_context::<Ctx>())
    }

    /// Keeps `result`'s failure, or none for a success.
    pub fn record<T>(self, result: &Result<T, AppError>) {
        let offline = !crate::net::online_now();
        if let Err(error) = result {
            end_if_over(self.1, error);
        }
        self.0
            .set(result.as_ref().err().map(|e| (e.clone(), offline)));
    }

    /// A failure met offline, and the network is back (tracked): the action was not done,
    /// and [`get`](Self::get) no longer shows its "no connection".
    #[cfg(any(feature = "panels", test))]
    pub fn missed_offline(self) -> bool {
        let online = crate::net::online();
        self.0
            .with(|f| f.as_ref().is_some_and(|(_, offline)| *offline))
            && online.get()
    }

    /// The failure to show now (tracked).
    pub fn get(self) -> Option<AppError> {
        let online = crate::net::online();
        self.0
            .get()
            .filter(|(_, offline)| !(*offline && online.get()))
            .map(|(e, _)| e)
    }
}

impl Default for ActionFailure {
    fn default() -> Self {
        Self::new()
    }
}
