//! The controller's clock against the proxy's. In a field the controller often has no network
//! time, and a clock days ahead would find a valid session expired. The page keeps the offset
//! (proxy time − controller time) from the proxy's time when it answered the page (its
//! `Server-Timing`, read by the loader at once), the `server_time_ms` of a fetched config and
//! the `Date` of every proxy answer ([`crate::api`]),
//! remembers it in `localStorage` across openings (the loader, `src/loader.js`, reads the
//! same key), and every "now" of the page is corrected by it ([`crate::time::now_ms`], the
//! token states in [`crate::session::plan`]).

use std::cell::Cell;

/// The `localStorage` key of the offset, in milliseconds (`src/loader.js` reads it too).
pub const KEY: &str = "pilot-portal.clock-offset";
/// A new offset closer than this to the one kept is not written: a `Date` header has a
/// resolution of one second, and the token decisions are about hours.
const TOLERANCE_MS: i64 = 2_000;

/// The proxy's time at controller time `local_ms`.
pub fn corrected(local_ms: i64, offset_ms: i64) -> i64 {
    local_ms.saturating_add(offset_ms)
}

/// The offset that proxy time `server_ms`, seen at controller time `local_ms`, gives.
pub fn offset(server_ms: i64, local_ms: i64) -> i64 {
    server_ms.saturating_sub(local_ms)
}

/// Whether offset `new` replaces the one kept.
pub fn replaces(kept: Option<i64>, new: i64) -> bool {
    kept.is_none_or(|k| k.abs_diff(new) > TOLERANCE_MS.unsigned_abs())
}

thread_local! {
    /// The offset as last read or written (storage is read once per bundle).
    static OFFSET: Cell<Option<i64>> = const { Cell::new(None) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn kept() -> Option<i64> {
    OFFSET.with(Cell::get).or_else(|| {
        let stored = storage()?.get_item(KEY).ok()??.trim().parse().ok()?;
        OFFSET.with(|o| o.set(Some(stored)));
        Some(stored)
    })
}

/// The controller's clock, uncorrected (epoch ms).
pub fn local_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Proxy time minus controller time (0 until the proxy has been heard from).
pub fn offset_ms() -> i64 {
    kept().unwrap_or(0)
}

/// The proxy said its time is `server_ms` (epoch ms) now.
pub fn observe(server_ms: i64) {
    let new = offset(server_ms, local_ms());
    if replaces(kept(), new) {
        OFFSET.with(|o| o.set(Some(new)));
        if let Some(s) = storage() {
            let _ = s.set_item(KEY, &new.to_string());
        }
    }
}

/// An answer's `Date` header (`Tue, 25 Nov 2025 10:15:00 GMT`): the proxy's time, to the
/// second (the middle of that second is taken).
pub fn observe_date(header: Option<String>) {
    let Some(value) = header else {
        return;
    };
    let ms = js_sys::Date::parse(&value);
    if ms.is_finite() {
        observe(ms as i64 + 500);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn a_clock_two_days_ahead_is_corrected_back() {
        let proxy = 1_800_000_000_000;
        let controller = proxy + 2 * DAY;
        let o = offset(proxy, controller);
        assert_eq!(o, -2 * DAY);
        assert_eq!(corrected(controller, o), proxy);
        assert_eq!(
            corrected(proxy - 2 * DAY, offset(proxy, proxy - 2 * DAY)),
            proxy
        );
    }

    #[test]
    fn small_changes_of_the_offset_are_not_written() {
        assert!(replaces(None, 0));
        assert!(!replaces(Some(-2 * DAY), -2 * DAY + 1_500));
        assert!(!replaces(Some(0), -2_000));
        assert!(replaces(Some(0), 2_001));
        assert!(replaces(Some(-2 * DAY), 0));
    }
}
