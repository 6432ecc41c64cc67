//! Many processes sharing Redis (feature `redis`), against a real `redis-server` started here
//! on a free loopback port, and the local Hotmart.
//!
//! The processes are this test binary run again: the `worker` test does its part only when
//! `HOTMART_FLEET_WORKER` says what to do, and prints one result line.
//!
//! Without `redis-server` on the PATH these tests say so and pass, except under CI (`CI` set),
//! where `.ci/run` installs it and its absence is a failure.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use hotmart::mock::{CLIENT_ID, CLIENT_SECRET, MockServer};
use hotmart::{Client, Credentials, Environment};

const ME: &str = "/user/api/v1/me";

/// A `redis-server` child process on a free loopback port, killed on drop.
struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// `None` (with a message) when `redis-server` is not installed, outside CI.
    fn start() -> Option<RedisServer> {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let mut server = RedisServer { port, child: None };
        if !server.restart() {
            assert!(
                std::env::var_os("CI").is_none(),
                "redis-server is missing: .ci/run installs it (Debian package redis-server)"
            );
            eprintln!(
                "SKIPPED: redis-server is not installed (Debian: apt-get install redis-server)"
            );
            return None;
        }
        Some(server)
    }

    /// Starts the server (again) on its port; false if the binary is missing.
    fn restart(&mut self) -> bool {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--loglevel", "warning"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(child) = child else { return false };
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.ping() {
                return true;
            }
            thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not answer on port {}", self.port);
    }

    fn ping(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        stream.set_read_timeout(Some(Duration::from_secs(1))).ok();
        let mut reply = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn client(api: &str, redis: &str) -> Client {
    let env = Environment::Custom {
        auth_url: api.to_owned(),
        api_url: api.to_owned(),
    };
    Client::builder(env, Credentials::new(CLIENT_ID, CLIENT_SECRET))
        .timeout(Duration::from_secs(10))
        .call_timeout(Duration::from_secs(20))
        .redis(redis)
        .build()
        .unwrap()
}

/// Runs `n` copies of this binary's `worker` test, doing `role`, and returns their result
/// lines.
fn run_workers(n: usize, role: &str, envs: &[(&str, String)]) -> Vec<String> {
    let exe = std::env::current_exe().unwrap();
    let children: Vec<Child> = (0..n)
        .map(|i| {
            let mut command = Command::new(&exe);
            command
                .args(["--exact", "worker", "--nocapture", "--test-threads=1"])
                .env("HOTMART_FLEET_WORKER", role)
                .env("HOTMART_FLEET_INDEX", i.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            for (name, value) in envs {
                command.env(name, value);
            }
            command.spawn().unwrap()
        })
        .collect();
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
            let client = Client::builder(env, Credentials::new(CLIENT_ID, CLIENT_SECRET))
                .redis(var("HOTMART_FLEET_REDIS"))
                .build()
                .unwrap();
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
    let (calls, window) = (60u64, Duration::from_secs(3));
    let server = MockServer::builder()
        .rate_limit(calls as u32, window)
        .start()
        .unwrap();
    // One token for all, fetched first, so the run measures the budget alone.
    let warm = client(&server.url(), &redis.url());
    warm.access_token().unwrap();
    server.set_rate_limit(calls as u32, window);
    server.clear_requests();
    // Two windows from now, less a little: the calls of a third window are not counted.
    let stop_ms = wall_ms() + 2 * window.as_millis() as u64 - 50;
    let started = Instant::now();
    let results = run_workers(
        8,
        "hammer",
        &[
            ("HOTMART_FLEET_API", server.url()),
            ("HOTMART_FLEET_REDIS", redis.url()),
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
        "8 processes, {calls} calls per {window:?}, {elapsed:?}: {ok} calls answered in the run ({late} more after its end), \
         {refused} refused with 429 on the wire (retried), {failed} failed; {results:?}"
    );
    assert_eq!(failed, 0, "no error (no 429) reaches a caller");
    let budget = 2 * calls;
    assert!(ok <= budget, "{ok} calls answered: more than two windows");
    assert!(ok * 10 >= budget * 9, "{ok} calls for a budget of {budget}");
    assert!(
        refused <= 16,
        "{refused} requests sent into a spent window: the budget is not shared"
    );
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
    let client = client(&server.url(), &redis.url());
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
    let mut stream = TcpStream::connect(("127.0.0.1", redis.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    stream.write_all(b"DBSIZE\r\n").unwrap();
    let mut reply = [0u8; 16];
    let n = stream.read(&mut reply).unwrap();
    let reply = String::from_utf8_lossy(&reply[..n]);
    assert_eq!(reply.trim(), ":1", "the budget's key is back in Redis");
}

/// A malformed URL is refused by `build()`, and the password in a URL is never shown.
#[test]
fn redis_urls_are_checked_and_kept_secret() {
    let server = MockServer::start().unwrap();
    let builder = || Client::builder(server.environment(), server.credentials());
    let err = builder().redis("http://cache:6379").build().unwrap_err();
    assert!(matches!(
        err,
        hotmart::Error::InvalidConfig {
            setting: "redis",
            ..
        }
    ));
    let with_password = builder().redis("redis://:hunter2-secret@127.0.0.1:1/0");
    assert!(!format!("{with_password:?}").contains("hunter2"));
    let client = with_password.build().unwrap();
    assert!(!format!("{client:?}").contains("hunter2"));
    // Redis is not there: the call goes on without it.
    client.get(ME).send().unwrap();
}
