//! Webhook deduplication on a real `redis-server`: one first time per event id for threads
//! and processes racing, across a restart of the client, for the retention and no longer;
//! and with Redis down, every delivery a first time, at once.
#![cfg(feature = "webhook")]

mod support;

use std::io::ErrorKind;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use hotmart::webhook::{DEFAULT_RETENTION, Dedup, DedupStore};
use hotmart_redis::Redis;
use support::{FakeRedis, RedisServer, drain};

const IDS: usize = 100;

fn event(n: usize) -> String {
    format!("4f9a1c2e-race-{n}")
}

fn connection(server: &RedisServer) -> redis::Connection {
    redis::Client::open(server.url())
        .unwrap()
        .get_connection_with_timeout(Duration::from_secs(2))
        .unwrap()
}

#[test]
fn redeliveries_are_recognised_under_digested_keys() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let redis = Redis::new(&server.url()).unwrap();
    let dedup = redis.dedup();
    assert!(dedup.first_time("e1-raw-id").unwrap());
    assert!(!dedup.first_time("e1-raw-id").unwrap());
    assert!(dedup.first_time("e2-raw-id").unwrap());
    dedup.forget("e1-raw-id").unwrap();
    dedup.forget("never-seen").unwrap();
    assert!(dedup.first_time("e1-raw-id").unwrap());
    assert!(!dedup.first_time("e1-raw-id").unwrap());

    let mut c = connection(&server);
    let mut keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut c).unwrap();
    keys.sort();
    let mut expected = vec![
        format!("hotmart:v1:{{{}}}:webhook", Dedup::key("e1-raw-id")),
        format!("hotmart:v1:{{{}}}:webhook", Dedup::key("e2-raw-id")),
    ];
    expected.sort();
    assert_eq!(keys, expected);
    assert!(keys.iter().all(|k| !k.contains("raw-id")));
    // Redis forgets them by itself: at Hotmart's 60 days.
    let ttl: i64 = redis::cmd("PTTL").arg(&keys[0]).query(&mut c).unwrap();
    let retention = i64::try_from(DEFAULT_RETENTION.as_millis()).unwrap();
    assert!(ttl > retention - 600_000 && ttl <= retention, "{ttl}");
    let usage: i64 = redis::cmd("MEMORY")
        .arg("USAGE")
        .arg(&keys[0])
        .query(&mut c)
        .unwrap();
    println!("DEDUP-FIGURE Redis memory per remembered id: {usage} bytes");

    // Namespaces keep two receivers of the same events apart.
    let shop = Dedup::new(redis.dedup_store().namespace("shop"));
    let crm = Dedup::new(redis.dedup_store().namespace("crm"));
    assert!(shop.first_time("e1-raw-id").unwrap());
    assert!(crm.first_time("e1-raw-id").unwrap());
    assert!(!shop.first_time("e1-raw-id").unwrap());
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut c).unwrap();
    assert_eq!(keys.len(), 4, "{keys:?}");
    assert!(
        keys.iter()
            .all(|k| !k.contains("shop") && !k.contains("crm"))
    );
}

