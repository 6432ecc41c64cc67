//! The shared rate budget: one window per API base URL and client id for every process that
//! uses Redis, kept by two atomic Lua scripts on the server's clock.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hotmart::budget::{Admission, InProcess, MAX_RESET, RateBudget, Reading, Ticket};
use hotmart::store::TokenKey;

use crate::keys;
use crate::link::Link;

/// Reads the server's clock in milliseconds and forgets a window whose reset has come; shared
/// by both scripts. `MAX_RESET_MS` is replaced by [`MAX_RESET`].
///
/// No answer can set a reset further ahead than `MAX_RESET` (readings are capped by it), so a
/// window whose reset or start lies further ahead of the server's clock was written before
/// that clock was set back: it is forgotten, as the client would forget a reset it does not
/// believe, instead of refusing every call until the old clock's time comes again.
const PRELUDE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local w = redis.call('HMGET', KEYS[1], 'remaining', 'reset', 'start')
local remaining = tonumber(w[1]) or 0
local reset = tonumber(w[2]) or 0
local start = tonumber(w[3]) or 0
if reset - now > MAX_RESET_MS or start > now then
  start = now
  reset = 0
  redis.call('HSET', KEYS[1], 'start', start, 'reset', 0)
end
if reset ~= 0 and now >= reset then
  start = reset
  reset = 0
  redis.call('HSET', KEYS[1], 'start', start, 'reset', 0)
end
";

/// Returns `{1, 0, now}` to go (counting the call when a window is known) or `{0, wait, now}`.
const ADMIT: &str = r"
if reset == 0 then
  return {1, 0, now}
end
if remaining > 0 then
  redis.call('HINCRBY', KEYS[1], 'remaining', -1)
  return {1, 0, now}
end
local wait = reset - now
if wait < 1 then wait = 1 end
return {0, wait, now}
";

/// ARGV: when the call was let through (server ms), calls remaining, ms until the reset. A
/// time of admission ahead of the server's clock (set back since) is read as now.
const OBSERVE: &str = r"
local admitted = tonumber(ARGV[1])
if admitted > now then admitted = now end
local seen = tonumber(ARGV[2])
local new_reset = admitted + tonumber(ARGV[3])
if admitted < start or new_reset <= now then
  return 0
end
if reset == 0 or new_reset > reset + 1500 then
  remaining = seen
  reset = new_reset
else
  if seen < remaining then remaining = seen end
  if new_reset < reset then reset = new_reset end
end
redis.call('HSET', KEYS[1], 'remaining', remaining, 'reset', reset, 'start', start)
redis.call('PEXPIRE', KEYS[1], reset - now + 600000)
return 1
";

/// The most calls a window is believed to hold: keeps every number an integer in Lua.
const MAX_REMAINING: u64 = 1_000_000_000;

fn max_reset_ms() -> u64 {
    u64::try_from(MAX_RESET.as_millis()).unwrap_or(u64::MAX)
}

