//! Extractors that fail with [`ApiError`] instead of axum's plain-text rejections, and the
//! request facts every handler would otherwise re-derive: who is signed in, which language.

use crate::error::ApiError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use pilot_portal_shared::SessionInfo;
use serde::de::DeserializeOwned;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// `Json<T>` whose rejections are JSON errors with stable codes.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::PayloadTooLarge;
        }
        match rejection {
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::BadRequest("Send the body as application/json.".into())
            }
            JsonRejection::JsonDataError(e) => {
                ApiError::BadRequest(format!("Invalid request: {}", e.body_text()))
            }
            JsonRejection::JsonSyntaxError(_) => {
                ApiError::BadRequest("The body is not valid JSON.".into())
            }
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

/// An optional JSON body: no body at all (the page's plain `POST`) is `None`; anything else
/// must be `application/json` of `T`, refused as [`ApiJson`] refuses it.
pub struct OptionalJson<T>(pub Option<T>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json = is_json(req.headers());
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest(e.body_text())
            }
        })?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(None));
        }
        if !json {
            return Err(ApiError::BadRequest(
                "Send the body as application/json.".into(),
            ));
        }
        let Json(value) = Json::<T>::from_bytes(&body)?;
        Ok(OptionalJson(Some(value)))
    }
}

/// `Content-Type: application/json` (or `…+json`), parameters allowed.
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| mime.trim().to_ascii_lowercase())
        .is_some_and(|mime| mime == "application/json" || mime.ends_with("+json"))
}

/// The request's one `Authorization` header, if any. Two are refused: which credential was
/// meant is not for the proxy to guess.
fn authorization(headers: &HeaderMap) -> Result<Option<&axum::http::HeaderValue>, ApiError> {
    let mut all = headers.get_all(header::AUTHORIZATION).iter();
    let first = all.next();
    match all.next() {
        Some(_) => Err(ApiError::TokenInvalid),
        None => Ok(first),
    }
}

/// The `Authorization: Bearer` token of the request.
pub struct Bearer(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let value = authorization(&parts.headers)?
            .ok_or(ApiError::TokenMissing)?
            .to_str()
            .map_err(|_| ApiError::TokenInvalid)?;
        let (scheme, token) = value.split_once(' ').ok_or(ApiError::TokenInvalid)?;
        let token = token.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return Err(ApiError::TokenMissing);
        }
        Ok(Bearer(token.to_owned()))
    }
}

/// Checks the request's `Authorization: Bearer` against an operator's `admin` token (license
/// file uploads, support reports): 404 while none is configured, as for any unknown route;
/// 401 without a bearer token, 403 for a wrong one ([`same_secret`]).
pub fn check_admin_token(headers: &HeaderMap, admin: &str) -> Result<(), ApiError> {
    if admin.is_empty() {
        return Err(ApiError::NotFound);
    }
    let given = authorization(headers)?
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or(ApiError::TokenMissing)?;
    if !same_secret(given.as_bytes(), admin.as_bytes()) {
        return Err(ApiError::Forbidden("Wrong admin token.".into()));
    }
    Ok(())
}

/// Equal, compared as SHA-256 digests (equal length) without an early exit: neither a secret
/// nor its length leaks through timing.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(a), Sha256::digest(b));
    a.iter().zip(b.iter()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The client's address: the socket peer, or with `TRUST_FORWARDED_FOR` the right-most
/// `X-Forwarded-For` hop that is not one of our proxies ([`crate::net::TrustedProxies`]),
/// never the left-most value, which the client writes itself.
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        if !state.config.trust_forwarded_for {
            return Ok(ClientAddr(peer));
        }
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        Ok(ClientAddr(state.trusted_proxies.client(peer, forwarded)))
    }
}

