//! The local Hotmart's webhooks reach a receiver built on `hotmart::webhook::Verifier` and
//! `Dedup` (over a `MemoryStore`), served by `hotmart_mock::http` on loopback: every kind sent
//! on demand arrives, verifies and decodes to its kind; the shop's changes send theirs; a
//! failed attempt is redelivered; a resent event is a duplicate; a wrong hottok is refused
//! with 401 and recorded as a failure.

#![cfg(feature = "mock")]

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hotmart::Client;
use hotmart::webhook::{Dedup, EventKind, MemoryStore, Verifier};
use hotmart_mock::http::{self, Limits, Response, Server};
use hotmart_mock::{DeliveryStatus, MockServer};

const HOTTOK: &str = "mock-hottok-0123456789";
/// Far beyond what any delivery here takes; only a hang reaches it.
const BOUND: Duration = Duration::from_secs(60);

/// What the receiver saw of one delivery.
#[derive(Clone, Debug)]
struct Seen {
    id: String,
    kind: EventKind,
    first_time: bool,
    transaction: Option<String>,
    subscriber_code: Option<String>,
    product_id: Option<u64>,
    /// Hotmart's envelope: `version` "2.0.0" and a `creation_date`.
    envelope: bool,
}

struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    refused: Arc<AtomicUsize>,
    _server: Server,
}

/// A receiver that verifies with `hottok`, deduplicates, and answers 503 to its first
/// `fail_first` deliveries.
fn receiver(hottok: &str, fail_first: usize) -> Receiver {
    let verifier = Verifier::new(hottok).unwrap();
    let dedup = Dedup::new(MemoryStore::new(1_000));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let refused = Arc::new(AtomicUsize::new(0));
    let calls = AtomicUsize::new(0);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hotmart/webhook", listener.local_addr().unwrap());
    let handler = {
        let (seen, refused) = (Arc::clone(&seen), Arc::clone(&refused));
        move |request: &http::Request| {
            assert_eq!(request.path(), "/hotmart/webhook");
            if calls.fetch_add(1, Ordering::SeqCst) < fail_first {
                return Some(Response::new(503));
            }
            let header = request.header("x-hotmart-hottok");
            let event = match verifier.verify(header, request.body()) {
                Ok(event) => event,
                Err(e) => {
                    refused.fetch_add(1, Ordering::SeqCst);
                    return Some(Response::new(e.http_status()));
                }
            };
            let first_time = dedup.first_time(event.id()).unwrap();
            seen.lock().unwrap().push(Seen {
                id: event.id().to_owned(),
                kind: event.kind().clone(),
                first_time,
                transaction: event.transaction().map(str::to_owned),
                subscriber_code: event.subscriber_code().map(str::to_owned),
                product_id: event.product_id(),
                envelope: event.version() == Some("2.0.0") && event.created_at().is_some(),
            });
            Some(Response::new(200))
        }
    };
    let server = http::serve(listener, Limits::default(), handler).unwrap();
    Receiver {
        url,
        seen,
        refused,
        _server: server,
    }
}

fn seen(receiver: &Receiver) -> Vec<Seen> {
    receiver.seen.lock().unwrap().clone()
}

