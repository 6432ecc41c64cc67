//! `hotmart webhook serve` and `hotmart webhook verify`, the real binary on 127.0.0.1, with
//! Hotmart's published samples as bodies (only their `id` changed): refusals, the CGI entry,
//! help and usage, and the burst. What `--out` and `--exec` keep, and how they recover, is in
//! `webhook_keep.rs`.

mod webhook_support;

use std::io::Write;
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use webhook_support::{
    Conn, HOTTOK, Serve, TempDir, assert_quiet, event, hotmart, ids_in, samples, with_id,
};

// ---- serve: refusals -------------------------------------------------------------------

#[test]
fn serve_does_not_start_without_the_hottok() {
    let dir = TempDir::new("unset");
    for hottok in [None, Some(""), Some("  ")] {
        let out = hotmart(dir.path(), hottok)
            .args(["webhook", "serve", "--listen", "127.0.0.1:0", "--out"])
            .arg(dir.path().join("events.ndjson"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{hottok:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("HOTMART_HOTTOK"), "{stderr}");
        assert!(out.stdout.is_empty(), "it must not have listened");
    }
    assert!(!dir.path().join("events.ndjson").exists());
}

/// A delivery with `hottok` is answered 401 and its connection closed (so that it holds none
/// of the receiver's places), and nothing is kept or shown.
fn serve_refuses(label: &str, hottok: Option<&str>) {
    let dir = TempDir::new(label);
    let out = dir.path().join("events.ndjson");
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &["--out", out.to_str().unwrap()]);
    let mut conn = Conn::open(serve.addr).unwrap();
    let (status, body) = conn.post(hottok, &event("refused-1")).unwrap();
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("X-HOTMART-HOTTOK"), "{body}");
    assert!(conn.closed(), "a refused sender keeps its connection");
    assert!(
        conn.post(Some(HOTTOK), &event("refused-1")).is_err(),
        "the connection of a refused sender still takes requests"
    );
    assert_eq!(ids_in(&out), Vec::<String>::new());
    // The same event with the right hottok is then taken: the refusal marked nothing.
    let mut conn = Conn::open(serve.addr).unwrap();
    let (status, _) = conn.post(Some(HOTTOK), &event("refused-1")).unwrap();
    assert!(
        !conn.closed(),
        "a delivery that is taken keeps its connection alive"
    );
    assert_eq!(status, 200);
    assert_eq!(ids_in(&out), ["refused-1"]);
    let stderr = serve.stderr();
    assert!(stderr.contains("refused a delivery"), "{stderr}");
    assert_quiet(
        &format!("{stderr}{body}"),
        &[hottok.unwrap_or(HOTTOK), "refused-1"],
    );
}

#[test]
fn serve_refuses_a_missing_hottok() {
    serve_refuses("missing", None);
}

#[test]
fn serve_refuses_an_empty_hottok() {
    serve_refuses("empty", Some(""));
}

#[test]
fn serve_refuses_a_wrong_hottok() {
    serve_refuses("wrong", Some("hottok-of-someone-else"));
}

/// A sender without the hottok is answered by its head alone: neither a `100 Continue` nor a
/// wait for the mebibyte its head announces, so that refused senders cost a head each.
#[test]
fn serve_refuses_a_wrong_hottok_before_the_body() {
    let dir = TempDir::new("before-body");
    let out = dir.path().join("events.ndjson");
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &["--out", out.to_str().unwrap()]);
    for expect in ["", "Expect: 100-continue\r\n"] {
        let mut conn = Conn::open(serve.addr).unwrap();
        let head = format!(
            "POST / HTTP/1.1\r\nHost: x\r\nX-HOTMART-HOTTOK: wrong\r\n{expect}\
             Content-Length: {}\r\n\r\n",
            hotmart::webhook::MAX_BODY
        );
        let (status, answer) = conn.send_raw(head.as_bytes()).unwrap();
        assert_eq!(status, 401, "{expect:?}: {answer}");
        assert!(conn.closed(), "{expect:?}");
    }
    assert!(ids_in(&out).is_empty());
}

