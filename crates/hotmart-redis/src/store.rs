//! The Redis token store: one token for every process, on every host, that uses the same Redis
//! server, base URLs and client id.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hotmart::store::{FetchGuard, StoredToken, TokenKey, TokenStore};

use crate::keys;
use crate::link::Link;

/// Stores `ARGV[2..4]` with a TTL of `ARGV[5]` ms if the token is still `ARGV[1]` ("" when
/// there was no entry).
const COMPARE_AND_STORE: &str = r"
local current = redis.call('HGET', KEYS[1], 'token')
if ARGV[1] == '' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'token', ARGV[2], 'issued', ARGV[3], 'expires', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
";

/// Removes the entry if its token is `ARGV[1]`.
const COMPARE_AND_REMOVE: &str = r"
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Releases the lock if `ARGV[1]` still owns it.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// How often a waiter looks at the lock again.
const POLL: Duration = Duration::from_millis(25);

/// The fetch lock's time to live for a client whose request timeout is `request_timeout`
/// (`None`: none set; 30 s is assumed): longer than one token request may take, so a living
/// owner keeps it, and short enough that a dead or stopped owner holds the others up only
/// that long. The timeout clamped to 1–60 s, plus a second.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(hotmart_redis::lock_ttl_for(Some(Duration::from_secs(2))), Duration::from_secs(3));
/// assert_eq!(hotmart_redis::lock_ttl_for(None), Duration::from_secs(31));
/// assert_eq!(hotmart_redis::lock_ttl_for(Some(Duration::from_secs(600))), Duration::from_secs(61));
/// ```
pub fn lock_ttl_for(request_timeout: Option<Duration>) -> Duration {
    request_timeout
        .unwrap_or(Duration::from_secs(30))
        .clamp(Duration::from_secs(1), Duration::from_secs(60))
        .saturating_add(Duration::from_secs(1))
}

/// The token store on Redis, made by [`Redis::token_store`](crate::Redis::token_store): a
/// [`TokenStore`] for [`ClientBuilder::token_store`](hotmart::ClientBuilder::token_store).
///
/// - The entry is a hash (token, issue and expiry times in Unix milliseconds) under a key
///   digested from the [`TokenKey`] (base URLs and client id), whose TTL is the token's
///   remaining life, so Redis drops it when it stops working. Never the client secret.
/// - Compare-and-store and compare-and-remove are Lua scripts: atomic on the server.
/// - The fetch lock is `SET lock owner NX PX ttl`, with a random owner; it is released by a
///   script that deletes it only if this process still owns it, and it expires by itself if
///   its owner dies or is stopped (an owner that wakes up after that finds its lock gone: its
///   token is stored only if no other was meanwhile, and its release deletes nothing). The
///   release is tried even while Redis is taken for down after a failure, within the command
///   timeout, so that a lock is not left to hold the others up for its TTL. Waiters poll it
///   until it is free, a new token is stored (the holder's, which the caller then reads), its
///   TTL and a second have passed, or the caller's deadline comes, whichever is first, then
///   fetch by themselves.
/// - While Redis cannot be reached, each operation goes to the [`fallback`](Self::fallback)
///   store (e.g. a [`FileStore`](hotmart::store::FileStore)) or does without: the client then
///   fetches as it would alone. Writes and reads from Redis go through to the fallback too, so
///   it is warm when Redis is not.
///
/// ```
/// use hotmart::store::FileStore;
/// use hotmart::{Client, Credentials, Environment};
/// use hotmart_redis::ClientBuilderExt;
///
/// let redis = hotmart_redis::Redis::new("redis://cache.internal:6379/0")?;
/// let dir = std::env::temp_dir().join("hotmart-doc-redis-store");
/// let client = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
///     .token_store(redis.token_store().fallback(FileStore::new(dir)))
///     .redis_budget(&redis) // the shared budget, for this builder's account
///     .build()?; // no I/O yet
/// # Ok::<(), hotmart::Error>(())
/// ```
pub struct RedisStore {
    link: Arc<Link>,
    lock_ttl: Duration,
    fallback: Option<Box<dyn TokenStore>>,
    compare_and_store: Arc<redis::Script>,
    compare_and_remove: Arc<redis::Script>,
    release: Arc<redis::Script>,
}

