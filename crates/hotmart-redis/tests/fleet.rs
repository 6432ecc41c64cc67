//! Many processes sharing Redis, against a real `redis-server` started here on a free loopback
//! port, and the local Hotmart.
//!
//! The processes are this test binary run again: the `worker` test does its part only when
//! `HOTMART_FLEET_WORKER` says what to do, and prints one result line.
//!
//! Without `redis-server` on the PATH these tests say so and pass, except under CI (`CI` set),
//! where `.ci/run` installs it and its absence is a failure.

mod support;

use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use hotmart::store::FileStore;
use hotmart::{Client, Credentials, Environment};
use hotmart_mock::{CLIENT_ID, CLIENT_SECRET, Endpoint, Fault, MockServer};
use hotmart_redis::{ClientBuilderExt, Redis};
use support::{ME, RedisServer, on_redis};

/// Starts a copy of this binary that runs only the `worker` test, doing `role`.
fn spawn_worker(role: &str, envs: &[(&str, String)]) -> Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", "worker", "--nocapture", "--test-threads=1"])
        .env("HOTMART_FLEET_WORKER", role)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in envs {
        command.env(name, value);
    }
    command.spawn().unwrap()
}

/// Runs `n` copies of this binary's `worker` test, doing `role`, and returns their result
/// lines.
fn run_workers(n: usize, role: &str, envs: &[(&str, String)]) -> Vec<String> {
    let children: Vec<Child> = (0..n).map(|_| spawn_worker(role, envs)).collect();
    collect(children)
}

fn collect(children: Vec<Child>) -> Vec<String> {
    children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let errors = String::from_utf8_lossy(&out.stderr);
            if !errors.trim().is_empty() {
                eprintln!("a worker's stderr: {}", errors.trim());
            }
            text.lines()
                .find_map(|l| Some(&l[l.find("FLEET-RESULT ")? + 13..]))
                .unwrap_or_else(|| panic!("a worker printed no result: {text}"))
                .to_owned()
        })
        .collect()
}

fn wall_ms() -> u64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    since.as_millis() as u64
}

fn field(line: &str, name: &str) -> u64 {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {line}"))
}

