//! The scrubber against a server that picks its tokens and its error texts to defeat it: a
//! token made to be costly to look for, secrets encoded twice, and a token longer than the
//! part of a body an error keeps.

mod support;

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use support::hostile::{Answer, HostileServer, SECRET, TOKEN, builder, percent};

/// Before: a 4,001-byte token of `a`s and error members of 16 KiB of `a`s cost the scrubber
/// ~4,000 steps at each byte: 7 s of CPU in a release build (38 s in a debug one) for one
/// error, whatever the call's timeout.
#[test]
fn a_token_made_to_be_costly_to_scrub_costs_a_bounded_time() {
    let token = "a".repeat(4000) + "b";
    let issued = token.clone();
    let filler = "a".repeat(16 * 1024);
    let body =
        format!(r#"{{"error":"{filler}","error_description":"{filler}","error_uri":"{filler}"}}"#);
    let server = HostileServer::start(move |request| {
        if request.is_token() {
            Answer::token(&issued)
        } else {
            Answer::json(400, &body)
        }
    });
    let client = builder(&server)
        .max_retries(0)
        .call_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get("/x").send().unwrap_err();
    let took = started.elapsed();
    let shown = format!("{err} {err:?}");
    println!("scrubbing three 16 KiB members took {took:?} (call_timeout 1 s)");
    assert_eq!(err.status(), Some(400));
    // Past its budget the scrubber shows nothing more: the `a`s before are the server's own.
    assert!(
        shown.contains("<redacted>") && !shown.contains(&token),
        "{shown}"
    );
    // A bound on a hang, far above the figure printed, not a measure of speed.
    assert!(took < Duration::from_secs(20), "{took:?}");
}

/// Before: only one layer of `%HH` was read, so a gateway page linking the refused URL
/// (`?u=` and the URL encoded again) showed the secret as `s3cr3t%252Fwith…`.
#[test]
fn a_secret_encoded_twice_is_scrubbed() {
    let server = HostileServer::start(|request| {
        Answer::text(
            502,
            format!("Bad gateway. Report: /r?u={}", percent(&request.target)),
        )
    });
    let client = builder(&server).max_retries(0).build().unwrap();
    let err = client.access_token().unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("Report"), "{shown}");
    for form in [percent(SECRET), percent(&percent(SECRET))] {
        assert!(!shown.contains(&form), "{form} in {shown}");
    }
    assert!(!shown.contains("s3cr3t"), "{shown}");
}

/// Before: an error keeps the first 16 KiB of a body, and a token escaped as `\uHHHH` (six
/// bytes a character) longer than that ran past the cut, so its start was not recognised and
/// was shown.
#[test]
fn a_token_cut_by_the_excerpt_is_not_shown_in_part() {
    let token: String = (0..3000)
        .map(|i| char::from(b"ABCDEFGHJKLMNPQRSTUVWXYZ"[i % 24]))
        .collect();
    let issued = token.clone();
    let escaped: String = token.bytes().map(|b| format!("\\u{b:04x}")).collect();
    let echoed = escaped.clone();
    let server = HostileServer::start(move |request| {
        if request.is_token() {
            Answer::token(&issued)
        } else {
            Answer::text(500, echoed.clone())
        }
    });
    let client = builder(&server).max_retries(0).build().unwrap();
    let err = client.get("/x").send().unwrap_err();
    let shown = format!("{err} {err:?}");
    assert_eq!(err.status(), Some(500));
    assert!(!shown.contains(&escaped[..6 * 4]), "{shown}");
}

/// Before: a gateway that echoes the request line or a header line base64-encoded kept the
/// client secret (percent-encoded in the documented token URL) or the access token in the
/// error, for anyone to decode: only a secret encoded alone was looked for.
#[test]
fn a_secret_in_an_encoded_echo_is_scrubbed() {
    let line = |request: &support::hostile::Request, name: &str| {
        let found = request
            .head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with(name));
        found.unwrap_or_default().to_owned()
    };
    let echoing_token_endpoint = HostileServer::start(move |request| {
        let echo = STANDARD.encode(line(request, "post "));
        Answer::json(500, format!(r#"{{"message":"{echo}"}}"#))
    });
    let err = builder(&echoing_token_endpoint)
        .max_retries(0)
        .build()
        .unwrap()
        .access_token()
        .unwrap_err();
    let mut texts = vec![format!("{err} {err:?}")];
    let echoing_api = HostileServer::start(move |request| {
        let auth = line(request, "authorization");
        match request.path() {
            _ if request.is_token() => Answer::token(TOKEN),
            "/standard" => {
                Answer::json(400, format!(r#"{{"message":"{}"}}"#, STANDARD.encode(auth)))
            }
            _ => Answer::json(
                400,
                format!(r#"{{"message":"{}"}}"#, URL_SAFE_NO_PAD.encode(auth)),
            ),
        }
    });
    let client = builder(&echoing_api).max_retries(0).build().unwrap();
    for path in ["/standard", "/url-safe"] {
        let err = client.get(path).send().unwrap_err();
        assert_eq!(err.status(), Some(400), "{err}");
        texts.push(format!("{err} {err:?}"));
    }
    for text in &texts {
        assert!(text.contains("<redacted>"), "{text}");
        for decoded in decodings(text) {
            let decoded = String::from_utf8_lossy(&decoded);
            for part in [
                &SECRET[..4],
                &SECRET[SECRET.len() - 4..],
                &TOKEN[..4],
                &TOKEN[TOKEN.len() - 4..],
            ] {
                assert!(!decoded.contains(part), "{part:?} in {decoded:?} of {text}");
            }
        }
    }
}

/// Every reading of `text` as base64: each run of base64 characters, from each of its first
/// four characters, in both alphabets.
fn decodings(text: &str) -> Vec<Vec<u8>> {
    use base64::engine::general_purpose::STANDARD_NO_PAD;
    let mut out = Vec::new();
    let runs = text.split(|c: char| !c.is_ascii_alphanumeric() && !"+/-_".contains(c));
    for run in runs.filter(|r| r.len() >= 4) {
        for start in 0..4 {
            let mut piece = &run[start..];
            if piece.len() % 4 == 1 {
                piece = &piece[..piece.len() - 1];
            }
            for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
                out.extend(engine.decode(piece));
            }
        }
    }
    out
}
