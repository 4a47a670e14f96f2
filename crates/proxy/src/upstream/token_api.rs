//! The platform token API (Rightech-style, `platform-token-api.ru.txt`, `upstream-apis.md` §C):
//! the raw calls, with no opinion about sessions (that is [`crate::identity`]).
//!
//! Only `POST /api/v1/auth/token` and its answer `{_id, issuedAt, expiresAt, user{name},
//! token}` are confirmed; the token collection path is configurable and the other answers are
//! read leniently, then judged by the caller. A refusal (non-2xx) is handed back as a
//! [`Refusal`] — status, the RicError `codes` if any, `Retry-After` — because what it means
//! depends on what the caller knows about the token.

use super::{send_with_headers, unexpected_status};
use crate::clock::now_ms;
use crate::error::ApiError;
use axum::body::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Client, StatusCode};
use serde::{Deserialize, Serialize};

const WHAT: &str = "platform";

/// A Bearer call's outcome: `Ok(Ok(_))` the platform agreed, `Ok(Err(_))` it refused,
/// `Err(_)` it could not be asked or answered nonsense.
pub type Answer<T> = Result<Result<T, Refusal>, ApiError>;

#[derive(Clone)]
pub struct TokenApi {
    client: Client,
    base_url: String,
    login_path: String,
    tokens_path: String,
    methods_path: String,
    /// `expiresIn` and scopes of the tokens obtained for Pilot 2.
    pub expires_in: String,
    pub scopes: Vec<String>,
}

/// A token the platform issued at login (every field confirmed by the document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginAnswer {
    pub id: String,
    pub issued_at: i64,
    pub expires_at: i64,
    /// `user.name`, as the platform names the user.
    pub user: String,
    pub token: String,
}

/// The answer to `POST /tokens`: unconfirmed, so every field may be missing; the caller
/// decides what it cannot do without.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueAnswer {
    #[serde(rename = "_id", default)]
    pub id: Option<String>,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub issued_at: Option<i64>,
    #[serde(default)]
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

/// One entry of the token list, as the document shows it: `{_id, name, expiresAt, scopes}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformToken {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

/// The platform said no.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    /// RicError `codes` (`error_token_revoked`, …); empty when the body has none.
    pub codes: Vec<String>,
    /// `Retry-After`, in whole seconds rounded up.
    pub retry_after_secs: Option<u64>,
}

impl Refusal {
    pub fn has(&self, code: &str) -> bool {
        self.codes.iter().any(|c| c == code)
    }
}

/// What revoking found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    Revoked,
    /// The platform does not know the id (already revoked, never issued, not the caller's).
    NotFound,
}

/// The platform's error body (RicError); only `codes` is used.
#[derive(Deserialize, Default)]
struct RicError {
    #[serde(default)]
    codes: Vec<String>,
}

/// Lifetime and scopes (none: unrestricted, and the field is left out).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IssueRequest<'a> {
    expires_in: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    scopes: &'a [String],
}

/// `POST /api/v1/auth/token`.
#[derive(Serialize)]
struct LoginBody<'a> {
    username: &'a str,
    password: &'a str,
    #[serde(flatten)]
    issue: IssueRequest<'a>,
}

/// `POST /api/v1/tokens`: another token for the Bearer's user.
#[derive(Serialize)]
struct IssueBody<'a> {
    name: &'a str,
    #[serde(flatten)]
    issue: IssueRequest<'a>,
}

/// The confirmed login answer; every field is required (fail closed: no `_id`, no revoking).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoginWire {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    issued_at: Option<i64>,
    expires_at: i64,
    user: UserWire,
    token: String,
}

#[derive(Deserialize)]
struct UserWire {
    name: String,
}

/// `Retry-After` as whole seconds, rounded up (never shorter than asked): delay-seconds,
/// fractional seconds, or an HTTP date.
pub fn retry_after_secs(headers: &HeaderMap) -> Option<u64> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs.max(1));
    }
    if let Ok(secs) = value.parse::<f64>() {
        if (0.0..1e9).contains(&secs) {
            return Some((secs.ceil() as u64).max(1));
        }
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let wait = at
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Some(secs.max(1))
}