/// The child processes' side. Does nothing in a normal test run.
#[test]
fn worker() {
    let Ok(role) = std::env::var("HOTMART_FLEET_WORKER") else {
        return;
    };
    let var = |name: &str| std::env::var(name).unwrap();
    match role.as_str() {
        // Calls the API as fast as the budget lets it, for a while; counts what it got.
        "hammer" => {
            // Until a wall-clock time shared by all workers; no call may run past it.
            let stop_ms: u64 = var("HOTMART_FLEET_STOP_MS").parse().unwrap();
            let until = Instant::now() + Duration::from_millis(stop_ms.saturating_sub(wall_ms()));
            let env = Environment::Custom {
                auth_url: var("HOTMART_FLEET_API"),
                api_url: var("HOTMART_FLEET_API"),
            };
            let mut builder = Client::builder(env, Credentials::new(CLIENT_ID, CLIENT_SECRET));
            // Empty: each process on its own budget, for comparison.
            let redis = var("HOTMART_FLEET_REDIS");
            if !redis.is_empty() {
                builder = on_redis(builder, &redis);
            }
            let client = builder.build().unwrap();
            let (mut ok, mut failed) = (0u64, 0u64);
            let mut slowest = Duration::ZERO;
            let mut late = 0u64;
            while Instant::now() < until {
                let started = Instant::now();
                match client.get(ME).send() {
                    // Counted if answered within the run: a call that waited for the next
                    // window, past the end, is not.
                    Ok(_) if wall_ms() <= stop_ms => ok += 1,
                    Ok(_) => late += 1,
                    Err(err) => {
                        eprintln!("{err}");
                        failed += 1;
                    }
                }
                slowest = slowest.max(started.elapsed());
            }
            println!(
                "FLEET-RESULT ok={ok} late={late} failed={failed} slowest_ms={}",
                slowest.as_millis()
            );
        }
        // Starts at a wall-clock time shared by all, gets a token and makes a call, with a file
        // store of its own host behind the shared Redis (the store and the budget made apart,
        // as the command does).
        "token" => {
            let start_ms: u64 = var("HOTMART_FLEET_START_MS").parse().unwrap();
            let env = Environment::Custom {
                auth_url: var("HOTMART_FLEET_API"),
                api_url: var("HOTMART_FLEET_API"),
            };
            let redis = Redis::new(&var("HOTMART_FLEET_REDIS")).unwrap();
            let client = Client::builder(env, Credentials::new(CLIENT_ID, CLIENT_SECRET))
                .token_store(
                    redis
                        .token_store()
                        .fallback(FileStore::new(var("HOTMART_FLEET_CACHE"))),
                )
                .redis_budget(&redis)
                .build()
                .unwrap();
            thread::sleep(Duration::from_millis(start_ms.saturating_sub(wall_ms())));
            let started = Instant::now();
            let token = client.access_token();
            let call = client.get(ME).send();
            println!(
                "FLEET-RESULT token={} call={} ms={}",
                u8::from(token.is_ok()),
                u8::from(call.is_ok()),
                started.elapsed().as_millis()
            );
        }
        // Takes the token lock and asks for a token that the local Hotmart is slow to give:
        // the test kills it while it holds the lock.
        "hold" => {
            let env = Environment::Custom {
                auth_url: var("HOTMART_FLEET_API"),
                api_url: var("HOTMART_FLEET_API"),
            };
            let builder = Client::builder(env, Credentials::new(CLIENT_ID, CLIENT_SECRET))
                .timeout(Duration::from_secs(2));
            let client = on_redis(builder, &var("HOTMART_FLEET_REDIS"))
                .build()
                .unwrap();
            let _ = client.access_token();
            println!("FLEET-RESULT was_not_killed=1");
        }
        // Builds a client from HOTMART_REDIS_URL and says how it went.
        "env" => {
            let server_url = var("HOTMART_FLEET_API");
            let env = Environment::Custom {
                auth_url: server_url.clone(),
                api_url: server_url,
            };
            let built = Redis::from_env().and_then(|redis| {
                let redis = redis.expect("HOTMART_REDIS_URL is set");
                Client::builder(env, Credentials::new(CLIENT_ID, CLIENT_SECRET))
                    .redis(&redis)
                    .build()
            });
            let outcome = match &built {
                Ok(client) => u8::from(client.get(ME).send().is_ok()),
                Err(hotmart::Error::InvalidEnv {
                    variable: "HOTMART_REDIS_URL",
                    ..
                }) => 2,
                Err(_) => 3,
            };
            let shown = built
                .err()
                .map(|e| format!("{e} {e:?}"))
                .unwrap_or_default();
            println!(
                "FLEET-RESULT outcome={outcome} leaked={}",
                u8::from(shown.contains("pw-5531"))
            );
        }
        other => panic!("unknown worker role {other}"),
    }
}

/// 8 processes against a budget of 60 calls per 3 s window, for two windows: no 429 reaches a
/// caller, and together they get within 10 % of what the windows allow.
#[test]
fn eight_processes_share_one_budget() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let run = hammer(8, Some(&redis));
    assert_eq!(run.failed, 0, "no error (no 429) reaches a caller");
    assert!(
        run.ok <= run.budget,
        "{} calls answered: more than two windows",
        run.ok
    );
    assert!(
        run.ok * 10 >= run.budget * 9,
        "{} calls for a budget of {}",
        run.ok,
        run.budget
    );
    assert!(
        run.refused <= 16,
        "{} requests sent into a spent window: the budget is not shared",
        run.refused
    );
}

