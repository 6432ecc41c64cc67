//! The client's settings: [`ClientBuilder`], and the checks that turn them into a [`Client`]
//! in `build()` (no setting can make the client panic later).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::budget::{InProcess, RateBudget};
use crate::client::{ApiSettings, Inner};
use crate::environment::BaseUrl;
use crate::http::redact::Redactor;
use crate::http::transport::{ProxyChoice, Settings, Transport};
use crate::retry::Policy;
use crate::secret::Secret;
use crate::store::{FileStore, TokenKey, TokenStore};
use crate::token::{TokenCell, TokenEndpoint, TokenRequestStyle};
use crate::{Client, Credentials, Environment, Error};

/// Settings for a [`Client`]; made by [`Client::builder`].
///
/// No setting can make the client panic later: `build()` refuses values that cannot work (a
/// `User-Agent` with control characters, a zero timeout, a malformed proxy URL) and clamps
/// durations longer than [`ClientBuilder::MAX_DURATION`] to it, so no arithmetic on clock
/// instants can overflow.
#[must_use = "a builder does nothing until .build() is called"]
pub struct ClientBuilder {
    environment: Environment,
    credentials: Credentials,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    refresh_margin: Duration,
    style: TokenRequestStyle,
    user_agent: String,
    proxy: ProxySetting,
    settings: ApiSettings,
    token_store: Option<Box<dyn TokenStore>>,
    rate_budget: Option<Box<dyn RateBudget>>,
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    tls_backend: crate::TlsBackend,
    #[cfg(all(
        feature = "extra-roots",
        any(feature = "rustls", feature = "native-tls")
    ))]
    root_pems: crate::http::tls::RootPems,
}

/// The proxy as the builder was told; the URL may hold a password, so `Debug` hides it.
enum ProxySetting {
    FromEnv,
    Off,
    Url(Secret),
}

/// Whether a proxy URL names a host (a name, an IPv4 address or a bracketed IPv6 one) and, if
/// it has a port, a number from 1 to 65535, as a base URL must. ureq takes `host:notaport`
/// for the default port, so a typo would silently go to another port, and takes an empty or
/// unreadable host too.
fn authority_is_valid(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    crate::environment::host_of(host_port).is_some()
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxySetting::FromEnv => f.write_str("FromEnv"),
            ProxySetting::Off => f.write_str("Off"),
            ProxySetting::Url(url) => write!(f, "Url({url:?})"),
        }
    }
}

