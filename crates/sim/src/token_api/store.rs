//! Users and issued tokens of the simulated platform, and the token values that carry them.
//!
//! A presented token is found by its value (never by a claim inside it), so the simulator
//! works the same whatever the tokens look like ([`TokenStyle`]).

use super::behaviour::TokenStyle;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// JWT claims of a platform token in the [`TokenStyle::Jwt`] style (the proxy's old guess:
/// `sub` the user name, `jti` the `_id`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// user name
    pub sub: String,
    /// the token's `_id`
    pub jti: String,
    /// seconds
    pub iat: i64,
    /// seconds
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
}

/// Only the times ([`TokenStyle::JwtMinimal`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TimesOnly {
    iat: i64,
    exp: i64,
}

/// An issued token as the platform remembers it.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub id: String,
    pub name: Option<String>,
    pub user: String,
    pub issued_at_ms: i64,
    pub expires_at_ms: i64,
    pub scopes: Vec<String>,
    pub revoked: bool,
}

/// Why a presented token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Invalid,
    Expired,
    Revoked,
}

pub struct Store {
    users: HashMap<String, String>,
    tokens: HashMap<String, TokenRecord>,
    /// token value → `_id`
    by_value: HashMap<String, String>,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A MongoDB ObjectId-like `_id`: 24 hex characters.
fn object_id() -> String {
    random_hex(12)
}

impl Store {
    pub fn new(secret: &[u8], users: HashMap<String, String>) -> Self {
        Store {
            users,
            tokens: HashMap::new(),
            by_value: HashMap::new(),
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn check_password(&self, user: &str, password: &str) -> bool {
        self.users.get(user).is_some_and(|p| p == password)
    }

    fn sign<T: Serialize>(&self, claims: &T) -> String {
        // HS256 over serializable claims cannot fail.
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .unwrap_or_default()
    }

    /// The token value for `record` in `style`.
    fn value(&self, record: &mut TokenRecord, style: TokenStyle) -> String {
        match style {
            TokenStyle::Jwt => self.sign(&Claims {
                sub: record.user.clone(),
                jti: record.id.clone(),
                iat: record.issued_at_ms.div_euclid(1000),
                exp: record.expires_at_ms.div_euclid(1000),
                scopes: record.scopes.clone(),
            }),
            TokenStyle::JwtMinimal => loop {
                // Only `iat` and `exp`: two tokens of the same second would be the same
                // string, so `exp` moves on by a second until the value is new (a real
                // platform issuing such tokens must make them differ somehow, too).
                let jwt = self.sign(&TimesOnly {
                    iat: record.issued_at_ms.div_euclid(1000),
                    exp: record.expires_at_ms.div_euclid(1000),
                });
                if !self.by_value.contains_key(&jwt) {
                    break jwt;
                }
                record.expires_at_ms += 1000;
            },
            TokenStyle::Opaque => format!("ric_{}", random_hex(24)),
        }
    }

    /// Issues a token with explicit times (milliseconds since the epoch).
    pub fn issue(
        &mut self,
        user: &str,
        name: Option<String>,
        issued_at_ms: i64,
        expires_at_ms: i64,
        scopes: Vec<String>,
        style: TokenStyle,
    ) -> (TokenRecord, String) {
        let mut record = TokenRecord {
            id: object_id(),
            name,
            user: user.to_owned(),
            issued_at_ms,
            expires_at_ms,
            scopes,
            revoked: false,
        };
        let value = self.value(&mut record, style);
        self.by_value.insert(value.clone(), record.id.clone());
        self.tokens.insert(record.id.clone(), record.clone());
        (record, value)
    }

    /// Checks the signature (of a JWT), then that the platform issued this very value, then
    /// expiry and revocation, in that order.
    pub fn verify(&self, token: &str, now_ms: i64) -> Result<TokenRecord, Refusal> {
        if token.matches('.').count() == 2 {
            let mut validation = Validation::new(Algorithm::HS256);
            // expiry is checked below against the record, to the millisecond
            validation.validate_exp = false;
            validation.required_spec_claims.clear();
            jsonwebtoken::decode::<serde_json::Value>(token, &self.decoding, &validation)
                .map_err(|_| Refusal::Invalid)?;
        }
        let record = self
            .by_value
            .get(token)
            .and_then(|id| self.tokens.get(id))
            .ok_or(Refusal::Invalid)?;
        if record.expires_at_ms <= now_ms {
            return Err(Refusal::Expired);
        }
        if record.revoked {
            return Err(Refusal::Revoked);
        }
        Ok(record.clone())
    }

    /// Live tokens, oldest first: every user's (`user` `None`: the whole project, as the
    /// document says the list is) or one user's.
    pub fn list(&self, user: Option<&str>, now_ms: i64) -> Vec<TokenRecord> {
        let mut list: Vec<_> = self
            .tokens
            .values()
            .filter(|t| user.is_none_or(|u| t.user == u))
            .filter(|t| !t.revoked && t.expires_at_ms > now_ms)
            .cloned()
            .collect();
        list.sort_by(|a, b| (a.issued_at_ms, &a.id).cmp(&(b.issued_at_ms, &b.id)));
        list
    }

    /// The record of `_id`, revoked or not.
    pub fn get(&self, id: &str) -> Option<TokenRecord> {
        self.tokens.get(id).cloned()
    }

    /// Revokes one of `user`'s tokens; `false` if it is not theirs, unknown or already
    /// revoked.
    pub fn revoke(&mut self, user: &str, id: &str) -> bool {
        match self.tokens.get_mut(id) {
            Some(t) if t.user == user && !t.revoked => {
                t.revoked = true;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        Store::new(
            b"secret",
            HashMap::from([("pilot".into(), "pilot123".into())]),
        )
    }

    #[test]
    fn verify_order_signature_expiry_revocation() {
        let mut s = store();
        let (rec, jwt) = s.issue("pilot", None, 1_000_000, 2_000_000, vec![], TokenStyle::Jwt);
        assert_eq!(s.verify(&jwt, 1_500_000).map(|r| r.id), Ok(rec.id.clone()));
        assert_eq!(
            s.verify(&jwt, 2_000_000).map(|r| r.id),
            Err(Refusal::Expired)
        );
        assert!(s.revoke("pilot", &rec.id));
        assert_eq!(
            s.verify(&jwt, 1_500_000).map(|r| r.id),
            Err(Refusal::Revoked)
        );
        // change the signature's first character (the last one may carry only padding bits)
        let dot = jwt.rfind('.').expect("signature") + 1;
        let first = &jwt[dot..=dot];
        let replacement = if first == "A" { "B" } else { "A" };
        let forged = format!("{}{}{}", &jwt[..dot], replacement, &jwt[dot + 1..]);
        assert_eq!(
            s.verify(&forged, 1_500_000).map(|r| r.id),
            Err(Refusal::Invalid)
        );
        let other = Store::new(b"other", HashMap::new());
        assert_eq!(
            other.verify(&jwt, 1_500_000).map(|r| r.id),
            Err(Refusal::Invalid)
        );
    }

    #[test]
    fn minimal_jwts_of_one_second_still_differ_and_opaque_tokens_work() {
        let mut s = store();
        let (a, ta) = s.issue(
            "pilot",
            None,
            1_000_000,
            2_000_000,
            vec![],
            TokenStyle::JwtMinimal,
        );
        let (b, tb) = s.issue(
            "pilot",
            None,
            1_000_000,
            2_000_000,
            vec![],
            TokenStyle::JwtMinimal,
        );
        assert_ne!(ta, tb);
        assert_ne!(a.expires_at_ms, b.expires_at_ms);
        assert_eq!(s.verify(&tb, 1_500_000).map(|r| r.id), Ok(b.id));
        let (c, tc) = s.issue(
            "pilot",
            None,
            1_000_000,
            2_000_000,
            vec![],
            TokenStyle::Opaque,
        );
        assert!(!tc.contains('.'));
        assert_eq!(s.verify(&tc, 1_500_000).map(|r| r.id), Ok(c.id));
        assert_eq!(
            s.verify("ric_unknown", 1_500_000).map(|r| r.id),
            Err(Refusal::Invalid)
        );
    }

    #[test]
    fn revoke_only_own_tokens() {
        let mut s = store();
        let (rec, _) = s.issue("pilot", None, 0, i64::MAX / 2, vec![], TokenStyle::Jwt);
        assert!(!s.revoke("someone", &rec.id));
        assert!(!s.revoke("pilot", "nope"));
        assert!(s.revoke("pilot", &rec.id));
        assert!(!s.revoke("pilot", &rec.id), "twice is not found");
    }
}
