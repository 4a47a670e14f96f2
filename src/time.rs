//! Dates and times for people, in the page's language, by the WebView's `Intl`.

use wasm_bindgen::JsValue;

/// "22 Nov 2026, 14:05" (or "2026年11月22日 14:05", "22 нояб. 2026 г., 14:05") for an
/// epoch-milliseconds time, in the controller's time zone.
pub fn format_ms(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(crate::i18n::current().tag(), &options)
        .into()
}

/// "in 3 hours", "2 days ago" (or "3小时后", "2 дня назад"): how far `ms` is from `now`, in
/// the largest unit that fits.
pub fn relative_ms(ms: i64, now: i64) -> String {
    const MINUTE: f64 = 60_000.0;
    let diff = (ms - now) as f64;
    let (value, unit) = [
        (365.0 * 24.0 * 60.0 * MINUTE, "year"),
        (30.0 * 24.0 * 60.0 * MINUTE, "month"),
        (24.0 * 60.0 * MINUTE, "day"),
        (60.0 * MINUTE, "hour"),
        (MINUTE, "minute"),
    ]
    .into_iter()
    .find(|(size, _)| diff.abs() >= *size)
    .map(|(size, unit)| ((diff / size).trunc(), unit))
    .unwrap_or(((diff / 1000.0).trunc(), "second"));
    // Chrome 71 and newer: older WebViews (README, "Old controllers") get the date itself
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).unwrap_or_default();
    if !js_sys::Reflect::has(&intl, &"RelativeTimeFormat".into()).unwrap_or(false) {
        return format_ms(ms);
    }
    let locales = js_sys::Array::of1(&crate::i18n::current().tag().into());
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"numeric".into(), &"always".into());
    js_sys::Intl::RelativeTimeFormat::new(&locales, &options)
        .format(value, unit)
        .into()
}

/// Now, on the proxy's clock (the controller's corrected, see [`crate::clock`]).
pub fn now_ms() -> i64 {
    crate::clock::corrected(crate::clock::local_ms(), crate::clock::offset_ms())
}
