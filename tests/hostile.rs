//! The client against hostile servers on 127.0.0.1: every loop ends, every wait is bounded,
//! no setting panics. Each test asserts how many requests a fault costs and how long it
//! takes; the bounds are loose enough for a loaded machine and tight enough to prove the
//! bound. `--nocapture` prints the measured figures. The token path's faults are in
//! `hostile_tokens.rs`, echoed secrets in `hostile_echo.rs`.

mod support;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hotmart::{Client, Error, Limit};
use support::hostile::{Answer, HostileServer};
use support::hostile::{
    DEADLINE, SLACK, TOKEN, api_server, builder, client, figure, gave_up_limit,
};

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
    assert!(
        err.to_string().contains("the call's deadline (1.5 s)"),
        "{err}"
    );
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
