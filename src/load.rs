//! Data a panel loads: a signal set from a spawned future.
//!
//! Deliberately plain: Leptos' resource/Suspense machinery costs about 60 KB of brotli'd wasm
//! that the first screen would pay for; a signal and `spawn_local` cost almost nothing.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;

#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(AppError),
}

/// Sets `target` to `Loading`, then to the future's outcome (ignored if the panel is gone).
pub fn load_into<T, F>(target: RwSignal<Load<T>>, future: F)
where
    T: Send + Sync + 'static,
    F: Future<Output = Result<T, AppError>> + 'static,
{
    target.try_set(Load::Loading);
    spawn_local(async move {
        let outcome = match future.await {
            Ok(v) => Load::Ready(v),
            Err(e) => Load::Failed(e),
        };
        target.try_set(outcome);
    });
}

/// The current session token, or the error a panel shows without one.
pub fn token() -> Result<String, AppError> {
    crate::flow::current_token().ok_or_else(|| AppError::Network("no session".into()))
}
