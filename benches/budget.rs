//! What the rate budget adds to each API call, against its floor, in the same process.
//!
//! - In-process (every client): the budget's admission and its reading of the answer, against
//!   the floor of any in-process counter (a mutex and a clock read, twice). Goal: under 1 µs.
//!
//! `cargo bench --bench budget` (the shared budget on Redis has its own benchmark in
//! `crates/hotmart-redis`).

use std::hint::black_box;
use std::sync::Mutex;
use std::time::Instant;

use hotmart::budget::{Admission, InProcess, RateBudget, Reading};

#[path = "support/mod.rs"]
mod support;

use support::{median, per_call};

const CALLS: u32 = 200_000;
const ROUNDS: usize = 31;
/// Calls left that each answer reports: room for every call of the benchmark.
const ROOMY: u64 = 1_000_000_000;

fn main() {
    in_process();
}

fn in_process() {
    let budget = InProcess::default();
    // What one API call adds: the admission, then what the answer said.
    let call = |remaining| match budget.admit() {
        Admission::Go(ticket) => {
            let reading = Reading {
                remaining,
                reset_ms: 60_000,
            };
            budget.observe(ticket, reading);
            true
        }
        Admission::Wait(_) => false,
    };
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
            assert!(call(black_box(ROOMY)));
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
