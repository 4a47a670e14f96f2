//! Data a panel reads: the one read idiom of the page.
//!
//! Deliberately plain: Leptos' resource/Suspense machinery costs about 60 KB of brotli'd wasm,
//! a signal and `spawn_local` almost nothing. What matters is kept: the last request wins (a
//! newer load aborts the older request and its late answer is dropped), and a panel that goes
//! away cancels its request.
//!
//! A load that failed for the network runs again by itself when the controller is back online
//! (the `online` event, [`crate::net`]): a panel recovers without the pilot.

use crate::api::Api;
use crate::error::AppError;
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

/// A value a panel loads from the proxy, reloadable.
pub struct Loader<T: 'static> {
    state: RwSignal<Load<T>>,
    /// Incremented by every load: an answer for an older one is dropped.
    generation: StoredValue<u64>,
    /// The running request's controller, aborted by the next load or on unmount.
    running: StoredValue<Option<web_sys::AbortController>, LocalStorage>,
    /// The last request, run again when the network is back if it failed for it.
    request: StoredValue<Option<Request<T>>, LocalStorage>,
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
            generation: StoredValue::new(0),
            running: StoredValue::new_local(None),
            request: StoredValue::new_local(None),
        };
        on_cleanup(move || loader.cancel());
        let online = crate::net::online();
        Effect::new(move |_| {
            let failed_offline = matches!(
                loader.state.get_untracked(),
                Load::Failed(AppError::Network(_))
            );
            if online.get() && failed_offline {
                loader.run();
            }
        });
        loader
    }

    /// The current state (tracked).
    pub fn get(&self) -> Load<T> {
        self.state.get()
    }

    /// Starts a load with `request`, given an [`Api`] bound to this load's abort signal.
    pub fn load<F, Fut>(&self, request: F)
    where
        F: Fn(Api) -> Fut + 'static,
        Fut: Future<Output = Result<T, AppError>> + 'static,
    {
        let request: Request<T> = Rc::new(move |api| Box::pin(request(api)));
        self.request.try_set_value(Some(request));
        self.run();
    }

    /// Runs the last request (again).
    fn run(&self) {
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
        self.state.try_set(Load::Loading);
        let future = request(api);
        let (state, current) = (self.state, self.generation);
        spawn_local(async move {
            let outcome = match future.await {
                Ok(v) => Load::Ready(v),
                Err(e) => Load::Failed(e),
            };
            if current.try_get_value() == Some(generation) {
                state.try_set(outcome);
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

impl<T: Clone + Send + Sync + 'static> Default for Loader<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The failure of a pilot's action (a button: unlink, revoke), shown under it until the next
/// try, except one met offline, which goes once the network is back: the pilot taps again
/// then, and "no connection" under a panel that works again would no longer be true.
#[derive(Clone, Copy)]
pub struct ActionFailure(RwSignal<Option<(AppError, bool)>>);

impl ActionFailure {
    pub fn new() -> Self {
        Self(RwSignal::new(None))
    }

    /// Keeps `result`'s failure, or none for a success.
    pub fn record<T>(self, result: &Result<T, AppError>) {
        let offline = !crate::net::online_now();
        self.0
            .set(result.as_ref().err().map(|e| (e.clone(), offline)));
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
