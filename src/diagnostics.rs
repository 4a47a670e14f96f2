//! The diagnostics recorder of bridge calls, kept in `localStorage` for the diagnostics page
//! (`public/diagnostics.html`). That page is plain HTML and JavaScript, so it works when this
//! WebAssembly does not (an old WebView, a failed download); `index.html`'s first script keeps
//! the store, notes every `/api` request (method, path without its query, status, duration:
//! one `fetch` wrapper for the app, the loader and everything else, so the app carries no code
//! for it) and the boot script's errors. What the first-screen bundle carries is this module.
//!
//! Secrets are redacted **here, before anything is kept**, never when shown: Pilot 2's token
//! (`apiSetToken`'s argument, `apiGetToken`'s reply, the `token` of the `api` module's
//! params), the MQTT password (the `thing` module's params, `thingGetConfigs`), the DJI app
//! key and license (`platformVerifyLicense`), any JWT-shaped string and any `Bearer …`. A
//! redacted value keeps at most its last 4 characters, and only when it is long (a token):
//! `«redacted …x9Qz»`.
//!
//! The store, one JSON document under [`KEY`], the last 50 of each list:
//!
//! ```json
//! {"bridge": [{"at": 1764000000000, "method": "apiSetToken", "args": ["«redacted …x9Qz»"],
//!              "reply": "{\"code\":0,\"message\":\"success\",\"data\":{}}"}],
//!  "proxy":  [{"at": 1764000000000, "method": "GET", "path": "/api/pilot/bootstrap",
//!              "status": 200, "ms": 35}],
//!  "errors": [{"at": 1764000000000, "text": "no WebAssembly"}]}
//! ```
//!
//! `at` is epoch milliseconds (the page shows UTC); `status` 0 means no answer (offline, the
//! request was cancelled).

use wasm_bindgen::prelude::*;

/// The `localStorage` key of the store (written by `index.html`'s `__pilotPortalNote`).
pub const KEY: &str = "pilot-portal.diagnostics";
/// Bytes kept of one argument and of one reply (after redaction).
const MAX_ARG: usize = 200;
const MAX_REPLY: usize = 400;
/// A secret this long or longer (a token, a license) keeps its last 4 characters as a hint.
const HINT_FROM: usize = 24;

/// JSON keys whose string values are secrets, wherever they appear (compared ignoring case).
const SECRET_KEYS: [&[u8]; 9] = [
    b"token",
    b"password",
    b"secret",
    b"app_key",
    b"appkey",
    b"license",
    b"access_token",
    b"accesstoken",
    b"authorization",
];

// ---- what is kept: pure functions on bytes (native tests below) ----------------------------
// Byte scanning keeps this small in the first-screen bundle: no substring searcher, no JSON
// round trip. Every position where text is cut is an ASCII byte, so a char boundary.

/// `secret` as it is kept: `«redacted»`, or `«redacted …abcd»` for a long one; empty stays
/// empty (an empty token is worth seeing).
pub fn redacted(secret: &str) -> String {
    let mut out = String::new();
    if secret.is_empty() {
        return out;
    }
    out.push_str("«redacted");
    if secret.len() >= HINT_FROM {
        if let Some(tail) = secret.get(secret.len() - 4..) {
            out.push_str(" …");
            out.push_str(tail);
        }
    }
    out.push('»');
    out
}

/// The arguments of a bridge call as they are kept.
pub fn bridge_args(method: &str, args: &[&str]) -> Vec<String> {
    args.iter()
        .enumerate()
        .map(|(i, arg)| {
            let secret = matches!(
                (method, i),
                ("platformVerifyLicense", 1 | 2) | ("apiSetToken", 0) | ("thingConnect", 1)
            );
            if secret {
                redacted(arg)
            } else {
                clip(scrub(&scrub_json(arg, None)), MAX_ARG)
            }
        })
        .collect()
}