#[test]
fn every_kind_sent_on_demand_arrives_verified_and_typed() {
    let receiver = receiver(HOTTOK, 0);
    let server = MockServer::builder()
        .webhook(&receiver.url, HOTTOK)
        .start()
        .unwrap();
    let mut ids = Vec::new();
    for kind in EventKind::ALL {
        ids.push(server.send_webhook(kind.clone()).unwrap());
    }
    assert!(server.wait_for_webhooks(BOUND));
    let seen = seen(&receiver);
    assert_eq!(seen.len(), EventKind::ALL.len());
    for kind in EventKind::ALL {
        let event = seen
            .iter()
            .find(|s| s.kind == *kind)
            .expect("each kind arrives");
        assert!(event.first_time);
        assert!(event.envelope);
        assert!(ids.contains(&event.id));
    }
    // Ids are uuid-like and unique.
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    assert!(
        ids.iter()
            .all(|id| id.len() == 36 && id.matches('-').count() == 4)
    );
    // Purchase events are about the shop's first sale.
    let approved = seen
        .iter()
        .find(|s| s.kind == EventKind::PurchaseApproved)
        .unwrap();
    assert_eq!(approved.transaction.as_deref(), Some("HP17000000000"));
    assert_eq!(approved.product_id, Some(1_000_001));
    let deliveries = server.webhook_deliveries();
    assert!(
        deliveries
            .iter()
            .all(|d| d.status == DeliveryStatus::Delivered
                && d.attempts == 1
                && d.last_answer == Some(200))
    );
}

#[test]
fn the_shops_changes_send_their_events() {
    let receiver = receiver(HOTTOK, 0);
    let server = MockServer::builder()
        .subscriptions(4)
        .webhook(&receiver.url, HOTTOK)
        .start()
        .unwrap();
    let client = Client::new(server.environment(), server.credentials()).unwrap();
    client.sales().refund("HP17000000000").unwrap();
    client
        .subscriptions()
        .cancel_one("SUB00000")
        .send()
        .unwrap();
    client
        .subscriptions()
        .switch_plan("SUB00001", "offer-700")
        .unwrap();
    client
        .subscriptions()
        .change_due_day("SUB00001", 20)
        .unwrap();
    assert!(server.wait_for_webhooks(BOUND));
    let seen = seen(&receiver);
    let kinds: Vec<_> = seen.iter().map(|s| s.kind.clone()).collect();
    assert_eq!(
        kinds,
        [
            EventKind::PurchaseRefunded,
            EventKind::SubscriptionCancellation,
            EventKind::SwitchPlan,
            EventKind::UpdateSubscriptionChargeDate,
        ]
    );
    assert_eq!(seen[0].transaction.as_deref(), Some("HP17000000000"));
    assert_eq!(seen[1].subscriber_code.as_deref(), Some("SUB00000"));
    assert_eq!(seen[2].subscriber_code.as_deref(), Some("SUB00001"));
    assert_eq!(seen[3].subscriber_code.as_deref(), Some("SUB00001"));
    // Writes that change nothing send nothing.
    client
        .subscriptions()
        .change_due_day("SUB00001", 20)
        .unwrap();
    assert!(server.wait_for_webhooks(BOUND));
    assert_eq!(server.webhook_deliveries().len(), 4);
}

#[test]
fn a_failed_attempt_is_redelivered_and_a_resend_is_a_duplicate() {
    let receiver = receiver(HOTTOK, 1);
    let server = MockServer::builder()
        .webhook(&receiver.url, HOTTOK)
        .webhook_retries(5, Duration::from_millis(1))
        .start()
        .unwrap();
    let id = server.send_webhook(EventKind::PurchaseApproved).unwrap();
    assert!(server.wait_for_webhooks(BOUND));
    let delivery = server.webhook_deliveries().pop().unwrap();
    assert_eq!(delivery.id, id);
    assert_eq!(delivery.attempts, 2);
    assert_eq!(delivery.status, DeliveryStatus::Delivered);

    server.resend_webhook(&id).unwrap();
    assert!(server.wait_for_webhooks(BOUND));
    let seen = seen(&receiver);
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|s| s.id == id));
    assert!(seen[0].first_time);
    assert!(!seen[1].first_time, "Dedup recognises the redelivery");
    assert_eq!(server.webhook_deliveries().len(), 2);
}

