//! Review findings: a hostile "Redis" (a raw TCP server on loopback that answers garbage,
//! hangs, trickles or floods), and the limits a call must keep whatever it does.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

use hotmart::Client;
use hotmart_mock::MockServer;

mod support;
use support::{FakeRedis, ME, drain, on_redis};

fn client(server: &MockServer, redis: &str) -> Client {
    let builder = Client::builder(server.environment(), server.credentials())
        .call_timeout(Duration::from_secs(5));
    on_redis(builder, redis).build().unwrap()
}

/// Three calls through a client whose Redis is `fake`: each must complete, and the three well
/// within their deadlines.
fn calls_complete_despite(fake: &FakeRedis) {
    let server = MockServer::start().unwrap();
    let client = client(&server, &fake.url());
    let started = Instant::now();
    for _ in 0..3 {
        let res = client.get(ME).send();
        assert!(res.is_ok(), "{res:?}");
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(4), "three calls took {took:?}");
}

#[test]
fn a_redis_that_answers_garbage_is_done_without() {
    let fake = FakeRedis::start(|mut stream, _| {
        drain(&stream);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\n\r\n\x00\xff garbage }{\r\n");
        thread::sleep(Duration::from_secs(2));
    });
    calls_complete_despite(&fake);
}

#[test]
fn a_redis_that_never_answers_is_done_without() {
    let fake = FakeRedis::start(|stream, stop| {
        drain(&stream);
        while !stop.load(Ordering::Relaxed) {
            thread::sleep(Duration::from_millis(50));
        }
    });
    calls_complete_despite(&fake);
}

#[test]
fn a_redis_that_floods_is_done_without() {
    // A bulk string announced as 2 GB, then bytes as fast as the client takes them.
    let fake = FakeRedis::start(|mut stream, stop| {
        drain(&stream);
        let _ = stream.write_all(b"$2000000000\r\n");
        let chunk = vec![b'a'; 64 * 1024];
        while !stop.load(Ordering::Relaxed) && stream.write_all(&chunk).is_ok() {}
    });
    calls_complete_despite(&fake);
}

#[test]
fn a_redis_that_trickles_is_done_without() {
    // An answer that never ends, one byte at a time, each within the read timeout.
    let fake = FakeRedis::start(|mut stream, stop| {
        drain(&stream);
        let _ = stream.write_all(b"+");
        while !stop.load(Ordering::Relaxed) && stream.write_all(b"O").is_ok() {
            thread::sleep(Duration::from_millis(100));
        }
    });
    calls_complete_despite(&fake);
}

#[test]
fn a_redis_that_sends_endless_nested_arrays_is_done_without() {
    let fake = FakeRedis::start(|mut stream, stop| {
        drain(&stream);
        let chunk = b"*1\r\n".repeat(16 * 1024);
        while !stop.load(Ordering::Relaxed) && stream.write_all(&chunk).is_ok() {}
    });
    calls_complete_despite(&fake);
}

/// AUTH (with a user, too) and SELECT: the budget's key lands in the database the URL names,
/// on a server that wants a password.
#[test]
fn a_password_and_a_database_in_the_url_are_used() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--requirepass", "pw-1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        assert!(std::env::var_os("CI").is_none(), "redis-server is missing");
        eprintln!("SKIPPED: redis-server is not installed");
        return;
    };
    let keys = |db: &str| -> Vec<u8> {
        let out = std::process::Command::new("redis-cli")
            .args([
                "-p",
                &port.to_string(),
                "-a",
                "pw-1",
                "--no-auth-warning",
                "-n",
                db,
            ])
            .args(["--scan"])
            .output();
        out.map(|o| o.stdout).unwrap_or_default()
    };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(10));
        thread::sleep(Duration::from_millis(20));
    }
    let server = MockServer::start().unwrap();
    for url in [
        format!("redis://:pw-1@127.0.0.1:{port}/3"),
        format!("redis://default:pw-1@127.0.0.1:{port}/4"),
    ] {
        let client = client(&server, &url);
        client.get(ME).send().unwrap();
        client.get(ME).send().unwrap();
    }
    let (three, four) = (keys("3"), keys("4"));
    let _ = child.kill();
    let _ = child.wait();
    if std::process::Command::new("redis-cli")
        .arg("-v")
        .output()
        .is_err()
    {
        return;
    }
    assert!(
        String::from_utf8_lossy(&three).contains("hotmart:v1:"),
        "{three:?}"
    );
    assert!(
        String::from_utf8_lossy(&four).contains("hotmart:v1:"),
        "{four:?}"
    );
}

/// A Redis (or anything that writes to it) holding a token no header can carry: it must not
/// be handed out, or every call would fail until it expires. Answers each command with the
/// same poisoned HMGET reply.
#[test]
fn a_token_from_redis_that_no_header_can_carry_is_not_used() {
    let fake = FakeRedis::start(|mut stream, stop| {
        let mut buf = [0u8; 4096];
        let reply = b"*3\r\n$10\r\nbad\r\ntoken\r\n$1\r\n0\r\n$14\r\n99999999999999\r\n";
        while !stop.load(Ordering::Relaxed) {
            match stream.read(&mut buf) {
                Ok(n) if n > 0 => {
                    if stream.write_all(reply).is_err() {
                        return;
                    }
                }
                _ => return,
            }
        }
    });
    let server = MockServer::start().unwrap();
    let client = client(&server, &fake.url());
    for _ in 0..3 {
        let res = client.get(ME).send();
        assert!(res.is_ok(), "{res:?}");
    }
    assert!(server.token_request_count() >= 1);
}
