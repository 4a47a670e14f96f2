//! Checks the `Authorization: xag:{component_appid}:{timestamp}:{nonce}:{signature}` header
//! (`xag-third-party-authorization.zh.txt` §四): `signature = md5(component_appid + app_secret +
//! timestamp + nonce)`, lowercase hex; a timestamp more than 10 minutes off is expired; a nonce
//! is accepted once.

use md5::{Digest, Md5};
use std::collections::HashMap;

/// The signature tolerance of the reference: "超过10分钟 … 过期".
pub const WINDOW_SECS: i64 = 600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    Missing,
    Malformed,
    UnknownApp,
    BadSignature,
    Expired,
    NonceReused,
}

impl HeaderError {
    pub fn message(self) -> &'static str {
        match self {
            HeaderError::Missing => "Authorization header required",
            HeaderError::Malformed => {
                "Authorization must be xag:{component_appid}:{timestamp}:{nonce}:{signature}"
            }
            HeaderError::UnknownApp => "unknown component_appid",
            HeaderError::BadSignature => "signature mismatch",
            HeaderError::Expired => "timestamp outside the 10 minute window",
            HeaderError::NonceReused => "nonce already used",
        }
    }
}

/// Lowercase hex md5 of the concatenation.
pub fn md5_hex(parts: &[&str]) -> String {
    let mut h = Md5::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Verifies `header`; `now_secs` is the simulator's clock, `millis` whether timestamps are in
/// milliseconds. Remembers accepted nonces in `seen` (nonce → when) and forgets them once
/// they are outside the window.
pub fn verify(
    header: Option<&str>,
    appid: &str,
    secret: &str,
    millis: bool,
    now_secs: i64,
    seen: &mut HashMap<String, i64>,
) -> Result<(), HeaderError> {
    let header = header.ok_or(HeaderError::Missing)?;
    let parts: Vec<&str> = header.trim().split(':').collect();
    let [prefix, app, ts, nonce, sig] = parts.as_slice() else {
        return Err(HeaderError::Malformed);
    };
    if *prefix != "xag" || nonce.is_empty() || sig.is_empty() {
        return Err(HeaderError::Malformed);
    }
    if *app != appid {
        return Err(HeaderError::UnknownApp);
    }
    let stamp: i64 = ts.parse().map_err(|_| HeaderError::Malformed)?;
    if md5_hex(&[app, secret, ts, nonce]) != *sig {
        return Err(HeaderError::BadSignature);
    }
    let stamp_secs = if millis {
        stamp.div_euclid(1000)
    } else {
        stamp
    };
    if (now_secs - stamp_secs).abs() > WINDOW_SECS {
        return Err(HeaderError::Expired);
    }
    seen.retain(|_, at| now_secs - *at <= 2 * WINDOW_SECS);
    if seen.insert((*nonce).to_owned(), now_secs).is_some() {
        return Err(HeaderError::NonceReused);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn header(ts: i64, nonce: &str, secret: &str) -> String {
        let ts = ts.to_string();
        format!(
            "xag:app:{ts}:{nonce}:{}",
            md5_hex(&["app", secret, &ts, nonce])
        )
    }

    #[test]
    fn md5_matches_independent_vectors() {
        // computed with Python's hashlib
        assert_eq!(
            md5_hex(&["xag-demo-app", "s3cr3t", "1700000000", "a1b2c3"]),
            "ef4d33ee015c9ae5b943c6dc945a911b"
        );
    }

    #[test]
    fn accepts_a_good_header_once() {
        let mut seen = HashMap::new();
        let h = header(NOW - 30, "n1", "secret");
        assert_eq!(
            verify(Some(&h), "app", "secret", false, NOW, &mut seen),
            Ok(())
        );
        assert_eq!(
            verify(Some(&h), "app", "secret", false, NOW, &mut seen),
            Err(HeaderError::NonceReused)
        );
    }

    #[test]
    fn rejects_each_fault() {
        let mut seen = HashMap::new();
        let v = |h: &str, seen: &mut HashMap<String, i64>| {
            verify(Some(h), "app", "secret", false, NOW, seen)
        };
        assert_eq!(
            verify(None, "app", "secret", false, NOW, &mut seen),
            Err(HeaderError::Missing)
        );
        assert_eq!(v("Bearer x", &mut seen), Err(HeaderError::Malformed));
        assert_eq!(
            v(&header(NOW, "n2", "wrong"), &mut seen),
            Err(HeaderError::BadSignature)
        );
        assert_eq!(
            v(&header(NOW - 11 * 60, "n3", "secret"), &mut seen),
            Err(HeaderError::Expired)
        );
        assert_eq!(
            v(&header(NOW + 11 * 60, "n4", "secret"), &mut seen),
            Err(HeaderError::Expired)
        );
        assert_eq!(v(&header(NOW - 9 * 60, "n5", "secret"), &mut seen), Ok(()));
        let other = header(NOW, "n6", "secret").replacen("xag:app:", "xag:other:", 1);
        assert_eq!(v(&other, &mut seen), Err(HeaderError::UnknownApp));
    }

    #[test]
    fn millisecond_timestamps_when_configured() {
        let mut seen = HashMap::new();
        let ts = (NOW * 1000).to_string();
        let h = format!("xag:app:{ts}:n:{}", md5_hex(&["app", "secret", &ts, "n"]));
        assert_eq!(
            verify(Some(&h), "app", "secret", true, NOW, &mut seen),
            Ok(())
        );
        let mut seen = HashMap::new();
        assert_eq!(
            verify(Some(&h), "app", "secret", false, NOW, &mut seen),
            Err(HeaderError::Expired)
        );
    }
}
