//! One Hotmart access token and one rate budget per account for every process, on every host,
//! that shares a Redis server: a [`TokenStore`] and a [`RateBudget`] for
//! [`hotmart`]'s client, plugged in like any user's own.
//!
//! ```
//! use hotmart::{Client, Credentials, Environment};
//! use hotmart_redis::{ClientBuilderExt, Redis};
//!
//! let redis = Redis::new("redis://:password@cache.internal:6379/0")?;
//! let client = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
//!     .redis(&redis) // the token store and the rate budget, both on Redis
//!     .build()?; // no I/O yet: Redis is first asked on the first call
//! # Ok::<(), hotmart::Error>(())
//! ```
//!
//! - **One token.** A process that finds no usable token in Redis takes a lock there (`SET NX
//!   PX`, with a time to live), looks again, and only then asks Hotmart; the others wait for
//!   its token, no longer than their call's deadline. See [`RedisStore`].
//! - **One budget.** The rate-limit window lives in Redis, on Redis's clock. See
//!   [`SharedBudget`].
//! - **No secret in Redis** but the access token itself; keys are digests of the base URLs
//!   and the client id.
//! - **Redis down or slow never stops the work.** Connecting is bounded by 500 ms, each
//!   command by 500 ms: the wait for the process's one connection and the whole answer
//!   together, and no wait passes the caller's deadline. A command that cannot have the
//!   connection and its answer in time (a slow Redis, many threads) does without Redis, as
//!   when it is down. While Redis cannot be reached, each call uses this process's own budget
//!   and token (or the store's fallback, e.g. a [`FileStore`](hotmart::store::FileStore));
//!   Redis is tried again a second later, and a warning goes to the log (target
//!   `hotmart::redis`) at most once a minute, for Redis down and for Redis slow each.
//! - **One first time per webhook event** (feature `webhook`): [`Redis::dedup_store`] holds
//!   the ids of accepted events for [`hotmart::webhook::Dedup`], one `SET NX PX` per
//!   delivery; while Redis is down, every delivery counts as a first (a possible duplicate,
//!   never a loss).
//! - **The URL's credentials are never shown**: not in `Debug`, errors or log lines, neither as
//!   written nor percent-decoded, the user name neither; nor what a server quotes of a
//!   command's arguments.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod budget;
#[cfg(feature = "webhook")]
mod dedup;
mod keys;
mod link;
mod store;
mod url;

use std::fmt;
use std::sync::Arc;

pub use budget::SharedBudget;
#[cfg(feature = "webhook")]
pub use dedup::RedisDedup;
use hotmart::ClientBuilder;
#[cfg(doc)]
use hotmart::budget::RateBudget;
#[cfg(doc)]
use hotmart::store::TokenStore;
pub use store::{RedisStore, lock_ttl_for};

use link::Link;
use url::RedisUrl;

/// The environment variable [`Redis::from_env`] reads.
pub const REDIS_URL_VAR: &str = "HOTMART_REDIS_URL";

/// A Redis server to share tokens and rate budgets through: its checked URL and one lazily
/// made connection, shared by every store and budget made from it (and its clones). Its
/// `Debug` shows the URL without user name or password.
///
/// The URL is `redis://[user:password@]host[:port][/db]`, `unix:///path/to/socket`, or, with
/// the `tls` feature, `rediss://…`: the server's certificate must chain to the platform's
/// roots, or to those given to [`root_certificates_pem`](Redis::root_certificates_pem).
#[derive(Clone)]
pub struct Redis {
    url: RedisUrl,
    link: Arc<Link>,
}

