//! The hottok check fails closed, and every refusal is typed, says what to do, and holds no
//! hottok and no body text: not in `Display`, not in `Debug`, not in the log.
#![cfg(feature = "json")]

use std::sync::Mutex;

use hotmart::webhook::{Error, Event, MAX_BODY, Verifier};

const HOTTOK: &str = "Hk7qP2rT9sLw4vXz8yBn3mCd6fGh1jKa5e0u";
const BODY: &[u8] = br#"{"id":"evt-1","creation_date":1700000000000,"event":"PURCHASE_APPROVED",
    "version":"2.0.0","hottok":"Hk7qP2rT9sLw4vXz8yBn3mCd6fGh1jKa5e0u",
    "data":{"purchase":{"transaction":"HPBODYSECRET1"},"buyer":{"email":"body-mail@example.com"}}}"#;

/// Every log line, from any thread.
struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        let line = format!("{} {}", record.target(), record.args());
        self.0.lock().unwrap().push(line);
    }
    fn flush(&self) {}
}

static LOGS: Capture = Capture(Mutex::new(Vec::new()));

fn verifier() -> Verifier {
    Verifier::new(HOTTOK).unwrap()
}

#[test]
fn the_right_hottok_is_accepted() {
    let event = verifier().verify(Some(HOTTOK), BODY).unwrap();
    assert_eq!(
        (event.id(), event.transaction()),
        ("evt-1", Some("HPBODYSECRET1"))
    );
    // Whitespace around a header value is HTTP's, not the hottok's.
    assert!(
        verifier()
            .verify(Some(&format!(" {HOTTOK}\t")), BODY)
            .is_ok()
    );
}

#[test]
fn a_missing_hottok_is_refused() {
    assert_eq!(
        verifier().verify(None, BODY).unwrap_err(),
        Error::MissingHottok
    );
}

#[test]
fn an_empty_hottok_is_refused() {
    assert_eq!(
        verifier().verify(Some(""), BODY).unwrap_err(),
        Error::EmptyHottok
    );
    assert_eq!(
        verifier().verify(Some("  "), BODY).unwrap_err(),
        Error::EmptyHottok
    );
}

#[test]
fn a_wrong_hottok_is_refused() {
    let v = verifier();
    let prefix = &HOTTOK[..HOTTOK.len() - 1];
    let longer = format!("{HOTTOK}x");
    let flipped = format!("{prefix}f");
    let huge = "a".repeat(10_000);
    for wrong in [
        prefix,
        &longer,
        &flipped,
        "x",
        &huge,
        &HOTTOK.to_lowercase(),
    ] {
        assert_eq!(
            v.verify(Some(wrong), BODY).unwrap_err(),
            Error::WrongHottok,
            "{wrong}"
        );
    }
    assert_eq!(Error::WrongHottok.http_status(), 401);
}

#[test]
fn the_hottok_is_checked_before_the_body() {
    assert_eq!(
        verifier().verify(None, b"not json").unwrap_err(),
        Error::MissingHottok
    );
    let big = vec![b' '; MAX_BODY + 1];
    assert_eq!(
        verifier().verify(Some("x"), &big).unwrap_err(),
        Error::WrongHottok
    );
}

#[test]
fn an_oversized_body_is_refused() {
    let mut big = BODY.to_vec();
    big.resize(MAX_BODY + 1, b' ');
    let err = verifier().verify(Some(HOTTOK), &big).unwrap_err();
    assert_eq!(err, Error::BodyTooLarge { len: MAX_BODY + 1 });
    assert_eq!(err.http_status(), 413);
    big.truncate(MAX_BODY); // trailing whitespace: still JSON, and at the cap
    assert!(verifier().verify(Some(HOTTOK), &big).is_ok());
}

#[test]
fn a_body_that_is_not_json_is_refused() {
    for body in [
        &b""[..],
        b"{",
        b"id=1&event=x",
        b"\xff\xfe{}",
        b"{\"id\":\"a\",}",
    ] {
        let err = verifier().verify(Some(HOTTOK), body).unwrap_err();
        assert_eq!(err, Error::NotJson);
        assert_eq!(err.http_status(), 400);
    }
}

