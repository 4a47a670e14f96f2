//! Reading a JWT's claims without checking its signature.
//!
//! Only the platform can check the signature (it holds the key). The page reads `exp` to
//! decide what to do before asking anyone, and the proxy reads `sub`/`exp` of a token the
//! platform has just accepted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

/// The claims pilot-portal relies on. Times are seconds since the epoch (RFC 7519).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Claims {
    #[serde(default)]
    pub sub: Option<String>,
    /// Token id; the platform's `_id`, needed to revoke it.
    #[serde(default)]
    pub jti: Option<String>,
    #[serde(default)]
    pub iat: Option<i64>,
    pub exp: i64,
}

impl Claims {
    pub fn expires_at_ms(&self) -> i64 {
        self.exp.saturating_mul(1000)
    }

    pub fn issued_at_ms(&self) -> Option<i64> {
        self.iat.map(|s| s.saturating_mul(1000))
    }
}

/// Why a token's claims cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimsError {
    NotAJwt,
    BadPayload,
}

/// Decodes the payload of a compact JWT (`header.payload.signature`).
pub fn decode_claims(token: &str) -> Result<Claims, ClaimsError> {
    let mut parts = token.trim().split('.');
    let (Some(_header), Some(payload), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ClaimsError::NotAJwt);
    };
    // Some encoders leave '=' padding on.
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| ClaimsError::BadPayload)?;
    serde_json::from_slice(&bytes).map_err(|_| ClaimsError::BadPayload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn reads_exp_iat_sub_jti() {
        let c = decode_claims(&jwt(
            r#"{"sub":"pilot","jti":"66a6","iat":1700000000,"exp":1700003600}"#,
        ))
        .expect("decodes");
        assert_eq!(c.sub.as_deref(), Some("pilot"));
        assert_eq!(c.jti.as_deref(), Some("66a6"));
        assert_eq!(c.expires_at_ms(), 1_700_003_600_000);
        assert_eq!(c.issued_at_ms(), Some(1_700_000_000_000));
    }

    #[test]
    fn exp_is_required() {
        assert_eq!(
            decode_claims(&jwt(r#"{"sub":"pilot"}"#)),
            Err(ClaimsError::BadPayload)
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert_eq!(decode_claims(""), Err(ClaimsError::NotAJwt));
        assert_eq!(decode_claims("abc"), Err(ClaimsError::NotAJwt));
        assert_eq!(decode_claims("a.b.c.d"), Err(ClaimsError::NotAJwt));
        assert_eq!(decode_claims("a.!!!.c"), Err(ClaimsError::BadPayload));
        assert_eq!(
            decode_claims(&jwt("not json")),
            Err(ClaimsError::BadPayload)
        );
    }

    #[test]
    fn padded_payload_is_accepted() {
        let padded = format!(
            "h.{}.s",
            base64::engine::general_purpose::URL_SAFE.encode(r#"{"exp":1}"#)
        );
        assert_eq!(decode_claims(&padded).map(|c| c.exp), Ok(1));
    }
}
