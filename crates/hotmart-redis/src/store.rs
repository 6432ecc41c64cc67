//! The Redis token store (feature `redis`): one token for every process, on every host, that
//! uses the same Redis server, environment and client id.
//!
//! - The entry is a hash (token, issue and expiry times in Unix milliseconds) whose TTL is the
//!   token's remaining life, so Redis drops it when it stops working. Never the client secret.
//! - Compare-and-store and compare-and-remove are Lua scripts: atomic on the server.
//! - The fetch lock is `SET lock owner NX PX ttl`, with a random owner; it is released by a
//!   script that deletes it only if this process still owns it, and it expires by itself if its
//!   owner dies. Waiters poll it for a bounded time, then fetch by themselves.
//! - While Redis cannot be reached, each operation goes to the fallback store (the file store,
//!   when the client has one) or does without: the client then fetches as it would alone.
//!   Writes go through to the fallback too, so it is warm when Redis is not.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use super::{FetchGuard, StoredToken, TokenStore, millis};
use crate::redis_link::{self, Link};
use crate::secret::Secret;

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

/// The token store on Redis, with an optional fallback for when Redis cannot be reached.
pub(crate) struct RedisStore {
    link: Arc<Link>,
    token_key: String,
    lock_key: String,
    /// How long the lock lives: longer than a token request takes, short enough that a crashed
    /// owner holds up the others only that long.
    lock_ttl: Duration,
    fallback: Option<Box<dyn TokenStore>>,
    compare_and_store: redis::Script,
    compare_and_remove: redis::Script,
    release: Arc<redis::Script>,
}

impl RedisStore {
    /// The store for the token of `auth_url`, `api_url` and `client_id` (never the secret).
    /// Does no I/O.
    pub(crate) fn new(
        link: Arc<Link>,
        key: [&str; 3],
        lock_ttl: Duration,
        fallback: Option<Box<dyn TokenStore>>,
    ) -> RedisStore {
        RedisStore {
            link,
            token_key: redis_link::key("token", &key),
            lock_key: redis_link::key("token-lock", &key),
            lock_ttl: lock_ttl.max(Duration::from_millis(100)),
            fallback,
            compare_and_store: redis::Script::new(COMPARE_AND_STORE),
            compare_and_remove: redis::Script::new(COMPARE_AND_REMOVE),
            release: Arc::new(redis::Script::new(RELEASE)),
        }
    }

    /// Copies `new` into the fallback store unless it holds it already.
    fn write_through(&self, new: &StoredToken) {
        if let Some(fallback) = &self.fallback {
            let current = fallback.load();
            if current.as_ref() != Some(new) {
                fallback.compare_and_store(current.as_ref().map(|s| s.token.expose()), new);
            }
        }
    }
}

impl TokenStore for RedisStore {
    fn load(&self) -> Option<StoredToken> {
        let fields = self.link.with("token store", |c| {
            redis::cmd("HMGET")
                .arg(&self.token_key)
                .arg(&["token", "issued", "expires"])
                .query::<(Option<String>, Option<u64>, Option<u64>)>(c)
        });
        match fields {
            Some((Some(token), Some(issued_ms), Some(expires_ms))) if !token.is_empty() => {
                let stored = StoredToken {
                    token: Secret::new(token),
                    issued_ms,
                    expires_ms,
                };
                // The process reads the store once per token: keep this host's copy warm.
                self.write_through(&stored);
                Some(stored)
            }
            Some(_) => None,
            None => self.fallback.as_ref()?.load(),
        }
    }

    fn compare_and_store(&self, expected: Option<&str>, new: &StoredToken) -> bool {
        let ttl_ms = new.expires_ms.saturating_sub(millis(SystemTime::now()));
        if ttl_ms == 0 {
            return false;
        }
        let stored = self.link.with("token store", |c| {
            self.compare_and_store
                .key(&self.token_key)
                .arg(expected.unwrap_or(""))
                .arg(new.token.expose())
                .arg(new.issued_ms)
                .arg(new.expires_ms)
                .arg(ttl_ms)
                .invoke::<i64>(c)
        });
        self.write_through(new);
        match stored {
            Some(stored) => stored == 1,
            None => false,
        }
    }

    fn compare_and_remove(&self, token: &str) -> bool {
        let removed = self.link.with("token store", |c| {
            self.compare_and_remove
                .key(&self.token_key)
                .arg(token)
                .invoke::<i64>(c)
        });
        let removed_nearby = self
            .fallback
            .as_ref()
            .is_some_and(|f| f.compare_and_remove(token));
        removed.map_or(removed_nearby, |n| n > 0)
    }

    fn fetch_lock(&self, deadline: Instant) -> Option<FetchGuard> {
        let owner = owner_token();
        let ttl_ms = u64::try_from(self.lock_ttl.as_millis()).unwrap_or(u64::MAX);
        // Long enough for a living owner to finish, or a dead one's lock to expire; never past
        // the call's deadline.
        let give_up_at = Instant::now()
            .checked_add(self.lock_ttl.saturating_add(Duration::from_secs(1)))
            .map_or(deadline, |latest| latest.min(deadline));
        loop {
            let taken = self.link.with("token lock", |c| {
                redis::cmd("SET")
                    .arg(&self.lock_key)
                    .arg(&owner)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl_ms)
                    .query::<Option<String>>(c)
            });
            match taken {
                Some(Some(_)) => {
                    return Some(FetchGuard::new(Held {
                        link: Arc::clone(&self.link),
                        key: self.lock_key.clone(),
                        owner,
                        release: Arc::clone(&self.release),
                    }));
                }
                // Another process holds it: wait for it to store its token and let go.
                Some(None) if Instant::now() < give_up_at => {
                    thread::sleep(POLL.min(give_up_at.saturating_duration_since(Instant::now())));
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
                None => return self.fallback.as_ref()?.fetch_lock(deadline),
            }
        }
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
        // If Redis cannot be reached now, the lock expires by itself.
        self.link.with("token lock", |c| {
            self.release
                .key(&self.key)
                .arg(&self.owner)
                .invoke::<i64>(c)
        });
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
