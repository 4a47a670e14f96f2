//! The three token states, decided as pure functions so they are tested natively.
//!
//! The browser reads the JWT's `exp` without checking its signature: only to avoid a useless
//! round trip for a token that is plainly expired, and to renew one that is about to be.
//! Whether a token is really valid is always the platform's answer, through the proxy.
//!
//! "Now" is the proxy's time: the controller's clock corrected by the offset kept in
//! [`crate::clock`] (a controller in a field often has no network time).

use super::claims::lifetime;
use crate::error::AppError;
use pilot_portal_shared::ErrorCode;

/// Why the login page is shown instead of the main page. (Serialized: the panels bundle
/// asks the signed-in one to end the session for one, see `crate::panels`.)
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LoginReason {
    /// The token's lifetime ended at this time (epoch ms).
    Expired { at_ms: Option<i64> },
    /// The platform revoked the token (from another controller, the platform's admin page).
    Revoked,
    /// The pilot revoked this controller's own token in the Access tokens panel.
    RevokedHere,
    /// The platform rejected the token (bad signature, unknown token).
    Invalid,
    /// The pilot logged out.
    LoggedOut,
}

/// What to do with the token found at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartPlan {
    /// No token: the login page, nothing to clear.
    Login,
    /// Plainly dead: clear it everywhere, then the login page with the reason.
    ClearAndLogin(LoginReason),
    /// Looks alive: one `GET /api/pilot/bootstrap` decides.
    Check,
    /// Alive but close to expiry: `POST /api/session/renew`.
    Renew,
}

/// Decides from the token alone, at controller time `now_ms` corrected by `clock_offset_ms`
/// (proxy time minus controller time). `renew_below_fraction` is the share of the token's
/// lifetime under which it is renewed (0.2 = renew in the last 20%).
pub fn plan(
    token: Option<&str>,
    now_ms: i64,
    clock_offset_ms: i64,
    renew_below_fraction: f64,
) -> StartPlan {
    let now_ms = crate::clock::corrected(now_ms, clock_offset_ms);
    let Some(token) = token.map(str::trim).filter(|t| !t.is_empty()) else {
        return StartPlan::Login;
    };
    let Some(claims) = lifetime(token) else {
        // Not a JWT we can read: let the platform judge it.
        return StartPlan::Check;
    };
    let expires = claims.expires_at_ms;
    if expires <= now_ms {
        return StartPlan::ClearAndLogin(LoginReason::Expired {
            at_ms: Some(expires),
        });
    }
    let Some(issued) = claims.issued_at_ms.filter(|i| *i < expires) else {
        return StartPlan::Check;
    };
    let life = (expires - issued) as f64;
    let left = (expires - now_ms) as f64;
    if left < life * renew_below_fraction.clamp(0.0, 1.0) {
        StartPlan::Renew
    } else {
        StartPlan::Check
    }
}

/// What the proxy's refusal means for the start sequence.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The token is dead: clear it, login page with the reason.
    SessionOver(LoginReason),
    /// Nothing is known about the token (network, platform down): keep it, offer a retry.
    Retry(AppError),
}