#[test]
fn keys_that_are_not_digests_are_refused() {
    let redis = Redis::new("redis://127.0.0.1:1/0").unwrap();
    let store = redis.dedup_store();
    let now = SystemTime::now();
    for key in ["", "a raw id", "a:b", "{slot}", &"a".repeat(65)] {
        let err = store.insert_new(key, now, DEFAULT_RETENTION).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{key:?}");
        assert_eq!(
            store.remove(key).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }
    // Nothing is remembered for no time, and Redis is not asked.
    let key = Dedup::key("e");
    assert!(store.insert_new(&key, now, Duration::ZERO).unwrap());
}

/// `threads` threads, each with its own `Redis` (its own connection, as processes have),
/// released at once on the same ids: the number of winners of each.
fn race(url: &str, threads: usize) -> Vec<usize> {
    let winners: Arc<Vec<AtomicUsize>> = Arc::new((0..IDS).map(|_| AtomicUsize::new(0)).collect());
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let dedup = Redis::new(url).unwrap().dedup();
            let (barrier, winners) = (barrier.clone(), winners.clone());
            thread::spawn(move || {
                // Connected before the start, so that they race on the ids, not the connect.
                assert!(
                    dedup
                        .first_time(&format!("warm-{:?}", thread::current().id()))
                        .unwrap()
                );
                barrier.wait();
                for (n, winner) in winners.iter().enumerate() {
                    if dedup.first_time(&event(n)).unwrap() {
                        winner.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    handles.into_iter().for_each(|h| h.join().unwrap());
    winners.iter().map(|w| w.load(Ordering::SeqCst)).collect()
}

#[test]
fn one_of_concurrent_deliveries_wins_across_threads() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let winners = race(&server.url(), 8);
    assert!(winners.iter().all(|&n| n == 1), "{winners:?}");
    // One handle shared by threads too.
    let shared = Arc::new(Redis::new(&server.url()).unwrap().dedup());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let shared = shared.clone();
            thread::spawn(move || {
                (0..IDS)
                    .filter(|&n| shared.first_time(&format!("shared-{n}")).unwrap())
                    .count()
            })
        })
        .collect();
    let won: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(won, IDS);
}

/// Four processes started together on the same ids, then four more: each id won once in all,
/// and recognised by a client made afterwards.
#[test]
fn one_of_concurrent_processes_wins_and_ids_outlive_the_client() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let exe = std::env::current_exe().unwrap();
    let run = || {
        let start_at = SystemTime::now() + Duration::from_millis(800);
        let start_ms = start_at
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis();
        let children: Vec<_> = (0..4)
            .map(|_| {
                Command::new(&exe)
                    .args(["--exact", "dedup_child", "--nocapture", "--include-ignored"])
                    .env("DEDUP_CHILD_REDIS", server.url())
                    .env("DEDUP_CHILD_START_MS", start_ms.to_string())
                    .stdout(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut winners = vec![0usize; IDS];
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success());
            for line in String::from_utf8(out.stdout).unwrap().lines() {
                if let Some(n) = line.strip_prefix("DEDUP-WON ") {
                    winners[n.parse::<usize>().unwrap()] += 1;
                }
            }
        }
        winners
    };
    let first = run();
    assert!(first.iter().all(|&n| n == 1), "{first:?}");
    let again = run();
    assert!(again.iter().all(|&n| n == 0), "{again:?}");
    let dedup = Redis::new(&server.url()).unwrap().dedup();
    assert!((0..IDS).all(|n| !dedup.first_time(&event(n)).unwrap()));
}

#[test]
#[ignore = "run by one_of_concurrent_processes_wins_and_ids_outlive_the_client"]
fn dedup_child() {
    let Ok(url) = std::env::var("DEDUP_CHILD_REDIS") else {
        return;
    };
    let start_ms: u128 = std::env::var("DEDUP_CHILD_START_MS")
        .unwrap()
        .parse()
        .unwrap();
    let dedup = Redis::new(&url).unwrap().dedup();
    assert!(
        dedup
            .first_time(&format!("warm-{}", std::process::id()))
            .unwrap()
    );
    let now_ms = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    thread::sleep(Duration::from_millis(
        u64::try_from(start_ms.saturating_sub(now_ms)).unwrap(),
    ));
    for n in 0..IDS {
        if dedup.first_time(&event(n)).unwrap() {
            println!("DEDUP-WON {n}");
        }
    }
}

#[test]
fn a_short_retention_expires() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let dedup = Redis::new(&server.url())
        .unwrap()
        .dedup()
        .retention(Duration::from_millis(150));
    assert!(dedup.first_time("short").unwrap());
    let mut c = connection(&server);
    let key = format!("hotmart:v1:{{{}}}:webhook", Dedup::key("short"));
    // Held for the retention (however slow this machine, the key never lives longer)...
    let ttl: i64 = redis::cmd("PTTL").arg(&key).query(&mut c).unwrap();
    assert!(ttl <= 150, "{ttl}");
    // ...then forgotten by Redis: a first time again.
    let deadline = Instant::now() + Duration::from_secs(10);
    while redis::cmd("EXISTS").arg(&key).query::<i64>(&mut c).unwrap() == 1 {
        assert!(Instant::now() < deadline, "the key outlived its retention");
        thread::sleep(Duration::from_millis(20));
    }
    assert!(dedup.first_time("short").unwrap());
}

#[test]
fn with_redis_down_every_delivery_is_a_first_time_and_forgetting_fails() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let redis = Redis::new(&server.url()).unwrap();
    let dedup = redis.dedup();
    assert!(dedup.first_time("before").unwrap());
    assert!(!dedup.first_time("before").unwrap());
    server.stop();

    let started = Instant::now();
    // A redelivery of "before" too: processed again (a duplicate, never a loss).
    assert!(dedup.first_time("before").unwrap());
    assert!(dedup.first_time("during").unwrap());
    assert!(dedup.first_time("during").unwrap());
    let err = dedup.forget("before").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotConnected);
    assert!(err.to_string().contains("duplicate"), "{err}");
    let elapsed = started.elapsed();
    println!("DEDUP-FIGURE Redis refused: 3 deliveries and a forget in {elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");

    // Back: the link tries again a second after its last failure.
    assert!(server.restart());
    thread::sleep(Duration::from_millis(1_200));
    assert!(dedup.first_time("after").unwrap());
    assert!(!dedup.first_time("after").unwrap());
}

#[test]
fn with_a_redis_that_never_answers_every_delivery_is_a_first_time_within_the_timeout() {
    let fake = FakeRedis::start(|stream, stop| {
        drain(&stream);
        while !stop.load(Ordering::Relaxed) {
            thread::sleep(Duration::from_millis(50));
        }
    });
    let redis = Redis::new(&fake.url()).unwrap();
    let dedup = redis.dedup();
    let started = Instant::now();
    assert!(dedup.first_time("e").unwrap());
    let first = started.elapsed();
    assert!(dedup.first_time("e").unwrap());
    assert_eq!(
        dedup.forget("e").unwrap_err().kind(),
        ErrorKind::NotConnected
    );
    let elapsed = started.elapsed();
    println!(
        "DEDUP-FIGURE Redis silent: the first delivery in {first:?}, three calls in {elapsed:?}"
    );
    // The connect (500 ms) and command (500 ms) timeouts, with room for a loaded machine.
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert!(!format!("{dedup:?} {:?}", redis.dedup_store()).contains("pw"));
}