/// One account's rate budget on Redis, made by [`Redis::rate_budget`](crate::Redis::rate_budget):
/// a [`RateBudget`] for [`ClientBuilder::rate_budget`](hotmart::ClientBuilder::rate_budget).
///
/// The window learned from the answers' `RateLimit-*` headers lives in Redis, on Redis's
/// clock (hosts whose clocks disagree still agree on the window), under a key digested from
/// the API base URL and the client id (never the secret). It follows the same rules as the
/// in-process budget ([`hotmart::budget`]), and believes no reset further ahead than
/// [`MAX_RESET`] whatever clock wrote it. While Redis cannot be reached, each call falls back
/// to this process's own [`InProcess`] budget, which learns from every answer either way, so
/// it is warm when it is needed.
///
/// Which account: the builder's own with
/// [`ClientBuilderExt::redis`] or [`ClientBuilderExt::redis_budget`] (from
/// [`ClientBuilder::token_key`](hotmart::ClientBuilder::token_key), the key `build()` uses, so
/// it always counts for the client it is built into, from its first call), or the one given
/// to [`for_account`](Self::for_account). A budget from [`Redis::rate_budget`] given no
/// account counts in this process only (and says so once in the log): nothing is guessed
/// from the token stores of the same Redis, which could not tell a budget asked before its
/// client's store, or one `Redis` shared by several accounts.
///
/// [`ClientBuilderExt::redis`]: crate::ClientBuilderExt::redis
/// [`ClientBuilderExt::redis_budget`]: crate::ClientBuilderExt::redis_budget
/// [`Redis::rate_budget`]: crate::Redis::rate_budget
///
/// ```
/// use hotmart::store::TokenKey;
/// use hotmart::{Client, Credentials, Environment};
///
/// let redis = hotmart_redis::Redis::new("redis://cache.internal:6379/0")?;
/// let env = Environment::Production;
/// let account = TokenKey::new(env.auth_url(), env.api_url(), "my-client-id");
/// let client = Client::builder(env, Credentials::new("my-client-id", "secret"))
///     .rate_budget(redis.rate_budget().for_account(&account))
///     .build()?; // no I/O yet
/// # Ok::<(), hotmart::Error>(())
/// ```
pub struct SharedBudget {
    link: Arc<Link>,
    /// The account's window in Redis; `None`: this process's budget only.
    key: Option<String>,
    admit: Arc<redis::Script>,
    observe: Arc<redis::Script>,
    /// The fallback, whose clock ([`InProcess::now_ms`]) every ticket carries.
    local: InProcess,
    /// Whether the log was told that no account was given.
    warned: AtomicBool,
}

impl SharedBudget {
    /// A budget on `link`, for no account until [`for_account`](Self::for_account). Does no
    /// I/O.
    pub(crate) fn new(link: Arc<Link>) -> SharedBudget {
        let script = |body: &str| {
            let text =
                format!("{PRELUDE}{body}").replace("MAX_RESET_MS", &max_reset_ms().to_string());
            Arc::new(redis::Script::new(&text))
        };
        SharedBudget {
            link,
            key: None,
            admit: script(ADMIT),
            observe: script(OBSERVE),
            local: InProcess::default(),
            warned: AtomicBool::new(false),
        }
    }

    /// The budget of the account `key` names (its API base URL and client id), whichever
    /// token store is used: [`ClientBuilder::token_key`](hotmart::ClientBuilder::token_key)
    /// gives a builder's. Replaces any earlier account.
    pub fn for_account(mut self, key: &TokenKey) -> Self {
        self.key = Some(keys::budget_key(key));
        self
    }

    /// The window's key in Redis, if an account was given.
    fn key(&self) -> Option<&str> {
        if self.key.is_none() && !self.warned.swap(true, Ordering::Relaxed) {
            log::warn!(
                target: "hotmart::redis",
                "a shared rate budget was given no account: it counts in this process only; \
                 use ClientBuilderExt::redis, ClientBuilderExt::redis_budget or \
                 SharedBudget::for_account"
            );
        }
        self.key.as_deref()
    }
}

impl RateBudget for SharedBudget {
    fn admit(&self) -> Admission {
        let answer = self.key().and_then(|key| {
            self.link
                .script::<(i64, i64, i64)>("rate budget", None, &self.admit, key, Vec::new())
        });
        match answer {
            Some((1, _, now)) => Admission::Go(Ticket {
                local_ms: self.local.now_ms(),
                shared_ms: Some(u64::try_from(now).unwrap_or(0)),
            }),
            Some((_, wait, _)) => {
                let wait = u64::try_from(wait).unwrap_or(1).clamp(1, max_reset_ms());
                Admission::Wait(Duration::from_millis(wait))
            }
            None => self.local.admit(),
        }
    }

    fn observe(&self, ticket: Ticket, reading: Reading) {
        self.local.observe(ticket, reading);
        let (Some(admitted), Some(key)) = (ticket.shared_ms, self.key()) else {
            return;
        };
        let _ = self.link.script::<i64>(
            "rate budget",
            None,
            &self.observe,
            key,
            vec![
                admitted.to_string(),
                reading.remaining.min(MAX_REMAINING).to_string(),
                reading.reset_ms.min(max_reset_ms()).to_string(),
            ],
        );
    }
}

impl fmt::Debug for SharedBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedBudget")
            .field("link", &self.link)
            .field("account_known", &self.key.is_some())
            .finish_non_exhaustive()
    }
}
