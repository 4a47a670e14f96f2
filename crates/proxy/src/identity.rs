//! Who a platform token belongs to, and whether it is alive — decided fail-closed (issues 9,
//! 10 and 15.1).
//!
//! - **Who**: the platform names the user once, in the login answer (`user.name`). The proxy
//!   binds every token it obtains (login, issue, renewal) to that name and to the token's
//!   `_id`, in `token_bindings`, keyed by the token's SHA-256, so every instance agrees. A
//!   token without a binding is refused, unless `TOKEN_JWT_HS256_SECRET` is configured and
//!   its signature verifies and it carries `TOKEN_SUBJECT_CLAIM`. No JWT claim is trusted
//!   without that key, and nothing depends on `jti` or `sub` (the document shows neither).
//! - **A session**: only a token the proxy obtained for Pilot 2 (login, renewal) or a verified
//!   one. A token issued from the Access tokens panel for another tool is bound too (to revoke
//!   it by `_id`), but refused here whatever its scopes: with only `GET /tokens` it would
//!   otherwise pass the session check and get its pilot's MQTT account.
//! - **Alive**: only when the platform positively says so: its token list answers 2xx with a
//!   JSON array of token objects. Anything else is a refusal or an upstream error.
//! - **Revoking** always goes by the `_id` the platform gave.

use crate::clock::now_ms;
use crate::db::tokens::{NewBinding, Purpose, Renewed, TokenBinding};
use crate::error::ApiError;
use crate::extract::SessionUser;
use crate::storage_key::StorageKey;
use crate::upstream::token_api::{IssueAnswer, LoginAnswer, Refusal, Revoked};
use crate::AppState;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use pilot_portal_shared::tokens::{parse_expires_in, pilot_token_name};
use pilot_portal_shared::{SessionInfo, TokenGrant, User};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use std::time::Duration;

const WHAT: &str = "platform";

/// How long after a renewal a second request renewing the same (old) token still gets the
/// successor; later, the old token is simply revoked.
const HANDOVER_MS: i64 = 120_000;

/// The key of a token's binding: its SHA-256, lowercase hex. The token itself is never
/// stored.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key that seals a renewed token's successor: AES-256-GCM keyed by the old token
/// (domain-separated from [`token_hash`], so the stored hash does not help). Only whoever
/// presents the old token can open the seal, and a changed seal does not open; the database
/// alone holds no usable token.
fn renewal_key(old_token: &str) -> StorageKey {
    StorageKey::derived_from(b"pilot-portal renewal seal v2\0", old_token.as_bytes())
}

/// Seals `new_token` for the holder of `old_token`.
pub fn seal(old_token: &str, new_token: &str) -> Result<String, ApiError> {
    renewal_key(old_token)
        .seal(new_token)
        .map_err(|e| ApiError::Internal(format!("sealing a renewed token: {e}")))
}

/// Opens a seal with the old token; `None` if it is not one, or not for this token.
pub fn unseal(old_token: &str, sealed: &str) -> Option<String> {
    renewal_key(old_token).open(sealed).ok()
}

/// Verifies platform JWTs with the operator's copy of the platform key
/// (`TOKEN_JWT_HS256_SECRET`), reading the user from `TOKEN_SUBJECT_CLAIM`.
#[derive(Clone)]
pub struct Verifier {
    key: DecodingKey,
    claim: String,
}

/// A token whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub user: String,
    pub issued_at: Option<i64>,
    pub expires_at: i64,
}

impl Verifier {
    /// `None` without a key: then only bound tokens are accepted.
    pub fn from_config(config: &crate::config::Config) -> Option<Verifier> {
        let secret = config.token_jwt_hs256_secret.as_bytes();
        (!secret.is_empty()).then(|| Verifier {
            key: DecodingKey::from_secret(secret),
            claim: config.token_subject_claim.trim().to_owned(),
        })
    }

