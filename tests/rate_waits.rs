//! The 429s and the rate budget of one call share one limit (`max_rate_limit_wait`), and a
//! server that sends no rate-limit headers never slows a client down: both over raw loopback
//! servers.

use std::time::{Duration, Instant};

use hotmart::{Client, Credentials, Limit};

mod support;
use support::hostile::{Answer, HostileServer};

const ME: &str = "/user/api/v1/me";

/// A server whose API answers every call with `api`'s answer; tokens are always granted.
fn api_server(api: fn() -> Answer) -> HostileServer {
    HostileServer::start(move |req| {
        if req.is_token() {
            Answer::token("tok")
        } else {
            api()
        }
    })
}

#[test]
fn a_429_and_the_rate_budget_together_wait_no_longer_than_max_rate_limit_wait() {
    // The 429 asks for 2 s; its headers also say the window resets in 4 s. Both the retry
    // loop and the budget wait for the same limit: together they must stay within
    // max_rate_limit_wait, not within twice it.
    let server = api_server(|| {
        Answer::status(
            429,
            &[
                ("Retry-After", "2"),
                ("RateLimit-Remaining", "0"),
                ("RateLimit-Reset", "4"),
            ],
            "",
        )
    });
    let max_wait = Duration::from_secs(2);
    let client = Client::builder(server.environment(), Credentials::new("id", "secret"))
        .max_rate_limit_wait(max_wait)
        .call_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get(ME).send().unwrap_err();
    let took = started.elapsed();
    assert!(err.is_rate_limited(), "{err:?}");
    let gave_up = err.gave_up().expect("the limit that ended the call");
    assert_eq!(gave_up.limit, Limit::RateLimitWait(max_wait));
    assert!(
        took < max_wait + Duration::from_millis(800),
        "waited {took:?} for rate limits with max_rate_limit_wait {max_wait:?}"
    );
    assert!(gave_up.rate_limit_waits <= max_wait, "{gave_up:?}");
}

#[test]
fn a_client_without_rate_limit_headers_is_never_slowed() {
    let server = api_server(|| Answer::json(200, "{}"));
    let client = Client::builder(server.environment(), Credentials::new("id", "secret"))
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..30 {
        client.get(ME).send().unwrap();
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(server.api_requests(), 30);
}
