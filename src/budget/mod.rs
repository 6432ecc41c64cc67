//! The rate budget in front of every API call: it learns the account's window from the
//! `RateLimit-*` headers of each answer, and when the window is spent it makes callers wait
//! for the reset instead of sending requests that Hotmart would refuse with a 429.
//!
//! [`RateBudget`] is the seam: [`InProcess`] is the default, one budget per [`Client`]
//! (shared by its clones and threads); the `hotmart-redis` crate's budget shares one window
//! between every process that uses the same credentials, and a budget of your own plugs in
//! with [`ClientBuilder::rate_budget`](crate::ClientBuilder::rate_budget).
//!
//! Both follow the same rules, written once in the in-process window (and mirrored by the
//! Redis script):
//!
//! - Until an answer has told the window, calls go freely.
//! - An answer's `RateLimit-Remaining` and `RateLimit-Reset` set the window; within a window the
//!   lower remaining count and the earlier reset win, since answers arrive out of order and a
//!   reset in whole seconds is rounded. Each call let through counts against the window.
//! - When the count reaches 0, callers wait until the reset; then the window is unknown again
//!   and calls go until an answer tells the next one. An answer to a request sent before the
//!   last reset speaks of an old window and is ignored.
//!
//! Every wait is bounded: a reset is read as at most [`MAX_RESET`], a wait never starts if it
//! would end past the call's deadline (`call_timeout`) or pass `max_rate_limit_wait`, and the
//! error then says so ([`Error::RateBudgetSpent`]).
//!
//! The in-process budget costs each call 70 ns against 59 ns for its floor (two mutex locks
//! and two clock reads): `cargo bench -p hotmart --bench budget`, 2026-12-02. The shared one on
//! Redis has its own benchmark in `hotmart-redis`.
//!
//! [`Client`]: crate::Client

use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ureq::http::HeaderMap;

use crate::Error;
use crate::error::Limit;
use crate::retry::call::CallState;

/// The longest reset believed: Hotmart's window is a minute, so a server that announces more
/// is wrong or hostile, and no caller is held back longer on its word.
pub const MAX_RESET: Duration = Duration::from_secs(120);

/// Two answers whose resets differ by more than this speak of different windows (a reset in
/// whole seconds, rounded up, is at most a second late).
const SAME_WINDOW_SLACK_MS: u64 = 1_500;

/// The shortest wait when the window is spent: a server that says `RateLimit-Remaining: 0`
/// with `RateLimit-Reset: 0` gets a pause, not a loop.
const MIN_SPENT_RESET_MS: u64 = 1_000;

/// What a budget says before an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Send now; hand the ticket back with the answer to [`RateBudget::observe`].
    Go(Ticket),
    /// The window is spent: it resets after this long.
    Wait(Duration),
}

/// When an attempt was let through, on the clocks of the budget that let it through; handed
/// back with the answer, so that an answer to a request sent in an earlier window is known
/// as old news.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ticket {
    /// Milliseconds on the in-process clock ([`InProcess`]'s).
    pub local_ms: u64,
    /// Milliseconds on a shared budget's clock, when a shared budget let it through.
    pub shared_ms: Option<u64>,
}

/// A rate budget for one account: asked before each API attempt, told each answer.
///
/// Both methods run inline on the caller's thread, unbounded by `call_timeout`: a budget
/// bounds its own time. A budget that panics panics the call (the client stays usable); in
/// `observe` that is after the request was sent, so a POST may have taken effect.
///
/// ```
/// use hotmart::budget::{Admission, InProcess, RateBudget, Reading, Ticket};
///
/// /// Lets everything through, and logs what Hotmart says is left.
/// struct Watch(InProcess);
///
/// impl RateBudget for Watch {
///     fn admit(&self) -> Admission {
///         self.0.admit()
///     }
///     fn observe(&self, ticket: Ticket, reading: Reading) {
///         println!("{} calls left", reading.remaining);
///         self.0.observe(ticket, reading)
///     }
/// }
/// # use hotmart::{Client, Credentials, Environment};
/// let client = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
///     .rate_budget(Watch(InProcess::default()))
///     .build()?;
/// # Ok::<(), hotmart::Error>(())
/// ```
pub trait RateBudget: Send + Sync {
    /// Whether an attempt may go now. Never blocks for long (a shared budget bounds its round
    /// trip by its command timeout).
    fn admit(&self) -> Admission;

    /// What the answer to an attempt let through with `ticket` said about the window.
    fn observe(&self, ticket: Ticket, reading: Reading);
}

