//! What `hotmart webhook serve` and `verify` pass on, and how they bound themselves, the real
//! binary on 127.0.0.1: the hottok a body carries redacted wherever the event goes, a few
//! deliveries parsed at once, a timed-out command killed with all it started, and a
//! `CONTENT_LENGTH` past `u64` in `verify`.

mod webhook_support;

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use webhook_support::{
    BIN, Conn, HOTTOK, Serve, TempDir, assert_quiet, event, ids_in, with_body_hottok,
};

/// The samples whose body carries a hottok, as Hotmart publishes them.
const WITH_HOTTOK: [&str; 4] = [
    "PURCHASE_APPROVED-3",
    "PURCHASE_APPROVED-7",
    "UPDATE_SUBSCRIPTION_CHARGE_DATE-1",
    "UPDATE_SUBSCRIPTION_CHARGE_DATE-3",
];

/// `text` holds the events of `ids`, each with its hottok member redacted, and no hottok.
fn assert_redacted(text: &[u8], ids: &[String]) {
    let text = String::from_utf8_lossy(text);
    assert!(!text.contains(HOTTOK), "the hottok passed on: {text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), ids.len(), "{text}");
    for (line, id) in lines.iter().zip(ids) {
        let event = hotmart::webhook::Event::parse(line.as_bytes()).expect("an event");
        assert_eq!(event.id(), id);
        let redacted = line.replace(": ", ":");
        assert_eq!(
            redacted.matches(r#""hottok":"<redacted>""#).count(),
            1,
            "{line}"
        );
    }
}

fn ids(label: &str) -> Vec<String> {
    (0..WITH_HOTTOK.len())
        .map(|i| format!("{label}-{i}"))
        .collect()
}

// ---- the hottok of a body ----------------------------------------------------------------

#[test]
fn the_out_file_holds_no_hottok_of_a_body() {
    let dir = TempDir::new("redact-out");
    let out = dir.path().join("events.ndjson");
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &["--out", out.to_str().unwrap()]);
    let mut conn = Conn::open(serve.addr).unwrap();
    let ids = ids("out");
    for (name, id) in WITH_HOTTOK.iter().zip(&ids) {
        let body = with_body_hottok(name, id);
        assert!(String::from_utf8_lossy(&body).contains(HOTTOK));
        assert_eq!(conn.post(Some(HOTTOK), &body).unwrap().0, 200, "{name}");
    }
    assert_redacted(&std::fs::read(&out).unwrap(), &ids);
    // Settled at a restart like any other line: the redacted one is the event.
    drop(serve);
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &["--out", out.to_str().unwrap()]);
    let mut conn = Conn::open(serve.addr).unwrap();
    let again = with_body_hottok(WITH_HOTTOK[0], &ids[0]);
    assert_eq!(
        conn.post(Some(HOTTOK), &again).unwrap(),
        (200, "kept before\n".into())
    );
    assert_eq!(ids_in(&out), ids);
    assert_quiet(&serve.stderr(), &[]);
}

#[test]
fn the_command_reads_no_hottok_of_a_body() {
    let dir = TempDir::new("redact-exec");
    let kept = dir.path().join("kept.ndjson");
    let script = format!("cat >> '{}'", kept.display());
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &["--exec", "sh", "-c", &script]);
    let mut conn = Conn::open(serve.addr).unwrap();
    let ids = ids("exec");
    for (name, id) in WITH_HOTTOK.iter().zip(&ids) {
        let body = with_body_hottok(name, id);
        assert_eq!(
            conn.post(Some(HOTTOK), &body).unwrap(),
            (200, "done\n".into()),
            "{name}"
        );
    }
    assert_redacted(&std::fs::read(&kept).unwrap(), &ids);
}

/// `sh -c 'exec hotmart webhook verify REDIRECT'` with `body` on stdin and `CONTENT_LENGTH`
/// `length`, through a shell as a CGI server's script would run it.
fn verify_in_sh(dir: &TempDir, redirect: &str, length: &str, body: &[u8]) -> Output {
    let mut child = Command::new("sh")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path().join("home"))
        .env("HOTMART_HOTTOK", HOTTOK)
        .env("HTTP_X_HOTMART_HOTTOK", HOTTOK)
        .env("CONTENT_LENGTH", length)
        .env("HOTMART_BIN", BIN)
        .args([
            "-c",
            &format!("exec \"$HOTMART_BIN\" webhook verify {redirect}"),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // A run refused before the body is read may close the pipe early.
    let _ = stdin.write_all(body);
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn verify_prints_no_hottok_of_a_body() {
    let dir = TempDir::new("redact-verify");
    for (i, name) in WITH_HOTTOK.iter().enumerate() {
        let id = format!("verify-{i}");
        let body = with_body_hottok(name, &id);
        let out = verify_in_sh(&dir, "", &body.len().to_string(), &body);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_redacted(&out.stdout, &[id]);
        assert!(!String::from_utf8_lossy(&out.stderr).contains(HOTTOK));
    }
}

// ---- verify: CONTENT_LENGTH ----------------------------------------------------------------

#[test]
fn verify_takes_a_content_length_past_u64_for_a_body_too_large() {
    let dir = TempDir::new("verify-length");
    let body = event("length-1");
    for (length, code) in [
        ("99999999999999999999999", 9),
        ("18446744073709551616", 9),
        ("1048577", 9),
        ("12a", 8),
        ("-1", 8),
        ("+12", 8),
    ] {
        let out = verify_in_sh(&dir, "", length, &body);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{length}: {stderr}");
        assert!(out.stdout.is_empty(), "{length}");
    }
}

// ---- serve --exec: a timeout kills all the command started ---------------------------------

/// Whether the process `pid` is gone (or a zombie: a container's init may not reap it).
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/status")) {
        Ok(status) => status
            .lines()
            .any(|l| l.starts_with("State:") && (l.contains('Z') || l.contains('X'))),
        Err(_) => true,
    }
}