/// Classifies a failed bootstrap or renewal. `token` gives the expiry for the message.
pub fn refusal(error: AppError, token: &str) -> Refusal {
    if error == AppError::NoSession {
        return Refusal::SessionOver(LoginReason::Invalid);
    }
    let reason = match error.code() {
        Some(ErrorCode::TokenExpired) => LoginReason::Expired {
            at_ms: lifetime(token).map(|c| c.expires_at_ms),
        },
        Some(ErrorCode::TokenRevoked) => LoginReason::Revoked,
        Some(ErrorCode::TokenInvalid | ErrorCode::TokenMissing) => LoginReason::Invalid,
        _ => return Refusal::Retry(error),
    };
    Refusal::SessionOver(reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    const HOUR: i64 = 3_600_000;
    const NOW: i64 = 1_800_000_000_000;

    fn jwt(iat_ms: i64, exp_ms: i64) -> String {
        let payload = format!(
            r#"{{"sub":"pilot","iat":{},"exp":{}}}"#,
            iat_ms / 1000,
            exp_ms / 1000
        );
        format!("e30.{}.sig", URL_SAFE_NO_PAD.encode(payload))
    }

    #[test]
    fn no_token_is_the_login_page() {
        assert_eq!(plan(None, NOW, 0, 0.2), StartPlan::Login);
        assert_eq!(plan(Some("  "), NOW, 0, 0.2), StartPlan::Login);
    }

    #[test]
    fn expired_token_is_cleared_with_its_expiry() {
        let t = jwt(NOW - 13 * HOUR, NOW - HOUR);
        assert_eq!(
            plan(Some(&t), NOW, 0, 0.2),
            StartPlan::ClearAndLogin(LoginReason::Expired {
                at_ms: Some(NOW - HOUR)
            })
        );
    }

    #[test]
    fn fresh_token_is_checked_once() {
        let t = jwt(NOW - HOUR, NOW + 11 * HOUR);
        assert_eq!(plan(Some(&t), NOW, 0, 0.2), StartPlan::Check);
    }

    #[test]
    fn token_in_its_last_fifth_is_renewed() {
        // 10 h life, 1 h left = 10% < 20%
        let t = jwt(NOW - 9 * HOUR, NOW + HOUR);
        assert_eq!(plan(Some(&t), NOW, 0, 0.2), StartPlan::Renew);
        // 3 h left = 30%
        let t = jwt(NOW - 7 * HOUR, NOW + 3 * HOUR);
        assert_eq!(plan(Some(&t), NOW, 0, 0.2), StartPlan::Check);
        // threshold is configurable
        assert_eq!(plan(Some(&t), NOW, 0, 0.5), StartPlan::Renew);
        assert_eq!(plan(Some(&t), NOW, 0, 0.0), StartPlan::Check);
    }

    #[test]
    fn unreadable_or_iat_less_tokens_go_to_the_platform() {
        assert_eq!(plan(Some("opaque-token"), NOW, 0, 0.2), StartPlan::Check);
        let no_iat = format!(
            "e30.{}.s",
            URL_SAFE_NO_PAD.encode(format!(r#"{{"exp":{}}}"#, (NOW + HOUR) / 1000))
        );
        assert_eq!(plan(Some(&no_iat), NOW, 0, 0.2), StartPlan::Check);
    }

    const DAY: i64 = 24 * HOUR;

    #[test]
    fn a_controller_clock_days_off_decides_on_the_proxys_time() {
        let fresh = jwt(NOW - HOUR, NOW + 11 * HOUR);
        // two days ahead: expired by its own clock, alive by the proxy's
        let ahead = NOW + 2 * DAY;
        assert!(matches!(
            plan(Some(&fresh), ahead, 0, 0.2),
            StartPlan::ClearAndLogin(_)
        ));
        assert_eq!(plan(Some(&fresh), ahead, -2 * DAY, 0.2), StartPlan::Check);
        // two days behind: a token in its last fifth is still renewed
        let ending = jwt(NOW - 9 * HOUR, NOW + HOUR);
        let behind = NOW - 2 * DAY;
        assert_eq!(plan(Some(&ending), behind, 0, 0.2), StartPlan::Check);
        assert_eq!(plan(Some(&ending), behind, 2 * DAY, 0.2), StartPlan::Renew);
        // and a token really expired stays expired, whatever the controller's clock says
        let dead = jwt(NOW - 13 * HOUR, NOW - HOUR);
        assert!(matches!(
            plan(Some(&dead), behind, 2 * DAY, 0.2),
            StartPlan::ClearAndLogin(_)
        ));
    }

    fn api(code: ErrorCode) -> AppError {
        AppError::Api {
            status: 401,
            code,
            message: String::new(),
            retry_after_secs: None,
            upstream_code: None,
        }
    }

    #[test]
    fn refusals_map_to_reasons_or_retry() {
        let t = jwt(NOW - 2 * HOUR, NOW - HOUR);
        assert_eq!(
            refusal(api(ErrorCode::TokenExpired), &t),
            Refusal::SessionOver(LoginReason::Expired {
                at_ms: Some(NOW - HOUR)
            })
        );
        assert_eq!(
            refusal(api(ErrorCode::TokenRevoked), &t),
            Refusal::SessionOver(LoginReason::Revoked)
        );
        assert_eq!(
            refusal(api(ErrorCode::TokenInvalid), "x"),
            Refusal::SessionOver(LoginReason::Invalid)
        );
        assert!(matches!(
            refusal(api(ErrorCode::UpstreamUnreachable), &t),
            Refusal::Retry(_)
        ));
        assert!(matches!(
            refusal(AppError::Network("down".into()), &t),
            Refusal::Retry(_)
        ));
        assert_eq!(
            refusal(AppError::NoSession, ""),
            Refusal::SessionOver(LoginReason::Invalid)
        );
    }
}
