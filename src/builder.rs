//! The client's settings: [`ClientBuilder`], and the checks that turn them into a [`Client`]
//! in `build()` (no setting can make the client panic later).

use std::fmt;
use std::path::PathBuf;
#[cfg(feature = "redis")]
use std::sync::Arc;
use std::time::Duration;

use crate::budget::{InProcess, RateBudget};
use crate::cell::TokenCell;
use crate::client::{ApiSettings, Inner, TOKEN_PATH, TokenRequestStyle};
use crate::environment::BaseUrl;
use crate::redact::Redactor;
use crate::retry::Policy;
use crate::secret::Secret;
use crate::store;
#[cfg(feature = "redis")]
use crate::store::TokenStore;
use crate::transport::{ProxyChoice, Settings, Transport};
use crate::{Client, Credentials, Environment, Error};

/// Settings for a [`Client`]; made by [`Client::builder`].
///
/// No setting can make the client panic later: `build()` refuses values that cannot work (a
/// `User-Agent` with control characters, a zero timeout, a malformed proxy URL) and clamps
/// durations longer than [`ClientBuilder::MAX_DURATION`] to it, so no arithmetic on clock
/// instants can overflow.
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
    proxy: ProxySetting,
    settings: ApiSettings,
    token_cache: Option<PathBuf>,
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    tls_backend: crate::TlsBackend,
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    root_pems: crate::tls::RootPems,
    #[cfg(feature = "redis")]
    redis: Option<RedisChoice>,
}

/// Where the Redis URL comes from; it may hold a password, so `Debug` hides it.
#[cfg(feature = "redis")]
#[derive(Debug)]
enum RedisChoice {
    Url(Secret),
    FromEnv,
}

/// The variable [`ClientBuilder::redis_from_env`] reads.
#[cfg(feature = "redis")]
pub const REDIS_URL_VAR: &str = "HOTMART_REDIS_URL";

/// The proxy as the builder was told; the URL may hold a password, so `Debug` hides it.
enum ProxySetting {
    FromEnv,
    Off,
    Url(Secret),
}

