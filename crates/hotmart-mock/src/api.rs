//! The mock's API: bearer checks, rate limits, and paginated fictional data.

use std::time::{Duration, Instant};

use crate::RecordedRequest;
use crate::answer::Answer;
use crate::endpoints;
use crate::mock::{State, lock};

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
    fn take(&mut self) -> (bool, Vec<(&'static str, String)>) {
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

pub(crate) fn respond(state: &State, request: &RecordedRequest) -> Answer {
    if let Err(answer) = authorize(state, request) {
        return answer;
    }
    let (allowed, headers) = lock(&state.rate).take();
    let mut answer = if allowed {
        route(state, request)
    } else {
        Answer::error(429, "too_many_requests", "Rate limit exceeded")
    };
    answer.headers.extend(headers);
    answer
}

/// The bearer token must be one the mock issued, not expired and not revoked.
fn authorize(state: &State, request: &RecordedRequest) -> Result<(), Answer> {
    let Some(value) = request.header("authorization") else {
        return Err(Answer::error(
            401,
            "unauthorized",
            "Full authentication is required to access this resource",
        ));
    };
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let now = Instant::now();
    let valid = token.is_some_and(|token| {
        lock(&state.tokens)
            .iter()
            .any(|(issued, expires_at)| issued == token && now < *expires_at)
    });
    if valid {
        Ok(())
    } else {
        Err(Answer::error(
            401,
            "invalid_token",
            "Invalid or expired access token",
        ))
    }
}

fn route(state: &State, request: &RecordedRequest) -> Answer {
    endpoints::route(&mut lock(&state.store), request)
}
