//! API calls over loopback: paths, pagination, typed models, JSON and its errors.

mod support;

use hotmart::models::{Product, Sale, SalesSummary, Subscription};
use hotmart::{Error, Page};
use hotmart_mock::{Endpoint, Fault, MockServer};
use miniserde::json::Value;

#[test]
fn one_page_with_its_headers() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let resp = client
        .get("/payments/api/v1/sales/history")
        .query("max_results", "5")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.header("RateLimit-Limit"), Some("500"));
    assert_eq!(resp.header("ratelimit-remaining"), Some("499"));
    let page: Page<Sale> = resp.json().unwrap();
    assert_eq!(page.items().len(), 5);
    // 25 sales, of which 19 are APPROVED or COMPLETE: Hotmart's default.
    assert_eq!(page.page_info().total_results, Some(19));
    assert_eq!(
        page.page_info().next_page_token.as_deref(),
        Some("mock-page-5")
    );
    let value: Value = resp.json().unwrap();
    assert!(matches!(value, Value::Object(_)));

    let request = &server.requests()[1];
    assert_eq!(request.path, "/payments/api/v1/sales/history");
    assert_eq!(request.query_value("max_results"), Some("5"));
    let bearer = request.header("authorization").unwrap();
    assert!(bearer.starts_with("Bearer mock-at."), "{bearer}");
}

#[test]
fn all_pages_in_order() {
    let server = MockServer::builder().sales(23).start().unwrap();
    let client = support::client(&server);
    let sales: Vec<Sale> = client
        .get("/payments/api/v1/sales/history")
        .query("max_results", "5")
        .items::<Sale>()
        .collect::<Result<_, _>>()
        .unwrap();
    let transactions: Vec<String> = sales
        .iter()
        .map(|s| s.purchase.as_ref().unwrap().transaction.clone().unwrap())
        .collect();
    // Every fictional sale but the refunded and cancelled ones (Hotmart's default).
    let expected: Vec<String> = (0..23u64)
        .filter(|i| i % 8 != 5 && i % 8 != 7)
        .map(|i| format!("HP{:011}", 17_000_000_000u64 + i))
        .collect();
    assert_eq!(transactions, expected);
    // Five pages, each request carrying the previous page's token.
    let tokens: Vec<Option<String>> = server
        .requests()
        .iter()
        .filter(|r| r.path == "/payments/api/v1/sales/history")
        .map(|r| r.query_value("page_token").map(str::to_owned))
        .collect();
    assert_eq!(
        tokens,
        [
            None,
            Some("mock-page-5"),
            Some("mock-page-10"),
            Some("mock-page-15"),
        ]
        .map(|t| t.map(str::to_owned))
    );
    assert_eq!(server.token_request_count(), 1);
}

#[test]
fn pages_give_page_info() {
    let server = MockServer::builder().products(3).start().unwrap();
    let client = support::client(&server);
    let pages: Vec<Page<Value>> = client
        .get("/products/api/v1/products")
        .query("max_results", "2")
        .pages()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].items().len(), 2);
    assert_eq!(pages[1].items().len(), 1);
    assert_eq!(pages[1].page_info().next_page_token, None);
    assert_eq!(
        pages[1].page_info().prev_page_token.as_deref(),
        Some("mock-page-0")
    );
}

#[test]
fn typed_models_read_the_mock_data() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);

    let sale: Sale = client
        .get("/payments/api/v1/sales/history")
        .items::<Sale>()
        .next()
        .unwrap()
        .unwrap();
    let purchase = sale.purchase.unwrap();
    assert_eq!(purchase.status.as_deref(), Some("APPROVED"));
    // Dated relative to the server's start: the newest sale is an hour old.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let age = now_ms - purchase.order_date.unwrap();
    assert!((3_600_000..3_700_000).contains(&age), "{age}");
    let price = purchase.price.unwrap();
    assert_eq!(
        (price.value, price.currency_code.as_deref()),
        (Some(297.0), Some("BRL"))
    );
    assert_eq!(
        purchase.payment.unwrap().kind.as_deref(),
        Some("CREDIT_CARD")
    );
    assert_eq!(purchase.hotmart_fee.unwrap().percentage, Some(9.9));
    assert_eq!(
        sale.buyer.unwrap().email.as_deref(),
        Some("comprador0@example.com")
    );
    assert_eq!(sale.product.unwrap().id, Some(1_000_001));

    let summary: Page<SalesSummary> = client
        .get("/payments/api/v1/sales/summary")
        .send()
        .unwrap()
        .json()
        .unwrap();
    let counted: u64 = summary.items().iter().filter_map(|s| s.total_items).sum();
    assert_eq!(counted, 19);

    let subs: Vec<Subscription> = client
        .get("/payments/api/v1/subscriptions")
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(subs.len(), 12);
    assert_eq!(subs[2].status.as_deref(), Some("DELAYED"));
    assert_eq!(subs[0].plan.as_ref().unwrap().recurrency_period, Some(30));

    let products: Vec<Product> = client
        .get("/products/api/v1/products")
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(products.len(), 3);
    assert_eq!(products[1].format.as_deref(), Some("EBOOK"));
}

