//! The token cell: one cached access token behind a mutex, fetched lazily, by one thread at a
//! time.
//!
//! The fast path is a lock, a clock comparison and an `Arc` clone. A fetch runs outside the
//! lock, so readers of the cache ([`TokenCell::peek`]) never wait for the network. Threads that
//! find the cell cold or stale while a fetch is in flight sleep on a `Condvar` and receive that
//! fetch's outcome, error included: any number of them cause one token request. Only a caller
//! that arrives after an outcome was published starts a new fetch.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use crate::{AccessToken, Error};

#[derive(Default)]
pub(crate) struct TokenCell {
    state: Mutex<State>,
    published: Condvar,
}

#[derive(Default)]
struct State {
    token: Option<AccessToken>,
    /// Whether a fetch is in flight.
    fetching: bool,
    /// How many fetches have published an outcome; a waiter compares it with the value it saw
    /// when it started waiting to know that the fetch it waited for is done.
    generation: u64,
    /// The outcome of the last fetch, for the threads that waited for it.
    last: Option<Result<AccessToken, Error>>,
    /// The last token dropped from the cache (stale or invalidated). It was sent, and may still
    /// work, so an answer that echoes it must be scrubbed of it: see [`TokenCell::known`].
    retired: Option<AccessToken>,
}

impl TokenCell {
    /// The cached token if it is still fresh at `now`, else the outcome of a fetch: the one in flight
    /// if there is one, else a new one by `fetch`. A token is cached when the fetch succeeds;
    /// errors are handed to the threads that waited for that fetch, never to later callers.
    ///
    /// A caller waits for another thread's fetch at most until `deadline`; then it gets
    /// `too_late()` and the fetch goes on for the others.
    pub(crate) fn get_or_fetch(
        &self,
        now: Instant,
        deadline: Instant,
        too_late: impl FnOnce() -> Error,
        fetch: impl FnOnce() -> Result<AccessToken, Error>,
    ) -> Result<AccessToken, Error> {
        let mut state = self.lock();
        if let Some(token) = state.token.as_ref().filter(|t| t.is_fresh_at(now)) {
            return Ok(token.clone());
        }
        while state.fetching {
            let waited_for = state.generation;
            while state.fetching && state.generation == waited_for {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(too_late());
                }
                state = self
                    .published
                    .wait_timeout(state, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            if state.generation != waited_for
                && let Some(outcome) = &state.last
            {
                return outcome.clone();
            }
            // The fetcher panicked before publishing: whoever gets here first fetches anew.
            if let Some(token) = state
                .token
                .as_ref()
                .filter(|t| t.is_fresh_at(Instant::now()))
            {
                return Ok(token.clone());
            }
        }
        // A stale token is dropped before fetching, so a failed fetch never leaves it behind
        // to be handed out.
        if let Some(stale) = state.token.take() {
            state.retired = Some(stale);
        }
        state.fetching = true;
        drop(state);

        let mut in_flight = InFlight { cell: self };
        let outcome = fetch();
        in_flight.publish(outcome.clone());
        outcome
    }

    /// The cached token if it is still fresh at `now`: the whole of the hot path, a lock, a
    /// comparison and an `Arc` clone.
    #[inline]
    pub(crate) fn fresh(&self, now: Instant) -> Option<AccessToken> {
        self.lock()
            .token
            .as_ref()
            .filter(|t| t.is_fresh_at(now))
            .cloned()
    }

    /// Forgets `token` if it is still the cached one. Many threads that saw the same token
    /// rejected thus cause one refresh, not one each.
    pub(crate) fn invalidate(&self, token: &AccessToken) -> bool {
        let mut state = self.lock();
        if state.token.as_ref() == Some(token) {
            state.retired = state.token.take();
            true
        } else {
            false
        }
    }

    /// The cached token, fresh or not, without fetching and without waiting for a fetch.
    pub(crate) fn peek(&self) -> Option<AccessToken> {
        self.lock().token.clone()
    }

    /// The tokens an answer could echo: the cached one and the last one dropped. Error texts
    /// taken from answers are scrubbed of both.
    pub(crate) fn known(&self) -> Vec<AccessToken> {
        let state = self.lock();
        state.token.iter().chain(&state.retired).cloned().collect()
    }

    /// A panic in another thread while it held the lock (say, in a logger) cannot leave the
    /// state half-written: every change is made of plain assignments that cannot panic. So a
    /// poisoned lock is safe to use.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The fetch in flight. Publishing its outcome wakes the waiters; if the fetch panics instead,
/// dropping this still clears the flag and wakes them, so nobody waits forever.
struct InFlight<'a> {
    cell: &'a TokenCell,
}

impl InFlight<'_> {
    fn publish(&mut self, outcome: Result<AccessToken, Error>) {
        let mut state = self.cell.lock();
        if let Ok(token) = &outcome {
            state.token = Some(token.clone());
        }
        state.last = Some(outcome);
        state.generation = state.generation.wrapping_add(1);
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut state = self.cell.lock();
        state.fetching = false;
        drop(state);
        self.cell.published.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Barrier;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;
    use std::time::{Duration, Instant};

    use super::*;
    use crate::token::TokenResponse;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(3600)
    }

