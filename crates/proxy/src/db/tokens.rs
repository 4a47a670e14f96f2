//! Token bindings (table `token_bindings`): what the platform said about every token this
//! proxy obtained, keyed by the token's SHA-256, so every instance sharing the database
//! agrees on who a token belongs to and which `_id` revokes it.
//!
//! Renewal is serialized with a lease taken by one conditional `UPDATE` (atomic on SQLite and
//! PostgreSQL alike), so two instances renewing one token cannot both issue a successor.

use super::Db;
use sqlx::any::AnyRow;
use sqlx::Row;

/// Bindings are kept this long after their token expired, then purged (expired tokens are
/// refused from the binding without asking the platform; a day covers clocks and retries).
const KEEP_EXPIRED_MS: i64 = 86_400_000;

/// A token as the proxy obtained it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBinding<'a> {
    /// [`crate::identity::token_hash`] of the token.
    pub token_hash: &'a str,
    /// The platform's `_id`; empty when the platform never said (see `identity`).
    pub token_id: &'a str,
    /// The platform user (`user.name` of the login answer).
    pub user: &'a str,
    pub name: &'a str,
    pub controller_sn: Option<&'a str>,
    /// Epoch ms.
    pub issued_at: i64,
    pub expires_at: i64,
    pub purpose: Purpose,
}

/// What a bound token is for: only a [`Purpose::Session`] is a Pilot 2 session
/// ([`crate::identity::identify`]); a token issued for another tool is the platform's to
/// honour within its scopes, never the proxy's to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A Pilot 2 sign-in: the login's token and its renewals.
    Session,
    /// Issued from the Access tokens panel for another tool.
    Tool,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Session => "session",
            Purpose::Tool => "tool",
        }
    }

    /// Anything but `session` is not one (fail closed).
    fn parse(stored: &str) -> Purpose {
        if stored == "session" {
            Purpose::Session
        } else {
            Purpose::Tool
        }
    }
}

/// A binding as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBinding {
    pub token_hash: String,
    pub token_id: String,
    pub user: String,
    pub name: String,
    pub controller_sn: Option<String>,
    pub issued_at: i64,
    pub expires_at: i64,
    /// When this proxy revoked the token on the platform (for another controller).
    pub revoked_at: Option<i64>,
    /// The successor, once the token was renewed.
    pub renewed: Option<Renewed>,
    pub purpose: Purpose,
}

/// What a finished renewal left for a second request renewing the same token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renewed {
    /// Hash of the successor token (its own binding's key).
    pub to_hash: String,
    /// The successor, sealed with a key only the old token's holder can derive.
    pub sealed: String,
    /// Epoch ms.
    pub at: i64,
}

const COLUMNS: &str = "token_hash, token_id, platform_user, name, controller_sn, issued_at, \
    expires_at, revoked_at, renewed_to, renewed_token, renewed_at, purpose";

fn binding(row: &AnyRow) -> sqlx::Result<TokenBinding> {
    let to_hash: Option<String> = row.try_get(8)?;
    let sealed: Option<String> = row.try_get(9)?;
    let at: Option<i64> = row.try_get(10)?;
    let purpose: String = row.try_get(11)?;
    Ok(TokenBinding {
        token_hash: row.try_get(0)?,
        token_id: row.try_get(1)?,
        user: row.try_get(2)?,
        name: row.try_get(3)?,
        controller_sn: row.try_get(4)?,
        issued_at: row.try_get(5)?,
        expires_at: row.try_get(6)?,
        revoked_at: row.try_get(7)?,
        renewed: match (to_hash, sealed, at) {
            (Some(to_hash), Some(sealed), Some(at)) => Some(Renewed {
                to_hash,
                sealed,
                at,
            }),
            _ => None,
        },
        purpose: Purpose::parse(&purpose),
    })
}

