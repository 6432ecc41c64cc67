//! The client: what it was built with, and the cached token in front of the token request.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::budget::RateBudget;
use crate::environment::BaseUrl;
use crate::error::{GaveUp, Limit, TransportError, TransportErrorKind};
use crate::http::transport::{Transport, display_url};
use crate::retry::Policy;
use crate::store::{self, TokenKey, TokenStore};
use crate::token::{TokenCell, TokenEndpoint};
use crate::{AccessToken, Environment, Error};

/// A blocking Hotmart client: it fetches an access token on first use, caches it, and
/// refreshes it lazily, before it expires.
///
/// `Client` is `Send + Sync`: share it by reference or in an `Arc` (a clone is cheap and
/// shares the token cache). Building one does no I/O.
///
/// ```no_run
/// use hotmart::{Client, Credentials, Environment};
///
/// let client = Client::new(Environment::from_env()?, Credentials::from_env()?)?;
/// let token = client.access_token()?; // fetched now
/// let again = client.access_token()?; // from the cache
/// assert_eq!(token, again);
/// # Ok::<(), hotmart::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) environment: Environment,
    pub(crate) token: TokenEndpoint,
    pub(crate) api_base: BaseUrl,
    pub(crate) settings: ApiSettings,
    pub(crate) transport: Transport,
    pub(crate) cell: TokenCell,
    /// Asked before every API attempt, told every answer.
    pub(crate) budget: Box<dyn RateBudget>,
    /// The persistent token cache, if one was asked for.
    pub(crate) store: Option<Box<dyn TokenStore>>,
    /// What the store keeps this client's token under.
    pub(crate) key: TokenKey,
    /// Tokens the API rejected: no store hands them out again.
    pub(crate) rejected: store::Rejected,
}

/// How API calls behave; set through [`ClientBuilder`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct ApiSettings {
    /// The most body bytes read from an API answer.
    pub(crate) max_body: u64,
    /// The longest wait for another process's token fetch (a store's lock).
    pub(crate) lock_wait: Duration,
    pub(crate) retry: Policy,
}

