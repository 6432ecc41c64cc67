//! When to try a request again, and how long to wait first: pure functions of the answer,
//! its headers and the attempt number, so they are tested with tables.

pub(crate) mod call;

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::error::{Limit, TransportErrorKind};

/// How a client retries; set through [`ClientBuilder`](crate::ClientBuilder).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Policy {
    /// Retries after a 5xx or transport failure (not counting 401 and 429 handling).
    pub(crate) max_retries: u32,
    /// The first backoff; each further retry doubles it, up to `max_backoff`. Waits for rate
    /// limits are never shorter than this backoff either.
    pub(crate) base_backoff: Duration,
    pub(crate) max_backoff: Duration,
    /// The most time spent waiting out rate limits (429) in one call.
    pub(crate) max_rate_limit_wait: Duration,
    /// The most time one call may take, retries and waits included.
    pub(crate) call_timeout: Duration,
}

/// The most 429 answers one call accepts before it gives up, whatever waits they ask for: with
/// a zero backoff and a server that says `Retry-After: 0`, this is what ends the call.
pub(crate) const MAX_RATE_LIMIT_ATTEMPTS: u32 = 20;

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_retries: 2,
            base_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            max_rate_limit_wait: Duration::from_secs(90),
            call_timeout: Duration::from_secs(180),
        }
    }
}

/// `now + timeout`. `build()` clamps durations to a year, so the sum fits; were it ever not
/// to, the deadline would be now: a call that fails fast rather than one that hangs.
pub(crate) fn deadline_from(now: Instant, timeout: Duration) -> Instant {
    now.checked_add(timeout).unwrap_or(now)
}

/// `deadline_from(Instant::now(), timeout)`.
pub(crate) fn deadline_after(timeout: Duration) -> Instant {
    deadline_from(Instant::now(), timeout)
}

/// What happened to one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// An HTTP answer with this status.
    Status(u16),
    /// No HTTP answer.
    Transport(TransportErrorKind),
}

/// What to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Hand the outcome to the caller: it is final (a success, or not worth repeating).
    Stop,
    /// Hand the outcome to the caller: it was worth repeating, but this limit forbids it.
    GiveUp(Limit),
    /// Wait this long, then send the request again.
    RetryAfter(Duration),
}

/// The rate-limit headers of an answer, as far as they are present and readable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RateLimitHeaders {
    /// `Retry-After`, in seconds (an HTTP date is not read).
    pub(crate) retry_after: Option<u64>,
    /// `RateLimit-Reset`: seconds until the window resets (see [`reset_secs`]).
    pub(crate) reset: Option<u64>,
}

impl RateLimitHeaders {
    pub(crate) fn read(get: impl Fn(&str) -> Option<String>) -> Self {
        RateLimitHeaders {
            retry_after: get("retry-after").and_then(|v| v.trim().parse::<u64>().ok()),
            reset: get("ratelimit-reset").and_then(|v| reset_secs(&v, SystemTime::now())),
        }
    }
}

/// Seconds until a window resets, from a `RateLimit-Reset` value: a number of seconds, or one
/// that can only be a Unix time (2001 onwards), read as the time from `wall` until it (0 once
/// past). A list (`10, 10;w=60`) gives its first item. Shared by the 429 wait and the rate
/// budget, so that both read one header alike.
pub(crate) fn reset_secs(value: &str, wall: SystemTime) -> Option<u64> {
    let first = value.split([',', ';']).next()?.trim();
    let at = first.parse::<u64>().ok()?;
    if at < 1_000_000_000 {
        return Some(at);
    }
    let since_epoch = wall
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    Some(at.saturating_sub(since_epoch))
}

/// The state of one call across its attempts.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Attempts {
    /// Retries spent on 5xx and transport failures.
    pub(crate) failures: u32,
    /// Retries spent on 429 answers.
    pub(crate) rate_limited: u32,
    /// Time spent waiting for rate limits.
    pub(crate) rate_limit_waits: Duration,
}

impl Attempts {
    /// Counts a retry that waits `wait` after `outcome`: rate-limit waits against their own
    /// budget, everything else against the retry count.
    pub(crate) fn record(&mut self, outcome: Outcome, wait: Duration) {
        if outcome == Outcome::Status(429) {
            self.rate_limited = self.rate_limited.saturating_add(1);
            self.rate_limit_waits = self.rate_limit_waits.saturating_add(wait);
        } else {
            self.failures = self.failures.saturating_add(1);
        }
    }
}

