//! `hotmart webhook serve` and `hotmart webhook verify`, the real binary on 127.0.0.1, with
//! Hotmart's published samples as bodies (only their `id` changed).

mod webhook_support;

use std::io::Write;
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use webhook_support::{
    Conn, HOTTOK, Serve, TempDir, hotmart, ids_in, mkfifo, refused_start, samples, spooled, with_id,
};

fn event(id: &str) -> Vec<u8> {
    with_id(&samples()[0], id)
}

/// What neither the log nor an answer may show: the hottoks sent, and text of the bodies.
fn assert_quiet(text: &str, secrets: &[&str]) {
    let always = [HOTTOK, "Produto", "hotmart.com.br"];
    for secret in secrets.iter().chain(&always).filter(|s| !s.is_empty()) {
        assert!(!text.contains(secret), "`{secret}` shown: {text}");
    }
}

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

// ---- serve --out: once -----------------------------------------------------------------

#[test]
fn a_good_event_is_stored_once_as_one_line_and_a_redelivery_is_not_stored_again() {
    let dir = TempDir::new("once");
    let out = dir.path().join("events.ndjson");
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &["--out", out.to_str().unwrap()]);
    let body = event("once-1");
    assert!(
        body.contains(&b'\n'),
        "a sample as published, on several lines"
    );
    let mut conn = Conn::open(serve.addr).unwrap();
    assert_eq!(
        conn.post(Some(HOTTOK), &body).unwrap(),
        (200, "kept\n".into())
    );
    let line: Vec<u8> = body
        .iter()
        .map(|&b| if b == b'\n' || b == b'\r' { b' ' } else { b })
        .chain([b'\n'])
        .collect();
    assert_eq!(std::fs::read(&out).unwrap(), line, "the bytes as received");
    for _ in 0..3 {
        let (status, text) = conn.post(Some(HOTTOK), &body).unwrap();
        assert_eq!((status, text.as_str()), (200, "kept before\n"));
    }
    // Another connection, and after a restart: still once.
    drop(serve);
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &["--out", out.to_str().unwrap()]);
    let mut conn = Conn::open(serve.addr).unwrap();
    assert_eq!(conn.post(Some(HOTTOK), &body).unwrap().0, 200);
    assert_eq!(conn.post(Some(HOTTOK), &event("once-2")).unwrap().0, 200);
    assert_eq!(ids_in(&out), ["once-1", "once-2"]);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "buyers' data: private");
}

#[test]
fn a_dedup_store_that_fails_is_answered_503_and_nothing_is_kept() {
    let dir = TempDir::new("dedup-fails");
    let out = dir.path().join("events.ndjson");
    let ids = dir.path().join("ids");
    let args = [
        "--out",
        out.to_str().unwrap(),
        "--dedup-dir",
        ids.to_str().unwrap(),
    ];
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &args);
    let mut conn = Conn::open(serve.addr).unwrap();
    assert_eq!(conn.post(Some(HOTTOK), &event("df-1")).unwrap().0, 200);
    // The directory of ids replaced by a file: no id can be checked any more.
    std::fs::remove_dir_all(&ids).unwrap();
    std::fs::write(&ids, b"").unwrap();
    let (status, _) = conn.post(Some(HOTTOK), &event("df-2")).unwrap();
    assert_eq!(status, 503);
    assert_eq!(
        ids_in(&out),
        ["df-1"],
        "the line appended was cut off again"
    );
    std::fs::remove_file(&ids).unwrap();
    assert_eq!(conn.post(Some(HOTTOK), &event("df-2")).unwrap().0, 200);
    assert_eq!(ids_in(&out), ["df-1", "df-2"]);
}

