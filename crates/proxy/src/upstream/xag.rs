//! XAG cloud third-party authorization (`xag-third-party-authorization.zh.txt`).
//!
//! Every call carries `Authorization: xag:{component_appid}:{timestamp}:{nonce}:{signature}`,
//! `signature = md5(component_appid + app_secret + timestamp + nonce)` in lowercase hex with a
//! fresh random nonce. The timestamp unit is configurable (the reference does not say), and so
//! is where `/v1/auth/token` is given the code (`XAG_TOKEN_CODE_IN`).

use super::{send, send_with_headers};
use crate::config::{CodeIn, Config, TimestampUnit};
use crate::error::ApiError;
use crate::{clock, random};
use md5::{Digest, Md5};
use reqwest::{Client, StatusCode};
use serde::{Deserialize, Serialize};

const WHAT: &str = "XAG cloud";

#[derive(Clone)]
pub struct XagClient {
    client: Client,
    base_url: String,
    appid: String,
    secret: String,
    component_token: String,
    unit: TimestampUnit,
    code_in: CodeIn,
}

/// Why XAG refused an authorization code exchange.
#[derive(Debug)]
pub enum ExchangeError {
    /// The code is expired, used or unknown: the operator must authorize again.
    CodeRejected,
    Other(ApiError),
}

/// `POST /v1/auth/token`'s answer.
#[derive(Debug, Deserialize)]
pub struct XagToken {
    pub union_id: String,
    pub access_token: String,
    /// Seconds, when XAG says: the reference's field list calls it an integer, its example
    /// answers `""`, and some answers give digits as a string. Blank, zero or unreadable is a
    /// lifetime XAG did not state, not a reason to lose the operator's authorization.
    #[serde(default, deserialize_with = "opt_int_or_string")]
    pub expire_in: Option<i64>,
}

/// The longest lifetime taken as XAG states it: beyond it, a date the page could not show.
const MAX_TOKEN_LIFETIME_SECS: i64 = 10 * 366 * 86_400;

impl XagToken {
    /// When the access token ends (epoch ms), if XAG said: a negative lifetime is already
    /// over, a very long one is taken as ten years.
    pub fn expires_at(&self, now_ms: i64) -> Option<i64> {
        self.expire_in.filter(|secs| *secs != 0).map(|secs| {
            now_ms.saturating_add(secs.clamp(0, MAX_TOKEN_LIFETIME_SECS).saturating_mul(1000))
        })
    }
}

/// `POST /v1/auth/create_preauthcode`'s body.
#[derive(Serialize)]
struct PreAuthRequest<'a> {
    component_appid: &'a str,
}

#[derive(Deserialize)]
struct PreAuth {
    pre_auth_code: String,
    /// seconds (the reference's example: 600); `expire_in` in case XAG spells it as its
    /// other answers do
    #[serde(default, alias = "expire_in", deserialize_with = "opt_int_or_string")]
    expires_in: Option<i64>,
}

/// A pre-auth code and how long XAG says it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreAuthCode {
    pub code: String,
    /// Seconds, when XAG said (and it is positive).
    pub expires_in: Option<i64>,
}

/// An integer, or a string holding one; anything else is "not said". A fraction counts its
/// whole seconds.
fn opt_int_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => {
            let s = s.trim();
            s.parse().ok().or_else(|| {
                s.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(|f| f as i64)
            })
        }
        _ => None,
    })
}

/// A raw answer, for `check`.
#[derive(Debug, Clone)]
pub struct XagProbe {
    pub status: StatusCode,
    /// XAG's clock, from the `Date` header.
    pub date: Option<std::time::SystemTime>,
    pub body: serde_json::Value,
}

/// `POST /v1/auth/token`'s body.
#[derive(Serialize)]
struct TokenRequest<'a> {
    authorization_code: &'a str,
}

