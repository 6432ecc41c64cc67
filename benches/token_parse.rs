//! Token-response parsing: ours against serde_json and miniserde, in the same process.
//!
//! `cargo bench --bench token_parse` prints the median ns per parse over several batches and
//! each parser's time as a multiple of ours. Payloads: Hotmart's documented token response
//! (131 B), a response with 20 unknown members of every JSON kind (2 KB), and an OAuth error
//! body. The other parsers read into derived structs of owned strings, as a user would write
//! them; ours borrows from the input where no escape forces a copy.

use std::hint::black_box;
use std::time::Instant;

use hotmart::token::{OAuthErrorBody, TokenResponse};

const SEED: &[u8] = include_bytes!("data/seed.json");
const NOISY: &[u8] = include_bytes!("data/noisy.json");
const OAUTH_ERROR: &[u8] = include_bytes!("data/oauth_error.json");

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct SerdeToken {
    access_token: String,
    token_type: String,
    expires_in: u64,
    scope: Option<String>,
    jti: Option<String>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct SerdeError {
    error: Option<String>,
    error_description: Option<String>,
    error_uri: Option<String>,
}

#[derive(miniserde::Deserialize)]
#[allow(dead_code)]
struct MiniToken {
    access_token: String,
    token_type: String,
    expires_in: u64,
    scope: Option<String>,
    jti: Option<String>,
}

#[derive(miniserde::Deserialize)]
#[allow(dead_code)]
struct MiniError {
    error: Option<String>,
    error_description: Option<String>,
    error_uri: Option<String>,
}

/// A parser under test: a name and one call.
type Contender<'a> = (&'static str, Box<dyn FnMut() + 'a>);

/// Times the contenders in interleaved rounds (so drift in the machine's speed hits all of
/// them alike) and reports, for each, the median ns per call and the median of its per-round
/// ratio to the first.
fn compare(payload: &str, bytes: usize, mut contenders: Vec<Contender<'_>>) {
    const ROUNDS: usize = 31;
    // Calibrate: calls per batch so a batch of the first contender takes about 5 ms.
    let started = Instant::now();
    let mut calls = 0u64;
    while started.elapsed().as_millis() < 50 {
        (contenders[0].1)();
        calls += 1;
    }
    let per_batch = (calls / 10).max(1);
    let mut ns = vec![Vec::with_capacity(ROUNDS); contenders.len()];
    for _ in 0..ROUNDS {
        for (i, (_, call)) in contenders.iter_mut().enumerate() {
            let start = Instant::now();
            for _ in 0..per_batch {
                call();
            }
            ns[i].push(start.elapsed().as_nanos() as f64 / per_batch as f64);
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("{payload} ({bytes} bytes)");
    for (i, (name, _)) in contenders.iter().enumerate() {
        let ratio = median(ns[i].iter().zip(&ns[0]).map(|(x, ours)| x / ours).collect());
        println!(
            "  {name:<26} {:>9.1} ns   {ratio:>5.2}x ours",
            median(ns[i].clone())
        );
    }
}

fn token_contenders(input: &'static [u8]) -> Vec<Contender<'static>> {
    // Every parser must accept the payload, or the comparison means nothing.
    assert!(TokenResponse::parse(input).is_ok());
    assert!(serde_json::from_slice::<SerdeToken>(input).is_ok());
    assert!(miniserde::json::from_str::<MiniToken>(std::str::from_utf8(input).unwrap()).is_ok());
    vec![
        (
            "hotmart::token::TokenResponse",
            Box::new(move || {
                black_box(TokenResponse::parse(black_box(input)).ok());
            }),
        ),
        (
            "serde_json (derive)",
            Box::new(move || {
                black_box(serde_json::from_slice::<SerdeToken>(black_box(input)).ok());
            }),
        ),
        (
            "miniserde (derive)",
            Box::new(move || {
                let text = std::str::from_utf8(black_box(input)).unwrap();
                black_box(miniserde::json::from_str::<MiniToken>(text).ok());
            }),
        ),
    ]
}

fn main() {
    // `cargo test --benches` runs this binary without `--bench`: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        println!("token_parse: run with `cargo bench --bench token_parse` for figures");
        return;
    }
    compare("seed token response", SEED.len(), token_contenders(SEED));
    compare("noisy token response", NOISY.len(), token_contenders(NOISY));
    assert!(OAuthErrorBody::parse(OAUTH_ERROR).is_ok());
    compare(
        "OAuth error body",
        OAUTH_ERROR.len(),
        vec![
            (
                "hotmart::token::OAuthErrorBody",
                Box::new(|| {
                    black_box(OAuthErrorBody::parse(black_box(OAUTH_ERROR)).ok());
                }),
            ),
            (
                "serde_json (derive)",
                Box::new(|| {
                    black_box(serde_json::from_slice::<SerdeError>(black_box(OAUTH_ERROR)).ok());
                }),
            ),
            (
                "miniserde (derive)",
                Box::new(|| {
                    let text = std::str::from_utf8(black_box(OAUTH_ERROR)).unwrap();
                    black_box(miniserde::json::from_str::<MiniError>(text).ok());
                }),
            ),
        ],
    );
}