/// What a kill can leave past `FILE.committed`, each settled at the next start: a torn line
/// cut; a whole line kept (marked now if it was not); a redelivery caught before its undo cut.
#[test]
fn a_start_settles_what_a_killed_receiver_left() {
    let dir = TempDir::new("settle");
    let out = dir.path().join("events.ndjson");
    let ids = dir.path().join("ids");
    let line = |id: &str| spooled(&event(id));
    let dedup = hotmart::webhook::Dedup::in_dir(&ids);
    let committed = |file: &[u8]| {
        let path = dir.path().join("events.ndjson.committed");
        std::fs::write(path, format!("{:020}\n", file.len())).unwrap();
    };
    let args = [
        "--out",
        out.to_str().unwrap(),
        "--dedup-dir",
        ids.to_str().unwrap(),
    ];

    // Settled: a, b. Then the kill states, one start each.
    let mut file = [line("a"), line("b")].concat();
    assert!(dedup.first_time("a").unwrap() && dedup.first_time("b").unwrap());
    committed(&file);
    // 1. Appended, killed before the mark: kept, and marked by the start.
    std::fs::write(&out, [file.clone(), line("c")].concat()).unwrap();
    drop(Serve::start(dir.path(), "127.0.0.1:0", &args));
    assert_eq!(ids_in(&out), ["a", "b", "c"]);
    assert!(!dedup.first_time("c").unwrap(), "marked at the start");
    file = std::fs::read(&out).unwrap();
    // 2. Appended and marked, killed before the answer: kept (its redelivery finds it).
    assert!(dedup.first_time("d").unwrap());
    std::fs::write(&out, [file.clone(), line("d")].concat()).unwrap();
    drop(Serve::start(dir.path(), "127.0.0.1:0", &args));
    assert_eq!(ids_in(&out), ["a", "b", "c", "d"]);
    file = std::fs::read(&out).unwrap();
    // 3. A redelivery of b appended, killed before its undo: cut off.
    std::fs::write(&out, [file.clone(), line("b")].concat()).unwrap();
    drop(Serve::start(dir.path(), "127.0.0.1:0", &args));
    assert_eq!(ids_in(&out), ["a", "b", "c", "d"]);
    // 4. Torn mid-line: cut off, and its event taken at the redelivery.
    let torn = line("e");
    std::fs::write(
        &out,
        [file.clone(), torn[..torn.len() / 2].to_vec()].concat(),
    )
    .unwrap();
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &args);
    assert_eq!(ids_in(&out), ["a", "b", "c", "d"]);
    let mut conn = Conn::open(serve.addr).unwrap();
    assert_eq!(conn.post(Some(HOTTOK), &event("e")).unwrap().0, 200);
    assert_eq!(conn.post(Some(HOTTOK), &event("d")).unwrap().0, 200);
    assert_eq!(ids_in(&out), ["a", "b", "c", "d", "e"]);
}

