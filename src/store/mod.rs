//! Tokens that outlive the process: the [`TokenStore`] seam behind the token cell, and the
//! flow that goes through it on a cache miss.
//!
//! The cell stays in front: a process asks the store only when its in-memory token is missing
//! or due for refresh, so it reads the store at most once per token. On such a miss,
//! [`fetch_through`] reads the store; if it holds no usable token, it takes the store's
//! cross-process fetch lock, reads it again (another process may have fetched meanwhile), and
//! only then fetches over HTTP and stores the result. Store failures are logged and never
//! reach the caller: without a usable store the client simply fetches, as it would without one.
//!
//! [`file::FileStore`] is the store for cron jobs on one machine; a store shared by many
//! machines (Redis, say) would implement the same trait beside it.

pub(crate) mod file;
#[cfg(feature = "redis")]
pub(crate) mod redis;

use std::any::Any;
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::environment::BaseUrl;
use crate::secret::Secret;
use crate::{AccessToken, Error};

/// A token as a store keeps it: the value and wall-clock times, nothing else.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct StoredToken {
    pub(crate) token: Secret,
    /// When it was obtained, in milliseconds since the Unix epoch.
    pub(crate) issued_ms: u64,
    /// When it stops working, in milliseconds since the Unix epoch.
    pub(crate) expires_ms: u64,
}

impl StoredToken {
    /// A freshly fetched token, as of `now` (wall clock and monotonic clock read together).
    pub(crate) fn from_fetched(token: &AccessToken, now: (SystemTime, Instant)) -> Self {
        let issued_ms = millis(now.0);
        let remaining = token.expires_at().saturating_duration_since(now.1);
        let remaining_ms = u64::try_from(remaining.as_millis()).unwrap_or(u64::MAX);
        StoredToken {
            token: Secret::new(token.secret()),
            issued_ms,
            expires_ms: issued_ms.saturating_add(remaining_ms),
        }
    }

    /// The token to hand out, if it is still fresh at `now` by the client's `margin` rule
    /// (the margin, at most half the token's lifetime).
    pub(crate) fn to_fresh(
        &self,
        margin: Duration,
        now: (SystemTime, Instant),
    ) -> Option<AccessToken> {
        // A store shared with others (Redis) may hold anything: a token no header can carry
        // would fail every call until it expired, as the token parser knows.
        if self.token.expose().is_empty() || !crate::token::is_header_safe(self.token.expose()) {
            return None;
        }
        let now_ms = millis(now.0);
        let lifetime = self.expires_ms.checked_sub(self.issued_ms)?;
        // A clock set back since the token was stored cannot stretch it past its lifetime.
        let remaining = self.expires_ms.checked_sub(now_ms)?.min(lifetime);
        let (remaining, lifetime) = (
            Duration::from_millis(remaining),
            Duration::from_millis(lifetime),
        );
        if remaining <= margin.min(lifetime / 2) {
            return None;
        }
        Some(AccessToken::restore(
            self.token.expose(),
            remaining,
            lifetime,
            margin,
            now.1,
        ))
    }
}

impl fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredToken")
            .field("token", &self.token)
            .field("issued_ms", &self.issued_ms)
            .field("expires_ms", &self.expires_ms)
            .finish()
    }
}

/// Held while one process fetches a token for everyone; dropping it lets the others in.
pub(crate) struct FetchGuard {
    _held: Box<dyn Any + Send>,
}

impl FetchGuard {
    pub(crate) fn new(held: impl Any + Send) -> Self {
        FetchGuard {
            _held: Box::new(held),
        }
    }
}

/// Where tokens outlive the process. One store serves one key (environment and client id),
/// fixed when it is made, so two credentials never share a token.
///
/// None of these fail for the caller: a store that cannot do its part logs why and answers
/// as if it were empty, and the client fetches as it would without a store.
pub(crate) trait TokenStore: Send + Sync {
    /// The stored entry for this key, fresh or not; `None` if there is none or it is unusable
    /// (unreadable, corrupt, of another key or format, or not trusted).
    fn load(&self) -> Option<StoredToken>;

    /// Stores `new` if the entry's token is still `expected` (`None`: no usable entry).
    /// Returns whether it stored.
    fn compare_and_store(&self, expected: Option<&str>, new: &StoredToken) -> bool;

    /// Removes the entry if its token is `token`. Returns whether it removed one.
    fn compare_and_remove(&self, token: &str) -> bool;

    /// Waits for the cross-process fetch lock for this key, no later than `deadline` (the
    /// call's). `None` if the store cannot lock by then (the caller then fetches without it).
    fn fetch_lock(&self, deadline: Instant) -> Option<FetchGuard>;
}

/// The file store under `dir` for one environment and client id. Does no I/O.
pub(crate) fn file_store(
    dir: PathBuf,
    auth_base: &BaseUrl,
    api_base: &BaseUrl,
    client_id: &str,
) -> Box<dyn TokenStore> {
    let key = file::Key {
        auth_url: auth_base.as_str().to_owned(),
        api_url: api_base.as_str().to_owned(),
        client_id: client_id.to_owned(),
    };
    Box::new(file::FileStore::new(dir, key))
}

