//! Errors from hostile servers on 127.0.0.1 read once and typed: what each failure says,
//! and `ApiError` as an `Error`.

mod support;

use std::error::Error as StdError;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use hotmart::{ApiError, Client, Error, Limit, TransportErrorKind};
use support::hostile::{Answer, HostileServer};
use support::hostile::{
    SLACK, TOKEN, api_server, builder, client, credentials, figure, gave_up_limit,
};

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