/// Ids written with JSON escapes (`\u0032` for `2`, `\"`, `\\`): a redelivery of one left past
/// `FILE.committed` is still found in FILE before it, and cut off at the next start.
#[test]
fn a_start_cuts_a_redelivery_whose_id_is_written_with_escapes() {
    let dir = TempDir::new("settle-escaped");
    let out = dir.path().join("events.ndjson");
    let ids = dir.path().join("ids");
    let line = |raw_id: &str| spooled(&event(raw_id));
    let dedup = hotmart::webhook::Dedup::in_dir(&ids);
    let args = [
        "--out",
        out.to_str().unwrap(),
        "--dedup-dir",
        ids.to_str().unwrap(),
    ];
    // As sent, and as the receiver reads them.
    let escaped = [(r"r\u0032", "r2"), (r#"q\"x\\y"#, r#"q"x\y"#)];
    let mut file = line("a");
    assert!(dedup.first_time("a").unwrap());
    for (raw, id) in escaped {
        file.extend(line(raw));
        assert!(dedup.first_time(id).unwrap());
    }
    let expected = ["a", "r2", r#"q"x\y"#];
    for (raw, _) in escaped {
        let path = dir.path().join("events.ndjson.committed");
        std::fs::write(path, format!("{:020}\n", file.len())).unwrap();
        // A redelivery appended, the receiver killed before its undo.
        std::fs::write(&out, [file.clone(), line(raw)].concat()).unwrap();
        drop(Serve::start(dir.path(), "127.0.0.1:0", &args));
        assert_eq!(ids_in(&out), expected, "{raw}");
        assert_eq!(std::fs::read(&out).unwrap(), file);
    }
}

// ---- serve --out: FILE's checks --------------------------------------------------------

/// A FILE (and FILE.committed) already there with a looser mode is made 0600.
#[test]
fn an_existing_out_file_is_made_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("out-mode");
    let out = dir.path().join("events.ndjson");
    let committed = dir.path().join("events.ndjson.committed");
    for path in [&out, &committed] {
        std::fs::write(path, b"").unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &["--out", out.to_str().unwrap()]);
    for path in [&out, &committed] {
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
    let mut conn = Conn::open(serve.addr).unwrap();
    assert_eq!(conn.post(Some(HOTTOK), &event("mode-1")).unwrap().0, 200);
    assert_eq!(ids_in(&out), ["mode-1"]);
}

/// A symlink at FILE or FILE.committed is not followed: the start stops (exit 3), naming it,
/// and the file it points to is left as it was.
#[test]
fn serve_does_not_start_on_a_symlink_at_out() {
    let dir = TempDir::new("out-symlink");
    let out = dir.path().join("events.ndjson");
    let target = dir.path().join("elsewhere");
    std::fs::write(&target, b"theirs\n").unwrap();
    for link in [out.clone(), dir.path().join("events.ndjson.committed")] {
        let _ = std::fs::remove_file(&out);
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let (code, stderr) = refused_start(dir.path(), &["--out", out.to_str().unwrap()]);
        assert_eq!(code, Some(3), "{stderr}");
        assert!(stderr.contains("symbolic link"), "{stderr}");
        assert!(stderr.contains(link.to_str().unwrap()), "{stderr}");
        assert_eq!(std::fs::read(&target).unwrap(), b"theirs\n");
        std::fs::remove_file(&link).unwrap();
    }
}

/// A FIFO at FILE stops the start (exit 3) instead of taking deliveries it would hang on.
#[test]
fn serve_does_not_start_on_a_fifo_at_out() {
    let dir = TempDir::new("out-fifo");
    let out = dir.path().join("events.ndjson");
    mkfifo(&out);
    let (code, stderr) = refused_start(dir.path(), &["--out", out.to_str().unwrap()]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

/// FILE in a directory others may write (0777, not sticky) stops the start (exit 3): they
/// could swap FILE for a file or a link of theirs.
#[test]
fn serve_does_not_start_with_out_in_a_directory_others_control() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("out-open-dir");
    let open = dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = open.join("events.ndjson");
    let ids = dir.path().join("ids");
    let (code, stderr) = refused_start(
        dir.path(),
        &[
            "--out",
            out.to_str().unwrap(),
            "--dedup-dir",
            ids.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains(open.to_str().unwrap()), "{stderr}");
    assert!(stderr.contains("lets other users"), "{stderr}");
    assert!(!out.exists(), "made in a directory others control");
}

// ---- serve --exec ----------------------------------------------------------------------

#[test]
fn a_failing_command_is_answered_5xx_and_its_event_taken_at_the_redelivery() {
    let dir = TempDir::new("exec");
    let kept = dir.path().join("kept.ndjson");
    let ready = dir.path().join("ready");
    // Fails until `ready` exists; then appends its stdin.
    let script = format!(
        "[ -e '{}' ] || exit 1; cat >> '{}'",
        ready.display(),
        kept.display()
    );
    let serve = Serve::start(
        dir.path(),
        "127.0.0.1:0",
        &["--exec-timeout", "20s", "--exec", "sh", "-c", &script],
    );
    let mut conn = Conn::open(serve.addr).unwrap();
    let body = event("exec-1");
    let (status, _) = conn.post(Some(HOTTOK), &body).unwrap();
    assert_eq!(status, 500);
    assert!(ids_in(&kept).is_empty());
    std::fs::write(&ready, b"").unwrap();
    assert_eq!(
        conn.post(Some(HOTTOK), &body).unwrap(),
        (200, "done\n".into())
    );
    assert_eq!(
        conn.post(Some(HOTTOK), &body).unwrap(),
        (200, "done before\n".into())
    );
    assert_eq!(ids_in(&kept), ["exec-1"]);
    let stderr = serve.stderr();
    assert!(stderr.contains("the command failed"), "{stderr}");
    assert_quiet(&stderr, &["exec-1"]);
}

#[test]
fn a_command_past_its_time_is_killed_and_answered_5xx() {
    let dir = TempDir::new("exec-slow");
    let serve = Serve::start(
        dir.path(),
        "127.0.0.1:0",
        &["--exec-timeout", "1s", "--exec", "sleep", "600"],
    );
    let mut conn = Conn::open(serve.addr).unwrap();
    assert_eq!(conn.post(Some(HOTTOK), &event("slow-1")).unwrap().0, 500);
    assert!(serve.stderr().contains("killed"), "{}", serve.stderr());
}

#[test]
fn the_command_does_not_get_the_hottok() {
    let dir = TempDir::new("exec-env");
    let env = dir.path().join("env");
    let script = format!("env > '{}'", env.display());
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &["--exec", "sh", "-c", &script]);
    let mut conn = Conn::open(serve.addr).unwrap();
    assert_eq!(conn.post(Some(HOTTOK), &event("env-1")).unwrap().0, 200);
    let env = std::fs::read_to_string(env).unwrap();
    assert!(env.contains("HOTMART_EVENT_ID=env-1"), "{env}");
    assert!(env.contains("HOTMART_EVENT=CLUB_FIRST_ACCESS"), "{env}");
    assert!(!env.contains(HOTTOK), "{env}");
}

/// A receiver whose command, for the event `body`, says so on the FIFO `started` and then
/// waits on the FIFO `gate`: once it runs, `meanwhile`, then the receiver is SIGKILLed. The
/// command outlives it until the [`Gate`] returned is dropped.
fn kill_while_its_command_runs(
    dir: &TempDir,
    ids: &std::path::Path,
    body: Vec<u8>,
    meanwhile: impl FnOnce(),
) -> Gate {
    let started = dir.path().join("started");
    let gate = dir.path().join("gate");
    mkfifo(&started);
    mkfifo(&gate);
    let script = format!(
        "echo > '{}'; cat '{}' > /dev/null",
        started.display(),
        gate.display()
    );
    let mut serve = Serve::start(
        dir.path(),
        "127.0.0.1:0",
        &[
            "--dedup-dir",
            ids.to_str().unwrap(),
            "--exec",
            "sh",
            "-c",
            &script,
        ],
    );
    let addr = serve.addr;
    let poster = std::thread::spawn(move || Conn::open(addr).unwrap().post(Some(HOTTOK), &body));
    // Returns once the command runs: the id is claimed, its note written.
    std::fs::read(&started).unwrap();
    let gate = Gate(gate);
    meanwhile();
    serve.kill();
    assert!(poster.join().unwrap().is_err(), "answered, though killed");
    gate
}

/// Ends the command of [`kill_while_its_command_runs`] when dropped, the test passed or not:
/// the writer's open waits for the command's `cat`, which is on its way.
struct Gate(std::path::PathBuf);

impl Drop for Gate {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.0, b"");
    }
}

/// A receiver `--exec` that appends each event to `kept`.
fn keeping(dir: &TempDir, ids: &std::path::Path, kept: &std::path::Path) -> Serve {
    let script = format!("cat >> '{}'", kept.display());
    Serve::start(
        dir.path(),
        "127.0.0.1:0",
        &[
            "--dedup-dir",
            ids.to_str().unwrap(),
            "--exec",
            "sh",
            "-c",
            &script,
        ],
    )
}

/// Two receivers on one dedup directory: a redelivery taken by the second while the first
/// runs the command leaves the first's pending note alone, so that when the first is killed
/// mid-run its restart still forgets the id and the event runs at its next delivery.
#[test]
fn a_redelivery_to_another_receiver_keeps_the_note_of_the_run_in_flight() {
    let dir = TempDir::new("exec-shared");
    let ids = dir.path().join("ids");
    let kept = dir.path().join("kept.ndjson");
    let body = event("shared-1");
    let other = keeping(&dir, &ids, &kept);
    let _gate = kill_while_its_command_runs(&dir, &ids, body.clone(), || {
        // Claimed by the first, whose command runs: the other answers it taken.
        let mut conn = Conn::open(other.addr).unwrap();
        assert_eq!(
            conn.post(Some(HOTTOK), &body).unwrap(),
            (200, "done before\n".into())
        );
    });
    drop(other);
    let again = keeping(&dir, &ids, &kept);
    let mut conn = Conn::open(again.addr).unwrap();
    assert_eq!(
        conn.post(Some(HOTTOK), &body).unwrap(),
        (200, "done\n".into()),
        "the event of the killed run was lost"
    );
    assert_eq!(ids_in(&kept), ["shared-1"]);
}

/// The note of an id longer than 4 KiB is read whole: the restart forgets that id, not a
/// cut one, and the event runs at its redelivery.
#[test]
fn a_long_id_noted_when_its_receiver_was_killed_is_forgotten_at_the_restart() {
    let dir = TempDir::new("exec-long-id");
    let ids = dir.path().join("ids");
    let kept = dir.path().join("kept.ndjson");
    let id = format!("long-{}", "x".repeat(8 * 1024));
    let _gate = kill_while_its_command_runs(&dir, &ids, event(&id), || {});
    let serve = keeping(&dir, &ids, &kept);
    let mut conn = Conn::open(serve.addr).unwrap();
    assert_eq!(
        conn.post(Some(HOTTOK), &event(&id)).unwrap(),
        (200, "done\n".into())
    );
    assert_eq!(ids_in(&kept), [id]);
}

/// A pending directory others may write stops the start (exit 3), naming it.
#[test]
fn serve_does_not_start_on_a_pending_dir_others_control() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("exec-open-pending");
    let ids = dir.path().join("ids");
    let pending = dir.path().join("ids.pending");
    std::fs::create_dir(&pending).unwrap();
    std::fs::set_permissions(&pending, std::fs::Permissions::from_mode(0o777)).unwrap();
    let (code, stderr) = refused_start(
        dir.path(),
        &["--dedup-dir", ids.to_str().unwrap(), "--exec", "true"],
    );
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains(pending.to_str().unwrap()), "{stderr}");
    assert!(stderr.contains("lets other users"), "{stderr}");
}