/// What one answer says about the window, as far as its headers are present and sane.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reading {
    /// Calls left in the window.
    pub remaining: u64,
    /// Milliseconds until the window resets, at most [`MAX_RESET`].
    pub reset_ms: u64,
}

impl Reading {
    /// The window as an answer's headers tell it: `RateLimit-Remaining` (else
    /// `X-RateLimit-Remaining-Minute`), capped by `RateLimit-Limit` (else
    /// `X-RateLimit-Limit-Minute`), and `RateLimit-Reset` in seconds (a value that can only be
    /// a Unix time is read as one; with only the `-Minute` headers, the next minute of the
    /// wall clock). `None` without a readable remaining count. Garbage is ignored, huge values
    /// are capped, nothing panics.
    pub(crate) fn from_headers(headers: &HeaderMap, wall: SystemTime) -> Option<Reading> {
        let number = |name: &str| -> Option<u64> {
            let value = headers.get(name)?.to_str().ok()?.trim();
            // `RateLimit-Remaining: 10, 10;w=60` style lists: the first item.
            let first = value.split([',', ';']).next()?.trim();
            first.parse::<u64>().ok()
        };
        let remaining =
            number("ratelimit-remaining").or_else(|| number("x-ratelimit-remaining-minute"))?;
        let limit = number("ratelimit-limit").or_else(|| number("x-ratelimit-limit-minute"));
        let remaining = limit.map_or(remaining, |limit| remaining.min(limit));
        let since_epoch = wall
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let reset = headers.get("ratelimit-reset").and_then(|v| v.to_str().ok());
        let reset_secs = reset
            .and_then(|v| crate::retry::reset_secs(v, wall))
            .unwrap_or(60 - since_epoch % 60);
        let max = MAX_RESET.as_millis() as u64;
        let mut reset_ms = reset_secs.saturating_mul(1_000).min(max);
        if remaining == 0 {
            reset_ms = reset_ms.max(MIN_SPENT_RESET_MS);
        }
        Some(Reading {
            remaining,
            reset_ms,
        })
    }
}

/// One account's window, on a millisecond clock that never reads 0. The rules are in the
/// module documentation; the Redis script follows the same ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Window {
    /// Calls left in the window.
    remaining: u64,
    /// When the window resets; 0 when no window is known.
    reset_ms: u64,
    /// When the window before this one reset: answers to requests sent earlier are old news.
    start_ms: u64,
}

impl Window {
    /// Forgets a window whose reset has come.
    fn roll(&mut self, now_ms: u64) {
        if self.reset_ms != 0 && now_ms >= self.reset_ms {
            self.start_ms = self.reset_ms;
            self.reset_ms = 0;
        }
    }

    /// Lets a call through (and counts it), or says how long until the reset.
    pub(crate) fn admit(&mut self, now_ms: u64) -> Result<(), u64> {
        self.roll(now_ms);
        if self.reset_ms == 0 {
            return Ok(());
        }
        if self.remaining > 0 {
            self.remaining -= 1;
            Ok(())
        } else {
            Err(self.reset_ms.saturating_sub(now_ms).max(1))
        }
    }

    /// Learns from the answer to a request let through at `admitted_ms`.
    pub(crate) fn observe(&mut self, admitted_ms: u64, reading: Reading, now_ms: u64) {
        self.roll(now_ms);
        if admitted_ms < self.start_ms {
            return;
        }
        let reset_ms = admitted_ms.saturating_add(reading.reset_ms);
        if reset_ms <= now_ms {
            return;
        }
        if self.reset_ms == 0 || reset_ms > self.reset_ms.saturating_add(SAME_WINDOW_SLACK_MS) {
            self.remaining = reading.remaining;
            self.reset_ms = reset_ms;
        } else {
            self.remaining = self.remaining.min(reading.remaining);
            self.reset_ms = self.reset_ms.min(reset_ms);
        }
    }
}

/// The budget of one client, in this process: the default, and the fallback of a shared one.
pub struct InProcess {
    window: Mutex<Window>,
    epoch: Instant,
}

impl Default for InProcess {
    fn default() -> Self {
        InProcess {
            window: Mutex::new(Window::default()),
            epoch: Instant::now(),
        }
    }
}

impl InProcess {
    /// Milliseconds since this budget was made, plus one: the clock of its [`Ticket`]s'
    /// `local_ms`, for a shared budget that falls back to this one.
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .saturating_add(1)
    }

    fn window(&self) -> std::sync::MutexGuard<'_, Window> {
        // Every change to a window is plain arithmetic that cannot panic halfway.
        self.window.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for InProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcess").finish_non_exhaustive()
    }
}

