//! Login attempt limits, counted in the database (`login_attempts`) so that every instance
//! behind a load balancer counts the same attempts.
//!
//! - **Every attempt** from one address: at most `LOGIN_ATTEMPTS_PER_ADDRESS` in any minute.
//! - **Refused passwords** for one username: at most `LOGIN_ATTEMPTS_PER_USERNAME` from one
//!   address, and [`ALL_ADDRESSES_FACTOR`] times that from all addresses together, in any
//!   minute. Only refusals count, and per address first: when every attempt for a username
//!   counted wherever it came from, anyone could keep a pilot out of their account with a
//!   wrong password every twelve seconds, and pilots logging in on several controllers used
//!   up each other's minute. The ceiling over all addresses still bounds a guesser with many.
//!
//! A sliding window ([`crate::sliding`]; a fixed one let twice the limit through around its
//! boundary). A refusal's `Retry-After` is the wait until an attempt would go through, rounded
//! **up** to whole seconds: never shorter than the real wait.

use crate::db::Db;
use crate::error::ApiError;
use crate::sliding::Window;
use std::net::IpAddr;

/// The window the limits hold in.
pub const WINDOW: Window = Window::new(60_000);

/// How many times the per-address limit of refused passwords one username may have from all
/// addresses together.
pub const ALL_ADDRESSES_FACTOR: u32 = 10;

#[derive(Clone)]
pub struct LoginLimits {
    db: Db,
    per_address: u32,
    per_username: u32,
}

/// The counter subjects of a username's refused passwords: from `address`, and from all.
fn refusal_subjects(address: IpAddr, username: &str) -> [String; 2] {
    let name = username.trim().to_lowercase();
    [
        format!("refused:{name}@{address}"),
        format!("refused:{name}"),
    ]
}

impl LoginLimits {
    pub fn new(db: Db, per_address_per_minute: u32, per_username_per_minute: u32) -> Self {
        LoginLimits {
            db,
            per_address: per_address_per_minute.max(1),
            per_username: per_username_per_minute.max(1),
        }
    }

    /// Counts one attempt of `address` at `now` (epoch ms) and checks, without counting, the
    /// username's refused passwords; `TooManyAttempts` with the wait if a limit is used up.
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
        let [here, everywhere] = refusal_subjects(address, username);
        let limits = [
            (here, self.per_username),
            (
                everywhere,
                self.per_username.saturating_mul(ALL_ADDRESSES_FACTOR),
            ),
        ];
        for (subject, limit) in limits {
            let mut buckets = self.db.login_attempts(&subject, WINDOW, now).await?;
            // as if this attempt were refused too: the one after the limit is held back
            buckets.push((WINDOW.bucket(now), 1));
            if let Err(wait) = WINDOW.decide(now, &buckets, limit) {
                return Err(refused("username", wait));
            }
        }
        Ok(())
    }

    /// Counts a refused password for `username` from `address` at `now`.
    pub async fn count_refusal_at(
        &self,
        address: IpAddr,
        username: &str,
        now: i64,
    ) -> Result<(), ApiError> {
        for subject in refusal_subjects(address, username) {
            self.db.count_login_attempt(&subject, WINDOW, now).await?;
        }
        Ok(())
    }

    /// [`LoginLimits::check_at`] now.
    pub async fn check(&self, address: IpAddr, username: &str) -> Result<(), ApiError> {
        self.check_at(address, username, crate::clock::now_ms())
            .await
    }

    /// [`LoginLimits::count_refusal_at`] now.
    pub async fn count_refusal(&self, address: IpAddr, username: &str) -> Result<(), ApiError> {
        self.count_refusal_at(address, username, crate::clock::now_ms())
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
    async fn refused_passwords_hold_back_that_username_from_that_address() {
        let (limits, _dir) = limits(100, 2).await;
        let now = 1_700_000_040_500;
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        // attempts that were not refused (logins) do not count
        for _ in 0..5 {
            assert!(limits.check_at(a, "pilot", now).await.is_ok());
        }
        for _ in 0..2 {
            assert!(limits.check_at(a, "pilot", now).await.is_ok());
            limits
                .count_refusal_at(a, "PILOT ", now)
                .await
                .expect("counted");
        }
        let err = limits
            .check_at(a, "pilot", now)
            .await
            .expect_err("a third try after two refusals");
        // the two stop counting 66 s after their bucket began: 65.5 s from here, rounded up
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
        assert!(
            limits.check_at(b, "pilot", now).await.is_ok(),
            "a guesser elsewhere does not keep the pilot out"
        );
        // once the announced wait is over
        assert!(limits.check_at(a, "pilot", now + 66_000).await.is_ok());
    }

    #[tokio::test]
    async fn refused_passwords_from_all_addresses_have_a_ceiling() {
        let (limits, _dir) = limits(100, 1).await;
        let now = 1_700_000_040_500;
        for host in 1..=ALL_ADDRESSES_FACTOR {
            let from = IpAddr::V4(Ipv4Addr::new(10, 0, 1, u8::try_from(host).expect("few")));
            assert!(limits.check_at(from, "pilot", now).await.is_ok(), "{host}");
            limits
                .count_refusal_at(from, "pilot", now)
                .await
                .expect("counted");
        }
        let fresh = IpAddr::V4(Ipv4Addr::new(10, 0, 2, 1));
        assert!(
            matches!(
                limits.check_at(fresh, "pilot", now).await,
                Err(ApiError::TooManyAttempts { .. })
            ),
            "the ceiling holds for an address that never tried"
        );
        assert!(limits.check_at(fresh, "copilot", now).await.is_ok());
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