/// The same without Redis, for the README's comparison: each process learns the window alone.
/// `cargo test -p hotmart-redis --test fleet -- --ignored --nocapture`
#[test]
#[ignore = "a measurement, not a check"]
fn eight_processes_without_redis() {
    let run = hammer(8, None);
    eprintln!(
        "without Redis: {} answered, {} refused, {} failed",
        run.ok, run.refused, run.failed
    );
}

struct Hammered {
    ok: u64,
    failed: u64,
    refused: u64,
    budget: u64,
}

/// `n` processes call the local Hotmart (60 calls per 3 s) as fast as their budget lets them,
/// for two windows.
fn hammer(n: usize, redis: Option<&RedisServer>) -> Hammered {
    let (calls, window) = (60u64, Duration::from_secs(3));
    let server = MockServer::builder()
        .rate_limit(calls as u32, window)
        .start()
        .unwrap();
    let redis_url = redis.map(RedisServer::url).unwrap_or_default();
    if redis.is_some() {
        // One token for all, fetched first, so the run measures the budget alone.
        let warm = support::client(&server, &redis_url);
        warm.access_token().unwrap();
    }
    server.set_rate_limit(calls as u32, window);
    server.clear_requests();
    // Two windows from now, less a little: the calls of a third window are not counted.
    let stop_ms = wall_ms() + 2 * window.as_millis() as u64 - 50;
    let started = Instant::now();
    let results = run_workers(
        n,
        "hammer",
        &[
            ("HOTMART_FLEET_API", server.url()),
            ("HOTMART_FLEET_REDIS", redis_url),
            ("HOTMART_FLEET_STOP_MS", stop_ms.to_string()),
        ],
    );
    let elapsed = started.elapsed();
    let ok: u64 = results.iter().map(|r| field(r, "ok")).sum();
    let failed: u64 = results.iter().map(|r| field(r, "failed")).sum();
    let late: u64 = results.iter().map(|r| field(r, "late")).sum();
    let sent = server.api_request_count() as u64;
    let refused = sent.saturating_sub(ok + late);
    eprintln!(
        "{n} processes, {calls} calls per {window:?}, {elapsed:?}: {ok} calls answered in the \
         run ({late} more after its end), {refused} refused with 429 on the wire (retried), \
         {failed} failed; {results:?}"
    );
    Hammered {
        ok,
        failed,
        refused,
        budget: 2 * calls,
    }
}

/// Redis killed in the middle of a run: every call still completes, well within its deadline,
/// on this process's own budget; once Redis is back, the shared budget is used again.
#[test]
fn calls_complete_while_redis_is_down() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    // A budget this test cannot spend: it is about Redis, not the window.
    let server = MockServer::builder()
        .rate_limit(1_000_000, Duration::from_secs(60))
        .start()
        .unwrap();
    let client = support::client(&server, &redis.url());
    let mut slowest = Duration::ZERO;
    let mut calls = 0;
    let run = |client: &Client, slowest: &mut Duration, calls: &mut u32, for_: Duration| {
        let until = Instant::now() + for_;
        while Instant::now() < until {
            let started = Instant::now();
            client.get(ME).send().expect("every call completes");
            *slowest = (*slowest).max(started.elapsed());
            *calls += 1;
        }
    };
    run(
        &client,
        &mut slowest,
        &mut calls,
        Duration::from_millis(300),
    );
    redis.stop();
    let down_started = Instant::now();
    run(
        &client,
        &mut slowest,
        &mut calls,
        Duration::from_millis(1500),
    );
    let down_for = down_started.elapsed();
    assert!(redis.restart());
    // Redis is tried again a second after the last failure.
    run(
        &client,
        &mut slowest,
        &mut calls,
        Duration::from_millis(1500),
    );
    eprintln!("{calls} calls, the slowest {slowest:?}, Redis down for {down_for:?}");
    assert!(
        slowest < Duration::from_secs(2),
        "a call took {slowest:?} while Redis was down"
    );
    // The shared window lives in Redis again: the answers' headers were stored there.
    assert_eq!(
        redis.command("DBSIZE"),
        ":1",
        "the budget's key is back in Redis"
    );
}

