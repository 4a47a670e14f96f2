//! Attempt limits over a sliding window (login attempts, support reports), counted in the
//! database in buckets so that every instance counts the same attempts.
//!
//! A window of `length` is counted in [`BUCKETS`] buckets of `length / BUCKETS`. An attempt
//! goes through when the buckets that overlap the `length` before it hold at most the limit,
//! its own attempt included. Buckets count whole, so **no span of `length` ever lets more than
//! the limit through**: a fixed window let twice the limit through around its boundary. The
//! price is a wait at most one bucket longer than `length`. Refused attempts count too, so a
//! client that keeps trying while refused keeps waiting; its `Retry-After` is rounded up.

/// Buckets per window: the wait is at most `1 / BUCKETS` longer than the window.
pub const BUCKETS: i64 = 10;

/// A sliding window of a length in ms (a multiple of [`BUCKETS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    length_ms: i64,
}

impl Window {
    pub const fn new(length_ms: i64) -> Window {
        assert!(length_ms > 0 && length_ms % BUCKETS == 0);
        Window { length_ms }
    }

    pub const fn bucket_ms(self) -> i64 {
        self.length_ms / BUCKETS
    }

    /// The start of the bucket holding `now` (epoch ms): where an attempt at `now` is counted.
    pub fn bucket(self, now: i64) -> i64 {
        now - now.rem_euclid(self.bucket_ms())
    }

    /// The oldest bucket that still counts at `now`: it overlaps the window before `now`.
    /// Older ones can be deleted.
    pub fn oldest(self, now: i64) -> i64 {
        self.bucket(now) - self.length_ms
    }

    /// Whether an attempt at `now` goes through, given the buckets `(start, attempts)` of its
    /// subject, this attempt counted; else the whole seconds, rounded up, until one would.
    pub fn decide(self, now: i64, buckets: &[(i64, i64)], limit: u32) -> Result<(), u64> {
        let limit = i64::from(limit.max(1));
        let oldest = self.oldest(now);
        let mut counting: Vec<(i64, i64)> = buckets
            .iter()
            .copied()
            .filter(|&(start, _)| start >= oldest)
            .collect();
        let total: i64 = counting.iter().map(|&(_, n)| n).sum();
        if total <= limit {
            return Ok(());
        }
        // The next attempt goes through once the buckets that stop counting first leave at
        // most `limit - 1`; the bucket starting at `s` stops counting at `s + length + bucket`.
        counting.sort_unstable();
        let mut left = total;
        let mut until = now + self.length_ms + self.bucket_ms();
        for (start, n) in counting {
            left -= n;
            if left < limit {
                until = start + self.length_ms + self.bucket_ms();
                break;
            }
        }
        let wait_ms = (until - now).max(1);
        Err(u64::try_from((wait_ms + 999) / 1000).unwrap_or(1).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const MINUTE: Window = Window::new(60_000);

    /// The database's side, in memory: attempts counted per bucket, as `count_attempt` does.
    #[derive(Default)]
    struct Counts(BTreeMap<i64, i64>);

    impl Counts {
        fn attempt(&mut self, w: Window, now: i64, limit: u32) -> Result<(), u64> {
            *self.0.entry(w.bucket(now)).or_default() += 1;
            let buckets: Vec<(i64, i64)> = self.0.iter().map(|(&s, &n)| (s, n)).collect();
            w.decide(now, &buckets, limit)
        }
    }

    #[test]
    fn the_limit_holds_across_what_was_a_window_boundary() {
        // A fixed window let 3 attempts at 0:59 and 3 more at 1:00: six in two seconds.
        let boundary = 1_700_000_040_000;
        let mut counts = Counts::default();
        for i in 0..3 {
            assert_eq!(counts.attempt(MINUTE, boundary - 1_000 + i, 3), Ok(()));
        }
        let refused = counts.attempt(MINUTE, boundary + 500, 3);
        assert!(matches!(refused, Err(60..=66)), "{refused:?}");
    }

    #[test]
    fn no_span_of_the_window_lets_more_than_the_limit_through() {
        // deterministic pseudo-random attempts with three limits
        for limit in [1, 3, 5] {
            let mut counts = Counts::default();
            let mut accepted = Vec::new();
            let (mut now, mut x) = (1_700_000_000_123_i64, 0x2545_f491_4f6c_dd1d_u64);
            for _ in 0..5_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // bursts of quick attempts between pauses of about a minute
                let gap = if x % 3 == 0 {
                    50_000 + (x >> 8) % 20_000
                } else {
                    (x >> 8) % 3_000
                };
                now += i64::try_from(gap).unwrap_or(0);
                if counts.attempt(MINUTE, now, limit).is_ok() {
                    accepted.push(now);
                }
            }
            assert!(accepted.len() > 100, "the test must let attempts through");
            for (i, &t) in accepted.iter().enumerate() {
                let within = accepted[i..]
                    .iter()
                    .take_while(|&&u| u < t + 60_000)
                    .count();
                assert!(within <= limit as usize, "{within} attempts from {t}");
            }
        }
    }

    #[test]
    fn retry_after_is_never_shorter_than_the_real_wait_and_then_enough() {
        let start = 1_700_000_040_000;
        for offset in [0, 1, 2_500, 5_999, 42_123] {
            let mut counts = Counts::default();
            let first = start + offset;
            assert!(counts.attempt(MINUTE, first, 2).is_ok());
            assert!(counts.attempt(MINUTE, first + 10_000, 2).is_ok());
            let now = first + 20_000;
            let secs = counts.attempt(MINUTE, now, 2).expect_err("third refused");
            let wait_ms = i64::try_from(secs).unwrap_or(0) * 1000;
            // a moment before the announced wait ends less one second: still refused
            let mut early = Counts(counts.0.clone());
            assert!(early.attempt(MINUTE, now + wait_ms - 1_001, 2).is_err());
            // from then on: through (the buckets of the two before stopped counting)
            assert_eq!(counts.attempt(MINUTE, now + wait_ms, 2), Ok(()), "{offset}");
        }
    }

    #[test]
    fn buckets_that_stopped_counting_are_ignored() {
        let now = 1_700_000_040_000;
        let old = MINUTE.oldest(now) - MINUTE.bucket_ms();
        assert_eq!(MINUTE.decide(now, &[(old, 100), (now, 1)], 1), Ok(()));
        assert_eq!(MINUTE.bucket(now + 5_999), now);
        assert_eq!(MINUTE.bucket(now + 6_000), now + 6_000);
    }
}
