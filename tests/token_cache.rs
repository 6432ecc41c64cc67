//! The token cell: one request for many calls and many threads, refresh after expiry, the
//! margin clamp, and compare-and-invalidate.

mod support;

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use hotmart_mock::MockServer;

#[test]
fn one_token_request_for_200_calls() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let first = client.access_token().unwrap();
    for _ in 0..199 {
        assert_eq!(client.access_token().unwrap(), first);
    }
    assert_eq!(server.token_request_count(), 1);
}

#[test]
fn one_token_request_for_16_threads_on_a_cold_client() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let barrier = Barrier::new(16);
    let tokens: Vec<_> = thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    (0..50)
                        .map(|_| client.access_token().unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(tokens.len(), 800);
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    assert_eq!(server.token_request_count(), 1);
}

#[test]
fn refreshes_after_expiry() {
    let server = MockServer::builder()
        .token_lifetime(Duration::from_secs(1))
        .start()
        .unwrap();
    let client = support::builder(&server)
        .refresh_margin(Duration::ZERO)
        .build()
        .unwrap();
    let first = client.access_token().unwrap();
    assert_eq!(client.access_token().unwrap(), first);
    thread::sleep(first.expires_at().saturating_duration_since(Instant::now()));
    let second = client.access_token().unwrap();
    assert_ne!(second, first);
    assert_ne!(second.secret(), first.secret());
    assert!(first.is_expired());
    assert_eq!(server.token_request_count(), 2);
}

#[test]
fn margin_is_clamped_to_half_the_lifetime() {
    // A 300 s margin on a 2 s token would make every token stale on arrival; the clamp
    // keeps it usable for the first half of its life.
    let server = MockServer::builder()
        .token_lifetime(Duration::from_secs(2))
        .start()
        .unwrap();
    let client = support::builder(&server)
        .refresh_margin(Duration::from_secs(300))
        .build()
        .unwrap();
    let first = client.access_token().unwrap();
    let lifetime = first.expires_at() - first.refresh_at();
    assert!(lifetime <= Duration::from_secs(1), "{lifetime:?}");
    assert_eq!(client.access_token().unwrap(), first);
    assert_eq!(server.token_request_count(), 1);
    thread::sleep(first.refresh_at().saturating_duration_since(Instant::now()));
    let second = client.access_token().unwrap();
    assert_ne!(second, first);
    assert!(!first.is_expired(), "refreshed before, not after, expiry");
    assert_eq!(server.token_request_count(), 2);
}

#[test]
fn compare_and_invalidate() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let old = client.access_token().unwrap();

    // 32 threads all saw `old` rejected: one refresh between them.
    let barrier = Barrier::new(32);
    thread::scope(|s| {
        for _ in 0..32 {
            s.spawn(|| {
                barrier.wait();
                client.invalidate(&old);
                let fresh = client.access_token().unwrap();
                assert_ne!(fresh, old);
            });
        }
    });
    assert_eq!(server.token_request_count(), 2);

    // Invalidating a token that is no longer cached does nothing.
    let current = client.access_token().unwrap();
    assert!(!client.invalidate(&old));
    assert_eq!(client.access_token().unwrap(), current);
    assert!(client.invalidate(&current));
    assert_ne!(client.access_token().unwrap(), current);
    assert_eq!(server.token_request_count(), 3);
}

#[test]
fn errors_are_not_cached() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    server.fail_next(
        hotmart_mock::Endpoint::Token,
        1,
        hotmart_mock::Fault::Status(401),
    );
    assert_eq!(client.access_token().unwrap_err().status(), Some(401));
    assert!(client.access_token().is_ok());
    assert_eq!(server.token_request_count(), 2);
}

#[test]
fn clones_share_the_cache() {
    let server = MockServer::start().unwrap();
    let client = Arc::new(support::client(&server));
    let clone = (*client).clone();
    assert_eq!(
        client.access_token().unwrap(),
        clone.access_token().unwrap()
    );
    assert_eq!(server.token_request_count(), 1);
}
