//! The typed sales calls against the local Hotmart, over loopback: paths, filters, Hotmart's
//! defaults, shapes and errors that point.

mod support;

use std::time::{Duration, SystemTime};

use hotmart::Error;
use hotmart::api::{CommissionAs, PaymentType, TransactionStatus};
use hotmart_mock::{Endpoint, Fault, MockServer};

fn last_request(server: &MockServer, path: &str) -> hotmart_mock::RecordedRequest {
    server
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path == path)
        .expect("a request to that path")
}

#[test]
fn history_returns_only_approved_and_complete_by_default() {
    let server = MockServer::builder().sales(40).start().unwrap();
    let client = support::client(&server);
    let sales: Vec<_> = client
        .sales()
        .history()
        .max_results(7)
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(sales.len(), 30);
    for sale in &sales {
        let status = sale.purchase.as_ref().unwrap().status.as_deref().unwrap();
        assert!(status == "APPROVED" || status == "COMPLETE", "{status}");
    }
    let request = last_request(&server, "/payments/api/v1/sales/history");
    assert_eq!(request.query_value("max_results"), Some("7"));
    assert_eq!(request.query_value("transaction_status"), None);
}

#[test]
fn history_filters_by_status_dates_product_and_more() {
    let server = MockServer::builder().sales(40).start().unwrap();
    let client = support::client(&server);
    let refunded: Vec<_> = client
        .sales()
        .history()
        .transaction_status(TransactionStatus::Refunded)
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(refunded.len(), 5);
    assert!(
        refunded
            .iter()
            .all(|s| { s.purchase.as_ref().unwrap().status.as_deref() == Some("REFUNDED") })
    );

    // The last 24 hours: the newest sale is an hour old, one every 4 hours: sales 0 to 5,
    // and sale 5 is refunded, so left out by default.
    let now = SystemTime::now();
    let day: Vec<_> = client
        .sales()
        .history()
        .start_date(now - Duration::from_secs(86_400))
        .end_date(now)
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(day.len(), 5);
    let request = last_request(&server, "/payments/api/v1/sales/history");
    let start: u64 = request.query_value("start_date").unwrap().parse().unwrap();
    let end: u64 = request.query_value("end_date").unwrap().parse().unwrap();
    assert_eq!(end - start, 86_400_000, "dates go as epoch milliseconds");

    let one = client
        .sales()
        .history()
        .transaction("HP17000000005")
        .send()
        .unwrap();
    // A transaction lifts the status default: sale 5 is refunded, and is found.
    assert_eq!(one.items().len(), 1);

    let by_product = client
        .sales()
        .history()
        .product_id(1_000_002)
        .payment_type(PaymentType::Pix)
        .commission_as(CommissionAs::Producer)
        .buyer_email("comprador1@example.com")
        .items()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert_eq!(by_product.len(), 1);
    let request = last_request(&server, "/payments/api/v1/sales/history");
    assert_eq!(request.query_value("payment_type"), Some("PIX"));
    assert_eq!(request.query_value("commission_as"), Some("PRODUCER"));
}

#[test]
fn max_results_is_clamped_to_hotmarts_limit() {
    let server = MockServer::builder().sales(3).start().unwrap();
    let client = support::client(&server);
    client.sales().history().max_results(10_000).send().unwrap();
    let request = last_request(&server, "/payments/api/v1/sales/history");
    assert_eq!(request.query_value("max_results"), Some("500"));
}

#[test]
fn summary_totals_each_currency_apart() {
    let server = MockServer::builder().sales(25).start().unwrap();
    let client = support::client(&server);
    let totals: Vec<_> = client
        .sales()
        .summary()
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    let currencies: Vec<_> = totals
        .iter()
        .map(|t| {
            t.total_value
                .as_ref()
                .unwrap()
                .currency_code
                .clone()
                .unwrap()
        })
        .collect();
    assert_eq!(currencies, ["BRL", "CLP", "USD"]);
    let count: u64 = totals.iter().map(|t| t.total_items.unwrap()).sum();
    assert_eq!(count, 19);
}

