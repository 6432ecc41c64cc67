//! The client: configuration, the token request, and the cached token.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ureq::http::Method;

use crate::budget::RateBudget;
use crate::call::{self, Finished};
use crate::cell::TokenCell;
use crate::environment::BaseUrl;
use crate::error::{Envelope, GaveUp, Limit, TransportError, TransportErrorKind};
use crate::request::RequestBuilder;
use crate::retry::Policy;
use crate::store::{self, TokenKey, TokenStore};
use crate::transport::{Call, Transport, display_url};
use crate::{AccessToken, ClientBuilder, Credentials, Environment, Error, TokenResponse};

/// The token endpoint's path on the auth host.
pub const TOKEN_PATH: &str = "/security/oauth/token";

/// The most bytes read from a token endpoint's answer. A real one is a few hundred bytes.
const TOKEN_BODY_LIMIT: u64 = 64 * 1024;

/// How the client credentials travel in the token request.
///
/// Hotmart documents [`Documented`](TokenRequestStyle::Documented); it is the default. The
/// server also accepts [`BasicOnly`](TokenRequestStyle::BasicOnly), the style of RFC 6749
/// §2.3.1, which keeps the secret out of URLs.
///
/// The trade-off: a URL is more exposed than a header. ureq masks paths and queries in its
/// `debug` lines, but once `trace` is on for its targets it logs full URLs (and hex dumps of
/// the bytes on the wire, headers included). With `Documented`, `trace` logging for `ureq`
/// therefore prints the client secret; `BasicOnly` keeps it out of URLs, at the price of
/// relying on behaviour Hotmart does not document. (The byte dumps also show the access token
/// in either style: keep `trace` off wherever logs leave the machine.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenRequestStyle {
    /// `POST …/security/oauth/token?grant_type=client_credentials&client_id=…&client_secret=…`
    /// with `Authorization: Basic …`, `Content-Type: application/json` and an empty body,
    /// exactly as Hotmart's documentation shows.
    #[default]
    Documented,
    /// `POST …/security/oauth/token` with `Authorization: Basic …` and the form body
    /// `grant_type=client_credentials`: the credentials travel only in the Basic header.
    BasicOnly,
}

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
    pub(crate) credentials: Credentials,
    pub(crate) token_url: String,
    /// Whether the token endpoint is on this machine (no proxy, whatever the settings).
    pub(crate) auth_loopback: bool,
    pub(crate) api_base: BaseUrl,
    pub(crate) style: TokenRequestStyle,
    pub(crate) refresh_margin: Duration,
    pub(crate) settings: ApiSettings,
    pub(crate) transport: Transport,
    pub(crate) cell: TokenCell,
    /// Asked before every API attempt, told every answer.
    pub(crate) budget: Box<dyn RateBudget>,
    /// The persistent token cache, if one was asked for.
    pub(crate) store: Option<Box<dyn TokenStore>>,
    /// What the store keeps this client's token under.
    pub(crate) key: TokenKey,
}

/// How API calls behave; set through [`ClientBuilder`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct ApiSettings {
    /// The most body bytes read from an API answer.
    pub(crate) max_body: u64,
    pub(crate) retry: Policy,
}

impl Client {
    pub(crate) fn from_inner(inner: Inner) -> Self {
        Client {
            inner: Arc::new(inner),
        }
    }

    /// A client with default settings: 30 s timeout, 5 minutes of refresh margin, the
    /// documented token request.
    ///
    /// Fails, without any I/O, if the credentials are malformed or a base URL is unsafe.
    pub fn new(environment: Environment, credentials: Credentials) -> Result<Self, Error> {
        Client::builder(environment, credentials).build()
    }

