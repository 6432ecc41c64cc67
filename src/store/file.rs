//! The file store: one small text file per environment and client id, for cron jobs and
//! other short-lived processes on one machine.
//!
//! - The file holds a format line, the key (auth URL, API URL, client id), the token and its
//!   wall-clock issue and expiry times. Never the client secret or the Basic value.
//! - It is created `0600` in a directory created `0700`. A file that others may read, or that
//!   another user owns, is refused (with a warning in the log) and replaced on the next store.
//!   A directory that another user owns or may write is not used at all (one warning naming
//!   the fix): that user could delete the cache, plant files or hold the lock. Nor is one
//!   that another user could swap for theirs: below a directory they own or may write (unless
//!   it is sticky, as `/tmp` is), or reached through a symlink of theirs.
//! - Writes are atomic: a temporary file in the same directory, fsync, rename. A torn, corrupt,
//!   foreign or expired file, or a symlink where the file goes, is ignored and replaced; no
//!   failure reaches the caller.
//! - Processes that need a new token take an exclusive lock on a lock file beside it
//!   (`File::try_lock`), so one fetches and the others read what it stored. A process waits
//!   for the lock about one token request (the client's `timeout` plus a second, at most a
//!   minute) and never more than half the time its call has left; then it fetches by itself.
//!   Removing a token the API rejected takes the lock only if it is free. A holder that dies
//!   releases the lock with its file descriptor. A holder that was stopped (`SIGSTOP`, a
//!   debugger, a frozen VM) and wakes up later finds its compare-and-store refused, since the
//!   file no longer holds what it read: it uses its own token, which stays valid, and the
//!   cache keeps the newer one.

use std::fs::{self, File, TryLockError};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::line::{decode, encode};
use super::trust::{private_options, trusted, trusted_dir};
use super::{FetchGuard, StoredToken, TokenKey, TokenStore};

/// A cache file is a few hundred bytes; more than this is not one.
const MAX_FILE_LEN: u64 = 16 * 1024;

/// How long a process waits for another one's fetch before it fetches by itself: longer than
/// a token request takes with the default 30 s timeout.
const LOCK_WAIT: Duration = Duration::from_secs(60);

/// A temporary file this old was left by a process that died while writing it.
const STALE_TEMPORARY: Duration = Duration::from_secs(600);

/// Distinguishes the temporary files of one process's threads.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The file cache: one small private file per [`TokenKey`] under one directory, for cron jobs
/// and other short-lived processes on one machine. Made by
/// [`ClientBuilder::token_cache`](crate::ClientBuilder::token_cache), or by hand to share one
/// between clients or wrap it in a store of your own. Building one does no I/O; the
/// directory is made on the first write.
///
/// ```
/// use hotmart::store::FileStore;
/// # use hotmart::{Client, Credentials, Environment};
/// let cache = FileStore::new(std::env::temp_dir().join("hotmart-doc-file-store"));
/// let client = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
///     .token_store(cache)
///     .build()?;
/// # Ok::<(), hotmart::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct FileStore {
    dir: PathBuf,
    /// Whether the untrusted-directory warning was given (once per store).
    warned: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Whether an untrusted cache file was warned about since the last write replaced one.
    file_warned: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl FileStore {
    /// The cache under `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FileStore {
            dir: dir.into(),
            warned: Default::default(),
            file_warned: Default::default(),
        }
    }

    /// Whether the directory may hold this user's token: absent (it is then made `0700`), or
    /// owned by this user and writable by no one else, and not replaceable by anyone else
    /// (see the trust rules in `trust.rs`). Another user who can write it could delete the
    /// cache, plant files or hold the lock, so it is skipped, with one warning.
    fn usable(&self) -> bool {
        let Err(reason) = trusted_dir(&self.dir) else {
            return true;
        };
        if !self.warned.swap(true, Ordering::Relaxed) {
            log::warn!(
                target: "hotmart::token",
                "not using the token cache directory {}: {reason}; the token is not cached \
                 (fix: use a directory of your own, mode 0700: `chmod 700` it, or choose \
                 another)",
                self.dir.display()
            );
        }
        false
    }

    /// The directory it keeps its files in.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    fn slot(&self, key: &TokenKey) -> Slot {
        Slot {
            file_warned: self.file_warned.clone(),
            ..Slot::new(self.dir.clone(), key.clone())
        }
    }
}