impl<B: RateBudget + ?Sized> RateBudget for std::sync::Arc<B> {
    fn admit(&self) -> Admission {
        (**self).admit()
    }
    fn observe(&self, ticket: Ticket, reading: Reading) {
        (**self).observe(ticket, reading)
    }
}

impl RateBudget for InProcess {
    fn admit(&self) -> Admission {
        let now = self.now_ms();
        match self.window().admit(now) {
            Ok(()) => Admission::Go(Ticket {
                local_ms: now,
                shared_ms: None,
            }),
            Err(wait) => Admission::Wait(Duration::from_millis(wait)),
        }
    }

    fn observe(&self, ticket: Ticket, reading: Reading) {
        let now = self.now_ms();
        self.window().observe(ticket.local_ms, reading, now);
    }
}

/// Waits until `budget` lets an attempt through. A wait that would end past the call's
/// deadline, or take its rate-limit waits past `max_rate_limit_wait`, is not started: the call
/// ends with [`Error::RateBudgetSpent`], nothing sent.
pub(crate) fn take_turn(
    budget: &dyn RateBudget,
    state: &mut CallState<'_>,
    label: &str,
) -> Result<Ticket, Error> {
    let policy = state.policy;
    loop {
        let wait = match budget.admit() {
            Admission::Go(ticket) => return Ok(ticket),
            Admission::Wait(wait) => wait.clamp(Duration::from_millis(1), MAX_RESET),
        };
        let limit = if wait >= state.time_left() {
            Some(Limit::Deadline(policy.call_timeout))
        } else if state.rate_limit_waits().saturating_add(wait) > policy.max_rate_limit_wait {
            Some(Limit::RateLimitWait(policy.max_rate_limit_wait))
        } else {
            None
        };
        if let Some(limit) = limit {
            let gave_up = state.gave_up(limit);
            log::info!(
                target: "hotmart::request",
                "{label}: the rate budget is spent for another {wait:?}; {gave_up}"
            );
            return Err(Error::RateBudgetSpent {
                reset_in: wait,
                gave_up: Box::new(gave_up),
            });
        }
        log::debug!(
            target: "hotmart::request",
            "{label}: the rate budget is spent, waiting {wait:?} for the window to reset"
        );
        thread::sleep(wait);
        state.waited_for_budget(wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::Policy;
    use ureq::http::HeaderValue;

    fn reading(remaining: u64, reset_ms: u64) -> Reading {
        Reading {
            remaining,
            reset_ms,
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    const T: u64 = 1_000_000;

    #[test]
    fn calls_go_freely_until_a_window_is_known_then_count_down_and_wait() {
        let mut w = Window::default();
        for _ in 0..10 {
            assert_eq!(w.admit(T), Ok(()));
        }
        w.observe(T, reading(2, 5_000), T + 10);
        assert_eq!(w.admit(T + 20), Ok(()));
        assert_eq!(w.admit(T + 30), Ok(()));
        assert_eq!(w.admit(T + 40), Err(4_960));
        // At the reset the window is unknown again, and calls go.
        assert_eq!(w.admit(T + 5_000), Ok(()));
    }

    #[test]
    fn within_a_window_the_lower_count_and_the_earlier_reset_win() {
        let mut w = Window::default();
        w.observe(T, reading(5, 3_000), T + 1);
        w.observe(T, reading(7, 2_500), T + 2);
        assert_eq!((w.remaining, w.reset_ms), (5, T + 2_500));
        // A reset far later is the next window: it replaces this one.
        w.observe(T + 2_400, reading(9, 10_000), T + 2_410);
        assert_eq!((w.remaining, w.reset_ms), (9, T + 12_400));
    }

    #[test]
    fn answers_from_before_the_last_reset_are_ignored() {
        let mut w = Window::default();
        w.observe(T, reading(0, 1_000), T + 1);
        assert!(w.admit(T + 500).is_err());
        assert_eq!(w.admit(T + 1_000), Ok(()));
        // A slow answer to a request sent in the old window says 0 left: old news.
        w.observe(T + 900, reading(0, 1_000), T + 1_100);
        assert_eq!(w.admit(T + 1_200), Ok(()));
        // An answer that is about a window already over is ignored too.
        w.observe(T + 1_200, reading(0, 1_000), T + 2_300);
        assert_eq!(w.admit(T + 2_300), Ok(()));
    }

    #[test]
    fn hostile_numbers_neither_panic_nor_hang() {
        let mut w = Window::default();
        w.observe(u64::MAX, reading(u64::MAX, u64::MAX), u64::MAX - 1);
        assert!(w.admit(u64::MAX).is_ok());
        let mut w = Window::default();
        w.observe(T, reading(0, 0), T);
        // Remaining 0 with reset 0 came through from_headers as a 1 s floor; raw 0 is ignored.
        assert_eq!(w.admit(T), Ok(()));
    }

    #[test]
    fn headers_are_read_leniently_and_capped() {
        let wall = UNIX_EPOCH + Duration::from_secs(1_700_000_030);
        let read = |pairs: &[(&'static str, &str)]| Reading::from_headers(&headers(pairs), wall);
        assert_eq!(
            read(&[
                ("ratelimit-limit", "500"),
                ("ratelimit-remaining", " 42 "),
                ("ratelimit-reset", "17")
            ]),
            Some(reading(42, 17_000))
        );
        // Kong's minute headers: the reset is the next minute of the wall clock.
        assert_eq!(
            read(&[
                ("x-ratelimit-limit-minute", "500"),
                ("x-ratelimit-remaining-minute", "3")
            ]),
            Some(reading(3, 10_000))
        );
        assert_eq!(read(&[("ratelimit-reset", "5")]), None);
        assert_eq!(read(&[("ratelimit-remaining", "lots")]), None);
        assert_eq!(read(&[("ratelimit-remaining", "-1")]), None);
        assert_eq!(
            read(&[("ratelimit-remaining", "18446744073709551616")]),
            None
        );
        let max = MAX_RESET.as_millis() as u64;
        assert_eq!(
            read(&[
                ("ratelimit-remaining", "18446744073709551615"),
                ("ratelimit-limit", "7"),
                ("ratelimit-reset", "18446744073709551615")
            ]),
            Some(reading(7, max))
        );
        // Spent with a reset of 0: a pause of a second, not a loop.
        assert_eq!(
            read(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "0")]),
            Some(reading(0, 1_000))
        );
        // A Unix time as the reset.
        assert_eq!(
            read(&[
                ("ratelimit-remaining", "1"),
                ("ratelimit-reset", "1700000040")
            ]),
            Some(reading(1, 10_000))
        );
        // List syntax: the first item.
        assert_eq!(
            read(&[
                ("ratelimit-remaining", "9, 100;w=60"),
                ("ratelimit-reset", "4")
            ]),
            Some(reading(9, 4_000))
        );
    }

    #[test]
    fn take_turn_never_waits_past_the_deadline() {
        let budget = InProcess::default();
        let ticket = match budget.admit() {
            Admission::Go(ticket) => ticket,
            other => panic!("{other:?}"),
        };
        budget.observe(ticket, reading(0, 60_000));
        let policy = Policy {
            call_timeout: Duration::from_secs(2),
            ..Policy::default()
        };
        let mut state = CallState::new(&policy, crate::retry::deadline_after(policy.call_timeout));
        let started = Instant::now();
        let err = take_turn(&budget, &mut state, "GET /x").unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(100));
        match err {
            Error::RateBudgetSpent { reset_in, gave_up } => {
                assert!(reset_in > Duration::from_secs(59));
                assert_eq!(gave_up.limit, Limit::Deadline(Duration::from_secs(2)));
                assert_eq!(gave_up.attempts, 0);
            }
            other => panic!("{other:?}"),
        }
        // With a longer deadline, the shorter max_rate_limit_wait is the limit that says no.
        let policy = Policy {
            max_rate_limit_wait: Duration::from_secs(5),
            ..Policy::default()
        };
        let deadline = crate::retry::deadline_after(policy.call_timeout);
        let err = take_turn(&budget, &mut CallState::new(&policy, deadline), "GET /x").unwrap_err();
        assert_eq!(
            err.gave_up().unwrap().limit,
            Limit::RateLimitWait(Duration::from_secs(5))
        );
        assert!(err.is_rate_limited());
    }

    #[test]
    fn take_turn_waits_for_a_short_reset() {
        let budget = InProcess::default();
        let Admission::Go(ticket) = budget.admit() else {
            panic!()
        };
        budget.observe(ticket, reading(0, 1_000));
        let started = Instant::now();
        let policy = Policy::default();
        let mut state = CallState::new(&policy, crate::retry::deadline_after(policy.call_timeout));
        take_turn(&budget, &mut state, "GET /x").unwrap();
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(900), "{waited:?}");
        assert!(waited < Duration::from_millis(1_500), "{waited:?}");
        assert!(state.rate_limit_waits() >= Duration::from_millis(900));
    }
}