/// A FIFO in the pending directory is not opened as a note (the open would wait for a writer
/// for good): the start skips it, and a note beside it is still read.
#[test]
fn a_fifo_in_the_pending_dir_is_not_opened() {
    let dir = TempDir::new("exec-pending-fifo");
    let ids = dir.path().join("ids");
    let kept = dir.path().join("kept.ndjson");
    let pending = dir.path().join("ids.pending");
    hotmart::webhook::DirStore::new(&pending).prepare().unwrap();
    let fifo = pending.join("planted");
    mkfifo(&fifo);
    // If the receiver opens the FIFO, this writer gets in, says so, and lets it go on.
    let opened = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (fifo, opened) = (fifo.clone(), Arc::clone(&opened));
        std::thread::spawn(move || {
            let mut end = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            opened.store(true, Ordering::SeqCst);
            let _ = end.write_all(b"planted-1");
        })
    };
    let dedup = hotmart::webhook::Dedup::in_dir(&ids);
    assert!(dedup.first_time("noted-1").unwrap());
    std::fs::write(pending.join("note"), b"noted-1").unwrap();
    let serve = keeping(&dir, &ids, &kept);
    assert!(
        !opened.load(Ordering::SeqCst),
        "the start opened a FIFO in the pending directory"
    );
    assert!(fifo.exists(), "left alone");
    let mut conn = Conn::open(serve.addr).unwrap();
    assert_eq!(
        conn.post(Some(HOTTOK), &event("noted-1")).unwrap(),
        (200, "done\n".into())
    );
    // The writer waits for a reader: this one lets it end.
    drop(std::fs::read(&fifo));
    writer.join().unwrap();
}