/// The files of one key.
struct Slot {
    dir: PathBuf,
    path: PathBuf,
    lock_path: PathBuf,
    key: TokenKey,
    file_warned: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Slot {
    fn new(dir: PathBuf, key: TokenKey) -> Self {
        let stem = file_stem(&key);
        Slot {
            path: dir.join(format!("{stem}.cache")),
            lock_path: dir.join(format!("{stem}.lock")),
            dir,
            key,
            file_warned: Default::default(),
        }
    }

    /// Says once that the file is not read, until a write replaces it: one fetch reads it up
    /// to three times, and one warning names the problem.
    fn refuse_file(&self, reason: &str) {
        if self.file_warned.swap(true, Ordering::Relaxed) {
            log::debug!(target: "hotmart::token", "not reading the token cache: {reason}");
        } else {
            log::warn!(
                target: "hotmart::token",
                "not reading the token cache {}: {reason}; it will be replaced",
                self.path.display()
            );
        }
    }

    fn read(&self) -> io::Result<Option<StoredToken>> {
        // Non-blocking: a FIFO planted where the file goes must not hang the open. Not through
        // a symlink either: one planted there could make the cache read a file of another's.
        let mut options = private_options();
        options.read(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(
            &mut options,
            libc::O_NONBLOCK | libc::O_NOFOLLOW,
        );
        let file = match options.open(&self.path) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            #[cfg(unix)]
            Err(err) if err.raw_os_error() == Some(libc::ELOOP) => {
                self.refuse_file("it is a symbolic link");
                return Ok(None);
            }
            Err(err) => return Err(err),
        };
        if let Err(reason) = trusted(&file) {
            self.refuse_file(&reason);
            return Ok(None);
        }
        let mut text = String::new();
        if (&file)
            .take(MAX_FILE_LEN)
            .read_to_string(&mut text)
            .is_err()
        {
            log::debug!(target: "hotmart::token", "ignoring a token cache file that is not text");
            return Ok(None);
        }
        let entry = decode(&text, &self.key);
        if entry.is_none() {
            log::debug!(
                target: "hotmart::token",
                "ignoring the token cache {}: torn, corrupt, or of another format or key",
                self.path.display()
            );
        }
        Ok(entry)
    }

    /// A rename cannot replace a directory: one made where the file goes (by mistake, a
    /// `mkdir -p` of the wrong path) is removed if empty, and else named in the error, so the
    /// cache is not silently off for good.
    fn rename_over_directory(&self, temp: &Path, err: io::Error) -> io::Result<()> {
        if !fs::symlink_metadata(&self.path).is_ok_and(|meta| meta.is_dir()) {
            return Err(err);
        }
        fs::remove_dir(&self.path).map_err(|_| {
            io::Error::other(format!(
                "a directory that is not empty stands at {}, where the cache file goes: \
                 remove it",
                self.path.display()
            ))
        })?;
        fs::rename(temp, &self.path)
    }

    fn write(&self, entry: &StoredToken) -> io::Result<()> {
        let text = encode(entry, &self.key).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "the token has characters a cache line cannot hold",
            )
        })?;
        self.make_dir()?;
        let temp = self.dir.join(format!(
            ".{}.{}-{}.tmp",
            file_stem(&self.key),
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| {
            let mut file = private_options().write(true).create_new(true).open(&temp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            fs::rename(&temp, &self.path).or_else(|err| self.rename_over_directory(&temp, err))
        })();
        if written.is_err() {
            let _ = fs::remove_file(&temp);
        }
        written?;
        self.file_warned.store(false, Ordering::Relaxed);
        // The rename itself is durable once the directory is synced; a failure here only
        // means a crash might bring the previous file back, which is harmless.
        #[cfg(unix)]
        if let Ok(dir) = File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        self.remove_stale_temporaries();
        Ok(())
    }

    /// Removes what a process killed mid-write left behind: this key's temporary files that
    /// are older than any write could take.
    fn remove_stale_temporaries(&self) {
        let prefix = format!(".{}.", file_stem(&self.key));
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE_TEMPORARY);
            if name.starts_with(&prefix) && name.ends_with(".tmp") && stale {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    fn make_dir(&self) -> io::Result<()> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&self.dir)
    }

    /// The lock file's exclusive lock, waiting no later than `deadline` (nor longer than
    /// [`LOCK_WAIT`]); a `deadline` already past tries once.
    fn lock_by(&self, deadline: Instant) -> io::Result<File> {
        self.make_dir()?;
        let mut options = private_options();
        options.write(true).create(true).truncate(false);
        // A symlink planted where the lock goes would make this create or open (and lock) a
        // file elsewhere: refused.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(
            &mut options,
            libc::O_NONBLOCK | libc::O_NOFOLLOW,
        );
        let file = options.open(&self.lock_path)?;
        let started = Instant::now();
        let give_up_at = started
            .checked_add(LOCK_WAIT)
            .map_or(deadline, |latest| latest.min(deadline));
        let mut pause = Duration::from_millis(2);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(TryLockError::Error(err)) => return Err(err),
                Err(TryLockError::WouldBlock) if Instant::now() >= give_up_at => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "another process has held the lock for {:?} (the call's deadline, \
                             or at most {LOCK_WAIT:?})",
                            started.elapsed()
                        ),
                    ));
                }
                Err(TryLockError::WouldBlock) => {
                    let left = give_up_at.saturating_duration_since(Instant::now());
                    thread::sleep(pause.min(left));
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
            }
        }
    }

    fn warn(&self, what: &str, err: &io::Error) {
        log::warn!(
            target: "hotmart::token",
            "token cache {}: could not {what}: {err}",
            self.path.display()
        );
    }
}

