//! The network as the page meets it in a field: online or not (`navigator.onLine` and the
//! `online`/`offline` events), proxy calls that take long ("Slow network, still trying…"),
//! timers, and the retry schedules. The schedules are pure functions, tested natively;
//! [`crate::api`] applies them to every proxy call.

use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// A read (GET) is abandoned after this long, then retried.
pub const READ_TIMEOUT_MS: i32 = 15_000;
/// A write is abandoned after this long, never retried: longer than the proxy's own upstream
/// and device timeouts (10 s by default), so its answer says what happened.
pub const WRITE_TIMEOUT_MS: i32 = 30_000;
/// A call still pending after this long shows "Slow network, still trying…".
pub const SLOW_AFTER_MS: i32 = 2_500;

/// The wait before retry number `retry` (0-based) of an idempotent read: 1 s, 2 s, 4 s, then
/// no more (`None`): four tries in all.
pub fn read_retry_delay_ms(retry: u32) -> Option<i32> {
    (retry < 3).then(|| 1_000 << retry)
}

/// How a try of a call ended, as far as retrying goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An answer of the proxy itself (a JSON body) with this status.
    Answered(u16),
    /// Another answer (HTML, empty) with this status: a gateway in front of the proxy.
    Gateway(u16),
    /// No answer: the network failed or the timeout passed.
    NoAnswer,
    /// Cancelled by the page (a newer load, the panel went away).
    Cancelled,
}

/// Whether a read that ended so is tried again: no answer, or a gateway in front of the proxy
/// said it could not reach it (502, 503, 504). Never an answer of the proxy itself, whatever
/// its status (its 504 is a device that did not answer in time: asking again makes the pilot
/// wait as long again, and asks the device again). Writes are never retried (see
/// [`crate::api`]).
pub fn retries(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::NoAnswer | Outcome::Gateway(502..=504))
}

/// The wait before the start sequence tries again by itself after attempt `attempt` (0-based)
/// failed for the network: 2 s, doubling, at most a minute (the `online` event does not wait).
pub fn start_retry_delay_ms(attempt: u32) -> i32 {
    2_000i32.saturating_mul(1 << attempt.min(5)).min(60_000)
}

thread_local! {
    /// `navigator.onLine`, kept by the window's `online`/`offline` events ([`watch`]).
    static ONLINE: ArcRwSignal<bool> = ArcRwSignal::new(true);
    /// Proxy calls pending longer than [`SLOW_AFTER_MS`].
    static SLOW: ArcRwSignal<u32> = ArcRwSignal::new(0);
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Whether the controller has a network (tracked).
pub fn online() -> ArcRwSignal<bool> {
    ONLINE.with(Clone::clone)
}

/// How many proxy calls are pending for long (tracked).
pub fn slow() -> ArcRwSignal<u32> {
    SLOW.with(Clone::clone)
}

/// `navigator.onLine` now (true when unknown).
pub fn online_now() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Follows `online`/`offline` from now on (once per bundle).
pub fn watch() {
    if WATCHING.with(|w| w.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    online().set(online_now());
    for event in ["online", "offline"] {
        let on = Closure::<dyn FnMut()>::new(move || online().set(online_now()));
        let _ = window.add_event_listener_with_callback(event, on.as_ref().unchecked_ref());
        on.forget();
    }
}

/// Calls `f` once after `ms`; the timer's id, for [`cancel`].
pub fn after(ms: i32, f: impl FnOnce() + 'static) -> Option<i32> {
    web_sys::window()?
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            once(Box::new(f)).unchecked_ref(),
            ms,
        )
        .ok()
}

/// Calls `f` once, before the next frame is drawn.
pub fn before_next_frame(f: impl FnOnce() + 'static) {
    if let Some(window) = web_sys::window() {
        let _ = window.request_animation_frame(once(Box::new(f)).unchecked_ref());
    }
}

/// A JS function that calls `f` once: boxed, so that every caller shares one closure type
/// and the wasm one copy of its glue (the first screen's bytes).
pub fn once(f: Box<dyn FnOnce()>) -> wasm_bindgen::JsValue {
    Closure::once_into_js(f)
}

/// Stops a timer of [`after`].
pub fn cancel(timer: Option<i32>) {
    if let (Some(window), Some(id)) = (web_sys::window(), timer) {
        window.clear_timeout_with_handle(id);
    }
}

/// A promise that resolves (to `undefined`) after `ms`.
pub fn delay(ms: i32) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, _| {
        let done = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .ok()
        });
        if done.is_none() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    })
}

/// Resolves after `ms`.
pub async fn sleep(ms: i32) {
    let _ = wasm_bindgen_futures::JsFuture::from(delay(ms)).await;
}

/// A proxy call pending: counted in [`slow`] once it has waited [`SLOW_AFTER_MS`], until it
/// is dropped.
pub struct Waiting {
    timer: Option<i32>,
    counted: Rc<Cell<bool>>,
}

impl Waiting {
    pub fn start() -> Waiting {
        let counted = Rc::new(Cell::new(false));
        let mark = counted.clone();
        let timer = after(SLOW_AFTER_MS, move || {
            mark.set(true);
            slow().update(|n| *n += 1);
        });
        Waiting { timer, counted }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        cancel(self.timer);
        if self.counted.get() {
            slow().update(|n| *n = n.saturating_sub(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_is_retried_three_times_after_1_2_and_4_seconds() {
        let delays: Vec<_> = (0..5).map(read_retry_delay_ms).collect();
        assert_eq!(delays, [Some(1_000), Some(2_000), Some(4_000), None, None]);
    }

    #[test]
    fn only_no_answer_and_gateway_failures_are_retried() {
        assert!(retries(Outcome::NoAnswer));
        for status in [502, 503, 504] {
            assert!(retries(Outcome::Gateway(status)), "{status}");
            // the proxy's own: a device that did not answer, an upstream it could not reach
            assert!(!retries(Outcome::Answered(status)), "{status}");
        }
        for status in [200, 204, 400, 401, 403, 404, 409, 429, 500] {
            assert!(!retries(Outcome::Answered(status)), "{status}");
            assert!(!retries(Outcome::Gateway(status)), "{status}");
        }
        assert!(!retries(Outcome::Cancelled));
    }

    #[test]
    fn the_start_sequence_retries_by_itself_up_to_a_minute_apart() {
        let delays: Vec<_> = (0..8).map(start_retry_delay_ms).collect();
        assert_eq!(
            delays,
            [2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]
        );
        assert_eq!(start_retry_delay_ms(u32::MAX), 60_000);
    }
}
