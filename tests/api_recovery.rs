//! How API calls recover: 401 refresh, rate limits, retries, and what is never retried.

mod support;

use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use hotmart::Error;
use hotmart_mock::{Endpoint, Fault, MockServer};

const ME: &str = "/user/api/v1/me";

/// A client whose retries wait 10 ms rather than the default 250 ms.
fn quick_retries(server: &MockServer) -> hotmart::Client {
    support::builder(server)
        .retry_backoff(Duration::from_millis(10))
        .build()
        .unwrap()
}

#[test]
fn a_401_refreshes_the_token_and_retries_once() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let old = client.access_token().unwrap();
    server.revoke_tokens();
    assert_eq!(client.get(ME).send().unwrap().status(), 200);
    assert_ne!(client.access_token().unwrap(), old);
    assert_eq!(server.token_request_count(), 2);
    assert_eq!(server.api_request_count(), 2);
}

#[test]
fn a_second_401_is_an_error() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    server.fail_next(Endpoint::Api, 2, Fault::Status(401));
    let err = client.get(ME).send().unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(matches!(err, Error::Api(_)));
    assert!(err.to_string().contains("sandbox or production"), "{err}");
    assert_eq!(server.token_request_count(), 2);
    assert_eq!(server.api_request_count(), 2);
    // Before: the token refused on the second try stayed cached (and in a shared store), and
    // the next call sent it again. It goes too: the next call starts with a new one.
    assert!(client.cached_token().is_none());
    let sent: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == ME)
        .collect();
    client.get(ME).send().unwrap();
    assert_eq!(server.token_request_count(), 3);
    let last = server
        .requests()
        .into_iter()
        .rfind(|r| r.path == ME)
        .unwrap();
    assert_ne!(
        last.header("authorization"),
        sent[1].header("authorization")
    );
}

#[test]
fn a_401_on_post_is_retried_too() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    client.access_token().unwrap();
    server.revoke_tokens();
    let resp = client
        .post("/payments/api/v1/subscriptions/cancel")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(server.api_request_count(), 2);
}

#[test]
fn eight_threads_that_see_a_401_together_cause_one_token_request() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    client.access_token().unwrap();
    server.revoke_tokens();
    let barrier = Barrier::new(8);
    thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                barrier.wait();
                assert_eq!(client.get(ME).send().unwrap().status(), 200);
            });
        }
    });
    assert_eq!(
        server.token_request_count(),
        2,
        "the first token, then one refresh"
    );
}

#[test]
fn a_429_waits_at_least_the_reset_and_succeeds() {
    let server = MockServer::builder()
        // A window long enough that the first two calls surely fall in it.
        .rate_limit(2, Duration::from_secs(3))
        .start()
        .unwrap();
    // Another program spends the window; this client's budget has not heard of it.
    let other = support::client(&server);
    other.get(ME).send().unwrap();
    let resp = other.get(ME).send().unwrap();
    assert_eq!(resp.header("RateLimit-Remaining"), Some("0"));
    let reset: u64 = resp.header("RateLimit-Reset").unwrap().parse().unwrap();
    let client = support::client(&server);
    let started = Instant::now();
    let resp = client.get(ME).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        started.elapsed() >= Duration::from_secs(reset),
        "retried after {:?}, before the {reset} s reset",
        started.elapsed()
    );
    let statuses = server.api_request_count();
    assert_eq!(statuses, 4, "two calls, one 429, one retry");
}

#[test]
fn a_spent_window_is_waited_out_before_sending() {
    let server = MockServer::builder()
        .rate_limit(2, Duration::from_secs(3))
        .start()
        .unwrap();
    let client = support::client(&server);
    client.get(ME).send().unwrap();
    let resp = client.get(ME).send().unwrap();
    let reset: u64 = resp.header("RateLimit-Reset").unwrap().parse().unwrap();
    let started = Instant::now();
    assert_eq!(client.get(ME).send().unwrap().status(), 200);
    // The budget knew the window was spent: it waited for the reset, and sent no request
    // that would be refused. (The reset is rounded up to whole seconds.)
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(reset.saturating_sub(1)),
        "{waited:?}"
    );
    assert!(waited < Duration::from_secs(reset + 1), "{waited:?}");
    assert_eq!(server.api_request_count(), 3, "three calls, no 429");
}

#[test]
fn a_429_beyond_the_allowed_wait_is_an_error() {
    let server = MockServer::builder()
        .rate_limit(1, Duration::from_secs(60))
        .start()
        .unwrap();
    let build = || {
        support::builder(&server)
            .max_rate_limit_wait(Duration::from_secs(5))
            .build()
            .unwrap()
    };
    build().get(ME).send().unwrap();
    // A client that has not heard of the spent window sends, and gets the 429.
    let err = build().get(ME).send().unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert!(err.to_string().contains("rate limit"), "{err}");
    assert_eq!(server.api_request_count(), 2);
}

#[test]
fn a_spent_window_beyond_the_allowed_wait_ends_the_call_unsent() {
    let server = MockServer::builder()
        .rate_limit(1, Duration::from_secs(60))
        .start()
        .unwrap();
    let client = support::builder(&server)
        .max_rate_limit_wait(Duration::from_secs(5))
        .build()
        .unwrap();
    client.get(ME).send().unwrap();
    let started = Instant::now();
    let err = client.get(ME).send().unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(500));
    assert!(
        matches!(err, hotmart::Error::RateBudgetSpent { .. }),
        "{err:?}"
    );
    assert!(err.is_rate_limited());
    assert_eq!(err.status(), None, "no answer was received");
    let gave_up = err.gave_up().unwrap();
    assert_eq!(
        gave_up.limit,
        hotmart::Limit::RateLimitWait(Duration::from_secs(5))
    );
    assert!(err.to_string().contains("not sent"), "{err}");
    assert_eq!(
        server.api_request_count(),
        1,
        "nothing sent that would be refused"
    );
}

