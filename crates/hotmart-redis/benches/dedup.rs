//! What the Redis dedup store adds to each webhook delivery: one `first_time` (the id's
//! digest and one `SET NX PX` through the crate's connection) over loopback to a
//! `redis-server` started here, against the floor of one raw `PING` round trip on a plain
//! socket; and the Redis memory one remembered id takes.
//!
//! `cargo bench -p hotmart-redis --features webhook --bench dedup`

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use hotmart::webhook::Dedup;
use hotmart_redis::Redis;

#[path = "support/mod.rs"]
mod support;

use support::{Server, percentile};

const CALLS: usize = 5_000;

/// One inline command on `stream`, its answer up to `\r\n` (a bulk reply's first line only).
fn command(stream: &mut TcpStream, line: &str) -> String {
    stream.write_all(format!("{line}\r\n").as_bytes()).unwrap();
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r\n") {
        stream.read_exact(&mut byte).unwrap();
        answer.push(byte[0]);
    }
    String::from_utf8_lossy(&answer).trim().to_owned()
}

fn main() {
    let Some(mut server) = Server::start("dedup") else {
        return;
    };
    let port = server.port;
    let redis = Redis::new(&server.url()).unwrap();
    let dedup = Dedup::new(redis.dedup_store()).retention(Duration::from_secs(600));
    // Connect.
    for n in 0..100 {
        assert!(dedup.first_time(&format!("warm-{n}")).unwrap());
        server.ping();
    }
    let (mut ours, mut redelivered, mut one) = (Vec::new(), Vec::new(), Vec::new());
    for n in 0..CALLS {
        // A Hotmart event id is a UUID-like string of this length.
        let id = format!("8b1f0c3e-5d2a-4f7b-9c6e-{n:012}");
        let started = Instant::now();
        assert!(dedup.first_time(&id).unwrap(), "a first time, from Redis");
        ours.push(started.elapsed().as_secs_f64() * 1e6);
        let started = Instant::now();
        assert!(!dedup.first_time(&id).unwrap(), "a redelivery, from Redis");
        redelivered.push(started.elapsed().as_secs_f64() * 1e6);
        let started = Instant::now();
        server.ping();
        one.push(started.elapsed().as_secs_f64() * 1e6);
    }
    let (m_ours, m_again, m_one) = (
        percentile(&mut ours, 0.5),
        percentile(&mut redelivered, 0.5),
        percentile(&mut one, 0.5),
    );
    println!(
        "Redis dedup over loopback, first_time of a new id (SET NX PX): median {m_ours:.0} µs, \
         p99 {:.0} µs; of a redelivery: median {m_again:.0} µs, p99 {:.0} µs",
        percentile(&mut ours, 0.99),
        percentile(&mut redelivered, 0.99)
    );
    println!(
        "floor, one PING round trip: median {m_one:.0} µs, p99 {:.0} µs ({CALLS} calls); \
         ratio (medians): {:.2}x",
        percentile(&mut one, 0.99),
        m_ours / m_one
    );
    let mut admin = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let key = format!(
        "hotmart:v1:{{{}}}:webhook",
        Dedup::key("8b1f0c3e-5d2a-4f7b-9c6e-000000000000")
    );
    let usage = command(&mut admin, &format!("MEMORY USAGE {key}"));
    println!(
        "Redis memory of one remembered id (MEMORY USAGE): {} bytes",
        usage.trim_start_matches(':')
    );
}