/// A value the system cannot pass in an environment (a NUL byte; over 128 KiB, E2BIG) is
/// left out, with a warning naming the variable; the command still runs with the event.
#[test]
fn a_variable_the_system_cannot_pass_is_left_out_and_the_command_still_runs() {
    let dir = TempDir::new("exec-env-limits");
    let seen = dir.path().join("seen");
    let kept = dir.path().join("kept.ndjson");
    let script = format!(
        "printf '%s %s\\n' \"${{HOTMART_EVENT-unset}}\" \"${{#HOTMART_EVENT_ID}}\" >> '{}'; \
         cat >> '{}'",
        seen.display(),
        kept.display()
    );
    let serve = Serve::start(dir.path(), "127.0.0.1:0", &["--exec", "sh", "-c", &script]);
    let mut conn = Conn::open(serve.addr).unwrap();
    let long = format!("big-{}", "y".repeat(200 * 1024));
    assert_eq!(
        conn.post(Some(HOTTOK), &event(&long)).unwrap(),
        (200, "done\n".into())
    );
    let text = String::from_utf8(event("nul-kind-1")).unwrap();
    let nul_kind = text.replacen("\"CLUB_FIRST_ACCESS\"", "\"CLUB\\u0000ACCESS\"", 1);
    assert_ne!(nul_kind, text, "the sample's kind");
    assert_eq!(
        conn.post(Some(HOTTOK), nul_kind.as_bytes()).unwrap(),
        (200, "done\n".into())
    );
    assert_eq!(ids_in(&kept), [long.clone(), "nul-kind-1".into()]);
    let seen = std::fs::read_to_string(&seen).unwrap();
    assert_eq!(seen, "CLUB_FIRST_ACCESS 0\nunset 10\n");
    let stderr = serve.stderr();
    assert!(stderr.contains("HOTMART_EVENT_ID is left out"), "{stderr}");
    assert!(stderr.contains("HOTMART_EVENT is left out"), "{stderr}");
    assert_quiet(&stderr, &[&long[..64], "nul-kind-1"]);
}

