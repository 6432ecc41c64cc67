//! The shared rate budget (feature `redis`): one window per environment and client id for
//! every process that uses Redis, kept by two atomic Lua scripts on the server, on the
//! server's clock (so hosts whose clocks disagree still agree on the window).
//!
//! The scripts follow [`Window`](super::Window)'s rules exactly. While Redis cannot be reached,
//! each call falls back to this process's own budget, which learns from every answer either
//! way, so it is warm when it is needed.

use std::sync::Arc;
use std::time::Duration;

use super::{Admission, InProcess, RateBudget, Reading, Ticket};
use crate::redis_link::{self, Link};

/// Reads the server's clock in milliseconds and forgets a window whose reset has come; shared
/// by both scripts.
const PRELUDE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local w = redis.call('HMGET', KEYS[1], 'remaining', 'reset', 'start')
local remaining = tonumber(w[1]) or 0
local reset = tonumber(w[2]) or 0
local start = tonumber(w[3]) or 0
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

/// ARGV: when the call was let through (server ms), calls remaining, ms until the reset.
const OBSERVE: &str = r"
local admitted = tonumber(ARGV[1])
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

/// One account's budget on Redis, with this process's budget as the fallback.
pub(crate) struct Shared {
    link: Arc<Link>,
    key: String,
    admit: redis::Script,
    observe: redis::Script,
    local: InProcess,
}

impl Shared {
    /// The budget for the account behind `api_url` and `client_id` (never the secret). Does
    /// no I/O.
    pub(crate) fn new(link: Arc<Link>, api_url: &str, client_id: &str) -> Shared {
        Shared {
            link,
            key: redis_link::key("budget", &[api_url, client_id]),
            admit: redis::Script::new(&format!("{PRELUDE}{ADMIT}")),
            observe: redis::Script::new(&format!("{PRELUDE}{OBSERVE}")),
            local: InProcess::default(),
        }
    }
}

impl RateBudget for Shared {
    fn admit(&self) -> Admission {
        let answer = self.link.with("rate budget", |c| {
            self.admit.key(&self.key).invoke::<(i64, i64, i64)>(c)
        });
        match answer {
            Some((go, wait, now)) => {
                let now = u64::try_from(now).unwrap_or(0);
                if go == 1 {
                    Admission::Go(Ticket {
                        local_ms: self.local.now_ms(),
                        shared_ms: Some(now),
                    })
                } else {
                    let wait = u64::try_from(wait)
                        .unwrap_or(1)
                        .clamp(1, super::MAX_RESET.as_millis() as u64);
                    Admission::Wait(Duration::from_millis(wait))
                }
            }
            None => self.local.admit(),
        }
    }

    fn observe(&self, ticket: Ticket, reading: Reading) {
        self.local.observe(ticket, reading);
        let Some(admitted) = ticket.shared_ms else {
            return;
        };
        self.link.with("rate budget", |c| {
            self.observe
                .key(&self.key)
                .arg(admitted)
                .arg(reading.remaining.min(MAX_REMAINING))
                .arg(reading.reset_ms)
                .invoke::<i64>(c)
        });
    }
}