/// `md5(appid + secret + timestamp + nonce)`, lowercase hex.
pub fn signature(appid: &str, secret: &str, timestamp: &str, nonce: &str) -> String {
    let mut h = Md5::new();
    for part in [appid, secret, timestamp, nonce] {
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The whole `Authorization` header value.
pub fn authorization(appid: &str, secret: &str, timestamp: &str, nonce: &str) -> String {
    format!(
        "xag:{appid}:{timestamp}:{nonce}:{}",
        signature(appid, secret, timestamp, nonce)
    )
}

impl XagClient {
    /// `None` when XAG is not configured (no appid, secret or component token).
    pub fn new(client: Client, config: &Config) -> Option<Self> {
        let configured = !config.xag_component_appid.is_empty()
            && !config.xag_app_secret.is_empty()
            && !config.xag_component_access_token.is_empty();
        configured.then(|| XagClient {
            client,
            base_url: config.xag_base_url.trim_end_matches('/').to_owned(),
            appid: config.xag_component_appid.clone(),
            secret: config.xag_app_secret.clone(),
            component_token: config.xag_component_access_token.clone(),
            unit: config.xag_timestamp_unit,
            code_in: config.xag_token_code_in,
        })
    }

    fn auth_header(&self) -> String {
        self.auth_header_in(self.unit)
    }

    fn auth_header_in(&self, unit: TimestampUnit) -> String {
        let now = clock::since_epoch();
        let timestamp = match unit {
            TimestampUnit::Seconds => now.as_secs().to_string(),
            TimestampUnit::Milliseconds => now.as_millis().to_string(),
        };
        let nonce = random::hex(16);
        authorization(&self.appid, &self.secret, &timestamp, &nonce)
    }

    fn pre_auth_request(&self, unit: TimestampUnit) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}/v1/auth/create_preauthcode", self.base_url))
            .query(&[("component_access_token", &self.component_token)])
            .header(reqwest::header::AUTHORIZATION, self.auth_header_in(unit))
            .json(&PreAuthRequest {
                component_appid: &self.appid,
            })
    }

    /// `POST /v1/auth/create_preauthcode?component_access_token=…`: the code and the lifetime
    /// XAG gives it.
    pub async fn create_pre_auth_code(&self) -> Result<PreAuthCode, ApiError> {
        let (status, body) = send(self.pre_auth_request(self.unit), WHAT).await?;
        if !status.is_success() {
            return Err(refused(status, &body));
        }
        let pre: PreAuth = serde_json::from_slice(&body).map_err(|e| ApiError::Upstream {
            what: WHAT,
            detail: format!("unexpected create_preauthcode body: {e}"),
        })?;
        Ok(PreAuthCode {
            code: pre.pre_auth_code,
            expires_in: pre.expires_in.filter(|s| *s > 0),
        })
    }

    /// `create_preauthcode` signed with timestamps in `unit`, answer unread (for `check`; a
    /// pre-auth code is harmless: single use, short-lived, nobody is sent to it).
    pub async fn probe_pre_auth(&self, unit: TimestampUnit) -> Result<XagProbe, ApiError> {
        probe(self.pre_auth_request(unit)).await
    }

    /// `/v1/auth/token` with a code that cannot exist, given `code_in` (or not given at all),
    /// answer unread: how XAG refuses shows where it looks for the code (for `check`).
    pub async fn probe_token(&self, code_in: Option<CodeIn>) -> Result<XagProbe, ApiError> {
        const CODE: &str = "pilot-portal-check-not-a-code";
        let request = self
            .client
            .post(format!("{}/v1/auth/token", self.base_url))
            .header(reqwest::header::AUTHORIZATION, self.auth_header());
        let request = match code_in {
            Some(code_in) => with_code(request, code_in, CODE),
            None => request.json(&serde_json::json!({})),
        };
        probe(request).await
    }

    /// The operator authorization page for `pre_auth_code`, coming back to `redirect_uri`.
    /// XAG's protocol puts the component token in this URL; it is only ever sent as a
    /// redirect, never shown by the page or logged.
    pub fn authorize_url(
        &self,
        pre_auth_code: &str,
        redirect_uri: &str,
    ) -> Result<String, ApiError> {
        let mut url = url::Url::parse(&format!("{}/v1/auth/user_auth", self.base_url))
            .map_err(|e| ApiError::Internal(format!("XAG_BASE_URL: {e}")))?;
        url.query_pairs_mut()
            .append_pair("component_access_token", &self.component_token)
            .append_pair("pre_auth_code", pre_auth_code)
            .append_pair("redirect_uri", redirect_uri);
        Ok(url.into())
    }

    /// `POST /v1/auth/token` with the operator's authorization code, given as
    /// `XAG_TOKEN_CODE_IN` says.
    pub async fn exchange(&self, authorization_code: &str) -> Result<XagToken, ExchangeError> {
        let request = self
            .client
            .post(format!("{}/v1/auth/token", self.base_url))
            .header(reqwest::header::AUTHORIZATION, self.auth_header());
        let request = with_code(request, self.code_in, authorization_code);
        let (status, body) = send(request, WHAT).await.map_err(ExchangeError::Other)?;
        if status == StatusCode::BAD_REQUEST {
            // XAG's error bodies are undocumented: an expired code and a code looked for in
            // the wrong place may look alike. `check` tells them apart.
            tracing::warn!(
                detail = %refusal_detail(status, &body),
                code_in = self.code_in.as_str(),
                "XAG refused the authorization code; if every link ends so, run \
                 `pilot-portal-proxy check` (XAG_TOKEN_CODE_IN)"
            );
            return Err(ExchangeError::CodeRejected);
        }
        if !status.is_success() {
            return Err(ExchangeError::Other(refused(status, &body)));
        }
        let unexpected =
            |detail: String| ExchangeError::Other(ApiError::Upstream { what: WHAT, detail });
        let token: XagToken = serde_json::from_slice(&body)
            .map_err(|e| unexpected(format!("unexpected token body: {e}")))?;
        // a link to nobody, or one that cannot call XAG, is no link
        if token.union_id.trim().is_empty() || token.access_token.trim().is_empty() {
            return Err(unexpected(
                "the token answer has an empty union_id or access_token".into(),
            ));
        }
        Ok(token)
    }
}

