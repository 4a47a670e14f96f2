//! The proxy's database: SQLite by default, PostgreSQL by URL, created and migrated on start.
//! Holds XAG links (with XAG's access token, which never leaves the proxy) and link attempts.

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Row};

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
}

/// A pilot's XAG link as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XagLink {
    pub union_id: String,
    pub access_token: String,
    pub expires_at: i64,
    pub linked_at: i64,
}

impl Db {
    /// Connects (creating a SQLite file when the URL says `mode=rwc`) and runs the migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(5)
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Db { pool })
    }

    /// Records a link attempt for `user` with XAG's pre-auth code, valid until `expires_at` (ms).
    pub async fn insert_attempt(
        &self,
        state: &str,
        user: &str,
        pre_auth_code: &str,
        expires_at: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO xag_link_attempts (state, platform_user, pre_auth_code, expires_at, used) \
             VALUES ($1, $2, $3, $4, 0)",
        )
        .bind(state)
        .bind(user)
        .bind(pre_auth_code)
        .bind(expires_at)
            .execute(&self.pool)
            .await?;
        // Old attempts are of no use; keep the table small.
        sqlx::query("DELETE FROM xag_link_attempts WHERE expires_at < $1")
            .bind(expires_at - 86_400_000)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The pre-auth code of a live, unused attempt.
    pub async fn attempt_pre_auth_code(
        &self,
        state: &str,
        now: i64,
    ) -> sqlx::Result<Option<String>> {
        let row = sqlx::query(
            "SELECT pre_auth_code FROM xag_link_attempts WHERE state = $1 AND used = 0 AND expires_at > $2",
        )
        .bind(state)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|r| r.try_get::<Option<String>, _>(0).ok().flatten()))
    }

    /// Uses up a link attempt: the user it was for, if it existed, was unused and unexpired.
    /// Atomic, so two callbacks with the same state cannot both succeed.
    pub async fn consume_attempt(&self, state: &str, now: i64) -> sqlx::Result<Option<String>> {
        let row = sqlx::query(
            "UPDATE xag_link_attempts SET used = 1 WHERE state = $1 AND used = 0 AND expires_at > $2 RETURNING platform_user",
        )
        .bind(state)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| r.try_get::<String, _>(0)).transpose()
    }

    pub async fn upsert_link(&self, user: &str, link: &XagLink) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO xag_links (platform_user, union_id, access_token, expires_at, linked_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (platform_user) DO UPDATE SET union_id = excluded.union_id, access_token = excluded.access_token, \
             expires_at = excluded.expires_at, linked_at = excluded.linked_at",
        )
        .bind(user)
        .bind(&link.union_id)
        .bind(&link.access_token)
        .bind(link.expires_at)
        .bind(link.linked_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn link(&self, user: &str) -> sqlx::Result<Option<XagLink>> {
        let row = sqlx::query("SELECT union_id, access_token, expires_at, linked_at FROM xag_links WHERE platform_user = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(XagLink {
                union_id: r.try_get(0)?,
                access_token: r.try_get(1)?,
                expires_at: r.try_get(2)?,
                linked_at: r.try_get(3)?,
            })
        })
        .transpose()
    }

    /// `true` if there was a link.
    pub async fn delete_link(&self, user: &str) -> sqlx::Result<bool> {
        let done = sqlx::query("DELETE FROM xag_links WHERE platform_user = $1")
            .bind(user)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The workspace `user` chose, as `(uuid, name, introduction)`.
    pub async fn workspace(&self, user: &str) -> sqlx::Result<Option<(String, String, String)>> {
        let row = sqlx::query(
            "SELECT project_uuid, name, introduction FROM pilot_workspaces WHERE platform_user = $1",
        )
        .bind(user)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .transpose()
    }

    pub async fn set_workspace(
        &self,
        user: &str,
        uuid: &str,
        name: &str,
        introduction: &str,
        now: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO pilot_workspaces (platform_user, project_uuid, name, introduction, chosen_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (platform_user) DO UPDATE SET project_uuid = excluded.project_uuid, name = excluded.name, \
             introduction = excluded.introduction, chosen_at = excluded.chosen_at",
        )
        .bind(user)
        .bind(uuid)
        .bind(name)
        .bind(introduction)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn clear_workspace(&self, user: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM pilot_workspaces WHERE platform_user = $1")
            .bind(user)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn count_links(&self) -> sqlx::Result<i64> {
        sqlx::query("SELECT COUNT(*) FROM xag_links")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)
    }
}

impl From<sqlx::Error> for crate::error::ApiError {
    fn from(e: sqlx::Error) -> Self {
        crate::error::ApiError::Internal(format!("database: {e}"))
    }
}
