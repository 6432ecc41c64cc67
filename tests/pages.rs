//! Pagination against hostile page tokens: cycles, no end, bodies that are not pages.

use hotmart::{Client, Error};
use hotmart_mock::{Endpoint, Fault, MockServer};
use miniserde::json::Value;

fn page(next: &str) -> Fault {
    Fault::Response {
        status: 200,
        content_type: "application/json".to_owned(),
        body: format!(r#"{{"items":[{{"n":1}}],"page_info":{{"next_page_token":"{next}"}}}}"#)
            .into_bytes(),
    }
}

#[test]
fn a_page_token_seen_before_ends_the_iteration() {
    let server = MockServer::start().unwrap();
    let client = Client::new(server.environment(), server.credentials()).unwrap();
    // A, B, A: not an immediate repeat, still a cycle.
    for next in ["A", "B", "A"] {
        server.fail_next(Endpoint::Api, 1, page(next));
    }
    let pages: Vec<_> = client.get("/anything").pages::<Value>().collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages[0].is_ok() && pages[1].is_ok());
    match &pages[2] {
        Err(Error::InvalidResponse { reason, .. }) => {
            assert!(reason.contains("already given"), "{reason}");
        }
        other => panic!("expected InvalidResponse, got {other:?}"),
    }
    let tokens: Vec<_> = server
        .requests()
        .iter()
        .filter(|r| r.path == "/anything")
        .map(|r| r.query_value("page_token").map(str::to_owned))
        .collect();
    assert_eq!(tokens, [None, Some("A".to_owned()), Some("B".to_owned())]);
}

#[test]
fn new_page_tokens_without_end_stop_at_the_page_cap() {
    let server = MockServer::start().unwrap();
    let client = Client::new(server.environment(), server.credentials()).unwrap();
    for next in ["A", "B", "C", "D"] {
        server.fail_next(Endpoint::Api, 1, page(next));
    }
    let pages: Vec<_> = client
        .get("/anything")
        .pages::<Value>()
        .max_pages(3)
        .collect();
    assert_eq!(pages.len(), 4, "{pages:?}");
    assert!(pages[..3].iter().all(Result::is_ok));
    match &pages[3] {
        Err(Error::InvalidResponse { reason, .. }) => {
            assert!(reason.contains("past 3 pages"), "{reason}");
        }
        other => panic!("expected InvalidResponse, got {other:?}"),
    }
    assert_eq!(server.api_request_count(), 3);
}

#[test]
fn a_body_without_items_is_an_error_not_an_empty_page() {
    let server = MockServer::start().unwrap();
    let client = Client::new(server.environment(), server.credentials()).unwrap();
    server.fail_next(
        Endpoint::Api,
        1,
        Fault::Response {
            status: 200,
            content_type: "application/json".to_owned(),
            body: br#"{"data":[]}"#.to_vec(),
        },
    );
    let first = client.get("/anything").items::<Value>().next().unwrap();
    match first {
        Err(Error::InvalidResponse { reason, .. }) => assert!(reason.contains("no `items`")),
        other => panic!("expected InvalidResponse, got {other:?}"),
    }
}