    fn verify(&self, token: &str) -> Result<Verified, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp"]);
        let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            token,
            &self.key,
            &validation,
        )
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => ApiError::TokenExpired,
            _ => ApiError::TokenInvalid,
        })?;
        let claims = data.claims;
        let Some(user) = claims
            .get(&self.claim)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|u| !u.is_empty())
        else {
            // Two pilots must never share one (empty) identity because a claim is missing.
            tracing::warn!(
                claim = %self.claim,
                "a verified token has no usable subject claim: refused (TOKEN_SUBJECT_CLAIM names the claim)"
            );
            return Err(ApiError::TokenInvalid);
        };
        let seconds = |name: &str| claims.get(name).and_then(|v| v.as_i64());
        Ok(Verified {
            user: user.to_owned(),
            issued_at: seconds("iat").map(|s| s.saturating_mul(1000)),
            expires_at: seconds("exp").unwrap_or(0).saturating_mul(1000),
        })
    }
}

/// Who holds a token, before asking the platform whether it is alive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// The proxy obtained it: the platform's word at the time.
    Bound(TokenBinding),
    /// Not obtained here, but signed with the configured key.
    Verified(Verified),
}

impl Identity {
    pub fn user(&self) -> &str {
        match self {
            Identity::Bound(b) => &b.user,
            Identity::Verified(v) => &v.user,
        }
    }

    pub fn expires_at(&self) -> i64 {
        match self {
            Identity::Bound(b) => b.expires_at,
            Identity::Verified(v) => v.expires_at,
        }
    }

    pub fn issued_at(&self) -> i64 {
        match self {
            Identity::Bound(b) => b.issued_at,
            Identity::Verified(v) => v.issued_at.unwrap_or(0),
        }
    }

    /// The platform's `_id`, when the proxy was told it.
    pub fn token_id(&self) -> Option<&str> {
        match self {
            Identity::Bound(b) => Some(b.token_id.as_str()).filter(|id| !id.is_empty()),
            Identity::Verified(_) => None,
        }
    }
}

/// Who holds `token`, from its binding (or verified signature), refusing what is plainly
/// dead without asking the platform.
pub async fn identify(state: &AppState, token: &str) -> Result<Identity, ApiError> {
    let now = now_ms();
    match state.db.token_binding(&token_hash(token)).await? {
        Some(b) if b.revoked_at.is_some() || b.renewed.is_some() => {
            // Revoked here (another controller's panel), or replaced by its renewal (the
            // proxy revoked it then): dead, whatever the platform's answer would look like.
            Err(ApiError::TokenRevoked)
        }
        Some(b) if b.expires_at <= now => Err(ApiError::TokenExpired),
        // The platform honours it within its scopes; the proxy never acts for it.
        Some(b) if b.purpose != Purpose::Session => Err(ApiError::NotASession),
        Some(b) => Ok(Identity::Bound(b)),
        None => match &state.verifier {
            Some(verifier) => verifier.verify(token).map(Identity::Verified),
            None => Err(ApiError::TokenInvalid),
        },
    }
}

/// What a platform refusal of a Bearer call means, given what is known about the token.
/// `needs` completes "The platform does not let this token …" for a 403.
pub fn refused(refusal: &Refusal, known: Option<&Identity>, needs: &str) -> ApiError {
    match refusal.status {
        StatusCode::UNAUTHORIZED => {
            if refusal.has("error_token_revoked") {
                ApiError::TokenRevoked
            } else if refusal.has("error_token_expired")
                || known.is_some_and(|k| k.expires_at() <= now_ms())
            {
                ApiError::TokenExpired
            } else if refusal.has("error_token_invalid") {
                ApiError::TokenInvalid
            } else if matches!(known, Some(Identity::Bound(_))) {
                // No reason given (an error body without `error_token_*` codes): the platform
                // issued this token to us and its lifetime is not over, so it was revoked.
                ApiError::TokenRevoked
            } else {
                ApiError::TokenInvalid
            }
        }
        StatusCode::FORBIDDEN => ApiError::TokenScopeMissing(format!(
            "The platform does not let this token {needs}. Ask your platform administrator."
        )),
        StatusCode::TOO_MANY_REQUESTS => ApiError::RateLimited {
            what: WHAT,
            retry_after_secs: refusal.retry_after_secs.unwrap_or(60),
        },
        s => crate::upstream::unexpected_status(s, WHAT),
    }
}