    /// A builder for the client's settings.
    ///
    /// ```
    /// use std::time::Duration;
    /// use hotmart::{Client, Credentials, Environment, TokenRequestStyle};
    ///
    /// let client = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
    ///     .timeout(Duration::from_secs(30))
    ///     .refresh_margin(Duration::from_secs(300))
    ///     .token_request_style(TokenRequestStyle::BasicOnly)
    ///     .build()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn builder(environment: Environment, credentials: Credentials) -> ClientBuilder {
        ClientBuilder::new(environment, credentials)
    }

    /// A `GET` request to `path` (e.g. `/payments/api/v1/sales/history`), joined to the
    /// environment's API base URL.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let v: miniserde::json::Value = client.get("/products/api/v1/products").send()?.json()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn get(&self, path: &str) -> RequestBuilder<'_> {
        RequestBuilder::new(self, Method::GET, path)
    }

    /// A `POST` request. Never retried after a 5xx unless marked
    /// [`retry_safe`](RequestBuilder::retry_safe).
    pub fn post(&self, path: &str) -> RequestBuilder<'_> {
        RequestBuilder::new(self, Method::POST, path)
    }

    /// A `PUT` request. Never retried after a 5xx unless marked
    /// [`retry_safe`](RequestBuilder::retry_safe).
    pub fn put(&self, path: &str) -> RequestBuilder<'_> {
        RequestBuilder::new(self, Method::PUT, path)
    }

    /// A `PATCH` request. Never retried after a 5xx unless marked
    /// [`retry_safe`](RequestBuilder::retry_safe).
    pub fn patch(&self, path: &str) -> RequestBuilder<'_> {
        RequestBuilder::new(self, Method::PATCH, path)
    }

    /// A `DELETE` request. Never retried after a 5xx unless marked
    /// [`retry_safe`](RequestBuilder::retry_safe).
    pub fn delete(&self, path: &str) -> RequestBuilder<'_> {
        RequestBuilder::new(self, Method::DELETE, path)
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
        // The one clock read of the cached path: the deadline and the freshness check share it.
        let now = Instant::now();
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
                display_url(&inner.token_url).to_owned(),
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
                Some(store) => store::fetch_through(
                    &**store,
                    &inner.key,
                    inner.refresh_margin,
                    deadline,
                    || self.fetch_token(deadline),
                ),
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

        let creds = &inner.credentials;
        let basic = format!("Basic {}", creds.basic());
        let mut url = String::with_capacity(inner.token_url.len() + 128);
        url.push_str(&inner.token_url);
        let (headers, body): (&[_], _) = match inner.style {
            TokenRequestStyle::Documented => {
                let mut query = String::new();
                for (name, value) in [
                    ("grant_type", "client_credentials"),
                    ("client_id", creds.client_id()),
                    ("client_secret", creds.client_secret()),
                ] {
                    if !query.is_empty() {
                        query.push('&');
                    }
                    crate::percent::encode_into(&mut query, name);
                    query.push('=');
                    crate::percent::encode_into(&mut query, value);
                }
                url.push('?');
                url.push_str(&query);
                (
                    &[
                        ("authorization", basic.as_str()),
                        ("content-type", "application/json"),
                    ],
                    None,
                )
            }
            TokenRequestStyle::BasicOnly => (
                &[("authorization", basic.as_str())],
                Some((
                    "application/x-www-form-urlencoded",
                    b"grant_type=client_credentials".as_slice(),
                )),
            ),
        };
        log::debug!(
            target: "hotmart::token",
            "requesting an access token from {} ({:?} style)",
            inner.token_url,
            inner.style
        );
        let label = format!("POST {}", inner.token_url);
        let mut requested_at = Instant::now();
        // The token request is retried like a GET: asking twice for a token does no harm.
        // The fetch has what is left of the deadline of the caller that starts it.
        let waited = std::cell::Cell::new(Duration::ZERO);
        let finished = call::run(
            &inner.settings.retry,
            deadline,
            true,
            &label,
            &waited,
            |left| {
                requested_at = Instant::now();
                let call = Call {
                    method: Method::POST,
                    url: &url,
                    headers,
                    body,
                    limit: TOKEN_BODY_LIMIT,
                    time_left: left,
                    loopback: inner.auth_loopback,
                    tokens: &[],
                };
                match inner.transport.send(&call) {
                    Ok(reply) => Ok(Ok(reply)),
                    Err(Error::Transport(err)) => Ok(Err(err)),
                    Err(other) => Err(other),
                }
            },
        )?;
        // The cache is empty during a fetch, but the token it replaces was sent before.
        let known = inner.cell.known();
        let tokens: Vec<&str> = known.iter().map(AccessToken::secret).collect();
        let scrub = |text: &str| inner.transport.redactor().scrub(text, &tokens);
        let token = token_from_reply(
            finished,
            &inner.token_url,
            requested_at,
            inner.refresh_margin,
            scrub,
        )?;
        log::debug!(
            target: "hotmart::token",
            "access token obtained, valid for {:?}",
            token.expires_at().saturating_duration_since(requested_at)
        );
        Ok(token)
    }
}

/// Turns the token endpoint's last answer into a token or the error that explains it.
fn token_from_reply(
    finished: Finished,
    url: &str,
    requested_at: Instant,
    margin: Duration,
    scrub: impl Fn(&str) -> String,
) -> Result<AccessToken, Error> {
    let Finished { reply, gave_up } = finished;
    let gave_up = gave_up.map(Box::new);
    if reply.is_success() {
        // A success body carries a token: it is parsed, never quoted in an error.
        let response = TokenResponse::parse(&reply.body)
            .map_err(|source| Error::MalformedTokenResponse { source })?;
        return Ok(AccessToken::issue(&response, requested_at, margin));
    }
    log::debug!(target: "hotmart::token", "token endpoint answered HTTP {}", reply.status);
    if reply.status == 429 {
        return Err(Error::TokenRateLimited { gave_up });
    }
    if (400..500).contains(&reply.status) {
        let envelope = Envelope::read(&reply.body, &scrub);
        let (error, description) = envelope.map_or((None, None), |e| (e.error, e.description));
        return Err(Error::TokenRejected {
            status: reply.status,
            error,
            description,
        });
    }
    Err(Error::UnexpectedStatus {
        status: reply.status,
        url: display_url(url).to_owned(),
        excerpt: crate::error::excerpt(&reply.body, &scrub),
        gave_up,
    })
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("environment", &self.inner.environment)
            .field("credentials", &self.inner.credentials)
            .field("token_request_style", &self.inner.style)
            .field("refresh_margin", &self.inner.refresh_margin)
            .field("cached_token", &self.inner.cell.peek())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let client = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
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
        assert_eq!(client.inner.refresh_margin, ClientBuilder::MAX_DURATION);
        assert_eq!(
            client.inner.settings.retry.call_timeout,
            ClientBuilder::MAX_DURATION
        );
    }
}
