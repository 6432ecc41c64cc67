//! The persistent token cache (the file store): what the file holds and how it is protected,
//! atomic replacement, what is ignored, sharing across clients, and removal on a 401.

mod support;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::thread;

use hotmart::{Client, Credentials};
use hotmart_mock::MockServer;

use support::TempDir;

fn cached_client(server: &MockServer, dir: &Path) -> Client {
    support::builder(server).token_cache(dir).build().unwrap()
}

/// The one cache file in `dir` (the lock file aside).
fn cache_file(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cache"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn the_file_is_private_and_holds_no_secret() {
    let tmp = TempDir::new("private");
    let dir = tmp.path().join("nested/hotmart");
    let server = MockServer::start().unwrap();
    let token = cached_client(&server, &dir).access_token().unwrap();

    assert_eq!(mode(&dir), 0o700);
    let file = cache_file(&dir);
    assert_eq!(mode(&file), 0o600);
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains(token.secret()), "{text}");
    assert!(text.contains(hotmart_mock::CLIENT_ID), "{text}");
    let basic = "bW9jay1jbGllbnQtaWQ6bW9jay1jbGllbnQtc2VjcmV0"; // base64(id:secret)
    assert!(
        !text.contains(hotmart_mock::CLIENT_SECRET) && !text.contains(basic),
        "{text}"
    );
    // The token, the key and the times; nothing else.
    let names: Vec<&str> = text.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(
        names,
        [
            "hotmart-token-cache",
            "auth",
            "api",
            "client_id",
            "issued_ms",
            "expires_ms",
            "token",
            "end"
        ]
    );
    // No temporary file is left behind.
    for entry in fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(!name.to_string_lossy().ends_with(".tmp"), "{name:?}");
    }
}

#[test]
fn a_second_client_reads_the_token_instead_of_fetching() {
    let tmp = TempDir::new("shared");
    let server = MockServer::start().unwrap();
    let first = cached_client(&server, tmp.path()).access_token().unwrap();
    let again = cached_client(&server, tmp.path()).access_token().unwrap();
    assert_eq!(first.secret(), again.secret());
    assert_eq!(server.token_request_count(), 1);
    // The restored token works against the API.
    let client = cached_client(&server, tmp.path());
    client.get("/user/api/v1/me").send().unwrap();
    assert_eq!(server.token_request_count(), 1);
}

#[test]
fn two_credentials_never_share_a_token() {
    let tmp = TempDir::new("keyed");
    let server = MockServer::start().unwrap();
    let other = MockServer::builder()
        .credentials("other-id", "other-secret")
        .start()
        .unwrap();
    cached_client(&server, tmp.path()).access_token().unwrap();
    // Same URLs, another client id: its own entry.
    let env = server.environment();
    let client = Client::builder(env, Credentials::new("other-id", "other-secret"))
        .token_cache(tmp.path())
        .build()
        .unwrap();
    assert!(client.access_token().is_err(), "the mock refuses other-id");
    // Another environment, same client id: its own entry.
    cached_client(&other, tmp.path()).access_token().unwrap();
    assert_eq!(other.token_request_count(), 1);
    assert_eq!(server.token_request_count(), 2);
}

#[test]
fn replacement_is_atomic() {
    let tmp = TempDir::new("atomic");
    let server = MockServer::start().unwrap();
    let client = cached_client(&server, tmp.path());
    let first = client.access_token().unwrap();
    let file = cache_file(tmp.path());
    let before = fs::read_to_string(&file).unwrap();
    let old_handle = fs::File::open(&file).unwrap();
    let old_inode = fs::metadata(&file).unwrap().ino();

    client.invalidate(&first);
    let second = client.access_token().unwrap();
    assert_ne!(first.secret(), second.secret());
    // A new file was renamed into place: the old one is intact for whoever still reads it.
    assert_ne!(fs::metadata(&file).unwrap().ino(), old_inode);
    let mut still = String::new();
    std::io::Read::read_to_string(&mut &old_handle, &mut still).unwrap();
    assert_eq!(still, before);
    let after = fs::read_to_string(&file).unwrap();
    assert!(after.contains(second.secret()) && after.ends_with("end\n"));
    assert_eq!(mode(&file), 0o600);
}