/// An `--exec-timeout` past a day is a usage error (exit 2) naming the limit, not a receiver
/// whose every delivery fails; a day is taken.
#[test]
fn an_exec_timeout_over_a_day_is_refused() {
    let dir = TempDir::new("exec-timeout-cap");
    for timeout in ["18446744073709551615s", "25h", "86401s"] {
        let (code, stderr) =
            refused_start(dir.path(), &["--exec-timeout", timeout, "--exec", "true"]);
        assert_eq!(code, Some(2), "{timeout}: {stderr}");
        assert!(stderr.contains("--exec-timeout"), "{stderr}");
        assert!(stderr.contains("1d (86400s)"), "{stderr}");
    }
    let serve = Serve::start(
        dir.path(),
        "127.0.0.1:0",
        &["--exec-timeout", "1d", "--exec", "true"],
    );
    let mut conn = Conn::open(serve.addr).unwrap();
    assert_eq!(conn.post(Some(HOTTOK), &event("day-1")).unwrap().0, 200);
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
         {:.0} events/s over {:.2} s including the restart; latency p50 {:.2} ms, p99 {:.2} ms; \
         peak memory of serve (VmHWM) {} KiB",
        DELIVERIES - distinct,
        DELIVERIES as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        p(0.50).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3,
        peak,
    );
}