fn refusal(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Refusal {
    Refusal {
        status,
        codes: serde_json::from_slice::<RicError>(body)
            .unwrap_or_default()
            .codes,
        retry_after_secs: retry_after_secs(headers),
    }
}

/// A 2xx body the contract did not promise: the platform (or something in front of it)
/// answered, but not in the expected shape.
fn shape_error(detail: String) -> ApiError {
    ApiError::Upstream { what: WHAT, detail }
}

impl TokenApi {
    pub fn new(client: Client, config: &crate::config::Config) -> Self {
        TokenApi {
            client,
            base_url: config.token_api_url.trim_end_matches('/').to_owned(),
            login_path: config.token_api_login_path.clone(),
            tokens_path: config.token_api_tokens_path.clone(),
            methods_path: config.token_api_methods_path.clone(),
            expires_in: config.token_expires_in.trim().to_owned(),
            scopes: config
                .token_scopes
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    fn issue_request(&self) -> IssueRequest<'_> {
        IssueRequest {
            expires_in: &self.expires_in,
            scopes: &self.scopes,
        }
    }

    /// Whether the platform's list of methods is configured.
    pub fn has_methods_path(&self) -> bool {
        !self.methods_path.is_empty()
    }

    async fn bearer_call(
        &self,
        request: reqwest::RequestBuilder,
        token: &str,
    ) -> Result<(StatusCode, HeaderMap, Bytes), ApiError> {
        send_with_headers(request.bearer_auth(token), WHAT).await
    }

    /// `POST /api/v1/auth/token` with the pilot's credentials, the configured lifetime and
    /// scopes.
    pub async fn login(&self, username: &str, password: &str) -> Result<LoginAnswer, ApiError> {
        let body = LoginBody {
            username,
            password,
            issue: self.issue_request(),
        };
        let (status, headers, bytes) = send_with_headers(
            self.client.post(self.url(&self.login_path)).json(&body),
            WHAT,
        )
        .await?;
        match status {
            s if s.is_success() => {
                let wire: LoginWire = serde_json::from_slice(&bytes).map_err(|e| {
                    shape_error(format!(
                        "login answer is not {{_id, expiresAt, user{{name}}, token}}: {e}"
                    ))
                })?;
                if wire.token.trim().is_empty() || wire.user.name.trim().is_empty() {
                    return Err(shape_error(
                        "login answer with an empty token or user".into(),
                    ));
                }
                Ok(LoginAnswer {
                    id: wire.id,
                    issued_at: wire.issued_at.unwrap_or_else(now_ms),
                    expires_at: wire.expires_at,
                    user: wire.user.name,
                    token: wire.token,
                })
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(ApiError::InvalidCredentials),
            StatusCode::TOO_MANY_REQUESTS => Err(ApiError::TooManyAttempts {
                // the platform's own wait, or a minute if it named none
                retry_after_secs: retry_after_secs(&headers).unwrap_or(60),
            }),
            StatusCode::BAD_REQUEST => Err(ApiError::Upstream {
                what: WHAT,
                detail:
                    "login request refused as malformed (check TOKEN_EXPIRES_IN / TOKEN_SCOPES)"
                        .into(),
            }),
            s => Err(unexpected_status(s, WHAT)),
        }
    }

    /// `GET {tokens}` with `token`: the project's tokens. The only positive answer is a 2xx
    /// JSON array of token objects; any other 2xx body is an upstream error, never a session.
    pub async fn list(&self, token: &str) -> Answer<Vec<PlatformToken>> {
        let request = self.client.get(self.url(&self.tokens_path));
        let (status, headers, bytes) = self.bearer_call(request, token).await?;
        if !status.is_success() {
            return Ok(Err(refusal(status, &headers, &bytes)));
        }
        let list: Vec<PlatformToken> = serde_json::from_slice(&bytes).map_err(|e| {
            shape_error(format!(
                "token list is not a JSON array of {{_id, name, expiresAt, scopes}}: {e}"
            ))
        })?;
        Ok(Ok(list))
    }

    /// `POST {tokens}` with `token`: a new token named `name`, with this lifetime and these
    /// scopes (`None`: the configured ones for Pilot 2).
    pub async fn issue(
        &self,
        token: &str,
        name: &str,
        lifetime: Option<(&str, &[String])>,
    ) -> Answer<IssueAnswer> {
        let issue = match lifetime {
            Some((expires_in, scopes)) => IssueRequest { expires_in, scopes },
            None => self.issue_request(),
        };
        let body = IssueBody { name, issue };
        let request = self.client.post(self.url(&self.tokens_path)).json(&body);
        let (status, headers, bytes) = self.bearer_call(request, token).await?;
        if !status.is_success() {
            return Ok(Err(refusal(status, &headers, &bytes)));
        }
        let answer: IssueAnswer = serde_json::from_slice(&bytes)
            .map_err(|e| shape_error(format!("POST tokens answer is not a JSON object: {e}")))?;
        Ok(Ok(answer))
    }

    /// `DELETE {tokens}/{id}` with `token`. `id` must already be validated.
    pub async fn revoke(&self, token: &str, id: &str) -> Answer<Revoked> {
        let url = format!("{}/{}", self.url(&self.tokens_path), id);
        let (status, headers, bytes) = self.bearer_call(self.client.delete(url), token).await?;
        Ok(match status {
            s if s.is_success() => Ok(Revoked::Revoked),
            StatusCode::NOT_FOUND => Ok(Revoked::NotFound),
            s => Err(refusal(s, &headers, &bytes)),
        })
    }

    /// `GET {TOKEN_API_METHODS_PATH}` with `token`: the methods a token may be given, as an
    /// array of strings (or of objects naming one in `method`, `name` or `scope`).
    pub async fn methods(&self, token: &str) -> Answer<Vec<String>> {
        let request = self.client.get(self.url(&self.methods_path));
        let (status, headers, bytes) = self.bearer_call(request, token).await?;
        if !status.is_success() {
            return Ok(Err(refusal(status, &headers, &bytes)));
        }
        let values: Vec<serde_json::Value> = serde_json::from_slice(&bytes)
            .map_err(|e| shape_error(format!("methods list is not a JSON array: {e}")))?;
        let methods = values
            .iter()
            .filter_map(|v| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Object(o) => ["method", "name", "scope"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(|x| x.as_str()).map(str::to_owned)),
                _ => None,
            })
            .collect();
        Ok(Ok(methods))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, RETRY_AFTER};
    use serde_json::json;

    #[test]
    fn request_bodies_have_the_platforms_field_names() {
        let scopes = vec!["GET /tokens".to_owned()];
        let login = LoginBody {
            username: "pilot",
            password: "pw",
            issue: IssueRequest {
                expires_in: "12 hours",
                scopes: &scopes,
            },
        };
        assert_eq!(
            serde_json::to_value(&login).expect("json"),
            json!({"username": "pilot", "password": "pw", "expiresIn": "12 hours", "scopes": ["GET /tokens"]})
        );
        let issue = IssueBody {
            name: "Pilot 2 · X",
            issue: IssueRequest {
                expires_in: "1 day",
                scopes: &[],
            },
        };
        assert_eq!(
            serde_json::to_value(&issue).expect("json"),
            json!({"name": "Pilot 2 · X", "expiresIn": "1 day"}),
            "no scopes: unrestricted, and the field is left out"
        );
    }

    #[test]
    fn retry_after_is_rounded_up_never_shorter() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(RETRY_AFTER, HeaderValue::from_str(v).expect("value"));
            m
        };
        assert_eq!(retry_after_secs(&h("17")), Some(17));
        assert_eq!(retry_after_secs(&h("0")), Some(1));
        assert_eq!(retry_after_secs(&h("2.1")), Some(3));
        let later = std::time::SystemTime::now() + std::time::Duration::from_millis(90_500);
        let secs = retry_after_secs(&h(&httpdate::fmt_http_date(later))).expect("date");
        // an HTTP date has whole seconds: the wait is 90 or 91 s, never less
        assert!((90..=91).contains(&secs), "{secs}");
        assert_eq!(retry_after_secs(&h("soon")), None);
        assert_eq!(retry_after_secs(&HeaderMap::new()), None);
    }

    #[test]
    fn the_login_answer_needs_every_confirmed_field() {
        let full = json!({"_id": "66a66b2207dfcec6494cd618", "issuedAt": 1, "expiresAt": 2,
            "user": {"name": "test@example.com"}, "token": "eyJ"});
        assert!(serde_json::from_value::<LoginWire>(full.clone()).is_ok());
        for field in ["_id", "expiresAt", "user", "token"] {
            let mut v = full.clone();
            v.as_object_mut().expect("object").remove(field);
            assert!(serde_json::from_value::<LoginWire>(v).is_err(), "{field}");
        }
    }

    #[test]
    fn the_list_must_be_an_array_of_token_objects() {
        assert!(serde_json::from_str::<Vec<PlatformToken>>(
            r#"[{"_id":"66a64c586a8ed41e84ece92b","name":"get-objects-01","expiresAt":1724706000000,"scopes":["GET /objects"]}]"#
        )
        .is_ok());
        for bad in [
            "",
            "<html>",
            "{}",
            r#"{"items":[]}"#,
            r#"[{"name":"x"}]"#,
            "[1]",
        ] {
            assert!(
                serde_json::from_str::<Vec<PlatformToken>>(bad).is_err(),
                "{bad}"
            );
        }
    }
}
