//! The client against hostile servers on 127.0.0.1: every loop ends, every wait is bounded,
//! one token request serves every waiting thread, and nothing a server echoes back puts a
//! secret into an error. Each test asserts how many requests a fault costs and how long it
//! takes; the bounds are loose enough for a loaded machine and tight enough to prove the
//! bound. `--nocapture` prints the measured figures.

mod support;

use std::error::Error as StdError;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hotmart::token::ParseErrorKind;
use hotmart::{
    ApiError, Client, ClientBuilder, Credentials, Error, Limit, TokenRequestStyle,
    TransportErrorKind,
};
use support::hostile::{Answer, HostileServer, Request};

const CLIENT_ID: &str = "client-id";
/// A secret whose percent-encoded and base64 forms differ from the plain one.
const SECRET: &str = "s3cr3t/with+special=chars";
const TOKEN: &str = "tok/en+with=chars.123";

fn credentials() -> Credentials {
    Credentials::new(CLIENT_ID, SECRET)
}

fn builder(server: &HostileServer) -> ClientBuilder {
    Client::builder(server.environment(), credentials()).timeout(Duration::from_secs(10))
}

fn client(server: &HostileServer) -> Client {
    builder(server)
        .build()
        .expect("a client for the hostile server")
}

/// Prints a figure for the README's reliability table (visible with `--nocapture`).
fn figure(fault: &str, requests: usize, took: Duration) {
    println!("FIGURE | {fault} | {requests} requests | {took:.2?}");
}

