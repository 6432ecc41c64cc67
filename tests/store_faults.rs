//! Token stores under faults, over real files and the local Hotmart on loopback: a cache that
//! cannot be written, a directory another user controls, a lock holder that is stopped, a
//! clock that ran ahead. Each test prints what it measured (requests made, time taken).
//!
//! Each of them failed before the fix they pin, as its comment says.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hotmart::Client;
use hotmart::store::{FetchGuard, FileStore, StoredToken, TokenKey, TokenStore};
use hotmart_mock::MockServer;

static DIRS: AtomicU64 = AtomicU64::new(0);

/// A fresh directory of this user's, mode 0700.
fn private_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "hotmart-faults-{name}-{}-{}",
        std::process::id(),
        DIRS.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    set_mode(&dir, 0o700);
    dir
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn key(server: &MockServer) -> TokenKey {
    TokenKey::new(server.url(), server.url(), hotmart_mock::CLIENT_ID)
}

fn cached_client(server: &MockServer, store: impl TokenStore + 'static) -> Client {
    Client::builder(server.environment(), server.credentials())
        .timeout(Duration::from_secs(2))
        .token_store(store)
        .build()
        .unwrap()
}

/// Warnings of the `hotmart::token` target, captured for the tests that assert one.
struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::Level::Warn
    }
    fn log(&self, record: &log::Record) {
        if record.target() == "hotmart::token" && record.level() <= log::Level::Warn {
            let mut lines = self.0.lock().unwrap_or_else(|e| e.into_inner());
            lines.push(record.args().to_string());
        }
    }
    fn flush(&self) {}
}

static LOGS: Capture = Capture(Mutex::new(Vec::new()));

/// Installs the capture (once for the whole test binary).
fn capture_warnings() {
    let _ = log::set_logger(&LOGS);
    log::set_max_level(log::LevelFilter::Warn);
}

fn warnings_about(dir: &Path) -> usize {
    let shown = dir.display().to_string();
    let lines = LOGS.0.lock().unwrap_or_else(|e| e.into_inner());
    lines.iter().filter(|l| l.contains(&shown)).count()
}

/// A store that can read but neither write nor remove: what a read-only cache is to the
/// client, on any machine (the real read-only mount needs root).
struct ReadOnly(FileStore);

impl TokenStore for ReadOnly {
    fn load(&self, key: &TokenKey) -> Option<StoredToken> {
        self.0.load(key)
    }
    fn compare_and_store(&self, _: &TokenKey, _: Option<&str>, _: &StoredToken) -> bool {
        false
    }
    fn compare_and_remove(&self, _: &TokenKey, _: &str) -> bool {
        false
    }
    fn fetch_lock(&self, key: &TokenKey, deadline: Instant) -> Option<FetchGuard> {
        self.0.fetch_lock(key, deadline)
    }
}

/// Before: the 401 refresh "fetched" through the store, which handed back the token it could
/// not remove, so every run failed with two 401s and no token request at all.
#[test]
fn a_revoked_token_that_the_store_cannot_remove_is_never_used_again() {
    let server = MockServer::start().unwrap();
    let dir = private_dir("unremovable");
    cached_client(&server, FileStore::new(&dir))
        .access_token()
        .unwrap();
    server.revoke_tokens();
    for run in 1..=3 {
        let started = Instant::now();
        let client = cached_client(&server, ReadOnly(FileStore::new(&dir)));
        let answer = client.get("/products/api/v1/products").send();
        assert!(answer.is_ok(), "run {run}: {answer:?}");
        println!(
            "run {run}: answered in {:?}; token requests so far {}",
            started.elapsed(),
            server.token_request_count()
        );
        // One token request for the first client, then one per run: the revoked token is
        // never taken from the store again.
        assert_eq!(server.token_request_count(), 1 + run);
    }
    let _ = fs::remove_dir_all(dir);
}

/// The same over a real read-only mount of the cache directory (needs root and `mount`;
/// skipped otherwise).
#[test]
fn a_read_only_cache_directory_with_a_revoked_token_still_works() {
    let server = MockServer::start().unwrap();
    let source = private_dir("ro-source");
    let mount = private_dir("ro-mount");
    cached_client(&server, FileStore::new(&source))
        .access_token()
        .unwrap();
    let bind = |args: &[&str]| {
        Command::new("mount")
            .args(args)
            .status()
            .is_ok_and(|s| s.success())
    };
    let (src, dst) = (source.to_str().unwrap(), mount.to_str().unwrap());
    if !bind(&["--bind", src, dst]) {
        println!("SKIPPED: cannot bind-mount here (not root, or no mount)");
        return;
    }
    let mounted = bind(&["-o", "remount,ro,bind", dst]);
    if mounted && fs::write(mount.join("probe"), b"x").is_err() {
        server.revoke_tokens();
        let started = Instant::now();
        let client = cached_client(&server, FileStore::new(&mount));
        let answer = client.get("/products/api/v1/products").send();
        println!(
            "read-only cache: answered in {:?}, {} token requests",
            started.elapsed(),
            server.token_request_count()
        );
        assert!(answer.is_ok(), "{answer:?}");
        assert_eq!(server.token_request_count(), 2);
    } else {
        println!("SKIPPED: the remount did not make the directory read-only");
    }
    let _ = Command::new("umount").arg(dst).status();
    let _ = fs::remove_dir_all(source);
    let _ = fs::remove_dir_all(mount);
}

