//! Nothing a hostile server on 127.0.0.1 echoes back puts a secret into an error, however it
//! quotes or re-encodes it.

mod support;

use std::error::Error as StdError;
use std::thread;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hotmart::{Error, TokenRequestStyle};
use support::hostile::{Answer, HostileServer, Request};
use support::hostile::{CLIENT_ID, SECRET, TOKEN, api_server, builder, percent};

// ---------------------------------------------------------------------------------------------
// 8. Nothing echoed: secrets stay out of every error, however the server quotes them.
// ---------------------------------------------------------------------------------------------

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
