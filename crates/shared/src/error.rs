//! The proxy's error body: `{"error": {"code": "...", "message": "..."}}` with a stable code.

use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes. The page decides what to tell the pilot from these,
/// never from message text, so messages can be reworded without breaking the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request body or a parameter is malformed.
    BadRequest,
    /// The request body is larger than the proxy accepts.
    PayloadTooLarge,
    /// Username or password rejected by the platform.
    InvalidCredentials,
    /// Too many login attempts from this address or for this username.
    TooManyAttempts,
    /// No `Authorization: Bearer` token on a route that needs one.
    TokenMissing,
    /// The token's lifetime is over.
    TokenExpired,
    /// The token was revoked on the platform.
    TokenRevoked,
    /// The token is malformed or its signature is rejected.
    TokenInvalid,
    /// The token is valid but not allowed to do this (scopes).
    Forbidden,
    /// The platform refused a token method (list, issue, revoke tokens) with 403: the pilot's
    /// token or account lacks that permission.
    TokenScopeMissing,
    /// The platform refused the name, lifetime or methods asked for a new token (400).
    TokenRequestRefused,
    /// Another renewal of the same token is still running; try again in a moment.
    RenewalInProgress,
    /// The platform answered in a form this proxy's settings do not support; the message
    /// names the setting an administrator should change.
    UpstreamUnsupported,
    /// The platform could not be reached.
    UpstreamUnreachable,
    /// The platform did not answer in time.
    UpstreamTimeout,
    /// The platform answered with something the proxy cannot use.
    UpstreamError,
    /// The proxy has no XAG credentials configured.
    XagNotConfigured,
    /// XAG refused the proxy's request (signature, component token): an operator problem.
    XagRefused,
    /// The XAG link attempt is unknown, used or expired: start linking again.
    LinkStateInvalid,
    /// FlightHub 2 is not configured on this proxy.
    #[serde(rename = "flighthub_not_configured")]
    FlightHubNotConfigured,
    /// FlightHub 2 rejected the organization key (`200401`): an operator problem.
    #[serde(rename = "flighthub_key_invalid")]
    FlightHubKeyInvalid,
    /// The organization key has no permission on this project (`200403`).
    #[serde(rename = "flighthub_forbidden")]
    FlightHubForbidden,
    /// This platform's allow-list (`FLIGHTHUB_PROJECT_ACCESS`) does not give the pilot this
    /// FlightHub 2 project.
    WorkspaceForbidden,
    /// An upstream asked to slow down (FlightHub `210429` or HTTP 429), or a limit of the
    /// proxy's own was reached; see `retry_after_secs`.
    RateLimited,
    /// The pilot's gateway (remote controller) is not connected to the platform's broker.
    DeviceOffline,
    /// The gateway did not answer the service in time.
    DeviceTimeout,
    /// The gateway answered `result != 0`; the code is in `upstream_code`.
    DeviceError,
    /// This gateway is not the one of the pilot's session.
    DeviceForbidden,
    /// The platform has no MQTT service account configured to reach gateways.
    DeviceNotConfigured,
    /// The gateway reported that the license file does not match its fingerprint (MD5).
    FingerprintMismatch,
    /// No such route or resource.
    NotFound,
    /// The route exists, but not with this HTTP method.
    MethodNotAllowed,
    /// The client did not send its request body in time.
    RequestTimeout,
    /// A bug or misconfiguration in the proxy.
    Internal,
    /// A code this build of the page does not know (a newer proxy).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The wire name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::TokenMissing => "token_missing",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::TokenRevoked => "token_revoked",
            ErrorCode::TokenInvalid => "token_invalid",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::TokenScopeMissing => "token_scope_missing",
            ErrorCode::TokenRequestRefused => "token_request_refused",
            ErrorCode::RenewalInProgress => "renewal_in_progress",
            ErrorCode::UpstreamUnsupported => "upstream_unsupported",
            ErrorCode::UpstreamUnreachable => "upstream_unreachable",
            ErrorCode::UpstreamTimeout => "upstream_timeout",
            ErrorCode::UpstreamError => "upstream_error",
            ErrorCode::XagNotConfigured => "xag_not_configured",
            ErrorCode::XagRefused => "xag_refused",
            ErrorCode::LinkStateInvalid => "link_state_invalid",
            ErrorCode::FlightHubNotConfigured => "flighthub_not_configured",
            ErrorCode::FlightHubKeyInvalid => "flighthub_key_invalid",
            ErrorCode::FlightHubForbidden => "flighthub_forbidden",
            ErrorCode::WorkspaceForbidden => "workspace_forbidden",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::DeviceOffline => "device_offline",
            ErrorCode::DeviceTimeout => "device_timeout",
            ErrorCode::DeviceError => "device_error",
            ErrorCode::DeviceForbidden => "device_forbidden",
            ErrorCode::DeviceNotConfigured => "device_not_configured",
            ErrorCode::FingerprintMismatch => "fingerprint_mismatch",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::Internal => "internal",
            ErrorCode::Unknown => "unknown",
        }
    }

    /// Codes that mean "this token is no good, log in again".
    pub fn is_session_over(self) -> bool {
        matches!(
            self,
            ErrorCode::TokenMissing
                | ErrorCode::TokenExpired
                | ErrorCode::TokenRevoked
                | ErrorCode::TokenInvalid
        )
    }
}