/// Two hottok headers, the right one among them, are refused whichever comes first: a proxy
/// that appends its own must not make the first one decide.
#[test]
fn serve_refuses_two_hottok_headers() {
    let dir = TempDir::new("two-hottoks");
    let out = dir.path().join("events.ndjson");
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &["--out", out.to_str().unwrap()]);
    let body = event("two-hottoks-1");
    for (first, second) in [(HOTTOK, "wrong"), ("wrong", HOTTOK)] {
        let mut conn = Conn::open(serve.addr).unwrap();
        let head = format!(
            "POST / HTTP/1.1\r\nHost: x\r\nX-HOTMART-HOTTOK: {first}\r\n\
             X-HOTMART-HOTTOK: {second}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let mut request = head.into_bytes();
        request.extend_from_slice(&body);
        let (status, answer) = conn.send_raw(&request).unwrap();
        assert_eq!(status, 400, "{answer}");
        assert!(conn.closed(), "an ambiguous sender keeps its connection");
        assert_quiet(&answer, &[HOTTOK]);
    }
    assert_eq!(ids_in(&out), Vec::<String>::new());
}

#[test]
fn serve_refuses_bad_bodies_and_other_methods() {
    let dir = TempDir::new("bodies");
    let out = dir.path().join("events.ndjson");
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &["--out", out.to_str().unwrap()]);
    let mut conn = Conn::open(serve.addr).unwrap();
    for body in [
        &b"not json"[..],
        b"{\"event\":\"PURCHASE_APPROVED\"}",
        b"[]",
    ] {
        assert_eq!(conn.post(Some(HOTTOK), body).unwrap().0, 400);
    }
    let mut big = event("big-1");
    big.resize(hotmart::webhook::MAX_BODY + 1, b' ');
    let mut conn = Conn::open(serve.addr).unwrap();
    assert_eq!(conn.post(Some(HOTTOK), &big).unwrap().0, 413);
    let mut conn = Conn::open(serve.addr).unwrap();
    let (status, _) = conn
        .send_raw(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    assert_eq!(status, 405);
    assert!(conn.closed());
    let mut head = b"POST / HTTP/1.1\r\nX-Filler: ".to_vec();
    head.resize(64 * 1024, b'a');
    let mut conn = Conn::open(serve.addr).unwrap();
    assert_eq!(conn.send_raw(&head).unwrap().0, 431);
    assert!(ids_in(&out).is_empty());
    assert_quiet(&serve.stderr(), &["big-1"]);
}

// ---- verify (CGI) ----------------------------------------------------------------------

