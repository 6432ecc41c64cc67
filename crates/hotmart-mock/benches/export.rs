//! How the cost of an export grows with the shop: every sale of a shop of 10,000 and of
//! 100,000 sales read through the real client (`sales().history().items()`, 500 a page), best
//! of three rounds each. A local Hotmart that is linear in its size shows a ratio near 10.
//!
//! `cargo bench -p hotmart-mock --bench export`

use std::time::{Duration, Instant};

use hotmart::Client;
use hotmart_mock::MockServer;

const ROUNDS: usize = 3;

/// The time to list every sale the history serves, and how many it served.
fn export(sales: usize) -> (Duration, usize) {
    let server = MockServer::builder()
        .sales(sales)
        // One export is a few hundred pages: no 429 in the way.
        .rate_limit(1_000_000, Duration::from_secs(60))
        .start()
        .expect("local Hotmart");
    let client = Client::new(server.environment(), server.credentials()).expect("client");
    client.access_token().expect("token");
    let started = Instant::now();
    let mut count = 0;
    for sale in client.sales().history().max_results(500).items() {
        sale.expect("a sale");
        count += 1;
    }
    (started.elapsed(), count)
}

fn best(sales: usize) -> (Duration, usize) {
    (0..ROUNDS)
        .map(|_| export(sales))
        .min_by_key(|(time, _)| *time)
        .expect("at least one round")
}

fn main() {
    let (small, small_count) = best(10_000);
    let (large, large_count) = best(100_000);
    let ms = |time: Duration| time.as_secs_f64() * 1e3;
    println!(
        "export of 10,000 sales ({small_count} listed):  {:>9.1} ms",
        ms(small)
    );
    println!(
        "export of 100,000 sales ({large_count} listed): {:>9.1} ms",
        ms(large)
    );
    println!(
        "ratio 100k/10k: {:.1}",
        large.as_secs_f64() / small.as_secs_f64()
    );
}