/// Wall clock and monotonic clock, read together.
fn now() -> (SystemTime, Instant) {
    (SystemTime::now(), Instant::now())
}

fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The token cell's fetch, through `store`: a fresh stored token if there is one, else, under
/// the cross-process fetch lock and after looking again, `fetch`'s token, which is stored.
/// The lock is waited for no later than `deadline`, the call's.
pub(crate) fn fetch_through(
    store: &dyn TokenStore,
    margin: Duration,
    deadline: Instant,
    fetch: impl FnOnce() -> Result<AccessToken, Error>,
) -> Result<AccessToken, Error> {
    if let Some(token) = store.load().and_then(|s| s.to_fresh(margin, now())) {
        log::debug!(target: "hotmart::token", "access token read from the token cache");
        return Ok(token);
    }
    let guard = store.fetch_lock(deadline);
    // Another process may have fetched while this one waited for the lock.
    let current = store.load();
    if let Some(token) = current.as_ref().and_then(|s| s.to_fresh(margin, now())) {
        log::debug!(
            target: "hotmart::token",
            "access token read from the token cache, fetched by another process"
        );
        return Ok(token);
    }
    let token = fetch()?;
    let stored = StoredToken::from_fetched(&token, now());
    let expected = current.as_ref().map(|s| s.token.expose());
    if !store.compare_and_store(expected, &stored) {
        log::debug!(target: "hotmart::token", "the new access token was not cached");
    }
    drop(guard);
    Ok(token)
}

/// The default directory of the persistent token cache: `$XDG_CACHE_HOME/hotmart`, else
/// `$HOME/.cache/hotmart`. `None` if neither variable holds an absolute path.
///
/// ```
/// use hotmart::{Client, Credentials, Environment};
///
/// let mut builder = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"));
/// if let Some(dir) = hotmart::default_token_cache_dir() {
///     assert!(dir.ends_with("hotmart"));
///     builder = builder.token_cache(dir);
/// }
/// let client = builder.build()?; // no I/O yet: the directory is made on first use
/// # Ok::<(), hotmart::Error>(())
/// ```
pub fn default_token_cache_dir() -> Option<PathBuf> {
    default_dir_from(crate::env::process)
}

fn default_dir_from(lookup: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let absolute = |name: &str| lookup(name).map(PathBuf::from).filter(|p| p.is_absolute());
    absolute("XDG_CACHE_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".cache")))
        .map(|base| base.join("hotmart"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(issued_ms: u64, expires_ms: u64) -> StoredToken {
        StoredToken {
            token: Secret::new("t"),
            issued_ms,
            expires_ms,
        }
    }

    fn at(ms: u64) -> (SystemTime, Instant) {
        (UNIX_EPOCH + Duration::from_millis(ms), Instant::now())
    }

    #[test]
    fn freshness_follows_the_margin_rule() {
        let margin = Duration::from_secs(300);
        // 48 h token: fresh until 5 minutes before expiry.
        let long = stored(0, 172_800_000);
        assert!(long.to_fresh(margin, at(172_800_000 - 300_001)).is_some());
        assert!(long.to_fresh(margin, at(172_800_000 - 300_000)).is_none());
        // 10 s token: the margin is clamped to half the lifetime.
        let short = stored(0, 10_000);
        assert!(short.to_fresh(margin, at(4_999)).is_some());
        assert!(short.to_fresh(margin, at(5_000)).is_none());
        // Expired, or nonsense times.
        assert!(long.to_fresh(Duration::ZERO, at(172_800_000)).is_none());
        assert!(stored(10, 5).to_fresh(Duration::ZERO, at(0)).is_none());
    }

    #[test]
    fn a_clock_set_back_does_not_stretch_a_token() {
        let token = stored(1_000_000, 1_010_000)
            .to_fresh(Duration::ZERO, at(0))
            .unwrap();
        let left = token.expires_at() - Instant::now();
        assert!(left <= Duration::from_secs(10), "{left:?}");
    }

    #[test]
    fn restored_token_keeps_margin_and_value() {
        let now = Instant::now();
        let token = stored(0, 100_000)
            .to_fresh(Duration::from_secs(5), at(40_000))
            .unwrap();
        assert_eq!(token.secret(), "t");
        let until_refresh = token.refresh_at().saturating_duration_since(now);
        assert!(
            until_refresh <= Duration::from_secs(56),
            "{until_refresh:?}"
        );
        assert!(
            until_refresh >= Duration::from_secs(54),
            "{until_refresh:?}"
        );
    }

    #[test]
    fn default_dir() {
        let vars = |xdg: Option<&str>, home: Option<&str>| {
            let (xdg, home) = (xdg.map(str::to_owned), home.map(str::to_owned));
            default_dir_from(move |name| match name {
                "XDG_CACHE_HOME" => xdg.clone(),
                "HOME" => home.clone(),
                _ => None,
            })
        };
        assert_eq!(
            vars(Some("/x/cache"), Some("/home/u")),
            Some(PathBuf::from("/x/cache/hotmart"))
        );
        assert_eq!(
            vars(Some("relative"), Some("/home/u")),
            Some(PathBuf::from("/home/u/.cache/hotmart"))
        );
        assert_eq!(vars(None, None), None);
    }
}
