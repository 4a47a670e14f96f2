//! Attempt counters in the database (`login_attempts`, and `xag_link_starts`), so every
//! instance counts the same attempts: one upsert per attempt, in buckets of a sliding window
//! ([`crate::sliding`]).

use super::Db;
use crate::sliding::Window;

impl Db {
    /// Counts one attempt of `subject` at `now` (epoch ms): the subject's buckets that still
    /// count in `window`, this attempt included.
    pub async fn count_login_attempt(
        &self,
        subject: &str,
        window: Window,
        now: i64,
    ) -> sqlx::Result<Vec<(i64, i64)>> {
        self.count_attempt("login_attempts", subject, window, now)
            .await
    }

    /// Counts one XAG link start of platform user `user` at `now`: the user's buckets that
    /// still count in `window`, this start included.
    pub async fn count_link_start(
        &self,
        user: &str,
        window: Window,
        now: i64,
    ) -> sqlx::Result<Vec<(i64, i64)>> {
        self.count_attempt("xag_link_starts", user, window, now)
            .await
    }

    /// The login attempts of `subject` that still count at `now`, counting nothing.
    pub async fn login_attempts(
        &self,
        subject: &str,
        window: Window,
        now: i64,
    ) -> sqlx::Result<Vec<(i64, i64)>> {
        self.attempts("login_attempts", subject, window, now).await
    }

    /// One upsert per attempt of `subject` at `now` in `table` (`subject, window_start,
    /// attempts`, one row per bucket of `window`), shared by the login and support report
    /// limits: the subject's buckets `(start, attempts)` that still count, this attempt
    /// included. The first attempt of a bucket deletes the buckets that no longer count
    /// (cheap: indexed). `table` is always one of our own table names, never input.
    pub(crate) async fn count_attempt(
        &self,
        table: &'static str,
        subject: &str,
        window: Window,
        now: i64,
    ) -> sqlx::Result<Vec<(i64, i64)>> {
        let (bucket, oldest) = (window.bucket(now), window.oldest(now));
        let upsert = format!(
            "INSERT INTO {table} (subject, window_start, attempts) VALUES ($1, $2, 1) \
             ON CONFLICT (subject, window_start) DO UPDATE \
             SET attempts = {table}.attempts + 1 RETURNING attempts"
        );
        let row = sqlx::query(&upsert)
            .bind(subject)
            .bind(bucket)
            .fetch_one(&self.pool)
            .await?;
        if super::int(&row, 0)? == 1 {
            sqlx::query(&format!("DELETE FROM {table} WHERE window_start < $1"))
                .bind(oldest)
                .execute(&self.pool)
                .await?;
        }
        self.attempts(table, subject, window, now).await
    }

    /// The buckets `(start, attempts)` of `subject` in `table` that still count at `now`,
    /// counting nothing.
    pub(crate) async fn attempts(
        &self,
        table: &'static str,
        subject: &str,
        window: Window,
        now: i64,
    ) -> sqlx::Result<Vec<(i64, i64)>> {
        let rows = sqlx::query(&format!(
            "SELECT window_start, attempts FROM {table} WHERE subject = $1 AND window_start >= $2"
        ))
        .bind(subject)
        .bind(window.oldest(now))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((super::int(row, 0)?, super::int(row, 1)?)))
            .collect()
    }
}
