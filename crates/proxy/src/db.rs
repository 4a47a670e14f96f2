//! The proxy's database: SQLite by default, PostgreSQL by URL, created and migrated on start.
//! Holds XAG links (with XAG's access token, which never leaves the proxy) and link attempts,
//! and the remote unlocking audit ([`unlock`]).

pub mod login_attempts;
pub mod support_reports;
pub mod tokens;
pub mod unlock;
pub mod xag_attempts;

use pilot_portal_shared::{Workspace, XagLinkStatus};
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Row};

/// An integer column that is `INTEGER` on SQLite and may come back as `i32` on PostgreSQL.
pub(crate) fn int(row: &sqlx::any::AnyRow, i: usize) -> sqlx::Result<i64> {
    row.try_get::<i64, _>(i)
        .or_else(|_| row.try_get::<i32, _>(i).map(i64::from))
}

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    /// Encrypts XAG access tokens at rest (`STORAGE_KEY`); `None`: stored as given.
    key: Option<crate::storage_key::StorageKey>,
}

/// A pilot's XAG link as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XagLink {
    pub union_id: String,
    pub access_token: String,
    /// Epoch ms; `None` when XAG stated no lifetime.
    pub expires_at: Option<i64>,
    pub linked_at: i64,
}

/// `xag_links.expires_at` (`NOT NULL`) of a link whose lifetime XAG did not state: no real
/// end is at the epoch.
const NO_STATED_END: i64 = 0;

impl From<XagLink> for XagLinkStatus {
    /// What the page may see of a link: never XAG's access token.
    fn from(link: XagLink) -> Self {
        XagLinkStatus {
            linked: true,
            union_id: Some(link.union_id),
            expires_at: link.expires_at,
            linked_at: Some(link.linked_at),
        }
    }
}

impl XagLink {
    /// The page's view of a pilot's link, or of its absence.
    pub fn status(link: Option<XagLink>) -> XagLinkStatus {
        link.map(XagLinkStatus::from).unwrap_or(XagLinkStatus {
            linked: false,
            union_id: None,
            expires_at: None,
            linked_at: None,
        })
    }
}

/// A link attempt as started: the single-use `state` and what it was started for.
#[derive(Debug, Clone, Copy)]
pub struct NewAttempt<'a> {
    pub state: &'a str,
    pub user: &'a str,
    pub pre_auth_code: &'a str,
    /// Where the browser goes back to afterwards (validated by the caller).
    pub return_to: Option<&'a str>,
    /// Epoch ms.
    pub expires_at: i64,
}

/// A link attempt used up by its callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumedAttempt {
    pub user: String,
    pub return_to: Option<String>,
}