    fn too_late() -> Error {
        Error::MissingEnv {
            variable: "DEADLINE",
        }
    }

    fn token(lifetime_secs: u64) -> AccessToken {
        let body =
            format!(r#"{{"access_token":"t","token_type":"bearer","expires_in":{lifetime_secs}}}"#);
        let response = TokenResponse::parse(body.as_bytes()).unwrap();
        AccessToken::issue(&response, Instant::now(), Duration::ZERO)
    }

    #[test]
    fn a_panic_while_fetching_poisons_nothing_that_matters() {
        let cell = TokenCell::default();
        let outcome = std::panic::catch_unwind(|| {
            cell.get_or_fetch(Instant::now(), far(), too_late, || {
                panic!("a logger blew up mid-fetch")
            })
        });
        assert!(outcome.is_err());
        let fresh = cell
            .get_or_fetch(Instant::now(), far(), too_late, || Ok(token(60)))
            .unwrap();
        assert_eq!(
            cell.get_or_fetch(Instant::now(), far(), too_late, || unreachable!("cached"))
                .unwrap(),
            fresh
        );
    }

    #[test]
    fn a_stale_token_is_dropped_even_when_the_refresh_fails() {
        let cell = TokenCell::default();
        let stale = cell
            .get_or_fetch(Instant::now(), far(), too_late, || Ok(token(0)))
            .unwrap();
        let err = cell.get_or_fetch(Instant::now(), far(), too_late, || {
            Err(Error::MissingEnv { variable: "X" })
        });
        assert!(err.is_err());
        assert!(
            cell.peek().is_none(),
            "the stale token must not stay behind"
        );
        assert!(!cell.invalidate(&stale));
        // It is still known, for scrubbing.
        assert_eq!(cell.known(), [stale]);
    }

    /// Every thread that waited for a failing fetch gets its error; one fetch in all.
    #[test]
    fn waiters_share_a_failed_fetch() {
        let cell = TokenCell::default();
        let fetches = AtomicUsize::new(0);
        let start = Barrier::new(8);
        thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        start.wait();
                        cell.get_or_fetch(Instant::now(), far(), too_late, || {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            // Long enough for every other thread to arrive and wait.
                            thread::sleep(Duration::from_millis(300));
                            Err(Error::MissingEnv { variable: "X" })
                        })
                    })
                })
                .collect();
            for handle in handles {
                assert!(handle.join().unwrap().is_err());
            }
        });
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // A caller after the outcome was published fetches anew.
        assert!(
            cell.get_or_fetch(Instant::now(), far(), too_late, || Ok(token(60)))
                .is_ok()
        );
    }

    /// A waiter gives up at its own deadline; the fetch goes on and is cached for the others.
    #[test]
    fn a_waiter_stops_waiting_at_its_deadline() {
        let cell = TokenCell::default();
        let fetching = Barrier::new(2);
        thread::scope(|s| {
            let fetcher = s.spawn(|| {
                cell.get_or_fetch(Instant::now(), far(), too_late, || {
                    fetching.wait();
                    thread::sleep(Duration::from_millis(500));
                    Ok(token(60))
                })
            });
            fetching.wait();
            let started = Instant::now();
            let soon = started + Duration::from_millis(100);
            let err = cell.get_or_fetch(Instant::now(), soon, too_late, || {
                unreachable!("a fetch is in flight")
            });
            assert!(matches!(
                err,
                Err(Error::MissingEnv {
                    variable: "DEADLINE"
                })
            ));
            assert!(started.elapsed() < Duration::from_millis(450));
            assert!(fetcher.join().unwrap().is_ok());
        });
        assert!(cell.peek().is_some());
    }

    #[test]
    fn peek_does_not_wait_for_a_fetch_in_flight() {
        let cell = TokenCell::default();
        let cached = cell
            .get_or_fetch(Instant::now(), far(), too_late, || Ok(token(0)))
            .unwrap();
        let fetching = Barrier::new(2);
        let release = Barrier::new(2);
        thread::scope(|s| {
            s.spawn(|| {
                cell.get_or_fetch(Instant::now(), far(), too_late, || {
                    fetching.wait();
                    release.wait();
                    Ok(token(60))
                })
            });
            fetching.wait();
            // The fetch is in flight and blocked: peek answers at once.
            assert!(cell.peek().is_none_or(|t| t != cached));
            release.wait();
        });
        assert!(cell.peek().is_some());
    }
}
