//! Webhook deduplication on Redis (feature `webhook`): the ids of accepted events for every
//! receiver, on every host, that shares a Redis server.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use hotmart::webhook::DedupStore;

use crate::link::Link;

/// The longest retention given to Redis: a time to live much longer overflows Redis's
/// clock arithmetic and is refused by the server.
const MAX_RETENTION: Duration = Duration::from_secs(100 * 365 * 86_400);

/// A [`DedupStore`] on Redis, made by [`Redis::dedup_store`](crate::Redis::dedup_store): one
/// key per accepted event, `SET <key> 1 NX PX <retention>`, so that of any number of
/// deliveries of one event racing on any hosts exactly one is the first, and Redis forgets the
/// id by itself when the retention ends. [`remove`](DedupStore::remove) is `DEL`.
///
/// - **Keys**: `hotmart:v1:{<Dedup::key>}:webhook`, plus a digest of the
///   [`namespace`](Self::namespace) if one is given: the event id's digest, never the id
///   itself. A key that is not a [`Dedup::key`](hotmart::webhook::Dedup::key) is refused
///   ([`io::ErrorKind::InvalidInput`]).
/// - **Clock**: the retention counts on Redis's clock from the moment Redis records the id;
///   the caller's `now` is not used, so hosts whose clocks disagree still agree.
/// - **Redis down** (unreachable, refusing, or not answering within the crate's command
///   timeout): [`insert_new`](DedupStore::insert_new) answers `Ok(true)`, "first time", so the
///   event is processed rather than lost, at the cost of a possible duplicate while Redis is
///   away. An error instead would turn an id that Redis did record but whose answer was late
///   into a loss: the receiver answers 5xx, Hotmart resends, and the resent event is then a
///   "redelivery" that nobody processed. `remove` does fail
///   ([`io::ErrorKind::NotConnected`]) while Redis is down: the id stays recorded, so the
///   caller learns that a redelivery of it would be taken for a duplicate.
/// - **Costs**: one round trip per delivery; about 100 bytes of Redis memory per id held (see
///   the README). An eviction policy that evicts keys with a time to live (`allkeys-*`,
///   `volatile-*`) turns redeliveries into duplicates once memory is full; `noeviction` makes
///   Redis refuse the `SET`, which is taken as Redis down.
///
/// ```
/// use hotmart::webhook::Dedup;
///
/// let redis = hotmart_redis::Redis::new("redis://cache.internal:6379/0")?;
/// let dedup = Dedup::new(redis.dedup_store().namespace("shop")); // no I/O yet
/// # Ok::<(), hotmart::Error>(())
/// ```
pub struct RedisDedup {
    link: Arc<Link>,
    /// The digest of the namespace, with its separator; empty without one.
    suffix: String,
}

impl RedisDedup {
    /// A store on `link`, in no namespace. Does no I/O.
    pub(crate) fn new(link: Arc<Link>) -> RedisDedup {
        RedisDedup {
            link,
            suffix: String::new(),
        }
    }

    /// Keeps this receiver's ids apart from other receivers' on the same Redis (two services
    /// that each process every event of one account, say). The name is digested, not spelled
    /// out in the keys.
    pub fn namespace(mut self, name: &str) -> Self {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in name.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.suffix = format!(":{hash:016x}");
        self
    }

    /// The Redis key of a [`Dedup::key`](hotmart::webhook::Dedup::key); the braces keep each
    /// id's key in a slot of its own in a Redis Cluster.
    fn redis_key(&self, key: &str) -> io::Result<String> {
        // What Dedup::key makes (hex digits), as the directory store accepts: never a raw id
        // of unbounded length.
        if (1..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(format!("hotmart:v1:{{{key}}}:webhook{}", self.suffix))
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a Dedup::key",
            ))
        }
    }
}

/// The retention in whole milliseconds, rounded up; `None` for none at all.
fn retention_ms(retention: Duration) -> Option<u64> {
    if retention.is_zero() {
        return None;
    }
    let ms = retention.min(MAX_RETENTION).as_nanos().div_ceil(1_000_000);
    Some(u64::try_from(ms).unwrap_or(u64::MAX))
}

impl DedupStore for RedisDedup {
    fn insert_new(&self, key: &str, _now: SystemTime, retention: Duration) -> io::Result<bool> {
        let redis_key = self.redis_key(key)?;
        // Nothing is remembered for no time: every delivery is a first.
        let Some(ms) = retention_ms(retention) else {
            return Ok(true);
        };
        let mut cmd = redis::cmd("SET");
        cmd.arg(redis_key).arg(1).arg("NX").arg("PX").arg(ms);
        match self
            .link
            .command::<Option<String>>("webhook dedup", None, cmd)
        {
            Some(set) => Ok(set.is_some()),
            // Redis down: process the event (a possible duplicate, never a loss); the link
            // has warned.
            None => Ok(true),
        }
    }

    fn remove(&self, key: &str) -> io::Result<()> {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(self.redis_key(key)?);
        match self.link.command::<i64>("webhook dedup", None, cmd) {
            Some(_) => Ok(()),
            None => Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "Redis could not be reached to forget a webhook event: it stays recorded, so \
                 its redelivery would be taken for a duplicate until the retention ends",
            )),
        }
    }
}

impl fmt::Debug for RedisDedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisDedup")
            .field("link", &self.link)
            .field("namespaced", &!self.suffix.is_empty())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retentions_become_whole_milliseconds_redis_accepts() {
        assert_eq!(retention_ms(Duration::ZERO), None);
        assert_eq!(retention_ms(Duration::from_nanos(1)), Some(1));
        assert_eq!(retention_ms(Duration::from_micros(1_500)), Some(2));
        assert_eq!(retention_ms(Duration::from_secs(60)), Some(60_000));
        assert_eq!(
            retention_ms(Duration::MAX),
            Some(u64::try_from(MAX_RETENTION.as_millis()).unwrap())
        );
    }
}
