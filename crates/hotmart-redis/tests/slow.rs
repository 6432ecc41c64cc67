//! A slow (not dead) Redis, and the fetch lock while Redis is taken for down. Each test prints
//! its figure.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hotmart::Client;
use hotmart::store::{StoredToken, TokenKey, TokenStore};
use hotmart_mock::MockServer;
use hotmart_redis::Redis;
use support::{ME, RedisServer, capture_log, logged, on_redis};

/// A TCP proxy on loopback to the `upstream` port that holds every chunk from the server for
/// `delay` before passing it on.
fn slow_proxy(upstream: u16, delay: Duration) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                continue;
            };
            let (mut to_client, mut to_server) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            thread::spawn(move || {
                let mut buf = [0u8; 65536];
                while let Ok(n) = client.read(&mut buf) {
                    if n == 0 || to_server.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
            thread::spawn(move || {
                let mut buf = [0u8; 65536];
                while let Ok(n) = server.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    thread::sleep(delay);
                    if to_client.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

/// Redis answering each command 200 ms late (within its 500 ms command timeout), 16 threads
/// calling at once through one client whose calls have 2 s each. Before, every command held
/// the link's mutex through its whole answer and the others queued for it unbounded: calls
/// took up to 5 s and 7 of 16 failed (their call timeout). Now a command that cannot have
/// the connection and its answer within the command timeout does without Redis (the
/// in-process budget), said once in the log.
#[test]
fn a_slow_redis_holds_no_call_past_its_timeout() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    capture_log(log::LevelFilter::Warn);
    let proxy = slow_proxy(redis.port, Duration::from_millis(200));
    let url = format!("redis://127.0.0.1:{proxy}/0");
    let server = MockServer::start().unwrap();
    let builder = Client::builder(server.environment(), server.credentials())
        .call_timeout(Duration::from_secs(2));
    let client = on_redis(builder, &url).build().unwrap();
    // The cold path takes many slow round trips (and may find Redis taken for down): it is
    // not what is measured.
    let started = Instant::now();
    let token = (0..3).find_map(|_| client.access_token().ok());
    eprintln!("slow Redis: the token in {:?}", started.elapsed());
    assert!(token.is_some(), "no token");
    // Until a call alone runs both budget scripts in Redis (they are loaded then); each try,
    // and the burst, past any second Redis is taken for down.
    let mut c = connection(&redis);
    for _ in 0..4 {
        thread::sleep(Duration::from_millis(1_100));
        let (before, started) = (calls(&mut c, "evalsha"), Instant::now());
        client.get(ME).send().unwrap();
        eprintln!("slow Redis: one call alone in {:?}", started.elapsed());
        if calls(&mut c, "evalsha") >= before + 2 {
            break;
        }
    }
    thread::sleep(Duration::from_millis(1_100));
    let before = calls(&mut c, "evalsha");
    let answers: Vec<(bool, Duration)> = thread::scope(|s| {
        let threads: Vec<_> = (0..16)
            .map(|_| {
                s.spawn(|| {
                    let started = Instant::now();
                    let res = client.get(ME).send();
                    if let Err(err) = &res {
                        eprintln!("slow Redis: a call failed: {err}");
                    }
                    (res.is_ok(), started.elapsed())
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let scripts = calls(&mut c, "evalsha") - before;
    let ok = answers.iter().filter(|(ok, _)| *ok).count();
    let worst = answers.iter().map(|(_, took)| *took).max().unwrap();
    let warnings = logged()
        .iter()
        .filter(|l| l.contains(&format!(":{proxy}/")) && l.contains("is slow"))
        .count();
    eprintln!(
        "slow Redis (200 ms an answer), 16 threads, call timeout 2 s: {ok} of 16 answered, the \
         slowest in {worst:?}; {scripts} budget script(s) run by Redis meanwhile; {warnings} \
         warning(s) about the slowness"
    );
    assert!(scripts > 0, "Redis was not asked: the test proves nothing");
    assert_eq!(ok, 16, "calls failed on a slow (not dead) Redis");
    assert!(worst < Duration::from_secs(4), "a call took {worst:?}");
    assert!(warnings <= 1, "{warnings} warnings about the slowness");
}

fn key() -> TokenKey {
    TokenKey::new("http://127.0.0.1:1", "http://127.0.0.1:2", "slow-test")
}

fn connection(redis: &RedisServer) -> redis::Connection {
    redis::Client::open(redis.url())
        .unwrap()
        .get_connection_with_timeout(Duration::from_secs(2))
        .unwrap()
}

/// How many times the server has run `command` (lower case) so far without failing.
fn calls(c: &mut redis::Connection, command: &str) -> u64 {
    let info: String = redis::cmd("INFO").arg("commandstats").query(c).unwrap();
    let prefix = format!("cmdstat_{command}:");
    let Some(stats) = info.lines().find_map(|l| l.strip_prefix(prefix.as_str())) else {
        return 0;
    };
    let stat = |name: &str| -> u64 {
        stats
            .split(',')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .map_or(0, |n| n.trim().parse().unwrap())
    };
    stat("calls").saturating_sub(stat("failed_calls"))
}

/// The lock is released even while the link takes Redis for down (after a command failed):
/// before, the release was not sent then, and the lock held every other host up for its
/// whole TTL (31 s here).
#[test]
fn the_fetch_lock_is_released_while_redis_is_taken_for_down() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let mut c = connection(&redis);
    let store = Redis::new(&redis.url()).unwrap().token_store();
    let guard = store.fetch_lock(&key(), Instant::now() + Duration::from_secs(5));
    assert!(guard.is_some(), "the lock was free");
    let locks: Vec<String> = redis::cmd("KEYS")
        .arg("*:token-lock")
        .query(&mut c)
        .unwrap();
    assert_eq!(locks.len(), 1, "{locks:?}");
    // A string where the token's hash belongs: the store's HMGET fails, the link takes
    // Redis for down.
    let entry = locks[0].replace(":token-lock", ":token");
    let _: () = redis::cmd("SET")
        .arg(&entry)
        .arg("x")
        .query(&mut c)
        .unwrap();
    assert_eq!(store.load(&key()), None);
    let hmgets = calls(&mut c, "hmget");
    assert_eq!(store.load(&key()), None);
    assert_eq!(
        calls(&mut c, "hmget"),
        hmgets,
        "the link did not take Redis for down"
    );
    drop(guard);
    let left: u64 = redis::cmd("EXISTS").arg(&locks[0]).query(&mut c).unwrap();
    eprintln!(
        "lock released while Redis was taken for down: {}",
        left == 0
    );
    assert_eq!(left, 0, "the lock is still held");
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A waiter for the lock stops waiting once the holder has stored its token, before it lets
/// go of the lock (the caller then reads that token).
#[test]
fn a_waiter_for_the_lock_stops_once_a_new_token_is_stored() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let holder = Redis::new(&redis.url()).unwrap().token_store();
    let guard = holder.fetch_lock(&key(), Instant::now() + Duration::from_secs(5));
    assert!(guard.is_some(), "the lock was free");
    let waiting = Instant::now();
    let waited = thread::scope(|s| {
        let waiter = s.spawn(|| {
            let other = Redis::new(&redis.url()).unwrap().token_store();
            let guard = other.fetch_lock(&key(), Instant::now() + Duration::from_secs(10));
            (guard.is_some(), waiting.elapsed())
        });
        thread::sleep(Duration::from_millis(300));
        let token = StoredToken::new("tok-new", now_ms(), now_ms() + 3_600_000);
        assert!(holder.compare_and_store(&key(), None, &token));
        waiter.join().unwrap()
    });
    eprintln!(
        "a waiter for a held lock, the token stored 300 ms in: it stopped after {:?}",
        waited.1
    );
    assert!(!waited.0, "the waiter took a lock still held");
    assert!(
        waited.1 < Duration::from_secs(5),
        "it waited {:?}",
        waited.1
    );
    let mut c = connection(&redis);
    let locks: Vec<String> = redis::cmd("KEYS")
        .arg("*:token-lock")
        .query(&mut c)
        .unwrap();
    assert_eq!(
        locks.len(),
        1,
        "the holder's lock is still there: {locks:?}"
    );
    drop(guard);
}