/// The session check behind [`SessionUser`]: who holds the token, and the platform's
/// positive answer (its token list, kept for `GET /api/tokens`).
pub async fn session_user(state: &AppState, token: String) -> Result<SessionUser, ApiError> {
    let identity = identify(state, &token).await?;
    let tokens = match state.token_api.list(&token).await? {
        Ok(list) => list,
        Err(refusal) => {
            return Err(refused(
                &refusal,
                Some(&identity),
                "list tokens, which checking a session needs (TOKEN_SCOPES: GET /tokens)",
            ))
        }
    };
    Ok(SessionUser {
        session: SessionInfo {
            user: User {
                name: identity.user().to_owned(),
            },
            issued_at: identity.issued_at(),
            expires_at: identity.expires_at(),
        },
        token_id: identity.token_id().map(str::to_owned),
        token_hash: token_hash(&token),
        tokens,
        token,
    })
}

/// A token the proxy obtained, to bind and hand out.
struct Obtained {
    id: String,
    token: String,
    issued_at: i64,
    expires_at: i64,
}

/// Makes sense of a `POST /tokens` answer: `_id` and `token` are indispensable (no `_id`, no
/// revoking); the times default to now and the configured lifetime.
fn obtained(
    answer: IssueAnswer,
    expires_in: &str,
    setting: &'static str,
) -> Result<Obtained, ApiError> {
    let now = now_ms();
    let (Some(id), Some(token)) = (
        answer.id.filter(|i| !i.trim().is_empty()),
        answer.token.filter(|t| !t.trim().is_empty()),
    ) else {
        return Err(ApiError::UpstreamUnsupported {
            setting,
            detail: "the platform's POST tokens answer has no _id or no token".into(),
        });
    };
    let lifetime = parse_expires_in(expires_in).unwrap_or(86_400_000);
    Ok(Obtained {
        id,
        token,
        issued_at: answer.issued_at.unwrap_or(now),
        expires_at: answer.expires_at.unwrap_or(now + lifetime),
    })
}

/// Revokes a token by its `_id` with `bearer`; a failure is logged, not returned: the caller
/// already has what it came for.
async fn revoke_quietly(state: &AppState, bearer: &str, id: &str, what: &str) {
    match state.token_api.revoke(bearer, id).await {
        Ok(Ok(_)) => {}
        Ok(Err(refusal)) => tracing::warn!(
            status = refusal.status.as_u16(),
            "{what}: the platform refused to revoke it (it stays live until it expires)"
        ),
        Err(e) => tracing::warn!(code = e.code().as_str(), "{what}: not revoked: {e}"),
    }
}

/// `POST /api/auth/login`: the platform's login token stays in the proxy; Pilot 2 gets its own
/// token named after the controller, then the login token is revoked by its `_id`. If the
/// platform refuses `POST /tokens` (403: the account's login token lacks that permission),
/// Pilot 2 gets the login token, and the log says it is a configuration problem.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    controller_sn: Option<&str>,
) -> Result<TokenGrant, ApiError> {
    let api = &state.token_api;
    let login: LoginAnswer = api.login(username, password).await?;
    let name = pilot_token_name(controller_sn);
    let handed = if state.config.token_issue_named {
        named_token(state, &login, &name).await?
    } else {
        None
    };
    let handed = match handed {
        Some(named) => {
            revoke_quietly(state, &login.token, &login.id, "the login token").await;
            named
        }
        None => Obtained {
            id: login.id.clone(),
            token: login.token.clone(),
            issued_at: login.issued_at,
            expires_at: login.expires_at,
        },
    };
    bind(state, &handed, &login.user, &name, controller_sn).await?;
    Ok(TokenGrant {
        token: handed.token,
        issued_at: handed.issued_at,
        expires_at: handed.expires_at,
        user: User { name: login.user },
    })
}

