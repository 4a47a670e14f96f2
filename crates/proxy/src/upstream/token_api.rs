//! The platform token API (Rightech-style, `upstream-apis.md` §C).
//!
//! Only `POST /api/v1/auth/token` is confirmed by the reference; the token collection path is
//! configurable. The platform's 401 body is not confirmed either, so the reason a token is
//! refused is read from its `codes` when present and otherwise from the token's own `exp`.

use super::{json_body, send, unexpected_status};
use crate::clock::now_ms;
use crate::error::ApiError;
use pilot_portal_shared::jwt::decode_claims;
use pilot_portal_shared::{SessionInfo, TokenGrant, User};
use reqwest::{Client, StatusCode};
use serde::{Deserialize, Serialize};

const WHAT: &str = "platform";

#[derive(Clone)]
pub struct TokenApi {
    client: Client,
    base_url: String,
    login_path: String,
    tokens_path: String,
    expires_in: String,
    scopes: Vec<String>,
}

/// The platform's answer to issuing a token.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Issued {
    #[serde(rename = "_id")]
    _id: Option<String>,
    issued_at: i64,
    expires_at: i64,
    user: Option<User>,
    token: String,
}

/// The platform's error body (RicError); only `codes` is used.
#[derive(Deserialize, Default)]
struct RicError {
    #[serde(default)]
    codes: Vec<String>,
}

/// What every token request asks for: lifetime and scopes (none: unrestricted).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IssueRequest<'a> {
    expires_in: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    scopes: &'a [String],
}

/// `POST /api/v1/auth/token`: a token for these credentials.
#[derive(Serialize)]
struct LoginBody<'a> {
    username: &'a str,
    password: &'a str,
    #[serde(flatten)]
    issue: IssueRequest<'a>,
}

/// `POST /api/v1/tokens`: another token for the Bearer's user, named after the portal.
#[derive(Serialize)]
struct RenewBody<'a> {
    name: &'a str,
    #[serde(flatten)]
    issue: IssueRequest<'a>,
}

