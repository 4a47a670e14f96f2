//! Login attempt limits per client address and per username, counted in the database
//! (`login_attempts`) so that every instance behind a load balancer counts the same attempts.
//!
//! Fixed one-minute windows: at most `LOGIN_ATTEMPTS_PER_ADDRESS` attempts from one address
//! and `LOGIN_ATTEMPTS_PER_USERNAME` for one username per window. A refusal's `Retry-After` is
//! the time left in the window, rounded **up** to whole seconds: never shorter than the real
//! wait. (A fixed window lets a client spend two windows' attempts around a boundary: at most
//! twice the limit in any minute.)

use crate::db::Db;
use crate::error::ApiError;
use std::net::IpAddr;

/// Window length, ms.
pub const WINDOW_MS: i64 = 60_000;

#[derive(Clone)]
pub struct LoginLimits {
    db: Db,
    per_address: i64,
    per_username: i64,
}

/// The window holding `now` (epoch ms): its start.
pub fn window_start(now: i64) -> i64 {
    now - now.rem_euclid(WINDOW_MS)
}

/// Whole seconds until the window holding `now` ends, rounded up (at least 1).
pub fn retry_after_secs(now: i64) -> u64 {
    let left_ms = window_start(now) + WINDOW_MS - now;
    u64::try_from((left_ms + 999) / 1000).unwrap_or(1).max(1)
}

impl LoginLimits {
    pub fn new(db: Db, per_address_per_minute: u32, per_username_per_minute: u32) -> Self {
        LoginLimits {
            db,
            per_address: i64::from(per_address_per_minute.max(1)),
            per_username: i64::from(per_username_per_minute.max(1)),
        }
    }

    /// Counts one attempt at `now` (epoch ms); `TooManyAttempts` with the wait if either
    /// limit is used up. The username is counted only when the address may still try.
    pub async fn check_at(
        &self,
        address: IpAddr,
        username: &str,
        now: i64,
    ) -> Result<(), ApiError> {
        let window = window_start(now);
        let forget = window - WINDOW_MS;
        let refused = |limit: &'static str| {
            crate::health::count_refusal(limit);
            ApiError::TooManyAttempts {
                retry_after_secs: retry_after_secs(now),
            }
        };
        let by_address = self
            .db
            .count_login_attempt(&format!("address:{address}"), window, forget)
            .await?;
        if by_address > self.per_address {
            return Err(refused("address"));
        }
        let name = username.trim().to_lowercase();
        let by_username = self
            .db
            .count_login_attempt(&format!("username:{name}"), window, forget)
            .await?;
        if by_username > self.per_username {
            return Err(refused("username"));
        }
        Ok(())
    }

    /// [`LoginLimits::check_at`] now.
    pub async fn check(&self, address: IpAddr, username: &str) -> Result<(), ApiError> {
        self.check_at(address, username, crate::clock::now_ms())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn retry_after_rounds_the_rest_of_the_window_up() {
        let start = 1_700_000_040_000; // a window boundary
        assert_eq!(window_start(start), start);
        assert_eq!(retry_after_secs(start), 60);
        // 59.5 s left: 60, never 59
        assert_eq!(retry_after_secs(start + 500), 60);
        assert_eq!(retry_after_secs(start + 59_001), 1);
        assert_eq!(retry_after_secs(start + 59_999), 1);
        assert_eq!(retry_after_secs(start + 1_000), 59);
    }

    async fn limits(per_address: u32, per_username: u32) -> (LoginLimits, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("db").display());
        let db = Db::connect(&url).await.expect("db");
        (LoginLimits::new(db, per_address, per_username), dir)
    }

    #[tokio::test]
    async fn per_username_limit_applies_across_addresses() {
        let (limits, _dir) = limits(100, 2).await;
        let now = 1_700_000_040_500;
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        assert!(limits.check_at(a, "pilot", now).await.is_ok());
        assert!(limits.check_at(b, "PILOT ", now).await.is_ok());
        let err = limits
            .check_at(a, "pilot", now)
            .await
            .expect_err("third attempt refused");
        assert!(
            matches!(
                err,
                ApiError::TooManyAttempts {
                    retry_after_secs: 60
                }
            ),
            "{err:?}"
        );
        assert!(
            limits.check_at(a, "other", now).await.is_ok(),
            "other users unaffected"
        );
        // the next window starts afresh
        assert!(limits.check_at(a, "pilot", now + WINDOW_MS).await.is_ok());
    }

    #[tokio::test]
    async fn per_address_limit_applies_across_usernames() {
        let (limits, _dir) = limits(2, 100).await;
        let now = 1_700_000_040_000;
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        assert!(limits.check_at(a, "u1", now).await.is_ok());
        assert!(limits.check_at(a, "u2", now).await.is_ok());
        assert!(limits.check_at(a, "u3", now).await.is_err());
        assert!(limits
            .check_at(IpAddr::V4(Ipv4Addr::LOCALHOST), "u4", now)
            .await
            .is_ok());
    }
}
