//! One logical call: send, and while the retry rules say so, wait and send again, within the
//! call's deadline. Shared by API calls and the token request, so both end the same way.

use std::cell::Cell;
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

/// Runs `send` until its answer is final. `send` gets the time left before `deadline`, to
/// bound its own request by. (`deadline` is `call_timeout` from the start of the call, or
/// earlier when the call is part of another: a token fetch inside an API call.) `label` names the call in log lines (no query: it
/// may hold credentials).
///
/// `waited` is the time this call has spent waiting for rate limits so far, shared with the
/// caller's own waits (the rate budget's, before each attempt), so that both kinds together
/// stay within `max_rate_limit_wait`.
///
/// Every path ends: failures are counted against `max_retries`, rate-limit waits against
/// `max_rate_limit_wait` and [`retry::MAX_RATE_LIMIT_ATTEMPTS`], and every wait against the
/// deadline; all the arithmetic saturates.
pub(crate) fn run(
    policy: &Policy,
    deadline: Instant,
    repeatable: bool,
    label: &str,
    waited: &Cell<Duration>,
    mut send: impl FnMut(Duration) -> Attempt,
) -> Result<Finished, Error> {
    let started = Instant::now();
    let mut attempts = Attempts::default();
    let mut sent: u32 = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        sent = sent.saturating_add(1);
        let attempt = match send(left)? {
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
        // The budget's waits count against max_rate_limit_wait too.
        attempts.rate_limit_waits = waited.get();
        let decision = match retry::decide(policy, &attempts, outcome, repeatable, headers) {
            // A wait that would end past the deadline is not started: the call ends now, with
            // the time it has left unspent rather than slept through.
            Decision::RetryAfter(wait)
                if wait >= deadline.saturating_duration_since(Instant::now()) =>
            {
                Decision::GiveUp(Limit::Deadline(policy.call_timeout))
            }
            other => other,
        };
        let gave_up = |limit| GaveUp {
            attempts: sent,
            elapsed: started.elapsed(),
            rate_limit_waits: attempts.rate_limit_waits,
            limit,
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
                attempts.record(outcome, wait);
                waited.set(attempts.rate_limit_waits);
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
                let ended = gave_up(limit);
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