#[test]
fn participants_commissions_and_price_details() {
    let server = MockServer::builder().sales(6).start().unwrap();
    let client = support::client(&server);

    let participants = client.sales().participants().send().unwrap();
    let first = &participants.items()[0];
    let users = first.users.as_ref().unwrap();
    assert_eq!(users[0].role.as_deref(), Some("BUYER"));
    let buyer = users[0].user.as_ref().unwrap();
    assert_eq!(
        buyer.documents.as_ref().unwrap()[0].kind.as_deref(),
        Some("CPF")
    );
    assert_eq!(
        buyer.address.as_ref().unwrap().city.as_deref(),
        Some("Belo Horizonte")
    );

    // `/sales/commissions` names the currency `currency_value`: it lands in `currency_code`.
    let commissions = client.sales().commissions().send().unwrap();
    let commission = commissions.items()[1].commissions.as_ref().unwrap()[0]
        .commission
        .clone()
        .unwrap();
    assert_eq!(commission.currency_code.as_deref(), Some("USD"));
    assert!(commission.value.unwrap() > 0.0);

    let details = client.sales().price_details().send().unwrap();
    let first = &details.items()[0];
    assert_eq!(
        first.coupon.as_ref().unwrap().code.as_deref(),
        Some("WELCOME10")
    );
    assert_eq!(
        first.total.as_ref().unwrap().currency_code.as_deref(),
        Some("BRL")
    );
}

#[test]
fn a_refund_reads_back_refunded_and_is_not_retried() {
    let server = MockServer::builder().sales(3).start().unwrap();
    let client = support::builder(&server)
        .retry_backoff(Duration::from_millis(1))
        .build()
        .unwrap();
    client.sales().refund("HP17000000000").unwrap();
    let sale = client
        .sales()
        .history()
        .transaction("HP17000000000")
        .send()
        .unwrap();
    let status = sale.items()[0].purchase.as_ref().unwrap().status.clone();
    assert_eq!(status.as_deref(), Some("REFUNDED"));
    // Refunding again is Hotmart's 400, not a silent success.
    assert_eq!(
        client.sales().refund("HP17000000000").unwrap_err().status(),
        Some(400)
    );

    server.clear_requests();
    server.fail_next(Endpoint::Api, 1, Fault::Status(503));
    let err = client.sales().refund("HP17000000001").unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.api_request_count(), 1, "a refund is sent once");
}

#[test]
fn an_odd_item_is_an_error_for_that_item_only() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let body = br#"{"items":[
        {"purchase":{"transaction":"HP1","price":{"value":"97.00","currency_code":"BRL"}}},
        {"purchase":{"transaction":"HP2","price":{"value":{"amount":1}}}},
        {"purchase":{"transaction":"HP3","recurrency_number":"2"}}
    ],"page_info":{"results_per_page":3}}"#;
    server.fail_next(
        Endpoint::Api,
        1,
        Fault::Response {
            status: 200,
            content_type: "application/json".into(),
            body: body.to_vec(),
        },
    );
    let results: Vec<_> = client.sales().history().items().collect();
    assert_eq!(results.len(), 3);
    let first = results[0].as_ref().unwrap().purchase.as_ref().unwrap();
    assert_eq!(
        first.price.as_ref().unwrap().value,
        Some(97.0),
        "a number as text"
    );
    match &results[1] {
        Err(Error::InvalidItem {
            url,
            index,
            path,
            reason,
        }) => {
            assert!(url.ends_with("/payments/api/v1/sales/history"), "{url}");
            assert_eq!(*index, 1);
            assert_eq!(path, "items[1].purchase.price.value");
            assert_eq!(reason, "expected a number, found an object");
        }
        other => panic!("expected an error naming the member, got {other:?}"),
    }
    let third = results[2].as_ref().unwrap().purchase.as_ref().unwrap();
    assert_eq!(third.recurrency_number, Some(2), "an integer as text");
}

