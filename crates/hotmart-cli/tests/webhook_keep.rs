//! What `hotmart webhook serve` keeps and how it recovers, the real binary on 127.0.0.1 with
//! Hotmart's published samples as bodies: `--out FILE` once per event across kills and its
//! file checks, `--exec CMD` and its pending notes.

mod webhook_support;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use webhook_support::{
    Conn, HOTTOK, Serve, TempDir, assert_quiet, event, ids_in, mkfifo, refused_start, spooled,
};

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
