//! Users and issued tokens of the simulated platform, and the JWTs that carry them.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// JWT claims of a platform token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// user name
    pub sub: String,
    /// the token's `_id`, so it can be revoked
    pub jti: String,
    /// seconds
    pub iat: i64,
    /// seconds
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
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
    encoding: EncodingKey,
    decoding: DecodingKey,
}

fn object_id() -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    pub fn new(secret: &[u8], users: HashMap<String, String>) -> Self {
        Store {
            users,
            tokens: HashMap::new(),
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn check_password(&self, user: &str, password: &str) -> bool {
        self.users.get(user).is_some_and(|p| p == password)
    }

    /// Issues a token with explicit times (milliseconds since the epoch).
    pub fn issue(
        &mut self,
        user: &str,
        name: Option<String>,
        issued_at_ms: i64,
        expires_at_ms: i64,
        scopes: Vec<String>,
    ) -> (TokenRecord, String) {
        let record = TokenRecord {
            id: object_id(),
            name,
            user: user.to_owned(),
            issued_at_ms,
            expires_at_ms,
            scopes,
            revoked: false,
        };
        let claims = Claims {
            sub: record.user.clone(),
            jti: record.id.clone(),
            iat: issued_at_ms.div_euclid(1000),
            exp: expires_at_ms.div_euclid(1000),
            scopes: record.scopes.clone(),
        };
        // HS256 over serializable claims cannot fail.
        let jwt = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .unwrap_or_default();
        self.tokens.insert(record.id.clone(), record.clone());
        (record, jwt)
    }

    /// Checks signature, expiry and revocation, in that order.
    pub fn verify(&self, jwt: &str, now_ms: i64) -> Result<TokenRecord, Refusal> {
        let mut validation = Validation::new(Algorithm::HS256);
        // expiry is checked below against the record, to the millisecond
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<Claims>(jwt, &self.decoding, &validation)
            .map_err(|_| Refusal::Invalid)?;
        let record = self.tokens.get(&data.claims.jti).ok_or(Refusal::Invalid)?;
        if record.expires_at_ms <= now_ms {
            return Err(Refusal::Expired);
        }
        if record.revoked {
            return Err(Refusal::Revoked);
        }
        Ok(record.clone())
    }

    /// The user's live tokens.
    pub fn list(&self, user: &str, now_ms: i64) -> Vec<TokenRecord> {
        let mut list: Vec<_> = self
            .tokens
            .values()
            .filter(|t| t.user == user && !t.revoked && t.expires_at_ms > now_ms)
            .cloned()
            .collect();
        list.sort_by_key(|t| t.issued_at_ms);
        list
    }

    /// Revokes one of `user`'s tokens; `false` if it is not theirs or unknown.
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
        let (rec, jwt) = s.issue("pilot", None, 1_000_000, 2_000_000, vec![]);
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
    fn revoke_only_own_tokens() {
        let mut s = store();
        let (rec, _) = s.issue("pilot", None, 0, i64::MAX / 2, vec![]);
        assert!(!s.revoke("someone", &rec.id));
        assert!(!s.revoke("pilot", "nope"));
        assert!(s.revoke("pilot", &rec.id));
        assert!(!s.revoke("pilot", &rec.id), "twice is not found");
    }
}
