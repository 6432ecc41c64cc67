//! Tokens that outlive the process: the [`TokenStore`] seam behind the token cell, and the
//! file cache that implements it for cron jobs.
//!
//! The cell stays in front: a process asks the store only when its in-memory token is missing
//! or due for refresh, so it reads the store at most once per token. On such a miss the client
//! reads the store; if it holds no usable token, it takes the store's cross-process fetch
//! lock, reads it again (another process may have fetched meanwhile), and only then fetches
//! over HTTP and stores the result. Store failures are logged and never reach the caller:
//! without a usable store the client simply fetches, as it would without one.
//!
//! Plug a store of your own (Postgres, Vault, memcached…) with
//! [`ClientBuilder::token_store`](crate::ClientBuilder::token_store); [`FileStore`] and the
//! `hotmart-redis` crate implement the same trait.
//!
//! ```
//! use std::collections::HashMap;
//! use std::sync::{Arc, Mutex};
//! use std::time::Instant;
//! use hotmart::store::{FetchGuard, StoredToken, TokenKey, TokenStore};
//!
//! /// Tokens in memory, shared by every client it is given to.
//! #[derive(Clone, Default)]
//! struct Memory(Arc<Mutex<HashMap<String, StoredToken>>>);
//!
//! impl TokenStore for Memory {
//!     fn load(&self, key: &TokenKey) -> Option<StoredToken> {
//!         self.0.lock().ok()?.get(&key.digest()).cloned()
//!     }
//!     fn compare_and_store(&self, key: &TokenKey, expected: Option<&str>, new: &StoredToken) -> bool {
//!         let Ok(mut map) = self.0.lock() else { return false };
//!         let slot = map.entry(key.digest());
//!         let current = match &slot {
//!             std::collections::hash_map::Entry::Occupied(e) => Some(e.get().secret()),
//!             std::collections::hash_map::Entry::Vacant(_) => None,
//!         };
//!         if current != expected {
//!             return false;
//!         }
//!         map.insert(key.digest(), new.clone());
//!         true
//!     }
//!     fn compare_and_remove(&self, key: &TokenKey, token: &str) -> bool {
//!         let Ok(mut map) = self.0.lock() else { return false };
//!         let matches = map.get(&key.digest()).is_some_and(|t| t.secret() == token);
//!         matches && map.remove(&key.digest()).is_some()
//!     }
//!     fn fetch_lock(&self, _key: &TokenKey, _deadline: Instant) -> Option<FetchGuard> {
//!         None // one process: the client's own single flight is enough
//!     }
//! }
//!
//! // Two clients (two processes, say) share one store: one token request in all.
//! let server = hotmart_mock::MockServer::start()?;
//! let shared = Memory::default();
//! let build = || {
//!     hotmart::Client::builder(server.environment(), server.credentials())
//!         .token_store(shared.clone())
//!         .build()
//! };
//! let (a, b) = (build()?, build()?);
//! assert_eq!(a.access_token()?.secret(), b.access_token()?.secret());
//! assert_eq!(server.token_request_count(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod file;
mod line;
pub(crate) mod trust;

pub use file::FileStore;

/// Whether the open `file` is a regular file that this process's user owns (on Unix; elsewhere
/// a regular file): what a private file must be before it is written, whatever its mode. A
/// refusal is a [`PermissionDenied`](std::io::ErrorKind::PermissionDenied) error that gives
/// the reason.
///
/// ```
/// let path = std::env::temp_dir().join("hotmart-doc-own-file");
/// let file = std::fs::File::create(&path)?;
/// hotmart::store::check_own_file(&file)?;
/// # std::fs::remove_file(path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn check_own_file(file: &std::fs::File) -> std::io::Result<()> {
    let refused =
        |reason: String| std::io::Error::new(std::io::ErrorKind::PermissionDenied, reason);
    let meta = file.metadata()?;
    #[cfg(unix)]
    return trust::own_regular(&meta).map_err(refused);
    #[cfg(not(unix))]
    return meta
        .is_file()
        .then_some(())
        .ok_or_else(|| refused("it is not a regular file".to_owned()));
}

