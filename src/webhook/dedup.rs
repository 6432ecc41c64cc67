//! Exactly-once processing of at-least-once deliveries: the ids of accepted events, kept for
//! Hotmart's 60 days of event history.

use std::collections::{HashMap, VecDeque};
use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::store::check_private_dir;

/// How long an accepted id is remembered: Hotmart keeps (and can resend) 60 days of events.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(60 * 86_400);
/// How many ids [`Dedup::in_memory`] holds before it forgets the oldest.
pub const MEMORY_CAP: usize = 100_000;

/// Where accepted ids are kept: memory ([`MemoryStore`]), a directory ([`DirStore`]), or
/// Redis (`hotmart-redis`). Keys are [`Dedup::key`]s: 32 hex digits.
pub trait DedupStore: Send + Sync {
    /// Records `key` as accepted at `now` unless it holds it, accepted less than `retention`
    /// before `now`. `Ok(true)` for the one caller that recorded it, atomically: of concurrent
    /// calls with one key, exactly one gets `true`.
    fn insert_new(&self, key: &str, now: SystemTime, retention: Duration) -> io::Result<bool>;
    /// Forgets `key` (an event that could not be processed, so that its redelivery is).
    fn remove(&self, key: &str) -> io::Result<()>;
}

/// Recognises redeliveries: [`first_time`](Self::first_time) is `true` once per event id.
///
/// ```
/// use hotmart::webhook::{Dedup, Event};
///
/// let dedup = Dedup::in_memory();
/// let event = Event::parse(br#"{"id":"e1","event":"PURCHASE_APPROVED","data":{}}"#)?;
/// assert!(dedup.first_time(event.id())?);
/// assert!(!dedup.first_time(event.id())?); // a redelivery
/// dedup.forget(event.id())?; // it could not be stored: take it again
/// assert!(dedup.first_time(event.id())?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Dedup {
    store: Box<dyn DedupStore>,
    retention: Duration,
}

impl Dedup {
    /// Ids kept in `store`, for [`DEFAULT_RETENTION`].
    pub fn new(store: impl DedupStore + 'static) -> Self {
        Dedup {
            store: Box::new(store),
            retention: DEFAULT_RETENTION,
        }
    }

    /// Ids kept in this process's memory, at most [`MEMORY_CAP`] of them.
    pub fn in_memory() -> Self {
        Dedup::new(MemoryStore::new(MEMORY_CAP))
    }

    /// Ids kept in the private directory `dir`, shared by the processes of one host.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Dedup::new(DirStore::new(dir))
    }

    /// Remembers ids for `retention` instead.
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Whether the event of `id` ([`Event::id`](super::Event::id)) is seen for the first time; it is recorded
    /// if so.
    pub fn first_time(&self, id: &str) -> io::Result<bool> {
        (self.store).insert_new(&Dedup::key(id), SystemTime::now(), self.retention)
    }

    /// Forgets the event of `id`, so that its redelivery is taken: when processing failed.
    pub fn forget(&self, id: &str) -> io::Result<()> {
        self.store.remove(&Dedup::key(id))
    }

    /// The store key of an event id: its 128-bit FNV-1a digest in hex, so that a store never
    /// holds ids of unbounded length nor names a file after one.
    ///
    /// ```
    /// assert_eq!(hotmart::webhook::Dedup::key("e1").len(), 32);
    /// ```
    pub fn key(id: &str) -> String {
        let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
        for byte in id.bytes() {
            hash ^= u128::from(byte);
            hash = hash.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
        }
        format!("{hash:032x}")
    }
}

impl std::fmt::Debug for Dedup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dedup")
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}

/// Whether an entry made at `at` is past `retention` at `now` (a clock set back: not yet).
fn expired(at: SystemTime, now: SystemTime, retention: Duration) -> bool {
    now.duration_since(at).is_ok_and(|age| age >= retention)
}

/// Ids in memory, at most `cap` of them: past it, the oldest are forgotten first.
#[derive(Debug)]
pub struct MemoryStore {
    cap: usize,
    inner: Mutex<Memory>,
}

#[derive(Debug, Default)]
struct Memory {
    accepted: HashMap<String, SystemTime>,
    // Insertion order, for dropping the oldest; an entry whose time no longer matches
    // `accepted` was removed or renewed since.
    order: VecDeque<(SystemTime, String)>,
}

