//! The rate limit as Hotmart counts it: a budget of calls a window, with its headers.

use std::time::{Duration, Instant};

/// The rate-limit window: `budget` calls per `window`, as Hotmart counts 500 a minute.
#[derive(Debug)]
pub(crate) struct RateWindow {
    pub(crate) budget: u32,
    pub(crate) window: Duration,
    pub(crate) started: Instant,
    pub(crate) used: u32,
}

impl RateWindow {
    pub(crate) fn new(budget: u32, window: Duration) -> Self {
        RateWindow {
            budget,
            window,
            started: Instant::now(),
            used: 0,
        }
    }

    /// Counts a call; returns whether it is within budget, and the headers to send.
    pub(crate) fn take(&mut self) -> (bool, Vec<(&'static str, String)>) {
        let now = Instant::now();
        if now.duration_since(self.started) >= self.window {
            self.started = now;
            self.used = 0;
        }
        let allowed = self.used < self.budget;
        if allowed {
            self.used += 1;
        }
        let remaining = self.budget.saturating_sub(self.used);
        let left = self.window.saturating_sub(now.duration_since(self.started));
        // Whole seconds, rounded up, so a client that waits this long finds a new window.
        let reset = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        let headers = vec![
            ("RateLimit-Limit", self.budget.to_string()),
            ("RateLimit-Remaining", remaining.to_string()),
            ("RateLimit-Reset", reset.to_string()),
            ("X-RateLimit-Limit-Minute", self.budget.to_string()),
            ("X-RateLimit-Remaining-Minute", remaining.to_string()),
        ];
        (allowed, headers)
    }
}