/// Decides what follows `outcome`. `repeatable` says whether the request may be sent twice
/// (GET and HEAD, or a request the caller marked safe): Hotmart has no idempotency keys, so a
/// POST must never be repeated by surprise. Requests that never reached the server (a failed
/// connection) are always repeatable.
///
/// The call's deadline is not known here; the caller checks the wait against it.
pub(crate) fn decide(
    policy: &Policy,
    attempts: &Attempts,
    outcome: Outcome,
    repeatable: bool,
    headers: RateLimitHeaders,
) -> Decision {
    match outcome {
        // A 429 means the request was not processed: any method may be sent again.
        Outcome::Status(429) => {
            if attempts.rate_limited >= MAX_RATE_LIMIT_ATTEMPTS {
                return Decision::GiveUp(Limit::RateLimitAttempts(MAX_RATE_LIMIT_ATTEMPTS));
            }
            // A server that says 0 (or nothing) still gets a growing pause: without it, a
            // `Retry-After: 0` loop would hammer the server as fast as the network allows.
            let floor = backoff(policy, attempts.rate_limited);
            let asked = headers
                .retry_after
                .or(headers.reset)
                .map_or(Duration::ZERO, Duration::from_secs);
            let wait = asked.max(floor);
            if attempts.rate_limit_waits.saturating_add(wait) <= policy.max_rate_limit_wait {
                Decision::RetryAfter(wait)
            } else {
                Decision::GiveUp(Limit::RateLimitWait(policy.max_rate_limit_wait))
            }
        }
        Outcome::Status(500 | 502 | 503 | 504) if repeatable => failure(policy, attempts),
        Outcome::Transport(TransportErrorKind::Dns | TransportErrorKind::Connect) => {
            failure(policy, attempts)
        }
        Outcome::Transport(TransportErrorKind::Timeout | TransportErrorKind::Io) if repeatable => {
            failure(policy, attempts)
        }
        _ => Decision::Stop,
    }
}

fn failure(policy: &Policy, attempts: &Attempts) -> Decision {
    if attempts.failures < policy.max_retries {
        Decision::RetryAfter(jitter(backoff(policy, attempts.failures)))
    } else {
        Decision::GiveUp(Limit::Retries(policy.max_retries))
    }
}

/// `base × 2^retry`, capped; a first backoff above the cap is the cap, so that no wait (a
/// rate limit's included) is shorter than the one asked for.
pub(crate) fn backoff(policy: &Policy, retry: u32) -> Duration {
    policy
        .base_backoff
        .saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX))
        .min(policy.max_backoff.max(policy.base_backoff))
}