impl Redis {
    /// Checks `url`; does no I/O. A malformed URL is
    /// [`hotmart::Error::InvalidConfig`] with `setting: "redis"`, whose reason never quotes
    /// the URL.
    ///
    /// ```
    /// let err = hotmart_redis::Redis::new("http://user:pw-123@cache:6379").unwrap_err();
    /// assert!(matches!(err, hotmart::Error::InvalidConfig { setting: "redis", .. }));
    /// assert!(!format!("{err} {err:?}").contains("pw-123"));
    /// let redis = hotmart_redis::Redis::new("redis://user:pw-123@cache:6379/0")?;
    /// assert!(!format!("{redis:?}").contains("pw-123"));
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn new(url: &str) -> Result<Redis, hotmart::Error> {
        let invalid = |reason| hotmart::Error::InvalidConfig {
            setting: "redis",
            reason,
        };
        let url = RedisUrl::parse(url).map_err(invalid)?;
        let client = redis::Client::open(url.expose()).map_err(|_| invalid(url::EXPECTED))?;
        Ok(Redis::with_client(url, client))
    }

    /// The Redis of the environment variable `HOTMART_REDIS_URL` ([`REDIS_URL_VAR`]): `None`
    /// when it is unset or empty; a malformed value is [`hotmart::Error::InvalidEnv`] naming
    /// the variable, never its value.
    ///
    /// ```no_run
    /// use hotmart::{Client, Credentials, Environment};
    /// use hotmart_redis::{ClientBuilderExt, Redis};
    ///
    /// let mut builder = Client::builder(Environment::from_env()?, Credentials::from_env()?);
    /// if let Some(redis) = Redis::from_env()? {
    ///     builder = builder.redis(&redis);
    /// }
    /// let client = builder.build()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn from_env() -> Result<Option<Redis>, hotmart::Error> {
        let invalid = hotmart::Error::InvalidEnv {
            variable: REDIS_URL_VAR,
            expected: "a Redis URL such as redis://host:6379/0",
        };
        let value = match std::env::var(REDIS_URL_VAR) {
            Ok(value) => value,
            Err(std::env::VarError::NotPresent) => return Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => return Err(invalid),
        };
        if value.trim().is_empty() {
            return Ok(None);
        }
        Redis::new(&value).map(Some).map_err(|_| invalid)
    }

    /// For `rediss://` (feature `tls`): trust the roots in `pem` (one or more PEM
    /// certificates) instead of the platform's. A PEM that holds no usable certificate, or a
    /// URL that is not `rediss://`, is [`hotmart::Error::InvalidConfig`]. Does no I/O.
    ///
    /// ```
    /// let err = hotmart_redis::Redis::new("rediss://cache:6380/0")?
    ///     .root_certificates_pem(b"not a certificate")
    ///     .unwrap_err();
    /// assert!(matches!(err, hotmart::Error::InvalidConfig { setting: "redis root certificates", .. }));
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[cfg(feature = "tls")]
    pub fn root_certificates_pem(self, pem: impl AsRef<[u8]>) -> Result<Redis, hotmart::Error> {
        let invalid = |reason| hotmart::Error::InvalidConfig {
            setting: "redis root certificates",
            reason,
        };
        if !self.url.expose().starts_with("rediss://") {
            return Err(invalid("root certificates are for rediss:// URLs only"));
        }
        let pem = pem.as_ref();
        if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
            return Err(invalid("expected PEM text with at least one CERTIFICATE"));
        }
        let certificates = redis::TlsCertificates {
            client_tls: None,
            root_cert: Some(pem.to_vec()),
        };
        let client = redis::Client::build_with_tls(self.url.expose(), certificates)
            .map_err(|_| invalid("a certificate in the PEM text does not parse"))?;
        Ok(Redis::with_client(self.url, client))
    }

    fn with_client(url: RedisUrl, client: redis::Client) -> Redis {
        Redis {
            link: Arc::new(Link::new(url.clone(), client)),
            url,
        }
    }

    /// A token store on this Redis, for
    /// [`ClientBuilder::token_store`](hotmart::ClientBuilder::token_store); see
    /// [`RedisStore`]. Add [`fallback`](RedisStore::fallback) to keep this host's copy.
    pub fn token_store(&self) -> RedisStore {
        RedisStore::new(Arc::clone(&self.link))
    }

    /// A rate budget on this Redis, for
    /// [`ClientBuilder::rate_budget`](hotmart::ClientBuilder::rate_budget), once given its
    /// account with [`SharedBudget::for_account`]; [`ClientBuilderExt::redis_budget`] does
    /// both for a builder. Without an account it counts in this process only.
    pub fn rate_budget(&self) -> SharedBudget {
        SharedBudget::new(Arc::clone(&self.link))
    }

    /// A store of accepted webhook event ids on this Redis (feature `webhook`), for
    /// [`hotmart::webhook::Dedup::new`]: one first time per event for every receiver on every
    /// host that shares this Redis; see [`RedisDedup`] (what it does while Redis is down).
    #[cfg(feature = "webhook")]
    pub fn dedup_store(&self) -> RedisDedup {
        RedisDedup::new(Arc::clone(&self.link))
    }

    /// [`hotmart::webhook::Dedup`] on [`dedup_store`](Self::dedup_store), for Hotmart's 60 days
    /// of event history (feature `webhook`).
    ///
    /// ```no_run
    /// use hotmart::webhook::Verifier;
    ///
    /// let verifier = Verifier::from_env()?; // HOTMART_HOTTOK
    /// let dedup = hotmart_redis::Redis::new("redis://cache.internal:6379/0")?.dedup();
    /// # let (header, body) = (Some("hottok"), &b"{}"[..]);
    /// let event = verifier.verify(header, body)?;
    /// if dedup.first_time(event.id())? {
    ///     // process it; on failure dedup.forget(event.id()) and answer 5xx
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "webhook")]
    pub fn dedup(&self) -> hotmart::webhook::Dedup {
        hotmart::webhook::Dedup::new(self.dedup_store())
    }
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis").field("url", &self.url).finish()
    }
}

