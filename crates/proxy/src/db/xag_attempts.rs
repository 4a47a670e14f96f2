//! What a link attempt went through after it started: sent to XAG's page, and how it ended.
//! See `routes/xag.rs` for why (XAG's server may post the callback, XAG may drop our state).

use super::Db;
use sqlx::Row;

/// A used attempt and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedAttempt {
    pub return_to: Option<String>,
    /// The `XagOutcome` wire name; `None` while the callback is still running.
    pub outcome: Option<String>,
}

impl Db {
    /// Notes that the attempt's browser was sent to XAG's page at `now`.
    pub async fn mark_at_xag(&self, state: &str, now: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE xag_link_attempts SET at_xag_at = $1 WHERE state = $2")
            .bind(now)
            .bind(state)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records how a used attempt ended.
    pub async fn finish_attempt(&self, state: &str, outcome: &str) -> sqlx::Result<()> {
        sqlx::query("UPDATE xag_link_attempts SET outcome = $1 WHERE state = $2 AND used = 1")
            .bind(outcome)
            .bind(state)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The attempt, if it was used (whatever its expiry: the pilot may come back late).
    pub async fn finished_attempt(&self, state: &str) -> sqlx::Result<Option<FinishedAttempt>> {
        const SELECT: &str = "SELECT return_to, outcome FROM xag_link_attempts \
            WHERE state = $1 AND used = 1";
        let row = sqlx::query(SELECT)
            .bind(state)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(FinishedAttempt {
                return_to: r.try_get(0)?,
                outcome: r.try_get(1)?,
            })
        })
        .transpose()
    }

    /// Ends `user`'s unused attempts at `now` (their session ended): an authorization page
    /// left open on a shared controller links no one to them afterwards.
    pub async fn end_pending_attempts(&self, user: &str, now: i64) -> sqlx::Result<u64> {
        let done = sqlx::query(
            "UPDATE xag_link_attempts SET expires_at = $1 \
             WHERE platform_user = $2 AND used = 0 AND expires_at > $1",
        )
        .bind(now)
        .bind(user)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// The states of live, unused attempts whose browser went to XAG's page (at most two:
    /// enough to tell "exactly one" from "several").
    pub async fn pending_at_xag(&self, now: i64) -> sqlx::Result<Vec<String>> {
        const SELECT: &str = "SELECT state FROM xag_link_attempts \
            WHERE used = 0 AND expires_at > $1 AND at_xag_at IS NOT NULL \
            ORDER BY at_xag_at DESC LIMIT 2";
        let rows = sqlx::query(SELECT).bind(now).fetch_all(&self.pool).await?;
        rows.iter().map(|r| r.try_get(0)).collect()
    }
}