impl RedisStore {
    /// A store on `link`. Does no I/O.
    pub(crate) fn new(link: Arc<Link>) -> RedisStore {
        RedisStore {
            link,
            lock_ttl: lock_ttl_for(None),
            fallback: None,
            compare_and_store: Arc::new(redis::Script::new(COMPARE_AND_STORE)),
            compare_and_remove: Arc::new(redis::Script::new(COMPARE_AND_REMOVE)),
            release: Arc::new(redis::Script::new(RELEASE)),
        }
    }

    /// Keeps this host's copy of the token in `store` too (e.g. a
    /// [`FileStore`](hotmart::store::FileStore)), used while Redis cannot be reached.
    /// Replaces any earlier fallback.
    pub fn fallback(mut self, store: impl TokenStore + 'static) -> Self {
        self.fallback = Some(Box::new(store));
        self
    }

    /// How long the fetch lock lives (at least 100 ms). Default: [`lock_ttl_for`]`(None)`,
    /// 31 s; [`ClientBuilderExt::redis`](crate::ClientBuilderExt::redis) sizes it by the
    /// client's request timeout.
    pub fn lock_ttl(mut self, ttl: Duration) -> Self {
        self.lock_ttl = ttl.max(Duration::from_millis(100));
        self
    }

    /// The token of the entry under `entry_key` in Redis (`Some(None)`: no entry, or one
    /// that holds no token); `None` if Redis gave no answer by `deadline`.
    fn entry_token(&self, entry_key: &str, deadline: Instant) -> Option<Option<String>> {
        let mut cmd = redis::cmd("HGET");
        cmd.arg(entry_key).arg("token");
        let value = self
            .link
            .command::<redis::Value>("token lock", Some(deadline), cmd)?;
        Some(match value {
            redis::Value::BulkString(bytes) if !bytes.is_empty() => String::from_utf8(bytes).ok(),
            _ => None,
        })
    }