/// The reply of a bridge call (its text, or why it failed) as it is kept. `apiGetToken`'s
/// `data` is the token itself, whatever its shape.
pub fn bridge_reply(method: &str, reply: &str) -> String {
    let extra: Option<&[u8]> = (method == "apiGetToken").then_some(b"data");
    clip(scrub(&scrub_json(reply, extra)), MAX_REPLY)
}

/// The first index at or after `from` whose byte is not `ok`.
fn run_end(b: &[u8], from: usize, ok: impl Fn(u8) -> bool) -> usize {
    (from..b.len()).find(|&i| !ok(b[i])).unwrap_or(b.len())
}

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn is_token_char(b: u8) -> bool {
    is_b64url(b) || matches!(b, b'.' | b'~' | b'+' | b'/' | b'=')
}

/// `text` with every JWT-shaped string (`eyJ`, three base64url parts) and every `Bearer …`
/// credential (8 characters or more: `bearer of news` is not one) redacted.
pub fn scrub(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, 0);
    while i < b.len() {
        let mut secret = None;
        if b[i..].starts_with(b"eyJ") {
            let end = run_end(b, i, |c| is_b64url(c) || c == b'.');
            // header `.` payload `.` signature (which may be empty)
            let head = run_end(b, i, is_b64url);
            let body = run_end(b, head + 1, is_b64url);
            if head - i >= 8 && b.get(head) == Some(&b'.') && body - head > 4 && body < end {
                secret = Some((i, end));
            }
        } else if b[i..].len() >= 6 && b[i..i + 6].eq_ignore_ascii_case(b"bearer") {
            let from = run_end(b, i + 6, |c| c == b' ' || c == b'\t');
            let end = run_end(b, from, is_token_char);
            if from > i + 6 && end - from >= 8 {
                secret = Some((from, end));
            }
        }
        match secret {
            Some((start, end)) => {
                out.push_str(&text[copied..start]);
                out.push_str(&redacted(&text[start..end]));
                copied = end;
                i = end;
            }
            None => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// JSON text (anything else passes through) with the string value of every secret key
/// redacted (`extra`: one more key, e.g. `data`), at any depth of escaping: Pilot 2 encodes
/// some replies twice, so `\"password\":\"…\"` inside a string is found as well. At escaping
/// depth `n` a string's quotes are preceded by exactly `n` backslashes (an escaped quote inside
/// it by `2n + 1`), which is how its end is found without decoding it.
fn scrub_json(text: &str, extra: Option<&[u8]>) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, 0);
    while let Some(q) = (i..b.len()).find(|&j| b[j] == b'"') {
        i = q + 1;
        let depth = escapes(b, q);
        let Some(key) = SECRET_KEYS.iter().copied().chain(extra).find(|k| {
            b.get(i..i + k.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(k))
        }) else {
            continue;
        };
        // the whole key (its closing quote follows), `:`, the value's opening quote
        let Some(start) = after_quote(b, i + key.len(), depth)
            .map(|at| run_end(b, at, |c| c == b' '))
            .filter(|&at| b.get(at) == Some(&b':'))
            .map(|at| run_end(b, at + 1, |c| c == b' '))
            .and_then(|at| after_quote(b, at, depth))
        else {
            continue;
        };
        // the value's closing quote: preceded by exactly `depth` backslashes
        let Some(close) = (start..b.len()).find(|&j| b[j] == b'"' && escapes(b, j) == depth) else {
            break;
        };
        let end = close - depth;
        out.push_str(&text[copied..start]);
        out.push_str(&redacted(&text[start..end]));
        copied = end;
        i = close + 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// Backslashes right before `at`.
fn escapes(b: &[u8], at: usize) -> usize {
    at - (0..at).rev().find(|&j| b[j] != b'\\').map_or(0, |j| j + 1)
}

/// Where a quote written with `depth` backslashes, starting at `at`, ends (just after it).
fn after_quote(b: &[u8], at: usize, depth: usize) -> Option<usize> {
    let quote = at + depth;
    (b.get(at..quote)?.iter().all(|&c| c == b'\\') && b.get(quote) == Some(&b'"'))
        .then_some(quote + 1)
}

/// At most `max` bytes of `s` (cut back to a character boundary), `…` marking a cut.
fn clip(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut at = max;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
        s.push('…');
    }
    s
}

// ---- keeping: `window.__pilotPortalNote` (index.html) ----------------------------------------

#[wasm_bindgen]
extern "C" {
    /// `__pilotPortalNote("bridge", method, args, reply)`: appends to the store, keeping the
    /// last 50. Absent (a page without index.html's script, as in `tests/bridge.rs`): nothing
    /// is kept.
    #[wasm_bindgen(catch, js_namespace = window, js_name = __pilotPortalNote)]
    fn note(list: &str, method: &str, args: &js_sys::Array, reply: &str) -> Result<(), JsValue>;
}

/// Notes one bridge call: `reply` is the raw reply text, or why the call failed.
pub fn bridge_call(method: &str, args: &[&str], reply: Result<&str, &str>) {
    let kept = js_sys::Array::new();
    for arg in bridge_args(method, args) {
        kept.push(&arg.into());
    }
    let reply = bridge_reply(method, reply.unwrap_or_else(|why| why));
    let _ = note("bridge", method, &kept, &reply);
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJwaWxvdCIsImV4cCI6MTc2NDAwMDAwMH0.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtOVF6";

    #[test]
    fn a_redacted_secret_keeps_a_hint_only_when_long() {
        assert_eq!(redacted(""), "");
        assert_eq!(redacted("pilot123"), "«redacted»");
        assert_eq!(redacted(JWT), "«redacted …OVF6»");
        assert!(!redacted(JWT).contains("eyJ"));
    }

    #[test]
    fn the_license_the_token_and_the_mqtt_password_are_redacted_in_arguments() {
        let license = "a-long-dji-license-string-0123456789";
        let kept = bridge_args(
            "platformVerifyLicense",
            &["125034", "demo-app-key", license],
        );
        assert_eq!(kept[0], "125034", "the app id is not a secret");
        assert_eq!(kept[1], "«redacted»");
        assert_eq!(kept[2], "«redacted …6789»");

        let opaque = "ric_0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_eq!(
            bridge_args("apiSetToken", &[opaque]),
            vec!["«redacted …cdef»"]
        );
        assert_eq!(bridge_args("apiSetToken", &[""]), vec![""]);

        let api = format!(r#"{{"host":"http://127.0.0.1:8080","token":"{opaque}"}}"#);
        let kept = bridge_args("platformLoadComponent", &["api", &api]);
        assert_eq!(kept[0], "api");
        assert!(!kept[1].contains(opaque), "{}", kept[1]);
        assert!(
            kept[1].contains(r#""host":"http://127.0.0.1:8080""#),
            "{}",
            kept[1]
        );
        assert!(
            kept[1].contains(r#""token":"«redacted …cdef»""#),
            "{}",
            kept[1]
        );

        let thing = r#"{"host":"ws://b:8095/mqtt","username":"mqtt-pilot","password":"mqtt-pilot-secret","connectCallback":"cb"}"#;
        let kept = bridge_args("platformLoadComponent", &["thing", thing]);
        assert!(!kept[1].contains("mqtt-pilot-secret"), "{}", kept[1]);
        assert!(
            kept[1].contains(r#""username":"mqtt-pilot""#),
            "{}",
            kept[1]
        );
        assert!(
            kept[1].contains(r#""password":"«redacted»""#),
            "{}",
            kept[1]
        );
    }

    #[test]
    fn replies_lose_the_token_and_twice_encoded_passwords() {
        let opaque = "ric_0123456789abcdef0123456789abcdef0123456789abcdef";
        let reply = format!(r#"{{"code":0,"message":"success","data":"{opaque}"}}"#);
        let kept = bridge_reply("apiGetToken", &reply);
        assert!(!kept.contains(opaque), "{kept}");
        assert!(kept.contains(r#""code":0"#), "{kept}");

        // thingGetConfigs: `data` is a JSON document in a string
        let inner = r#"{"host":"ws://b/mqtt","username":"u","password":"mqtt-pilot-secret"}"#;
        let reply = format!(
            r#"{{"code":0,"message":"success","data":{}}}"#,
            serde_json::to_string(inner).expect("quote")
        );
        let kept = bridge_reply("thingGetConfigs", &reply);
        assert!(!kept.contains("mqtt-pilot-secret"), "{kept}");
        assert!(kept.contains("ws://b/mqtt"), "{kept}");
        assert!(kept.contains("«redacted»"), "{kept}");

        // other replies keep `data`
        let sn = r#"{"code":0,"message":"success","data":"5YSZL260021E9W"}"#;
        assert_eq!(bridge_reply("platformGetRemoteControllerSN", sn), sn);
    }

    #[test]
    fn jwts_and_bearer_credentials_are_redacted_anywhere() {
        let text = format!("failed: token {JWT} refused; Authorization: Bearer abc.def-123 end");
        let kept = scrub(&text);
        assert!(!kept.contains(JWT), "{kept}");
        assert!(!kept.contains("abc.def-123"), "{kept}");
        assert!(
            kept.starts_with("failed: token «redacted …OVF6» refused"),
            "{kept}"
        );
        assert!(kept.ends_with("Bearer «redacted» end"), "{kept}");
        // a JWT in an argument that is not known to hold one
        let kept = bridge_args("platformSetInformation", &[JWT, "Workspace", ""]);
        assert_eq!(kept[0], "«redacted …OVF6»");
        // not secrets
        assert_eq!(
            scrub("eyJust a word, bearer of news"),
            "eyJust a word, bearer of news"
        );
        assert_eq!(scrub("Bearer «redacted»"), "Bearer «redacted»");
    }

    #[test]
    fn malformed_json_and_long_values_never_leak_or_panic() {
        let cut = r#"{"token":"ric_0123456789abcdef0123456789abcdef"#;
        let kept = bridge_args("platformLoadComponent", &["api", cut]);
        assert_eq!(
            kept[1], cut,
            "no closing quote: nothing to parse, nothing secret-shaped"
        );
        let long = "x".repeat(1000);
        let kept = bridge_reply("platformGetAircraftSN", &long);
        assert_eq!(kept.chars().count(), MAX_REPLY + 1);
        assert!(kept.ends_with('…'));
        // redaction happens before the cut: a token at the cut is still found whole
        let text = format!("{}{JWT}", "y".repeat(MAX_REPLY - 10));
        assert!(!bridge_reply("x", &text).contains("eyJhbGci"));
        assert_eq!(bridge_reply("x", "«ünïcödé»"), "«ünïcödé»");
    }

    #[test]
    fn json_keys_are_matched_whole_at_any_depth_of_escaping() {
        let text =
            r#"{"tokens": 3, "token_id": "abc", "name": "token", "Password" : "pa\"ss", "x": 1}"#;
        let kept = scrub_json(text, None);
        assert!(
            kept.contains(r#""tokens": 3, "token_id": "abc", "name": "token""#),
            "{kept}"
        );
        assert!(kept.contains(r#""Password" : "«redacted»""#), "{kept}");
        assert!(!kept.contains("pa\\\"ss"), "{kept}");
        // twice encoded, with an escaped quote inside the secret
        let inner = r#"{"password":"pa\"ss","username":"u"}"#;
        let outer = format!(
            r#"{{"data":{}}}"#,
            serde_json::to_string(inner).expect("quote")
        );
        let kept = scrub_json(&outer, None);
        assert!(!kept.contains("ss\\"), "{kept}");
        assert!(
            kept.contains(r#"\"password\":\"«redacted»\",\"username\":\"u\""#),
            "{kept}"
        );
        // a secret key whose value is not a string is left as it is
        assert_eq!(scrub_json(r#"{"token":null}"#, None), r#"{"token":null}"#);
    }
}
