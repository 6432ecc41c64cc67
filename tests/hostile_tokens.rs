//! The token path against hostile servers on 127.0.0.1: one token request serves every
//! waiting thread, on failure too; the token request is retried like a GET; header-unsafe
//! tokens are refused and never cached. `--nocapture` prints the figures.

mod support;

use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use hotmart::token::ParseErrorKind;
use hotmart::{Client, Error, Limit};
use support::hostile::{Answer, HostileServer};
use support::hostile::{TOKEN, builder, client, figure, gave_up_limit};

// ---------------------------------------------------------------------------------------------
// 5. Single flight, on failure too.
// ---------------------------------------------------------------------------------------------

/// Runs `access_token()` on `threads` threads released together; returns the outcomes and the
/// time the slowest took.
fn together(
    client: &Client,
    threads: usize,
) -> (Vec<Result<hotmart::AccessToken, Error>>, Duration) {
    let start = Barrier::new(threads);
    let started = Instant::now();
    let outcomes = thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    client.access_token()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect::<Vec<_>>()
    });
    (outcomes, started.elapsed())
}

#[test]
fn eight_threads_and_a_hung_token_endpoint_cost_one_request_and_one_timeout() {
    let server = HostileServer::start(|_| Answer::Hang);
    let timeout = Duration::from_secs(1);
    let client = builder(&server)
        .timeout(timeout)
        .max_retries(0)
        .build()
        .unwrap();
    let (outcomes, took) = together(&client, 8);
    figure(
        "token endpoint never answers, 8 threads, timeout 1 s",
        server.requests(),
        took,
    );
    assert!(
        outcomes
            .iter()
            .all(|o| o.as_ref().is_err_and(Error::is_timeout))
    );
    assert_eq!(server.token_requests(), 1);
    assert!(took < Duration::from_millis(2500), "{took:?}");
}