/// A server whose token endpoint hands out [`TOKEN`] and whose API answers by `api`.
fn api_server(api: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> HostileServer {
    HostileServer::start(move |req| {
        if req.is_token() {
            Answer::token(TOKEN)
        } else {
            api(req)
        }
    })
}

fn gave_up_limit(err: &Error) -> Limit {
    err.gave_up()
        .unwrap_or_else(|| panic!("no gave_up in {err:?}"))
        .limit
}

// ---------------------------------------------------------------------------------------------
// 1. A 429 that asks for no wait at all is still bounded.
// ---------------------------------------------------------------------------------------------

fn zero_wait_429(header: &'static str) {
    let server = api_server(move |_| Answer::rate_limited(header, "0"));
    let client = builder(&server)
        .max_rate_limit_wait(Duration::from_secs(2))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get("/x").send().unwrap_err();
    let took = started.elapsed();
    let requests = server.api_requests();
    figure(
        &format!("429 `{header}: 0` forever, 2 s budget"),
        requests,
        took,
    );
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert!((2..=40).contains(&requests), "{requests} requests");
    let Error::Api(api) = &err else {
        panic!("expected Error::Api, got {err:?}")
    };
    assert_eq!(api.status(), 429);
    let gave_up = err.gave_up().unwrap();
    assert!(
        matches!(
            gave_up.limit,
            Limit::RateLimitWait(_) | Limit::RateLimitAttempts(_)
        ),
        "{gave_up:?}"
    );
    assert_eq!(gave_up.attempts as usize, requests);
    // The message tells the time really spent, not the budget.
    assert!(gave_up.elapsed <= took, "{gave_up:?} vs {took:?}");
    assert!(gave_up.elapsed >= gave_up.rate_limit_waits, "{gave_up:?}");
    let shown = format!("in {:.1} s", gave_up.elapsed.as_secs_f64());
    assert!(err.to_string().contains(&shown), "{err}");
}

#[test]
fn retry_after_zero_forever_is_bounded_by_the_budget() {
    zero_wait_429("Retry-After");
}

#[test]
fn ratelimit_reset_zero_forever_is_bounded_by_the_budget() {
    zero_wait_429("RateLimit-Reset");
}

#[test]
fn retry_after_zero_with_zero_backoff_stops_after_the_attempt_cap() {
    let server = api_server(|_| Answer::rate_limited("Retry-After", "0"));
    let client = builder(&server)
        .retry_backoff(Duration::ZERO)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get("/x").send().unwrap_err();
    let took = started.elapsed();
    figure(
        "429 `Retry-After: 0` forever, zero backoff",
        server.api_requests(),
        took,
    );
    assert_eq!(server.api_requests(), 21, "MAX_RATE_LIMIT_ATTEMPTS + 1");
    assert_eq!(err.status(), Some(429));
    assert_eq!(gave_up_limit(&err), Limit::RateLimitAttempts(20));
    assert_eq!(err.gave_up().unwrap().attempts, 21);
    assert!(took < Duration::from_secs(3), "{took:?}");
}

// ---------------------------------------------------------------------------------------------
// 2. A wait too long for any clock.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_retry_after_of_u64_max_ends_the_call_without_panic() {
    let server = api_server(|req| {
        // The first API request is the second request overall (after the token's).
        let value = if req.index <= 1 {
            "1"
        } else {
            "18446744073709551615"
        };
        Answer::rate_limited("Retry-After", value)
    });
    let client = client(&server);
    let started = Instant::now();
    let err = client.get("/x").send().unwrap_err();
    let took = started.elapsed();
    figure(
        "429 `Retry-After: 1`, then `u64::MAX`",
        server.api_requests(),
        took,
    );
    assert_eq!(server.api_requests(), 2);
    assert_eq!(err.status(), Some(429));
    assert!(
        matches!(gave_up_limit(&err), Limit::RateLimitWait(_)),
        "{err:?}"
    );
    assert!(
        took >= Duration::from_millis(900),
        "the 1 s wait was skipped: {took:?}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
}

/// A `RateLimit-Reset` given as a Unix time, as the rate budget already reads it, is waited
/// for like the seconds it stands for; before, the 429 path read it as seconds and gave up.
#[test]
fn a_429_whose_reset_is_a_unix_time_is_waited_out() {
    let server = api_server(|req| {
        if req.index <= 1 {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
            Answer::rate_limited("RateLimit-Reset", &(now.as_secs() + 1).to_string())
        } else {
            Answer::json(200, "{}")
        }
    });
    let client = client(&server);
    let answer = client.get("/x").send().unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(server.api_requests(), 2);
}

/// A query that holds a URL is a path's query, not an absolute URL to refuse.
#[test]
fn a_url_in_a_query_is_sent_under_the_api_base() {
    let server = api_server(|req| {
        Answer::json(
            200,
            format!("{{\"next\":\"{}\"}}", req.query("next").unwrap_or("")),
        )
    });
    let client = client(&server);
    let answer = client
        .get("/x?next=https://elsewhere.example/y")
        .send()
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert!(String::from_utf8_lossy(answer.body()).contains("elsewhere.example"));
}

/// A caller's path with a line break cannot forge a line of a log or of an error message.
#[test]
fn control_characters_of_a_path_are_escaped_in_errors() {
    let server = api_server(|_| Answer::json(200, "{}"));
    let client = client(&server);
    let err = client.get("/x\r\nHost: evil\u{1b}[2J").send().unwrap_err();
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(['\r', '\n', '\u{1b}']), "{text:?}");
        assert!(text.contains("%0D%0AHost: evil%1B[2J"), "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// 3. The call's deadline.
// ---------------------------------------------------------------------------------------------

const DEADLINE: Duration = Duration::from_millis(1500);
/// What a deadline may overrun by on a loaded machine.
const SLACK: Duration = Duration::from_millis(1000);

#[test]
fn slow_503s_end_at_the_deadline() {
    let server = api_server(|_| Answer::after(Duration::from_millis(300), Answer::text(503, "")));
    let client = builder(&server)
        .max_retries(1000)
        .retry_backoff(Duration::from_millis(10))
        .call_timeout(DEADLINE)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get("/x").send().unwrap_err();
    let took = started.elapsed();
    figure(
        "slow 503 (300 ms) forever, call_timeout 1.5 s",
        server.api_requests(),
        took,
    );
    assert_eq!(gave_up_limit(&err), Limit::Deadline(DEADLINE), "{err:?}");
    assert!(took < DEADLINE + SLACK, "{took:?}");
    let requests = server.api_requests();
    assert!((2..=6).contains(&requests), "{requests} requests");
    assert_eq!(err.gave_up().unwrap().attempts as usize, requests);
}

#[test]
fn a_429_asking_for_1_s_forever_ends_at_the_deadline() {
    let server = api_server(|_| Answer::rate_limited("Retry-After", "1"));
    let client = builder(&server).call_timeout(DEADLINE).build().unwrap();
    let started = Instant::now();
    let err = client.get("/x").send().unwrap_err();
    let took = started.elapsed();
    figure(
        "429 `Retry-After: 1` forever, call_timeout 1.5 s",
        server.api_requests(),
        took,
    );
    assert_eq!(err.status(), Some(429));
    assert_eq!(gave_up_limit(&err), Limit::Deadline(DEADLINE));
    // 0 s: 429, wait 1 s; 1 s: 429, and a second wait would pass the deadline.
    assert_eq!(server.api_requests(), 2);
    assert!(took < DEADLINE + SLACK, "{took:?}");
    assert!(err.to_string().contains("call_timeout"), "{err}");
}

#[test]
fn a_hung_api_request_is_cut_at_the_deadline() {
    let server = api_server(|_| Answer::Hang);
    let deadline = Duration::from_secs(1);
    let client = builder(&server)
        .timeout(Duration::from_secs(10))
        .call_timeout(deadline)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get("/x").send().unwrap_err();
    let took = started.elapsed();
    figure(
        "API never answers, timeout 10 s, call_timeout 1 s",
        server.api_requests(),
        took,
    );
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(gave_up_limit(&err), Limit::Deadline(deadline));
    assert_eq!(server.api_requests(), 1);
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(took < deadline + SLACK, "{took:?}");
}

#[test]
fn a_hung_token_request_is_cut_at_the_deadline() {
    let server = HostileServer::start(|_| Answer::Hang);
    let deadline = Duration::from_secs(1);
    let client = builder(&server).call_timeout(deadline).build().unwrap();
    let started = Instant::now();
    let err = client.access_token().unwrap_err();
    let took = started.elapsed();
    figure(
        "token endpoint never answers, timeout 10 s, call_timeout 1 s",
        server.requests(),
        took,
    );
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(gave_up_limit(&err), Limit::Deadline(deadline));
    assert_eq!(server.token_requests(), 1);
    assert!(took < deadline + SLACK, "{took:?}");
}

/// A server that drips its answer a byte at a time never finishes it: the deadline ends it.
#[test]
fn a_dripping_answer_is_cut_at_the_deadline() {
    let server = api_server(|_| {
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nX-Slow: ".to_vec();
        Answer::Drip(head.repeat(100), Duration::from_millis(20))
    });
    let deadline = Duration::from_secs(1);
    let client = builder(&server).call_timeout(deadline).build().unwrap();
    let started = Instant::now();
    let err = client.get("/x").send().unwrap_err();
    let took = started.elapsed();
    figure(
        "answer dripped a byte per 20 ms, call_timeout 1 s",
        server.api_requests(),
        took,
    );
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(server.api_requests(), 1);
    assert!(took < deadline + SLACK, "{took:?}");
}

/// The deadline covers the whole API call, including a token fetch it has to make after a
/// 401 half-way through.
#[test]
fn a_token_refetch_inside_an_api_call_stays_within_the_call_deadline() {
    let server = HostileServer::start(|req| {
        if req.is_token() {
            if req.index == 0 {
                Answer::token(TOKEN)
            } else {
                Answer::Hang
            }
        } else {
            Answer::after(Duration::from_millis(800), Answer::text(401, ""))
        }
    });
    let deadline = Duration::from_secs(1);
    let client = builder(&server).call_timeout(deadline).build().unwrap();
    client.access_token().unwrap();
    let started = Instant::now();
    let err = client.get("/x").send().unwrap_err();
    let took = started.elapsed();
    figure(
        "401 at 0.8 s, then the token endpoint hangs, call_timeout 1 s",
        server.requests(),
        took,
    );
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        took < deadline + SLACK / 2,
        "the call's deadline was overrun: {took:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Page tokens that cycle.
// ---------------------------------------------------------------------------------------------

#[test]
fn page_tokens_that_cycle_end_the_iteration() {
    let server = api_server(|req| {
        let next = match req.query("page_token") {
            None => "A",
            Some("A") => "B",
            Some(_) => "A",
        };
        Answer::json(
            200,
            format!(r#"{{"items":[{{"n":1}}],"page_info":{{"next_page_token":"{next}"}}}}"#),
        )
    });
    let client = client(&server);
    let started = Instant::now();
    // `take` only keeps a broken build from looping forever.
    let pages: Vec<_> = client
        .get("/x")
        .pages::<miniserde::json::Value>()
        .take(50)
        .collect();
    let took = started.elapsed();
    figure("page tokens A, B, A, …", server.api_requests(), took);
    assert!(
        server.api_requests() <= 3,
        "{} requests",
        server.api_requests()
    );
    assert!(
        matches!(pages.last(), Some(Err(Error::InvalidResponse { .. }))),
        "{pages:?}"
    );
    assert!(pages.len() <= 3);
}

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
// 7. No setting makes the client panic.
// ---------------------------------------------------------------------------------------------

fn invalid_config(result: Result<Client, Error>, setting: &str) {
    match result {
        Err(Error::InvalidConfig { setting: s, .. }) => assert_eq!(s, setting),
        other => panic!("expected InvalidConfig for {setting}, got {other:?}"),
    }
}

#[test]
fn header_unsafe_user_agents_are_refused_by_build() {
    let server = api_server(|_| Answer::json(200, "{}"));
    for agent in ["a\r\nb", "a\nX-Evil: 1", "\0", "é", "tab\there", "del\x7f"] {
        invalid_config(builder(&server).user_agent(agent).build(), "user_agent");
    }
    assert_eq!(server.requests(), 0);
}

#[test]
fn zero_timeouts_are_refused_by_build() {
    let server = api_server(|_| Answer::json(200, "{}"));
    invalid_config(builder(&server).timeout(Duration::ZERO).build(), "timeout");
    invalid_config(
        builder(&server).connect_timeout(Duration::ZERO).build(),
        "connect_timeout",
    );
    invalid_config(
        builder(&server).call_timeout(Duration::ZERO).build(),
        "call_timeout",
    );
}

#[test]
fn duration_max_everywhere_builds_and_works() {
    let server = api_server(|_| Answer::json(200, r#"{"ok":true}"#));
    let client = builder(&server)
        .timeout(Duration::MAX)
        .connect_timeout(Duration::MAX)
        .call_timeout(Duration::MAX)
        .refresh_margin(Duration::MAX)
        .retry_backoff(Duration::MAX)
        .max_rate_limit_wait(Duration::MAX)
        .build()
        .unwrap();
    let value: miniserde::json::Value = client.get("/x").send().unwrap().json().unwrap();
    assert!(matches!(value, miniserde::json::Value::Object(_)));
    let token = client.access_token().unwrap();
    assert!(token.refresh_at() <= token.expires_at());
    assert_eq!(server.token_requests(), 1);
}

/// A backoff of `Duration::MAX` (clamped, then capped at 8 s) after a 503 is a wait past a
/// 2 s deadline: the call ends at once instead of sleeping.
#[test]
fn a_huge_backoff_is_not_slept_past_the_deadline() {
    let server = api_server(|_| Answer::text(503, "down"));
    let client = builder(&server)
        .retry_backoff(Duration::MAX)
        .call_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get("/x").send().unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.status(), Some(503));
    assert_eq!(gave_up_limit(&err), Limit::Deadline(Duration::from_secs(2)));
    assert_eq!(server.api_requests(), 1);
    assert!(took < Duration::from_secs(1), "{took:?}");
}

// ---------------------------------------------------------------------------------------------
// 8. Nothing echoed: secrets stay out of every error, however the server quotes them.
// ---------------------------------------------------------------------------------------------

fn percent(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Every form in which `value` must not appear.
fn forms(value: &str) -> Vec<String> {
    let encoded = percent(value);
    // `%2F` as `%2f`, as some servers echo it.
    let mut lower = String::new();
    let mut hex_left = 0u8;
    for c in encoded.chars() {
        lower.push(if hex_left > 0 {
            c.to_ascii_lowercase()
        } else {
            c
        });
        hex_left = if c == '%' {
            2
        } else {
            hex_left.saturating_sub(1)
        };
    }
    // How other software re-encodes what it echoes: Python's `quote` (keeps `/`),
    // JavaScript's `encodeURIComponent` (keeps `!'()*`), JSON's `\u` escapes and HTML's
    // numeric references for everything but letters and digits.
    let escaped = |keep: &[u8], escape: &dyn Fn(u8) -> String| -> String {
        value
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || keep.contains(&b) {
                    char::from(b).to_string()
                } else {
                    escape(b)
                }
            })
            .collect()
    };
    vec![
        value.to_owned(),
        encoded.clone(),
        lower,
        STANDARD.encode(value),
        URL_SAFE_NO_PAD.encode(value),
        escaped(b"-._~/", &|b| format!("%{b:02X}")),
        escaped(b"-._~!'()*", &|b| format!("%{b:02X}")),
        escaped(b"", &|b| format!("\\u{b:04x}")),
        escaped(b"", &|b| format!("&#{b};")),
        escaped(b"", &|b| format!("&#x{b:X};")),
    ]
}

/// The basic value the client sends.
fn basic() -> String {
    STANDARD.encode(format!("{CLIENT_ID}:{SECRET}"))
}

/// What a hostile echo could show: every secret in every form, then everything the server
/// saw. Errors keep only the start of a text, so `lead` rotates which secret comes first.
fn echo_of(seen: &[Request], tokens: &[&str], lead: usize) -> String {
    let basic = basic();
    let mut values: Vec<&str> = tokens.to_vec();
    values.push(SECRET);
    values.push(&basic);
    let n = values.len();
    values.rotate_left(lead % n);
    let mut text = String::new();
    for value in values {
        for form in forms(value) {
            text.push('[');
            text.push_str(&form);
            text.push_str("] ");
        }
    }
    for request in seen.iter().rev() {
        text.push_str(&request.text());
    }
    text
}

/// A JSON string literal of `text`.
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Asserts that no secret, in any form, is in the error's Display, Debug, or in those of any
/// source in its chain.
fn assert_clean(err: &Error, tokens: &[&str]) {
    let mut texts = vec![format!("{err}"), format!("{err:?}"), format!("{err:#?}")];
    let mut source = err.source();
    while let Some(cause) = source {
        texts.push(format!("{cause}"));
        texts.push(format!("{cause:?}"));
        source = cause.source();
    }
    let mut needles: Vec<String> = forms(SECRET);
    needles.extend(forms(&basic()));
    for token in tokens {
        needles.extend(forms(token));
    }
    for text in &texts {
        for needle in &needles {
            assert!(
                !text.contains(needle.as_str()),
                "`{needle}` leaked into an error text:\n{text}"
            );
        }
    }
}

/// How an echoing server wraps what it echoes.
#[derive(Clone, Copy, Debug)]
enum Echo {
    /// An OAuth error envelope (4xx), the echo in `error`, `error_description`, `error_uri`.
    Envelope,
    /// A 500 plain-text body.
    Plain,
    /// A 200 that is not JSON.
    Garbage,
    /// A broken status line (a protocol error whose message may quote it).
    BrokenHead,
}

fn echo_answer(echo: Echo, text: &str) -> Answer {
    match echo {
        Echo::Envelope => {
            let quoted = json_string(text);
            Answer::json(
                400,
                format!(
                    r#"{{"error":{quoted},"error_description":{quoted},"error_uri":{quoted}}}"#
                ),
            )
        }
        Echo::Plain => Answer::text(500, text),
        Echo::Garbage => Answer::text(200, format!("<html>{text}</html>")),
        Echo::BrokenHead => {
            let line: String = text.chars().filter(|c| !c.is_control()).collect();
            Answer::Raw(format!("HTTP/1.1 {line}\r\n\r\n").into_bytes())
        }
    }
}

/// The server answering the token endpoint (or, if not `at_token`, the API) with an echo of
/// everything it saw, `lead` choosing the secret quoted first. The token endpoint cannot
/// echo a token the client never had, so only the API's echo quotes [`TOKEN`].
fn echoing(echo: Echo, at_token: bool, lead: usize) -> HostileServer {
    let seen = std::sync::Mutex::new(Vec::<Request>::new());
    HostileServer::start(move |req| {
        let mut all = seen.lock().unwrap();
        all.push(req.clone());
        if req.is_token() && !at_token {
            return Answer::token(TOKEN);
        }
        let tokens: &[&str] = if at_token { &[] } else { &[TOKEN] };
        echo_answer(echo, &echo_of(&all, tokens, lead))
    })
}

const ECHOES: [Echo; 4] = [Echo::Envelope, Echo::Plain, Echo::Garbage, Echo::BrokenHead];

/// The echo reached the error's text (and was scrubbed there), so "clean" means something.
fn assert_echo_shown(echo: Echo, err: &Error) {
    if matches!(echo, Echo::Envelope | Echo::Plain) {
        assert!(err.to_string().contains("<redacted>"), "{err}");
    }
}

#[test]
fn an_echoing_token_endpoint_leaks_nothing() {
    for style in [TokenRequestStyle::Documented, TokenRequestStyle::BasicOnly] {
        for echo in ECHOES {
            for lead in 0..3 {
                let server = echoing(echo, true, lead);
                let client = builder(&server)
                    .token_request_style(style)
                    .max_retries(0)
                    .build()
                    .unwrap();
                let err = client.access_token().unwrap_err();
                let seen = server.seen();
                assert_eq!(seen.len(), 1);
                assert!(seen[0].head.contains(&basic()), "{style:?}");
                if style == TokenRequestStyle::Documented {
                    assert!(seen[0].target.contains(&percent(SECRET)));
                }
                assert_echo_shown(echo, &err);
                assert_clean(&err, &[]);
            }
        }
    }
}

#[test]
fn an_echoing_api_leaks_nothing() {
    for echo in ECHOES {
        for lead in 0..3 {
            let server = echoing(echo, false, lead);
            let client = builder(&server).max_retries(0).build().unwrap();
            let err = match client.get("/x").query("q", "1").send() {
                Ok(resp) => resp.json::<miniserde::json::Value>().unwrap_err(),
                Err(err) => err,
            };
            let seen = server.seen();
            assert!(
                seen.iter()
                    .any(|r| r.head.contains(&format!("Bearer {TOKEN}")))
            );
            assert_echo_shown(echo, &err);
            assert_clean(&err, &[TOKEN]);
        }
    }
}

/// The API answers 401 to the first token; the client refreshes, and the answer to the second
/// token echoes both: neither may show.
#[test]
fn an_echoing_api_leaks_neither_the_refused_nor_the_fresh_token() {
    let tokens = ["first/token+1=", "second/token+2="];
    for lead in 0..4 {
        let seen = std::sync::Mutex::new(Vec::<Request>::new());
        let server = HostileServer::start(move |req| {
            let mut all = seen.lock().unwrap();
            all.push(req.clone());
            let issued = all.iter().filter(|r| r.is_token()).count();
            if req.is_token() {
                return Answer::token(tokens[issued.min(2) - 1]);
            }
            echo_answer(Echo::Envelope, &echo_of(&all, &tokens, lead)).into_401()
        });
        let client = builder(&server).build().unwrap();
        let err = client.get("/x").send().unwrap_err();
        assert_eq!(err.status(), Some(401));
        assert_eq!(server.token_requests(), 2);
        assert_echo_shown(Echo::Envelope, &err);
        assert_clean(&err, &tokens);
    }
}

/// A token the client sent, then dropped after a 401, is still a token it sent: a token
/// endpoint that echoes everything it saw must not show it in the error of the refetch.
#[test]
fn a_failing_refetch_does_not_leak_the_token_it_replaces() {
    let seen = std::sync::Mutex::new(Vec::<Request>::new());
    let server = HostileServer::start(move |req| {
        let mut all = seen.lock().unwrap();
        all.push(req.clone());
        match (req.is_token(), req.index) {
            (true, 0) => Answer::token(TOKEN),
            (true, _) => echo_answer(Echo::Plain, &echo_of(&all, &[TOKEN], 0)),
            (false, _) => Answer::text(401, "token refused"),
        }
    });
    let client = builder(&server).max_retries(0).build().unwrap();
    let err = client.get("/x").send().unwrap_err();
    assert_eq!(server.token_requests(), 2);
    assert_eq!(err.status(), Some(500), "{err:?}");
    assert_echo_shown(Echo::Plain, &err);
    assert_clean(&err, &[TOKEN]);
}

/// Same, when the cached token went stale and its refetch fails.
#[test]
fn a_failing_refresh_does_not_leak_the_stale_token() {
    let seen = std::sync::Mutex::new(Vec::<Request>::new());
    let server = HostileServer::start(move |req| {
        let mut all = seen.lock().unwrap();
        all.push(req.clone());
        if req.index == 0 {
            // A 1 s lifetime: stale after 0.5 s (the margin is capped at half of it).
            Answer::json(
                200,
                format!(r#"{{"access_token":"{TOKEN}","token_type":"bearer","expires_in":1}}"#),
            )
        } else if req.is_token() {
            echo_answer(Echo::Plain, &echo_of(&all, &[TOKEN], 0))
        } else {
            Answer::json(200, "{}")
        }
    });
    let client = builder(&server).max_retries(0).build().unwrap();
    client.get("/x").send().unwrap();
    // Stale, though valid for a little longer: a live token.
    thread::sleep(Duration::from_millis(600));
    let err = client.get("/x").send().unwrap_err();
    assert_eq!(server.token_requests(), 2);
    assert_eq!(err.status(), Some(500), "{err:?}");
    assert_clean(&err, &[TOKEN]);
}

/// A secret escaped the way JSON may escape it (`\/`) in an excerpt is still the secret.
#[test]
fn a_json_escaped_echo_leaks_nothing() {
    let server = HostileServer::start(|req| {
        if req.is_token() {
            return Answer::token(TOKEN);
        }
        let escaped = format!("{SECRET} {TOKEN}").replace('/', "\\/");
        Answer::text(500, format!(r#"upstream said: {{"message":"{escaped}"}}"#))
    });
    let client = builder(&server).max_retries(0).build().unwrap();
    let err = client.get("/x").send().unwrap_err();
    let shown = format!("{err} {err:?}");
    for value in [SECRET, TOKEN] {
        let escaped = value.replace('/', "\\/");
        assert!(!shown.contains(&escaped), "{escaped} leaked: {shown}");
    }
}

/// An error envelope with no member the client knows keeps the body's excerpt, so the
/// message still says something.
#[test]
fn an_unknown_json_error_body_keeps_its_excerpt() {
    let server = api_server(|_| Answer::json(500, r#"{"message":"database on fire"}"#));
    let client = builder(&server).max_retries(0).build().unwrap();
    let err = client.get("/x").send().unwrap_err();
    assert!(err.to_string().contains("database on fire"), "{err}");
}

trait Into401 {
    fn into_401(self) -> Answer;
}

impl Into401 for Answer {
    /// The same answer with status 401 instead of 400.
    fn into_401(self) -> Answer {
        match self {
            Answer::Raw(bytes) => {
                let text = String::from_utf8(bytes).unwrap();
                Answer::Raw(
                    text.replacen("HTTP/1.1 400 Bad Request", "HTTP/1.1 401 Unauthorized", 1)
                        .into_bytes(),
                )
            }
            other => other,
        }
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

// ---------------------------------------------------------------------------------------------
// 11. Errors read once; 12. ApiError is an Error.
// ---------------------------------------------------------------------------------------------

/// No text of the chain repeats its source's text.
fn assert_read_once(err: &(dyn StdError + 'static)) {
    let mut outer: &(dyn StdError + 'static) = err;
    let mut depth = 0;
    while let Some(source) = outer.source() {
        let (o, s) = (outer.to_string(), source.to_string());
        assert!(!s.is_empty());
        assert!(!o.contains(&s), "`{o}` repeats its source `{s}`");
        outer = source;
        depth += 1;
        assert!(depth < 10);
    }
    assert!(depth >= 1, "expected a cause behind `{err}`");
}

#[test]
fn a_refused_connection_reads_once() {
    let addr = support::closed_port();
    let client = Client::builder(support::env_at(addr), credentials())
        .max_retries(0)
        .build()
        .unwrap();
    let err = client.access_token().unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind() == TransportErrorKind::Connect),
        "{err:?}"
    );
    assert_read_once(&err);
}

#[test]
fn a_malformed_token_response_reads_once() {
    let server = HostileServer::start(|_| Answer::json(200, r#"{"access_token":1}"#));
    let err = client(&server).access_token().unwrap_err();
    assert!(
        matches!(err, Error::MalformedTokenResponse { .. }),
        "{err:?}"
    );
    assert_read_once(&err);
}

#[test]
fn a_body_cut_short_reads_once() {
    let server = api_server(|_| Answer::cut(200, "{\"items\":["));
    let client = builder(&server)
        .max_retries(1)
        .retry_backoff(Duration::from_millis(10))
        .build()
        .unwrap();
    let err = client.get("/x").send().unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind() == TransportErrorKind::Io),
        "{err:?}"
    );
    // A GET cut short is retried once, then the last failure is reported.
    assert_eq!(server.api_requests(), 2);
    assert_read_once(&err);
}

#[test]
fn api_error_is_a_std_error() {
    fn is_error<E: StdError + Send + Sync + 'static>() {}
    is_error::<ApiError>();
    is_error::<Error>();
    is_error::<hotmart::TransportError>();
}

// ---------------------------------------------------------------------------------------------
// Beyond the issue's list: more ways for a server to misbehave.
// ---------------------------------------------------------------------------------------------

/// Informational answers without end never become a final answer: the deadline ends the call.
#[test]
fn endless_informational_answers_end_at_the_deadline() {
    let server = api_server(|_| {
        Answer::Drip(
            b"HTTP/1.1 100 Continue\r\n\r\n".repeat(2000),
            Duration::from_millis(1),
        )
    });
    let deadline = Duration::from_secs(1);
    let client = builder(&server)
        .call_timeout(deadline)
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let result = client.get("/x").send();
    let took = started.elapsed();
    figure("endless `100 Continue`", server.api_requests(), took);
    assert!(result.is_err(), "{result:?}");
    assert!(took < deadline + SLACK, "{took:?}");
}

/// A header line of 1 MiB is refused without reading it all, and not retried.
#[test]
fn a_huge_response_header_is_a_protocol_error() {
    let server = api_server(|_| {
        let mut bytes = b"HTTP/1.1 200 OK\r\nX-Huge: ".to_vec();
        bytes.extend(std::iter::repeat_n(b'a', 1 << 20));
        bytes.extend_from_slice(b"\r\nContent-Length: 2\r\n\r\n{}");
        Answer::Raw(bytes)
    });
    let client = client(&server);
    let started = Instant::now();
    let err = client.get("/x").send().unwrap_err();
    figure(
        "1 MiB response header",
        server.api_requests(),
        started.elapsed(),
    );
    assert!(
        matches!(&err, Error::Transport(t) if t.kind() == TransportErrorKind::Protocol),
        "{err:?}"
    );
    assert_eq!(server.api_requests(), 1);
}

/// A 2xx body without end stops at the cap; an error body without end is cut at the cap and
/// the call retried as usual.
#[test]
fn endless_bodies_stop_at_the_cap() {
    let endless = |status: u16| {
        let mut bytes =
            format!("HTTP/1.1 {status} X\r\nTransfer-Encoding: chunked\r\n\r\n").into_bytes();
        let chunk = format!("1000\r\n{}\r\n", "x".repeat(0x1000));
        bytes.extend(chunk.repeat(64).as_bytes());
        // 256 KiB of a body that never ends, four times the cap.
        Answer::Raw(bytes)
    };
    let server = api_server(move |_| endless(200));
    let client = builder(&server).max_body_size(64 * 1024).build().unwrap();
    let err = client.get("/x").send().unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 65536, .. }),
        "{err:?}"
    );
    assert_eq!(server.api_requests(), 1);

    let server = api_server(move |_| endless(500));
    let client = builder(&server)
        .max_body_size(64 * 1024)
        .retry_backoff(Duration::from_millis(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let result = client.get("/x").send();
    figure(
        "endless 500 body, max_retries 2",
        server.api_requests(),
        started.elapsed(),
    );
    assert_eq!(result.unwrap_err().status(), Some(500));
    assert_eq!(server.api_requests(), 3);
}

/// Whatever `expires_in` says, nothing overflows.
#[test]
fn extreme_token_lifetimes_do_not_panic() {
    for expires_in in ["0", "18446744073709551615", "99999999999999999999999"] {
        let server = HostileServer::start(move |req| {
            if req.is_token() {
                Answer::json(
                    200,
                    format!(
                        r#"{{"access_token":"t","token_type":"bearer","expires_in":{expires_in}}}"#
                    ),
                )
            } else {
                Answer::json(200, "{}")
            }
        });
        let client = client(&server);
        match client.access_token() {
            Ok(token) => assert!(token.refresh_at() <= token.expires_at()),
            Err(err) => assert!(
                matches!(err, Error::MalformedTokenResponse { .. }),
                "{expires_in}: {err:?}"
            ),
        }
    }
}

/// Unreadable rate-limit headers are not taken as "no wait": the backoff still applies.
#[test]
fn unreadable_retry_after_values_fall_back_to_the_backoff() {
    for value in ["-1", "1e9", "soon", "Wed, 21 Oct 2015 07:28:00 GMT", ""] {
        let server = api_server(move |_| Answer::rate_limited("Retry-After", value));
        let client = builder(&server)
            .retry_backoff(Duration::from_millis(100))
            .max_rate_limit_wait(Duration::from_millis(800))
            .build()
            .unwrap();
        let started = Instant::now();
        let err = client.get("/x").send().unwrap_err();
        let took = started.elapsed();
        // 100 + 200 + 400 ms, then 800 more would pass the budget.
        assert_eq!(server.api_requests(), 4, "{value:?}");
        assert!(took >= Duration::from_millis(650), "{value:?}: {took:?}");
        assert!(took < Duration::from_secs(2), "{value:?}: {took:?}");
        assert_eq!(err.status(), Some(429));
    }
}

/// A 429 means the request was not processed: even a POST is sent again; a 503 to a POST is
/// not.
#[test]
fn a_post_is_repeated_after_a_429_but_not_after_a_503() {
    let server = HostileServer::start(|req| match (req.is_token(), req.index) {
        (true, _) => Answer::token(TOKEN),
        (false, 1) => Answer::rate_limited("Retry-After", "0"),
        (false, _) => Answer::json(200, "{}"),
    });
    let client = builder(&server)
        .retry_backoff(Duration::from_millis(10))
        .build()
        .unwrap();
    client
        .post("/x")
        .body("application/json", "{}")
        .send()
        .unwrap();
    assert_eq!(server.api_requests(), 2);

    let server = api_server(|_| Answer::text(503, "down"));
    let client = self::client(&server);
    let err = client.post("/x").send().unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.api_requests(), 1);
}

/// An API that refuses every token: one refresh, then the 401 is the answer.
#[test]
fn a_401_forever_costs_one_refresh() {
    let server = api_server(|_| Answer::text(401, ""));
    let client = client(&server);
    let started = Instant::now();
    let err = client.get("/x").send().unwrap_err();
    figure("API 401 forever", server.requests(), started.elapsed());
    assert_eq!(err.status(), Some(401));
    assert_eq!(server.api_requests(), 2);
    assert_eq!(server.token_requests(), 2);
}

/// Eight threads whose shared token is refused at once cause one refresh, not eight.
#[test]
fn many_threads_refused_together_cause_one_refresh() {
    let server = HostileServer::start(|req| {
        if req.is_token() {
            let n = req.index;
            return Answer::token(&format!("token-{n}"));
        }
        // The first token (issued to request 0) is refused; later ones work.
        if req.header("authorization") == Some("Bearer token-0") {
            Answer::after(Duration::from_millis(100), Answer::text(401, ""))
        } else {
            Answer::json(200, "{}")
        }
    });
    let client = client(&server);
    client.access_token().unwrap();
    let start = Barrier::new(8);
    let started = Instant::now();
    thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                start.wait();
                client.get("/x").send().unwrap();
            });
        }
    });
    figure(
        "8 threads, shared token refused (401)",
        server.requests(),
        started.elapsed(),
    );
    assert_eq!(server.token_requests(), 2);
}

/// A connection closed without a byte: a GET is retried, a POST is not.
#[test]
fn a_connection_closed_at_once_is_retried_only_when_safe() {
    let server = api_server(|_| Answer::Close);
    let client = builder(&server)
        .retry_backoff(Duration::from_millis(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get("/x").send().unwrap_err();
    figure(
        "connection closed without an answer, GET",
        server.api_requests(),
        started.elapsed(),
    );
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(server.api_requests(), 3);
    assert_eq!(gave_up_limit(&err), Limit::Retries(2));

    let server = api_server(|_| Answer::Close);
    let client = self::client(&server);
    let err = client.post("/x").send().unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(server.api_requests(), 1);
}

/// Headers and paths with CR/LF from the caller are refused before anything is sent.
#[test]
fn caller_supplied_crlf_never_reaches_the_wire() {
    let server = api_server(|_| Answer::json(200, "{}"));
    let client = client(&server);
    let cases = [
        client.get("/x").header("X-Note", "a\r\nX-Evil: 1"),
        client.get("/x").header("Bad Name", "v"),
        client.get("/x\r\nX-Evil: 1"),
        client.get("/x y"),
    ];
    for request in cases {
        let result = request.send();
        assert!(result.is_err(), "{request:?}: {result:?}");
    }
    assert_eq!(server.api_requests(), 0);
    // A query value is encoded, so it travels safely.
    client.get("/x").query("q", "a\r\nb").send().unwrap();
    assert!(
        server
            .seen()
            .last()
            .unwrap()
            .target
            .ends_with("?q=a%0D%0Ab")
    );
}

/// Conflicting `Content-Length` headers are not guessed at.
#[test]
fn conflicting_content_lengths_are_refused() {
    let server = api_server(|_| {
        Answer::Raw(
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 20\r\n\r\n{}".to_vec(),
        )
    });
    let client = builder(&server).max_retries(0).build().unwrap();
    let result = client.get("/x").send();
    assert!(result.is_err(), "{result:?}");
}
