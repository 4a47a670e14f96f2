//! Upstream tokens at rest (XAG's `access_token` in `xag_links`): AES-256-GCM with the
//! configured `STORAGE_KEY` (32 bytes, base64), a random 96-bit nonce per value.
//!
//! A stored value is `v1:` + base64(nonce ‖ ciphertext ‖ tag); a value without the prefix is a
//! plaintext row from before encryption, which [`crate::db::Db::encrypt_stored_tokens`]
//! rewrites at start. A value that does not decrypt with the configured key stops the start
//! with an error naming `STORAGE_KEY`. The key is never logged (`Debug` hides it).

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand::RngCore;

const PREFIX: &str = "v1:";
const NONCE_BYTES: usize = 12;

#[derive(Clone)]
pub struct StorageKey {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for StorageKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StorageKey(<hidden>)")
    }
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

impl StorageKey {
    /// From `STORAGE_KEY`: `None` when empty; an error (naming the setting, never the value)
    /// when it is not base64 of exactly 32 bytes.
    pub fn from_setting(value: &str) -> Result<Option<StorageKey>, String> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        let bytes = b64().decode(value).map_err(|_| {
            "STORAGE_KEY: not base64 (make one with `openssl rand -base64 32`)".to_owned()
        })?;
        if bytes.len() != 32 {
            return Err(format!(
                "STORAGE_KEY: {} bytes, AES-256 needs 32 (`openssl rand -base64 32`)",
                bytes.len()
            ));
        }
        let cipher =
            Aes256Gcm::new_from_slice(&bytes).map_err(|_| "STORAGE_KEY: unusable".to_owned())?;
        Ok(Some(StorageKey { cipher }))
    }

    /// A key only the holder of `secret` can make again: SHA-256 of a domain label (which
    /// keeps it apart from every other use of the secret) and the secret.
    pub fn derived_from(domain: &[u8], secret: &[u8]) -> StorageKey {
        use sha2::{Digest, Sha256};
        let key = Sha256::new()
            .chain_update(domain)
            .chain_update(secret)
            .finalize();
        StorageKey {
            cipher: Aes256Gcm::new(&key),
        }
    }

    /// Whether a stored value is one of ours (encrypted), rather than a plaintext row.
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }

    pub fn seal(&self, plaintext: &str) -> Result<String, String> {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .map_err(|_| "encryption failed".to_owned())?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", b64().encode(out)))
    }

    /// The plaintext of a sealed value; an error if it is not sealed with this key.
    pub fn open(&self, stored: &str) -> Result<String, String> {
        let data = stored
            .strip_prefix(PREFIX)
            .and_then(|b| b64().decode(b).ok())
            .filter(|d| d.len() > NONCE_BYTES)
            .ok_or_else(|| "not an encrypted value".to_owned())?;
        let (nonce, sealed) = data.split_at(NONCE_BYTES);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| "does not decrypt with STORAGE_KEY (another key?)".to_owned())?;
        String::from_utf8(plain).map_err(|_| "decrypted value is not text".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // "0123456789abcdef" * 2

    #[test]
    fn values_round_trip_with_a_fresh_nonce_and_fail_with_another_key() {
        let key = StorageKey::from_setting(KEY).expect("ok").expect("some");
        let a = key.seal("xag-access-token").expect("seal");
        let b = key.seal("xag-access-token").expect("seal");
        assert_ne!(a, b, "a random nonce per value");
        assert!(StorageKey::is_sealed(&a) && !a.contains("xag-access-token"));
        assert_eq!(key.open(&a).expect("open"), "xag-access-token");
        let other = StorageKey::from_setting("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=")
            .expect("ok")
            .expect("some");
        assert!(other.open(&a).is_err());
        assert!(key.open("plain").is_err());
        assert!(format!("{key:?}").contains("hidden"));
    }

    #[test]
    fn a_bad_key_is_refused_naming_the_setting_not_the_value() {
        assert!(StorageKey::from_setting("").expect("empty").is_none());
        let e = StorageKey::from_setting("c2hvcnQ=").expect_err("short");
        assert!(
            e.starts_with("STORAGE_KEY") && !e.contains("c2hvcnQ"),
            "{e}"
        );
        assert!(StorageKey::from_setting("!!!").is_err());
    }
}
