//! The token cell: one cached access token behind a mutex, fetched lazily.
//!
//! The fast path is a lock, a clock comparison and an `Arc` clone. The slow path fetches
//! while holding the lock, so any number of threads that find the cell cold or stale cause
//! exactly one token request; the others wait for it and share its result.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use crate::{AccessToken, Error};

#[derive(Default)]
pub(crate) struct TokenCell {
    cached: Mutex<Option<AccessToken>>,
}

impl TokenCell {
    /// The cached token if it is still fresh, else the result of `fetch`, which is cached when
    /// it succeeds. Errors are not cached: the next call tries again.
    pub(crate) fn get_or_fetch(
        &self,
        fetch: impl FnOnce() -> Result<AccessToken, Error>,
    ) -> Result<AccessToken, Error> {
        let mut cached = self.lock();
        if let Some(token) = cached.as_ref().filter(|t| t.is_fresh_at(Instant::now())) {
            return Ok(token.clone());
        }
        // A stale token is dropped before fetching, so a failed fetch never leaves it behind
        // to be handed out.
        *cached = None;
        let token = fetch()?;
        *cached = Some(token.clone());
        Ok(token)
    }

    /// Forgets `token` if it is still the cached one. Many threads that saw the same token
    /// rejected thus cause one refresh, not one each.
    pub(crate) fn invalidate(&self, token: &AccessToken) -> bool {
        let mut cached = self.lock();
        if cached.as_ref() == Some(token) {
            *cached = None;
            true
        } else {
            false
        }
    }

    /// The cached token, fresh or not, without fetching.
    pub(crate) fn peek(&self) -> Option<AccessToken> {
        self.lock().clone()
    }

    /// A panic in another thread while it held the lock (say, in a logger) cannot leave the
    /// cell half-written: every write is a single assignment. So a poisoned lock is safe to use.
    fn lock(&self) -> MutexGuard<'_, Option<AccessToken>> {
        self.cached.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::TokenResponse;

    fn token(lifetime_secs: u64) -> AccessToken {
        let body =
            format!(r#"{{"access_token":"t","token_type":"bearer","expires_in":{lifetime_secs}}}"#);
        let response = TokenResponse::parse(body.as_bytes()).unwrap();
        AccessToken::issue(&response, Instant::now(), Duration::ZERO)
    }

    #[test]
    fn a_panic_while_fetching_poisons_nothing_that_matters() {
        let cell = TokenCell::default();
        let outcome =
            std::panic::catch_unwind(|| cell.get_or_fetch(|| panic!("a logger blew up mid-fetch")));
        assert!(outcome.is_err());
        let fresh = cell.get_or_fetch(|| Ok(token(60))).unwrap();
        assert_eq!(cell.get_or_fetch(|| unreachable!("cached")).unwrap(), fresh);
    }

    #[test]
    fn a_stale_token_is_dropped_even_when_the_refresh_fails() {
        let cell = TokenCell::default();
        let stale = cell.get_or_fetch(|| Ok(token(0))).unwrap();
        let err = cell.get_or_fetch(|| Err(Error::MissingEnv { variable: "X" }));
        assert!(err.is_err());
        assert!(
            cell.peek().is_none(),
            "the stale token must not stay behind"
        );
        assert!(!cell.invalidate(&stale));
    }
}