impl Client {
    pub(crate) fn from_inner(inner: Inner) -> Self {
        Client {
            inner: Arc::new(inner),
        }
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    pub(crate) fn settings(&self) -> &ApiSettings {
        &self.inner.settings
    }

    pub(crate) fn api_base(&self) -> &BaseUrl {
        &self.inner.api_base
    }

    pub(crate) fn budget(&self) -> &dyn RateBudget {
        &*self.inner.budget
    }

    /// A valid access token: the cached one while it is fresh, else a new one from the token
    /// endpoint (one request, however many threads ask at once).
    ///
    /// A token is handed out until `refresh_margin` before it expires (at most half its
    /// lifetime early); an expired token is never handed out from the cache. Failures are
    /// not cached: the next call tries again.
    ///
    /// The call (waiting for another thread's fetch, or fetching, retries included) ends by
    /// the client's `call_timeout`.
    pub fn access_token(&self) -> Result<AccessToken, Error> {
        // The cached path: one clock read, a lock and a clone; the deadline is derived from
        // the same reading only on a miss.
        let now = Instant::now();
        if let Some(token) = self.inner.cell.fresh(now) {
            return Ok(token);
        }
        let deadline = crate::retry::deadline_from(now, self.inner.settings.retry.call_timeout);
        self.access_token_at(now, deadline)
    }

    /// [`access_token`](Self::access_token) within a caller's deadline: an API call that
    /// needs a new token spends on it only what is left of its own `call_timeout`.
    pub(crate) fn access_token_by(&self, deadline: Instant) -> Result<AccessToken, Error> {
        self.access_token_at(Instant::now(), deadline)
    }

    fn access_token_at(&self, started: Instant, deadline: Instant) -> Result<AccessToken, Error> {
        let inner = &*self.inner;
        let too_late = || {
            let waited = TransportError::new(
                TransportErrorKind::Timeout,
                display_url(&inner.token.url),
                "waited for another thread's token request until the call's deadline".to_owned(),
            );
            Error::Transport(waited).with_gave_up(GaveUp {
                attempts: 0,
                elapsed: started.elapsed(),
                rate_limit_waits: Duration::ZERO,
                limit: Limit::Deadline(inner.settings.retry.call_timeout),
            })
        };
        inner
            .cell
            .get_or_fetch(started, deadline, too_late, || match &inner.store {
                Some(store) => {
                    let lookup = store::Lookup {
                        key: &inner.key,
                        margin: inner.token.margin,
                        rejected: &inner.rejected,
                        lock_wait: inner.settings.lock_wait,
                    };
                    store::fetch_through(&**store, &lookup, deadline, || self.fetch_token(deadline))
                }
                None => self.fetch_token(deadline),
            })
    }

    /// Forgets `token` if it is still the cached one, so the next call fetches a new one.
    /// Call it when the API answers 401 to that token.
    ///
    /// Comparing first means that many threads that saw the same token rejected cause one
    /// refresh, not one each. Returns whether the token was forgotten.
    pub fn invalidate(&self, token: &AccessToken) -> bool {
        let dropped = self.inner.cell.invalidate(token);
        if dropped {
            log::debug!(target: "hotmart::token", "access token invalidated");
        }
        if let Some(store) = &self.inner.store {
            // Remembered first: a store that cannot remove it must not hand it out again.
            self.inner.rejected.insert(token.secret());
            store.compare_and_remove(&self.inner.key, token.secret());
        }
        dropped
    }

    /// The cached token, if any, fresh or not, without any I/O.
    pub fn cached_token(&self) -> Option<AccessToken> {
        self.inner.cell.peek()
    }

    /// The cached token and the last one dropped, for scrubbing error texts.
    pub(crate) fn known_tokens(&self) -> Vec<AccessToken> {
        self.inner.cell.known()
    }

    /// The environment the client talks to.
    pub fn environment(&self) -> &Environment {
        &self.inner.environment
    }

    /// The API's checked base URL, without a trailing slash.
    pub fn api_url(&self) -> &str {
        self.inner.api_base.as_str()
    }

    fn fetch_token(&self, deadline: Instant) -> Result<AccessToken, Error> {
        let inner = &*self.inner;
        let policy = &inner.settings.retry;
        crate::token::fetch(
            &inner.token,
            &inner.transport,
            policy,
            &inner.cell,
            deadline,
        )
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("environment", &self.inner.environment)
            .field("credentials", &self.inner.token.credentials)
            .field("token_request_style", &self.inner.token.style)
            .field("refresh_margin", &self.inner.token.margin)
            .field("cached_token", &self.inner.cell.peek())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientBuilder, Credentials};

    /// Run by `.ci/run` with `--no-default-features`: the error names the features to turn on.
    #[cfg(not(any(feature = "rustls", feature = "native-tls")))]
    #[test]
    fn a_build_without_tls_refuses_https_and_names_the_features() {
        let err = Client::new(Environment::Sandbox, Credentials::new("id", "secret")).unwrap_err();
        let message = err.to_string();
        assert!(matches!(
            err,
            Error::InvalidConfig {
                setting: "features",
                ..
            }
        ));
        assert!(
            message.contains("`rustls`") && message.contains("`native-tls`"),
            "{message}"
        );
        let local = Environment::Custom {
            auth_url: "http://127.0.0.1:1".into(),
            api_url: "http://127.0.0.1:1".into(),
        };
        assert!(Client::new(local, Credentials::new("id", "secret")).is_ok());
    }

    /// A cron run that finds a valid token in the file cache does no network I/O and builds
    /// no HTTP agent, so no TLS configuration either.
    #[test]
    fn a_warm_token_cache_builds_no_agent() {
        use crate::store::{FileStore, StoredToken, TokenStore};
        let dir = std::env::temp_dir().join(format!("hotmart-warm-cache-{}", std::process::id()));
        // A loopback environment, so that the test runs in a build without TLS too.
        let local = Environment::Custom {
            auth_url: "http://127.0.0.1:1".into(),
            api_url: "http://127.0.0.1:1".into(),
        };
        let client = Client::builder(local, Credentials::new("id", "secret"))
            .token_cache(&dir)
            .build()
            .unwrap();
        let now = crate::store::tests::now_ms();
        let entry = StoredToken::new("warm", now, now + 3_600_000);
        assert!(FileStore::new(&dir).compare_and_store(&client.inner.key, None, &entry));
        assert_eq!(client.access_token().unwrap().secret(), "warm");
        assert!(
            !client.inner.transport.agent_built(),
            "a warm run built an agent"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn settings_that_would_panic_later_are_refused_or_clamped() {
        let local = Environment::Custom {
            auth_url: "http://127.0.0.1:1".into(),
            api_url: "http://127.0.0.1:1".into(),
        };
        let builder = || Client::builder(local.clone(), Credentials::new("id", "secret"));
        for agent in ["a\r\nb", "nul\0", "não", "tab\there"] {
            let err = builder().user_agent(agent).build().unwrap_err();
            assert!(matches!(
                err,
                Error::InvalidConfig {
                    setting: "user_agent",
                    ..
                }
            ));
        }
        let zero = Duration::ZERO;
        assert!(builder().timeout(zero).build().is_err());
        assert!(builder().connect_timeout(zero).build().is_err());
        assert!(builder().call_timeout(zero).build().is_err());
        assert!(builder().proxy("not a proxy url").build().is_err());
        let huge = Duration::MAX;
        let client = builder()
            .timeout(huge)
            .connect_timeout(huge)
            .call_timeout(huge)
            .refresh_margin(huge)
            .retry_backoff(huge)
            .max_rate_limit_wait(huge)
            .build()
            .unwrap();
        assert_eq!(client.inner.token.margin, ClientBuilder::MAX_DURATION);
        assert_eq!(
            client.inner.settings.retry.call_timeout,
            ClientBuilder::MAX_DURATION
        );
    }
}
