//! Dates for people, in the WebView's locale.

use wasm_bindgen::JsValue;

/// "22 Nov 2026, 14:05" style text for an epoch-milliseconds time.
pub fn format_ms(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string("en-GB", &options).into()
}

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
