//! What the rate budget adds to each API call, against its floor, in the same process.
//!
//! - In-process (every client): the budget's admission and its reading of the answer, against
//!   the floor of any in-process counter (a mutex and a clock read, twice). Goal: under 1 µs.
//! - Shared on Redis (feature `redis`, with `redis-server` on the PATH): the same, over
//!   loopback to a `redis-server` started here, against the floor of one round trip (a raw
//!   `PING`). Goal: a median under 0.5 ms.
//!
//! `cargo bench --bench budget --features redis`

use std::hint::black_box;
use std::sync::Mutex;
use std::time::Instant;

use hotmart::mock::BudgetProbe;

#[path = "support/mod.rs"]
mod support;

use support::{median, per_call, percentile};

const CALLS: u32 = 200_000;
const ROUNDS: usize = 31;
/// Calls left that each answer reports: room for every call of the benchmark.
const ROOMY: u64 = 1_000_000_000;

fn main() {
    in_process();
    #[cfg(feature = "redis")]
    shared::run();
    #[cfg(not(feature = "redis"))]
    println!("shared budget: not built (run with --features redis)");
}

fn in_process() {
    let probe = BudgetProbe::in_process();
    let floor = Mutex::new((0u64, Instant::now()));
    let floor_call = || {
        for _ in 0..2 {
            let mut state = floor.lock().unwrap();
            state.0 = black_box(state.0.wrapping_add(1));
            state.1 = Instant::now();
        }
    };
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        // A window with room to spare: every call is admitted, as in normal use.
        let a = per_call(CALLS, || {
            assert!(probe.call(black_box(ROOMY)));
        });
        let b = per_call(CALLS, floor_call);
        ours.push(a.as_secs_f64() * 1e9);
        base.push(b.as_secs_f64() * 1e9);
    }
    println!(
        "in-process budget per call (admit + read the answer): {:.1} ns; floor (2 x mutex + \
         clock read): {:.1} ns (median of {ROUNDS} rounds of {CALLS} calls)",
        median(ours),
        median(base)
    );
}

#[cfg(feature = "redis")]
mod shared {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::process::{Command, Stdio};
    use std::thread;
    use std::time::{Duration, Instant};

    use super::{BudgetProbe, median, percentile};

    const CALLS: usize = 5_000;

    pub fn run() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
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
        let url = format!("redis://127.0.0.1:{port}/0");
        let probe = BudgetProbe::redis(&url, "https://developers.hotmart.com", "bench")
            .expect("a valid URL");
        // Connect, and load the scripts on the server.
        for _ in 0..100 {
            probe.call(super::ROOMY);
        }
        let (mut ours, mut base) = (Vec::new(), Vec::new());
        let mut reply = [0u8; 7];
        for _ in 0..CALLS {
            let started = Instant::now();
            assert!(probe.call(super::ROOMY));
            ours.push(started.elapsed().as_secs_f64() * 1e6);
            let started = Instant::now();
            ping.write_all(b"PING\r\n").unwrap();
            ping.read_exact(&mut reply).unwrap();
            base.push(started.elapsed().as_secs_f64() * 1e6);
        }
        println!(
            "shared budget on Redis over loopback, per call (admit + read the answer, two \
             script calls): median {:.0} µs, p99 {:.0} µs; floor (one PING round trip): median \
             {:.0} µs, p99 {:.0} µs ({CALLS} calls)",
            median(ours.clone()),
            percentile(ours, 0.99),
            median(base.clone()),
            percentile(base, 0.99)
        );
        child.kill().ok();
        child.wait().ok();
    }
}