#[test]
fn empty_body_is_fine_for_send_and_clear_for_json() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    // Hotmart answers a refund with an empty body.
    let resp = client
        .put("/payments/api/v1/sales/HP17000000000/refund")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.body().is_empty());
    match resp.json::<Value>().unwrap_err() {
        Error::InvalidResponse { reason, .. } => assert!(reason.contains("empty"), "{reason}"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn json_request_body_is_sent() {
    #[derive(miniserde::Serialize)]
    struct Cancel {
        subscriber_code: Vec<String>,
        send_mail: bool,
    }
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    client
        .post("/payments/api/v1/subscriptions/cancel")
        .json(&Cancel {
            subscriber_code: vec!["SUB00001".into()],
            send_mail: false,
        })
        .send()
        .unwrap();
    let request = server.requests().pop().unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.body,
        br#"{"subscriber_code":["SUB00001"],"send_mail":false}"#
    );
}

#[test]
fn wrong_shape_and_not_json_are_invalid_responses() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let resp = client.get("/user/api/v1/me").send().unwrap();
    let err = resp.json::<Vec<u64>>().unwrap_err();
    assert!(
        matches!(&err, Error::InvalidResponse { reason, .. } if reason.contains("shape")),
        "{err:?}"
    );

    server.fail_next(Endpoint::Api, 1, Fault::NotJson);
    let resp = client.get("/user/api/v1/me").send().unwrap();
    let err = resp.json::<Value>().unwrap_err();
    assert!(
        matches!(&err, Error::InvalidResponse { reason, .. } if reason.contains("not valid JSON")),
        "{err:?}"
    );

    server.fail_next(Endpoint::Api, 1, Fault::Truncated);
    let err = client
        .get("/products/api/v1/products")
        .items::<Product>()
        .next()
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
}

#[test]
fn error_status_carries_the_envelope() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let err = client.get("/no/such/endpoint").send().unwrap_err();
    assert_eq!(err.status(), Some(404));
    match &err {
        Error::Api(api) => {
            assert_eq!(api.method(), "GET");
            assert!(api.url().ends_with("/no/such/endpoint"));
            assert_eq!(api.error(), Some("not_found"));
            assert_eq!(api.error_description(), Some("No such resource"));
        }
        other => panic!("unexpected {other:?}"),
    }
    let err = client
        .get("/products/api/v1/products")
        .query("page_token", "bogus")
        .send()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api(api) if api.status() == 400 && api.error() == Some("invalid_token"))
    );
    // A 400 with invalid_token is about the page token, not the access token: no refresh.
    assert_eq!(server.token_request_count(), 1);
}

#[test]
fn hosts_outside_the_api_base_are_refused_without_io() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    for target in [
        "https://evil.example/payments/api/v1/sales/history",
        "http://127.0.0.2:1/x",
        &format!("{}evil.example/x", server.url()),
        &format!("{}/x#frag", server.url()),
    ] {
        let err = client.get(target).send().unwrap_err();
        assert!(matches!(err, Error::InvalidUrl { .. }), "{target}: {err:?}");
    }
    assert_eq!(
        server.requests().len(),
        0,
        "nothing may be sent, not even a token request"
    );
    // An absolute URL under the base is fine.
    let url = format!("{}/user/api/v1/me", server.url());
    assert_eq!(client.get(&url).send().unwrap().status(), 200);
}

#[test]
fn oversized_body_is_refused() {
    let server = MockServer::start().unwrap();
    let client = support::builder(&server)
        .max_body_size(4096)
        .build()
        .unwrap();
    server.fail_next(Endpoint::Api, 1, Fault::Oversized(10_000));
    match client.get("/user/api/v1/me").send().unwrap_err() {
        Error::BodyTooLarge { limit, .. } => assert_eq!(limit, 4096),
        other => panic!("unexpected {other:?}"),
    }
}
