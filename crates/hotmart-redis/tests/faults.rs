//! Redis under faults (issue 17): a server clock set back, and a fetch lock whose last poll
//! the server is slow to answer. Each test prints its figure.

mod support;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use hotmart::Client;
use hotmart::store::{TokenKey, TokenStore};
use hotmart_mock::MockServer;
use hotmart_redis::Redis;
use support::{FakeRedis, ME, RedisServer, on_redis, read_command};

/// A Redis whose clock was set back an hour holds a spent window whose reset lies an hour
/// ahead (written while the clock ran ahead). The client believes no reset past `MAX_RESET`
/// (120 s), and the script now forgets such a window: the call goes at once. Before, the
/// script refused until its stored reset passed, so every call failed at once for the whole
/// hour ("resets in 120.0 s", 0 requests): this test failed with `RateBudgetSpent`.
#[test]
fn a_redis_clock_set_back_an_hour_does_not_refuse_calls_for_the_hour() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let server = MockServer::builder()
        .rate_limit(1_000, Duration::from_secs(60))
        .start()
        .unwrap();
    let build = || {
        let builder = Client::builder(server.environment(), server.credentials())
            .call_timeout(Duration::from_secs(3));
        on_redis(builder, &redis.url()).build().unwrap()
    };
    // One call: the window it learned is in Redis.
    build().get(ME).send().unwrap();
    let mut c = redis::Client::open(redis.url())
        .unwrap()
        .get_connection_with_timeout(Duration::from_secs(2))
        .unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("hotmart:v1:*:budget")
        .query(&mut c)
        .unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    let (secs, micros): (u64, u64) = redis::cmd("TIME").query(&mut c).unwrap();
    let now_ms = secs * 1_000 + micros / 1_000;
    let hour = 3_600_000;
    let _: () = redis::cmd("HSET")
        .arg(&keys[0])
        .arg(&["remaining", "0"])
        .arg("reset")
        .arg(now_ms + hour)
        .arg("start")
        .arg(now_ms + hour - 60_000)
        .query(&mut c)
        .unwrap();

    let before = server.api_request_count();
    let client = build();
    client.access_token().unwrap();
    let started = Instant::now();
    let call = client.get(ME).send();
    let took = started.elapsed();
    let requests = server.api_request_count() - before;
    eprintln!(
        "a window reset an hour ahead of the Redis clock: the call {} in {took:?} after {requests} \
         request(s)",
        if call.is_ok() { "answered" } else { "failed" }
    );
    call.expect("the call goes: a reset an hour ahead is not believed");
    assert_eq!(requests, 1);
    // What Redis holds now is a window the client believes.
    let reset: u64 = redis::cmd("HGET")
        .arg(&keys[0])
        .arg("reset")
        .query(&mut c)
        .unwrap();
    assert!(reset <= now_ms + 130_000, "reset {reset}, now {now_ms}");
}

/// The fetch lock is held by another process, and the server is slow (450 ms, within its
/// command timeout) to answer the polls sent in the last 50 ms before the caller's deadline.
/// The wait now ends by the deadline: the poll's answer is not waited for past it. Before,
/// the last poll's answer was (about 450 ms late): this test failed on the overshoot.
#[test]
fn the_wait_for_a_held_lock_ends_by_the_callers_deadline() {
    let deadline = Instant::now() + Duration::from_millis(1_200);
    let polls = Arc::new(AtomicUsize::new(0));
    let late = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let (seen, seen_late) = (Arc::clone(&polls), Arc::clone(&late));
    let fake = FakeRedis::start(move |mut stream, stop| {
        while !stop.load(Ordering::Relaxed) {
            let Some(command) = read_command(&mut stream) else {
                return;
            };
            let reply: &[u8] = if command[0].eq_ignore_ascii_case("SET") {
                seen.fetch_add(1, Ordering::Relaxed);
                let now = Instant::now();
                if now + Duration::from_millis(50) >= deadline {
                    seen_late.lock().unwrap().push(now);
                    thread::sleep(Duration::from_millis(450));
                }
                b"$-1\r\n" // not set: another process holds the lock
            } else {
                b"+OK\r\n"
            };
            if stream.write_all(reply).is_err() {
                return;
            }
        }
    });
    let url = format!("redis://127.0.0.1:{}/0", fake.port);
    let store = Redis::new(&url).unwrap().token_store();
    let key = TokenKey::new("http://127.0.0.1:1", "http://127.0.0.1:1", "id");
    let started = Instant::now();
    let guard = store.fetch_lock(&key, deadline);
    let ended = Instant::now();
    let overshoot = ended.saturating_duration_since(deadline);
    eprintln!(
        "held lock, slow last poll: waited {:?} for a deadline {:?} away (overshoot {overshoot:?}), \
         {} polls, {} of them slow",
        ended - started,
        deadline - started,
        polls.load(Ordering::Relaxed),
        late.lock().unwrap().len()
    );
    assert!(guard.is_none(), "the lock was never free");
    assert!(
        !late.lock().unwrap().is_empty(),
        "no poll reached the slow window: the test proves nothing"
    );
    assert!(
        overshoot < Duration::from_millis(200),
        "the wait ended {overshoot:?} past the deadline"
    );
}
