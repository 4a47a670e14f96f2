//! Login attempt limits per client address and per username (governor's keyed GCRA).

use crate::error::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

#[derive(Clone)]
pub struct LoginLimits {
    by_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    by_username: Arc<DefaultKeyedRateLimiter<String>>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl LoginLimits {
    pub fn new(per_address_per_minute: u32, per_username_per_minute: u32) -> Self {
        LoginLimits {
            by_address: Arc::new(RateLimiter::keyed(per_minute(per_address_per_minute))),
            by_username: Arc::new(RateLimiter::keyed(per_minute(per_username_per_minute))),
        }
    }

    /// Counts one attempt; `TooManyAttempts` with the wait if either limit is used up.
    pub fn check(&self, address: IpAddr, username: &str) -> Result<(), ApiError> {
        let clock = DefaultClock::default();
        let wait = |not_until: governor::NotUntil<_>| ApiError::TooManyAttempts {
            retry_after_secs: not_until.wait_time_from(clock.now()).as_secs().max(1),
        };
        self.by_address.check_key(&address).map_err(wait)?;
        self.by_username
            .check_key(&username.trim().to_lowercase())
            .map_err(wait)?;
        // Keep memory bounded under a spray of usernames.
        if self.by_username.len() > 10_000 {
            self.by_username.retain_recent();
            self.by_address.retain_recent();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn per_username_limit_applies_across_addresses() {
        let limits = LoginLimits::new(100, 2);
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        assert!(limits.check(a, "pilot").is_ok());
        assert!(limits.check(b, "PILOT ").is_ok());
        let err = limits.check(a, "pilot").expect_err("third attempt refused");
        assert!(
            matches!(err, ApiError::TooManyAttempts { retry_after_secs } if retry_after_secs >= 1)
        );
        assert!(limits.check(a, "other").is_ok(), "other users unaffected");
    }

    #[test]
    fn per_address_limit_applies_across_usernames() {
        let limits = LoginLimits::new(2, 100);
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        assert!(limits.check(a, "u1").is_ok());
        assert!(limits.check(a, "u2").is_ok());
        assert!(limits.check(a, "u3").is_err());
        assert!(limits.check(IpAddr::V4(Ipv4Addr::LOCALHOST), "u4").is_ok());
    }
}
