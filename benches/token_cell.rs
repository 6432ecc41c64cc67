//! The cached `access_token()` against its floor, and under contention.
//!
//! The floor is what any cache of this shape must do: lock a mutex, read the clock, compare,
//! clone an `Arc`. It runs in the same process, interleaved with the real call, so the ratio
//! holds whatever the machine's load. Then 1, 2, 8 and 32 threads call `access_token()` at
//! once, to show what the one mutex costs when every thread wants it.
//!
//! `cargo bench --bench token_cell`

use std::hint::black_box;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use hotmart::Client;
use hotmart_mock::MockServer;

#[path = "support/mod.rs"]
mod support;

use support::{median, per_call};

const CALLS: u32 = 200_000;
const ROUNDS: usize = 31;

/// The floor: a mutex around an optional `Arc`, a clock read, a comparison, a clone.
struct Floor {
    cached: Mutex<Option<Arc<(String, Instant)>>>,
}

impl Floor {
    fn get(&self) -> Option<Arc<(String, Instant)>> {
        let cached = self.cached.lock().unwrap();
        cached.as_ref().filter(|t| Instant::now() < t.1).cloned()
    }
}

fn main() {
    let server = MockServer::start().expect("local Hotmart");
    let client = Client::new(server.environment(), server.credentials()).expect("client");
    client.access_token().expect("first token");
    let floor = Floor {
        cached: Mutex::new(Some(Arc::new((
            "t".repeat(40),
            Instant::now() + Duration::from_secs(3600),
        )))),
    };

    let (mut ours, mut base, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let a = per_call(CALLS, || {
            black_box(client.access_token().unwrap());
        });
        let b = per_call(CALLS, || {
            black_box(floor.get());
        });
        ours.push(a.as_secs_f64() * 1e9);
        base.push(b.as_secs_f64() * 1e9);
        ratios.push(a.as_secs_f64() / b.as_secs_f64());
    }
    println!(
        "cached access_token(): {:.1} ns; floor (lock + clock + Arc clone): {:.1} ns; \
         ratio {:.2}x (median of {ROUNDS} rounds of {CALLS} calls)",
        median(ours),
        median(base),
        median(ratios)
    );
    assert_eq!(server.token_request_count(), 1);

    println!("contention: threads, ns per call (median per thread), calls per second in all");
    for threads in [1usize, 2, 8, 32] {
        let calls = CALLS / 4;
        let start = Barrier::new(threads);
        let started = Instant::now();
        let per_thread: Vec<f64> = thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        start.wait();
                        per_call(calls, || {
                            black_box(client.access_token().unwrap());
                        })
                        .as_secs_f64()
                            * 1e9
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let total = started.elapsed().as_secs_f64();
        let throughput = f64::from(calls) * threads as f64 / total;
        println!(
            "{threads:>3} threads: {:>8.1} ns per call, {:>12.0} calls/s",
            median(per_thread),
            throughput
        );
    }
    assert_eq!(server.token_request_count(), 1);
}