#[test]
fn temporaries_left_by_a_crashed_writer_are_cleaned_up() {
    let tmp = TempDir::new("stale");
    let server = MockServer::start().unwrap();
    let client = cached_client(&server, tmp.path());
    let first = client.access_token().unwrap();
    let stem = cache_file(tmp.path())
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let old = tmp.path().join(format!(".{stem}.999-0.tmp"));
    let young = tmp.path().join(format!(".{stem}.999-1.tmp"));
    for path in [&old, &young] {
        fs::write(path, b"hotmart-token-cache 1\n").unwrap();
    }
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3_600);
    fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    client.invalidate(&first);
    client.access_token().unwrap();
    assert!(!old.exists(), "a stale temporary file stays behind");
    assert!(young.exists(), "a write in progress must not be disturbed");
}

#[test]
fn corrupt_foreign_and_expired_files_are_ignored_and_replaced() {
    let tmp = TempDir::new("corrupt");
    let server = MockServer::start().unwrap();
    cached_client(&server, tmp.path()).access_token().unwrap();
    let file = cache_file(tmp.path());
    let good = fs::read_to_string(&file).unwrap();
    let expires = good
        .lines()
        .find_map(|l| l.strip_prefix("expires_ms "))
        .unwrap()
        .to_owned();
    let issued = good
        .lines()
        .find_map(|l| l.strip_prefix("issued_ms "))
        .unwrap()
        .to_owned();
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("torn", good.as_bytes()[..good.len() / 2].to_vec()),
        ("garbage", b"\x00\xff not a cache file \xfe".to_vec()),
        ("json", br#"{"access_token":"x","expires_in":100}"#.to_vec()),
        (
            "future format",
            good.replace("hotmart-token-cache 1", "hotmart-token-cache 2")
                .into_bytes(),
        ),
        (
            "another key",
            good.replace(hotmart_mock::CLIENT_ID, "someone-else")
                .into_bytes(),
        ),
        (
            "expired",
            good.replace(
                &format!("expires_ms {expires}"),
                &format!("expires_ms {issued}"),
            )
            .into_bytes(),
        ),
        ("huge", vec![b'a'; 1 << 20]),
    ];
    for (i, (what, bytes)) in bad.into_iter().enumerate() {
        fs::write(&file, &bytes).unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
        let token = cached_client(&server, tmp.path())
            .access_token()
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(server.token_request_count(), i + 2, "{what}");
        let text = fs::read_to_string(&file).unwrap();
        assert!(text.contains(token.secret()), "{what}: not replaced");
    }
    // A directory where the file should be: still no error for the caller.
    fs::remove_file(&file).unwrap();
    fs::create_dir(&file).unwrap();
    cached_client(&server, tmp.path()).access_token().unwrap();
}

#[test]
fn a_file_others_can_read_is_refused_and_replaced() {
    let tmp = TempDir::new("mode");
    let server = MockServer::start().unwrap();
    cached_client(&server, tmp.path()).access_token().unwrap();
    let file = cache_file(tmp.path());
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    cached_client(&server, tmp.path()).access_token().unwrap();
    assert_eq!(server.token_request_count(), 2);
    assert_eq!(mode(&file), 0o600);
}

#[test]
fn a_file_another_user_owns_is_refused() {
    let tmp = TempDir::new("owner");
    let server = MockServer::start().unwrap();
    cached_client(&server, tmp.path()).access_token().unwrap();
    let file = cache_file(tmp.path());
    let me = fs::metadata(&file).unwrap().uid();
    if std::os::unix::fs::chown(&file, Some(me + 4242), None).is_err() {
        eprintln!("skipped: changing a file's owner needs root");
        return;
    }
    cached_client(&server, tmp.path()).access_token().unwrap();
    assert_eq!(server.token_request_count(), 2);
    assert_eq!(
        fs::metadata(&file).unwrap().uid(),
        me,
        "replaced by our own"
    );
}

