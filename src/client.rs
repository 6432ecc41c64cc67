//! The client: configuration, the token request, and the cached token.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ureq::http::Method;

use crate::cell::TokenCell;
use crate::environment::BaseUrl;
use crate::error::Envelope;
use crate::request::RequestBuilder;
use crate::retry::Policy;
use crate::store::{self, TokenStore};
use crate::transport::{Call, Reply, Settings, Transport, display_url};
use crate::{AccessToken, Credentials, Environment, Error, TokenResponse};

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
/// The trade-off: a URL is more exposed than a header. ureq logs the full query string at
/// `trace` level (headers it redacts), and proxies and server logs commonly record URLs. With
/// `Documented`, enabling `trace` logging for `ureq` therefore prints the client secret;
/// `BasicOnly` avoids that, at the price of relying on behaviour Hotmart does not document.
/// (ureq's `trace` output also dumps response bodies, the access token among them, in either
/// style: keep it off wherever logs leave the machine.)
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

struct Inner {
    environment: Environment,
    credentials: Credentials,
    token_url: String,
    api_base: BaseUrl,
    style: TokenRequestStyle,
    refresh_margin: Duration,
    settings: ApiSettings,
    transport: Transport,
    cell: TokenCell,
    /// The persistent token cache, if one was asked for.
    store: Option<Box<dyn TokenStore>>,
}

/// How API calls behave; set through [`ClientBuilder`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct ApiSettings {
    /// The most body bytes read from an API answer.
    pub(crate) max_body: u64,
    pub(crate) retry: Policy,
}

impl Client {
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
        ClientBuilder {
            environment,
            credentials,
            timeout: Some(Duration::from_secs(30)),
            connect_timeout: None,
            refresh_margin: Duration::from_secs(300),
            style: TokenRequestStyle::Documented,
            user_agent: concat!("hotmart-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            settings: ApiSettings {
                max_body: 8 << 20,
                retry: Policy::default(),
            },
            token_cache: None,
        }
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