/// A signed-in pilot: the Bearer token, checked with the platform, and who holds it. Every
/// route that needs a session takes this, so the check is written once
/// ([`crate::identity::session_user`]: the user from the token's binding, never from
/// unverified claims; alive only on the platform's positive answer).
#[derive(Debug)]
pub struct SessionUser {
    pub token: String,
    pub session: SessionInfo,
    /// SHA-256 of the token: the key of its binding.
    pub token_hash: String,
    /// The token's platform `_id`, when the proxy obtained it.
    pub token_id: Option<String>,
    /// The platform's token list, as the session check read it.
    pub tokens: Vec<crate::upstream::token_api::PlatformToken>,
}

impl SessionUser {
    /// The platform user name.
    pub fn name(&self) -> &str {
        &self.session.user.name
    }
}

/// FlightHub 2, when the proxy has an organization key; otherwise the handler does not run and
/// the answer is `503 flighthub_not_configured`. Put it after [`SessionUser`]: a request
/// without a session is a 401 first.
pub struct ConfiguredFlightHub(pub crate::upstream::flighthub::FlightHub);

impl FromRequestParts<AppState> for ConfiguredFlightHub {
    type Rejection = ApiError;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        state.flighthub().cloned().map(ConfiguredFlightHub)
    }
}

impl FromRequestParts<AppState> for SessionUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Bearer(token) = Bearer::from_request_parts(parts, state).await?;
        crate::identity::session_user(state, token).await
    }
}

/// The language the pilot reads the page in: the page's own `X-Page-Language` when it sends
/// one, else the first `Accept-Language` entry; English when neither is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
    Ru,
}

impl Lang {
    /// Lets the page say which language the pilot chose, over the WebView's default.
    pub const HEADER: &'static str = "x-page-language";

    /// A language tag's primary subtag (`zh-CN` → `Zh`), if it is one the page speaks.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        match primary.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    /// From the request headers (see the type's doc).
    pub fn of(headers: &HeaderMap) -> Lang {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        text(Lang::HEADER)
            .and_then(Lang::from_tag)
            .or_else(|| {
                text(header::ACCEPT_LANGUAGE.as_str())
                    .and_then(|v| v.split(',').next())
                    .and_then(|first| first.split(';').next())
                    .and_then(Lang::from_tag)
            })
            .unwrap_or(Lang::En)
    }

    /// FlightHub 2's `X-Language`: it speaks `zh` and `en` only.
    pub fn flighthub(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En | Lang::Ru => "en",
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Lang::of(&parts.headers))
    }
}

/// The value of the request's cookie `name`, as sent (the XAG state fallback, the loader's
/// bundle cookie).
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn constant_time_comparison() {
        assert!(same_secret(b"secret", b"secret"));
        assert!(!same_secret(b"secret", b"secreT"));
        assert!(!same_secret(b"secret", b"secret2"));
        assert!(!same_secret(b"", b"x"));
        assert!(same_secret(b"", b""));
    }

    use super::Lang;
    use axum::http::{header, HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn page_language_wins_over_accept_language() {
        let al = header::ACCEPT_LANGUAGE.as_str();
        assert_eq!(Lang::of(&headers(&[])), Lang::En);
        assert_eq!(Lang::of(&headers(&[(al, "zh-CN,zh;q=0.9")])), Lang::Zh);
        assert_eq!(Lang::of(&headers(&[(al, "ru-RU;q=0.8,en")])), Lang::Ru);
        assert_eq!(Lang::of(&headers(&[(al, "de-DE,zh")])), Lang::En);
        assert_eq!(
            Lang::of(&headers(&[(al, "zh-CN"), ("x-page-language", "ru")])),
            Lang::Ru
        );
        assert_eq!(
            Lang::of(&headers(&[(al, "zh-CN"), ("x-page-language", "klingon")])),
            Lang::Zh,
            "an unknown page language is ignored"
        );
    }

    #[test]
    fn flighthub_hears_zh_or_en() {
        assert_eq!(Lang::Zh.flighthub(), "zh");
        assert_eq!(Lang::En.flighthub(), "en");
        assert_eq!(Lang::Ru.flighthub(), "en");
    }
}