/// Pilot 2's own token, issued with the login token; `None`: fall back to the login token.
async fn named_token(
    state: &AppState,
    login: &LoginAnswer,
    name: &str,
) -> Result<Option<Obtained>, ApiError> {
    let api = &state.token_api;
    let failed = |e: ApiError| async move {
        // the login token must not outlive a failed login
        revoke_quietly(state, &login.token, &login.id, "the login token").await;
        Err(e)
    };
    let answer = match api.issue(&login.token, name, None).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(refusal)) if refusal.status == StatusCode::FORBIDDEN => {
            tracing::warn!(
                "configuration problem: the platform refused POST {} (403) for this account's \
                 login token, so Pilot 2 gets the login token itself instead of its own named, \
                 least-privilege token. Give the account the `POST /tokens` permission (and keep \
                 it in TOKEN_SCOPES), or set TOKEN_ISSUE_NAMED=false to silence this.",
                state.config.token_api_tokens_path
            );
            return Ok(None);
        }
        Ok(Err(refusal)) if refusal.status == StatusCode::BAD_REQUEST => {
            return failed(ApiError::Upstream {
                what: WHAT,
                detail: "POST tokens refused as malformed (check TOKEN_EXPIRES_IN / TOKEN_SCOPES)"
                    .into(),
            })
            .await
        }
        Ok(Err(refusal)) => return failed(refused(&refusal, None, "issue tokens")).await,
        Err(e) => return failed(e).await,
    };
    match obtained(answer, &api.expires_in, "TOKEN_ISSUE_NAMED=false") {
        Ok(named) => Ok(Some(named)),
        Err(e) => failed(e).await,
    }
}

async fn bind(
    state: &AppState,
    token: &Obtained,
    user: &str,
    name: &str,
    controller_sn: Option<&str>,
) -> Result<(), ApiError> {
    let hash = token_hash(&token.token);
    let binding = NewBinding {
        token_hash: &hash,
        token_id: &token.id,
        user,
        name,
        controller_sn,
        issued_at: token.issued_at,
        expires_at: token.expires_at,
        // login, renewal: what the proxy obtains for itself is Pilot 2's sign-in
        purpose: Purpose::Session,
    };
    state.db.bind_token(&binding, now_ms()).await?;
    Ok(())
}