/// [`Redis`] on a [`ClientBuilder`] in one step, for the builder's own account
/// ([`ClientBuilder::token_key`]: the base URLs as `build()` checks them, and the client id).
pub trait ClientBuilderExt {
    /// Keeps the token in Redis and counts the rate budget there, for this client's account
    /// ([`RedisStore`] and [`SharedBudget`]): the fetch lock lives
    /// [`lock_ttl_for`]`(builder.request_timeout())`. Replaces any earlier token store and
    /// budget; to keep this host's copy of the token in a file too, use
    /// `.token_store(redis.token_store().fallback(FileStore::new(dir))).redis_budget(&redis)`
    /// instead.
    ///
    /// ```
    /// use hotmart::{Client, Credentials, Environment};
    /// use hotmart_redis::{ClientBuilderExt, Redis};
    ///
    /// let redis = Redis::new("redis://127.0.0.1:6379/0")?;
    /// let client = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
    ///     .redis(&redis)
    ///     .build()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    fn redis(self, redis: &Redis) -> ClientBuilder;

    /// Counts the rate budget in Redis for this client's account ([`SharedBudget`]), beside a
    /// token store of your choice. Replaces any earlier budget.
    ///
    /// ```
    /// use hotmart::store::FileStore;
    /// use hotmart::{Client, Credentials, Environment};
    /// use hotmart_redis::{ClientBuilderExt, Redis};
    ///
    /// let redis = Redis::new("redis://127.0.0.1:6379/0")?;
    /// let dir = std::env::temp_dir().join("hotmart-doc-redis-budget");
    /// let client = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
    ///     .token_store(redis.token_store().fallback(FileStore::new(dir)))
    ///     .redis_budget(&redis)
    ///     .build()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    fn redis_budget(self, redis: &Redis) -> ClientBuilder;
}

impl ClientBuilderExt for ClientBuilder {
    fn redis(self, redis: &Redis) -> ClientBuilder {
        let store = redis
            .token_store()
            .lock_ttl(lock_ttl_for(self.request_timeout()));
        self.token_store(store).redis_budget(redis)
    }

    fn redis_budget(self, redis: &Redis) -> ClientBuilder {
        let budget = redis.rate_budget();
        // A base URL that does not parse fails build() itself: no account is needed then.
        let budget = match self.token_key() {
            Ok(key) => budget.for_account(&key),
            Err(_) => budget,
        };
        self.rate_budget(budget)
    }
}
