//! `--exec CMD`: each accepted event on a command's stdin; 200 only if it exits 0 in time.
//!
//! The order is *claim, run, release or forget*, since a command's effect cannot be undone:
//! the id is marked before the command runs (so a redelivery arriving meanwhile, here or in
//! another receiver, does not run it twice), and forgotten if the command fails, so that
//! Hotmart's next delivery runs it again. What a kill in the middle would lose (the id marked,
//! the command not finished) is covered by a pending note written before the claim and
//! removed after: at start, every id still noted is forgotten. A command killed with its
//! receiver may thus run again for the same event (at least once), never not at all.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use hotmart::webhook::{Dedup, DirStore, MAX_BODY};

use super::Accepted;

/// Linux's limit on one string of a program's environment, `NAME=value` and its NUL
/// (`MAX_ARG_STRLEN`).
const MAX_ENV_STRING: usize = 128 * 1024;

/// How much longer than the time limit a second delivery of an id waits for the first.
const GRACE: Duration = Duration::from_secs(5);

/// Numbers this process's pending notes, so that no two runs share one.
static NOTES: AtomicU64 = AtomicU64::new(0);

/// The command, its time limit, and the ids whose command is running.
pub struct Exec {
    argv: Vec<OsString>,
    timeout: Duration,
    pending: PathBuf,
    running: Mutex<HashSet<String>>,
    finished: Condvar,
}

/// What became of an event.
#[derive(Debug, PartialEq, Eq)]
pub enum Ran {
    /// The command ran and exited 0.
    Done,
    /// Its id was claimed already, by a delivery that succeeded.
    Redelivery,
}

