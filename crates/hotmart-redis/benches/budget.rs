//! What the shared rate budget adds to each API call: its admission and its reading of the
//! answer (two script calls on Redis), over loopback to a `redis-server` started here, against
//! the floor of one raw `PING` round trip on a plain socket, and of two (one per script call).
//!
//! `cargo bench -p hotmart-redis --bench budget`

use std::time::Instant;

use hotmart::budget::{Admission, RateBudget, Reading};
use hotmart::store::TokenKey;
use hotmart_redis::Redis;

#[path = "support/mod.rs"]
mod support;

use support::{Server, percentile};

const CALLS: usize = 5_000;
/// Calls left that each answer reports: room for every call of the benchmark.
const ROOMY: u64 = 1_000_000_000;

fn median(mut values: Vec<f64>) -> f64 {
    percentile(&mut values, 0.5)
}

fn main() {
    let Some(mut server) = Server::start("shared budget") else {
        return;
    };
    let redis = Redis::new(&server.url()).unwrap();
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
        server.ping();
    }
    let (mut ours, mut one, mut two) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..CALLS {
        let started = Instant::now();
        call();
        ours.push(started.elapsed().as_secs_f64() * 1e6);
        let started = Instant::now();
        server.ping();
        let after_one = started.elapsed();
        server.ping();
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
}
