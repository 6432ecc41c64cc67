//! One logical call: send, and while the retry rules say so, wait and send again, within the
//! call's deadline. Shared by API calls and the token request, so both end the same way.

use std::thread;
use std::time::{Duration, Instant};

use crate::Error;
use crate::error::{GaveUp, Limit, TransportError};
use crate::http::transport::Reply;
use crate::retry::{self, Attempts, Decision, Outcome, Policy, RateLimitHeaders};

/// What one attempt came to: an HTTP answer (any status) or no answer at all. Errors that are
/// not worth another attempt (a body over the cap, a failed token fetch) are the outer `Err`.
pub(crate) type Attempt = Result<Result<Reply, TransportError>, Error>;

/// The last HTTP answer of a call, and how the call ended if a limit stopped its retries.
pub(crate) struct Finished {
    pub(crate) reply: Reply,
    pub(crate) gave_up: Option<GaveUp>,
}

/// One call's accounting, from its start to its end: the deadline, the requests sent, the
/// retries spent and the time spent waiting for rate limits (the 429s' and the rate budget's
/// together, so both stay within `max_rate_limit_wait`). What [`GaveUp`] reports comes from
/// here, and nowhere else.
pub(crate) struct CallState<'p> {
    pub(crate) policy: &'p Policy,
    started: Instant,
    /// When the call must be over: `call_timeout` from its start, or earlier when the call is
    /// part of another (a token fetch inside an API call).
    pub(crate) deadline: Instant,
    sent: u32,
    attempts: Attempts,
}

impl<'p> CallState<'p> {
    pub(crate) fn new(policy: &'p Policy, deadline: Instant) -> Self {
        CallState {
            policy,
            started: Instant::now(),
            deadline,
            sent: 0,
            attempts: Attempts::default(),
        }
    }

    /// The time left before the deadline.
    pub(crate) fn time_left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Counts one request sent.
    pub(crate) fn sent_one(&mut self) {
        self.sent = self.sent.saturating_add(1);
    }

    /// Time spent waiting for rate limits so far.
    pub(crate) fn rate_limit_waits(&self) -> Duration {
        self.attempts.rate_limit_waits
    }

    /// Counts a wait for the rate budget.
    pub(crate) fn waited_for_budget(&mut self, wait: Duration) {
        self.attempts.rate_limit_waits = self.attempts.rate_limit_waits.saturating_add(wait);
    }

    /// What the call spent, ended by `limit`.
    pub(crate) fn gave_up(&self, limit: Limit) -> GaveUp {
        GaveUp {
            attempts: self.sent,
            elapsed: self.started.elapsed(),
            rate_limit_waits: self.attempts.rate_limit_waits,
            limit,
        }
    }
}

/// Runs `send` until its answer is final. `send` counts each request it sends on the state
/// it is given, and bounds it by the time left. `label` names the call in log lines (no
/// query: it may hold credentials).
///
/// Every path ends: failures are counted against `max_retries`, rate-limit waits against
/// `max_rate_limit_wait` and [`retry::MAX_RATE_LIMIT_ATTEMPTS`], and every wait against the
/// deadline; all the arithmetic saturates.
pub(crate) fn run(
    state: &mut CallState<'_>,
    repeatable: bool,
    label: &str,
    mut send: impl FnMut(&mut CallState<'_>) -> Attempt,
) -> Result<Finished, Error> {
    let policy = state.policy;
    loop {
        let attempt = match send(state)? {
            Ok(reply) if reply.is_success() => {
                return Ok(Finished {
                    reply,
                    gave_up: None,
                });
            }
            other => other,
        };
        let (outcome, headers) = match &attempt {
            Ok(reply) => (
                Outcome::Status(reply.status),
                RateLimitHeaders::read(|name| {
                    reply.headers.get(name)?.to_str().ok().map(str::to_owned)
                }),
            ),
            Err(err) => (Outcome::Transport(err.kind()), RateLimitHeaders::default()),
        };
        let decision = match retry::decide(policy, &state.attempts, outcome, repeatable, headers) {
            // A wait that would end past the deadline is not started: the call ends now, with
            // the time it has left unspent rather than slept through.
            Decision::RetryAfter(wait) if wait >= state.time_left() => {
                Decision::GiveUp(Limit::Deadline(policy.call_timeout))
            }
            other => other,
        };
        match decision {
            Decision::RetryAfter(wait) => {
                log::info!(
                    target: "hotmart::request",
                    "{label}: {}, retrying in {wait:?}",
                    match outcome {
                        Outcome::Status(status) => format!("HTTP {status}"),
                        Outcome::Transport(kind) => format!("{kind:?} failure"),
                    }
                );
                state.attempts.record(outcome, wait);
                thread::sleep(wait);
            }
            Decision::Stop => {
                return match attempt {
                    Ok(reply) => Ok(Finished {
                        reply,
                        gave_up: None,
                    }),
                    Err(err) => Err(Error::Transport(err)),
                };
            }
            Decision::GiveUp(limit) => {
                let ended = state.gave_up(limit);
                log::info!(target: "hotmart::request", "{label}: {ended}");
                return match attempt {
                    Ok(reply) => Ok(Finished {
                        reply,
                        gave_up: Some(ended),
                    }),
                    Err(err) => Err(Error::Transport(err).with_gave_up(ended)),
                };
            }
        }
    }
}
