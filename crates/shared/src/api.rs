//! Requests and responses of the proxy's `/api` routes.

use serde::{Deserialize, Serialize};

/// Route paths, so the page and the proxy name them once.
pub mod paths {
    pub const CONFIG: &str = "/api/config";
    pub const LOGIN: &str = "/api/auth/login";
    pub const SESSION: &str = "/api/session";
    pub const SESSION_RENEW: &str = "/api/session/renew";
    pub const SESSION_LOGOUT: &str = "/api/session/logout";
}

/// DJI Cloud API app credentials for `platformVerifyLicense`. Not secrets: DJI binds them to
/// the app, and Pilot 2 needs them in the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DjiAppLicense {
    pub app_id: String,
    pub app_key: String,
    pub license: String,
}

/// `GET /api/config`: what the page needs before it talks to Pilot 2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageConfig {
    /// Shown in Pilot 2's top bar (`platformSetInformation`).
    pub platform_name: String,
    pub dji: DjiAppLicense,
    /// `host` of Pilot 2's `api` module: where Pilot 2 itself sends `X-Auth-Token` requests.
    pub api_module_host: String,
    /// Renew a valid token once less than this fraction of its lifetime is left (0..1).
    pub renew_below_fraction: f64,
}

/// `POST /api/auth/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A platform user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
}

/// A token the platform issued: answer to login and renewal. Times are epoch milliseconds, as
/// the platform gives them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenGrant {
    pub token: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub user: User,
}

impl std::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenGrant")
            .field("token", &"<redacted>")
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("user", &self.user)
            .finish()
    }
}

/// `GET /api/session`: the token is valid; who it belongs to and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: User,
    pub issued_at: i64,
    pub expires_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_secrets() {
        let req = LoginRequest {
            username: "pilot".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{req:?}").contains("hunter2"));
        let grant = TokenGrant {
            token: "eyJsecret".into(),
            issued_at: 1,
            expires_at: 2,
            user: User {
                name: "pilot".into(),
            },
        };
        assert!(!format!("{grant:?}").contains("eyJsecret"));
    }

    #[test]
    fn token_grant_wire_names() {
        let json =
            serde_json::json!({"token":"t","issued_at":1,"expires_at":2,"user":{"name":"p"}});
        let grant: TokenGrant = serde_json::from_value(json).expect("parses");
        assert_eq!(grant.expires_at, 2);
    }
}
