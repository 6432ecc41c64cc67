//! Timing helpers shared by the benchmarks that measure against a floor in the same process.

#![allow(dead_code)]

use std::time::{Duration, Instant};

/// The mean time of one call of `f`, over `calls` calls.
pub fn per_call(calls: u32, mut f: impl FnMut()) -> Duration {
    let started = Instant::now();
    for _ in 0..calls {
        f();
    }
    started.elapsed() / calls
}

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The value at fraction `p` (0 to 1) of the sorted values.
pub fn percentile(mut values: Vec<f64>, p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * p) as usize]
}
