//! Login attempt counters in the database (`login_attempts`), so every instance counts the
//! same attempts: one upsert per attempt, in a fixed window.

use super::Db;

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
        self.count_attempt("login_attempts", subject, window_start, forget_before)
            .await
    }

    /// One upsert per attempt of `subject` in `table` (`subject, window_start, attempts`),
    /// shared by the login and support report limits: the window's count including this one.
    /// The first attempt of a window deletes the windows that started before `forget_before`
    /// (cheap: indexed). `table` is always one of our own table names, never input.
    pub(crate) async fn count_attempt(
        &self,
        table: &'static str,
        subject: &str,
        window_start: i64,
        forget_before: i64,
    ) -> sqlx::Result<i64> {
        let upsert = format!(
            "INSERT INTO {table} (subject, window_start, attempts) VALUES ($1, $2, 1) \
             ON CONFLICT (subject, window_start) DO UPDATE \
             SET attempts = {table}.attempts + 1 RETURNING attempts"
        );
        let row = sqlx::query(&upsert)
            .bind(subject)
            .bind(window_start)
            .fetch_one(&self.pool)
            .await?;
        let attempts = super::int(&row, 0)?;
        if attempts == 1 {
            sqlx::query(&format!("DELETE FROM {table} WHERE window_start < $1"))
                .bind(forget_before)
                .execute(&self.pool)
                .await?;
        }
        Ok(attempts)
    }
}
