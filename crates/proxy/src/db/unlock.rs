//! Remote unlocking storage: the audit of every license switch and update (table
//! `unlock_audit`), and the download tokens of offline license files (`unlock_file_tokens`).
//!
//! Booleans are stored as INTEGER 0/1 and ids as text UUIDs, so the same SQL runs on SQLite and
//! PostgreSQL.

use super::Db;
use pilot_portal_shared::unlock::LicenseChange;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

/// What a pilot asked of a gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Switch,
    Update,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Switch => "switch",
            AuditAction::Update => "update",
        }
    }
}

/// The outcome of a successful action; failures store the error code the pilot got.
pub const OUTCOME_OK: &str = "ok";

/// An audit row to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAudit {
    /// Epoch ms.
    pub at_ms: i64,
    pub platform_user: String,
    pub gateway_sn: String,
    pub action: AuditAction,
    pub license_id: Option<i64>,
    /// The state the device reported before the switch.
    pub old_enabled: Option<bool>,
    /// The state asked for.
    pub new_enabled: Option<bool>,
    /// Updates: `offline_file` or `flysafe`.
    pub source: Option<String>,
    /// Updates from an offline file: its name in `UNLOCK_LICENSE_DIR`.
    pub file_name: Option<String>,
    /// The device's `result`, when it answered.
    pub result_code: Option<i64>,
    /// [`OUTCOME_OK`] or the error code the pilot got.
    pub outcome: String,
}

/// An audit row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: String,
    pub at_ms: i64,
    pub platform_user: String,
    pub gateway_sn: String,
    /// `switch` or `update`.
    pub action: String,
    pub license_id: Option<i64>,
    pub old_enabled: Option<bool>,
    pub new_enabled: Option<bool>,
    pub source: Option<String>,
    pub file_name: Option<String>,
    pub result_code: Option<i64>,
    pub outcome: String,
}

/// The latest successful switch of one license on one gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastSwitch {
    pub license_id: i64,
    pub platform_user: String,
    pub at_ms: i64,
    pub old_enabled: Option<bool>,
    pub new_enabled: bool,
}

impl From<LastSwitch> for LicenseChange {
    fn from(s: LastSwitch) -> Self {
        LicenseChange {
            by: s.platform_user,
            at_ms: s.at_ms,
            old_enabled: s.old_enabled,
            new_enabled: s.new_enabled,
        }
    }
}

fn flag(b: Option<bool>) -> Option<i32> {
    b.map(i32::from)
}

fn read_flag(row: &AnyRow, index: usize) -> sqlx::Result<Option<bool>> {
    Ok(row.try_get::<Option<i64>, _>(index)?.map(|v| v != 0))
}

const AUDIT_COLUMNS: &str = "id, at_ms, platform_user, gateway_sn, action, license_id, \
    old_enabled, new_enabled, source, file_name, result_code, outcome";

fn audit_row(r: &AnyRow) -> sqlx::Result<AuditRow> {
    Ok(AuditRow {
        id: r.try_get(0)?,
        at_ms: r.try_get(1)?,
        platform_user: r.try_get(2)?,
        gateway_sn: r.try_get(3)?,
        action: r.try_get(4)?,
        license_id: r.try_get(5)?,
        old_enabled: read_flag(r, 6)?,
        new_enabled: read_flag(r, 7)?,
        source: r.try_get(8)?,
        file_name: r.try_get(9)?,
        result_code: r.try_get(10)?,
        outcome: r.try_get(11)?,
    })
}

impl Db {
    /// Writes one audit row; its id.
    pub async fn insert_audit(&self, a: &NewAudit) -> sqlx::Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let insert = format!(
            "INSERT INTO unlock_audit ({AUDIT_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        );
        sqlx::query(&insert)
            .bind(&id)
            .bind(a.at_ms)
            .bind(&a.platform_user)
            .bind(&a.gateway_sn)
            .bind(a.action.as_str())
            .bind(a.license_id)
            .bind(flag(a.old_enabled))
            .bind(flag(a.new_enabled))
            .bind(a.source.as_deref())
            .bind(a.file_name.as_deref())
            .bind(a.result_code)
            .bind(&a.outcome)
            .execute(&self.pool)
            .await?;
        Ok(id)
    }

    /// The audit of one gateway, newest first, at most `limit` rows.
    pub async fn audit_of(&self, gateway_sn: &str, limit: i64) -> sqlx::Result<Vec<AuditRow>> {
        let select = format!(
            "SELECT {AUDIT_COLUMNS} FROM unlock_audit WHERE gateway_sn = $1 \
             ORDER BY at_ms DESC, id DESC LIMIT $2"
        );
        sqlx::query(&select)
            .bind(gateway_sn)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(audit_row)
            .collect()
    }

    /// The latest successful switch of each license of `gateway_sn`, by license id.
    pub async fn last_switches(&self, gateway_sn: &str) -> sqlx::Result<HashMap<i64, LastSwitch>> {
        const SELECT: &str = "SELECT a.license_id, a.platform_user, a.at_ms, a.old_enabled, \
            a.new_enabled FROM unlock_audit a \
            WHERE a.gateway_sn = $1 AND a.action = 'switch' AND a.outcome = 'ok' \
            AND a.license_id IS NOT NULL AND a.new_enabled IS NOT NULL \
            AND a.at_ms = (SELECT MAX(b.at_ms) FROM unlock_audit b \
                WHERE b.gateway_sn = a.gateway_sn AND b.action = 'switch' \
                AND b.outcome = 'ok' AND b.license_id = a.license_id) \
            ORDER BY a.id";
        let rows = sqlx::query(SELECT)
            .bind(gateway_sn)
            .fetch_all(&self.pool)
            .await?;
        let mut latest = HashMap::new();
        for r in &rows {
            let change = LastSwitch {
                license_id: r.try_get(0)?,
                platform_user: r.try_get(1)?,
                at_ms: r.try_get(2)?,
                old_enabled: read_flag(r, 3)?,
                new_enabled: read_flag(r, 4)?.unwrap_or(false),
            };
            // Two switches in the same millisecond: either is "the latest".
            latest.entry(change.license_id).or_insert(change);
        }
        Ok(latest)
    }

    /// Records a download token for `file_name`, valid until `expires_at` (epoch ms), and
    /// drops tokens that expired more than a day ago.
    pub async fn insert_file_token(
        &self,
        token: &str,
        file_name: &str,
        expires_at: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO unlock_file_tokens (token, file_name, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(token)
        .bind(file_name)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        sqlx::query("DELETE FROM unlock_file_tokens WHERE expires_at < $1")
            .bind(expires_at.saturating_sub(86_400_000))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The file name a live (unexpired at `now`) download token was issued for.
    pub async fn file_token_name(&self, token: &str, now: i64) -> sqlx::Result<Option<String>> {
        let row = sqlx::query(
            "SELECT file_name FROM unlock_file_tokens WHERE token = $1 AND expires_at > $2",
        )
        .bind(token)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| r.try_get(0)).transpose()
    }
}