/// `POST /api/session/renew`: a new token with the same name for the same user, then the old
/// one revoked by its `_id`. One renewal per token across every instance: the first takes the
/// lease; a concurrent one waits for it and gets the same successor (sealed for it, see
/// [`seal`]), or `409 renewal_in_progress` if it does not finish in time.
pub async fn renew(state: &AppState, token: &str) -> Result<TokenGrant, ApiError> {
    let hash = token_hash(token);
    let timeout = Duration::from_secs(state.config.upstream_timeout_secs.max(1));
    // issue + revoke, with room to spare; a crashed instance's lease runs out by then
    let lease = i64::try_from((timeout * 3).as_millis()).unwrap_or(60_000) + 5_000;
    let deadline = now_ms() + lease;
    let binding = loop {
        let now = now_ms();
        let Some(binding) = state.db.token_binding(&hash).await? else {
            // Not obtained here: only a verified signature names the user.
            let Identity::Verified(v) = identify(state, token).await? else {
                return Err(ApiError::TokenInvalid);
            };
            let name = pilot_token_name(None);
            let known = Obtained {
                id: String::new(),
                token: token.to_owned(),
                issued_at: v.issued_at.unwrap_or(now),
                expires_at: v.expires_at,
            };
            bind(state, &known, &v.user, &name, None).await?;
            continue;
        };
        if binding.purpose != Purpose::Session {
            return Err(ApiError::NotASession);
        }
        if let Some(renewed) = &binding.renewed {
            return successor(state, token, renewed, now).await;
        }
        if binding.revoked_at.is_some() {
            return Err(ApiError::TokenRevoked);
        }
        if binding.expires_at <= now {
            return Err(ApiError::TokenExpired);
        }
        if state.db.claim_renewal(&hash, now, now + lease).await? {
            break binding;
        }
        if now > deadline {
            return Err(ApiError::RenewalInProgress);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let outcome = renew_leased(state, token, &hash, &binding).await;
    if outcome.is_err() {
        state.db.release_renewal(&hash).await?;
    }
    outcome
}

/// The successor a finished renewal left for this (old) token.
async fn successor(
    state: &AppState,
    token: &str,
    renewed: &Renewed,
    now: i64,
) -> Result<TokenGrant, ApiError> {
    if now - renewed.at > HANDOVER_MS {
        return Err(ApiError::TokenRevoked);
    }
    let new = unseal(token, &renewed.sealed)
        .filter(|new| token_hash(new) == renewed.to_hash)
        .ok_or(ApiError::TokenRevoked)?;
    let next = state
        .db
        .token_binding(&renewed.to_hash)
        .await?
        .ok_or(ApiError::TokenRevoked)?;
    // revoked since (through this proxy): the old token hands out nothing any more
    if next.revoked_at.is_some() {
        return Err(ApiError::TokenRevoked);
    }
    Ok(TokenGrant {
        token: new,
        issued_at: next.issued_at,
        expires_at: next.expires_at,
        user: User { name: next.user },
    })
}

async fn renew_leased(
    state: &AppState,
    token: &str,
    hash: &str,
    binding: &TokenBinding,
) -> Result<TokenGrant, ApiError> {
    let api = &state.token_api;
    let known = Identity::Bound(binding.clone());
    let answer = match api.issue(token, &binding.name, None).await? {
        Ok(answer) => answer,
        Err(refusal) => {
            return Err(refused(
                &refusal,
                Some(&known),
                "issue tokens, which renewing a session needs (TOKEN_SCOPES: POST /tokens)",
            ))
        }
    };
    // Without `_id` and token there is nothing to hand over: renewal cannot work with this
    // platform; pilots then log in again when their token expires.
    let new = obtained(answer, &api.expires_in, "RENEW_BELOW_FRACTION=0")?;
    bind(
        state,
        &new,
        &binding.user,
        &binding.name,
        binding.controller_sn.as_deref(),
    )
    .await?;
    let renewed = Renewed {
        to_hash: token_hash(&new.token),
        sealed: seal(token, &new.token)?,
        at: now_ms(),
    };
    state.db.finish_renewal(hash, &renewed).await?;
    if binding.token_id.is_empty() {
        tracing::warn!(
            "renewed a token this proxy did not issue: its _id is unknown, so it stays live until it expires"
        );
    } else {
        revoke_quietly(state, token, &binding.token_id, "the renewed token").await;
    }
    Ok(TokenGrant {
        token: new.token,
        issued_at: new.issued_at,
        expires_at: new.expires_at,
        user: User {
            name: binding.user.clone(),
        },
    })
}

/// `POST /api/session/logout`: revokes the token on the platform by its `_id` and marks its
/// binding revoked (a later check says "revoked" without asking; the row is purged once the
/// token would have expired). A token the platform no longer knows is fine.
pub async fn logout(state: &AppState, token: &str) -> Result<(), ApiError> {
    let hash = token_hash(token);
    let binding = match state.db.token_binding(&hash).await? {
        Some(b) => b,
        // Without a binding the `_id` is unknown: nothing can be revoked.
        None => return Err(ApiError::TokenInvalid),
    };
    if binding.revoked_at.is_none() && binding.renewed.is_none() && !binding.token_id.is_empty() {
        match state.token_api.revoke(token, &binding.token_id).await? {
            Ok(Revoked::Revoked | Revoked::NotFound) => {}
            Err(r) if r.status == StatusCode::UNAUTHORIZED => {}
            Err(r) => {
                // A refusal no retry changes (a missing permission): the token stays live on
                // the platform, but this proxy no longer takes it; the pilot is told why.
                let (token_id, user) = (binding.token_id.clone(), binding.user.clone());
                let said = refused(
                    &r,
                    Some(&Identity::Bound(binding)),
                    "revoke tokens (TOKEN_SCOPES: DELETE /tokens/:id)",
                );
                if r.status.is_client_error() && r.status != StatusCode::TOO_MANY_REQUESTS {
                    state.db.mark_token_revoked(&token_id, now_ms()).await?;
                    state.db.end_pending_attempts(&user, now_ms()).await?;
                }
                return Err(said);
            }
        }
    }
    if binding.token_id.is_empty() {
        state.db.unbind_token(&hash).await?;
    } else {
        state
            .db
            .mark_token_revoked(&binding.token_id, now_ms())
            .await?;
    }
    state
        .db
        .end_pending_attempts(&binding.user, now_ms())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_opens_only_with_the_old_token() {
        let old = "eyJold.payload.sig";
        let new = "eyJnew.payload.signature-that-is-longer-than-one-sha256-block-0123456789";
        let sealed = seal(old, new).expect("sealed");
        assert!(
            !sealed.contains("eyJ"),
            "the successor is not stored in clear"
        );
        assert_eq!(unseal(old, &sealed).as_deref(), Some(new));
        assert_eq!(unseal("eyJother.payload.sig", &sealed), None);
        assert_eq!(unseal(old, "zz"), None);
        assert_eq!(unseal(old, "abc"), None);
        // a seal changed in the database does not open (authenticated, not just a keystream)
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 3;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).expect("ascii");
        assert_eq!(unseal(old, &tampered), None);
        assert_ne!(
            seal(old, new).expect("again"),
            sealed,
            "a fresh nonce each time"
        );
    }

    #[test]
    fn the_hash_is_sha256_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    fn refusal(status: u16, codes: &[&str]) -> Refusal {
        Refusal {
            status: StatusCode::from_u16(status).expect("status"),
            codes: codes.iter().map(|c| c.to_string()).collect(),
            retry_after_secs: Some(7),
        }
    }

    fn bound(expires_at: i64) -> Identity {
        Identity::Bound(TokenBinding {
            token_hash: "h".into(),
            token_id: "66a66b2207dfcec6494cd618".into(),
            user: "pilot".into(),
            name: "Pilot 2 · X".into(),
            controller_sn: None,
            issued_at: 0,
            expires_at,
            revoked_at: None,
            renewed: None,
            purpose: Purpose::Session,
        })
    }

    #[test]
    fn refusals_read_codes_first_then_what_the_proxy_knows() {
        let live = bound(now_ms() + 60_000);
        let dead = bound(now_ms() - 1);
        let code = |e: ApiError| e.code().as_str();
        assert_eq!(
            code(refused(&refusal(401, &["error_token_revoked"]), None, "x")),
            "token_revoked"
        );
        assert_eq!(
            code(refused(&refusal(401, &["error_token_expired"]), None, "x")),
            "token_expired"
        );
        // no codes: a bound, unexpired token was revoked; an expired one expired
        assert_eq!(
            code(refused(&refusal(401, &[]), Some(&live), "x")),
            "token_revoked"
        );
        assert_eq!(
            code(refused(&refusal(401, &[]), Some(&dead), "x")),
            "token_expired"
        );
        assert_eq!(
            code(refused(&refusal(401, &[]), None, "x")),
            "token_invalid"
        );
        assert_eq!(
            code(refused(&refusal(403, &[]), Some(&live), "x")),
            "token_scope_missing"
        );
        match refused(&refusal(429, &[]), None, "x") {
            ApiError::RateLimited {
                retry_after_secs, ..
            } => assert_eq!(retry_after_secs, 7),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            code(refused(&refusal(500, &[]), None, "x")),
            "upstream_error"
        );
    }
}