#[test]
fn json_that_is_not_an_event_is_refused() {
    let cases: [(&[u8], &str); 7] = [
        (b"[1,2]", "id"),
        (b"\"PURCHASE_APPROVED\"", "id"),
        (b"{}", "id"),
        (br#"{"id":"","event":"PURCHASE_APPROVED"}"#, "id"),
        (br#"{"id":{"a":1},"event":"PURCHASE_APPROVED"}"#, "id"),
        (br#"{"id":"e"}"#, "event"),
        (br#"{"id":"e","event":["x"]}"#, "event"),
    ];
    for (body, member) in cases {
        let err = verifier().verify(Some(HOTTOK), body).unwrap_err();
        assert_eq!(
            err,
            Error::NotAnEvent { member },
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn an_unusable_hottok_setting_is_refused() {
    assert_eq!(Verifier::new("").unwrap_err(), Error::BadHottok);
    assert_eq!(Verifier::new(" \t").unwrap_err(), Error::BadHottok);
    assert_eq!(
        Verifier::new("a".repeat(257)).unwrap_err(),
        Error::BadHottok
    );
    assert!(Verifier::new("a".repeat(256)).is_ok());
    // A hottok read from a file written on Windows, or with a stray newline, could never
    // match a header, which cannot hold control characters: refused at once, not by 401s.
    for bad in ["tok\r", "tok\n", "to\0k", "to\u{7f}k", "to\u{85}k"] {
        assert_eq!(Verifier::new(bad).unwrap_err(), Error::BadHottok, "{bad:?}");
    }
}

/// Some of Hotmart's payloads carry the hottok in the body: what a receiver passes on has
/// none, however the member's name is spelled, and is otherwise the body as received.
#[test]
fn raw_without_hottok_keeps_everything_but_the_hottok() {
    let event = verifier().verify(Some(HOTTOK), BODY).unwrap();
    let passed = String::from_utf8(event.raw_without_hottok().into_owned()).unwrap();
    assert!(!passed.contains(HOTTOK), "{passed}");
    assert_eq!(
        passed,
        String::from_utf8_lossy(BODY).replace(&format!("\"{HOTTOK}\""), "\"<redacted>\"")
    );
    let escaped =
        br#"{"id":"e","event":"X","hott\u006fk":"s3cr3t","n":{"hottok":1},"hottok":["s3cr3t"]}"#;
    let event = Event::parse(escaped).unwrap();
    assert_eq!(
        &*event.raw_without_hottok(),
        br#"{"id":"e","event":"X","hott\u006fk":"<redacted>","n":{"hottok":1},"hottok":"<redacted>"}"#
    );
    let none = br#"{"id":"e","event":"X"}"#;
    assert!(matches!(
        Event::parse(none).unwrap().raw_without_hottok(),
        std::borrow::Cow::Borrowed(b) if b == none
    ));
    for sample in [
        "PURCHASE_APPROVED-3",
        "PURCHASE_APPROVED-7",
        "UPDATE_SUBSCRIPTION_CHARGE_DATE-1",
        "UPDATE_SUBSCRIPTION_CHARGE_DATE-3",
    ] {
        let path = format!(
            "{}/tests/fixtures/webhooks/{sample}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let body = std::fs::read(path).unwrap();
        let event = Event::parse(&body).unwrap();
        let miniserde::json::Value::Object(members) = event.json() else {
            panic!("{sample}")
        };
        let Some(miniserde::json::Value::String(hottok)) = members.get("hottok") else {
            panic!("{sample} has no hottok")
        };
        let passed = event.raw_without_hottok();
        let passed = std::str::from_utf8(&passed).unwrap();
        assert!(!passed.contains(hottok.as_str()), "{sample}");
        let reread = Event::parse(passed.as_bytes()).unwrap();
        assert_eq!(reread.id(), event.id(), "{sample}");
    }
}

/// Before: any depth within 1 MiB was accepted, and cloning (or `Debug` of) the tree then
/// overflowed the stack and aborted the process.
#[test]
fn nesting_past_max_depth_is_refused_and_what_is_accepted_clones() {
    let nested = |depth: usize| {
        let mut body = br#"{"id":"deep","event":"PURCHASE_APPROVED","data":"#.to_vec();
        body.extend(std::iter::repeat_n(b'[', depth - 1));
        body.extend(std::iter::repeat_n(b']', depth - 1));
        body.push(b'}');
        body
    };
    let deepest = hotmart::webhook::MAX_DEPTH;
    let event = Event::parse(&nested(deepest)).unwrap();
    assert_eq!(event.clone().id(), "deep");
    for depth in [deepest + 1, 200_000] {
        let err = Event::parse(&nested(depth)).unwrap_err();
        assert_eq!(err, Error::TooDeep, "{depth}");
        assert_eq!(err.http_status(), 400);
    }
}

#[test]
fn from_env_reads_hotmart_hottok_and_names_it_when_unset() {
    // Edition 2024 makes `set_var` unsafe (and racy with other tests): a child process gets
    // the environment instead.
    let exe = std::env::current_exe().unwrap();
    let run = |value: Option<&str>| {
        let mut child = std::process::Command::new(&exe);
        child.args([
            "--exact",
            "from_env_child",
            "--nocapture",
            "--include-ignored",
        ]);
        child
            .env_remove("HOTMART_HOTTOK")
            .env("WEBHOOK_FROM_ENV_CHILD", "1");
        if let Some(value) = value {
            child.env("HOTMART_HOTTOK", value);
        }
        let out = child.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run(None).contains("refused: HOTMART_HOTTOK is unset or empty"));
    assert!(run(Some("")).contains("refused: HOTMART_HOTTOK is unset or empty"));
    let accepted = run(Some(HOTTOK));
    assert!(
        accepted.contains("accepted") && !accepted.contains(HOTTOK),
        "{accepted}"
    );
}

#[test]
#[ignore = "run by from_env_reads_hotmart_hottok_and_names_it_when_unset"]
fn from_env_child() {
    if std::env::var_os("WEBHOOK_FROM_ENV_CHILD").is_none() {
        return;
    }
    match Verifier::from_env() {
        Ok(v) => {
            assert!(v.verify(Some(HOTTOK), BODY).is_ok());
            println!("accepted {v:?}");
        }
        Err(err) => {
            assert_eq!(
                err,
                Error::HottokUnset {
                    variable: "HOTMART_HOTTOK"
                }
            );
            println!("refused: {err}");
        }
    }
}

#[test]
fn no_hottok_or_body_text_in_errors_debug_or_logs() {
    log::set_logger(&LOGS).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let v = verifier();
    let long = vec![b'{'; MAX_BODY + 10];
    let deliveries: [(Option<&str>, &[u8]); 8] = [
        (None, BODY),
        (Some(""), BODY),
        (Some("Hk7qP2rT9sLw4vXz8yBn3mCd6fGh1jKa5e0"), BODY),
        (Some("guess-Hk7qP2rT9sLw4vXz8yBn3mCd6fGh1jKa5e0u"), BODY),
        (Some(HOTTOK), b"HPBODYSECRET1 body-mail@example.com"),
        (
            Some(HOTTOK),
            br#"{"id":"HPBODYSECRET1","event":{"body-mail":1}}"#,
        ),
        (
            Some(HOTTOK),
            br#"{"event":"HPBODYSECRET1","data":"body-mail@example.com"}"#,
        ),
        (Some(HOTTOK), &long),
    ];
    let mut shown = vec![format!("{v:?}")];
    for (header, body) in deliveries {
        let err = v.verify(header, body).unwrap_err();
        let display = err.to_string();
        assert!(
            display.contains("answer 4"),
            "says what to answer: {display}"
        );
        shown.push(display);
        shown.push(format!("{err:?}"));
    }
    for err in [
        Verifier::new("").unwrap_err(),
        Verifier::new("x".repeat(300)).unwrap_err(),
    ] {
        shown.push(format!("{err} {err:?}"));
    }
    let event = Event::parse(BODY).unwrap();
    shown.push(
        format!("{event:?}")
            .replace("HPBODYSECRET1", "")
            .replace("body-mail@", ""),
    );
    shown.extend(LOGS.0.lock().unwrap().iter().cloned());
    assert!(shown.len() > 20 && shown.iter().any(|l| l.contains("delivery refused")));
    for text in &shown {
        for secret in [
            "Hk7qP2rT9sLw4vXz8yBn3mCd6fGh1jKa5e0",
            "HPBODYSECRET1",
            "body-mail",
        ] {
            assert!(!text.contains(secret), "{secret} leaked into: {text}");
        }
    }
}

/// An id is text or an integer: a number past the integers reads back rounded, so two
/// different events would share an id and the second be taken for a redelivery.
#[test]
fn an_id_that_is_not_an_exact_integer_is_refused() {
    let body = |id: &str| format!(r#"{{"id":{id},"event":"PURCHASE_APPROVED","data":{{}}}}"#);
    for id in ["18446744073709551616", "18446744073709551617", "1.5", "1e3"] {
        let err = Event::parse(body(id).as_bytes()).unwrap_err();
        assert_eq!(err, Error::NotAnEvent { member: "id" }, "{id}");
    }
    for (id, read) in [
        ("18446744073709551615", "18446744073709551615"),
        ("-7", "-7"),
        (r#""e-1""#, "e-1"),
    ] {
        assert_eq!(Event::parse(body(id).as_bytes()).unwrap().id(), read);
    }
}