/// Whether `dir` may hold this user's private files, by the rules the file cache and the
/// webhook id store apply: absent, or this user's own directory that no one else may write,
/// below directories that no other user can change (or sticky ones, as `/tmp`) and reached
/// through no symlink of theirs. A refusal is a
/// [`PermissionDenied`](std::io::ErrorKind::PermissionDenied) error that names `dir` and the
/// reason. On other systems than Unix every directory passes.
///
/// ```
/// let dir = std::env::temp_dir().join("hotmart-doc-private");
/// hotmart::store::check_private_dir(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn check_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    trust::trusted_dir(dir).map_err(|reason| {
        std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "{}: {reason}; make it private (chmod 700) or use a directory of your own",
                dir.display()
            ),
        )
    })
}

use std::any::Any;
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::secret::Secret;
use crate::{AccessToken, Error};

/// Which token an entry holds: the environment's two base URLs and the client id. Two
/// credentials never share an entry.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenKey {
    auth_url: String,
    api_url: String,
    client_id: String,
}

impl TokenKey {
    /// The key of the client id `client_id` on these base URLs.
    pub fn new(
        auth_url: impl Into<String>,
        api_url: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Self {
        TokenKey {
            auth_url: auth_url.into(),
            api_url: api_url.into(),
            client_id: client_id.into(),
        }
    }

    /// The token endpoint's base URL.
    pub fn auth_url(&self) -> &str {
        &self.auth_url
    }

    /// The API's base URL.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// The client id (not a secret).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// A stable digest of the key (16 hex digits): a file name or a Redis key that does not
    /// spell out the client id. Stores should keep the key in full beside the entry too, and
    /// compare it on reading, so that a digest collision cannot hand out another's token.
    ///
    /// ```
    /// let key = hotmart::store::TokenKey::new("https://a", "https://b", "id");
    /// assert_eq!(key.digest().len(), 16);
    /// assert_ne!(key.digest(), hotmart::store::TokenKey::new("https://a", "https://b", "id2").digest());
    /// ```
    pub fn digest(&self) -> String {
        format!("{:016x}", self.digest_u64())
    }

    fn digest_u64(&self) -> u64 {
        // FNV-1a: stable across versions and platforms, unlike std's hasher.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for part in [&self.auth_url, &self.api_url, &self.client_id] {
            for byte in part.bytes().chain([0]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        hash
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKey")
            .field("auth_url", &self.auth_url)
            .field("api_url", &self.api_url)
            .field("client_id", &self.client_id)
            .finish()
    }
}

/// A token as a store keeps it: the value and wall-clock times, nothing else. Its `Debug`
/// shows a fingerprint of the token, never the value.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredToken {
    token: Secret,
    issued_ms: u64,
    expires_ms: u64,
}

impl StoredToken {
    /// An entry for `token`, obtained at `issued_ms` and expiring at `expires_ms`
    /// (milliseconds since the Unix epoch), as a store read it back.
    pub fn new(token: impl Into<String>, issued_ms: u64, expires_ms: u64) -> Self {
        StoredToken {
            token: Secret::new(token.into()),
            issued_ms,
            expires_ms,
        }
    }

    /// The access token itself: a secret, to be stored and compared, never shown.
    pub fn secret(&self) -> &str {
        self.token.expose()
    }

    /// When it was obtained, in milliseconds since the Unix epoch.
    pub fn issued_ms(&self) -> u64 {
        self.issued_ms
    }