/// `request` carrying `authorization_code` where `code_in` says.
fn with_code(
    request: reqwest::RequestBuilder,
    code_in: CodeIn,
    code: &str,
) -> reqwest::RequestBuilder {
    match code_in {
        CodeIn::Json => request.json(&TokenRequest {
            authorization_code: code,
        }),
        CodeIn::Form => request.form(&[("authorization_code", code)]),
        CodeIn::Query => request.query(&[("authorization_code", code)]),
    }
}

async fn probe(request: reqwest::RequestBuilder) -> Result<XagProbe, ApiError> {
    let (status, headers, body) = send_with_headers(request, WHAT).await?;
    let date = headers
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    Ok(XagProbe {
        status,
        date,
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    })
}

/// XAG's error body for the log: status, `code`, `message` (never a URL or a secret).
fn refusal_detail(status: StatusCode, body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .map(|v| format!("HTTP {status}, code {}, {}", v["code"], v["message"]))
        .unwrap_or_else(|| format!("HTTP {status}"))
}

/// XAG's error body is not documented; keep its `code`/`message` for the log only.
fn refused(status: StatusCode, body: &[u8]) -> ApiError {
    let detail = refusal_detail(status, body);
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::BAD_REQUEST => {
            ApiError::XagRefused { detail }
        }
        _ => ApiError::Upstream { what: WHAT, detail },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_independently_computed_vectors() {
        // Python: hashlib.md5((appid + secret + ts + nonce).encode()).hexdigest()
        assert_eq!(
            signature("xag-demo-app", "s3cr3t", "1700000000", "a1b2c3"),
            "ef4d33ee015c9ae5b943c6dc945a911b"
        );
        assert_eq!(
            signature("component-42", "app-secret-中文", "1700000000123", "nonce"),
            "87b3a2a3e6af8e972aa7f90892fd3d4b"
        );
        assert_eq!(
            authorization("xag-demo-app", "s3cr3t", "1700000000", "a1b2c3"),
            "xag:xag-demo-app:1700000000:a1b2c3:ef4d33ee015c9ae5b943c6dc945a911b"
        );
    }

    #[test]
    fn a_lifetime_xag_does_not_state_is_none_and_the_link_is_still_read() {
        let now = 1_700_000_000_000;
        let read = |body: &str| {
            serde_json::from_str::<XagToken>(body)
                .expect("XAG's token answer")
                .expires_at(now)
        };
        let at = Some(now + 3_600_000);
        assert_eq!(
            read(r#"{"union_id":"u","access_token":"t","expire_in":3600}"#),
            at
        );
        assert_eq!(
            read(r#"{"union_id":"u","access_token":"t","expire_in":"3600"}"#),
            at
        );
        // the reference's own example
        assert_eq!(
            read(r#"{"union_id":"u","access_token":"t","expire_in":""}"#),
            None
        );
        assert_eq!(
            read(r#"{"union_id":"u","access_token":"t","expire_in":0}"#),
            None
        );
        assert_eq!(
            read(r#"{"union_id":"u","access_token":"t","expire_in":null}"#),
            None
        );
        assert_eq!(read(r#"{"union_id":"u","access_token":"t"}"#), None);
        assert_eq!(
            read(r#"{"union_id":"u","access_token":"t","expire_in":"3600s"}"#),
            None
        );
        assert_eq!(
            read(r#"{"union_id":"u","access_token":"t","expire_in":3600.5}"#),
            at
        );
        // already over; and no date beyond what the page can show
        assert_eq!(
            read(r#"{"union_id":"u","access_token":"t","expire_in":-5}"#),
            Some(now)
        );
        assert_eq!(
            read(r#"{"union_id":"u","access_token":"t","expire_in":9223372036854775807}"#),
            Some(now + MAX_TOKEN_LIFETIME_SECS * 1000)
        );
    }
}