#[test]
fn a_wrong_hottok_is_refused_with_401_and_recorded() {
    let receiver = receiver("another-hottok", 0);
    let server = MockServer::builder()
        .webhook(&receiver.url, HOTTOK)
        .webhook_retries(3, Duration::from_millis(1))
        .start()
        .unwrap();
    server
        .send_webhook(EventKind::SubscriptionCancellation)
        .unwrap();
    assert!(server.wait_for_webhooks(BOUND));
    let delivery = server.webhook_deliveries().pop().unwrap();
    assert_eq!(delivery.status, DeliveryStatus::Failed);
    assert_eq!(delivery.attempts, 3);
    assert_eq!(delivery.last_answer, Some(401));
    assert_eq!(receiver.refused.load(Ordering::SeqCst), 3);
    assert!(seen(&receiver).is_empty());
}

#[test]
fn no_answer_is_a_failure_and_never_holds_up_the_api() {
    // A receiver that reads the request and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let _silent = http::serve(listener, Limits::default(), |_| None).unwrap();
    let server = MockServer::builder()
        .webhook(&url, HOTTOK)
        .webhook_retries(2, Duration::from_millis(1))
        .webhook_timeout(Duration::from_millis(200))
        .start()
        .unwrap();
    let client = Client::new(server.environment(), server.credentials()).unwrap();
    // The refund is answered while its webhook waits on the silent receiver.
    client.sales().refund("HP17000000000").unwrap();
    client.sales().refund("HP17000000001").unwrap();
    assert!(server.wait_for_webhooks(BOUND));
    let deliveries = server.webhook_deliveries();
    assert_eq!(deliveries.len(), 2);
    for d in deliveries {
        assert_eq!(
            (d.status, d.attempts, d.last_answer),
            (DeliveryStatus::Failed, 2, None)
        );
    }
}

#[test]
fn nothing_listening_is_a_failure_and_a_drop_stops_the_sender() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = MockServer::builder()
        .webhook(&format!("http://127.0.0.1:{port}/"), HOTTOK)
        .webhook_retries(2, Duration::from_millis(1))
        .start()
        .unwrap();
    server.send_webhook(EventKind::SwitchPlan).unwrap();
    assert!(server.wait_for_webhooks(BOUND));
    assert_eq!(
        server.webhook_deliveries()[0].status,
        DeliveryStatus::Failed
    );
    // Pending deliveries with a long schedule: the drop does not wait for them.
    let slow = MockServer::builder()
        .webhook(&format!("http://127.0.0.1:{port}/"), HOTTOK)
        .webhook_retries(20, Duration::from_secs(60))
        .start()
        .unwrap();
    slow.send_webhook(EventKind::SwitchPlan).unwrap();
    drop(slow);
}

#[test]
fn bad_settings_are_refused_and_the_hottok_is_never_shown() {
    let invalid = |builder: hotmart_mock::MockBuilder| builder.start().unwrap_err().kind();
    let url = "http://127.0.0.1:9/";
    let kind = std::io::ErrorKind::InvalidInput;
    assert_eq!(
        invalid(MockServer::builder().webhook("http://192.0.2.1:80/", HOTTOK)),
        kind
    );
    assert_eq!(invalid(MockServer::builder().webhook(url, "")), kind);
    assert_eq!(
        invalid(MockServer::builder().webhook(url, "a\r\nX: y")),
        kind
    );
    let zero = MockServer::builder()
        .webhook(url, HOTTOK)
        .webhook_retries(0, Duration::ZERO);
    assert_eq!(invalid(zero), kind);
    let long = MockServer::builder()
        .webhook(url, HOTTOK)
        .webhook_timeout(Duration::from_secs(3600));
    assert_eq!(invalid(long), kind);

    let builder = MockServer::builder().webhook(url, HOTTOK);
    assert!(!format!("{builder:?}").contains(HOTTOK));
    let server = builder.start().unwrap();
    assert!(!format!("{server:?}").contains(HOTTOK));
    let without = MockServer::start().unwrap();
    let refused = without
        .send_webhook(EventKind::PurchaseApproved)
        .unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::NotConnected);
}
