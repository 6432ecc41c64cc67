//! Deduplication: one first time per event id, in memory and in a directory, under
//! concurrency, across a process restart, and after the retention.
#![cfg(feature = "json")]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, SystemTime};

use hotmart::webhook::{DEFAULT_RETENTION, Dedup, DedupStore, DirStore, MemoryStore};

/// A directory of its own under the system's temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("hotmart-dedup-{label}-{}-{n}", std::process::id());
        TempDir(std::env::temp_dir().join(name))
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const DAY: Duration = Duration::from_secs(86_400);

fn redeliveries_are_recognised(dedup: &Dedup) {
    assert!(dedup.first_time("e1").unwrap());
    assert!(!dedup.first_time("e1").unwrap());
    assert!(dedup.first_time("e2").unwrap());
    dedup.forget("e1").unwrap();
    dedup.forget("never-seen").unwrap();
    assert!(dedup.first_time("e1").unwrap());
    assert!(!dedup.first_time("e1").unwrap());
}

/// `threads` callers, released at once, each with its own handle from `make`: the number of
/// winners of each of `ids` ids.
fn race(threads: usize, ids: usize, make: impl Fn() -> Dedup) -> Vec<usize> {
    let winners: Arc<Vec<AtomicUsize>> = Arc::new((0..ids).map(|_| AtomicUsize::new(0)).collect());
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (dedup, barrier, winners) = (make(), barrier.clone(), winners.clone());
            thread::spawn(move || {
                barrier.wait();
                for id in 0..ids {
                    if dedup.first_time(&format!("event-{id}")).unwrap() {
                        winners[id].fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    handles.into_iter().for_each(|h| h.join().unwrap());
    winners.iter().map(|w| w.load(Ordering::SeqCst)).collect()
}

#[test]
fn memory_recognises_redeliveries() {
    redeliveries_are_recognised(&Dedup::in_memory());
}

#[test]
fn memory_one_of_concurrent_deliveries_wins() {
    let store = Arc::new(MemoryStore::new(1000));
    #[derive(Debug)]
    struct Shared(Arc<MemoryStore>);
    impl DedupStore for Shared {
        fn insert_new(&self, key: &str, now: SystemTime, ret: Duration) -> std::io::Result<bool> {
            self.0.insert_new(key, now, ret)
        }
        fn remove(&self, key: &str) -> std::io::Result<()> {
            self.0.remove(key)
        }
    }
    let winners = race(8, 200, || Dedup::new(Shared(store.clone())));
    assert!(winners.iter().all(|&n| n == 1), "{winners:?}");
}

#[test]
fn memory_is_bounded_and_forgets_the_oldest_first() {
    let store = MemoryStore::new(3);
    let now = SystemTime::now();
    for key in ["a", "b", "c", "d"] {
        assert!(store.insert_new(key, now, DAY).unwrap());
    }
    assert!(!store.insert_new("d", now, DAY).unwrap());
    assert!(!store.insert_new("b", now, DAY).unwrap());
    assert!(
        store.insert_new("a", now, DAY).unwrap(),
        "the oldest made room"
    );
}

#[test]
fn memory_forgets_after_the_retention() {
    let store = MemoryStore::new(10);
    let t0 = SystemTime::now();
    assert!(store.insert_new("a", t0, DAY).unwrap());
    assert!(
        !store
            .insert_new("a", t0 + DAY - Duration::from_secs(1), DAY)
            .unwrap()
    );
    assert!(
        !store.insert_new("a", t0 - DAY, DAY).unwrap(),
        "a clock set back"
    );
    assert!(store.insert_new("a", t0 + DAY, DAY).unwrap());
    assert!(!store.insert_new("a", t0 + DAY, DAY).unwrap());
}

#[test]
fn dir_recognises_redeliveries_in_a_private_directory() {
    let tmp = TempDir::new("basic");
    let dir = tmp.path().join("nested/events");
    redeliveries_are_recognised(&Dedup::in_dir(&dir));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(names.len(), 2);
    assert!(
        names
            .iter()
            .all(|n| n.len() == 32 && n.bytes().all(|b| b.is_ascii_hexdigit()))
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(&names[0])), 0o600);
    }
}

#[test]
fn dir_one_of_concurrent_deliveries_wins() {
    let tmp = TempDir::new("race");
    let dir = tmp.path().to_owned();
    // A store per thread, as separate processes of one host have.
    let winners = race(8, 100, || Dedup::in_dir(&dir));
    assert!(winners.iter().all(|&n| n == 1), "{winners:?}");
}

#[test]
fn dir_remembers_across_process_restarts() {
    let tmp = TempDir::new("restart");
    let exe = std::env::current_exe().unwrap();
    // Four processes started together, then each started again: one first time in all.
    let run = || {
        let children: Vec<_> = (0..4)
            .map(|_| {
                std::process::Command::new(&exe)
                    .args(["--exact", "dir_child", "--nocapture", "--include-ignored"])
                    .env("WEBHOOK_DEDUP_DIR", tmp.path())
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outputs = children.into_iter().map(|c| c.wait_with_output().unwrap());
        outputs
            .map(|out| {
                assert!(out.status.success());
                String::from_utf8(out.stdout)
                    .unwrap()
                    .matches("first time")
                    .count()
            })
            .sum::<usize>()
    };
    assert_eq!(run(), 1);
    assert_eq!(run(), 0);
    assert!(
        !Dedup::in_dir(tmp.path())
            .first_time("restart-event")
            .unwrap()
    );
}

#[test]
#[ignore = "run by dir_remembers_across_process_restarts"]
fn dir_child() {
    let Some(dir) = std::env::var_os("WEBHOOK_DEDUP_DIR") else {
        return;
    };
    if Dedup::in_dir(dir).first_time("restart-event").unwrap() {
        println!("first time");
    }
}

#[test]
fn dir_forgets_after_the_retention_and_sweeps_old_entries() {
    let tmp = TempDir::new("expiry");
    let store = DirStore::new(tmp.path());
    let t0 = SystemTime::now();
    let (a, b) = (Dedup::key("a"), Dedup::key("b"));
    assert!(store.insert_new(&a, t0, DAY).unwrap());
    assert!(!store.insert_new(&a, t0 + DAY / 2, DAY).unwrap());
    assert!(
        store.insert_new(&a, t0 + DAY, DAY).unwrap(),
        "expired: a first time again"
    );
    assert!(!store.insert_new(&a, t0 + DAY, DAY).unwrap());
    // Two days on (past the hourly sweep), inserting b sweeps a away.
    assert!(store.insert_new(&b, t0 + 3 * DAY, DAY).unwrap());
    assert!(!tmp.path().join(&a).exists());
    assert!(tmp.path().join(&b).exists());
}

#[test]
fn dir_refuses_a_shared_directory_and_foreign_keys() {
    let tmp = TempDir::new("refuse");
    let store = DirStore::new(tmp.path());
    let now = SystemTime::now();
    for key in ["", "../escape", "a/b", ".swept", &"a".repeat(65)] {
        let err = store.insert_new(key, now, DAY).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{key}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(tmp.path()).unwrap();
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let err = store.insert_new(&Dedup::key("a"), now, DAY).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
        assert!(err.to_string().contains("chmod 700"), "{err}");
    }
}

/// Whoever may write a directory above the store could swap the store for a directory of
/// theirs; a sticky one (as `/tmp`) is fine.
#[cfg(unix)]
#[test]
fn dir_refuses_a_store_below_a_directory_others_may_write() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = TempDir::new("open-parent");
    std::fs::create_dir_all(tmp.path()).unwrap();
    let set = |mode| std::fs::set_permissions(tmp.path(), PermissionsExt::from_mode(mode)).unwrap();
    let store = DirStore::new(tmp.path().join("ids"));
    let now = SystemTime::now();
    set(0o777);
    let err = store.insert_new(&Dedup::key("a"), now, DAY).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
    assert!(
        err.to_string().contains("other users could replace it"),
        "{err}"
    );
    assert!(
        !store.dir().exists(),
        "made under a directory others could swap"
    );
    set(0o1777);
    assert!(store.insert_new(&Dedup::key("a"), now, DAY).unwrap());
    set(0o700);
}

#[test]
fn keys_and_retention() {
    assert_eq!(DEFAULT_RETENTION, 60 * DAY);
    assert_eq!(Dedup::key("e1"), Dedup::key("e1"));
    assert_ne!(Dedup::key("e1"), Dedup::key("e2"));
    let dedup = Dedup::in_memory().retention(Duration::ZERO);
    assert!(dedup.first_time("e").unwrap());
    assert!(
        dedup.first_time("e").unwrap(),
        "nothing is remembered for no time"
    );
    assert!(format!("{dedup:?}").contains("retention"));
}