#[test]
fn a_503_on_get_is_retried() {
    let server = MockServer::start().unwrap();
    let client = quick_retries(&server);
    server.fail_next(Endpoint::Api, 2, Fault::Status(503));
    assert_eq!(client.get(ME).send().unwrap().status(), 200);
    assert_eq!(server.api_request_count(), 3);
}

#[test]
fn retries_are_bounded() {
    let server = MockServer::start().unwrap();
    let client = support::builder(&server)
        .retry_backoff(Duration::from_millis(10))
        .max_retries(2)
        .build()
        .unwrap();
    server.fail_next(Endpoint::Api, 5, Fault::Status(502));
    assert_eq!(client.get(ME).send().unwrap_err().status(), Some(502));
    assert_eq!(server.api_request_count(), 3);
}

#[test]
fn a_503_on_post_is_sent_once_and_is_an_error() {
    let server = MockServer::start().unwrap();
    let client = quick_retries(&server);
    server.fail_next(Endpoint::Api, 1, Fault::Status(503));
    let err = client
        .post("/payments/api/v1/subscriptions/cancel")
        .send()
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.api_request_count(), 1);
}

#[test]
fn a_post_marked_safe_is_retried() {
    let server = MockServer::start().unwrap();
    let client = quick_retries(&server);
    server.fail_next(Endpoint::Api, 1, Fault::Status(503));
    let resp = client
        .post("/payments/api/v1/subscriptions/cancel")
        .retry_safe()
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(server.api_request_count(), 2);
}

#[test]
fn a_timeout_on_get_is_retried() {
    let server = MockServer::start().unwrap();
    let client = support::builder(&server)
        .timeout(Duration::from_millis(300))
        .retry_backoff(Duration::from_millis(10))
        .build()
        .unwrap();
    client.access_token().unwrap();
    server.fail_next(Endpoint::Api, 1, Fault::NoResponse);
    assert_eq!(client.get(ME).send().unwrap().status(), 200);
    assert_eq!(server.api_request_count(), 2);
}

#[test]
fn an_unreachable_api_is_a_connect_error_after_retries() {
    let server = MockServer::start().unwrap();
    let env = hotmart::Environment::Custom {
        auth_url: server.url(),
        api_url: format!("http://{}", support::closed_port()),
    };
    let client = hotmart::Client::builder(env, server.credentials())
        .retry_backoff(Duration::from_millis(10))
        .build()
        .unwrap();
    match client.get(ME).send().unwrap_err() {
        Error::Transport(t) => assert_eq!(t.kind(), hotmart::TransportErrorKind::Connect),
        other => panic!("unexpected {other:?}"),
    }
}

/// A server whose every answer is a token response with these rate-limit headers: it serves
/// the token request and the API calls alike.
fn rate_headers_server(headers: &'static str) -> std::net::SocketAddr {
    let reply: &'static str = Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{headers}Connection: close\r\n\
             Content-Length: 60\r\n\r\n{{\"access_token\":\"t\",\"token_type\":\"bearer\",\"expires_in\":3600}}"
        )
        .into_boxed_str(),
    );
    support::raw_server(reply.as_bytes(), 10)
}

/// Hostile rate-limit headers neither hang nor panic: a reset of 2^64 − 1 s is believed up to
/// 120 s, which is past the deadline, so the next call ends at once, unsent; a spent window
/// with a reset of 0 pauses a second; garbage is ignored.
#[test]
fn hostile_rate_headers_end_calls_quickly() {
    let client = |addr| {
        hotmart::Client::builder(support::env_at(addr), hotmart::Credentials::new("id", "s"))
            .call_timeout(Duration::from_secs(3))
            .build()
            .unwrap()
    };
    let huge = client(rate_headers_server(
        "RateLimit-Remaining: 0\r\nRateLimit-Reset: 18446744073709551615\r\n",
    ));
    huge.get(ME).send().unwrap();
    let started = Instant::now();
    let err = huge.get(ME).send().unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(200));
    let Error::RateBudgetSpent { reset_in, gave_up } = &err else {
        panic!("{err:?}")
    };
    assert!(*reset_in <= Duration::from_secs(120));
    assert_eq!(
        gave_up.limit,
        hotmart::Limit::Deadline(Duration::from_secs(3))
    );

    let zero = client(rate_headers_server(
        "RateLimit-Remaining: 0\r\nRateLimit-Reset: 0\r\n",
    ));
    zero.get(ME).send().unwrap();
    let started = Instant::now();
    zero.get(ME).send().unwrap();
    let paused = started.elapsed();
    assert!(
        paused >= Duration::from_millis(900) && paused < Duration::from_millis(2_000),
        "{paused:?}"
    );

    let garbage = client(rate_headers_server(
        "RateLimit-Remaining: -3\r\nRateLimit-Reset: soon\r\nX-RateLimit-Remaining-Minute: lots\r\n",
    ));
    for _ in 0..3 {
        let started = Instant::now();
        garbage.get(ME).send().unwrap();
        assert!(started.elapsed() < Duration::from_millis(500));
    }
}
