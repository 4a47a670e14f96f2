//! Login attempt counters in the database (`login_attempts`), so every instance counts the
//! same attempts: one upsert per attempt, in a fixed window.

use super::Db;
use sqlx::Row;

impl Db {
    /// Counts one attempt of `subject` in the window starting at `window_start` (epoch ms);
    /// the window's count including this one. Windows ended before `forget_before` are
    /// deleted now and then.
    pub async fn count_login_attempt(
        &self,
        subject: &str,
        window_start: i64,
        forget_before: i64,
    ) -> sqlx::Result<i64> {
        const UPSERT: &str = "INSERT INTO login_attempts (subject, window_start, attempts) \
            VALUES ($1, $2, 1) \
            ON CONFLICT (subject, window_start) DO UPDATE \
            SET attempts = login_attempts.attempts + 1 \
            RETURNING attempts";
        let row = sqlx::query(UPSERT)
            .bind(subject)
            .bind(window_start)
            .fetch_one(&self.pool)
            .await?;
        let attempts: i64 = row
            .try_get::<i64, _>(0)
            .or_else(|_| row.try_get::<i32, _>(0).map(i64::from))?;
        // The first attempt of a window cleans up the old ones (cheap: indexed).
        if attempts == 1 {
            sqlx::query("DELETE FROM login_attempts WHERE window_start < $1")
                .bind(forget_before)
                .execute(&self.pool)
                .await?;
        }
        Ok(attempts)
    }
}
