//! The workspace list's device counts, so one page request never fans out into unbounded
//! FlightHub 2 calls.
//!
//! FlightHub 2 has no call that counts devices per project (`/device` lists the organization's
//! devices without their project), so a count costs one `/project/device` call per project.
//! Measured (README, "FlightHub 2 device counts"), the choice is: counts are kept per project
//! for `FLIGHTHUB_COUNT_CACHE_SECS` (shared by every pilot of this instance: a count is not a
//! secret of one pilot, and the list is filtered per pilot before counting), one list asks for
//! at most `FLIGHTHUB_MAX_COUNTS` missing counts (the rest show none), and those calls run at
//! most `FLIGHTHUB_MAX_CONCURRENT` at a time (the FlightHub client's own bound).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Cached counts, at most this many projects (oldest dropped first).
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug)]
pub struct DeviceCounts {
    ttl: Duration,
    per_request: usize,
    /// `None`: FlightHub 2 refused the project's devices (forbidden), kept as well.
    counts: Mutex<HashMap<String, (Instant, Option<u32>)>>,
}

impl DeviceCounts {
    pub fn new(ttl: Duration, per_request: usize) -> DeviceCounts {
        DeviceCounts {
            ttl,
            per_request,
            counts: Mutex::default(),
        }
    }

    /// Missing counts one request may ask for.
    pub fn per_request(&self) -> usize {
        self.per_request
    }

    /// A fresh count of `project`, if one is kept (`Some(None)`: kept as forbidden).
    pub fn get(&self, project: &str) -> Option<Option<u32>> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts
            .get(&project.to_ascii_lowercase())
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, n)| *n)
    }

    pub fn put(&self, project: &str, count: Option<u32>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            counts.retain(|_, (at, _)| at.elapsed() < ttl);
            if counts.len() >= MAX_ENTRIES {
                counts.clear();
            }
        }
        counts.insert(project.to_ascii_lowercase(), (Instant::now(), count));
    }
}