/// Before: a directory that another user owns (or anyone can write) was used as it was, so
/// that user could delete the cache and hold its lock, stalling every run for 60 s.
#[test]
fn a_cache_directory_others_control_is_skipped_with_one_warning() {
    capture_warnings();
    let server = MockServer::start().unwrap();
    let dir = private_dir("foreign");
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    // As root, a directory of user `nobody`'s; otherwise one that everyone may write.
    let foreign = is_root
        && Command::new("chown")
            .args(["65534:65534", dir.to_str().unwrap()])
            .status()
            .is_ok_and(|s| s.success());
    if !foreign {
        set_mode(&dir, 0o777);
    }
    // The other user holds the lock: a lock file held by a process that never lets go.
    let holder = hold_lock(&dir.join(format!("token-{}.lock", key(&server).digest())));
    let started = Instant::now();
    let client = cached_client(&server, FileStore::new(&dir));
    client.access_token().unwrap();
    client.invalidate(&client.access_token().unwrap());
    client.access_token().unwrap();
    let took = started.elapsed();
    println!(
        "directory of {}: two tokens in {took:?}, {} token requests, {} warning(s)",
        if foreign { "another user" } else { "mode 0777" },
        server.token_request_count(),
        warnings_about(&dir)
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(server.token_request_count(), 2);
    assert_eq!(warnings_about(&dir), 1, "one warning, naming the directory");
    assert!(
        fs::read_dir(&dir).unwrap().all(|e| {
            let name = e.unwrap().file_name();
            !name.to_string_lossy().ends_with(".cache")
        }),
        "the token was written into a directory others control"
    );
    drop(holder);
    let _ = fs::remove_dir_all(dir);
}

/// A child process that holds `path`'s lock (`flock`, as the cache's own lock) until killed.
struct Holder(Child);

impl Drop for Holder {
    fn drop(&mut self) {
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-CONT", &pid]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn hold_lock(path: &Path) -> Option<Holder> {
    let child = Command::new("flock")
        .arg(path)
        .args(["sleep", "60"])
        .spawn()
        .ok()?;
    let holder = Holder(child);
    // Held once a non-blocking attempt of our own fails.
    for _ in 0..200 {
        let busy = Command::new("flock")
            .args(["-n", path.to_str()?, "true"])
            .status()
            .is_ok_and(|s| !s.success());
        if busy {
            return Some(holder);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

/// Before: the next run waited for the lock up to 60 s, whatever its own timeout said.
#[test]
fn a_stopped_lock_holder_is_fetched_around_within_the_timeout() {
    let server = MockServer::start().unwrap();
    let dir = private_dir("stopped");
    let lock = dir.join(format!("token-{}.lock", key(&server).digest()));
    let Some(holder) = hold_lock(&lock) else {
        println!("SKIPPED: no flock(1) here");
        return;
    };
    let pid = holder.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-STOP", &pid])
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    // `timeout(2 s)`: the lock is waited for about one token request, then fetched around.
    let token = cached_client(&server, FileStore::new(&dir)).access_token();
    let took = started.elapsed();
    println!(
        "stopped holder: token in {took:?} with a 2 s timeout, {} token request(s)",
        server.token_request_count()
    );
    assert!(token.is_ok(), "{token:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_eq!(server.token_request_count(), 1);
    drop(holder);
    let _ = fs::remove_dir_all(dir);
}

/// Before: an entry written while the clock ran an hour ahead was handed out, without the
/// network, for an hour past its real expiry.
#[test]
fn an_entry_issued_in_the_future_is_not_trusted() {
    let server = MockServer::start().unwrap();
    let dir = private_dir("ahead");
    let hour = 3_600_000;
    let ahead = StoredToken::new(
        "written-while-the-clock-ran-ahead",
        now_ms() + hour,
        now_ms() + hour + 48 * hour,
    );
    assert!(FileStore::new(&dir).compare_and_store(&key(&server), None, &ahead));
    let token = cached_client(&server, FileStore::new(&dir))
        .access_token()
        .unwrap();
    println!(
        "entry issued 1 h ahead: {} token request(s)",
        server.token_request_count()
    );
    assert_ne!(token.secret(), ahead.secret());
    assert_eq!(server.token_request_count(), 1);
    let _ = fs::remove_dir_all(dir);
}

fn token_requests_of_two_clients(server: &MockServer, dir: &Path) -> usize {
    let before = server.token_request_count();
    for _ in 0..2 {
        cached_client(server, FileStore::new(dir))
            .access_token()
            .unwrap();
    }
    server.token_request_count() - before
}

/// Another user who may write a directory above the cache could rename the cache away and
/// put a directory of theirs in its place; under a sticky one (as `/tmp`) they cannot.
#[test]
fn a_cache_below_a_directory_others_may_write_is_skipped_unless_sticky() {
    capture_warnings();
    let server = MockServer::start().unwrap();
    let parent = private_dir("open-parent");
    let dir = parent.join("cache");
    fs::create_dir(&dir).unwrap();
    set_mode(&dir, 0o700);

    set_mode(&parent, 0o777);
    let open = token_requests_of_two_clients(&server, &dir);
    set_mode(&parent, 0o1777);
    let sticky = token_requests_of_two_clients(&server, &dir);
    println!("parent 0777: {open} token requests; parent 1777: {sticky}");
    assert_eq!(open, 2, "a cache that others could swap was used");
    assert!(
        warnings_about(&dir) >= 2,
        "each store warns, naming the directory"
    );
    assert_eq!(sticky, 1, "the second client reads what the first stored");
    let _ = fs::remove_dir_all(parent);
}

/// A symlink to the cache that another user owns could be pointed elsewhere between the
/// check and the open. Needs root to make one (`lchown`); elsewhere it says so and passes.
#[test]
fn a_symlink_to_the_cache_owned_by_another_user_is_not_followed() {
    capture_warnings();
    let server = MockServer::start().unwrap();
    let parent = private_dir("foreign-link");
    let real = parent.join("real");
    fs::create_dir(&real).unwrap();
    set_mode(&real, 0o700);
    let link = parent.join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let mine = token_requests_of_two_clients(&server, &link);
    assert_eq!(mine, 1, "a symlink of this user's own is followed");
    // Even this user's own symlink, in a directory others may write, could be swapped.
    let open = parent.join("open");
    fs::create_dir(&open).unwrap();
    std::os::unix::fs::symlink(&real, open.join("link")).unwrap();
    set_mode(&open, 0o777);
    let swappable = token_requests_of_two_clients(&server, &open.join("link"));
    assert_eq!(
        swappable, 2,
        "a symlink in a directory others may write was followed"
    );
    if std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).is_err() {
        println!("not root: no symlink of another user's can be made here; skipped");
        let _ = fs::remove_dir_all(parent);
        return;
    }
    fs::remove_dir_all(&real).unwrap();
    fs::create_dir(&real).unwrap();
    set_mode(&real, 0o700);
    let foreign = token_requests_of_two_clients(&server, &link);
    println!("through a symlink of user 65534: {foreign} token requests");
    assert_eq!(
        foreign, 2,
        "a cache reached through another user's symlink was used"
    );
    assert!(warnings_about(&link) >= 1);
    let _ = fs::remove_dir_all(parent);
}

/// Before: a rejected token's removal waited a second for a lock another process held, and
/// the refetch then waited for it until the call's deadline, so the call failed; now the
/// removal does not wait and the refetch waits at most half the time left.
#[test]
fn a_rejected_token_is_replaced_within_a_short_deadline_while_another_process_holds_the_lock() {
    let server = MockServer::start().unwrap();
    let dir = private_dir("held-on-401");
    cached_client(&server, FileStore::new(&dir))
        .access_token()
        .unwrap();
    let Some(holder) = hold_lock(&dir.join(format!("token-{}.lock", key(&server).digest()))) else {
        println!("no flock(1) here: skipped");
        return;
    };
    server.revoke_tokens();
    let client = Client::builder(server.environment(), server.credentials())
        .timeout(Duration::from_secs(2))
        .call_timeout(Duration::from_millis(1500))
        .token_store(FileStore::new(&dir))
        .build()
        .unwrap();
    let answer = client.get("/products/api/v1/products").send();
    println!("401 with the lock held: {answer:?}");
    assert!(answer.is_ok(), "{answer:?}");
    assert_eq!(server.token_request_count(), 2);
    drop(holder);
    let _ = fs::remove_dir_all(dir);
}

/// A symlink planted where the cache file goes is not read through (it could make the cache
/// read another's file), and the next store replaces it with a file of its own.
#[test]
fn a_symlink_planted_at_the_cache_file_is_not_read_and_is_replaced() {
    capture_warnings();
    let server = MockServer::start().unwrap();
    let dir = private_dir("file-link");
    let elsewhere = private_dir("file-link-target");
    cached_client(&server, FileStore::new(&dir))
        .access_token()
        .unwrap();
    let file = dir.join(format!("token-{}.cache", key(&server).digest()));
    let moved = elsewhere.join("planted.cache");
    fs::rename(&file, &moved).unwrap();
    std::os::unix::fs::symlink(&moved, &file).unwrap();
    let planted = fs::read(&moved).unwrap();
    cached_client(&server, FileStore::new(&dir))
        .access_token()
        .unwrap();
    assert_eq!(server.token_request_count(), 2, "the planted file was read");
    assert!(warnings_about(&file) >= 1);
    let meta = fs::symlink_metadata(&file).unwrap();
    assert!(meta.file_type().is_file(), "the symlink was kept");
    assert_eq!(fs::read(&moved).unwrap(), planted, "the target was written");
    let _ = fs::remove_dir_all(dir);
    let _ = fs::remove_dir_all(elsewhere);
}

/// One fetch reads the cache file up to three times: a file it must not trust is named in one
/// warning, not three; once replaced, a new problem is warned about again.
#[test]
fn an_untrusted_cache_file_is_warned_about_once_per_replacement() {
    capture_warnings();
    let server = MockServer::start().unwrap();
    let dir = private_dir("warn-once");
    let file = dir.join(format!("token-{}.cache", key(&server).digest()));
    let store = FileStore::new(&dir);
    cached_client(&server, store.clone())
        .access_token()
        .unwrap();
    set_mode(&file, 0o644);
    cached_client(&server, store.clone())
        .access_token()
        .unwrap();
    assert_eq!(
        warnings_about(&dir),
        1,
        "one warning for one untrusted file"
    );
    assert_eq!(server.token_request_count(), 2);
    set_mode(&file, 0o644);
    cached_client(&server, store).access_token().unwrap();
    assert_eq!(
        warnings_about(&dir),
        2,
        "the replaced file, untrusted again, is named again"
    );
    let _ = fs::remove_dir_all(dir);
}

/// Before: a rename cannot replace a directory, so one made where the cache file goes turned
/// the cache off for good (every client fetched) while the warning promised a replacement.
#[test]
fn a_directory_where_the_cache_file_goes_is_replaced_if_empty_and_named_if_not() {
    let server = MockServer::start().unwrap();
    let dir = private_dir("dir-at-file");
    let file = dir.join(format!("token-{}.cache", key(&server).digest()));
    fs::create_dir(&file).unwrap();
    let empty = token_requests_of_two_clients(&server, &dir);
    println!("an empty directory at the cache file: {empty} token request(s) for two clients");
    assert_eq!(empty, 1);
    assert!(fs::symlink_metadata(&file).unwrap().is_file());

    fs::remove_file(&file).unwrap();
    fs::create_dir(&file).unwrap();
    fs::write(file.join("kept"), "a user's file").unwrap();
    capture_warnings();
    let full = token_requests_of_two_clients(&server, &dir);
    println!("a directory with a file at the cache file: {full} token request(s), kept");
    assert_eq!(
        full, 2,
        "nothing of the user's is removed: the cache is done without"
    );
    assert!(file.join("kept").exists());
    assert!(
        warnings_about(&file) > 0,
        "the warning names the directory in the way"
    );
    let _ = fs::remove_dir_all(dir);
}

/// A store that hands out one entry whatever the key: what a shared store (Redis, a
/// database) written by something else, or corrupted, may hold.
struct Holds(StoredToken);

impl TokenStore for Holds {
    fn load(&self, _: &TokenKey) -> Option<StoredToken> {
        Some(self.0.clone())
    }
    fn compare_and_store(&self, _: &TokenKey, _: Option<&str>, _: &StoredToken) -> bool {
        true
    }
    fn compare_and_remove(&self, _: &TokenKey, _: &str) -> bool {
        true
    }
    fn fetch_lock(&self, _: &TokenKey, _: Instant) -> Option<FetchGuard> {
        None
    }
}

/// Before: a stored token of a mebibyte was handed out and sent, and every call failed
/// (no server takes such a header line) until the entry's expiry, a year later.
#[test]
fn a_stored_token_no_header_line_can_carry_is_not_used() {
    let server = MockServer::start().unwrap();
    let year = 365 * 24 * 3_600_000;
    let longest = hotmart::token::ParseError::MAX_ACCESS_TOKEN_LEN;
    let huge = StoredToken::new("A".repeat(longest + 1), now_ms(), now_ms() + year);
    let client = cached_client(&server, Holds(huge));
    let answer = client.get("/products/api/v1/products").send();
    println!(
        "a stored token of {} bytes: {:?}, {} token request(s)",
        longest + 1,
        answer.as_ref().map(|_| "answered"),
        server.token_request_count()
    );
    assert!(answer.is_ok(), "{answer:?}");
    assert_eq!(server.token_request_count(), 1);
}