#[test]
fn errors_never_quote_values() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let body = br#"{"items":[{"buyer":{"email":["secret@example.com"]}}]}"#;
    server.fail_next(
        Endpoint::Api,
        1,
        Fault::Response {
            status: 200,
            content_type: "application/json".into(),
            body: body.to_vec(),
        },
    );
    let err = client
        .sales()
        .history()
        .items()
        .next()
        .unwrap()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("items[0].buyer.email: expected a string, found an array"),
        "{text}"
    );
    assert!(!text.contains("secret"), "{text}");
}

#[test]
fn a_page_without_items_is_an_error() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    server.fail_next(
        Endpoint::Api,
        1,
        Fault::Response {
            status: 200,
            content_type: "application/json".into(),
            body: br#"{"page_info":{}}"#.to_vec(),
        },
    );
    let err = client.sales().history().send().unwrap_err();
    assert!(err.to_string().contains("no `items` member"), "{err}");
}

/// Before: a date before 1970 went as `start_date=0`, 1970 itself, another date than asked; a window ending before it starts, and a status in lower case, came back
/// as no sales at all. The dates are refused before anything is sent; the status is read in
/// any case.
#[test]
fn filters_that_cannot_mean_what_was_asked_are_refused_before_sending() {
    let server = MockServer::builder().sales(40).start().unwrap();
    let client = support::client(&server);
    let sent = || server.requests().len();
    let before = sent();
    let now = SystemTime::now();
    let day = Duration::from_secs(86_400);
    let refused = [
        client
            .sales()
            .history()
            .start_date(SystemTime::UNIX_EPOCH - day)
            .send()
            .map(drop),
        client
            .sales()
            .history()
            .start_date(now)
            .end_date(now - day)
            .send()
            .map(drop),
        client
            .sales()
            .history()
            .end_date(now - day)
            .start_date(now)
            .send()
            .map(drop),
        client
            .subscriptions()
            .list()
            .end_accession_date(now - day)
            .accession_date(now)
            .send()
            .map(drop),
    ];
    for result in refused {
        let err = result.unwrap_err();
        println!("{err}");
        assert!(matches!(err, Error::InvalidFilter { .. }), "{err:?}");
    }
    assert_eq!(sent(), before, "nothing was sent");

    // An empty window (the same instant twice) is a window.
    client
        .sales()
        .history()
        .start_date(now)
        .end_date(now)
        .send()
        .unwrap();

    let lower: Vec<_> = client
        .sales()
        .history()
        .transaction_status("refunded")
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(lower.len(), 5);
}

/// Setting a date again decides anew; a date past what Hotmart's milliseconds hold is
/// refused rather than sent as `u64::MAX` (which also hid a reversed window).
#[test]
fn the_last_value_of_each_date_counts_and_far_dates_are_refused() {
    let server = MockServer::builder().sales(40).start().unwrap();
    let client = support::client(&server);
    let at = |s: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
    let history = || client.sales().history();
    for fixed in [
        history()
            .start_date(at(3000))
            .end_date(at(1000))
            .end_date(at(5000)),
        history()
            .end_date(at(1000))
            .start_date(at(3000))
            .start_date(at(500)),
        history()
            .start_date(SystemTime::UNIX_EPOCH - Duration::from_secs(1))
            .start_date(at(1000)),
    ] {
        fixed.send().expect("the last values make a window");
    }
    let far = at(i64::MAX as u64 / 2);
    for refused in [
        history().start_date(far),
        history().start_date(far).end_date(at(1000)),
        history()
            .start_date(SystemTime::UNIX_EPOCH - Duration::from_secs(1))
            .end_date(at(1000)),
    ] {
        let err = refused.send().map(drop).unwrap_err();
        assert!(matches!(err, Error::InvalidFilter { .. }), "{err:?}");
    }
}