impl Client {
    /// A client with default settings from the environment: `HOTMART_ENV` (with
    /// `HOTMART_AUTH_URL` and `HOTMART_API_URL` when it is `custom`), `HOTMART_CLIENT_ID`,
    /// `HOTMART_CLIENT_SECRET` and, optionally, `HOTMART_BASIC`. Every missing variable is
    /// named at once ([`Error::MissingEnvs`]).
    ///
    /// ```no_run
    /// let client = hotmart::Client::from_env()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        Client::builder_from_env()?.build()
    }

    /// [`Client::builder`] with the environment and credentials of [`Client::from_env`].
    pub fn builder_from_env() -> Result<ClientBuilder, Error> {
        Client::builder_from_lookup(crate::environment::process)
    }

    /// [`Client::builder_from_env`] reading the same names from any source (a config file, a
    /// secret store).
    pub fn builder_from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<ClientBuilder, Error> {
        let missing = |err: &Error| match err {
            Error::MissingEnv { variable } => Some(vec![*variable]),
            Error::MissingEnvs { variables } => Some(variables.clone()),
            _ => None,
        };
        match (
            Environment::from_lookup(&lookup),
            Credentials::from_lookup(&lookup),
        ) {
            (Ok(environment), Ok(credentials)) => Ok(Client::builder(environment, credentials)),
            (Err(a), Err(b)) => match (missing(&a), missing(&b)) {
                (Some(mut first), Some(second)) => {
                    first.extend(second);
                    Err(Error::missing(first))
                }
                _ => Err(a),
            },
            (Err(err), _) | (_, Err(err)) => Err(err),
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
}

impl ClientBuilder {
    /// The defaults that [`Client::builder`] documents.
    pub(crate) fn new(environment: Environment, credentials: Credentials) -> Self {
        ClientBuilder {
            environment,
            credentials,
            timeout: Some(Duration::from_secs(30)),
            connect_timeout: None,
            refresh_margin: Duration::from_secs(300),
            style: TokenRequestStyle::Documented,
            user_agent: concat!("hotmart-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            proxy: ProxySetting::FromEnv,
            settings: ApiSettings {
                max_body: 8 << 20,
                lock_wait: Duration::ZERO,
                retry: Policy::default(),
            },
            #[cfg(any(feature = "rustls", feature = "native-tls"))]
            tls_backend: crate::TlsBackend::default(),
            #[cfg(all(
                feature = "extra-roots",
                any(feature = "rustls", feature = "native-tls")
            ))]
            root_pems: crate::http::tls::RootPems::default(),
            token_store: None,
            rate_budget: None,
        }
    }

    /// The longest duration any setting takes; longer ones are clamped to it by `build()`.
    /// A year is "no limit" for any practical purpose, and far from where adding it to a clock
    /// instant could overflow.
    pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

    /// The most body bytes read from an API answer; a larger 2xx answer is
    /// [`Error::BodyTooLarge`]. Default: 8 MiB.
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.settings.max_body = bytes;
        self
    }

    /// How many times a failed call (500, 502, 503, 504, a broken connection) is retried: API
    /// calls that are GET, HEAD or [`retry_safe`](crate::RequestBuilder::retry_safe), and the
    /// token request. Default: 2.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.settings.retry.max_retries = retries;
        self
    }

    /// The first wait before a retry; each further retry doubles it (with jitter), up to 8 s
    /// (or to this first wait, if it is longer). Rate-limit waits never go below it either,
    /// whatever the server says, so one longer than `max_rate_limit_wait` ends a call at its
    /// first 429. Default: 250 ms.
    pub fn retry_backoff(mut self, first: Duration) -> Self {
        self.settings.retry.base_backoff = first;
        self
    }

    /// The most time one call spends waiting out rate limits (429) before it gives up with
    /// the 429. Default: 90 s (Hotmart's window is a minute).
    ///
    /// The token request counts as a call of its own: an API call that must first fetch a
    /// token may wait this long for the token endpoint's 429s, and as long again for the
    /// API's. `call_timeout` bounds the two together.
    pub fn max_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.settings.retry.max_rate_limit_wait = wait;
        self
    }

    /// The most time one call may take in all: every attempt, retry and wait (the token
    /// request, and each API request or page). A wait that would end past it is not started;
    /// an attempt gets no more than the time left. Default: 3 minutes.
    ///
    /// An attempt that hangs is cut by its socket's read timeout, which Linux fires late by
    /// up to an eighth of its length (its timer wheel grows coarser with the wait; ureq
    /// alone shows it: 31.7 s for 30 s): a call cut at 3 minutes may end some 15 s later.
    ///
    /// ```
    /// use std::time::Duration;
    /// # use hotmart::{Client, Credentials, Environment};
    /// let client = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
    ///     .call_timeout(Duration::from_secs(20))
    ///     .build()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.settings.retry.call_timeout = timeout;
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

    /// The `User-Agent` header. Default: `hotmart-rs/<version>`. Printable ASCII only:
    /// `build()` refuses control characters (CR, LF, NUL…) and non-ASCII text.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends requests to hosts off this machine through this proxy (`http://`, `https://`,
    /// `socks4://`, `socks4a://` or `socks5://`, with `user:password@` if it needs them).
    /// `build()` refuses a malformed URL; the URL is never shown in `Debug` or errors.
    ///
    /// By default the proxy comes from the environment: `ALL_PROXY`, `HTTPS_PROXY`,
    /// `HTTP_PROXY` (or their lowercase forms), honouring `NO_PROXY`. Whatever the setting,
    /// requests to a loopback host (`localhost`, 127.0.0.0/8, `::1`) never go through a
    /// proxy: the token request to a local server would otherwise carry the secret across
    /// the network.
    ///
    /// ```
    /// # use hotmart::{Client, Credentials, Environment};
    /// let client = Client::builder(Environment::Production, Credentials::new("id", "secret"))
    ///     .proxy("http://proxy.internal:3128")
    ///     .build()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxySetting::Url(Secret::new(url.into()));
        self
    }

    /// Never uses a proxy, whatever the environment's proxy variables say.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxySetting::Off;
        self
    }

    /// Trusts the certificates in `pem` as roots, in addition to the default ones: what a
    /// TLS-inspecting corporate proxy or a private test server needs (feature `extra-roots`,
    /// which brings Mozilla's roots as certificates to chain them after). Call it once per PEM
    /// text; each may hold several certificates (other PEM blocks, such as keys, are ignored).
    ///
    /// The default roots are Mozilla's, built into the crate, for either
    /// [`TlsBackend`](crate::TlsBackend); the added ones join them, so Hotmart's own
    /// certificates stay trusted. The system's certificate store is not read.
    ///
    /// The text is checked by [`build`](Self::build), which refuses a PEM that is malformed,
    /// holds no certificate or holds one that does not parse, with
    /// [`Error::InvalidRootCertificate`].
    ///
    /// ```no_run
    /// use hotmart::{Client, Credentials, Environment};
    ///
    /// let proxy_root = std::fs::read("/etc/ssl/corporate-root.pem")?;
    /// let client = Client::builder(Environment::from_env()?, Credentials::from_env()?)
    ///     .add_root_certificates_pem(proxy_root)
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// ```
    /// use hotmart::{Client, Credentials, Environment, Error};
    ///
    /// let err = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
    ///     .add_root_certificates_pem("no certificate here")
    ///     .build()
    ///     .unwrap_err();
    /// assert!(matches!(err, Error::InvalidRootCertificate { index: 0, .. }));
    /// ```
    #[cfg(all(
        feature = "extra-roots",
        any(feature = "rustls", feature = "native-tls")
    ))]
    pub fn add_root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_pems.0.push(pem.as_ref().to_vec());
        self
    }

    /// Which TLS implementation to use, when both features `rustls` and `native-tls` are on.
    /// Default: [`TlsBackend::Rustls`](crate::TlsBackend::Rustls) when the `rustls` feature is
    /// on, else `NativeTls`.
    ///
    /// ```
    /// # #[cfg(feature = "native-tls")] {
    /// use hotmart::{Client, Credentials, Environment, TlsBackend};
    ///
    /// let client = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
    ///     .tls_backend(TlsBackend::NativeTls)
    ///     .build()?;
    /// # }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    pub fn tls_backend(mut self, backend: crate::TlsBackend) -> Self {
        self.tls_backend = backend;
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
    /// A cached token is used until it expires or the API rejects it, whatever secret the
    /// client holds: a mistyped or rotated `client_secret` goes unnoticed until then (up to
    /// Hotmart's 48 hours). After changing the secret, check it with a fetch of its own
    /// (`hotmart token --no-cache`, or a client without the cache) or remove the cache file.
    ///
    /// The short form of `.token_store(FileStore::new(dir))` ([`FileStore`]).
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
    pub fn token_cache(self, dir: impl Into<PathBuf>) -> Self {
        self.token_store(FileStore::new(dir))
    }

    /// Keeps the access token in `store` as well as in memory: a store of your own
    /// (Postgres, Vault, memcached…), [`FileStore`], or `hotmart-redis`'s. The in-memory token
    /// stays in front, so the store is asked only when that one is missing or due; see
    /// [`crate::store`] for the flow and an example. Replaces any earlier store.
    pub fn token_store(mut self, store: impl TokenStore + 'static) -> Self {
        self.token_store = Some(Box::new(store));
        self
    }

    /// The rate budget asked before every API attempt and told every answer. Default: an
    /// [`InProcess`](crate::budget::InProcess) budget per client (shared by its clones).
    /// `hotmart-redis` has one shared by every process on every host; see [`crate::budget`].
    pub fn rate_budget(mut self, budget: impl RateBudget + 'static) -> Self {
        self.rate_budget = Some(Box::new(budget));
        self
    }

    /// The key the client's token is stored under ([`TokenStore`]s) and its rate budget
    /// counts for: the environment's base URLs, as `build()` checks them, and the client id.
    /// Fails as `build()` would on a malformed base URL.
    pub fn token_key(&self) -> Result<TokenKey, Error> {
        let auth_base = BaseUrl::parse_auth(self.environment.auth_url())?;
        let api_base = BaseUrl::parse(self.environment.api_url())?;
        Ok(TokenKey::new(
            auth_base.as_str(),
            api_base.as_str(),
            self.credentials.client_id(),
        ))
    }

    /// The per-request timeout as set, before `build()`'s clamping (what a shared store sizes
    /// its fetch lock by).
    pub fn request_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Checks the settings and builds the client. Does no I/O.
    ///
    /// Fails if the credentials are malformed, if a base URL is not `https` (plain `http` is
    /// allowed to a loopback host only), if a PEM given to
    /// `add_root_certificates_pem` (feature `extra-roots`) is unusable, or if a
    /// setting cannot work ([`Error::InvalidConfig`]). Durations over
    /// [`MAX_DURATION`](Self::MAX_DURATION) are clamped to it.
    pub fn build(self) -> Result<Client, Error> {
        self.credentials.check()?;
        let auth_base = BaseUrl::parse_auth(self.environment.auth_url())?;
        let api_base = BaseUrl::parse(self.environment.api_url())?;
        let invalid = |setting, reason| Err(Error::InvalidConfig { setting, reason });
        // Without a TLS feature ureq could only fail on the first request, with a message that
        // does not say what to change: refuse now, naming the features.
        #[cfg(not(any(feature = "rustls", feature = "native-tls")))]
        if [&auth_base, &api_base]
            .iter()
            .any(|b| b.as_str().starts_with("https://"))
        {
            return invalid(
                "features",
                "https needs a TLS feature: build hotmart with feature `rustls` (the default) or \
                 `native-tls`",
            );
        }
        if !self.user_agent.bytes().all(|b| (b' '..=b'~').contains(&b)) {
            return invalid(
                "user_agent",
                "a User-Agent must be printable ASCII: no control characters (CR, LF, NUL) and \
                 no non-ASCII text",
            );
        }
        let clamp = |d: Duration| d.min(Self::MAX_DURATION);
        let timeout = self.timeout.map(clamp);
        let connect_timeout = self.connect_timeout.map(clamp);
        if timeout.is_some_and(|t| t.is_zero()) {
            return invalid("timeout", "a zero timeout would fail every request");
        }
        if connect_timeout.is_some_and(|t| t.is_zero()) {
            return invalid("connect_timeout", "a zero timeout would fail every request");
        }
        let mut settings = self.settings;
        // A token request takes at most one request timeout; a lock held much longer has a
        // stuck holder (stopped, frozen), and is fetched around.
        settings.lock_wait = timeout
            .unwrap_or(Duration::from_secs(30))
            .saturating_add(Duration::from_secs(1))
            .min(Duration::from_secs(60));
        let retry = &mut settings.retry;
        retry.base_backoff = clamp(retry.base_backoff);
        retry.max_rate_limit_wait = clamp(retry.max_rate_limit_wait);
        retry.call_timeout = clamp(retry.call_timeout);
        if retry.call_timeout.is_zero() {
            return invalid("call_timeout", "a zero deadline would fail every call");
        }
        let proxy = match self.proxy {
            ProxySetting::FromEnv => ProxyChoice::FromEnv,
            ProxySetting::Off => ProxyChoice::Off,
            ProxySetting::Url(url) => match ureq::Proxy::new(url.expose()) {
                Ok(proxy) if authority_is_valid(url.expose()) => ProxyChoice::Given(proxy),
                _ => {
                    return invalid(
                        "proxy",
                        "expected a proxy URL such as http://host:port or socks5://host:port",
                    );
                }
            },
        };
        let redactor = Redactor::new(&[self.credentials.client_secret(), self.credentials.basic()]);
        #[cfg(any(feature = "rustls", feature = "native-tls"))]
        let tls = crate::http::tls::TlsSettings {
            backend: self.tls_backend,
            #[cfg(feature = "extra-roots")]
            extra_roots: self.root_pems.parse()?,
        };
        let key = TokenKey::new(
            auth_base.as_str(),
            api_base.as_str(),
            self.credentials.client_id(),
        );
        let budget = self
            .rate_budget
            .unwrap_or_else(|| Box::new(InProcess::default()));
        Ok(Client::from_inner(Inner {
            token: TokenEndpoint {
                url: auth_base.join(Environment::TOKEN_PATH),
                loopback: auth_base.is_loopback(),
                style: self.style,
                credentials: self.credentials,
                margin: clamp(self.refresh_margin),
            },
            api_base,
            environment: self.environment,
            settings,
            transport: Transport::new(Settings {
                timeout,
                connect_timeout,
                user_agent: self.user_agent,
                proxy,
                redactor,
                #[cfg(any(feature = "rustls", feature = "native-tls"))]
                tls,
            }),
            cell: TokenCell::default(),
            budget,
            store: self.token_store,
            key,
            rejected: Default::default(),
        }))
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("environment", &self.environment)
            .field("credentials", &self.credentials)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("refresh_margin", &self.refresh_margin)
            .field("style", &self.style)
            .field("user_agent", &self.user_agent)
            .field("proxy", &self.proxy)
            .field("settings", &self.settings)
            .field("token_store", &self.token_store.is_some())
            .field("rate_budget", &self.rate_budget.is_some())
            .finish_non_exhaustive()
    }
}