impl MemoryStore {
    /// A store of at most `cap` ids (at least one).
    pub fn new(cap: usize) -> Self {
        MemoryStore {
            cap: cap.max(1),
            inner: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        // No code panics while holding it, and the map stays consistent if one did.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl DedupStore for MemoryStore {
    fn insert_new(&self, key: &str, now: SystemTime, retention: Duration) -> io::Result<bool> {
        let mut memory = self.lock();
        let Memory { accepted, order } = &mut *memory;
        if accepted
            .get(key)
            .is_some_and(|&at| !expired(at, now, retention))
        {
            return Ok(false);
        }
        accepted.insert(key.to_owned(), now);
        order.push_back((now, key.to_owned()));
        while let Some((at, oldest)) = order.front() {
            if order.len() <= self.cap && !expired(*at, now, retention) {
                break;
            }
            if accepted.get(oldest) == Some(at) {
                accepted.remove(oldest);
            }
            order.pop_front();
        }
        Ok(true)
    }

    fn remove(&self, key: &str) -> io::Result<()> {
        self.lock().accepted.remove(key);
        Ok(())
    }
}

/// Ids as files of a private (0700) directory, one empty file per key made with `O_EXCL`
/// (so one process of a host wins each id) and dated by its modification time; files past
/// the retention are swept at most hourly. For cron jobs and receivers on one host.
///
/// The directory is made on first use; one that other users may enter, or own, or could
/// swap for another (through a directory above it or a symlink of theirs), is refused. A
/// redelivery after a power loss may be taken again (entries are not fsynced: a
/// duplicate, never a loss).
#[derive(Clone, Debug)]
pub struct DirStore {
    dir: PathBuf,
}

/// The marker whose modification time is the last sweep.
const SWEPT: &str = ".swept";
const SWEEP_EVERY: Duration = Duration::from_secs(3600);

impl DirStore {
    /// A store in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        DirStore { dir: dir.into() }
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Makes the directory if need be, and refuses one that is not private: checked before
    /// (so nothing is made under a directory others could swap) and after (it may have been
    /// made meanwhile by someone else). Every insert does this; a program calls it at start
    /// so that a wrong directory stops the start, not the first event.
    ///
    /// ```
    /// let store = hotmart::webhook::DirStore::new(std::env::temp_dir().join("hotmart-doc-ids"));
    /// store.prepare()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn prepare(&self) -> io::Result<()> {
        check_private_dir(&self.dir)?;
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&self.dir)?;
        check_private_dir(&self.dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&self.dir)?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!(
                        "{}: its mode {:04o} lets other users in; make it private (chmod 700)",
                        self.dir.display(),
                        mode & 0o7777
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Removes entries past `retention`, unless another sweep ran within the hour.
    fn sweep(&self, now: SystemTime, retention: Duration) -> io::Result<()> {
        let marker = self.dir.join(SWEPT);
        let due = fs::metadata(&marker)
            .and_then(|m| m.modified())
            .map_or(true, |at| expired(at, now, SWEEP_EVERY) || at > now);
        if !due {
            return Ok(());
        }
        let file = OpenOptions::new().create(true).append(true).open(&marker)?;
        let _ = file.set_modified(now);
        for entry in fs::read_dir(&self.dir)?.flatten() {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|at| expired(at, now, retention));
            if stale && entry.file_name().to_str().is_some_and(is_key) {
                let _ = remove(&entry.path()); // tried again at the next sweep
            }
        }
        Ok(())
    }

    /// Creates the entry of `key`: `Ok(false)` if it exists.
    fn create(path: &Path, now: SystemTime) -> io::Result<bool> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(file) => {
                // The entry's date is the caller's clock, which tests set.
                let _ = file.set_modified(now);
                Ok(true)
            }
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok(false),
            Err(err) => Err(err),
        }
    }
}

/// What [`Dedup::key`] makes: never a path of its own.
fn is_key(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn entry(dir: &Path, key: &str) -> io::Result<PathBuf> {
    let wrong = || io::Error::new(io::ErrorKind::InvalidInput, "not a Dedup::key");
    is_key(key).then(|| dir.join(key)).ok_or_else(wrong)
}

/// Removes `path`; one already gone is fine.
fn remove(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    }
}

impl DedupStore for DirStore {
    fn insert_new(&self, key: &str, now: SystemTime, retention: Duration) -> io::Result<bool> {
        let path = entry(&self.dir, key)?;
        self.prepare()?;
        self.sweep(now, retention)?;
        if DirStore::create(&path, now)? {
            return Ok(true);
        }
        match fs::metadata(&path).and_then(|m| m.modified()) {
            Ok(at) if !expired(at, now, retention) => Ok(false),
            // Expired: renewed by whoever recreates it first (two deliveries of one id racing
            // here, 60 days on, could both win; Hotmart resends nothing that old).
            Ok(_) => remove(&path).and_then(|()| DirStore::create(&path, now)),
            // Forgotten or swept meanwhile.
            Err(err) if err.kind() == io::ErrorKind::NotFound => DirStore::create(&path, now),
            Err(err) => Err(err),
        }
    }

    fn remove(&self, key: &str) -> io::Result<()> {
        remove(&entry(&self.dir, key)?)
    }
}
