//! The two claims the page reads from a JWT, `exp` and `iat`, without checking its signature
//! (only the platform can). In the browser this is `atob` and `JSON.parse`: the first-screen
//! bundle carries no base64 decoder or JSON parser for it.

/// A token's lifetime as its claims state it (epoch milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub expires_at_ms: i64,
    pub issued_at_ms: Option<i64>,
}

/// `None` when `token` is not a JWT whose payload has a numeric `exp`.
pub fn lifetime(token: &str) -> Option<Lifetime> {
    let mut parts = token.trim().split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let (exp, iat) = exp_and_iat(payload)?;
    let ms = |secs: f64| (secs * 1000.0) as i64;
    Some(Lifetime {
        expires_at_ms: ms(exp),
        issued_at_ms: iat.map(ms),
    })
}

#[cfg(target_arch = "wasm32")]
fn exp_and_iat(payload: &str) -> Option<(f64, Option<f64>)> {
    let mut b64: String = payload
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while b64.len() % 4 != 0 {
        b64.push('=');
    }
    let text = web_sys::window()?.atob(&b64).ok()?;
    let claims = js_sys::JSON::parse(&text).ok()?;
    let number = |key: &str| js_sys::Reflect::get(&claims, &key.into()).ok()?.as_f64();
    Some((number("exp")?, number("iat")))
}

/// Natively (the unit tests), the shared reader the proxy uses.
#[cfg(not(target_arch = "wasm32"))]
fn exp_and_iat(payload: &str) -> Option<(f64, Option<f64>)> {
    let token = format!("e30.{payload}.s");
    let claims = pilot_portal_shared::jwt::decode_claims(&token).ok()?;
    Some((claims.exp as f64, claims.iat.map(|i| i as f64)))
}