/// A file name for this key: a digest, so the client id is not spelled out in a listing and
/// any client id makes a valid name. The file repeats the key in full, so a digest collision
/// is caught on reading.
fn file_stem(key: &TokenKey) -> String {
    format!("token-{}", key.digest())
}

impl TokenStore for FileStore {
    fn load(&self, key: &TokenKey) -> Option<StoredToken> {
        self.usable().then(|| self.slot(key).load())?
    }

    fn compare_and_store(&self, key: &TokenKey, expected: Option<&str>, new: &StoredToken) -> bool {
        self.usable() && self.slot(key).compare_and_store(expected, new)
    }

    fn compare_and_remove(&self, key: &TokenKey, token: &str) -> bool {
        self.usable() && self.slot(key).compare_and_remove(token)
    }

    fn fetch_lock(&self, key: &TokenKey, deadline: Instant) -> Option<FetchGuard> {
        self.usable().then(|| self.slot(key).fetch_lock(deadline))?
    }
}

impl Slot {
    fn load(&self) -> Option<StoredToken> {
        self.read().unwrap_or_else(|err| {
            self.warn("read it", &err);
            None
        })
    }

    fn compare_and_store(&self, expected: Option<&str>, new: &StoredToken) -> bool {
        // Callers hold the fetch lock, so the file cannot change between this read and the
        // rename; the comparison guards against a caller that could not lock.
        let current = self.load();
        if current.as_ref().map(StoredToken::secret) != expected {
            return false;
        }
        match self.write(new) {
            Ok(()) => true,
            Err(err) => {
                self.warn("write it", &err);
                false
            }
        }
    }

    fn compare_and_remove(&self, token: &str) -> bool {
        if !self.path.exists() {
            return false;
        }
        // The lock if it is free, without waiting: the client remembers the rejection anyway,
        // and a holder that hangs must not spend the deadline the refetch after a 401 needs.
        let _guard = self.lock_by(Instant::now()).map_err(|err| {
            log::debug!(target: "hotmart::token", "removing a rejected token without the lock: {err}");
        });
        match self.load() {
            Some(current) if current.secret() == token => match fs::remove_file(&self.path) {
                Ok(()) => {
                    log::debug!(target: "hotmart::token", "rejected access token removed from the token cache");
                    true
                }
                Err(err) => {
                    self.warn("remove the rejected token from it", &err);
                    false
                }
            },
            _ => false,
        }
    }