/// A malformed URL is refused by `Redis::new`, and the password in a URL is never shown.
#[test]
fn redis_urls_are_checked_and_kept_secret() {
    let server = MockServer::start().unwrap();
    let builder = || Client::builder(server.environment(), server.credentials());
    let err = Redis::new("http://cache:6379").unwrap_err();
    assert!(matches!(
        err,
        hotmart::Error::InvalidConfig {
            setting: "redis",
            ..
        }
    ));
    let redis = Redis::new("redis://:hunter2-secret@127.0.0.1:1/0").unwrap();
    assert!(!format!("{redis:?}").contains("hunter2"));
    let with_password = builder().redis(&redis);
    assert!(!format!("{with_password:?}").contains("hunter2"));
    let client = with_password.build().unwrap();
    assert!(!format!("{client:?}").contains("hunter2"));
    // Redis is not there: the call goes on without it.
    client.get(ME).send().unwrap();
}

/// 2 hosts of 4 processes each, every host with its own file store, all sharing Redis, started
/// together against the local Hotmart: one token request in all.
#[test]
fn two_hosts_of_four_processes_fetch_one_token() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let server = MockServer::start().unwrap();
    let hosts = [
        support::TempDir::new("fleet-a"),
        support::TempDir::new("fleet-b"),
    ];
    // Far enough ahead that all eight are up and waiting.
    let start_ms = wall_ms() + 1_500;
    let children: Vec<Child> = (0..8)
        .map(|i| {
            let cache = hosts[i % 2].path().join("cache");
            spawn_worker(
                "token",
                &[
                    ("HOTMART_FLEET_API", server.url()),
                    ("HOTMART_FLEET_REDIS", redis.url()),
                    ("HOTMART_FLEET_CACHE", cache.display().to_string()),
                    ("HOTMART_FLEET_START_MS", start_ms.to_string()),
                ],
            )
        })
        .collect();
    let results = collect(children);
    eprintln!("2 hosts x 4 processes: {results:?}");
    for result in &results {
        assert_eq!(field(result, "token"), 1, "{result}");
        assert_eq!(field(result, "call"), 1, "{result}");
    }
    assert_eq!(
        server.token_request_count(),
        1,
        "one token request for the fleet"
    );
    // Each host's file store holds it too, for when Redis is away.
    for host in &hosts {
        let files = std::fs::read_dir(host.path().join("cache"))
            .unwrap()
            .count();
        assert!(files >= 1, "the file store of a host is warm");
    }
}

/// The process holding the token lock dies: the next process's fetch goes ahead once the lock
/// expires (its time to live is the request timeout plus a second), not later, and not never.
#[test]
fn a_dead_lock_owner_holds_up_the_next_fetch_only_until_the_lock_expires() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let server = MockServer::start().unwrap();
    server.fail_next(Endpoint::Token, 1, Fault::Delay(Duration::from_secs(30)));
    let mut holder = spawn_worker(
        "hold",
        &[
            ("HOTMART_FLEET_API", server.url()),
            ("HOTMART_FLEET_REDIS", redis.url()),
        ],
    );
    // It sends its token request only once it holds the lock.
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.token_request_count() == 0 {
        assert!(
            Instant::now() < deadline,
            "the holder never asked for a token"
        );
        thread::sleep(Duration::from_millis(5));
    }
    let locked_at = Instant::now();
    holder.kill().unwrap();
    holder.wait().unwrap();

    let env = server.environment();
    let builder = Client::builder(env, server.credentials()).timeout(Duration::from_secs(2));
    let client = on_redis(builder, &redis.url()).build().unwrap();
    client.access_token().expect("the fetch proceeds");
    let waited = locked_at.elapsed();
    eprintln!("the next fetch went ahead {waited:?} after the owner took the lock (TTL 3 s)");
    // The lock lives 3 s (2 s timeout + 1 s).
    assert!(waited >= Duration::from_millis(2_500), "{waited:?}");
    assert!(waited < Duration::from_millis(4_500), "{waited:?}");
    assert_eq!(server.token_request_count(), 2);
}

