//! Switches for what only third-party notes say about FlightHub 2 (`upstream-apis.md` §A.4,
//! §A.6): the error codes, how an empty list comes back, paging, and rate limiting. The
//! default is what those notes report; each switch is one plausible alternative the proxy must
//! survive. Set at run time on a running simulator (`FlightHubSim::behaviour`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How an empty `data.list` comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmptyList {
    /// `"list": null` (third-party notes).
    #[default]
    Null,
    /// `"list": []`.
    Array,
    /// No `list` key at all.
    Missing,
}

/// How a rate limit is signalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitStyle {
    /// HTTP 200 with `code` (the notes: `210429`).
    Code(i64),
    /// HTTP 429 with a `{code, message}` body of that code.
    Http429(i64),
}

/// More than `burst` requests within `window` are refused, with `Retry-After: retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub burst: usize,
    pub window: Duration,
    pub style: LimitStyle,
    pub retry_after_secs: u64,
}

/// The alternatives in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlightHubBehaviour {
    /// The code for a missing or wrong organization key (notes: `200401`).
    pub key_invalid_code: i64,
    /// The HTTP status that comes with it (notes: 200; one integrator saw 401).
    pub key_invalid_status: u16,
    /// The code for a project the key may not use (notes: `200403`).
    pub forbidden_code: i64,
    pub empty_list: EmptyList,
    /// `false`: `/project` ignores `page`/`page_size` and answers every project every time.
    pub paging: bool,
    pub rate_limit: Option<RateLimit>,
}

impl Default for FlightHubBehaviour {
    fn default() -> Self {
        FlightHubBehaviour {
            key_invalid_code: 200401,
            key_invalid_status: 200,
            forbidden_code: 200403,
            empty_list: EmptyList::Null,
            paging: true,
            rate_limit: None,
        }
    }
}

/// The switch of one simulator and its request log for the rate limit; clones share both.
#[derive(Clone, Default)]
pub struct BehaviourSwitch {
    behaviour: Arc<Mutex<FlightHubBehaviour>>,
    recent: Arc<Mutex<VecDeque<Instant>>>,
}

impl BehaviourSwitch {
    pub fn set(&self, behaviour: FlightHubBehaviour) {
        *self.behaviour.lock().unwrap_or_else(|p| p.into_inner()) = behaviour;
        self.recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    pub fn get(&self) -> FlightHubBehaviour {
        *self.behaviour.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a request; the limit it broke, if any (a refused request counts too, as a real
    /// limiter sees every attempt).
    pub fn over_limit(&self) -> Option<RateLimit> {
        let limit = self.get().rate_limit?;
        let now = Instant::now();
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= limit.window)
        {
            recent.pop_front();
        }
        recent.push_back(now);
        (recent.len() > limit.burst).then_some(limit)
    }
}
