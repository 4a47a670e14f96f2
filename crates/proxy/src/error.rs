//! The proxy's error type: every failure becomes `{"error": {"code", "message"}}` with a
//! stable code and a status. 5xx details go to the log, never to the client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use pilot_portal_shared::{ErrorBody, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("too many login attempts")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("no session token")]
    TokenMissing,
    #[error("session expired")]
    TokenExpired,
    #[error("session revoked")]
    TokenRevoked,
    #[error("session token invalid")]
    TokenInvalid,
    /// A token issued for another tool (Access tokens) presented as a Pilot 2 session: the
    /// code is `token_invalid`, so the page sends the pilot to sign in.
    #[error("a token issued for another tool is not a session")]
    NotASession,
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The platform answered 403 to a token method; the message says which permission.
    #[error("token permission missing: {0}")]
    TokenScopeMissing(String),
    /// The platform answered 400 to issuing a token (name, lifetime or methods).
    #[error("the platform refused the token request")]
    TokenRequestRefused,
    /// Another instance or request holds this token's renewal lease.
    #[error("a renewal of this token is in progress")]
    RenewalInProgress,
    /// The platform answered in a form these settings cannot use; `setting` is what an
    /// administrator changes, `detail` what was seen (for the log).
    #[error("{detail} (change {setting})")]
    UpstreamUnsupported {
        setting: &'static str,
        detail: String,
    },
    /// `what` names the upstream; `detail` is for the log only.
    #[error("{what} unreachable: {detail}")]
    UpstreamUnreachable { what: &'static str, detail: String },
    #[error("{what} timed out")]
    UpstreamTimeout { what: &'static str },
    #[error("{what} failed: {detail}")]
    Upstream { what: &'static str, detail: String },
    #[error("XAG linking is not configured")]
    XagNotConfigured,
    /// XAG refused the proxy's own request; `detail` is for the log only.
    #[error("XAG refused the request: {detail}")]
    XagRefused { detail: String },
    #[error("XAG link attempt unknown, used or expired")]
    LinkStateInvalid,
    #[error("FlightHub 2 is not configured")]
    FlightHubNotConfigured,
    #[error("FlightHub 2 rejected the organization key")]
    FlightHubKeyInvalid,
    #[error("no FlightHub 2 permission on the project")]
    FlightHubForbidden,
    /// `FLIGHTHUB_PROJECT_ACCESS` does not give this pilot the project.
    #[error("project not allowed for this pilot")]
    WorkspaceForbidden,
    #[error("rate limited by the {what}")]
    RateLimited {
        what: &'static str,
        retry_after_secs: u64,
    },
    /// An upstream error code the proxy does not map; passed on to the client.
    #[error("{what} answered code {code}")]
    UpstreamCode { what: &'static str, code: i64 },
    #[error("the gateway is offline")]
    DeviceOffline,
    #[error("the gateway did not answer in time")]
    DeviceTimeout,
    /// The gateway answered `result != 0`; the code is passed on as `upstream_code`.
    #[error("the gateway answered result {code}")]
    DeviceRefused { code: i64 },
    /// `detail` is for the log only (it never quotes the payload).
    #[error("unusable gateway reply: {detail}")]
    DeviceMalformed { detail: String },
    #[error("not the gateway of this session")]
    DeviceForbidden,
    /// [`ApiError::DeviceForbidden`] with the reason the pilot reads.
    #[error("gateway not allowed: {0}")]
    DeviceNotAllowed(String),
    #[error("no MQTT service account configured")]
    DeviceNotConfigured,
    #[error("the gateway rejected the license file's fingerprint (result {code})")]
    FingerprintMismatch { code: i64 },
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("request body not received in time")]
    RequestTimeout,
    /// Too many of `what` (support reports from this address or everyone this hour, XAG
    /// links started by this pilot): the proxy's own limits.
    #[error("too many {what}")]
    TooMany {
        what: &'static str,
        retry_after_secs: u64,
    },
    /// [`ApiError::NotFound`] with a message saying what is missing.
    #[error("not found: {0}")]
    NotFoundWhy(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::InvalidCredentials
            | ApiError::TokenMissing
            | ApiError::TokenExpired
            | ApiError::TokenRevoked
            | ApiError::TokenInvalid
            | ApiError::NotASession => StatusCode::UNAUTHORIZED,
            ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Forbidden(_) | ApiError::TokenScopeMissing(_) => StatusCode::FORBIDDEN,
            ApiError::TokenRequestRefused => StatusCode::BAD_REQUEST,
            ApiError::RenewalInProgress => StatusCode::CONFLICT,
            ApiError::UpstreamUnsupported { .. } => StatusCode::BAD_GATEWAY,
            ApiError::UpstreamUnreachable { .. } | ApiError::Upstream { .. } => {
                StatusCode::BAD_GATEWAY
            }
            ApiError::UpstreamTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            ApiError::XagNotConfigured => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::XagRefused { .. } => StatusCode::BAD_GATEWAY,
            ApiError::LinkStateInvalid => StatusCode::BAD_REQUEST,
            ApiError::FlightHubNotConfigured => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::FlightHubKeyInvalid | ApiError::UpstreamCode { .. } => {
                StatusCode::BAD_GATEWAY
            }
            ApiError::FlightHubForbidden | ApiError::WorkspaceForbidden => StatusCode::FORBIDDEN,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::DeviceOffline => StatusCode::CONFLICT,
            ApiError::DeviceTimeout => StatusCode::GATEWAY_TIMEOUT,
            ApiError::DeviceRefused { .. }
            | ApiError::DeviceMalformed { .. }
            | ApiError::FingerprintMismatch { .. } => StatusCode::BAD_GATEWAY,
            ApiError::DeviceForbidden | ApiError::DeviceNotAllowed(_) => StatusCode::FORBIDDEN,
            ApiError::DeviceNotConfigured => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::NotFound | ApiError::NotFoundWhy(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::BadRequest(_) => ErrorCode::BadRequest,
            ApiError::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            ApiError::InvalidCredentials => ErrorCode::InvalidCredentials,
            ApiError::TooManyAttempts { .. } => ErrorCode::TooManyAttempts,
            ApiError::TokenMissing => ErrorCode::TokenMissing,
            ApiError::TokenExpired => ErrorCode::TokenExpired,
            ApiError::TokenRevoked => ErrorCode::TokenRevoked,
            ApiError::TokenInvalid | ApiError::NotASession => ErrorCode::TokenInvalid,
            ApiError::Forbidden(_) => ErrorCode::Forbidden,
            ApiError::TokenScopeMissing(_) => ErrorCode::TokenScopeMissing,
            ApiError::TokenRequestRefused => ErrorCode::TokenRequestRefused,
            ApiError::RenewalInProgress => ErrorCode::RenewalInProgress,
            ApiError::UpstreamUnsupported { .. } => ErrorCode::UpstreamUnsupported,
            ApiError::UpstreamUnreachable { .. } => ErrorCode::UpstreamUnreachable,
            ApiError::UpstreamTimeout { .. } => ErrorCode::UpstreamTimeout,
            ApiError::Upstream { .. } => ErrorCode::UpstreamError,
            ApiError::XagNotConfigured => ErrorCode::XagNotConfigured,
            ApiError::XagRefused { .. } => ErrorCode::XagRefused,
            ApiError::LinkStateInvalid => ErrorCode::LinkStateInvalid,
            ApiError::FlightHubNotConfigured => ErrorCode::FlightHubNotConfigured,
            ApiError::FlightHubKeyInvalid => ErrorCode::FlightHubKeyInvalid,
            ApiError::FlightHubForbidden => ErrorCode::FlightHubForbidden,
            ApiError::WorkspaceForbidden => ErrorCode::WorkspaceForbidden,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
            ApiError::UpstreamCode { .. } => ErrorCode::UpstreamError,
            ApiError::DeviceOffline => ErrorCode::DeviceOffline,
            ApiError::DeviceTimeout => ErrorCode::DeviceTimeout,
            ApiError::DeviceRefused { .. } | ApiError::DeviceMalformed { .. } => {
                ErrorCode::DeviceError
            }
            ApiError::DeviceForbidden | ApiError::DeviceNotAllowed(_) => ErrorCode::DeviceForbidden,
            ApiError::DeviceNotConfigured => ErrorCode::DeviceNotConfigured,
            ApiError::FingerprintMismatch { .. } => ErrorCode::FingerprintMismatch,
            ApiError::NotFound | ApiError::NotFoundWhy(_) => ErrorCode::NotFound,
            ApiError::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            ApiError::RequestTimeout => ErrorCode::RequestTimeout,
            ApiError::TooMany { .. } => ErrorCode::RateLimited,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// What the client is told: specific for its own mistakes, generic for ours.
    fn public_message(&self) -> String {
        match self {
            ApiError::BadRequest(m) => m.clone(),
            ApiError::PayloadTooLarge => "The request body is too large.".into(),
            ApiError::InvalidCredentials => "Wrong username or password.".into(),
            ApiError::TooManyAttempts { retry_after_secs } => {
                format!("Too many login attempts. Try again in {retry_after_secs} s.")
            }
            ApiError::TokenMissing => "Sign in first.".into(),
            ApiError::TokenExpired => "The session has expired.".into(),
            ApiError::TokenRevoked => "The session was ended on the platform.".into(),
            ApiError::TokenInvalid => "The session is not valid.".into(),
            ApiError::NotASession => "This token was issued for another tool (Access tokens): \
                it is not a Pilot 2 session. Sign in with your account."
                .into(),
            ApiError::Forbidden(m) | ApiError::TokenScopeMissing(m) => m.clone(),
            ApiError::TokenRequestRefused => {
                "The platform refused this token's name, lifetime or methods.".into()
            }
            ApiError::RenewalInProgress => {
                "This session is being renewed by another request. Try again in a moment.".into()
            }
            // Names a setting, not a secret: the pilot passes it on to the administrator.
            ApiError::UpstreamUnsupported { setting, .. } => format!(
                "The platform answered in a form this portal is not set up for. Administrator: \
                 check {setting}."
            ),
            ApiError::UpstreamUnreachable { what, .. } => format!("The {what} cannot be reached."),
            ApiError::UpstreamTimeout { what } => format!("The {what} did not answer in time."),
            ApiError::Upstream { what, .. } => format!("The {what} answered with an error."),
            ApiError::XagNotConfigured => {
                "XAG linking is not set up on this platform. Ask your platform administrator.".into()
            }
            ApiError::XagRefused { .. } => {
                "XAG refused the platform's request. Ask your platform administrator to check the XAG credentials.".into()
            }
            ApiError::LinkStateInvalid => {
                "This XAG link attempt is unknown, used or expired. Start linking again.".into()
            }
            ApiError::FlightHubNotConfigured => {
                "FlightHub 2 is not set up on this platform. Ask your platform administrator.".into()
            }
            ApiError::FlightHubKeyInvalid => {
                "FlightHub 2 rejected the platform's organization key. Ask your platform administrator.".into()
            }
            ApiError::FlightHubForbidden => {
                "The platform has no FlightHub 2 permission on this project.".into()
            }
            ApiError::WorkspaceForbidden => {
                "This project is not one of yours on this platform. Choose another project or ask your platform administrator.".into()
            }
            ApiError::RateLimited { what, retry_after_secs } => {
                format!("The {what} asks to slow down. Try again in {retry_after_secs} s.")
            }
            ApiError::UpstreamCode { what, code } => format!("The {what} answered with error {code}."),
            ApiError::DeviceOffline => "The remote controller is not connected to the platform.".into(),
            ApiError::DeviceTimeout => "The remote controller did not answer in time.".into(),
            ApiError::DeviceRefused { code } => {
                format!("The remote controller refused the request (code {code}).")
            }
            ApiError::DeviceMalformed { .. } => {
                "The remote controller's answer could not be read.".into()
            }
            ApiError::DeviceForbidden => {
                "This remote controller is not the one of your session.".into()
            }
            ApiError::DeviceNotConfigured => {
                "Flight unlocking is not set up on this platform. Ask your platform administrator.".into()
            }
            ApiError::FingerprintMismatch { .. } => {
                "The aircraft rejected the license file: its fingerprint does not match.".into()
            }
            ApiError::NotFound => "Not found.".into(),
            ApiError::MethodNotAllowed => "This method is not allowed here.".into(),
            ApiError::RequestTimeout => "The request body did not arrive in time.".into(),
            ApiError::TooMany { what, retry_after_secs } => {
                format!("Too many {what}. Try again in {retry_after_secs} s.")
            }
            ApiError::NotFoundWhy(m) | ApiError::DeviceNotAllowed(m) => m.clone(),
            ApiError::Internal(_) => "Internal error.".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if matches!(self, ApiError::DeviceRefused { .. }) {
            // The device's own answer to what a pilot asked (an unknown license, say): a 502
            // for the page, but nothing failed here, and any pilot can cause one — not an
            // ERROR an operator's alerting wakes up for.
            tracing::warn!(code = self.code().as_str(), detail = ?self.to_string());
        } else if status.is_server_error() {
            // `detail` never holds secrets: upstream URLs are stripped before it is built.
            tracing::error!(code = self.code().as_str(), detail = ?self.to_string());
        } else {
            // Debug-quoted: a message can quote the request (CR/LF would forge log lines).
            tracing::info!(code = self.code().as_str(), message = ?self.public_message());
        }
        let mut body = ErrorBody::new(self.code(), self.public_message());
        if let ApiError::UpstreamCode { code, .. }
        | ApiError::DeviceRefused { code }
        | ApiError::FingerprintMismatch { code } = &self
        {
            body.error.upstream_code = Some(*code);
        }
        let mut response = match &self {
            ApiError::TooManyAttempts { retry_after_secs }
            | ApiError::TooMany {
                retry_after_secs, ..
            }
            | ApiError::RateLimited {
                retry_after_secs, ..
            } => {
                body.error.retry_after_secs = Some(*retry_after_secs);
                let mut r = (status, Json(body)).into_response();
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
                r
            }
            _ => (status, Json(body)).into_response(),
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

/// An error and its causes, `a: b: c` ("error sending request" alone does not say that the
/// connection was refused, or the name did not resolve); a cause the message already holds is
/// not repeated.
pub fn with_causes(e: &dyn std::error::Error) -> String {
    let mut said = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !said.contains(&text) {
            said.push_str(": ");
            said.push_str(&text);
        }
        cause = c.source();
    }
    said
}
