//! Login attempt limits per client address and per username, counted in the database
//! (`login_attempts`) so that every instance behind a load balancer counts the same attempts.
//!
//! At most `LOGIN_ATTEMPTS_PER_ADDRESS` attempts from one address and
//! `LOGIN_ATTEMPTS_PER_USERNAME` for one username in any minute: a sliding window
//! ([`crate::sliding`]; a fixed one let twice the limit through around its boundary). A
//! refusal's `Retry-After` is the wait until an attempt would go through, rounded **up** to
//! whole seconds: never shorter than the real wait.

use crate::db::Db;
use crate::error::ApiError;
use crate::sliding::Window;
use std::net::IpAddr;

/// The window the limits hold in.
pub const WINDOW: Window = Window::new(60_000);

#[derive(Clone)]
pub struct LoginLimits {
    db: Db,
    per_address: u32,
    per_username: u32,
}

impl LoginLimits {
    pub fn new(db: Db, per_address_per_minute: u32, per_username_per_minute: u32) -> Self {
        LoginLimits {
            db,
            per_address: per_address_per_minute.max(1),
            per_username: per_username_per_minute.max(1),
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
        let refused = |limit: &'static str, retry_after_secs: u64| {
            crate::health::count_refusal(limit);
            ApiError::TooManyAttempts { retry_after_secs }
        };
        let by_address = self
            .db
            .count_login_attempt(&format!("address:{address}"), WINDOW, now)
            .await?;
        if let Err(wait) = WINDOW.decide(now, &by_address, self.per_address) {
            return Err(refused("address", wait));
        }
        let name = username.trim().to_lowercase();
        let by_username = self
            .db
            .count_login_attempt(&format!("username:{name}"), WINDOW, now)
            .await?;
        if let Err(wait) = WINDOW.decide(now, &by_username, self.per_username) {
            return Err(refused("username", wait));
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
        // the three stop counting 66 s after their bucket began: 65.5 s from here, rounded up
        assert!(
            matches!(
                err,
                ApiError::TooManyAttempts {
                    retry_after_secs: 66
                }
            ),
            "{err:?}"
        );
        assert!(
            limits.check_at(a, "other", now).await.is_ok(),
            "other users unaffected"
        );
        // once the announced wait is over
        assert!(limits.check_at(a, "pilot", now + 66_000).await.is_ok());
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

    #[tokio::test]
    async fn the_limit_holds_in_any_minute_not_per_calendar_minute() {
        let (limits, _dir) = limits(2, 100).await;
        let minute = 1_700_000_040_000; // a minute's start: a fixed window began here
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        assert!(limits.check_at(a, "u1", minute - 1_000).await.is_ok());
        assert!(limits.check_at(a, "u2", minute - 500).await.is_ok());
        let err = limits
            .check_at(a, "u3", minute + 500)
            .await
            .expect_err("two in the minute before");
        assert!(matches!(err, ApiError::TooManyAttempts { .. }), "{err:?}");
    }
}