#[test]
fn thirty_two_threads_and_a_503_token_endpoint_cost_one_request() {
    // Slow enough that all 32 threads are waiting before the answer comes.
    let server = HostileServer::start(|_| {
        Answer::after(Duration::from_millis(400), Answer::text(503, "down"))
    });
    let client = builder(&server).max_retries(0).build().unwrap();
    let (outcomes, took) = together(&client, 32);
    figure(
        "token endpoint 503, 32 threads, max_retries(0)",
        server.requests(),
        took,
    );
    assert!(
        outcomes
            .iter()
            .all(|o| o.as_ref().is_err_and(|e| e.status() == Some(503)))
    );
    assert_eq!(server.token_requests(), 1);
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn thirty_two_threads_share_the_retries_of_one_fetch() {
    let server = HostileServer::start(|_| {
        Answer::after(Duration::from_millis(300), Answer::text(503, "down"))
    });
    let client = builder(&server)
        .max_retries(2)
        .retry_backoff(Duration::from_millis(10))
        .build()
        .unwrap();
    let (outcomes, took) = together(&client, 32);
    figure(
        "token endpoint 503, 32 threads, max_retries(2)",
        server.requests(),
        took,
    );
    for outcome in &outcomes {
        let err = outcome.as_ref().unwrap_err();
        assert_eq!(err.status(), Some(503));
        assert_eq!(gave_up_limit(err), Limit::Retries(2));
    }
    assert_eq!(server.token_requests(), 3);
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn cached_token_answers_at_once_while_a_fetch_hangs() {
    let server = HostileServer::start(|_| Answer::Hang);
    let client = builder(&server)
        .timeout(Duration::from_secs(2))
        .max_retries(0)
        .build()
        .unwrap();
    thread::scope(|s| {
        let fetch = s.spawn(|| client.access_token());
        assert!(server.wait_for_requests(1, Duration::from_secs(5)));
        let started = Instant::now();
        let cached = client.cached_token();
        let took = started.elapsed();
        println!("FIGURE | cached_token() during a hung fetch | {took:.2?}");
        assert!(cached.is_none());
        assert!(took < Duration::from_millis(100), "{took:?}");
        // A second caller meanwhile shares the hung fetch's outcome.
        let second = client.access_token();
        assert!(second.is_err_and(|e| e.is_timeout()));
        assert!(fetch.join().unwrap().is_err());
    });
    assert_eq!(server.token_requests(), 1);
}

// ---------------------------------------------------------------------------------------------
// 6. The token request is retried like a GET.
// ---------------------------------------------------------------------------------------------

fn token_after(first: impl Fn() -> Answer + Send + Sync + 'static) -> HostileServer {
    HostileServer::start(move |req| {
        if req.index == 0 {
            first()
        } else {
            Answer::token(TOKEN)
        }
    })
}

#[test]
fn a_503_from_the_token_endpoint_is_retried() {
    let server = token_after(|| Answer::text(503, "down"));
    let client = builder(&server)
        .retry_backoff(Duration::from_millis(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let token = client.access_token().unwrap();
    figure(
        "token endpoint 503 once",
        server.requests(),
        started.elapsed(),
    );
    assert_eq!(token.secret(), TOKEN);
    assert_eq!(server.token_requests(), 2);
}

#[test]
fn a_broken_connection_to_the_token_endpoint_is_retried() {
    let server = token_after(|| Answer::Close);
    let client = builder(&server)
        .retry_backoff(Duration::from_millis(10))
        .build()
        .unwrap();
    assert_eq!(client.access_token().unwrap().secret(), TOKEN);
    assert_eq!(server.token_requests(), 2);
}

#[test]
fn a_429_from_the_token_endpoint_is_waited_out() {
    let server = token_after(|| Answer::rate_limited("Retry-After", "0"));
    let client = builder(&server)
        .retry_backoff(Duration::from_millis(10))
        .build()
        .unwrap();
    let started = Instant::now();
    assert_eq!(client.access_token().unwrap().secret(), TOKEN);
    let took = started.elapsed();
    assert_eq!(server.token_requests(), 2);
    assert!(took < Duration::from_secs(1), "{took:?}");
}

#[test]
fn a_429_forever_from_the_token_endpoint_is_token_rate_limited() {
    let server = HostileServer::start(|_| Answer::rate_limited("Retry-After", "0"));
    let client = builder(&server)
        .retry_backoff(Duration::from_millis(50))
        .max_rate_limit_wait(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.access_token().unwrap_err();
    let took = started.elapsed();
    figure(
        "token endpoint 429 forever, 1 s budget",
        server.requests(),
        took,
    );
    assert!(matches!(err, Error::TokenRateLimited { .. }), "{err:?}");
    assert!(err.is_rate_limited());
    let message = err.to_string();
    assert!(!message.contains("refused the credentials"), "{message}");
    assert!(matches!(
        gave_up_limit(&err),
        Limit::RateLimitWait(_) | Limit::RateLimitAttempts(_)
    ));
    // 50, 100, 200, 400 ms: the next 800 ms would pass the 1 s budget.
    assert_eq!(server.token_requests(), 5);
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn a_400_or_401_from_the_token_endpoint_is_not_retried() {
    for status in [400, 401, 403] {
        let server = HostileServer::start(move |_| {
            Answer::json(
                status,
                r#"{"error":"invalid_client","error_description":"no"}"#,
            )
        });
        let client = builder(&server)
            .retry_backoff(Duration::from_millis(10))
            .build()
            .unwrap();
        let err = client.access_token().unwrap_err();
        assert!(
            matches!(err, Error::TokenRejected { status: s, .. } if s == status),
            "{err:?}"
        );
        assert_eq!(server.token_requests(), 1, "HTTP {status}");
    }
}

// ---------------------------------------------------------------------------------------------
// 9. Header-unsafe tokens are refused and never cached.
// ---------------------------------------------------------------------------------------------

#[test]
fn header_unsafe_access_tokens_are_refused_and_not_cached() {
    for bad in [
        r"a\r\nb",
        r"a\u0000b",
        "caf\u{e9}",
        r"tab\tbed",
        r"del\u007f",
        // No bearer token holds a space: one was cached and refused by every server.
        "a b",
        "   ",
    ] {
        let body = format!(r#"{{"access_token":"{bad}","token_type":"bearer","expires_in":3600}}"#);
        let server = HostileServer::start(move |req| {
            if req.index == 0 {
                Answer::json(200, body.clone())
            } else if req.is_token() {
                Answer::token(TOKEN)
            } else {
                Answer::json(200, "{}")
            }
        });
        let client = client(&server);
        let err = client.get("/x").send().unwrap_err();
        match &err {
            Error::MalformedTokenResponse { source } => {
                assert_eq!(source.kind(), ParseErrorKind::UnsafeAccessToken, "{bad}")
            }
            other => panic!("{bad}: {other:?}"),
        }
        assert!(client.cached_token().is_none(), "{bad}");
        assert_eq!(server.api_requests(), 0, "{bad}");
        // The next call fetches again, and works.
        client.get("/x").send().unwrap();
        assert_eq!(server.token_requests(), 2, "{bad}");
        assert_eq!(client.cached_token().unwrap().secret(), TOKEN);
    }
}