/// `HOTMART_REDIS_URL`: used when set; a malformed value is `InvalidEnv` naming it, without
/// the password.
#[test]
fn the_redis_url_comes_from_the_environment() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let server = MockServer::start().unwrap();
    let api = ("HOTMART_FLEET_API", server.url());
    let good = collect(vec![spawn_worker(
        "env",
        &[api.clone(), ("HOTMART_REDIS_URL", redis.url())],
    )]);
    assert_eq!(field(&good[0], "outcome"), 1, "{good:?}");
    let bad = collect(vec![spawn_worker(
        "env",
        &[
            api,
            ("HOTMART_REDIS_URL", "redis://:pw-5531@host:port".into()),
        ],
    )]);
    assert_eq!(field(&bad[0], "outcome"), 2, "{bad:?}");
    assert_eq!(field(&bad[0], "leaked"), 0, "{bad:?}");
    // The shared budget's window is in Redis: the one call's answer was stored there.
    assert_eq!(redis.command("DBSIZE"), ":2", "the budget and the token");
}

/// A token the API rejects is removed from Redis too: the next process fetches a new one
/// rather than reading the dead one.
#[test]
fn a_rejected_token_is_removed_from_redis() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let server = MockServer::start().unwrap();
    let first = support::client(&server, &redis.url());
    let old = first.access_token().unwrap();
    server.revoke_tokens();
    // 401, the token is invalidated (in memory and in Redis), a new one is fetched.
    first.get(ME).send().unwrap();
    assert_eq!(server.token_request_count(), 2);
    let second = support::client(&server, &redis.url());
    let token = second.access_token().unwrap();
    assert_ne!(token.secret(), old.secret());
    assert_eq!(
        Some(token.secret()),
        first.cached_token().as_ref().map(|t| t.secret()),
        "the new token, from Redis"
    );
    assert_eq!(server.token_request_count(), 2);
}

/// `rediss://` (feature `tls`): TLS to Redis, the server's certificate checked against the
/// roots given to `Redis::root_certificates_pem` (else the platform's). A client that does not
/// trust the certificate does without Redis, and its calls still work.
#[cfg(feature = "tls")]
#[test]
fn redis_over_tls() {
    let dir = support::TempDir::new("redis-tls");
    let ca = support::TestCa::new(&["localhost"]);
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let tls_port = support::free_port();
    let Some(redis) = RedisServer::start_with(vec![
        "--tls-port".into(),
        tls_port.to_string(),
        "--tls-cert-file".into(),
        file("redis.crt", &ca.cert_pem),
        "--tls-key-file".into(),
        file("redis.key", &ca.key_pem),
        "--tls-ca-cert-file".into(),
        file("ca.crt", &ca.ca_pem),
        "--tls-auth-clients".into(),
        "no".into(),
    ]) else {
        return;
    };
    let server = MockServer::start().unwrap();
    let url = format!("rediss://localhost:{tls_port}/0");
    let trusted = Redis::new(&url)
        .unwrap()
        .root_certificates_pem(&ca.ca_pem)
        .unwrap();
    let trusting = || {
        Client::builder(server.environment(), server.credentials())
            .redis(&trusted)
            .build()
            .unwrap()
    };
    let first = trusting().access_token().unwrap();
    let second = trusting().access_token().unwrap();
    assert_eq!(
        first.secret(),
        second.secret(),
        "one token, through Redis over TLS"
    );
    assert_eq!(server.token_request_count(), 1);
    assert_eq!(redis.command("DBSIZE"), ":1", "the token is in Redis");

    // Without the CA, the handshake is refused: this client does without Redis.
    let doubting = Client::builder(server.environment(), server.credentials())
        .redis(&Redis::new(&url).unwrap())
        .build()
        .unwrap();
    doubting.get(ME).send().unwrap();
    assert_eq!(server.token_request_count(), 2);
}