    /// A valid access token: the cached one while it is fresh, else a new one from the token
    /// endpoint (one request, however many threads ask at once).
    ///
    /// A token is handed out until `refresh_margin` before it expires (at most half its
    /// lifetime early); an expired token is never handed out from the cache. Failures are
    /// not cached: the next call tries again.
    pub fn access_token(&self) -> Result<AccessToken, Error> {
        let inner = &*self.inner;
        inner.cell.get_or_fetch(|| match &inner.store {
            Some(store) => {
                store::fetch_through(&**store, inner.refresh_margin, || self.fetch_token())
            }
            None => self.fetch_token(),
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
            store.compare_and_remove(token.secret());
        }
        dropped
    }

    /// The cached token, if any, fresh or not, without any I/O.
    pub fn cached_token(&self) -> Option<AccessToken> {
        self.inner.cell.peek()
    }

    /// The environment the client talks to.
    pub fn environment(&self) -> &Environment {
        &self.inner.environment
    }

    /// The API's checked base URL, without a trailing slash.
    pub fn api_url(&self) -> &str {
        self.inner.api_base.as_str()
    }

    fn fetch_token(&self) -> Result<AccessToken, Error> {
        let inner = &*self.inner;
        let creds = &inner.credentials;
        let basic = format!("Basic {}", creds.basic());
        let mut url = String::with_capacity(inner.token_url.len() + 128);
        url.push_str(&inner.token_url);
        let (headers, body): (&[_], _) = match inner.style {
            TokenRequestStyle::Documented => {
                let mut query = String::new();
                crate::percent::push_pair(&mut query, "grant_type", "client_credentials");
                crate::percent::push_pair(&mut query, "client_id", creds.client_id());
                crate::percent::push_pair(&mut query, "client_secret", creds.client_secret());
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
        let requested_at = Instant::now();
        let reply = inner.transport.send(&Call {
            method: Method::POST,
            url: &url,
            headers,
            body,
            limit: TOKEN_BODY_LIMIT,
        })?;
        let token = token_from_reply(&reply, &inner.token_url, requested_at, inner.refresh_margin)?;
        log::debug!(
            target: "hotmart::token",
            "access token obtained, valid for {:?}",
            token.expires_at().saturating_duration_since(requested_at)
        );
        Ok(token)
    }
}

/// Turns the token endpoint's answer into a token or the error that explains it.
fn token_from_reply(
    reply: &Reply,
    url: &str,
    requested_at: Instant,
    margin: Duration,
) -> Result<AccessToken, Error> {
    if reply.is_success() {
        // A success body carries a token: it is parsed, never quoted in an error.
        let response = TokenResponse::parse(&reply.body)
            .map_err(|source| Error::MalformedTokenResponse { source })?;
        return Ok(AccessToken::issue(&response, requested_at, margin));
    }
    log::debug!(target: "hotmart::token", "token endpoint answered HTTP {}", reply.status);
    if (400..500).contains(&reply.status) {
        let envelope = Envelope::read(&reply.body);
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
        excerpt: crate::error::excerpt(&reply.body),
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

/// Settings for a [`Client`]; made by [`Client::builder`].
#[derive(Debug)]
#[must_use = "a builder does nothing until .build() is called"]
pub struct ClientBuilder {
    environment: Environment,
    credentials: Credentials,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    refresh_margin: Duration,
    style: TokenRequestStyle,
    user_agent: String,
    settings: ApiSettings,
    token_cache: Option<PathBuf>,
}

impl ClientBuilder {
    /// The most body bytes read from an API answer; a larger 2xx answer is
    /// [`Error::BodyTooLarge`]. Default: 8 MiB.
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.settings.max_body = bytes;
        self
    }

    /// How many times a failed API call (5xx, broken connection) is retried, for GET, HEAD and
    /// [`retry_safe`](RequestBuilder::retry_safe) requests. Default: 2.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.settings.retry.max_retries = retries;
        self
    }

    /// The first wait before a retry; each further retry doubles it (with jitter), up to 8 s.
    /// Default: 250 ms.
    pub fn retry_backoff(mut self, first: Duration) -> Self {
        self.settings.retry.base_backoff = first;
        self
    }

    /// The most time one API call spends waiting out rate limits (429) before it gives up
    /// with the 429. Default: 90 s (Hotmart's window is a minute).
    pub fn max_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.settings.retry.max_rate_limit_wait = wait;
        self
    }

    /// The most time one HTTP request may take, from connecting to the last byte of the body.
    /// Default: 30 seconds.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The most time connecting may take (within [`timeout`](Self::timeout)). Default: no
    /// separate limit.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How long before its expiry a token is replaced. Default: 5 minutes. The margin used
    /// is at most half the token's lifetime, so short-lived tokens are still used.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// How the credentials travel in the token request. Default: as Hotmart documents it.
    pub fn token_request_style(mut self, style: TokenRequestStyle) -> Self {
        self.style = style;
        self
    }

    /// The `User-Agent` header. Default: `hotmart-rs/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Keeps the access token in a file under `dir` as well as in memory, so that short-lived
    /// processes (cron jobs, the `hotmart` command) share one token instead of fetching one
    /// each run. Default: off. [`default_token_cache_dir`](crate::default_token_cache_dir)
    /// gives the usual place.
    ///
    /// One file per environment and client id holds the token and its expiry, never the client
    /// secret. It is created `0600` in a `0700` directory (made on first use), and is not read
    /// if others may read it or another user owns it. Processes that find no usable token take
    /// a lock beside it, so one fetches and the others read its token. When the API rejects the
    /// token, it is removed from the file too. Problems with the file are logged, never
    /// returned: the client then fetches as it would without a cache.
    ///
    /// ```
    /// use hotmart::{Client, Credentials, Environment};
    ///
    /// let dir = std::env::temp_dir().join("hotmart-doc-token-cache");
    /// let client = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
    ///     .token_cache(&dir)
    ///     .build()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn token_cache(mut self, dir: impl Into<PathBuf>) -> Self {
        self.token_cache = Some(dir.into());
        self
    }

    /// Checks the settings and builds the client. Does no I/O.
    ///
    /// Fails if the credentials are malformed, or if a base URL is not `https` (plain `http`
    /// is allowed to a loopback host only).
    pub fn build(self) -> Result<Client, Error> {
        self.credentials.check()?;
        let auth_base = BaseUrl::parse(self.environment.auth_url())?;
        let api_base = BaseUrl::parse(self.environment.api_url())?;
        let store = self
            .token_cache
            .map(|dir| store::file_store(dir, &auth_base, &api_base, self.credentials.client_id()));
        Ok(Client {
            inner: Arc::new(Inner {
                token_url: auth_base.join(TOKEN_PATH),
                api_base,
                environment: self.environment,
                credentials: self.credentials,
                style: self.style,
                refresh_margin: self.refresh_margin,
                settings: self.settings,
                transport: Transport::new(Settings {
                    timeout: self.timeout,
                    connect_timeout: self.connect_timeout,
                    user_agent: self.user_agent,
                }),
                cell: TokenCell::default(),
                store,
            }),
        })
    }
}