/// Why an event was not taken; for the log (never quotes the event).
#[derive(Debug)]
pub enum NotRun {
    Io(&'static str, io::Error),
    Dedup(io::Error),
    Failed(ExitStatus),
    TimedOut(Duration),
}

impl std::fmt::Display for NotRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotRun::Io(what, err) => write!(f, "{what}: {err}"),
            NotRun::Dedup(err) => write!(f, "the dedup store failed: {err}"),
            NotRun::Failed(status) => write!(f, "the command failed ({status})"),
            NotRun::TimedOut(limit) => {
                write!(
                    f,
                    "the command ran past {}s and was killed",
                    limit.as_secs()
                )
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Exec {
    /// Forgets the ids a receiver killed while their command ran left noted in `pending`.
    pub fn open(
        argv: Vec<OsString>,
        timeout: Duration,
        pending: PathBuf,
        dedup: &Dedup,
    ) -> Result<Exec, String> {
        let named = |err: io::Error| format!("{}: {err}", pending.display());
        // The notes decide which ids are forgotten: a directory others could write in would
        // let them replay or suppress events.
        DirStore::new(&pending)
            .prepare()
            .map_err(|e| e.to_string())?;
        let mut forgotten = 0usize;
        for entry in fs::read_dir(&pending).map_err(named)?.flatten() {
            let path = entry.path();
            // Only regular files are notes: opening a FIFO would block the start for good.
            if !fs::symlink_metadata(&path).is_ok_and(|meta| meta.is_file()) {
                log::warn!("{}: not a pending note, left alone", path.display());
                continue;
            }
            let mut id = String::new();
            // An id is at most a body long: a note of more is not one of ours.
            let read = fs::File::open(&path)
                .and_then(|f| f.take(MAX_BODY as u64 + 1).read_to_string(&mut id));
            if read.is_ok() && !id.is_empty() && id.len() <= MAX_BODY {
                dedup.forget(&id).map_err(named)?;
                forgotten += 1;
            }
            let _ = fs::remove_file(&path);
        }
        if forgotten > 0 {
            log::warn!(
                "{forgotten} event(s) were being run when a receiver stopped: each will run \
                 again at its redelivery"
            );
        }
        Ok(Exec {
            argv,
            timeout,
            pending,
            running: Mutex::default(),
            finished: Condvar::new(),
        })
    }

    /// Runs the command for `event` unless its id was taken already.
    pub fn take(&self, event: &Accepted, dedup: &Dedup) -> Result<Ran, NotRun> {
        let id = event.id();
        // A second delivery of an id whose command runs here waits for its outcome: if that
        // fails, this one is the one that runs.
        {
            let deadline = Instant::now().checked_add(self.timeout.saturating_add(GRACE));
            let mut running = lock(&self.running);
            while running.contains(id) {
                let left = match deadline {
                    Some(at) => at.saturating_duration_since(Instant::now()),
                    None => GRACE,
                };
                if left.is_zero() {
                    return Err(NotRun::TimedOut(self.timeout));
                }
                running = self
                    .finished
                    .wait_timeout(running, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            running.insert(id.to_owned());
        }
        let result = self.claim_and_run(event, dedup);
        lock(&self.running).remove(id);
        self.finished.notify_all();
        result
    }

    fn claim_and_run(&self, event: &Accepted, dedup: &Dedup) -> Result<Ran, NotRun> {
        // A note of this run's own, never shared: another receiver on the same directory
        // may be running the same id, and its note must outlive this delivery.
        let note = self.pending.join(format!(
            "{}.{}.{}",
            Dedup::key(event.id()),
            std::process::id(),
            NOTES.fetch_add(1, Ordering::Relaxed)
        ));
        write_note(&note, event.id())
            .map_err(|e| NotRun::Io("cannot write its pending note", e))?;
        let result = match dedup.first_time(event.id()) {
            Ok(false) => Ok(Ran::Redelivery),
            Ok(true) => match self.run(event) {
                Ok(()) => Ok(Ran::Done),
                Err(err) => match dedup.forget(event.id()) {
                    Ok(()) => Err(err),
                    // Still marked: keep the note, so that the next start forgets it.
                    Err(forget) => {
                        log::error!("cannot forget an event whose command failed: {forget}");
                        return Err(err);
                    }
                },
            },
            Err(err) => Err(NotRun::Dedup(err)),
        };
        let _ = fs::remove_file(&note);
        result
    }

    fn run(&self, event: &Accepted) -> Result<(), NotRun> {
        let (program, args) = self.argv.split_first().ok_or_else(|| {
            NotRun::Io("cannot start the command", io::ErrorKind::NotFound.into())
        })?;
        let mut command = Command::new(program);
        command
            .args(args)
            // The command has no use for the hottok.
            .env_remove("HOTMART_HOTTOK")
            .stdin(Stdio::piped())
            .stderr(Stdio::inherit())
            // A group of its own, so that a timeout kills what it started too.
            .process_group(0);
        set_env(&mut command, "HOTMART_EVENT", event.kind().as_str());
        set_env(&mut command, "HOTMART_EVENT_ID", event.id());
        // Its stdout joins our stderr: our stdout carries the address only.
        match io::stderr().as_fd().try_clone_to_owned() {
            Ok(fd) => command.stdout(Stdio::from(fd)),
            Err(_) => command.stdout(Stdio::null()),
        };
        let mut child = command
            .spawn()
            .map_err(|e| NotRun::Io("cannot start the command", e))?;
        if let Some(mut stdin) = child.stdin.take() {
            let line = Arc::clone(event.line());
            // A thread of its own: a command that does not read its stdin must not block us
            // past the time limit. It ends when the pipe closes (the command gone).
            let _ = thread::Builder::new()
                .name("hotmart-exec-stdin".into())
                .spawn(move || {
                    let _ = stdin.write_all(&line);
                });
        }
        // No deadline where the clock cannot count that far: the limit is then never reached.
        let deadline = Instant::now().checked_add(self.timeout);
        let mut pause = Duration::from_millis(1);
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => return Err(NotRun::Failed(status)),
                Ok(None) if deadline.is_some_and(|at| Instant::now() >= at) => {
                    kill_group(&mut child);
                    return Err(NotRun::TimedOut(self.timeout));
                }
                Ok(None) => {
                    thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Err(err) => {
                    kill_group(&mut child);
                    return Err(NotRun::Io("cannot wait for the command", err));
                }
            }
        }
    }
}

/// Kills the command's process group, then the command, and reaps it: what a `sh -c` command
/// started must not act on an event after its 500, next to the redelivery's run.
///
/// Only while the command is unreaped: its id, the group's, cannot be anyone else's then.
/// (So a command that exited is not followed by a kill of its group: by then the id may be
/// another command's.) The group is killed by the shell's `kill`, since this crate has no
/// `unsafe` to call kill(2) itself.
fn kill_group(child: &mut Child) {
    let group = child.id();
    let killed = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("kill -s KILL -- -{group}"))
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !killed.as_ref().is_ok_and(ExitStatus::success) {
        log::warn!(
            "cannot kill the command's process group ({}): what it started may run on",
            match killed {
                Ok(status) => status.to_string(),
                Err(err) => err.to_string(),
            }
        );
    }
    // Its own process at least, however the group fared.
    let _ = child.kill();
    let _ = child.wait();
}

/// The pending note of an id: made before the claim, so that a kill at any point after it
/// leaves it behind. Made new: a note already there is another run's.
fn write_note(path: &Path, id: &str) -> io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    // A note cut short would make a start forget some other id, and keep this one marked.
    file.write_all(id.as_bytes()).inspect_err(|_| {
        let _ = fs::remove_file(path);
    })
}

/// Gives the command `name=value`, unless the system could not pass it: a NUL byte ends a
/// C string, and Linux refuses to start a program with one string of its environment over
/// [`MAX_ENV_STRING`] (E2BIG). Such an event would otherwise fail at every redelivery; the
/// command still has all of it on stdin. The value is never logged: it is the body's text.
fn set_env(command: &mut Command, name: &str, value: &str) {
    // Not inherited either: a value of the receiver's own would pass for the event's.
    command.env_remove(name);
    let why = if value.contains('\0') {
        "it holds a NUL byte"
    } else if name.len() + value.len() + 2 > MAX_ENV_STRING {
        "it is over 128 KiB"
    } else {
        command.env(name, value);
        return;
    };
    log::warn!("{name} is left out of the command's environment ({why}); the event is on stdin");
}
