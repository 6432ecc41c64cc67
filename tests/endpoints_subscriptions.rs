//! The typed subscription calls against the local Hotmart, over loopback.

mod support;

use std::time::Duration;

use hotmart::api::SubscriptionStatus;
use hotmart_mock::{Endpoint, Fault, MockServer};

#[test]
fn list_filters_by_status_and_reads_prices_with_their_currency() {
    let server = MockServer::builder().subscriptions(12).start().unwrap();
    let client = support::client(&server);
    let all: Vec<_> = client
        .subscriptions()
        .list()
        .max_results(5)
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(all.len(), 12);
    let price = all[1].price.clone().unwrap();
    assert_eq!(price.currency_code.as_deref(), Some("USD"));

    let delayed: Vec<_> = client
        .subscriptions()
        .list()
        .status(SubscriptionStatus::Delayed)
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(delayed.len(), 3);
    let request = server.requests().pop().unwrap();
    assert_eq!(request.query_value("status"), Some("DELAYED"));
}

#[test]
fn summary_and_transactions() {
    let server = MockServer::builder().subscriptions(4).start().unwrap();
    let client = support::client(&server);
    let summary = client
        .subscriptions()
        .summary()
        .subscriber_code("SUB00002")
        .send()
        .unwrap();
    assert_eq!(summary.items().len(), 1);
    let item = &summary.items()[0];
    assert_eq!(item.status.as_deref(), Some("DELAYED"));
    assert_eq!(item.unpaid_recurrencies.as_ref().unwrap().len(), 1);

    // Hotmart's default window is the last 30 days. The mock's subscription i started
    // (i + 1) × 20 days ago and is charged every 30 days: 1 + 1 + 2 + 1 charges fall in it.
    let recent: Vec<_> = client
        .subscriptions()
        .transactions()
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(recent.len(), 5);
    // Hotmart's shape: each item carries its charge's purchase.
    assert!(
        recent
            .iter()
            .all(|t| t.purchase.as_ref().is_some_and(|p| p.transaction.is_some()))
    );
}

#[test]
fn purchases_are_a_bare_array() {
    let server = MockServer::builder().subscriptions(3).start().unwrap();
    let client = support::client(&server);
    // SUB00002 started 60 days ago: charges on day 0, 30 and 60.
    let purchases = client.subscriptions().purchases("SUB00002").send().unwrap();
    assert_eq!(purchases.len(), 3);
    assert_eq!(purchases[0].recurrency_number, Some(1));
    assert_eq!(
        purchases[0]
            .price
            .as_ref()
            .unwrap()
            .currency_code
            .as_deref(),
        Some("CLP")
    );
    assert_eq!(
        client
            .subscriptions()
            .purchases("NOPE")
            .send()
            .unwrap_err()
            .status(),
        Some(404)
    );
}

#[test]
fn a_cancelled_subscription_reads_back_cancelled() {
    let server = MockServer::builder().subscriptions(8).start().unwrap();
    let client = support::client(&server);
    let changes = client
        .subscriptions()
        .cancel(&["SUB00000", "SUB00003"])
        .send_mail(false)
        .send()
        .unwrap();
    let ok = changes.success_subscriptions.unwrap();
    let failed = changes.fail_subscriptions.unwrap();
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].subscriber_code.as_deref(), Some("SUB00000"));
    assert_eq!(failed[0].subscriber_code.as_deref(), Some("SUB00003"));
    assert_eq!(
        failed[0].error.as_deref(),
        Some("SUBSCRIPTION_ALREADY_CANCELED_OR_OVERDUE")
    );
    let body = &server.requests().pop().unwrap().body;
    assert_eq!(
        body,
        br#"{"subscriber_code":["SUB00000","SUB00003"],"send_mail":false}"#
    );

    let sub = client
        .subscriptions()
        .list()
        .subscriber_code("SUB00000")
        .send()
        .unwrap();
    assert_eq!(
        sub.items()[0].status.as_deref(),
        Some("CANCELLED_BY_SELLER")
    );

    let one = client
        .subscriptions()
        .cancel_one("SUB00001")
        .send()
        .unwrap();
    assert_eq!(one.status.as_deref(), Some("CANCELLED_BY_SELLER"));

    let back = client
        .subscriptions()
        .reactivate(&["SUB00000"])
        .charge(true)
        .send()
        .unwrap();
    assert_eq!(back.success_subscriptions.unwrap().len(), 1);
    let one = client
        .subscriptions()
        .reactivate_one("SUB00001")
        .send()
        .unwrap();
    assert_eq!(one.status.as_deref(), Some("ACTIVE"));
}

#[test]
fn cancel_is_retried_after_a_5xx_but_reactivate_is_not() {
    let server = MockServer::builder().subscriptions(4).start().unwrap();
    let client = support::builder(&server)
        .retry_backoff(Duration::from_millis(1))
        .build()
        .unwrap();
    client.access_token().unwrap();
    server.clear_requests();
    server.fail_next(Endpoint::Api, 1, Fault::Status(503));
    client.subscriptions().cancel(&["SUB00000"]).send().unwrap();
    assert_eq!(server.api_request_count(), 2);

    server.clear_requests();
    server.fail_next(Endpoint::Api, 1, Fault::Status(503));
    let err = client
        .subscriptions()
        .reactivate(&["SUB00000"])
        .send()
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.api_request_count(), 1);
}

#[test]
fn change_due_day_is_recorded() {
    let server = MockServer::builder().subscriptions(2).start().unwrap();
    let client = support::client(&server);
    client
        .subscriptions()
        .change_due_day("SUB00000", 15)
        .unwrap();
    let request = server.requests().pop().unwrap();
    assert_eq!(request.method, "PATCH");
    assert_eq!(request.path, "/payments/api/v1/subscriptions/SUB00000");
    assert_eq!(request.body, br#"{"due_day":15}"#);
    // The cancel answer reports the due day now in force.
    let change = client
        .subscriptions()
        .cancel_one("SUB00000")
        .send()
        .unwrap();
    assert_eq!(change.due_day, Some(15));
    // A day no month has is refused before sending (the local Hotmart would answer 400).
    let before = server.requests().len();
    let err = client
        .subscriptions()
        .change_due_day("SUB00000", 40)
        .unwrap_err();
    assert!(
        matches!(
            err,
            hotmart::Error::InvalidArgument {
                argument: "due_day",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), before);
}

#[test]
fn codes_in_paths_are_percent_encoded() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let _ = client.subscriptions().purchases("A/B ?").send();
    let request = server.requests().pop().unwrap();
    assert_eq!(
        request.path,
        "/payments/api/v1/subscriptions/A%2FB%20%3F/purchases"
    );
}