impl Db {
    /// Records a token the proxy obtained (again: the latest word wins), and purges bindings
    /// of tokens long expired.
    pub async fn bind_token(&self, b: &NewBinding<'_>, now: i64) -> sqlx::Result<()> {
        const UPSERT: &str = "INSERT INTO token_bindings \
            (token_hash, token_id, platform_user, name, controller_sn, issued_at, expires_at, \
            purpose) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
            ON CONFLICT (token_hash) DO UPDATE SET token_id = excluded.token_id, \
            platform_user = excluded.platform_user, name = excluded.name, \
            controller_sn = excluded.controller_sn, issued_at = excluded.issued_at, \
            expires_at = excluded.expires_at, purpose = excluded.purpose";
        sqlx::query(UPSERT)
            .bind(b.token_hash)
            .bind(b.token_id)
            .bind(b.user)
            .bind(b.name)
            .bind(b.controller_sn)
            .bind(b.issued_at)
            .bind(b.expires_at)
            .bind(b.purpose.as_str())
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM token_bindings WHERE expires_at < $1")
            .bind(now - KEEP_EXPIRED_MS)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The binding of the token with this hash.
    pub async fn token_binding(&self, token_hash: &str) -> sqlx::Result<Option<TokenBinding>> {
        let select = format!("SELECT {COLUMNS} FROM token_bindings WHERE token_hash = $1");
        let row = sqlx::query(&select)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(binding).transpose()
    }

    /// Takes the renewal lease of a token until `lease_until` (epoch ms): `true` for exactly
    /// one caller while the token is neither renewed nor leased to someone else.
    pub async fn claim_renewal(
        &self,
        token_hash: &str,
        now: i64,
        lease_until: i64,
    ) -> sqlx::Result<bool> {
        const CLAIM: &str = "UPDATE token_bindings SET renewing_until = $2 \
            WHERE token_hash = $1 AND renewed_to IS NULL AND revoked_at IS NULL \
            AND (renewing_until IS NULL OR renewing_until < $3)";
        let done = sqlx::query(CLAIM)
            .bind(token_hash)
            .bind(lease_until)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the lease back after a renewal failed.
    pub async fn release_renewal(&self, token_hash: &str) -> sqlx::Result<()> {
        sqlx::query("UPDATE token_bindings SET renewing_until = NULL WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records the successor of a renewed token.
    pub async fn finish_renewal(&self, token_hash: &str, renewed: &Renewed) -> sqlx::Result<()> {
        const FINISH: &str = "UPDATE token_bindings SET renewed_to = $2, renewed_token = $3, \
            renewed_at = $4, renewing_until = NULL WHERE token_hash = $1";
        sqlx::query(FINISH)
            .bind(token_hash)
            .bind(&renewed.to_hash)
            .bind(&renewed.sealed)
            .bind(renewed.at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Marks every binding of the token with this `_id` revoked: its holder is told so at the
    /// next check, whatever the platform's refusal looks like.
    pub async fn mark_token_revoked(&self, token_id: &str, now: i64) -> sqlx::Result<u64> {
        if token_id.is_empty() {
            return Ok(0);
        }
        let done = sqlx::query(
            "UPDATE token_bindings SET revoked_at = $2 WHERE token_id = $1 AND revoked_at IS NULL",
        )
        .bind(token_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Forgets the binding of a token its holder ended (log out, revoked its own token).
    pub async fn unbind_token(&self, token_hash: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM token_bindings WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sqlx::any::{install_default_drivers, AnyPoolOptions};

    /// Bindings made before `purpose` existed: Pilot 2's own (named `Pilot 2 · …`, or bound
    /// to a controller) stay sessions; a tool's (no controller, the name its pilot gave it)
    /// becomes `tool`.
    #[tokio::test]
    async fn bindings_from_before_take_their_purpose_from_name_and_controller() {
        install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .expect("sqlite");
        sqlx::raw_sql(include_str!(
            "../../migrations/20261202000001_token_bindings.sql"
        ))
        .execute(&pool)
        .await
        .expect("table");
        for (hash, name, sn) in [
            ("a", "Pilot 2 · 5YSZL260021E9W", Some("5YSZL260021E9W")),
            ("b", "Pilot 2 · browser", None),
            ("c", "Laptop GS", None),
            ("d", "Pilot 2 for the hangar", None),
        ] {
            sqlx::query(
                "INSERT INTO token_bindings (token_hash, token_id, platform_user, name, \
                 controller_sn, issued_at, expires_at) VALUES ($1, 'id', 'pilot', $2, $3, 0, 1)",
            )
            .bind(hash)
            .bind(name)
            .bind(sn)
            .execute(&pool)
            .await
            .expect("row");
        }
        sqlx::raw_sql(include_str!(
            "../../migrations/20261212000001_token_binding_purpose.sql"
        ))
        .execute(&pool)
        .await
        .expect("migration");
        let purposes: Vec<String> =
            sqlx::query_scalar("SELECT purpose FROM token_bindings ORDER BY token_hash")
                .fetch_all(&pool)
                .await
                .expect("purposes");
        assert_eq!(purposes, ["session", "session", "tool", "tool"]);
    }
}