/// The inner part of [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// Seconds to wait before retrying, for [`ErrorCode::TooManyAttempts`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    /// The upstream's own error code, when it gave one the proxy does not map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream_code: Option<i64>,
}

/// Every non-2xx response of the proxy carries this body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code,
                message: message.into(),
                retry_after_secs: None,
                upstream_code: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_wire_shape_is_stable() {
        let body = ErrorBody::new(ErrorCode::TokenExpired, "Your session expired.");
        let json = serde_json::to_value(&body).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "token_expired", "message": "Your session expired."}})
        );
    }

    #[test]
    fn as_str_matches_serde_name_for_every_code() {
        let all = [
            ErrorCode::BadRequest,
            ErrorCode::PayloadTooLarge,
            ErrorCode::InvalidCredentials,
            ErrorCode::TooManyAttempts,
            ErrorCode::TokenMissing,
            ErrorCode::TokenExpired,
            ErrorCode::TokenRevoked,
            ErrorCode::TokenInvalid,
            ErrorCode::Forbidden,
            ErrorCode::TokenScopeMissing,
            ErrorCode::TokenRequestRefused,
            ErrorCode::RenewalInProgress,
            ErrorCode::UpstreamUnsupported,
            ErrorCode::UpstreamUnreachable,
            ErrorCode::UpstreamTimeout,
            ErrorCode::UpstreamError,
            ErrorCode::XagNotConfigured,
            ErrorCode::XagRefused,
            ErrorCode::LinkStateInvalid,
            ErrorCode::FlightHubNotConfigured,
            ErrorCode::FlightHubKeyInvalid,
            ErrorCode::FlightHubForbidden,
            ErrorCode::WorkspaceForbidden,
            ErrorCode::RateLimited,
            ErrorCode::DeviceOffline,
            ErrorCode::DeviceTimeout,
            ErrorCode::DeviceError,
            ErrorCode::DeviceForbidden,
            ErrorCode::DeviceNotConfigured,
            ErrorCode::FingerprintMismatch,
            ErrorCode::NotFound,
            ErrorCode::MethodNotAllowed,
            ErrorCode::RequestTimeout,
            ErrorCode::Internal,
        ];
        for code in all {
            let json = serde_json::to_value(code).expect("serializes");
            assert_eq!(json, serde_json::Value::String(code.as_str().to_owned()));
        }
    }

    #[test]
    fn unknown_codes_from_a_newer_proxy_still_parse() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"brand_new","message":"x"}}"#)
                .expect("parses");
        assert_eq!(body.error.code, ErrorCode::Unknown);
    }
}
