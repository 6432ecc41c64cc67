//! `--out FILE`: each accepted event once, as one NDJSON line, durable before the 200.
//!
//! The order is *store, then mark*: the line is appended and fsynced, and only then is the id
//! marked in the dedup store. Marking first would lose an event if the process died between
//! the two steps (the id marked, the line never written, Hotmart's redelivery answered "already
//! kept"); storing first can only leave a line whose id is not marked yet, which the next start
//! finds and resolves. Since the mark is also the "first time?" check, a redelivery is appended
//! too, then found to be one and cut off again (the file is locked throughout, so it is still
//! the last line).
//!
//! `FILE.committed` holds the length of FILE up to the last line whose fate is settled. At
//! start, anything past it was being written when a process died: a torn line is cut off (it
//! was never acknowledged); a whole line is kept if its id was not marked yet (it is marked
//! now), and also if it was marked and appears nowhere before (it was marked, then the process
//! died before answering); it is cut off only if the same id is already in FILE before it (a
//! redelivery caught between its append and its undo). So every event answered 200 is in FILE
//! exactly once, whenever a process is killed, and the only scan of FILE happens in that rare
//! case.

use std::cell::Cell;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use hotmart::webhook::{Dedup, Event, MAX_BODY};

use super::Accepted;

/// The most bytes past the last commit that a start resolves; more means FILE was written by
/// something else, which is for a person to look at.
const MAX_TAIL: u64 = 16 << 20;

/// FILE, locked for each event (a mutex between this process's threads, `flock` between
/// processes), with its commit length beside it.
pub struct Spool {
    inner: Mutex<Inner>,
}

struct Inner {
    file: File,
    committed: File,
    /// Set when FILE could not be brought back to a settled state: every further event is
    /// answered 503 until a restart resolves it.
    broken: Cell<bool>,
}

/// What became of an event.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    /// Appended and marked.
    New,
    /// Its id was marked: not appended again.
    Redelivery,
}

/// Why an event was not kept; for the log (never quotes the event).
#[derive(Debug)]
pub enum NotStored {
    Io(&'static str, io::Error),
    Dedup(io::Error),
    /// An earlier failure left FILE unsettled.
    Broken,
}

impl std::fmt::Display for NotStored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotStored::Io(what, err) => write!(f, "{what}: {err}"),
            NotStored::Dedup(err) => write!(f, "the dedup store failed: {err}"),
            NotStored::Broken => {
                f.write_str("an earlier write could not be undone; restart to settle the file")
            }
        }
    }
}

/// The commit file of `path`.
fn committed_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".committed");
    PathBuf::from(name)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Holds FILE's `flock` until dropped.
struct Flock<'a>(&'a File);

impl<'a> Flock<'a> {
    fn take(file: &'a File) -> io::Result<Self> {
        file.lock()?;
        Ok(Flock(file))
    }
}

impl Drop for Flock<'_> {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

impl Spool {
    /// Opens (or makes, private) FILE and its commit file, and settles what a process that
    /// died left past the last commit.
    pub fn open(path: &Path, dedup: &Dedup) -> Result<Spool, String> {
        let named = |what: &str, err: io::Error| format!("{}: {what}: {err}", path.display());
        // Whoever may write FILE's directory could swap FILE for a file or a link of theirs
        // between any check here and a later write: the directory must be private first.
        let parent = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        hotmart::store::check_private_dir(parent)
            .map_err(|e| format!("{}: its directory: {e}", path.display()))?;
        let file = open_private(
            path,
            OpenOptions::new().read(true).append(true).create(true),
        )
        .map_err(|e| named("cannot open", e))?;
        let committed = open_private(
            &committed_path(path),
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false),
        )
        .map_err(|e| named("cannot open its .committed file", e))?;
        let inner = Inner {
            file,
            committed,
            broken: Cell::new(false),
        };
        {
            let _flock = Flock::take(&inner.file).map_err(|e| named("cannot lock", e))?;
            inner
                .recover(dedup)
                .map_err(|e| named("cannot settle", e))?;
        }
        Ok(Spool {
            inner: Mutex::new(inner),
        })
    }

    /// Keeps `event` once: appended, fsynced and marked (`New`), or found marked already.
    pub fn store(&self, event: &Accepted, dedup: &Dedup) -> Result<Stored, NotStored> {
        let inner = lock(&self.inner);
        if inner.broken.get() {
            return Err(NotStored::Broken);
        }
        let flock = Flock::take(&inner.file).map_err(|e| NotStored::Io("cannot lock", e))?;
        let result = inner.store(event, dedup);
        drop(flock);
        result
    }
}

impl Inner {
    fn store(&self, event: &Accepted, dedup: &Dedup) -> Result<Stored, NotStored> {
        let start = self
            .file
            .metadata()
            .map_err(|e| NotStored::Io("cannot read its length", e))?
            .len();
        let line = event.line();
        let written = (&self.file)
            .write_all(line)
            .and_then(|()| self.file.sync_data());
        if let Err(err) = written {
            self.undo(start);
            return Err(NotStored::Io("cannot write", err));
        }
        match dedup.first_time(event.id()) {
            Ok(true) => {
                let end = start.saturating_add(line.len() as u64);
                if let Err(err) = self.commit(end) {
                    // Kept and marked: the 200 is right; the next start settles the line.
                    log::warn!("the event is kept, but its commit was not written: {err}");
                    self.broken.set(true);
                }
                Ok(Stored::New)
            }
            Ok(false) => {
                self.undo(start);
                Ok(Stored::Redelivery)
            }
            Err(err) => {
                self.undo(start);
                Err(NotStored::Dedup(err))
            }
        }
    }

