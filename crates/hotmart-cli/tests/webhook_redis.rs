//! `hotmart webhook serve --redis`: the ids of accepted events shared through Redis, so that
//! two receivers (two hosts, say) keep each event once between them. Needs `redis-server`.

#![cfg(feature = "redis")]

mod webhook_support;

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use webhook_support::{Conn, HOTTOK, Serve, TempDir, ids_in, samples, with_id};

struct RedisServer(Child, u16);

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn redis_server() -> Option<RedisServer> {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let server = RedisServer(child, port);
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(server)
}

#[test]
fn two_receivers_sharing_redis_keep_each_event_once_between_them() {
    let Some(redis) = redis_server() else {
        eprintln!("redis-server not found: skipped");
        return;
    };
    let dir = TempDir::new("redis");
    let url = format!("redis://127.0.0.1:{}/0", redis.1);
    let (one, two) = (dir.path().join("one.ndjson"), dir.path().join("two.ndjson"));
    let start = |out: &std::path::Path| {
        Serve::start(
            dir.path(),
            "127.0.0.1:0",
            &["--redis", &url, "--out", out.to_str().unwrap()],
        )
    };
    let (a, b) = (start(&one), start(&two));
    let body = with_id(&samples()[3], "redis-1");
    let mut to_a = Conn::open(a.addr).unwrap();
    let mut to_b = Conn::open(b.addr).unwrap();
    assert_eq!(
        to_a.post(Some(HOTTOK), &body).unwrap(),
        (200, "kept\n".into())
    );
    assert_eq!(
        to_b.post(Some(HOTTOK), &body).unwrap(),
        (200, "kept before\n".into())
    );
    assert_eq!(
        to_a.post(Some(HOTTOK), &body).unwrap(),
        (200, "kept before\n".into())
    );
    assert_eq!(ids_in(&one), ["redis-1"]);
    assert!(ids_in(&two).is_empty());
    assert!(
        a.stderr().contains("event ids are kept in Redis"),
        "{}",
        a.stderr()
    );
    // Nothing written to the cache directory's ids: Redis holds them.
    assert!(!dir.path().join("cache/hotmart/webhook-ids").exists());
}