/// Whether the port of a proxy URL, if it has one, is a number from 1 to 65535. (ureq takes
/// `host:notaport` for the default port, so a typo would silently go to another port.)
fn port_is_valid(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let port = match host_port.strip_prefix('[') {
        Some(v6) => v6.split_once("]:").map(|(_, port)| port),
        None => host_port.split_once(':').map(|(_, port)| port),
    };
    port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0))
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
                retry: Policy::default(),
            },
            #[cfg(any(feature = "rustls", feature = "native-tls"))]
            tls_backend: crate::TlsBackend::default(),
            #[cfg(any(feature = "rustls", feature = "native-tls"))]
            root_pems: crate::tls::RootPems::default(),
            #[cfg(feature = "redis")]
            redis: None,
            token_cache: None,
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

    /// How many times a failed call (5xx, broken connection) is retried: API calls that are
    /// GET, HEAD or [`retry_safe`](crate::RequestBuilder::retry_safe), and the token request.
    /// Default: 2.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.settings.retry.max_retries = retries;
        self
    }

    /// The first wait before a retry; each further retry doubles it (with jitter), up to 8 s.
    /// Rate-limit waits never go below it either, whatever the server says. Default: 250 ms.
    pub fn retry_backoff(mut self, first: Duration) -> Self {
        self.settings.retry.base_backoff = first;
        self
    }

    /// The most time one call spends waiting out rate limits (429) before it gives up with
    /// the 429. Default: 90 s (Hotmart's window is a minute).
    pub fn max_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.settings.retry.max_rate_limit_wait = wait;
        self
    }

    /// The most time one call may take in all: every attempt, retry and wait (the token
    /// request, and each API request or page). A wait that would end past it is not started;
    /// an attempt gets no more than the time left. Default: 3 minutes.
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
    /// TLS-inspecting corporate proxy or a private test server needs. Call it once per PEM
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
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
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

    /// Shares one access token and one rate budget with every process, on any host, whose
    /// client uses the same Redis server, environment and client id (feature `redis`).
    ///
    /// - The token: processes that find none in Redis take a lock there (with an owner and an
    ///   expiry of the request [`timeout`](Self::timeout) plus a second, so a crashed owner
    ///   holds up the others only that long), and only the first one fetches; the others
    ///   read its token. It is kept with a time to live of its remaining life, and removed
    ///   when the API rejects it. With [`token_cache`](Self::token_cache) too, the file keeps
    ///   this host's copy, used while Redis cannot be reached.
    /// - The budget: together the processes stay within the account's limit instead of each
    ///   learning it from 429s (see the README's "Many processes, many hosts").
    ///
    /// Both are atomic scripts on the server, keyed by the base URLs and the client id (never
    /// the secret).
    ///
    /// `url` is `redis://[user:password@]host[:port][/db]`, `unix:///path/to/socket`, or, with
    /// the `rustls` feature, `rediss://…` for TLS: the server's certificate must chain to
    /// Mozilla's roots or to those given to `add_root_certificates_pem`, as for the API.
    /// `build()` refuses a malformed URL ([`Error::InvalidConfig`]). The URL, and the password
    /// in it, never appear in `Debug`, errors or the log.
    ///
    /// Redis being down never stops the work: connecting is bounded by 500 ms and each command
    /// by 500 ms; while Redis cannot be reached, each call uses this process's own budget and
    /// token (or the file cache), Redis is tried again a second later, and a warning goes to
    /// the log at most once a minute.
    ///
    /// ```
    /// # use hotmart::{Client, Credentials, Environment};
    /// let client = Client::builder(Environment::Production, Credentials::new("id", "secret"))
    ///     .redis("redis://:password@cache.internal:6379/0")
    ///     .build()?; // no I/O yet: Redis is first asked on the first call
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[cfg(feature = "redis")]
    pub fn redis(mut self, url: impl Into<String>) -> Self {
        self.redis = Some(RedisChoice::Url(Secret::new(url.into())));
        self
    }

    /// As [`redis`](Self::redis), with the URL in the environment variable
    /// `HOTMART_REDIS_URL` ([`REDIS_URL_VAR`]), read by `build()`; unset or empty means no
    /// Redis. A malformed value is [`Error::InvalidEnv`].
    ///
    /// ```no_run
    /// # use hotmart::{Client, Credentials, Environment};
    /// let client = Client::builder(Environment::from_env()?, Credentials::from_env()?)
    ///     .redis_from_env()
    ///     .build()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[cfg(feature = "redis")]
    pub fn redis_from_env(mut self) -> Self {
        self.redis = Some(RedisChoice::FromEnv);
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
    /// Fails if the credentials are malformed, if a base URL is not `https` (plain `http` is
    /// allowed to a loopback host only), if a PEM given to
    /// [`add_root_certificates_pem`](Self::add_root_certificates_pem) is unusable, or if a
    /// setting cannot work ([`Error::InvalidConfig`]). Durations over
    /// [`MAX_DURATION`](Self::MAX_DURATION) are clamped to it.
    pub fn build(self) -> Result<Client, Error> {
        self.credentials.check()?;
        let auth_base = BaseUrl::parse(self.environment.auth_url())?;
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
                Ok(proxy) if port_is_valid(url.expose()) => ProxyChoice::Given(proxy),
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
        let tls = crate::tls::TlsSettings {
            backend: self.tls_backend,
            extra_roots: self.root_pems.parse()?,
        };
        #[cfg(feature = "redis")]
        let redis = match self.redis {
            None => None,
            Some(RedisChoice::Url(url)) => Some(
                crate::redis_link::RedisUrl::parse(url.expose()).map_err(|reason| {
                    Error::InvalidConfig {
                        setting: "redis",
                        reason,
                    }
                })?,
            ),
            Some(RedisChoice::FromEnv) => {
                match crate::env::optional(&crate::env::process, REDIS_URL_VAR) {
                    None => None,
                    Some(url) => Some(crate::redis_link::RedisUrl::parse(&url).map_err(|_| {
                        Error::InvalidEnv {
                            variable: REDIS_URL_VAR,
                            expected: "a Redis URL such as redis://host:6379/0",
                        }
                    })?),
                }
            }
        };
        let store = self
            .token_cache
            .map(|dir| store::file_store(dir, &auth_base, &api_base, self.credentials.client_id()));
        #[cfg(feature = "redis")]
        let (budget, store): (Box<dyn RateBudget>, _) = match &redis {
            Some(url) => {
                #[cfg(feature = "rustls")]
                let extra_roots = tls.extra_roots.as_slice();
                #[cfg(not(feature = "rustls"))]
                let extra_roots: &[Vec<u8>] = &[];
                let link = Arc::new(crate::redis_link::Link::new(url, extra_roots));
                let client_id = self.credentials.client_id();
                let budget = crate::budget::redis::Shared::new(
                    Arc::clone(&link),
                    api_base.as_str(),
                    client_id,
                );
                // The fetch lock outlives one token request, and no more.
                let lock_ttl = timeout
                    .unwrap_or(Duration::from_secs(30))
                    .clamp(Duration::from_secs(1), Duration::from_secs(60))
                    + Duration::from_secs(1);
                let redis_store = store::redis::RedisStore::new(
                    link,
                    [auth_base.as_str(), api_base.as_str(), client_id],
                    lock_ttl,
                    store,
                );
                (
                    Box::new(budget),
                    Some(Box::new(redis_store) as Box<dyn TokenStore>),
                )
            }
            None => (Box::new(InProcess::default()), store),
        };
        #[cfg(not(feature = "redis"))]
        let budget: Box<dyn RateBudget> = Box::new(InProcess::default());
        Ok(Client::from_inner(Inner {
            token_url: auth_base.join(TOKEN_PATH),
            auth_loopback: auth_base.is_loopback(),
            api_base,
            environment: self.environment,
            credentials: self.credentials,
            style: self.style,
            refresh_margin: clamp(self.refresh_margin),
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
            store,
        }))
    }
}
