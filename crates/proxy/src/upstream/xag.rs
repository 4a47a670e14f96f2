//! XAG cloud third-party authorization (`xag-third-party-authorization.zh.txt`).
//!
//! Every call carries `Authorization: xag:{component_appid}:{timestamp}:{nonce}:{signature}`,
//! `signature = md5(component_appid + app_secret + timestamp + nonce)` in lowercase hex with a
//! fresh random nonce. The timestamp unit is configurable (the reference does not say).

use super::send;
use crate::config::{Config, TimestampUnit};
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
    /// seconds; some XAG answers give it as a string
    #[serde(deserialize_with = "int_or_string")]
    pub expire_in: i64,
}

fn int_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Int(i64),
        Str(String),
    }
    match Either::deserialize(d)? {
        Either::Int(i) => Ok(i),
        Either::Str(s) => s.trim().parse().map_err(serde::de::Error::custom),
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
        })
    }

    fn auth_header(&self) -> String {
        let now = clock::since_epoch();
        let timestamp = match self.unit {
            TimestampUnit::Seconds => now.as_secs().to_string(),
            TimestampUnit::Milliseconds => now.as_millis().to_string(),
        };
        let nonce = random::hex(16);
        authorization(&self.appid, &self.secret, &timestamp, &nonce)
    }

    /// `POST /v1/auth/create_preauthcode?component_access_token=…`.
    pub async fn create_pre_auth_code(&self) -> Result<String, ApiError> {
        let request = self
            .client
            .post(format!("{}/v1/auth/create_preauthcode", self.base_url))
            .query(&[("component_access_token", &self.component_token)])
            .header(reqwest::header::AUTHORIZATION, self.auth_header())
            .json(&PreAuthRequest {
                component_appid: &self.appid,
            });
        let (status, body) = send(request, WHAT).await?;
        if !status.is_success() {
            return Err(refused(status, &body));
        }
        let pre: PreAuth = serde_json::from_slice(&body).map_err(|e| ApiError::Upstream {
            what: WHAT,
            detail: format!("unexpected create_preauthcode body: {e}"),
        })?;
        Ok(pre.pre_auth_code)
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

    /// `POST /v1/auth/token` with the operator's authorization code.
    pub async fn exchange(&self, authorization_code: &str) -> Result<XagToken, ExchangeError> {
        let request = self
            .client
            .post(format!("{}/v1/auth/token", self.base_url))
            .header(reqwest::header::AUTHORIZATION, self.auth_header())
            .json(&TokenRequest { authorization_code });
        let (status, body) = send(request, WHAT).await.map_err(ExchangeError::Other)?;
        if status == StatusCode::BAD_REQUEST {
            return Err(ExchangeError::CodeRejected);
        }
        if !status.is_success() {
            return Err(ExchangeError::Other(refused(status, &body)));
        }
        serde_json::from_slice(&body).map_err(|e| {
            ExchangeError::Other(ApiError::Upstream {
                what: WHAT,
                detail: format!("unexpected token body: {e}"),
            })
        })
    }
}

/// XAG's error body is not documented; keep its `code`/`message` for the log only.
fn refused(status: StatusCode, body: &[u8]) -> ApiError {
    let detail = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .map(|v| format!("HTTP {status}, code {}, {}", v["code"], v["message"]))
        .unwrap_or_else(|| format!("HTTP {status}"));
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
}