#[test]
fn a_timeout_kills_what_the_command_started_too() {
    let dir = TempDir::new("exec-group");
    let pid = dir.path().join("pid");
    let ran = dir.path().join("ran");
    // A grandchild that notes its pid, then writes `ran` well after the time limit; the
    // command waits for it.
    let grandchild = format!(
        r#"echo $$ > "{pid}.new" && mv "{pid}.new" "{pid}"; sleep 10; echo ran > "{ran}""#,
        pid = pid.display(),
        ran = ran.display()
    );
    let script = format!("sh -c '{grandchild}' & wait");
    let serve = Serve::start(
        dir.path(),
        "127.0.0.1:0",
        &["--exec-timeout", "5s", "--exec", "sh", "-c", &script],
    );
    let mut conn = Conn::open(serve.addr).unwrap();
    assert_eq!(conn.post(Some(HOTTOK), &event("group-1")).unwrap().0, 500);
    let pid: u32 = std::fs::read_to_string(&pid)
        .expect("the grandchild started within the limit")
        .trim()
        .parse()
        .unwrap();
    // Gone either way: killed, or after its write (which fails the test below).
    let until = Instant::now() + Duration::from_secs(120);
    while !gone(pid) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(gone(pid), "the grandchild {pid} still runs");
    assert!(!ran.exists(), "the grandchild ran on past the 500");
    assert!(serve.stderr().contains("killed"), "{}", serve.stderr());
}

// ---- serve: a few deliveries parsed at once ----------------------------------------------

/// An event of about a mebibyte of small objects: its tree is about a hundred times that.
fn big_event(id: &str) -> Vec<u8> {
    let head = format!(r#"{{"id":"{id}","event":"PURCHASE_APPROVED","data":{{"items":["#);
    let tail = "]}}";
    let item = r#"{"a":1},"#;
    let n = (hotmart::webhook::MAX_BODY - head.len() - tail.len() - 8) / item.len();
    let mut body = head + &item.repeat(n) + r#"{"a":1}"#;
    body.push_str(tail);
    assert!(body.len() <= hotmart::webhook::MAX_BODY);
    body.into_bytes()
}

#[test]
fn many_big_bodies_at_once_are_all_answered_and_parsed_a_few_at_a_time() {
    const DELIVERIES: usize = 40;
    let dir = TempDir::new("big-bodies");
    let out = dir.path().join("events.ndjson");
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &["--out", out.to_str().unwrap()]);
    let start = Barrier::new(DELIVERIES);
    let answers: Vec<(String, u16)> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..DELIVERIES)
            .map(|i| {
                let (start, addr) = (&start, serve.addr);
                scope.spawn(move || {
                    let id = format!("big-{i}");
                    let body = big_event(&id);
                    let mut conn = Conn::open(addr).unwrap();
                    start.wait();
                    let (status, text) = conn.post(Some(HOTTOK), &body).expect("an answer");
                    assert!(
                        matches!(
                            (status, text.as_str()),
                            (200, "kept\n") | (503, "busy; send it again\n")
                        ),
                        "{status} {text}"
                    );
                    (id, status)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let mut kept: Vec<String> = answers
        .iter()
        .filter(|(_, status)| *status == 200)
        .map(|(id, _)| id.clone())
        .collect();
    assert!(!kept.is_empty(), "{answers:?}");
    let mut in_file = ids_in(&out);
    kept.sort();
    in_file.sort();
    assert_eq!(in_file, kept);
    let peak = serve.peak_kib().expect("VmHWM of serve");
    eprintln!(
        "{DELIVERIES} big bodies at once: {} kept, {} busy; peak memory of serve {peak} KiB",
        kept.len(),
        DELIVERIES - kept.len()
    );
    // Forty trees at once took 2.5 GB; four, with the forty bodies held, take well under 1.
    assert!(peak < 1_200_000, "{peak} KiB");
    assert_quiet(&serve.stderr(), &[]);
}