    fn fetch_lock(&self, deadline: Instant) -> Option<FetchGuard> {
        match self.lock_by(deadline) {
            Ok(file) => Some(FetchGuard::new(file)),
            Err(err) => {
                self.warn("lock it", &err);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TokenKey {
        TokenKey::new("https://a.example", "https://b.example", "id 1")
    }

    #[test]
    fn file_names_differ_by_every_part_of_the_key() {
        let base = file_stem(&key());
        for other in [
            TokenKey::new("https://c.example", "https://b.example", "id 1"),
            TokenKey::new("https://a.example", "https://c.example", "id 1"),
            TokenKey::new("https://a.example", "https://b.example", "id 2"),
        ] {
            assert_ne!(file_stem(&other), base);
        }
        let store = Slot::new(PathBuf::from("/x"), key());
        assert!(store.path.starts_with("/x"));
    }
}

#[cfg(all(test, unix))]
mod hostile_tests {
    use super::*;
    use std::process::Command;
    use std::sync::mpsc;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "hotmart-file-{name}-{}-{}",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn key() -> TokenKey {
        TokenKey::new("https://a.example", "https://b.example", "id")
    }

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(3600)
    }

    fn mkfifo(path: &std::path::Path) -> bool {
        Command::new("mkfifo")
            .arg(path)
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Runs `f` on another thread; fails the test if it has not returned within 5 s.
    fn within_5s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(Duration::from_secs(5))
            .expect("hung on a FIFO planted in the cache directory")
    }

    #[test]
    fn a_fifo_where_the_cache_file_goes_is_refused_without_hanging() {
        let dir = temp_dir("fifo");
        let store = Slot::new(dir.clone(), key());
        if !mkfifo(&store.path) {
            eprintln!("SKIPPED: no mkfifo");
            return;
        }
        let loaded = within_5s(move || store.load());
        assert_eq!(loaded, None);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_fifo_where_the_lock_file_goes_is_refused_without_hanging() {
        let dir = temp_dir("fifo-lock");
        let store = Slot::new(dir.clone(), key());
        if !mkfifo(&store.lock_path) {
            eprintln!("SKIPPED: no mkfifo");
            return;
        }
        let locked = within_5s(move || store.fetch_lock(far()).is_some());
        assert!(!locked);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_lock_held_by_another_process_is_waited_for_only_until_the_call_deadline() {
        let dir = temp_dir("held");
        let store = Slot::new(dir.clone(), key());
        // Another open file description holding the lock: what another process would be.
        let holder = store.lock_by(Instant::now()).unwrap();
        let other = private_options()
            .write(true)
            .open(&store.lock_path)
            .unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        drop(other);
        let started = Instant::now();
        let guard = store.fetch_lock(Instant::now() + Duration::from_millis(300));
        let waited = started.elapsed();
        assert!(guard.is_none());
        assert!(waited >= Duration::from_millis(250), "{waited:?}");
        assert!(
            waited < Duration::from_secs(2),
            "waited {waited:?} past the deadline"
        );
        // A deadline already past: no wait at all.
        let started = Instant::now();
        assert!(store.fetch_lock(Instant::now()).is_none());
        assert!(started.elapsed() < Duration::from_millis(200));
        drop(holder);
        assert!(store.fetch_lock(far()).is_some());
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_symlink_where_the_lock_file_goes_is_not_followed() {
        let dir = temp_dir("symlink-lock");
        let elsewhere = temp_dir("symlink-target").join("created-by-the-lock");
        let store = Slot::new(dir.clone(), key());
        std::os::unix::fs::symlink(&elsewhere, &store.lock_path).unwrap();
        assert!(store.fetch_lock(far()).is_none());
        assert!(!elsewhere.exists(), "the lock followed a planted symlink");
        let _ = fs::remove_dir_all(dir);
        let _ = fs::remove_dir_all(elsewhere.parent().unwrap());
    }
}