fn verify(dir: &TempDir, header: Option<&str>, body: &[u8]) -> Output {
    let mut cmd = hotmart(dir.path(), Some(HOTTOK));
    cmd.args(["webhook", "verify"])
        .env("REQUEST_METHOD", "POST")
        .env("CONTENT_LENGTH", body.len().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(header) = header {
        cmd.env("HTTP_X_HOTMART_HOTTOK", header);
    }
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // A refused hottok ends the run before the body is read: the pipe may close early.
    let _ = stdin.write_all(body);
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn verify_refuses(label: &str, header: Option<&str>) {
    let dir = TempDir::new(label);
    let out = verify(&dir, header, &event("cgi-refused"));
    assert_eq!(out.status.code(), Some(7));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("X-HOTMART-HOTTOK"), "{stderr}");
    assert_quiet(&stderr, &[header.unwrap_or(HOTTOK), "cgi-refused"]);
}

#[test]
fn verify_refuses_a_missing_hottok() {
    verify_refuses("cgi-missing", None);
}

#[test]
fn verify_refuses_an_empty_hottok() {
    verify_refuses("cgi-empty", Some(""));
}

#[test]
fn verify_refuses_a_wrong_hottok() {
    verify_refuses("cgi-wrong", Some("hottok-of-someone-else"));
}

#[test]
fn verify_prints_a_good_event_as_one_line_and_names_each_refusal_by_its_code() {
    let dir = TempDir::new("cgi");
    let body = event("cgi-1");
    let out = verify(&dir, Some(HOTTOK), &body);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout.iter().filter(|&&b| b == b'\n').count(), 1);
    let event = hotmart::webhook::Event::parse(&out.stdout).unwrap();
    assert_eq!(event.id(), "cgi-1");

    assert_eq!(
        verify(&dir, Some(HOTTOK), b"not json").status.code(),
        Some(8)
    );
    let mut big = body.clone();
    big.resize(hotmart::webhook::MAX_BODY + 1, b' ');
    assert_eq!(verify(&dir, Some(HOTTOK), &big).status.code(), Some(9));
    // Without the configured hottok: configuration, exit 3, naming the variable.
    let out = hotmart(dir.path(), None)
        .args(["webhook", "verify"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HOTMART_HOTTOK"));
}

// ---- help ------------------------------------------------------------------------------

#[test]
fn help_of_webhook_both_ways() {
    let dir = TempDir::new("help");
    let one = hotmart(dir.path(), None)
        .args(["help", "webhook"])
        .output()
        .unwrap();
    let two = hotmart(dir.path(), None)
        .args(["webhook", "--help"])
        .output()
        .unwrap();
    let three = hotmart(dir.path(), None)
        .args(["webhook", "serve", "--help"])
        .output()
        .unwrap();
    assert_eq!(one.status.code(), Some(0));
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.stdout, three.stdout);
    let text = String::from_utf8(one.stdout).unwrap();
    for needle in [
        "--out FILE",
        "--exec CMD",
        "HTTP_X_HOTMART_HOTTOK",
        "Never lose one",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    let global = hotmart(dir.path(), None).arg("help").output().unwrap();
    let global = String::from_utf8(global.stdout).unwrap();
    assert!(global.contains("webhook serve") && global.contains("7  webhook verify"));
}

#[test]
fn serve_usage_errors() {
    let dir = TempDir::new("usage");
    for (args, needle) in [
        (&["webhook", "serve"][..], "--out FILE or --exec"),
        (
            &["webhook", "serve", "--out", "a", "--exec", "b"],
            "exclude",
        ),
        (
            &["webhook", "serve", "--out", "a", "--listen", "nowhere"],
            "--listen",
        ),
        (&["webhook", "verify", "--out", "a"], "does not apply"),
        (&["webhook"], "serve or verify"),
    ] {
        let out = hotmart(dir.path(), Some(HOTTOK))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

/// A dedup directory that others could enter or swap stops the start (exit 3), naming it.
#[test]
fn serve_does_not_start_on_a_dedup_dir_others_control() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("open-dedup");
    let open = dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = dir.path().join("events.ndjson");
    for (ids, needle) in [
        (open.clone(), "lets other users"),
        (open.join("ids"), "other users could replace it"),
    ] {
        let run = hotmart(dir.path(), Some(HOTTOK))
            .args(["webhook", "serve", "--listen", "127.0.0.1:0"])
            .args([
                "--out",
                out.to_str().unwrap(),
                "--dedup-dir",
                ids.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(3), "{}: {stderr}", ids.display());
        assert!(stderr.contains(needle), "{stderr}");
        assert!(stderr.contains(ids.to_str().unwrap()), "{stderr}");
        assert!(run.stdout.is_empty(), "it must not have listened");
    }
}

// ---- the burst of issue 16 -------------------------------------------------------------

/// 1,000 deliveries from 8 connections, 10 % of them redeliveries, the receiver SIGKILLed once
/// halfway and restarted on the same FILE and dedup dir; each delivery is retried until it
/// is answered 200, as Hotmart does. Every event is then in FILE exactly once.
#[test]
fn burst_with_a_kill_every_event_answered_200_is_in_the_file_exactly_once() {
    const DELIVERIES: usize = 1000;
    const CONNECTIONS: usize = 8;
    let dir = TempDir::new("burst");
    let out = dir.path().join("events.ndjson");
    let ids = dir.path().join("ids");
    let args = [
        "--out",
        out.to_str().unwrap(),
        "--dedup-dir",
        ids.to_str().unwrap(),
    ];

    let samples = samples();
    let distinct = DELIVERIES * 9 / 10;
    // Every tenth delivery resends an event sent a little before it.
    let plan: Vec<Arc<Vec<u8>>> = {
        let events: Vec<Arc<Vec<u8>>> = (0..distinct)
            .map(|i| {
                Arc::new(with_id(
                    &samples[i % samples.len()],
                    &format!("burst-{i:04}"),
                ))
            })
            .collect();
        let mut plan = Vec::with_capacity(DELIVERIES);
        let mut next = 0usize;
        for n in 0..DELIVERIES {
            if n % 10 == 9 {
                plan.push(Arc::clone(&events[next.saturating_sub(5)]));
            } else {
                plan.push(Arc::clone(&events[next]));
                next += 1;
            }
        }
        plan
    };

    let serve = Serve::start(dir.path(), "127.0.0.1:0", &args);
    let addr = Arc::new(RwLock::new(serve.addr));
    let serve = Arc::new(Mutex::new(serve));
    let taken = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(DELIVERIES)));
    let started = Instant::now();
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (plan, addr, taken, answered, latencies) = (
                plan.clone(),
                Arc::clone(&addr),
                Arc::clone(&taken),
                Arc::clone(&answered),
                Arc::clone(&latencies),
            );
            std::thread::spawn(move || {
                let mut conn: Option<Conn> = None;
                let mut retries = 0usize;
                loop {
                    let n = taken.fetch_add(1, Ordering::SeqCst);
                    let Some(body) = plan.get(n) else {
                        return retries;
                    };
                    // Redelivered until answered 200, for at most a minute.
                    let deadline = Instant::now() + Duration::from_secs(60);
                    loop {
                        assert!(Instant::now() < deadline, "delivery {n} never answered 200");
                        if conn.as_ref().is_none_or(Conn::closed) {
                            conn = Conn::open(*addr.read().unwrap()).ok();
                        }
                        let Some(c) = conn.as_mut() else {
                            std::thread::sleep(Duration::from_millis(20));
                            continue;
                        };
                        let sent = Instant::now();
                        match c.post(Some(HOTTOK), body) {
                            Ok((200, _)) => {
                                latencies.lock().unwrap().push(sent.elapsed());
                                answered.fetch_add(1, Ordering::SeqCst);
                                break;
                            }
                            Ok((status, text)) => panic!("delivery {n}: {status} {text}"),
                            Err(_) => {
                                // The receiver died: not acknowledged, so sent again.
                                conn = None;
                                retries += 1;
                                std::thread::sleep(Duration::from_millis(20));
                            }
                        }
                    }
                }
            })
        })
        .collect();

    // Halfway, SIGKILL, then a new receiver on the same port, FILE and dedup dir.
    while answered.load(Ordering::SeqCst) < DELIVERIES / 2 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut peak = {
        let mut first = serve.lock().unwrap();
        let peak = first.peak_kib().unwrap_or(0);
        first.kill();
        peak
    };
    let killed_at = answered.load(Ordering::SeqCst);
    let listen = addr.read().unwrap().to_string();
    let second = Serve::start(dir.path(), &listen, &args);
    *addr.write().unwrap() = second.addr;
    *serve.lock().unwrap() = second;

    let retries: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
    let elapsed = started.elapsed();
    let serve = serve.lock().unwrap();
    peak = peak.max(serve.peak_kib().unwrap_or(0));

    let kept = ids_in(&out);
    let mut sorted = kept.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), kept.len(), "an event twice in FILE");
    let expected: Vec<String> = (0..distinct).map(|i| format!("burst-{i:04}")).collect();
    assert_eq!(sorted, expected, "every event answered 200 is in FILE");
    assert_eq!(answered.load(Ordering::SeqCst), DELIVERIES);

    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort();
    let p = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "webhook burst: {DELIVERIES} deliveries ({distinct} events, {} redeliveries) from \
         {CONNECTIONS} connections, SIGKILL after {killed_at} answered, {retries} resent: \
         {:.0} deliveries/s over {:.2} s including the restart; latency p50 {:.2} ms, p99 {:.2} ms; \
         peak memory of serve (VmHWM) {} KiB",
        DELIVERIES - distinct,
        DELIVERIES as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        p(0.50).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3,
        peak,
    );
}