#[test]
fn invalidate_removes_the_entry_only_if_it_holds_that_token() {
    let tmp = TempDir::new("invalidate");
    let server = MockServer::start().unwrap();
    let client = cached_client(&server, tmp.path());
    let first = client.access_token().unwrap();
    let file = cache_file(tmp.path());
    assert!(client.invalidate(&first));
    assert!(!file.exists(), "the rejected token must leave the file");

    let second = client.access_token().unwrap();
    assert!(file.exists());
    // An old token rejected late removes nothing: the file holds a newer one.
    client.invalidate(&first);
    assert!(fs::read_to_string(&file).unwrap().contains(second.secret()));
}

#[test]
fn a_401_removes_the_entry_and_the_next_process_fetches() {
    let tmp = TempDir::new("revoked");
    let server = MockServer::start().unwrap();
    let client = cached_client(&server, tmp.path());
    let first = client.access_token().unwrap();
    server.revoke_tokens();
    // Another process with the revoked token in memory meets the 401 too.
    let other = cached_client(&server, tmp.path());
    assert_eq!(other.access_token().unwrap().secret(), first.secret());
    other.get("/user/api/v1/me").send().unwrap();
    assert_eq!(server.token_request_count(), 2);
    let text = fs::read_to_string(cache_file(tmp.path())).unwrap();
    assert!(!text.contains(first.secret()));
    // The first client's 401 finds the new token in the file, not a third fetch.
    client.get("/user/api/v1/me").send().unwrap();
    assert_eq!(server.token_request_count(), 2);
    // A new process starts from the new token.
    let fresh = cached_client(&server, tmp.path()).access_token().unwrap();
    assert!(text.contains(fresh.secret()));
}

#[test]
fn many_clients_at_once_make_one_token_request() {
    let tmp = TempDir::new("threads");
    let server = MockServer::start().unwrap();
    let barrier = Arc::new(Barrier::new(8));
    let tokens: Vec<String> = thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                let client = cached_client(&server, tmp.path());
                s.spawn(move || {
                    barrier.wait();
                    client.access_token().unwrap().secret().to_owned()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    assert_eq!(server.token_request_count(), 1);
}

#[test]
fn an_unusable_directory_only_costs_the_cache() {
    let tmp = TempDir::new("unusable");
    let blocker = tmp.path().join("a-file");
    fs::write(&blocker, b"not a directory").unwrap();
    let server = MockServer::start().unwrap();
    let client = cached_client(&server, &blocker.join("hotmart"));
    let token = client.access_token().unwrap();
    client.invalidate(&token);
    client.access_token().unwrap();
    assert_eq!(server.token_request_count(), 2);
}

/// The README's in-process figure: what reading a warm cache adds to a run, i.e. building a
/// client and getting its token from the file, against building the client alone. Run it
/// with `cargo test --release --test token_store -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check: run it by hand"]
fn measure_warm_cache_read() {
    use std::time::{Duration, Instant};
    let tmp = TempDir::new("measure");
    let server = MockServer::start().unwrap();
    cached_client(&server, tmp.path()).access_token().unwrap();
    let median = |mut times: Vec<Duration>| {
        times.sort();
        (times[times.len() / 2], times[times.len() * 99 / 100])
    };
    let rounds = 2_000;
    let build_only = median(
        (0..rounds)
            .map(|_| {
                let started = Instant::now();
                let client = cached_client(&server, tmp.path());
                let elapsed = started.elapsed();
                drop(client);
                elapsed
            })
            .collect(),
    );
    let with_token = median(
        (0..rounds)
            .map(|_| {
                let started = Instant::now();
                let client = cached_client(&server, tmp.path());
                client.access_token().unwrap();
                let elapsed = started.elapsed();
                drop(client);
                elapsed
            })
            .collect(),
    );
    assert_eq!(server.token_request_count(), 1);
    println!(
        "build only: median {:?}, p99 {:?}; build + token from a warm cache: median {:?}, p99 {:?}",
        build_only.0, build_only.1, with_token.0, with_token.1
    );
}