    /// Copies `new` into the fallback store unless it holds it already.
    fn write_through(&self, key: &TokenKey, new: &StoredToken) {
        if let Some(fallback) = &self.fallback {
            let current = fallback.load(key);
            if current.as_ref() != Some(new) {
                fallback.compare_and_store(key, current.as_ref().map(StoredToken::secret), new);
            }
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl TokenStore for RedisStore {
    fn load(&self, key: &TokenKey) -> Option<StoredToken> {
        let mut cmd = redis::cmd("HMGET");
        cmd.arg(keys::key(
            "token",
            &[key.auth_url(), key.api_url(), key.client_id()],
        ))
        .arg(&["token", "issued", "expires"]);
        let fields = self
            .link
            .command::<(Option<String>, Option<u64>, Option<u64>)>("token store", None, cmd);
        match fields {
            Some((Some(token), Some(issued_ms), Some(expires_ms))) if !token.is_empty() => {
                let stored = StoredToken::new(token, issued_ms, expires_ms);
                // The process reads the store once per token: keep this host's copy warm.
                self.write_through(key, &stored);
                Some(stored)
            }
            Some(_) => None,
            None => self.fallback.as_ref()?.load(key),
        }
    }

    fn compare_and_store(&self, key: &TokenKey, expected: Option<&str>, new: &StoredToken) -> bool {
        let ttl_ms = new.expires_ms().saturating_sub(now_ms());
        if ttl_ms == 0 {
            return false;
        }
        let stored = self.link.script::<i64>(
            "token store",
            None,
            &self.compare_and_store,
            &keys::key("token", &[key.auth_url(), key.api_url(), key.client_id()]),
            vec![
                expected.unwrap_or("").to_owned(),
                new.secret().to_owned(),
                new.issued_ms().to_string(),
                new.expires_ms().to_string(),
                ttl_ms.to_string(),
            ],
        );
        self.write_through(key, new);
        stored == Some(1)
    }

    fn compare_and_remove(&self, key: &TokenKey, token: &str) -> bool {
        let removed = self.link.script::<i64>(
            "token store",
            None,
            &self.compare_and_remove,
            &keys::key("token", &[key.auth_url(), key.api_url(), key.client_id()]),
            vec![token.to_owned()],
        );
        let removed_nearby = self
            .fallback
            .as_ref()
            .is_some_and(|f| f.compare_and_remove(key, token));
        removed.map_or(removed_nearby, |n| n > 0)
    }

    fn fetch_lock(&self, key: &TokenKey, deadline: Instant) -> Option<FetchGuard> {
        let lock_key = keys::key(
            "token-lock",
            &[key.auth_url(), key.api_url(), key.client_id()],
        );
        let entry_key = keys::key("token", &[key.auth_url(), key.api_url(), key.client_id()]);
        let owner = owner_token();
        let ttl_ms = u64::try_from(self.lock_ttl.as_millis()).unwrap_or(u64::MAX);
        // Long enough for a living owner to finish, or a dead one's lock to expire; never past
        // the call's deadline, and no command waits past it either.
        let give_up_at = Instant::now()
            .checked_add(self.lock_ttl.saturating_add(Duration::from_secs(1)))
            .map_or(deadline, |latest| latest.min(deadline));
        // The entry as it was when the lock was first found held; another one, stored while
        // this waits, is the holder's fresh token, which the caller reads next: no need to
        // wait for the lock. Read only once the lock is found held: a free lock needs no wait.
        let entry = || self.entry_token(&entry_key, give_up_at);
        let mut found: Option<Option<String>> = None;
        loop {
            let mut set = redis::cmd("SET");
            set.arg(&lock_key)
                .arg(&owner)
                .arg("NX")
                .arg("PX")
                .arg(ttl_ms);
            let taken = self
                .link
                .command::<Option<String>>("token lock", Some(give_up_at), set);
            let now = Instant::now();
            match taken {
                Some(Some(_)) => {
                    return Some(FetchGuard::new(Held {
                        link: Arc::clone(&self.link),
                        key: lock_key,
                        owner,
                        release: Arc::clone(&self.release),
                    }));
                }
                // Another process holds it: wait for it to store its token and let go.
                Some(None) if now < give_up_at => {
                    // Only an answer counts: a read Redis was too slow for says nothing of
                    // the entry, and taken for "none" it would make the old token look new.
                    if found.is_none() {
                        found = entry();
                    }
                    thread::sleep(POLL.min(give_up_at.saturating_duration_since(now)));
                    let stored = entry().flatten();
                    if let (Some(before), Some(token)) = (&found, stored)
                        && before.as_ref() != Some(&token)
                    {
                        log::debug!(
                            target: "hotmart::token",
                            "another process stored a token while this one waited for the \
                             token lock"
                        );
                        return None;
                    }
                }
                Some(None) => {
                    log::warn!(
                        target: "hotmart::token",
                        "another process has held the token lock on Redis until this call's \
                         deadline or for {:?}; fetching without it",
                        self.lock_ttl
                    );
                    return None;
                }
                // The deadline came while asking: fetch now, without waiting any longer.
                None if now >= give_up_at => return None,
                None => return self.fallback.as_ref()?.fetch_lock(key, deadline),
            }
        }
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("link", &self.link)
            .field("lock_ttl", &self.lock_ttl)
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}

/// The lock, held; dropping it lets the others in.
struct Held {
    link: Arc<Link>,
    key: String,
    owner: String,
    release: Arc<redis::Script>,
}

impl Drop for Held {
    fn drop(&mut self) {
        // Tried even while Redis is taken for down (within the command timeout): an
        // unreleased lock holds the other hosts up for its whole TTL. If Redis cannot be
        // reached, the lock expires by itself.
        let _ = self.link.script_even_if_down::<i64>(
            "token lock",
            &self.release,
            &self.key,
            vec![self.owner.clone()],
        );
    }
}

/// A value no other process will pick: 128 bits from the standard library's random hasher
/// keys, with the process id and the time mixed in.
fn owner_token() -> String {
    let seed = (std::process::id(), Instant::now(), SystemTime::now());
    let a = RandomState::new().hash_one(seed);
    let b = RandomState::new().hash_one((seed, a));
    format!("{a:016x}{b:016x}")
}