/// How long opening the database may take.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl Db {
    /// Connects (creating a SQLite file when the URL says `mode=rwc`) and runs the migrations;
    /// an error names `DATABASE_URL`, wherever it is opened (a start, `check`, `report`).
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        install_default_drivers();
        // One connection first: a pool that cannot connect only says it timed out, this says
        // why (refused, unknown host, a refused password).
        match tokio::time::timeout(CONNECT_TIMEOUT, sqlx::AnyConnection::connect(url)).await {
            Ok(Ok(first)) => {
                let _ = first.close().await;
            }
            Ok(Err(e)) => {
                let said = crate::error::with_causes(&e);
                let hint = if url.trim_start().starts_with("sqlite")
                    && said.contains("unable to open database file")
                {
                    " (its directory must exist and be writable by this user — under systemd, \
                     /var/lib/pilot-portal — and `?mode=rwc` creates the file)"
                } else {
                    ""
                };
                anyhow::bail!("DATABASE_URL: {said}{hint}")
            }
            Err(_) => anyhow::bail!(
                "DATABASE_URL: the database did not answer in {} s",
                CONNECT_TIMEOUT.as_secs()
            ),
        }
        let opened = async {
            let pool = AnyPoolOptions::new()
                .max_connections(5)
                .acquire_timeout(CONNECT_TIMEOUT)
                .connect(url)
                .await?;
            sqlx::migrate!("./migrations").run(&pool).await?;
            anyhow::Ok(pool)
        };
        let pool = opened.await.map_err(|e| {
            anyhow::anyhow!("DATABASE_URL: {}", crate::error::with_causes(e.as_ref()))
        })?;
        Ok(Db { pool, key: None })
    }

    /// Opens a database that must exist already, for reading what a running proxy stored (the
    /// `report` subcommand): a mistyped SQLite path is said, not created empty to answer
    /// "no reports".
    pub async fn connect_existing(url: &str) -> anyhow::Result<Db> {
        if let Some(path) = sqlite_file(url) {
            if !path.exists() {
                anyhow::bail!(
                    "DATABASE_URL: {} does not exist (is this the proxy's DATABASE_URL? Its first \
                     start creates the file)",
                    path.display()
                );
            }
        }
        Self::connect(url).await
    }

    /// This database with stored upstream tokens encrypted under `key`.
    pub fn with_storage_key(mut self, key: Option<crate::storage_key::StorageKey>) -> Db {
        self.key = key;
        self
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// At start: encrypts the plaintext XAG tokens of rows stored before `STORAGE_KEY` was
    /// set, and checks every encrypted one opens with the configured key. An error names
    /// `STORAGE_KEY` (and the row's user), never a token. Returns how many rows were
    /// encrypted now.
    pub async fn encrypt_stored_tokens(&self) -> anyhow::Result<usize> {
        self.stored_tokens(true).await
    }

    /// For `check`: what [`Db::encrypt_stored_tokens`] would refuse, changing nothing.
    /// Returns how many rows a start would encrypt.
    pub async fn check_stored_tokens(&self) -> anyhow::Result<usize> {
        self.stored_tokens(false).await
    }

    async fn stored_tokens(&self, write: bool) -> anyhow::Result<usize> {
        use crate::storage_key::StorageKey;
        let rows = sqlx::query("SELECT platform_user, access_token FROM xag_links")
            .fetch_all(&self.pool)
            .await?;
        let mut encrypted = 0;
        for row in rows {
            let user: String = row.try_get(0)?;
            let stored: String = row.try_get(1)?;
            match (&self.key, StorageKey::is_sealed(&stored)) {
                (Some(key), true) => {
                    key.open(&stored).map_err(|e| {
                        anyhow::anyhow!(
                            "STORAGE_KEY: the stored XAG token of {user:?} {e}; start with the key \
                             it was stored with"
                        )
                    })?;
                }
                (Some(_), false) if !write => encrypted += 1,
                (Some(key), false) => {
                    let sealed = key.seal(&stored).map_err(anyhow::Error::msg)?;
                    sqlx::query(
                        "UPDATE xag_links SET access_token = $1 \
                         WHERE platform_user = $2 AND access_token = $3",
                    )
                    .bind(sealed)
                    .bind(&user)
                    .bind(&stored)
                    .execute(&self.pool)
                    .await?;
                    encrypted += 1;
                }
                (None, true) => anyhow::bail!(
                    "STORAGE_KEY: stored XAG tokens are encrypted; set the key they were \
                     stored with"
                ),
                (None, false) => {}
            }
        }
        Ok(encrypted)
    }

    fn seal_token(&self, token: &str) -> sqlx::Result<String> {
        match &self.key {
            Some(key) => key
                .seal(token)
                .map_err(|e| sqlx::Error::Protocol(format!("STORAGE_KEY: {e}"))),
            None => Ok(token.to_owned()),
        }
    }

    fn open_token(&self, stored: String) -> sqlx::Result<String> {
        match &self.key {
            Some(key) if crate::storage_key::StorageKey::is_sealed(&stored) => key
                .open(&stored)
                .map_err(|e| sqlx::Error::Protocol(format!("STORAGE_KEY: stored token {e}"))),
            _ => Ok(stored),
        }
    }

    /// Records a link attempt.
    pub async fn insert_attempt(&self, attempt: NewAttempt<'_>) -> sqlx::Result<()> {
        const INSERT: &str = "INSERT INTO xag_link_attempts \
            (state, platform_user, pre_auth_code, return_to, expires_at, used) \
            VALUES ($1, $2, $3, $4, $5, 0)";
        sqlx::query(INSERT)
            .bind(attempt.state)
            .bind(attempt.user)
            .bind(attempt.pre_auth_code)
            .bind(attempt.return_to)
            .bind(attempt.expires_at)
            .execute(&self.pool)
            .await?;
        // Old attempts are of no use; keep the table small.
        sqlx::query("DELETE FROM xag_link_attempts WHERE expires_at < $1")
            .bind(attempt.expires_at - 86_400_000)
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
        const SELECT: &str = "SELECT pre_auth_code FROM xag_link_attempts \
            WHERE state = $1 AND used = 0 AND expires_at > $2";
        let row = sqlx::query(SELECT)
            .bind(state)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(|r| r.try_get::<Option<String>, _>(0).ok().flatten()))
    }

    /// Uses up a link attempt: who it was for and where they go back to, if it existed, was
    /// unused and unexpired. Atomic, so two callbacks with the same state cannot both succeed.
    pub async fn consume_attempt(
        &self,
        state: &str,
        now: i64,
    ) -> sqlx::Result<Option<ConsumedAttempt>> {
        const CONSUME: &str = "UPDATE xag_link_attempts SET used = 1 \
            WHERE state = $1 AND used = 0 AND expires_at > $2 \
            RETURNING platform_user, return_to";
        let row = sqlx::query(CONSUME)
            .bind(state)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(ConsumedAttempt {
                user: r.try_get(0)?,
                return_to: r.try_get(1)?,
            })
        })
        .transpose()
    }

    pub async fn upsert_link(&self, user: &str, link: &XagLink) -> sqlx::Result<()> {
        const UPSERT: &str = "INSERT INTO xag_links \
            (platform_user, union_id, access_token, expires_at, linked_at) \
            VALUES ($1, $2, $3, $4, $5) \
            ON CONFLICT (platform_user) DO UPDATE SET union_id = excluded.union_id, \
            access_token = excluded.access_token, expires_at = excluded.expires_at, \
            linked_at = excluded.linked_at";
        sqlx::query(UPSERT)
            .bind(user)
            .bind(&link.union_id)
            .bind(self.seal_token(&link.access_token)?)
            .bind(link.expires_at.unwrap_or(NO_STATED_END))
            .bind(link.linked_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn link(&self, user: &str) -> sqlx::Result<Option<XagLink>> {
        const SELECT: &str = "SELECT union_id, access_token, expires_at, linked_at \
            FROM xag_links WHERE platform_user = $1";
        let row = sqlx::query(SELECT)
            .bind(user)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(XagLink {
                union_id: r.try_get(0)?,
                access_token: self.open_token(r.try_get(1)?)?,
                expires_at: Some(r.try_get(2)?).filter(|at| *at != NO_STATED_END),
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

    /// The workspace `user` chose.
    pub async fn workspace(&self, user: &str) -> sqlx::Result<Option<Workspace>> {
        const SELECT: &str = "SELECT project_uuid, name, introduction \
            FROM pilot_workspaces WHERE platform_user = $1";
        let row = sqlx::query(SELECT)
            .bind(user)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Workspace {
                uuid: r.try_get(0)?,
                name: r.try_get(1)?,
                introduction: r.try_get(2)?,
            })
        })
        .transpose()
    }

    /// Remembers `workspace` as `user`'s, chosen at `now` (epoch ms).
    pub async fn set_workspace(
        &self,
        user: &str,
        workspace: &Workspace,
        now: i64,
    ) -> sqlx::Result<()> {
        const UPSERT: &str = "INSERT INTO pilot_workspaces \
            (platform_user, project_uuid, name, introduction, chosen_at) \
            VALUES ($1, $2, $3, $4, $5) \
            ON CONFLICT (platform_user) DO UPDATE SET project_uuid = excluded.project_uuid, \
            name = excluded.name, introduction = excluded.introduction, \
            chosen_at = excluded.chosen_at";
        sqlx::query(UPSERT)
            .bind(user)
            .bind(&workspace.uuid)
            .bind(&workspace.name)
            .bind(&workspace.introduction)
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
}

impl From<sqlx::Error> for crate::error::ApiError {
    fn from(e: sqlx::Error) -> Self {
        crate::error::ApiError::Internal(format!("database: {e}"))
    }
}

/// The file a SQLite URL names; `None` for another database or an in-memory one.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    use std::str::FromStr;
    let url = url.trim();
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
    Some(options.get_filename().to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::Db;

    /// `report` with a mistyped path: said, and no empty database left behind.
    #[tokio::test]
    async fn reading_a_sqlite_file_that_is_not_there_says_so_and_creates_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("mistyped.db");
        let said =
            match Db::connect_existing(&format!("sqlite://{}?mode=rwc", path.display())).await {
                Ok(_) => panic!("no such file"),
                Err(e) => format!("{e:#}"),
            };
        assert!(said.contains("mistyped.db does not exist"), "{said}");
        assert!(!path.exists(), "nothing created");
        assert!(Db::connect_existing("sqlite::memory:").await.is_ok());
    }

    /// A database that refuses the connection says so, not "pool timed out" after the whole
    /// wait; the password is not in it.
    #[tokio::test]
    async fn a_refused_database_says_why_without_the_password() {
        let port = pilot_portal_testkit::free_port().expect("port");
        let said = match Db::connect(&format!("postgres://app:DBSECRET@127.0.0.1:{port}/pp")).await
        {
            Ok(_) => panic!("nothing listens there"),
            Err(e) => format!("{e:#}"),
        };
        assert!(said.starts_with("DATABASE_URL: "), "{said}");
        assert!(said.to_lowercase().contains("refused"), "{said}");
        assert!(!said.contains("DBSECRET"), "{said}");
    }

    #[tokio::test]
    async fn a_sqlite_file_that_cannot_be_opened_says_what_to_check() {
        let said = match Db::connect("sqlite:///no/such/dir/pp.db").await {
            Ok(_) => panic!("no such directory"),
            Err(e) => format!("{e:#}"),
        };
        assert!(said.starts_with("DATABASE_URL: "), "{said}");
        assert!(said.contains("mode=rwc"), "{said}");
    }

    #[tokio::test]
    async fn a_file_that_is_no_database_is_said_once() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("not-a.db");
        std::fs::write(&path, vec![b'x'; 4096]).expect("write");
        let said = match Db::connect(&format!("sqlite://{}", path.display())).await {
            Ok(_) => panic!("not a database"),
            Err(e) => format!("{e:#}"),
        };
        assert_eq!(said.matches("not a database").count(), 1, "{said}");
    }
}
