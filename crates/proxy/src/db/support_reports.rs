//! Support reports and their rate counters (`support_reports`, `support_report_attempts`;
//! see `crate::support`).

use super::{int, Db};
use pilot_portal_shared::support::SupportReport;
use sqlx::Row;
use std::collections::HashSet;

impl Db {
    /// Counts one report attempt of `subject` at `now` (epoch ms): the subject's buckets that
    /// still count in `window`, this attempt included.
    pub async fn count_report_attempt(
        &self,
        subject: &str,
        window: crate::sliding::Window,
        now: i64,
    ) -> sqlx::Result<Vec<(i64, i64)>> {
        self.count_attempt("support_report_attempts", subject, window, now)
            .await
    }

    /// Stores a report; `false` if the id is taken (nothing stored).
    pub async fn insert_support_report(
        &self,
        id: &str,
        created_at: i64,
        client_addr: &str,
        body: &str,
    ) -> sqlx::Result<bool> {
        const INSERT: &str = "INSERT INTO support_reports (id, created_at, client_addr, body) \
            VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING";
        let done = sqlx::query(INSERT)
            .bind(id)
            .bind(created_at)
            .bind(client_addr)
            .bind(body)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The report with this (canonical) id.
    pub async fn support_report(&self, id: &str) -> sqlx::Result<Option<SupportReport>> {
        const SELECT: &str =
            "SELECT id, created_at, client_addr, body FROM support_reports WHERE id = $1";
        let row = sqlx::query(SELECT)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(SupportReport {
                id: r.try_get(0)?,
                created_at: int(&r, 1)?,
                client_addr: r.try_get(2)?,
                report: r.try_get(3)?,
            })
        })
        .transpose()
    }

    /// The latest `limit` reports, newest first: `(id, created_at, client_addr, bytes)`.
    pub async fn recent_support_reports(
        &self,
        limit: u32,
    ) -> sqlx::Result<Vec<(String, i64, String, i64)>> {
        const SELECT: &str = "SELECT id, created_at, client_addr, LENGTH(body) \
            FROM support_reports ORDER BY created_at DESC, id LIMIT $1";
        let rows = sqlx::query(SELECT)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, int(r, 1)?, r.try_get(2)?, int(r, 3)?)))
            .collect()
    }

    /// Deletes the reports received before `before` (epoch ms).
    pub async fn forget_support_reports(&self, before: i64) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM support_reports WHERE created_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Those of these token hashes that are tokens this proxy obtained (`token_bindings`).
    pub async fn bound_tokens(&self, hashes: &[String]) -> sqlx::Result<HashSet<String>> {
        let mut bound = HashSet::new();
        for chunk in hashes.chunks(100) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT token_hash FROM token_bindings WHERE token_hash IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for hash in chunk {
                query = query.bind(hash);
            }
            for row in query.fetch_all(&self.pool).await? {
                bound.insert(row.try_get(0)?);
            }
        }
        Ok(bound)
    }
}
