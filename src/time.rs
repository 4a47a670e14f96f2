//! Dates and times for people, in the page's language.
//!
//! Dates are spelled out by [`text::date_time`] from the `Date`'s local fields, not by `Intl`:
//! the first `Intl` formatter loads the locale's data and `Date.toLocaleString` made a new
//! formatter on every call: together the largest single cost of showing the main page (60 ms
//! of a 440 ms opening on a desktop CPU, four times that on a controller). Relative times
//! ("in 3 hours", on the Access tokens panel, after the main page shows) keep `Intl`, with
//! one formatter per language.

use crate::i18n::Lang;
use crate::text;
use js_sys::Intl::RelativeTimeFormat;
use std::cell::RefCell;
use wasm_bindgen::JsValue;

thread_local! {
    static RELATIVE: RefCell<Option<(Lang, RelativeTimeFormat)>> = const { RefCell::new(None) };
}

/// "22 Nov 2026, 14:05" (or "2026年11月22日 14:05", "22 нояб. 2026 г., 14:05") for an
/// epoch-milliseconds time, in the controller's time zone.
pub fn format_ms(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    text::date_time(
        crate::i18n::current(),
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes(),
    )
}

/// The relative-time formatter for the page's language, made once per language.
fn relative_format() -> RelativeTimeFormat {
    let lang = crate::i18n::current();
    RELATIVE.with(|kept| {
        let mut kept = kept.borrow_mut();
        match &*kept {
            Some((l, format)) if *l == lang => format.clone(),
            _ => {
                let locales = js_sys::Array::of1(&lang.tag().into());
                let options = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&options, &"numeric".into(), &"always".into());
                let format = RelativeTimeFormat::new(&locales, &options);
                *kept = Some((lang, format.clone()));
                format
            }
        }
    })
}

/// "in 3 hours", "2 days ago" (or "3小时后", "2 дня назад"): how far `ms` is from `now`, in
/// the largest unit that fits.
pub fn relative_ms(ms: i64, now: i64) -> String {
    let (value, unit) = relative_parts(ms - now);
    // Chrome 71 and newer: older WebViews (README, "Old controllers") get the date itself
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).unwrap_or_default();
    if !js_sys::Reflect::has(&intl, &"RelativeTimeFormat".into()).unwrap_or(false) {
        return format_ms(ms);
    }
    relative_format().format(value, unit).into()
}

/// Now, on the proxy's clock (the controller's corrected, see [`crate::clock`]).
pub fn now_ms() -> i64 {
    crate::clock::corrected(crate::clock::local_ms(), crate::clock::offset_ms())
}

/// `diff_ms` in the largest unit it fills, counted down (an expiry is not said later than it
/// is), except a whole unit missed by under 1% of it: a token issued for a day and listed a
/// second later expires "in 1 day", not "in 23 hours".
fn relative_parts(diff_ms: i64) -> (f64, &'static str) {
    const MINUTE: f64 = 60_000.0;
    const NEARLY: f64 = 0.01;
    let diff = diff_ms as f64;
    [
        (365.0 * 24.0 * 60.0 * MINUTE, "year"),
        (30.0 * 24.0 * 60.0 * MINUTE, "month"),
        (24.0 * 60.0 * MINUTE, "day"),
        (60.0 * MINUTE, "hour"),
        (MINUTE, "minute"),
    ]
    .into_iter()
    .find(|(size, _)| diff.abs() / size >= 1.0 - NEARLY)
    .map(|(size, unit)| ((diff.abs() / size + NEARLY).floor().copysign(diff), unit))
    .unwrap_or(((diff / 1000.0).trunc(), "second"))
}

#[cfg(test)]
mod tests {
    use super::relative_parts;

    const SECOND: i64 = 1000;
    const MINUTE: i64 = 60 * SECOND;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;

    #[test]
    fn a_lifetime_just_begun_is_said_in_its_own_unit() {
        assert_eq!(relative_parts(DAY - SECOND), (1.0, "day"));
        assert_eq!(relative_parts(HOUR - 2 * SECOND), (1.0, "hour"));
        assert_eq!(relative_parts(365 * DAY - MINUTE), (1.0, "year"));
        assert_eq!(relative_parts(-(2 * DAY) - 5 * MINUTE), (-2.0, "day"));
    }

    #[test]
    fn otherwise_the_time_left_is_counted_down() {
        assert_eq!(relative_parts(31 * MINUTE), (31.0, "minute"));
        assert_eq!(relative_parts(DAY - 30 * MINUTE), (23.0, "hour"));
        assert_eq!(relative_parts(HOUR + 59 * MINUTE), (1.0, "hour"));
        assert_eq!(relative_parts(45 * SECOND), (45.0, "second"));
        assert_eq!(relative_parts(-90 * MINUTE), (-1.0, "hour"));
    }
}