impl TokenApi {
    pub fn new(client: Client, config: &crate::config::Config) -> Self {
        TokenApi {
            client,
            base_url: config.token_api_url.trim_end_matches('/').to_owned(),
            login_path: config.token_api_login_path.clone(),
            tokens_path: config.token_api_tokens_path.clone(),
            expires_in: config.token_expires_in.clone(),
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

    fn issue(&self) -> IssueRequest<'_> {
        IssueRequest {
            expires_in: &self.expires_in,
            scopes: &self.scopes,
        }
    }

    /// `POST /api/v1/auth/token` with the pilot's credentials.
    pub async fn login(&self, username: &str, password: &str) -> Result<TokenGrant, ApiError> {
        let body = LoginBody {
            username,
            password,
            issue: self.issue(),
        };
        let (status, bytes) = send(
            self.client.post(self.url(&self.login_path)).json(&body),
            WHAT,
        )
        .await?;
        match status {
            s if s.is_success() => {
                let issued: Issued = json_body(&bytes, WHAT)?;
                Ok(grant(issued, username))
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(ApiError::InvalidCredentials),
            StatusCode::TOO_MANY_REQUESTS => Err(ApiError::TooManyAttempts {
                retry_after_secs: 60,
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

    /// Asks the platform whether `token` is still good; on success, who holds it.
    pub async fn session(&self, token: &str) -> Result<SessionInfo, ApiError> {
        let claims = decode_claims(token).map_err(|_| ApiError::TokenInvalid)?;
        if claims.expires_at_ms() <= now_ms() {
            // No need to ask: the platform would refuse it.
            return Err(ApiError::TokenExpired);
        }
        let request = self
            .client
            .get(self.url(&self.tokens_path))
            .bearer_auth(token);
        let (status, bytes) = send(request, WHAT).await?;
        if !status.is_success() {
            return Err(self.refusal(status, &bytes, token));
        }
        Ok(SessionInfo {
            user: User {
                name: claims.sub.clone().unwrap_or_default(),
            },
            issued_at: claims.issued_at_ms().unwrap_or(0),
            expires_at: claims.expires_at_ms(),
        })
    }

    /// `POST /api/v1/tokens` with the current token: a fresh token for the same user. The old
    /// one is revoked afterwards so only one token per pilot stays live.
    pub async fn renew(&self, token: &str) -> Result<TokenGrant, ApiError> {
        let claims = decode_claims(token).map_err(|_| ApiError::TokenInvalid)?;
        if claims.expires_at_ms() <= now_ms() {
            return Err(ApiError::TokenExpired);
        }
        let body = RenewBody {
            name: "pilot-portal",
            issue: self.issue(),
        };
        let request = self
            .client
            .post(self.url(&self.tokens_path))
            .bearer_auth(token)
            .json(&body);
        let (status, bytes) = send(request, WHAT).await?;
        if !status.is_success() {
            return Err(self.refusal(status, &bytes, token));
        }
        let issued: Issued = json_body(&bytes, WHAT)?;
        let user = claims.sub.clone().unwrap_or_default();
        let grant = grant(issued, &user);
        if let Err(e) = self.revoke(token).await {
            tracing::warn!(
                code = e.code().as_str(),
                "renewed, but the old token was not revoked"
            );
        }
        Ok(grant)
    }

    /// `DELETE /api/v1/tokens/{id}` of the token itself. An already dead token is fine.
    pub async fn revoke(&self, token: &str) -> Result<(), ApiError> {
        let claims = decode_claims(token).map_err(|_| ApiError::TokenInvalid)?;
        let Some(id) = claims.jti.filter(|id| !id.is_empty() && !id.contains('/')) else {
            return Err(ApiError::TokenInvalid);
        };
        let url = format!("{}/{}", self.url(&self.tokens_path), id);
        let (status, bytes) = send(self.client.delete(url).bearer_auth(token), WHAT).await?;
        match status {
            s if s.is_success() => Ok(()),
            StatusCode::UNAUTHORIZED | StatusCode::NOT_FOUND => Ok(()),
            s => Err(self.refusal(s, &bytes, token)),
        }
    }

    /// Why the platform refused a Bearer request.
    fn refusal(&self, status: StatusCode, body: &[u8], token: &str) -> ApiError {
        match status {
            StatusCode::UNAUTHORIZED => {
                let codes = serde_json::from_slice::<RicError>(body)
                    .unwrap_or_default()
                    .codes;
                let has = |c: &str| codes.iter().any(|x| x == c);
                if has("error_token_revoked") {
                    ApiError::TokenRevoked
                } else if has("error_token_expired")
                    || decode_claims(token).is_ok_and(|c| c.expires_at_ms() <= now_ms())
                {
                    ApiError::TokenExpired
                } else {
                    ApiError::TokenInvalid
                }
            }
            StatusCode::FORBIDDEN => ApiError::Forbidden(
                "The platform token lacks a scope the portal needs (TOKEN_SCOPES).".into(),
            ),
            s => unexpected_status(s, WHAT),
        }
    }
}

fn grant(issued: Issued, fallback_user: &str) -> TokenGrant {
    TokenGrant {
        token: issued.token,
        issued_at: issued.issued_at,
        expires_at: issued.expires_at,
        user: issued.user.unwrap_or_else(|| User {
            name: fallback_user.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_bodies_have_the_platforms_field_names() {
        let scopes = vec!["GET /tokens".to_owned()];
        let issue = IssueRequest {
            expires_in: "12 hours",
            scopes: &scopes,
        };
        let login = LoginBody {
            username: "pilot",
            password: "pw",
            issue,
        };
        assert_eq!(
            serde_json::to_value(&login).expect("json"),
            json!({"username": "pilot", "password": "pw", "expiresIn": "12 hours", "scopes": ["GET /tokens"]})
        );
        let renew = RenewBody {
            name: "pilot-portal",
            issue: IssueRequest {
                expires_in: "1d",
                scopes: &[],
            },
        };
        assert_eq!(
            serde_json::to_value(&renew).expect("json"),
            json!({"name": "pilot-portal", "expiresIn": "1d"}),
            "no scopes: unrestricted, and the field is left out"
        );
    }
}