/// A random point in the upper half of `delay`, so clients that failed together do not retry
/// together.
fn jitter(delay: Duration) -> Duration {
    let random = RandomState::new().hash_one(Instant::now());
    let fraction = 0.5 + (random % 1000) as f64 / 2000.0;
    delay.mul_f64(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TransportErrorKind as T;

    fn policy() -> Policy {
        Policy {
            max_retries: 2,
            base_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            max_rate_limit_wait: Duration::from_secs(60),
            call_timeout: Duration::from_secs(600),
        }
    }

    #[test]
    fn decisions() {
        let none = RateLimitHeaders::default();
        let fresh = Attempts::default();
        let spent = Attempts {
            failures: 2,
            ..Attempts::default()
        };
        // (outcome, repeatable, attempts, retried?)
        let cases = [
            (Outcome::Status(503), true, fresh, true),
            (Outcome::Status(500), true, fresh, true),
            (Outcome::Status(502), true, fresh, true),
            (Outcome::Status(503), false, fresh, false),
            (Outcome::Status(503), true, spent, false),
            (Outcome::Status(501), true, fresh, false),
            (Outcome::Status(400), true, fresh, false),
            (Outcome::Status(404), true, fresh, false),
            (Outcome::Status(401), true, fresh, false),
            (Outcome::Status(429), false, fresh, true),
            (Outcome::Status(429), true, spent, true),
            (Outcome::Transport(T::Connect), false, fresh, true),
            (Outcome::Transport(T::Dns), false, fresh, true),
            (Outcome::Transport(T::Connect), false, spent, false),
            (Outcome::Transport(T::Timeout), true, fresh, true),
            (Outcome::Transport(T::Timeout), false, fresh, false),
            (Outcome::Transport(T::Io), false, fresh, false),
            (Outcome::Transport(T::Tls), true, fresh, false),
            (Outcome::Transport(T::Protocol), true, fresh, false),
        ];
        for (outcome, repeatable, attempts, retried) in cases {
            let decision = decide(&policy(), &attempts, outcome, repeatable, none);
            assert_eq!(
                matches!(decision, Decision::RetryAfter(_)),
                retried,
                "{outcome:?} repeatable={repeatable} {attempts:?}"
            );
        }
    }

    #[test]
    fn rate_limit_waits_for_retry_after_then_reset_then_backoff() {
        let fresh = Attempts::default();
        let wait = |retry_after, reset| {
            let headers = RateLimitHeaders { retry_after, reset };
            decide(&policy(), &fresh, Outcome::Status(429), false, headers)
        };
        let secs = |s| Decision::RetryAfter(Duration::from_secs(s));
        let over = Decision::GiveUp(Limit::RateLimitWait(Duration::from_secs(60)));
        assert_eq!(wait(Some(3), Some(40)), secs(3));
        assert_eq!(wait(None, Some(40)), secs(40));
        assert_eq!(
            wait(None, None),
            Decision::RetryAfter(Duration::from_millis(100))
        );
        // Zero is never taken at its word: the backoff is the floor.
        assert_eq!(
            wait(Some(0), None),
            Decision::RetryAfter(Duration::from_millis(100))
        );
        assert_eq!(wait(None, Some(61)), over);
        assert_eq!(wait(Some(u64::MAX), None), over);
        let nearly_spent = Attempts {
            rate_limit_waits: Duration::from_secs(59),
            ..Attempts::default()
        };
        let headers = RateLimitHeaders {
            retry_after: None,
            reset: Some(2),
        };
        let decision = decide(
            &policy(),
            &nearly_spent,
            Outcome::Status(429),
            true,
            headers,
        );
        assert_eq!(decision, over);
        // Arithmetic at the edge saturates instead of overflowing.
        let saturated = Attempts {
            rate_limit_waits: Duration::MAX,
            ..Attempts::default()
        };
        let decision = decide(&policy(), &saturated, Outcome::Status(429), true, headers);
        assert_eq!(decision, over);
    }

    #[test]
    fn rate_limit_waits_grow_and_their_number_is_capped() {
        let zero = RateLimitHeaders {
            retry_after: Some(0),
            reset: None,
        };
        let mut attempts = Attempts::default();
        let mut waits = Vec::new();
        loop {
            match decide(&policy(), &attempts, Outcome::Status(429), false, zero) {
                Decision::RetryAfter(wait) => {
                    waits.push(wait.as_millis());
                    attempts.record(Outcome::Status(429), wait);
                }
                other => {
                    // 100 ms, 200 ms, … capped at 1 s: the attempt cap comes before 60 s.
                    let cap = Limit::RateLimitAttempts(MAX_RATE_LIMIT_ATTEMPTS);
                    assert_eq!(other, Decision::GiveUp(cap));
                    break;
                }
            }
            assert!(waits.len() <= MAX_RATE_LIMIT_ATTEMPTS as usize);
        }
        assert_eq!(&waits[..5], [100, 200, 400, 800, 1000]);
        let unbounded = Policy {
            base_backoff: Duration::ZERO,
            max_rate_limit_wait: Duration::MAX,
            ..policy()
        };
        let mut attempts = Attempts::default();
        let mut sent = 1;
        while let Decision::RetryAfter(wait) =
            decide(&unbounded, &attempts, Outcome::Status(429), false, zero)
        {
            attempts.record(Outcome::Status(429), wait);
            sent += 1;
        }
        assert_eq!(sent, MAX_RATE_LIMIT_ATTEMPTS + 1);
    }

    #[test]
    fn backoff_doubles_and_caps_and_jitter_stays_in_the_upper_half() {
        let p = policy();
        let steps: Vec<_> = (0..6).map(|r| backoff(&p, r).as_millis()).collect();
        assert_eq!(steps, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(backoff(&p, u32::MAX), Duration::from_secs(1));
        // Before: a first backoff of 20 s was cut to the 8 s cap, 429 floors included.
        let long = Policy {
            base_backoff: Duration::from_secs(20),
            ..Policy::default()
        };
        for retry in [0, 1, 5, u32::MAX] {
            assert_eq!(backoff(&long, retry), Duration::from_secs(20));
        }
        for _ in 0..100 {
            let d = jitter(Duration::from_millis(1000));
            assert!(d >= Duration::from_millis(500) && d <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn headers_are_read_leniently() {
        let read = |pairs: &'static [(&str, &str)]| {
            RateLimitHeaders::read(|name| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            })
        };
        assert_eq!(
            read(&[("retry-after", " 7 "), ("ratelimit-reset", "30")]),
            RateLimitHeaders {
                retry_after: Some(7),
                reset: Some(30)
            }
        );
        assert_eq!(
            read(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]),
            RateLimitHeaders::default()
        );
    }

    #[test]
    fn a_reset_is_seconds_or_a_unix_time() {
        let wall = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let cases = [
            ("3", Some(3)),
            (" 30 ", Some(30)),
            ("10, 10;w=60", Some(10)),
            ("999999999", Some(999_999_999)),
            ("1800000003", Some(3)),
            ("1799999990", Some(0)),
            ("18446744073709551615", Some(18_446_744_071_909_551_615)),
            ("-1", None),
            ("soon", None),
            ("", None),
        ];
        for (value, secs) in cases {
            assert_eq!(reset_secs(value, wall), secs, "{value:?}");
        }
    }
}