    /// When it stops working, in milliseconds since the Unix epoch.
    pub fn expires_ms(&self) -> u64 {
        self.expires_ms
    }

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
        // An entry issued in the future was written by a clock that ran ahead (and was set
        // back since, by NTP say): its expiry is off by as much, so it is not trusted.
        if self.issued_ms > now_ms.saturating_add(CLOCK_SKEW_MS) {
            log::debug!(
                target: "hotmart::token",
                "ignoring a cached token issued {} s in the future (a clock that ran ahead)",
                (self.issued_ms - now_ms) / 1_000
            );
            return None;
        }
        let lifetime = self.expires_ms.checked_sub(self.issued_ms)?;
        // Within the skew allowed, an expiry still never lies further than the lifetime.
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

/// How far in the future an entry's issue time may lie (clocks of one host and a shared
/// store's writers drift a little) before the entry is not trusted.
const CLOCK_SKEW_MS: u64 = 60_000;

/// Held while one process fetches a token for everyone; dropping it lets the others in.
#[must_use = "the lock is released when the guard is dropped"]
pub struct FetchGuard {
    _held: Box<dyn Any + Send>,
}

impl FetchGuard {
    /// A guard that holds `held` (a locked file, a lease to release on drop…) until dropped.
    pub fn new(held: impl Any + Send) -> Self {
        FetchGuard {
            _held: Box::new(held),
        }
    }
}

impl fmt::Debug for FetchGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FetchGuard")
    }
}

/// Where tokens outlive the process, for every [`TokenKey`] a client asks about.
///
/// None of these fail for the caller: a store that cannot do its part logs why (never the
/// token) and answers as if it were empty, and the client then fetches as it would without a
/// store. Entries handed back are checked by the client (freshness, plausible times, a token a
/// header can carry) before use.
///
/// What the client cannot do for a store: bound its time, or catch its panics. The methods
/// run inline, on the caller's thread, within its call: each should return within a short
/// bound of its own (a connection timeout, a lock wait of a few hundred milliseconds; only
/// `fetch_lock` is given a deadline), or a hung store holds every call that needs a token past
/// its `call_timeout`. A store that panics panics the call (the client stays usable). And a
/// store keeps the access token itself, the bearer of the account's access until it expires
/// (48 h at Hotmart): give it no wider audience than the client secret has.
pub trait TokenStore: Send + Sync {
    /// The stored entry for `key`, fresh or not; `None` if there is none or it is unusable.
    fn load(&self, key: &TokenKey) -> Option<StoredToken>;

    /// Stores `new` for `key` if the entry's token is still `expected` (`None`: no usable
    /// entry). Returns whether it stored.
    fn compare_and_store(&self, key: &TokenKey, expected: Option<&str>, new: &StoredToken) -> bool;

    /// Removes the entry for `key` if its token is `token` (the API rejected it). Returns
    /// whether it removed one.
    fn compare_and_remove(&self, key: &TokenKey, token: &str) -> bool;

    /// Waits for the cross-process fetch lock for `key`, no later than `deadline` (the
    /// call's). `None` if the store has no such lock or cannot lock by then: the caller then
    /// fetches without it.
    fn fetch_lock(&self, key: &TokenKey, deadline: Instant) -> Option<FetchGuard>;
}

impl<S: TokenStore + ?Sized> TokenStore for std::sync::Arc<S> {
    fn load(&self, key: &TokenKey) -> Option<StoredToken> {
        (**self).load(key)
    }
    fn compare_and_store(&self, key: &TokenKey, expected: Option<&str>, new: &StoredToken) -> bool {
        (**self).compare_and_store(key, expected, new)
    }
    fn compare_and_remove(&self, key: &TokenKey, token: &str) -> bool {
        (**self).compare_and_remove(key, token)
    }
    fn fetch_lock(&self, key: &TokenKey, deadline: Instant) -> Option<FetchGuard> {
        (**self).fetch_lock(key, deadline)
    }
}

/// Wall clock and monotonic clock, read together.
fn now() -> (SystemTime, Instant) {
    (SystemTime::now(), Instant::now())
}

fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// How a client reads its store: the key, the margin, the tokens the API rejected (never
/// taken from a store again, even when the store could not remove them), and how long to
/// wait for another process's fetch.
pub(crate) struct Lookup<'a> {
    pub(crate) key: &'a TokenKey,
    pub(crate) margin: Duration,
    pub(crate) rejected: &'a Rejected,
    /// The longest wait for the fetch lock: about one token request; a holder that takes
    /// longer is stuck (stopped, frozen) and is fetched around.
    pub(crate) lock_wait: Duration,
}

impl Lookup<'_> {
    fn usable(&self, entry: Option<&StoredToken>) -> Option<AccessToken> {
        let entry = entry?;
        if self.rejected.contains(entry.secret()) {
            log::warn!(
                target: "hotmart::token",
                "the token store still holds an access token the API rejected (it could not \
                 remove it): not using it, fetching a new one"
            );
            return None;
        }
        entry.to_fresh(self.margin, now())
    }
}

/// The access tokens the API rejected in this process, as digests; a few suffice, since a
/// store holds one entry per key.
#[derive(Default)]
pub(crate) struct Rejected(std::sync::Mutex<std::collections::VecDeque<u64>>);

impl Rejected {
    const KEPT: usize = 16;

    fn digest(token: &str) -> u64 {
        // Trimmed: a store that hands the rejected token back with blanks around it must not
        // get it past the check (the API would refuse it again, one more 401 each call).
        TokenKey::new("", "", token.trim()).digest_u64()
    }

    pub(crate) fn insert(&self, token: &str) {
        let mut list = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if list.len() >= Self::KEPT {
            list.pop_front();
        }
        list.push_back(Self::digest(token));
    }

    fn contains(&self, token: &str) -> bool {
        let list = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        !list.is_empty() && list.contains(&Self::digest(token))
    }
}

/// The token cell's fetch, through `store`: a fresh stored token if there is one, else, under
/// the cross-process fetch lock and after looking again, `fetch`'s token, which is stored.
/// The lock is waited for no later than `deadline`, the call's, nor longer than
/// `lookup.lock_wait`.
pub(crate) fn fetch_through(
    store: &dyn TokenStore,
    lookup: &Lookup<'_>,
    deadline: Instant,
    fetch: impl FnOnce() -> Result<AccessToken, Error>,
) -> Result<AccessToken, Error> {
    let key = lookup.key;
    if let Some(token) = lookup.usable(store.load(key).as_ref()) {
        log::debug!(target: "hotmart::token", "access token read from the token cache");
        return Ok(token);
    }
    // Half the time left at most: fetching around a holder that never lets go needs the rest.
    let left = deadline.saturating_duration_since(Instant::now());
    let lock_by = crate::retry::deadline_after(lookup.lock_wait.min(left / 2));
    let guard = store.fetch_lock(key, lock_by);
    // Another process may have fetched while this one waited for the lock.
    let current = store.load(key);
    if let Some(token) = lookup.usable(current.as_ref()) {
        log::debug!(
            target: "hotmart::token",
            "access token read from the token cache, fetched by another process"
        );
        return Ok(token);
    }
    let token = fetch()?;
    let stored = StoredToken::from_fetched(&token, now());
    let expected = current.as_ref().map(|s| s.token.expose());
    if !store.compare_and_store(key, expected, &stored) {
        log::debug!(target: "hotmart::token", "the new access token was not cached");
    }
    drop(guard);
    Ok(token)
}

/// The default directory of the persistent token cache: `$XDG_CACHE_HOME/hotmart`, else
/// `$HOME/.cache/hotmart`. `None` if neither variable holds an absolute path. The variables
/// are read as the platform gives them, so a home directory whose name is not Unicode is
/// still the one used.
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
    default_dir_from(|name| std::env::var_os(name))
}

fn default_dir_from(lookup: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let absolute = |name: &str| lookup(name).map(PathBuf::from).filter(|p| p.is_absolute());
    absolute("XDG_CACHE_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".cache")))
        .map(|base| base.join("hotmart"))
}

#[cfg(test)]
pub(crate) mod tests;
