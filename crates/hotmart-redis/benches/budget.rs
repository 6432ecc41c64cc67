//! What the shared rate budget adds to each API call: its admission and its reading of the
//! answer (two script calls on Redis), over loopback to a `redis-server` started here, against
//! the floor of one raw `PING` round trip on a plain socket, and of two (one per script call).
//!
//! `cargo bench -p hotmart-redis --bench budget`

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use hotmart::budget::{Admission, RateBudget, Reading};
use hotmart::store::TokenKey;
use hotmart_redis::Redis;

const CALLS: usize = 5_000;
/// Calls left that each answer reports: room for every call of the benchmark.
const ROOMY: u64 = 1_000_000_000;

fn median(mut values: Vec<f64>) -> f64 {
    percentile(&mut values, 0.5)
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let at = ((values.len() as f64 - 1.0) * p).round() as usize;
    values[at]
}

fn main() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        println!("shared budget: skipped, redis-server is not installed");
        return;
    };
    let mut ping = None;
    for _ in 0..500 {
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) {
            ping = Some(stream);
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let mut ping = ping.expect("redis-server answers");
    ping.set_nodelay(true).unwrap();
    let mut reply = [0u8; 7];
    let mut round_trip = || {
        ping.write_all(b"PING\r\n").unwrap();
        ping.read_exact(&mut reply).unwrap();
    };

    let redis = Redis::new(&format!("redis://127.0.0.1:{port}/0")).unwrap();
    let account = TokenKey::new(
        "https://api-sec-vlc.hotmart.com",
        "https://developers.hotmart.com",
        "bench",
    );
    let budget = redis.rate_budget().for_account(&account);
    let call = || {
        let Admission::Go(ticket) = budget.admit() else {
            panic!("the budget has room for every call")
        };
        budget.observe(
            ticket,
            Reading {
                remaining: ROOMY,
                reset_ms: 60_000,
            },
        );
        assert!(
            ticket.shared_ms.is_some(),
            "admitted by Redis, not the fallback"
        );
    };
    // Connect, and load the scripts on the server.
    for _ in 0..100 {
        call();
        round_trip();
    }
    let (mut ours, mut one, mut two) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..CALLS {
        let started = Instant::now();
        call();
        ours.push(started.elapsed().as_secs_f64() * 1e6);
        let started = Instant::now();
        round_trip();
        let after_one = started.elapsed();
        round_trip();
        one.push(after_one.as_secs_f64() * 1e6);
        two.push(started.elapsed().as_secs_f64() * 1e6);
    }
    let (m_ours, m_one, m_two) = (
        median(ours.clone()),
        median(one.clone()),
        median(two.clone()),
    );
    println!(
        "shared budget on Redis over loopback, per call (admit + read the answer, two script \
         calls): median {m_ours:.0} µs, p99 {:.0} µs",
        percentile(&mut ours, 0.99)
    );
    println!(
        "floor, one PING round trip: median {m_one:.0} µs, p99 {:.0} µs; two: median {m_two:.0} \
         µs, p99 {:.0} µs ({CALLS} calls)",
        percentile(&mut one, 0.99),
        percentile(&mut two, 0.99)
    );
    println!(
        "ratio (medians): {:.2}x one round trip, {:.2}x two",
        m_ours / m_one,
        m_ours / m_two
    );
    child.kill().ok();
    child.wait().ok();
}