    /// Cuts FILE back to `len`; if that fails, no further event is taken.
    fn undo(&self, len: u64) {
        if let Err(err) = self.file.set_len(len).and_then(|()| self.file.sync_data()) {
            log::error!("cannot cut back a line not kept: {err}; refusing events until restarted");
            self.broken.set(true);
        }
    }

    /// Records `len` as settled: one small write in place (no fsync: a commit lost to a
    /// power cut costs a resolution at the next start, never an event).
    fn commit(&self, len: u64) -> io::Result<()> {
        self.committed
            .write_all_at(format!("{len:020}\n").as_bytes(), 0)
    }

    fn recover(&self, dedup: &Dedup) -> io::Result<()> {
        let len = self.file.metadata()?.len();
        let mut text = String::new();
        (&self.committed).take(64).read_to_string(&mut text)?;
        // No commit yet (a first start, or an older FILE): what is there is taken as settled.
        // A FILE shorter than its commit was cut by someone else: the same.
        let settled = match text.trim().parse::<u64>() {
            Ok(at) if at <= len => at,
            _ => len,
        };
        if settled == len {
            return self.commit(len);
        }
        let tail_len = len - settled;
        if tail_len > MAX_TAIL {
            return Err(io::Error::other(format!(
                "{tail_len} bytes past the last commit, more than one event: written by \
                 something else? Check the end of the file, then remove its .committed file"
            )));
        }
        let mut tail = Vec::new();
        let mut reader = &self.file;
        reader.seek(SeekFrom::Start(settled))?;
        reader.take(tail_len).read_to_end(&mut tail)?;
        let mut kept = Vec::with_capacity(tail.len());
        let mut offset = settled;
        let mut dropped = false;
        for line in tail.split_inclusive(|&b| b == b'\n') {
            if !line.ends_with(b"\n") {
                // Torn: its append never finished, so it was never acknowledged.
                dropped = true;
                break;
            }
            if self.keep(line, offset, dedup)? {
                kept.extend_from_slice(line);
            } else {
                dropped = true;
            }
            offset = offset.saturating_add(line.len() as u64);
        }
        if dropped {
            self.file.set_len(settled)?;
            (&self.file).write_all(&kept)?;
            self.file.sync_data()?;
            log::warn!("settled the end of the event file after an unfinished write");
        }
        self.commit(settled.saturating_add(kept.len() as u64))
    }

    /// Whether the unsettled line at `offset` stays.
    fn keep(&self, line: &[u8], offset: u64, dedup: &Dedup) -> io::Result<bool> {
        let Ok(event) = Event::parse(line) else {
            return Ok(true); // not ours to judge
        };
        if dedup.first_time(event.id())? {
            return Ok(true);
        }
        Ok(!self.appears_before(event.id(), offset)?)
    }

    /// Whether an event of `id` is in FILE before `end`: one pass, a line at a time.
    fn appears_before(&self, id: &str, end: u64) -> io::Result<bool> {
        let mut file = &self.file;
        file.seek(SeekFrom::Start(0))?;
        let mut reader = BufReader::new(file.take(end));
        let mut line = Vec::new();
        let cap = (MAX_BODY as u64).saturating_add(2);
        loop {
            line.clear();
            if (&mut reader).take(cap).read_until(b'\n', &mut line)? == 0 {
                return Ok(false);
            }
            // A line with an escape may spell the id differently (`\u0032` for `2`, `\"` for
            // `"`), so only a line without one can be passed over unparsed.
            let mentions = line.contains(&b'\\')
                || (!id.is_empty() && line.windows(id.len()).any(|w| w == id.as_bytes()));
            if mentions && Event::parse(&line).is_ok_and(|e| e.id() == id) {
                return Ok(true);
            }
        }
    }
}

/// Opens the regular file `path` with `options` (creating it 0600 if they say so) and makes
/// it private. A symlink or a special file there is refused before the open (a FIFO would
/// block a write forever, and with it every delivery), and the file opened must be the one
/// checked, a regular file of this user's: its mode is then set to 0600, since it holds
/// buyers' data whatever mode it was made with.
fn open_private(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    let refused = |why: String| io::Error::new(io::ErrorKind::PermissionDenied, why);
    let before = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(refused(format!(
                "{} is a symbolic link; give the file itself",
                path.display()
            )));
        }
        Ok(meta) if !meta.is_file() => {
            return Err(refused(format!("{} is not a regular file", path.display())));
        }
        Ok(meta) => Some(meta),
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        Err(err) => return Err(err),
    };
    let file = options.mode(0o600).open(path)?;
    hotmart::store::check_own_file(&file)
        .map_err(|e| refused(format!("{}: {e}", path.display())))?;
    let opened = file.metadata()?;
    let same = |meta: &fs::Metadata| meta.dev() == opened.dev() && meta.ino() == opened.ino();
    let now = fs::symlink_metadata(path)?;
    if !before.as_ref().is_none_or(same) || !same(&now) {
        return Err(refused(format!(
            "{} was replaced while it was opened",
            path.display()
        )));
    }
    if opened.mode() & 0o7777 != 0o600 {
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}
